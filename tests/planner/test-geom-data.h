/* test-geom-data.h: the real teeth of open-full-jaw-p26 for the geometry
 * tests (collisions, frames, setup).  Each loader returns NULL/FALSE and
 * sets @error when $OP_SHARED_DATA or a file is missing, so a test can
 * g_test_skip() with the reason. */
#pragma once

#include "op-tooth.h"

/* The crown-and-root mesh of the tooth named by its Universal number. */
OpMesh      *geom_load_universal   (int       universal,
                                    GError  **error);
/* All 31 teeth, by FDI number, without frames. */
OpDentition *geom_load_dentition   (GError  **error);
/* The dataset's axes of the tooth (Universal): crown centre @c and the unit
 * directions from c to the x (mesial), y (labial) and z (long axis) end
 * points.  FALSE when the file has no entry for it. */
gboolean     geom_load_axes        (int       universal,
                                    float     c[3],
                                    float     x[3],
                                    float     y[3],
                                    float     z[3],
                                    GError  **error);
