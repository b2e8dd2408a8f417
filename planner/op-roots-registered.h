/* op-roots-registered.h: roots grown from a CBCT for teeth that live in
 * the frame of their scan.
 *
 * Teeth are cut from an intraoral scan and keep its coordinates; a CBCT
 * has its own.  A registration (op-register.h) maps each arch scan into
 * the volume.  Each tooth is carried into the volume with its arch's
 * map, its root grown there (op_roots_grow), and the root carried back,
 * so that the dentition, its plan and its renderings stay in the scan's
 * frame whether or not a CBCT was used.
 */
#pragma once

#include "op-roots.h"

G_BEGIN_DECLS

/* Gives every tooth of @dentition that has a frame a root: grown from
 * @volume when its arch's map (@upper_to_volume or @lower_to_volume,
 * column-major 4x4 from scan mm to volume mm; NULL when that arch was
 * not registered) lets it grow, else the template of its type.
 * @out_grown and @out_templated (may be NULL) receive the FDI numbers of
 * each kind, "11, 12, 21", or NULL when there are none.  Replaces roots
 * the teeth already had.  Deterministic. */
gboolean op_roots_build_registered (OpDentition   *dentition,
                                    const OpVolume *volume,
                                    const double  *upper_to_volume,
                                    const double  *lower_to_volume,
                                    char         **out_grown,
                                    char         **out_templated,
                                    GError       **error);

G_END_DECLS
