/* op-production-dialog.h: production files for the lab, from the Exports
 * page.
 *
 * A modal window over the case: it says whether the case's plan may be
 * made (an approval whose signature verifies, as io/op-production checks
 * it), lets the person choose a folder, the arches and the stages, and
 * writes the printable models in a worker thread with a progress bar and
 * Cancel.  The result, or why nothing was written, reaches the person as a
 * toast on the main window naming the folder.  The rule itself lives in
 * io/op-production: an export started here of a plan that is not approved
 * is refused, and audited, there.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "op-store.h"

G_BEGIN_DECLS

#define OP_TYPE_PRODUCTION_DIALOG (op_production_dialog_get_type ())
G_DECLARE_FINAL_TYPE (OpProductionDialog, op_production_dialog, OP, PRODUCTION_DIALOG, AdwWindow)

GtkWidget  *op_production_dialog_new        (GtkWindow          *parent,
                                             OpStore            *store,
                                             gint64              case_id);

/* What the dialog's controls hold, for tests and for callers that fill
 * it in.  Stages are clamped to the plan's. */
void        op_production_dialog_set_folder (OpProductionDialog *self,
                                             const char         *path);
void        op_production_dialog_set_arches (OpProductionDialog *self,
                                             gboolean            upper,
                                             gboolean            lower);
void        op_production_dialog_set_stages (OpProductionDialog *self,
                                             guint               first,
                                             guint               last);

/* Starts the export in a worker; FALSE (with the reason in
 * op_production_dialog_get_last_error()) when it cannot start: no folder
 * chosen, or one already running. */
gboolean    op_production_dialog_start      (OpProductionDialog *self);
void        op_production_dialog_cancel     (OpProductionDialog *self);
gboolean    op_production_dialog_get_busy   (OpProductionDialog *self);

/* Whether the case's plan may be exported, and if not, why (the refusal
 * io/op-production gives). */
gboolean    op_production_dialog_get_approved (OpProductionDialog *self);
const char *op_production_dialog_get_status   (OpProductionDialog *self);

/* The last export's failure (NULL after a success or a cancel), and the
 * number of files its manifest lists (0 unless it succeeded). */
const char *op_production_dialog_get_last_error (OpProductionDialog *self);
guint       op_production_dialog_get_n_files    (OpProductionDialog *self);
/* The text of the last toast shown, for tests. */
const char *op_production_dialog_get_last_toast (OpProductionDialog *self);

G_END_DECLS
