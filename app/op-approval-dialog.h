/* op-approval-dialog.h: approving a plan, or sending it back with a note.
 *
 * Approve shows the meaning the signature will carry ("approved treatment
 * plan v3 for production") and who signs, asks for the password again and
 * calls op_store_approve in a worker thread; Request Changes asks for a
 * note and the password and calls op_store_request_changes.  The store
 * decides: a role that may not sign is refused there, and its message
 * shows in the dialog like any other refusal.
 */
#pragma once

#include <adwaita.h>

#include "op-store.h"

G_BEGIN_DECLS

typedef enum {
  OP_APPROVAL_DIALOG_APPROVE,
  OP_APPROVAL_DIALOG_REQUEST_CHANGES,
} OpApprovalDialogKind;

#define OP_TYPE_APPROVAL_DIALOG (op_approval_dialog_get_type ())
G_DECLARE_FINAL_TYPE (OpApprovalDialog, op_approval_dialog, OP, APPROVAL_DIALOG, AdwWindow)

/* @signer is copied; @plan_version is the version that will be signed. */
GtkWidget  *op_approval_dialog_new       (GtkWindow            *parent,
                                          OpStore              *store,
                                          gint64                case_id,
                                          guint                 plan_version,
                                          const OpUser         *signer,
                                          OpApprovalDialogKind  kind);

/* What a person would type: the password, and the note (ignored when
 * approving).  NULL leaves a field as it is. */
void        op_approval_dialog_fill      (OpApprovalDialog *self,
                                          const char       *password,
                                          const char       *note);
/* Presses the dialog's main button. */
void        op_approval_dialog_submit    (OpApprovalDialog *self);
gboolean    op_approval_dialog_get_busy  (OpApprovalDialog *self);
/* The refusal shown in the dialog, or NULL. */
const char *op_approval_dialog_get_error (OpApprovalDialog *self);
/* The note as typed so far (newly allocated). */
char       *op_approval_dialog_get_note  (OpApprovalDialog *self);
/* The meaning text shown, for approvals. */
const char *op_approval_dialog_get_meaning (OpApprovalDialog *self);

G_END_DECLS
