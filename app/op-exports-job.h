/* op-exports-job.h: the work behind the Exports page, run in a worker thread.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One export of one case's latest plan: the patient page (HTML), the
 * treatment report (PDF) or the video (WebM).  It loads what it needs from
 * the store itself (the store may be used from any thread), calls io/'s
 * exporters and audits the file written, exactly as `orthoplan-cli export`
 * does, so that the app and the CLI write the same files.  It links no GTK:
 * the page (op-exports-view.c) runs it in a GTask.
 */
#pragma once

#include <gio/gio.h>

#include "op-export.h"
#include "op-report.h"
#include "op-store.h"

G_BEGIN_DECLS

typedef enum {
  OP_EXPORTS_KIND_HTML,
  OP_EXPORTS_KIND_PDF,
  OP_EXPORTS_KIND_VIDEO,
} OpExportsKind;

typedef struct {
  OpExportsKind  kind;
  gint64         case_id;
  OpPaper        paper;             /* the report's paper */
  gboolean       show_full_name;    /* on the patient page; the default is the first name only */
  const char    *path;              /* the file to write */
} OpExportsRequest;

/* Writes @request->path, then audits it as "case.export".  @progress (may be
 * NULL) is called from the calling thread with the fraction done, 0 to 1.
 * Fails with OP_EXPORT_ERROR_NO_PLAN when the case has no plan, with
 * G_IO_ERROR_CANCELLED when @cancellable was cancelled (leaving no file),
 * or with the exporter's error, which names the file. */
gboolean    op_exports_run       (OpStore                *store,
                                  const OpExportsRequest *request,
                                  OpExportProgress        progress,
                                  gpointer                progress_data,
                                  GCancellable           *cancellable,
                                  GError                **error);

/* "Patient simulation", "treatment report", "video": what the audit and
 * the messages call each kind. */
const char *op_exports_kind_noun (OpExportsKind kind);

G_END_DECLS
