/* op-slice-view.h: a CT/CBCT volume in three slice panes.
 *
 * Axial, coronal and sagittal slices of one OpVolume, drawn on the CPU
 * from the planner's slice extraction and window mapping
 * (op_volume_render_slice), with a crosshair shared by the three panes.
 *
 * Input, in every pane: dragging with the primary button changes the
 * window (horizontal: width, vertical: level); a click, or a drag with
 * Shift or the secondary button, moves the crosshair there; the wheel
 * steps through the pane's slices.  The pointer's slice index, position
 * and Hounsfield value are shown under the panes.
 */
#pragma once

#include <gtk/gtk.h>

#include "op-volume-loader.h"
#include "op-volume.h"

G_BEGIN_DECLS

#define OP_TYPE_SLICE_VIEW (op_slice_view_get_type ())
G_DECLARE_FINAL_TYPE (OpSliceView, op_slice_view, OP, SLICE_VIEW, GtkWidget)

GtkWidget     *op_slice_view_new          (void);

/* Shows @ref's volume (a reference is taken), the crosshair at its centre
 * and the bone window; NULL shows nothing. */
void           op_slice_view_set_volume   (OpSliceView   *self,
                                           OpVolumeRef   *ref);
const OpVolume *op_slice_view_get_volume  (OpSliceView   *self);

void           op_slice_view_set_window   (OpSliceView   *self,
                                           OpWindowLevel  window);
OpWindowLevel  op_slice_view_get_window   (OpSliceView   *self);
void           op_slice_view_set_preset   (OpSliceView   *self,
                                           OpWindowPreset preset);

/* The crosshair as voxel indices (i, j, k); each pane shows the slice
 * through it.  Indices are clamped to the volume. */
void           op_slice_view_set_crosshair (OpSliceView  *self,
                                            const int     ijk[3]);
void           op_slice_view_get_crosshair (OpSliceView  *self,
                                            int           out_ijk[3]);
/* The crosshair in world millimetres; FALSE with no volume. */
gboolean       op_slice_view_get_point    (OpSliceView   *self,
                                           double         out_xyz[3]);

/* The slice index @plane's pane shows. */
int            op_slice_view_get_index    (OpSliceView   *self,
                                           OpPlane        plane);
/* The drawing area of @plane's pane; for tests and screenshots. */
GtkWidget     *op_slice_view_get_pane     (OpSliceView   *self,
                                           OpPlane        plane);
/* How many times @plane's pane has drawn a slice; tests wait on it. */
guint          op_slice_view_get_draw_count (OpSliceView *self,
                                             OpPlane      plane);
/* The text under the panes: the pointer's slice, position and value. */
const char    *op_slice_view_get_readout  (OpSliceView   *self);

G_END_DECLS
