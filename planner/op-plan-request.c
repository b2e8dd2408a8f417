/* op-plan-request.c: the provider's part of the planner's options, its
 * text forms and its parameters JSON. */

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "op-plan-request.h"

G_DEFINE_QUARK (op-plan-request-error-quark, op_plan_request_error)

OpPlanRequest *
op_plan_request_new (void)
{
  OpPlanRequest *r = g_new0 (OpPlanRequest, 1);

  r->overrides = g_array_new (FALSE, TRUE, sizeof (OpToothOverride));
  r->locked = g_array_new (FALSE, TRUE, sizeof (int));
  op_plan_default_limits (&r->limits);
  return r;
}

OpPlanRequest *
op_plan_request_copy (const OpPlanRequest *request)
{
  OpPlanRequest *r;

  g_return_val_if_fail (request != NULL, NULL);

  r = op_plan_request_new ();
  g_array_append_vals (r->overrides, request->overrides->data, request->overrides->len);
  g_array_append_vals (r->locked, request->locked->data, request->locked->len);
  r->limits = request->limits;
  r->strategy = request->strategy;
  return r;
}

void
op_plan_request_free (OpPlanRequest *request)
{
  if (request == NULL)
    return;
  g_array_unref (request->overrides);
  g_array_unref (request->locked);
  g_free (request);
}

OpToothOverride *
op_plan_request_find_override (OpPlanRequest *request,
                               int            fdi)
{
  g_return_val_if_fail (request != NULL, NULL);

  for (guint i = 0; i < request->overrides->len; i++)
    if (g_array_index (request->overrides, OpToothOverride, i).fdi == fdi)
      return &g_array_index (request->overrides, OpToothOverride, i);
  return NULL;
}

/* Overrides stay sorted by FDI so that the same edits, made in any
 * order, give the same parameters text. */
static OpToothOverride *
request_ensure_override (OpPlanRequest *request,
                         int            fdi)
{
  OpToothOverride fresh = { .fdi = fdi };
  OpToothOverride *ov = op_plan_request_find_override (request, fdi);
  guint at = 0;

  if (ov != NULL)
    return ov;
  while (at < request->overrides->len && g_array_index (request->overrides, OpToothOverride, at).fdi < fdi)
    at++;
  g_array_insert_val (request->overrides, at, fresh);
  return &g_array_index (request->overrides, OpToothOverride, at);
}

void
op_plan_request_set_target (OpPlanRequest *request,
                            int            fdi,
                            OpComponent    component,
                            double         value)
{
  OpToothOverride *ov;

  g_return_if_fail (request != NULL);
  g_return_if_fail (component < OP_N_COMPONENTS);

  ov = request_ensure_override (request, fdi);
  op_movement_set (&ov->target, component, value);
  ov->mask |= 1u << component;
}

gboolean
op_plan_request_is_locked (const OpPlanRequest *request,
                           int                  fdi)
{
  g_return_val_if_fail (request != NULL, FALSE);

  for (guint i = 0; i < request->locked->len; i++)
    if (g_array_index (request->locked, int, i) == fdi)
      return TRUE;
  return FALSE;
}

void
op_plan_request_set_locked (OpPlanRequest *request,
                            int            fdi,
                            gboolean       locked)
{
  guint at = 0;

  g_return_if_fail (request != NULL);

  while (at < request->locked->len && g_array_index (request->locked, int, at) < fdi)
    at++;
  if (at < request->locked->len && g_array_index (request->locked, int, at) == fdi)
    {
      if (!locked)
        g_array_remove_index (request->locked, at);
    }
  else if (locked)
    g_array_insert_val (request->locked, at, fdi);
}

void
op_plan_request_apply (const OpPlanRequest *request,
                       OpPlannerOptions    *options)
{
  g_return_if_fail (request != NULL && options != NULL);

  options->limits = request->limits;
  options->strategy = request->strategy;
  options->overrides = (const OpToothOverride *) request->overrides->data;
  options->n_overrides = request->overrides->len;
  options->locked = (const int *) request->locked->data;
  options->n_locked = request->locked->len;
}

gboolean
op_movement_parse (const char  *field,
                   const char  *text,
                   OpMovement  *movement,
                   guint       *mask,
                   GError     **error)
{
  g_auto(GStrv) items = NULL;

  g_return_val_if_fail (field != NULL && text != NULL && movement != NULL, FALSE);

  /* An empty text asks for nothing: "--limits ''" keeps the defaults. */
  if (*text == '\0')
    return TRUE;

  items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (items[i], "=", 2);
      OpComponent c;
      char *end = NULL;
      double v;

      if (g_strv_length (kv) != 2 || !op_component_from_string (g_strstrip (kv[0]), &c))
        {
          g_set_error (error, OP_PLAN_REQUEST_ERROR, OP_PLAN_REQUEST_ERROR_SYNTAX,
                       _("%s: “%s” is not key=value with a key among md, bl, vert, rot, tip, torque"),
                       field, items[i]);
          return FALSE;
        }
      g_strstrip (kv[1]);
      v = g_ascii_strtod (kv[1], &end);
      if (end == kv[1] || *end != '\0' || !isfinite (v))
        {
          g_set_error (error, OP_PLAN_REQUEST_ERROR, OP_PLAN_REQUEST_ERROR_SYNTAX,
                       _("%s: “%s” is not a number"), field, kv[1]);
          return FALSE;
        }
      op_movement_set (movement, c, v);
      if (mask != NULL)
        *mask |= 1u << c;
    }
  return TRUE;
}

