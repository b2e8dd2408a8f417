/* test-segment-data.h: the real teeth of ../shared/data for segmentation tests. */
#pragma once

#include "op-tooth.h"

G_BEGIN_DECLS

/* Loads every tooth_N.stl of one arch of open-full-jaw-p26 (Universal N)
 * as an OpTooth numbered in FDI, with the frame of teeth_axes_*.json when
 * the file has one (its x axis points distally, so mesial is -x).  Returns
 * NULL, with a message in @error, when OP_SHARED_DATA is unset or a file
 * is missing. */
GPtrArray *test_segment_load_teeth (gboolean   upper,
                                    GError   **error);

G_END_DECLS
