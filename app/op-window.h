/* op-window.h: the main window: the case list beside the case view.
 *
 * The window borrows nothing it cannot live without: with no store (the
 * database failed to open) it shows why instead of the case list.
 */
#pragma once

#include <adwaita.h>

#include "op-approval-panel.h"
#include "op-case-view.h"
#include "op-review-view.h"
#include "op-exports-view.h"
#include "op-sign-in.h"
#include "op-teeth-view.h"
#include "op-store.h"

G_BEGIN_DECLS

#define OP_TYPE_WINDOW (op_window_get_type ())
G_DECLARE_FINAL_TYPE (OpWindow, op_window, OP, WINDOW, AdwApplicationWindow)

OpWindow   *op_window_new            (AdwApplication *application,
                                      OpStore        *store);
OpStore    *op_window_get_store      (OpWindow       *self);

/* Shows the reason the store could not be opened in place of the list. */
void        op_window_set_store_error (OpWindow      *self,
                                       const char    *message);

/* Rereads the case list from the store, keeping the search and the
 * selection. */
void        op_window_reload_cases   (OpWindow       *self);
/* Selects the case in the list and opens it in the case view. */
void        op_window_show_case      (OpWindow       *self,
                                      gint64          case_id);
gint64      op_window_get_case_id    (OpWindow       *self);

/* Opens the new-case dialog and returns it (owned by GTK). */
GtkWidget  *op_window_new_case       (OpWindow       *self);

/* Takes ownership of @toast. */
void        op_window_add_toast      (OpWindow       *self,
                                      AdwToast       *toast);
/* Shows an error dialog; the body is usually a GError message. */
void        op_window_show_error     (OpWindow       *self,
                                      const char     *heading,
                                      const char     *body);
/* The body of the last error shown, or NULL; for tests. */
const char *op_window_get_last_error (OpWindow       *self);
/* The error dialog on screen, or NULL; for tests. */
GtkWindow  *op_window_get_error_dialog (OpWindow     *self);

OpCaseView *op_window_get_case_view  (OpWindow       *self);
GtkListBox *op_window_get_case_list  (OpWindow       *self);
GtkWidget  *op_window_get_search_entry (OpWindow     *self);

/* The session (op-window-session.c).  The window opens on the sign-in
 * page (the first-run page on a database with no users) and shows the
 * cases once someone signs in; after the "lock-timeout" setting's minutes
 * without input it locks back to the sign-in page for the same person,
 * keeping everything underneath. */

/* The signed-in user (borrowed), or NULL. */
const OpUser *op_window_get_user      (OpWindow       *self);
OpSignIn   *op_window_get_sign_in     (OpWindow       *self);
/* Locks now, as the idle timer does; nothing happens when no one is
 * signed in or the window is already locked. */
void        op_window_lock            (OpWindow       *self);
gboolean    op_window_get_locked      (OpWindow       *self);
/* Signs out, closes the window's dialogs and shows the sign-in page. */
void        op_window_sign_out        (OpWindow       *self);
/* For tests only: lock after @seconds without input instead of the
 * setting's minutes (which cannot go below one); 0 goes back to the
 * setting.  The idle time counts from this call. */
void        op_window_set_lock_timeout_seconds (OpWindow *self,
                                                guint     seconds);

/* Opens the approve (or, when @approve is FALSE, the request-changes)
 * dialog for the shown case's latest plan, or returns NULL when there is
 * no plan or no one signed in.  The dialog is owned by GTK. */
GtkWidget  *op_window_open_approval_dialog (OpWindow   *self,
                                            gboolean    approve);
/* Opens the audit log window for an administrator; NULL for other roles. */
GtkWidget  *op_window_open_audit_view (OpWindow       *self);
OpApprovalPanel *op_window_get_approval_panel (OpWindow *self);
/* The case's Plan page. */
OpReviewView *op_window_get_review_view (OpWindow *self);
OpTeethView  *op_window_get_teeth_view  (OpWindow *self);
/* The case's Exports page. */
OpExportsView *op_window_get_exports_view (OpWindow *self);
/* The header's Approve… button and the menu's Audit Log… row, whose
 * tooltips carry the reason when they are insensitive; for tests. */
GtkWidget  *op_window_get_approve_button (OpWindow     *self);
GtkWidget  *op_window_get_audit_button (OpWindow       *self);

G_END_DECLS
