/* test-export-util.h: the real dentition and a generated plan for the
 * export tests and benchmark. */
#pragma once

#include "op-plan.h"
#include "op-tooth.h"

G_BEGIN_DECLS

/* The 31 real teeth of ../shared/data/open-full-jaw-p26 (OP_SHARED_DATA),
 * each with a frame (from the axes files, estimated for the two teeth
 * that have none); NULL when the data is not there. */
OpDentition *test_export_load_real (void);

/* A plan for @d with @n_stages stages (the first is the initial pose).
 * With @upper_incisors_only only 11, 12, 21 and 22 move (a lot: 2 mm
 * labially and 12 degrees of rotation), so that pictures of the first and
 * last stage differ only there; otherwise every tooth moves a little.
 * Poses go linearly from zero to the target.  Carries two IPR contacts,
 * two attachments and a warning. */
OpPlan      *test_export_plan      (const OpDentition *d,
                                    guint              n_stages,
                                    gboolean           upper_incisors_only);

G_END_DECLS
