/* op-demo.h: a deterministic synthetic dentition for the bundled demo case.
 *
 * The product ships no patient data, so the demo case is generated: two
 * arches of rounded crowns set along a parabolic arch on a gingiva band,
 * with per-vertex FDI labels and colours.  The same call always gives the
 * same bytes.
 */
#pragma once

#include "op-case.h"
#include "op-mesh.h"

G_BEGIN_DECLS

/* Builds one arch (OP_JAW_UPPER or OP_JAW_LOWER) of the demo patient, in
 * millimetres, in the patient frame of op-mesh.h (+x the patient's left,
 * +y posterior, +z superior) with the occlusal plane near z = 0.  @detail (1..8) scales the tessellation; 4 gives about 60k
 * triangles per arch. */
OpMesh *op_demo_arch_new (OpJaw jaw,
                          guint detail);

G_END_DECLS
