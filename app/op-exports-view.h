/* op-exports-view.h: a case's Exports page: the patient simulation, the
 * treatment report and the video, and the case's posting to the practice
 * management system.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each export runs in a GTask worker (op-exports-job.h) behind the page's
 * progress bar and Cancel button, one at a time.  Errors come up as a
 * dialog that names the file (a bad practice logo as a toast that names
 * it); a written file as a toast with an Open button.  The posting section shows the case's outbox row and retries it.
 */
#pragma once

#include <adwaita.h>

#include "op-outbox.h"
#include "op-store.h"

G_BEGIN_DECLS

#define OP_TYPE_EXPORTS_VIEW (op_exports_view_get_type ())
G_DECLARE_FINAL_TYPE (OpExportsView, op_exports_view, OP, EXPORTS_VIEW, AdwBin)

GtkWidget  *op_exports_view_new          (void);

void        op_exports_view_set_store    (OpExportsView *self,
                                          OpStore       *store);
/* Shows @case_id (0 for none): whether it has a plan, and its posting. */
void        op_exports_view_load_case    (OpExportsView *self,
                                          gint64         case_id);

/* What the page's buttons call once their save dialog has a file.  Each
 * starts a worker and returns; op_exports_view_get_busy() says when it is
 * done.  A second export while one runs is refused with an error. */
void        op_exports_view_export_html  (OpExportsView *self,
                                          GFile         *file);
void        op_exports_view_export_pdf   (OpExportsView *self,
                                          GFile         *file);
void        op_exports_view_export_video (OpExportsView *self,
                                          GFile         *file);
/* Cancels the running export or posting, as the Cancel button does. */
void        op_exports_view_cancel       (OpExportsView *self);

gboolean    op_exports_view_get_busy     (OpExportsView *self);
/* The error of the most recent export or posting, or NULL when it worked
 * or was cancelled. */
const char *op_exports_view_get_last_error (OpExportsView *self);
/* The file the most recent export wrote, or NULL. */
GFile      *op_exports_view_get_last_file (OpExportsView *self);

/* The practice logo (the "practice-logo" setting), shown on the patient
 * simulation and in the report's header: what the Choose Logo dialog
 * calls with the file picked, or NULL to clear it.  The file is read with
 * the exporters' checks first; a missing file or one that is not a
 * picture is refused with a toast naming it (and get_last_error()), and
 * the setting is left as it was. */
gboolean    op_exports_view_set_logo     (OpExportsView *self,
                                          GFile         *file);
/* The line under "Practice logo": the file name, or that there is none or
 * that the file is missing. */
const char *op_exports_view_get_logo_summary (OpExportsView *self);

/* Rereads the case's posting from the outbox; the window calls it after an
 * approval. */
void        op_exports_view_refresh_posting (OpExportsView *self);
/* The posting as shown: "Not approved", "Pending", "Posted" or "Needs
 * attention", and the line under it (remote ids, the reason...). */
const char *op_exports_view_get_posting_title  (OpExportsView *self);
const char *op_exports_view_get_posting_detail (OpExportsView *self);
/* What the Retry button does: a row that needs attention goes back to
 * pending (op_outbox_retry) and the worker posts it in a GTask.  A pending
 * row is sent at once.  Returns FALSE, with the error shown, when the row
 * could not be put back to pending. */
gboolean    op_exports_view_retry_posting (OpExportsView *self);

G_END_DECLS
