/* test-render-util.h: camera projections and meshes shared by the render tests. */
#pragma once

#include <glib.h>

#include "op-camera.h"
#include "op-mesh.h"

/* World point to normalised device coordinates (x, y in [-1, 1] on screen,
 * z in [-1, 1] near to far). */
void     op_test_ndc     (const OpCamera *camera,
                          float           aspect,
                          const float     p[3],
                          float           out[3]);
/* World point to pixel coordinates, top row 0; FALSE when off screen. */
gboolean op_test_project (const OpCamera *camera,
                          float           aspect,
                          const float     p[3],
                          int             width,
                          int             height,
                          float          *out_x,
                          float          *out_y);

/* A unit-normal sphere of @radius mm around @centre, counter-clockwise
 * seen from outside, @stacks x @slices quads. */
OpMesh  *op_test_make_sphere (const float centre[3],
                              float       radius,
                              int         stacks,
                              int         slices);
