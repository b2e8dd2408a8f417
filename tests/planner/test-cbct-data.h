/* test-cbct-data.h: CBCT-like volumes and crown "scans" made from the real
 * teeth of open-full-jaw-p26, for the registration and root tests. */
#pragma once

#include "op-tooth.h"
#include "op-volume.h"

/* The real teeth (crown and root, by FDI) with frames from the dataset's
 * axes; teeth without axes (38 and 48) are left out.  NULL and @error
 * when the data are missing. */
OpDentition *cbct_load_teeth       (GError           **error);

/* The part of @tooth's mesh above the cervical line: triangles whose
 * corners all lie less than @below_mm under the crown centre along the
 * long axis.  An open mesh, like a scan's crown. */
OpMesh      *cbct_cut_crown        (const OpTooth     *tooth,
                                    double             below_mm);

/* A CBCT-like volume around @dentition at @spacing_mm: 40 HU soft tissue,
 * 1800 HU inside the teeth (their own meshes, untransformed) and uniform
 * noise of +/- @noise_hu from a fixed seed.  Raw values
 * with intercept -1024. */
OpVolume    *cbct_volume_from_teeth (const OpDentition *dentition,
                                     double             spacing_mm,
                                     double             noise_hu,
                                     guint32            seed);

/* All crowns of @dentition cut at @below_mm, appended into one mesh. */
OpMesh      *cbct_crown_scan       (const OpDentition *dentition,
                                    double             below_mm);

/* A CBCT-like volume around @d's crowns and roots (every tooth needs
 * both): teeth at 1800 HU in an alveolar bone block (the roots grown by
 * @bone_mm) at 700 HU, soft tissue at 40 HU, noise +/- 60 HU, 0.3 mm. */
OpVolume    *cbct_bone_block_volume (const OpDentition *d,
                                     double             bone_mm);
