/* op-cbct-view.h: the case's CBCT: slices, what was loaded, and its 3D
 * surface.
 *
 * Adding a CBCT (folder chooser, drag and drop, or op_cbct_view_load_file)
 * reads the series in a worker thread, asks the person to pick a series
 * when there are several, offers a downsampled load when the volume is
 * over the memory limit, shows the identity in the headers and asks before
 * storing a volume whose patient does not match the case's, then stores it
 * with the case.  The volume is shown in three slice panes and as an
 * isosurface in the case's 3D viewer, with an adjustable threshold, a
 * crosshair marker and a clip plane.  Opening a case reloads its newest
 * stored volume.
 *
 * Progress goes out through the "progress" signal and the "busy" property,
 * so that the case view shows it in its own progress bar with its Cancel
 * button, as it does for scans.
 */
#pragma once

#include <adwaita.h>

#include "op-slice-view.h"
#include "op-store.h"
#include "op-viewer.h"

G_BEGIN_DECLS

#define OP_TYPE_CBCT_VIEW (op_cbct_view_get_type ())
G_DECLARE_FINAL_TYPE (OpCbctView, op_cbct_view, OP, CBCT_VIEW, AdwBin)

GtkWidget   *op_cbct_view_new          (void);

void         op_cbct_view_set_store    (OpCbctView *self,
                                        OpStore    *store);
/* The 3D view the surface and the marker go to; not owned. */
void         op_cbct_view_set_viewer   (OpCbctView *self,
                                        OpViewer   *viewer);

/* Shows the newest volume stored with the case (none for 0).  Cancels
 * whatever the view was doing.  Call after the viewer was cleared for the
 * new case. */
void         op_cbct_view_load_case    (OpCbctView *self,
                                        gint64      case_id);
/* Loads @file (a folder, a DICOMDIR or one DICOM file) into the shown
 * case, asking what must be asked, and stores it. */
void         op_cbct_view_load_file    (OpCbctView *self,
                                        GFile      *file);
/* Opens a folder chooser and loads what is picked. */
void         op_cbct_view_choose       (OpCbctView *self);
/* Stops the running load, store or surface, and answers an open question
 * with "cancel". */
void         op_cbct_view_cancel       (OpCbctView *self);

/* Loads above this many bytes of voxels are refused with an offer to
 * downsample; 0 for the default (OP_DICOM_DEFAULT_MAX_BYTES). */
void         op_cbct_view_set_max_bytes (OpCbctView *self,
                                         guint64     max_bytes);

gboolean     op_cbct_view_get_busy     (OpCbctView *self);
gboolean     op_cbct_view_has_volume   (OpCbctView *self);
/* The id of the stored volume shown, 0 for none. */
gint64       op_cbct_view_get_volume_id (OpCbctView *self);
OpSliceView *op_cbct_view_get_slice_view (OpCbctView *self);

/* The isosurface threshold in HU; setting it rebuilds the surface. */
double       op_cbct_view_get_threshold (OpCbctView *self);
void         op_cbct_view_set_threshold (OpCbctView *self,
                                         double      hu);
/* Triangles of the surface in the 3D view, 0 while there is none. */
gsize        op_cbct_view_get_surface_triangles (OpCbctView *self);
/* Which slice plane cuts the 3D view at the crosshair: -1 for none, else
 * an OpPlane. */
void         op_cbct_view_set_clip     (OpCbctView *self,
                                        int         plane);

/* The question on screen (series, size or identity), or NULL; for tests. */
AdwMessageDialog *op_cbct_view_get_dialog (OpCbctView *self);
/* The last error shown, or NULL when the last job worked. */
const char  *op_cbct_view_get_last_error (OpCbctView *self);
/* The last toast's text, or NULL. */
const char  *op_cbct_view_get_last_toast (OpCbctView *self);

G_END_DECLS
