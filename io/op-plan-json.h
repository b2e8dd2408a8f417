/* op-plan-json.h: reading a plan back from its canonical JSON.
 *
 * The encoder is planner/op-plan.c (op_plan_encode); this is its inverse,
 * with json-glib.  Decoding then encoding a canonical file gives the same
 * bytes.  The decoder checks the file's shape (every field present, of
 * the right type, stages numbered 0.., every stage naming the same teeth),
 * not the clinical invariants: op_plan_check() does that, so that a file
 * edited by hand can be read and then told what is wrong with it.
 */
#pragma once

#include <gio/gio.h>

#include "op-plan.h"
#include "op-plan-request.h"

G_BEGIN_DECLS

#define OP_PLAN_JSON_ERROR (op_plan_json_error_quark ())
GQuark op_plan_json_error_quark (void);

typedef enum {
  OP_PLAN_JSON_ERROR_PARSE,    /* not JSON */
  OP_PLAN_JSON_ERROR_FIELD,    /* a field missing, of the wrong type or out of range */
  OP_PLAN_JSON_ERROR_READ,     /* the file could not be read */
} OpPlanJsonError;

/* @name is used in messages ("plan.json: stages[3].teeth.21.rot: ..."). */
OpPlan  *op_plan_decode       (const char  *data,
                               gsize        length,
                               const char  *name,
                               GError     **error);
OpPlan  *op_plan_load_file    (const char  *path,
                               GError     **error);
/* Writes op_plan_encode(@plan) to @path through a temporary file, so a
 * failure never leaves half a plan behind. */
gboolean op_plan_save_file    (const OpPlan *plan,
                               const char   *path,
                               GError      **error);

/* Reads a stored version's parameters (op_plan_request_encode(), or the
 * older text of the CLI, whose limits may name only some components)
 * back into a request.  Members that are missing keep the request's
 * defaults; @name is used in messages. */
OpPlanRequest *op_plan_request_decode (const char  *parameters,
                                       const char  *name,
                                       GError     **error);

G_END_DECLS
