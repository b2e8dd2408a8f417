/* op-approval-panel.h: a case's signature record and change requests.
 *
 * Loading a case verifies its latest approval against the plan bytes
 * stored now (op_store_verify_approval) and shows who signed what, when,
 * with which key, and whether the signature still holds; then the notes of
 * any change requests.  The check is recorded in the audit log, like the
 * command line's "verify".  The panel is a widget of its own so that the
 * review screen can place it on its Approval page.
 */
#pragma once

#include <adwaita.h>

#include "op-store.h"

G_BEGIN_DECLS

typedef enum {
  OP_SIGNATURE_NONE,     /* the case has no approval */
  OP_SIGNATURE_VALID,
  OP_SIGNATURE_INVALID,  /* tampered bytes, a wrong key, a newer plan... */
} OpSignatureStatus;

#define OP_TYPE_APPROVAL_PANEL (op_approval_panel_get_type ())
G_DECLARE_FINAL_TYPE (OpApprovalPanel, op_approval_panel, OP, APPROVAL_PANEL, AdwBin)

GtkWidget         *op_approval_panel_new        (void);
void               op_approval_panel_set_store  (OpApprovalPanel *self,
                                                 OpStore         *store);
/* Verifies and shows the case's approval and change requests (0: none).
 * The panel hides itself when there is nothing to show. */
void               op_approval_panel_load_case  (OpApprovalPanel *self,
                                                 gint64           case_id);
OpSignatureStatus  op_approval_panel_get_status (OpApprovalPanel *self);
/* The record as shown: "Signature valid: Dr. Morgan Lee (NPI ...)...",
 * or NULL with no approval. */
const char        *op_approval_panel_get_summary (OpApprovalPanel *self);
/* How many change requests are listed. */
guint              op_approval_panel_get_n_requests (OpApprovalPanel *self);

G_END_DECLS
