/* op-phantom.h: synthetic arch scans with ground truth, built from real teeth.
 *
 * Segmentation can only be measured against scans whose right answer is
 * known.  A phantom takes whole teeth (crown and root, closed surfaces, in
 * the patient frame of op-mesh.h, as a lab or a CBCT segmentation delivers
 * them), cuts each at a gum line perpendicular to its long axis, joins the
 * crowns with a generated gingiva into one surface the way an intraoral
 * scanner or a plaster cast sees an arch, and keeps the FDI number of every
 * vertex.  planner/ reads no files: the caller loads the teeth.
 *
 * The generator is deterministic: the same teeth and options give the same
 * bytes, on any machine (GRand's Mersenne Twister with the given seed).
 */
#pragma once

#include "op-tooth.h"

G_BEGIN_DECLS

typedef struct {
  guint32     seed;
  /* Edge of the voxels the surface is rebuilt on (the remeshing step);
   * 0 means 0.3 mm, which gives about 100k triangles per arch. */
  float       voxel_mm;
  /* Standard deviation of the scanner noise added along the normals. */
  float       noise_mm;
  /* Extra gap between neighbouring teeth along the arch; negative values
   * push teeth into each other (crowding). */
  float       spacing_mm;
  /* Largest random rotation of each tooth about its long axis and largest
   * random bucco-lingual shift, as crowded teeth show. */
  float       rotate_deg;
  float       shift_mm;
  /* FDI numbers to leave out (missing teeth). */
  const int  *missing;
  guint       n_missing;
  /* Random rotation and translation of the whole arch, so that nothing
   * downstream may rely on the frame the teeth came in. */
  gboolean    random_pose;
  /* A plaster cast: a closed surface with a flat trimmed base, rather
   * than an intraoral scan with an open border. */
  gboolean    cast_base;
} OpPhantomOptions;

typedef struct {
  int      fdi;
  gboolean has_frame;
  OpFrame  frame;          /* the input frame moved with the tooth */
  float    transform[16];  /* column-major: input tooth -> phantom scan */
} OpPhantomTooth;

typedef struct {
  OpMesh         *mesh;       /* one surface; labels = FDI or 0 (gingiva, base) */
  OpPhantomTooth *teeth;      /* the teeth present, sorted by FDI */
  guint           n_teeth;
  gboolean        upper;
  float           pose[16];   /* column-major, applied after the tooth moves */
} OpPhantom;

#define OP_PHANTOM_ERROR (op_phantom_error_quark ())
GQuark op_phantom_error_quark (void);

typedef enum {
  OP_PHANTOM_ERROR_INPUT,     /* no teeth, teeth of both arches, bad numbers */
} OpPhantomError;

/* Builds one arch from @teeth (all of one arch; each OpTooth's crown is
 * the whole tooth, and its frame, when set, is carried into the output so
 * that tests can compare estimated frames with it).  The teeth must be in
 * the patient frame (+z superior): the side their crowns point to follows
 * from the arch. */
OpPhantom *op_phantom_new  (const OpTooth *const   *teeth,
                            guint                   n_teeth,
                            const OpPhantomOptions *options,
                            GError                **error);
void       op_phantom_free (OpPhantom *phantom);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpPhantom, op_phantom_free)

G_END_DECLS
