/* op-exports-job.h: the exports of a case's plan, for the Exports page and
 * for `orthoplan-cli export` alike.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One piece of code loads a case (summary, patient, plan, approval, teeth)
 * from the store, draws the report's pictures offscreen, calls io/'s
 * exporters and audits each file written, so that the app and the CLI
 * write the same files with the same messages and the same audit entries.
 * It links no GTK: the page (op-exports-view.c) runs op_exports_run() in a
 * GTask, the CLI (op-cli-export.c) loads once and writes each file it was
 * asked for.  The store may be used from any thread; an OpExportsCase and
 * the offscreen context belong to the thread that made them.
 */
#pragma once

#include <gio/gio.h>

#include "op-export-video.h"
#include "op-export.h"
#include "op-report.h"
#include "op-store.h"

G_BEGIN_DECLS

typedef enum {
  OP_EXPORTS_KIND_HTML,
  OP_EXPORTS_KIND_PDF,
  OP_EXPORTS_KIND_VIDEO,
} OpExportsKind;

/* Zero-initialise, then fill what you need. */
typedef struct {
  OpExportsKind   kind;
  gint64          case_id;
  int             version;           /* the plan version; 0 for the latest */
  const char     *path;              /* the file to write */
  const char     *practice_name;     /* NULL: the case's location */
  /* The practice logo, on the patient page (PNG, JPEG, GIF, WebP or SVG)
   * and in the report's header (PNG); NULL or "" for none. */
  const char     *logo_path;
  gboolean        show_full_name;    /* on the patient page; the default is the first name only */
  OpPaper         paper;             /* the report's paper */
  const char     *start_date;        /* "YYYY-MM-DD" aligner 1 is worn from, or NULL */
  guint           interval_days;     /* days per aligner; 0 for 14 */
  OpVideoOptions  video;             /* zero for the defaults */
} OpExportsRequest;

/* A case loaded for export. */
typedef struct _OpExportsCase OpExportsCase;

/* Checks what can be checked before the case is loaded, so that a wrong
 * logo or date is found before seconds of loading and rendering: the logo
 * (for the kinds that show it) and the start date.  Fails with
 * OP_EXPORT_ERROR_LOGO or OP_EXPORT_ERROR_INPUT naming the file or the
 * field. */
gboolean       op_exports_check       (const OpExportsRequest *request,
                                       GError                **error);

/* Loads @case_id's plan @version (0: the latest), its patient, summary and
 * teeth.  Fails with OP_EXPORT_ERROR_NO_PLAN when the case has no plan (or
 * not that version), or with the store's error. */
OpExportsCase *op_exports_load        (OpStore                *store,
                                       gint64                  case_id,
                                       int                     version,
                                       GCancellable           *cancellable,
                                       GError                **error);
void           op_exports_case_free   (OpExportsCase          *self);

/* The plan version loaded. */
int            op_exports_case_get_version (const OpExportsCase *self);
/* Whether the last report written was marked final (an approval that
 * verified for this very plan) rather than a draft. */
gboolean       op_exports_case_get_report_final (const OpExportsCase *self);

/* Writes @request->path from @loaded (whose case and version it ignores),
 * then audits it as "case.export".  @progress (may be NULL) is called on
 * the calling thread with the fraction of this file done, 0 to 1.  Fails
 * with OP_EXPORT_ERROR_CANCELLED or G_IO_ERROR_CANCELLED when @cancellable
 * was cancelled, with the exporter's error otherwise; no file is left
 * behind but a complete one. */
gboolean       op_exports_write       (OpExportsCase          *loaded,
                                       const OpExportsRequest *request,
                                       OpExportProgress        progress,
                                       gpointer                progress_data,
                                       GCancellable           *cancellable,
                                       GError                **error);

/* op_exports_check(), op_exports_load() and op_exports_write() in one:
 * what the Exports page runs in its worker.  Loading takes the first 30 %
 * of @progress. */
gboolean       op_exports_run         (OpStore                *store,
                                       const OpExportsRequest *request,
                                       OpExportProgress        progress,
                                       gpointer                progress_data,
                                       GCancellable           *cancellable,
                                       GError                **error);

/* "patient simulation", "treatment report", "video": what the messages
 * call each kind, translated. */
const char    *op_exports_kind_noun   (OpExportsKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpExportsCase, op_exports_case_free)

G_END_DECLS
