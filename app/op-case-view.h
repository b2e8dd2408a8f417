/* op-case-view.h: one case's page: the 3D viewer, its scans and details.
 *
 * The view imports scans (from the file chooser, drag and drop or the
 * command line, all through op_case_view_import_file()) in a worker thread
 * with progress and a Cancel button, and loads the case's stored scans
 * when a case is shown.
 */
#pragma once

#include <adwaita.h>

#include "op-case.h"
#include "op-cbct-view.h"
#include "op-store.h"
#include "op-viewer.h"

G_BEGIN_DECLS

#define OP_TYPE_CASE_VIEW (op_case_view_get_type ())
G_DECLARE_FINAL_TYPE (OpCaseView, op_case_view, OP, CASE_VIEW, AdwBin)

GtkWidget  *op_case_view_new            (void);

void        op_case_view_set_store      (OpCaseView *self,
                                         OpStore    *store);

/* Shows the case: its details at once, its scans when the worker has read
 * them.  Cancels whatever the view was loading or importing before. */
void        op_case_view_load_case      (OpCaseView *self,
                                         gint64      case_id);
gint64      op_case_view_get_case_id    (OpCaseView *self);

/* Imports @file as a scan of @jaw into the shown case.  Imports queue up
 * behind one another; errors are shown to the person and kept in
 * op_case_view_get_last_error(). */
void        op_case_view_import_file    (OpCaseView *self,
                                         GFile      *file,
                                         OpJaw       jaw);
/* Imports files whose jaw is guessed from the name, else the first jaw the
 * case lacks, else asks the person. */
void        op_case_view_import_files   (OpCaseView *self,
                                         GFile     **files,
                                         guint       n_files);
/* Opens a file chooser for a scan of @jaw. */
void        op_case_view_choose_scan    (OpCaseView *self,
                                         OpJaw       jaw);
/* The first of upper, lower, bite that the case has no scan for, or
 * OP_JAW_UPPER when it has all three. */
OpJaw       op_case_view_get_missing_jaw (OpCaseView *self);

/* Whether a load or an import is running. */
gboolean    op_case_view_get_busy       (OpCaseView *self);
guint       op_case_view_get_n_scans    (OpCaseView *self);
OpViewer   *op_case_view_get_viewer     (OpCaseView *self);
/* The error of the most recent import or load, or NULL when it worked
 * (or is still running). */
const char *op_case_view_get_last_error (OpCaseView *self);

/* Loads @file (a DICOM folder, DICOMDIR or file) as the case's CBCT, as
 * the folder chooser and drag and drop do, and shows the CBCT page. */
void        op_case_view_load_volume    (OpCaseView *self,
                                         GFile      *file);
OpCbctView *op_case_view_get_cbct_view  (OpCaseView *self);
/* Shows the page named "scans" (the 3D view) or "cbct" (the slices). */
void        op_case_view_set_page       (OpCaseView *self,
                                         const char *name);

G_END_DECLS
