/* test-model-data.h: the real teeth of open-full-jaw-p26 with a plan that
 * moves some of them, for the production model tests (planner and io).
 * Returns FALSE when $OP_SHARED_DATA lacks the teeth, so a test can
 * g_test_skip(). */
#pragma once

#include "op-plan.h"
#include "op-tooth.h"

/* The framed teeth, and a plan of @n_stages stages in which 11 moves
 * 0.2 mm mesial and rotates 1.5 degrees per stage, 36 intrudes 0.1 mm per
 * stage, and 11 and 36 carry attachments bonded at stage 2. */
gboolean model_data_load (guint          n_stages,
                          OpDentition  **teeth,
                          OpPlan       **plan);
