/* op-procedure.c: CDT codes for an approved plan, and the retry schedule. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "op-fdi.h"
#include "op-procedure.h"

G_DEFINE_QUARK (op-procedure-error-quark, op_procedure_error)

const char *
op_dentition_stage_to_string (OpDentitionStage stage)
{
  switch (stage)
    {
    case OP_DENTITION_PRIMARY:      return "primary";
    case OP_DENTITION_TRANSITIONAL: return "transitional";
    case OP_DENTITION_ADOLESCENT:   return "adolescent";
    case OP_DENTITION_ADULT:        return "adult";
    default:                        return "unknown";
    }
}

const char *
op_treatment_scope_to_string (OpTreatmentScope scope)
{
  return scope == OP_TREATMENT_COMPREHENSIVE ? "comprehensive" : "limited";
}

OpDentitionStage
op_dentition_stage (const int *fdi,
                    guint      n_fdi)
{
  gboolean any_primary = FALSE, any_permanent = FALSE, third_molar = FALSE;
  gboolean upper_teeth = FALSE, lower_teeth = FALSE;
  gboolean upper_second = FALSE, lower_second = FALSE;

  for (guint i = 0; i < n_fdi; i++)
    {
      if (!op_fdi_is_valid (fdi[i]))
        continue;
      if (op_fdi_is_primary (fdi[i]))
        {
          any_primary = TRUE;
          continue;
        }
      any_permanent = TRUE;
      if (op_fdi_is_upper (fdi[i]))
        upper_teeth = TRUE;
      else
        lower_teeth = TRUE;
      if (op_fdi_type (fdi[i]) == OP_TOOTH_THIRD_MOLAR)
        third_molar = TRUE;
      if (op_fdi_type (fdi[i]) == OP_TOOTH_SECOND_MOLAR)
        {
          if (op_fdi_is_upper (fdi[i]))
            upper_second = TRUE;
          else
            lower_second = TRUE;
        }
    }

  if (any_primary && !any_permanent)
    return OP_DENTITION_PRIMARY;
  if (any_primary)
    return OP_DENTITION_TRANSITIONAL;
  if (third_molar)
    return OP_DENTITION_ADULT;
  /* Every arch that is in the plan must show a second molar: a plan of one
   * arch says nothing about the other. */
  if ((upper_teeth || lower_teeth) &&
      (!upper_teeth || upper_second) && (!lower_teeth || lower_second))
    return OP_DENTITION_ADULT;
  if (!upper_teeth && !lower_teeth)
    return OP_DENTITION_ADULT;
  return OP_DENTITION_ADOLESCENT;
}

gboolean
op_procedure_tooth_moves (const OpMovement *total)
{
  return fabs (total->md) >= OP_PROCEDURE_MOVE_MM ||
         fabs (total->bl) >= OP_PROCEDURE_MOVE_MM ||
         fabs (total->vert) >= OP_PROCEDURE_MOVE_MM ||
         fabs (total->rot) >= OP_PROCEDURE_MOVE_DEG ||
         fabs (total->tip) >= OP_PROCEDURE_MOVE_DEG ||
         fabs (total->torque) >= OP_PROCEDURE_MOVE_DEG;
}

OpTreatmentScope
op_treatment_scope (const int      *fdi,
                    const gboolean *moves,
                    guint           n_teeth)
{
  gboolean upper = FALSE, lower = FALSE, posterior = FALSE;

  for (guint i = 0; i < n_teeth; i++)
    {
      if (!moves[i] || !op_fdi_is_valid (fdi[i]))
        continue;
      if (op_fdi_is_upper (fdi[i]))
        upper = TRUE;
      else
        lower = TRUE;
      if (!op_fdi_is_anterior (fdi[i]))
        posterior = TRUE;
    }
  return upper && lower && posterior ? OP_TREATMENT_COMPREHENSIVE : OP_TREATMENT_LIMITED;
}

typedef struct {
  const char *code;
  const char *description;
} CodeInfo;

/* CDT's descriptors, in English: they are what the PMS shows on the
 * ledger and what the payer reads, so they are not translated. */
static const CodeInfo codes[] = {
  { "D8010", "limited orthodontic treatment of the primary dentition" },
  { "D8020", "limited orthodontic treatment of the transitional dentition" },
  { "D8030", "limited orthodontic treatment of the adolescent dentition" },
  { "D8040", "limited orthodontic treatment of the adult dentition" },
  { "D8070", "comprehensive orthodontic treatment of the transitional dentition" },
  { "D8080", "comprehensive orthodontic treatment of the adolescent dentition" },
  { "D8090", "comprehensive orthodontic treatment of the adult dentition" },
  { "D8660", "pre-orthodontic treatment examination to monitor growth and development" },
  { "D8670", "periodic orthodontic treatment visit" },
  { "D8680", "orthodontic retention (removal of appliances, construction and placement of retainer(s))" },
};

