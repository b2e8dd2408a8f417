/* op-audit-view.h: the administrator's view of the audit log.
 *
 * A window listing the log's entries, newest first, in a GtkColumnView,
 * with filters by user, case, action and date range (local days), and a
 * "Verify Chain" button that recomputes the hash chain and names the first
 * broken entry.  The store only lists the log for a signed-in
 * administrator; the window's menu item is insensitive for other roles.
 */
#pragma once

#include <adwaita.h>

#include "op-store.h"

G_BEGIN_DECLS

#define OP_TYPE_AUDIT_VIEW (op_audit_view_get_type ())
G_DECLARE_FINAL_TYPE (OpAuditView, op_audit_view, OP, AUDIT_VIEW, AdwWindow)

GtkWidget  *op_audit_view_new             (GtkWindow   *parent,
                                           OpStore     *store);

/* Rereads the log with the filters as they are. */
void        op_audit_view_reload          (OpAuditView *self);

/* The filters, as a person would pick them; NULL or 0 for any.  Each
 * rereads the log.  @action may name a family ("user."). */
void        op_audit_view_set_user        (OpAuditView *self,
                                           const char  *login);
void        op_audit_view_set_action      (OpAuditView *self,
                                           const char  *action);
void        op_audit_view_set_case        (OpAuditView *self,
                                           gint64       case_id);
/* Local days, "YYYY-MM-DD", both inclusive. */
void        op_audit_view_set_dates       (OpAuditView *self,
                                           const char  *from,
                                           const char  *to);

guint       op_audit_view_get_n_entries   (OpAuditView *self);
/* The entry shown in row @i (borrowed), or NULL. */
const OpAuditEntry *op_audit_view_get_entry (OpAuditView *self,
                                             guint        i);
/* The error that kept the list from loading, or NULL. */
const char *op_audit_view_get_error       (OpAuditView *self);

/* Verifies the chain (as the button does) and shows the result; returns
 * whether it is intact, with the message shown in @out_message. */
gboolean    op_audit_view_verify          (OpAuditView *self,
                                           const char **out_message);

G_END_DECLS
