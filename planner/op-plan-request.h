/* op-plan-request.h: what the planner was asked for one plan version.
 *
 * A request is the part of the planner's options that a person chooses:
 * per-stage limits, the staging strategy, locked teeth and per-tooth
 * targets.  It is written beside every stored version (the store's
 * "parameters"), so that reopening a version brings back the provider's
 * edits and a later recalculation keeps them, whichever tool made it.
 *
 * The text forms are the CLI's: limits "md=0.2,rot=1.5" (keys of
 * op-pose.h, mm and degrees), locks "11,21", targets "11:rot=5,md=0.5".
 * The parameters are JSON text with those strings as values; the
 * encoder is here, the decoder in io/op-plan-json.h.
 */
#pragma once

#include "op-planner.h"

G_BEGIN_DECLS

#define OP_PLAN_REQUEST_ERROR (op_plan_request_error_quark ())
GQuark op_plan_request_error_quark (void);

typedef enum {
  OP_PLAN_REQUEST_ERROR_SYNTAX,  /* a text that is not key=value, a number or FDI */
} OpPlanRequestError;

typedef struct {
  OpMovement       limits;
  OpStageStrategy  strategy;
  GArray          *locked;     /* int FDI, sorted, no repeats */
  GArray          *overrides;  /* OpToothOverride, sorted by FDI, one per tooth */
} OpPlanRequest;

/* Default limits, the together strategy, nothing locked or overridden. */
OpPlanRequest   *op_plan_request_new        (void);
OpPlanRequest   *op_plan_request_copy       (const OpPlanRequest *request);
void             op_plan_request_free       (OpPlanRequest       *request);

/* The override of @fdi, or NULL; the pointer lives until the next change. */
OpToothOverride *op_plan_request_find_override (OpPlanRequest *request,
                                                int            fdi);
/* Sets one component of @fdi's target, adding its override if needed. */
void             op_plan_request_set_target    (OpPlanRequest *request,
                                                int            fdi,
                                                OpComponent    component,
                                                double         value);
gboolean         op_plan_request_is_locked     (const OpPlanRequest *request,
                                                int                  fdi);
void             op_plan_request_set_locked    (OpPlanRequest *request,
                                                int            fdi,
                                                gboolean       locked);

/* Points @options' limits, strategy, overrides and locks at @request,
 * which must outlive the planner call. */
void             op_plan_request_apply      (const OpPlanRequest *request,
                                             OpPlannerOptions    *options);

/* Parsers of the text forms.  @field names the option or JSON member in
 * the error message ("--limits", "targets[2]").  op_movement_parse()
 * sets only the components it reads and ORs their bits into @mask
 * (which may be NULL). */
gboolean         op_movement_parse          (const char  *field,
                                             const char  *text,
                                             OpMovement  *movement,
                                             guint       *mask,
                                             GError     **error);
gboolean         op_plan_request_add_target_text (OpPlanRequest *request,
                                                  const char    *field,
                                                  const char    *text,
                                                  GError       **error);
gboolean         op_plan_request_add_lock_text   (OpPlanRequest *request,
                                                  const char    *field,
                                                  const char    *text,
                                                  GError       **error);
gboolean         op_plan_request_set_strategy_text (OpPlanRequest *request,
                                                    const char    *field,
                                                    const char    *text,
                                                    GError       **error);

/* The parameters JSON of @request, with @source ("cli", "review") saying
 * which tool asked.  Numbers have four decimals; the same request gives
 * the same text. */
char            *op_plan_request_encode     (const OpPlanRequest *request,
                                             const char          *source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpPlanRequest, op_plan_request_free)

G_END_DECLS