/* An FDI number written alone, with nothing after its digits. */
static gboolean
parse_fdi (const char *text,
           int        *fdi)
{
  char *end = NULL;
  gint64 v;

  while (g_ascii_isspace (*text))
    text++;
  v = g_ascii_strtoll (text, &end, 10);
  while (end != NULL && g_ascii_isspace (*end))
    end++;
  if (end == text || end == NULL || *end != '\0' || v < 0 || v > 99 || !op_fdi_is_valid ((int) v))
    return FALSE;
  *fdi = (int) v;
  return TRUE;
}

gboolean
op_plan_request_add_target_text (OpPlanRequest *request,
                                 const char    *field,
                                 const char    *text,
                                 GError       **error)
{
  const char *colon;
  g_autofree char *number = NULL;
  OpToothOverride parsed = { 0 };
  OpToothOverride *ov;
  int fdi = 0;

  g_return_val_if_fail (request != NULL && field != NULL && text != NULL, FALSE);

  colon = strchr (text, ':');
  if (colon != NULL)
    number = g_strndup (text, (gsize) (colon - text));
  if (colon == NULL || !parse_fdi (number, &fdi))
    {
      g_set_error (error, OP_PLAN_REQUEST_ERROR, OP_PLAN_REQUEST_ERROR_SYNTAX,
                   _("%s: write FDI:key=value,…, e.g. 11:rot=5 (got “%s”)"), field, text);
      return FALSE;
    }
  if (!op_movement_parse (field, colon + 1, &parsed.target, &parsed.mask, error))
    return FALSE;

  /* Parsed whole before anything is kept, so a bad text changes nothing. */
  ov = request_ensure_override (request, fdi);
  for (int c = 0; c < OP_N_COMPONENTS; c++)
    if (parsed.mask & (1u << c))
      op_movement_set (&ov->target, c, op_movement_get (&parsed.target, c));
  ov->mask |= parsed.mask;
  return TRUE;
}

gboolean
op_plan_request_add_lock_text (OpPlanRequest *request,
                               const char    *field,
                               const char    *text,
                               GError       **error)
{
  g_auto(GStrv) items = NULL;
  g_autoptr(GArray) fdis = g_array_new (FALSE, FALSE, sizeof (int));

  g_return_val_if_fail (request != NULL && field != NULL && text != NULL, FALSE);

  if (*text == '\0')
    return TRUE;
  items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      int fdi;

      if (!parse_fdi (items[i], &fdi))
        {
          g_set_error (error, OP_PLAN_REQUEST_ERROR, OP_PLAN_REQUEST_ERROR_SYNTAX,
                       _("%s: “%s” is not an FDI tooth number"), field, items[i]);
          return FALSE;
        }
      g_array_append_val (fdis, fdi);
    }
  for (guint i = 0; i < fdis->len; i++)
    op_plan_request_set_locked (request, g_array_index (fdis, int, i), TRUE);
  return TRUE;
}

gboolean
op_plan_request_set_strategy_text (OpPlanRequest *request,
                                   const char    *field,
                                   const char    *text,
                                   GError       **error)
{
  g_return_val_if_fail (request != NULL && field != NULL && text != NULL, FALSE);

  if (!op_stage_strategy_from_string (text, &request->strategy))
    {
      g_set_error (error, OP_PLAN_REQUEST_ERROR, OP_PLAN_REQUEST_ERROR_SYNTAX,
                   _("%s: “%s” is not together, posterior-first or anterior-first"), field, text);
      return FALSE;
    }
  return TRUE;
}

static void
append_movement (GString          *s,
                 const OpMovement *m,
                 guint             mask)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean first = TRUE;

  for (int c = 0; c < OP_N_COMPONENTS; c++)
    if (mask & (1u << c))
      {
        g_string_append_printf (s, "%s%s=%s", first ? "" : ",", op_component_to_string (c),
                                g_ascii_formatd (buf, sizeof buf, "%.4f", op_movement_get (m, c)));
        first = FALSE;
      }
}

char *
op_plan_request_encode (const OpPlanRequest *request,
                        const char          *source)
{
  GString *s;

  g_return_val_if_fail (request != NULL, NULL);

  /* Every value is plain ASCII (keys, numbers, FDI digits) except the
   * source, which callers name with a fixed word; nothing needs escaping. */
  s = g_string_new ("{\"strategy\": \"");
  g_string_append (s, op_stage_strategy_to_string (request->strategy));
  g_string_append (s, "\", \"limits\": \"");
  append_movement (s, &request->limits, OP_TOOTH_OVERRIDE_ALL);
  g_string_append (s, "\", \"lock\": \"");
  for (guint i = 0; i < request->locked->len; i++)
    g_string_append_printf (s, "%s%d", i ? "," : "", g_array_index (request->locked, int, i));
  g_string_append (s, "\", \"targets\": [");
  for (guint i = 0; i < request->overrides->len; i++)
    {
      const OpToothOverride *ov = &g_array_index (request->overrides, OpToothOverride, i);

      g_string_append_printf (s, "%s\"%d:", i ? ", " : "", ov->fdi);
      append_movement (s, &ov->target, ov->mask);
      g_string_append_c (s, '"');
    }
  g_string_append (s, "], \"source\": \"");
  g_string_append (s, source != NULL ? source : "");
  g_string_append (s, "\"}");
  return g_string_free (s, FALSE);
}