const char *
op_procedure_describe (const char *code)
{
  if (code == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    if (strcmp (codes[i].code, code) == 0)
      return codes[i].description;
  return NULL;
}

gboolean
op_procedure_code_valid (const char *code)
{
  if (code == NULL || strlen (code) != 5 || code[0] != 'D')
    return FALSE;
  for (int i = 1; i < 5; i++)
    if (!g_ascii_isdigit (code[i]))
      return FALSE;
  return TRUE;
}

static const char *
case_code (OpDentitionStage stage,
           OpTreatmentScope scope)
{
  if (scope == OP_TREATMENT_LIMITED)
    switch (stage)
      {
      case OP_DENTITION_PRIMARY:      return "D8010";
      case OP_DENTITION_TRANSITIONAL: return "D8020";
      case OP_DENTITION_ADOLESCENT:   return "D8030";
      case OP_DENTITION_ADULT:
      default:                        return "D8040";
      }
  switch (stage)
    {
    /* CDT has no comprehensive code for the primary dentition. */
    case OP_DENTITION_PRIMARY:      return "D8010";
    case OP_DENTITION_TRANSITIONAL: return "D8070";
    case OP_DENTITION_ADOLESCENT:   return "D8080";
    case OP_DENTITION_ADULT:
    default:                        return "D8090";
    }
}

static int
cmp_int (gconstpointer a,
         gconstpointer b)
{
  int x = *(const int *) a, y = *(const int *) b;

  return (x > y) - (x < y);
}

static void
set_procedure (OpProcedure *p,
               const char  *code,
               const int   *sites,
               guint        n_sites)
{
  memset (p, 0, sizeof *p);
  g_strlcpy (p->code, code, sizeof p->code);
  p->description = op_procedure_describe (code);
  p->n_sites = MIN (n_sites, OP_PROCEDURE_MAX_SITES);
  memcpy (p->sites, sites, p->n_sites * sizeof (int));
}

guint
op_procedure_plan (const OpProcedureTooth   *teeth,
                   guint                     n_teeth,
                   const OpProcedureOptions *options,
                   OpProcedure              *out,
                   GError                  **error)
{
  g_autofree int *fdi = NULL;
  g_autofree gboolean *moves = NULL;
  int sites[OP_PROCEDURE_MAX_SITES];
  guint n_valid = 0, n_sites = 0, n_out = 0;
  OpDentitionStage stage;
  OpTreatmentScope scope;

  g_return_val_if_fail (teeth != NULL || n_teeth == 0, 0);
  g_return_val_if_fail (out != NULL, 0);

  fdi = g_new0 (int, MAX (n_teeth, 1));
  moves = g_new0 (gboolean, MAX (n_teeth, 1));
  for (guint i = 0; i < n_teeth; i++)
    {
      if (!op_fdi_is_valid (teeth[i].fdi))
        continue;
      fdi[n_valid] = teeth[i].fdi;
      moves[n_valid] = op_procedure_tooth_moves (&teeth[i].total);
      if (moves[n_valid] && n_sites < OP_PROCEDURE_MAX_SITES)
        sites[n_sites++] = teeth[i].fdi;
      n_valid++;
    }
  if (n_valid == 0)
    {
      g_set_error_literal (error, OP_PROCEDURE_ERROR, OP_PROCEDURE_ERROR_NO_TEETH,
                           _("The plan names no valid tooth (FDI 11-48 or 51-85), so no procedure code can be chosen"));
      return 0;
    }
  if (n_sites == 0)
    {
      g_set_error (error, OP_PROCEDURE_ERROR, OP_PROCEDURE_ERROR_NO_MOVEMENT,
                   _("No tooth moves by %.1f mm or %.1f° or more in this plan, so there is no orthodontic "
                     "treatment to post"), OP_PROCEDURE_MOVE_MM, OP_PROCEDURE_MOVE_DEG);
      return 0;
    }
  qsort (sites, n_sites, sizeof (int), cmp_int);

  stage = op_dentition_stage (fdi, n_valid);
  scope = op_treatment_scope (fdi, moves, n_valid);
  set_procedure (&out[n_out++], case_code (stage, scope), sites, n_sites);
  if (options != NULL && options->retention)
    set_procedure (&out[n_out++], "D8680", sites, n_sites);
  return n_out;
}

/* Retries. */

void
op_backoff_default (OpBackoff *backoff)
{
  backoff->base_s = 1.0;
  backoff->factor = 2.0;
  backoff->max_s = 300.0;
  backoff->max_attempts = 8;
}

double
op_backoff_random (guint64 *state)
{
  /* splitmix64: small, fast and well mixed even from seeds 0, 1, 2... */
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  z ^= z >> 31;
  return (double) (z >> 11) / (double) (G_GUINT64_CONSTANT (1) << 53);
}

double
op_backoff_delay (const OpBackoff *backoff,
                  guint            retry,
                  guint64         *state)
{
  double d;

  g_return_val_if_fail (backoff != NULL && state != NULL, 0);

  if (retry == 0)
    return 0;
  d = backoff->base_s * pow (backoff->factor, (double) (retry - 1));
  if (!(d <= backoff->max_s))   /* also catches an overflow to inf */
    d = backoff->max_s;
  return d / 2 + op_backoff_random (state) * d / 2;
}
