/* op-window-private.h: what op-window.c and op-window-session.c share.
 *
 * op-window.c builds the window, its case list and case view;
 * op-window-session.c adds the session on top: sign-in, the idle lock,
 * sign-out, the role-aware header actions and the audit log.
 */
#pragma once

#include "op-window.h"
#include "op-review-view.h"
#include "op-exports-view.h"

G_BEGIN_DECLS

struct _OpWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkWidget            *content;
  GtkSearchEntry       *search_entry;
  GtkStack             *sidebar_stack;
  GtkListBox           *case_list;
  AdwStatusPage        *unavailable_page;
  AdwWindowTitle       *case_title;
  GtkLabel             *state_badge;
  GtkStack             *content_stack;
  OpCaseView           *case_view;
  AdwViewStack         *case_pages;
  OpReviewView         *review_view;
  OpTeethView          *teeth_view;
  OpExportsView        *exports_view;
  GtkStack             *session_stack;
  OpSignIn             *sign_in;
  OpApprovalPanel      *approval_panel;
  GtkWidget            *approve_button;
  GtkWidget            *request_changes_button;
  GtkWidget            *new_case_button;
  GtkWidget            *import_button;
  GtkMenuButton        *menu_button;
  GtkLabel             *user_label;     /* in the menu, made in init */
  GtkWidget            *audit_button;   /* in the menu, made in init */

  /* Borrowed: the dialog lives as long as it is on screen. */
  GtkWindow            *error_dialog;

  /* Owned */
  OpStore              *store;
  GSettings            *settings;
  char                 *last_error;
  gint64                case_id;

  /* Owned: the session.  The signed-in user (NULL before sign-in), the
   * idle lock and the dialogs hidden while locked. */
  OpUser               *user;
  GPtrArray            *hidden_windows;
  gint64                last_input_us;
  guint                 lock_source;
  guint                 lock_timeout_s;   /* from the setting */
  guint                 lock_override_s;  /* op_window_set_lock_timeout_seconds, or 0 */
  guint                 plan_version;     /* the shown case's latest plan, or 0 */
  gboolean              locked;
};

/* op-window.c */
void op_window_update_header       (OpWindow            *self,
                                    const OpCaseSummary *summary);
void op_window_update_actions      (OpWindow            *self);
void op_window_update_case_actions (OpWindow            *self,
                                    const OpCaseSummary *summary);

/* op-window-session.c, called from the window's class and instance setup */
void op__window_session_class_init  (OpWindowClass *klass);
void op__window_session_init        (OpWindow      *self);
void op__window_session_constructed (OpWindow      *self);
void op__window_session_dispose     (OpWindow      *self);

G_END_DECLS
