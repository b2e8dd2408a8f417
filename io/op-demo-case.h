/* op-demo-case.h: the bundled demo case.
 *
 * The demo patient's arches come from planner/op-demo (a deterministic
 * generator), saved as PLY with labels, so the demo case goes through the
 * same store and import path as a real one.
 */
#pragma once

#include "op-store.h"

G_BEGIN_DECLS

#define OP_DEMO_FAMILY_NAME "Demo"
#define OP_DEMO_GIVEN_NAME  "Patient"
#define OP_DEMO_BIRTH_DATE  "1990-04-12"
#define OP_DEMO_CHART       "DEMO-0001"

/* Returns the id of the demo case in @store, creating the patient, the
 * case and both arch scans when they are not there yet, and its per-tooth
 * crowns with their frames and a first plan (op-demo.h, op_planner_plan),
 * sent for review, when the case lacks them. */
gint64 op_demo_case_ensure (OpStore  *self,
                            GError  **error);

G_END_DECLS
