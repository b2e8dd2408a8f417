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
#include "op-tooth.h"

G_BEGIN_DECLS

/* Builds one arch (OP_JAW_UPPER or OP_JAW_LOWER) of the demo patient, in
 * millimetres, in the patient frame of op-mesh.h (+x the patient's left,
 * +y posterior, +z superior) with the occlusal plane near z = 0.  @detail (1..8) scales the tessellation; 4 gives about 60k
 * triangles per arch. */
OpMesh *op_demo_arch_new (OpJaw jaw,
                          guint detail);

/* The same 28 crowns (17-27, 37-47), each a closed mesh of its own with
 * its frame from the generator's axes: origin at the crown centre, mesial
 * towards the midline, buccal out of the arch, occlusal towards the
 * opposing arch.  The frames carry the demo's malocclusion (rotations,
 * displacements, steps), so a plan has something to correct.  @detail as
 * for op_demo_arch_new(); the crowns are exactly the arch's crowns. */
OpDentition *op_demo_dentition_new (guint detail);

G_END_DECLS
