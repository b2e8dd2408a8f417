/* op-procedure.h: which procedure codes an approved plan posts to the
 * practice management system, and how often a failed post is retried.
 *
 * CLINICAL.md, "Procedure codes": the CDT code follows the dentition
 * stage, not the age; the case code is posted as a treatment-planned
 * procedure with the location's fee, and the planner never posts a
 * completed procedure.  Everything here is pure and deterministic: the
 * same teeth give the same codes in the same order.
 */
#pragma once

#include <glib.h>

#include "op-pose.h"

G_BEGIN_DECLS

#define OP_PROCEDURE_ERROR (op_procedure_error_quark ())
GQuark op_procedure_error_quark (void);

typedef enum {
  OP_PROCEDURE_ERROR_NO_TEETH,     /* the plan names no valid tooth */
  OP_PROCEDURE_ERROR_NO_MOVEMENT,  /* no tooth moves: nothing to treat */
} OpProcedureError;

/* The status every posted procedure carries: treatment planned.  Open
 * Dental spells it "TP"; the practice marks it complete ("C") when the
 * aligners are delivered, never Orthoplan. */
#define OP_PROCEDURE_STATUS "TP"

/* The CDT code system as FHIR names it. */
#define OP_PROCEDURE_CDT_SYSTEM "http://www.ada.org/cdt"

typedef enum {
  OP_DENTITION_PRIMARY,       /* primary teeth only */
  OP_DENTITION_TRANSITIONAL,  /* primary and permanent teeth together */
  OP_DENTITION_ADOLESCENT,    /* permanent teeth, second molars not yet in */
  OP_DENTITION_ADULT,         /* permanent teeth with second (or third) molars */
} OpDentitionStage;

typedef enum {
  OP_TREATMENT_LIMITED,
  OP_TREATMENT_COMPREHENSIVE,
} OpTreatmentScope;

const char *op_dentition_stage_to_string (OpDentitionStage stage);  /* "adult", ... */
const char *op_treatment_scope_to_string (OpTreatmentScope scope);  /* "limited", ... */

/* The stage of the dentition from the FDI numbers of the teeth present
 * (invalid numbers are ignored; at least one must be valid, otherwise the
 * result is OP_DENTITION_ADULT and the caller should have refused earlier).
 *
 * - only primary teeth (51-85): primary;
 * - primary and permanent teeth together: transitional;
 * - permanent teeth only: adult when a third molar is present or, in each
 *   arch that has teeth, at least one of its two second molars is present;
 *   adolescent otherwise.  One second molar per arch is enough because an
 *   adult may have lost one; an adolescent whose second molars have not
 *   erupted has neither. */
OpDentitionStage op_dentition_stage (const int *fdi,
                                     guint      n_fdi);

/* Movement below these totals is not treatment: a tooth moves when any
 * translation reaches OP_PROCEDURE_MOVE_MM or any angle OP_PROCEDURE_MOVE_DEG. */
#define OP_PROCEDURE_MOVE_MM  0.1
#define OP_PROCEDURE_MOVE_DEG 1.0

gboolean    op_procedure_tooth_moves (const OpMovement *total);

/* Limited or comprehensive.  CDT's limited treatment is "not involving the
 * entire dentition": here, treatment is limited when every tooth that moves
 * is in one arch, or when every tooth that moves is an anterior tooth
 * (canine to canine); it is comprehensive when posterior teeth move in both
 * arches.  @moves[i] says whether tooth @fdi[i] moves. */
OpTreatmentScope op_treatment_scope (const int      *fdi,
                                     const gboolean *moves,
                                     guint           n_teeth);

/* One tooth of an approved plan: its number and its total movement. */
typedef struct {
  int        fdi;
  OpMovement total;
} OpProcedureTooth;

typedef struct {
  gboolean retention;   /* also post D8680 retention (a location setting) */
} OpProcedureOptions;

#define OP_PROCEDURE_MAX_SITES 52

/* One procedure to post. */
typedef struct {
  char   code[8];                        /* "D8090" */
  const char *description;               /* static, English: CDT's own words */
  guint  n_sites;
  int    sites[OP_PROCEDURE_MAX_SITES];  /* FDI numbers of the teeth it treats, ascending */
} OpProcedure;

#define OP_PROCEDURE_MAX 2

/* The procedures an approved plan posts, in order: the case code (limited
 * or comprehensive for the dentition stage) and, when @options asks,
 * D8680 retention.  Sites are the teeth that move, ascending.  Primary
 * dentition has no comprehensive code in CDT, so a primary case is always
 * D8010.  Writes up to OP_PROCEDURE_MAX entries into @out and returns how
 * many, or 0 with @error when no tooth is valid or none moves.
 * @options may be NULL (no retention). */
guint       op_procedure_plan       (const OpProcedureTooth   *teeth,
                                     guint                     n_teeth,
                                     const OpProcedureOptions *options,
                                     OpProcedure              *out,
                                     GError                  **error);

/* The description of a code this planner may post, or NULL for any other
 * (D8010-D8090, D8660, D8670, D8680). */
const char *op_procedure_describe   (const char *code);

/* Whether @code has the shape of a CDT code: "D" and four digits. */
gboolean    op_procedure_code_valid (const char *code);

/* Retries.  The n-th retry (1-based) waits a delay drawn uniformly from
 * [d/2, d], where d = min(max_s, base_s * factor^(n-1)) ("equal jitter"):
 * the wait still grows, and many clients that failed together do not
 * retry together.  The random numbers come from @state (splitmix64), so a
 * test that starts from the same seed gets the same waits. */
typedef struct {
  double base_s;
  double factor;
  double max_s;
  guint  max_attempts;   /* sends before a post needs a person */
} OpBackoff;

/* 1 s, doubling, at most 5 minutes, 8 attempts. */
void        op_backoff_default      (OpBackoff       *backoff);
double      op_backoff_delay        (const OpBackoff *backoff,
                                     guint            retry,
                                     guint64         *state);
/* The next number of the seeded source, in [0, 1). */
double      op_backoff_random       (guint64         *state);

G_END_DECLS
