/* op-window-session.c: the window's session: sign-in, the idle lock,
 * sign-out, the role-aware header actions and the audit log.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "op-approval-dialog.h"
#include "op-approval-panel.h"
#include "op-audit-view.h"
#include "op-sign-in.h"
#include "op-window-private.h"

/* An action the role may not take stays on screen, insensitive, and its
 * tooltip says why in the planner's words (DESIGN.md, "Screens"). */
static void
set_action_with_reason (OpWindow   *self,
                        const char *action,
                        GtkWidget  *widget,
                        gboolean    enabled,
                        const char *why,
                        const char *tooltip)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), action, enabled);
  if (widget != NULL)
    gtk_widget_set_tooltip_text (widget, enabled || why == NULL ? tooltip : why);
}

void
op_window_update_actions (OpWindow *self)
{
  gboolean active = self->store != NULL && self->user != NULL && !self->locked;
  const char *why_import = NULL;
  const char *why_manage = NULL;
  gboolean may_import = active && op_role_has_right (self->user->role, OP_RIGHT_IMPORT, &why_import);
  gboolean may_manage = active && op_role_has_right (self->user->role, OP_RIGHT_MANAGE, &why_manage);

  set_action_with_reason (self, "win.new-case", self->new_case_button, may_import, why_import,
                          _("New Case (Ctrl+N)"));
  set_action_with_reason (self, "win.import", self->import_button, may_import && self->case_id > 0,
                          why_import, _("Import Scan (Ctrl+O)"));
  set_action_with_reason (self, "win.audit", self->audit_button, may_manage, why_manage,
                          _("Every sign-in, view, edit and approval, with filters"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.lock", active);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-out", active);

  if (self->user != NULL)
    {
      g_autofree char *escaped_name = g_markup_escape_text (self->user->name, -1);
      g_autofree char *markup = g_strdup_printf ("<b>%s</b>\n<small>%s · %s</small>", escaped_name,
                                                 op_role_to_label (self->user->role), self->user->login);

      gtk_label_set_markup (self->user_label, markup);
    }
  else
    gtk_label_set_text (self->user_label, _("Not signed in"));
}

/* The header's primary actions for the shown case: Approve… and Request
 * Changes… once it has a plan and until it is approved.  Whether the role
 * and the case's state allow them is the planner's call. */
void
op_window_update_case_actions (OpWindow            *self,
                               const OpCaseSummary *summary)
{
  gboolean show = FALSE;
  gboolean approve = FALSE, request = FALSE;
  const char *why_approve = NULL, *why_request = NULL;
  g_autofree char *approve_tip = NULL;

  self->plan_version = 0;

  if (summary != NULL && self->store != NULL)
    {
      g_autoptr(GPtrArray) plans = op_store_list_plans (self->store, summary->id, NULL);

      if (plans != NULL && plans->len > 0)
        self->plan_version = (guint) ((OpPlanRecord *) g_ptr_array_index (plans, plans->len - 1))->version;

      show = self->plan_version > 0 &&
             (summary->state == OP_CASE_STATE_PLANNED ||
              summary->state == OP_CASE_STATE_IN_REVIEW ||
              summary->state == OP_CASE_STATE_CHANGES_REQUESTED);
    }

  if (show && self->user != NULL && !self->locked)
    {
      /* The role first: "a coordinator never approves" says more than
       * "not in review" to a coordinator. */
      approve = op_role_has_right (self->user->role, OP_RIGHT_APPROVE, &why_approve) &&
                op_case_role_may_transition (self->user->role, summary->state, OP_CASE_STATE_APPROVED, &why_approve);
      request = op_role_has_right (self->user->role, OP_RIGHT_APPROVE, &why_request) &&
                op_case_role_may_transition (self->user->role, summary->state,
                                             OP_CASE_STATE_CHANGES_REQUESTED, &why_request);
    }

  /* Edits and Recalculate: the role must plan, and the case's state must
   * still take new versions (an approval signs one version). */
  {
    const char *why_plan = NULL;
    g_autofree char *why_state = NULL;
    gboolean may_plan = self->user != NULL && !self->locked &&
                        op_role_has_right (self->user->role, OP_RIGHT_PLAN, &why_plan);

    if (may_plan && summary != NULL && !op_case_state_accepts_plans (summary->state))
      {
        /* Translators: the case's state, e.g. "Approved". */
        why_state = g_strdup_printf (_("Case state “%s”: its plan can no longer change. A change needs a new "
                                       "case and a new approval."), op_case_state_to_label (summary->state));
        may_plan = FALSE;
      }
    op_review_view_set_editable (self->review_view, may_plan, why_state != NULL ? why_state : why_plan);
  }

  approve_tip = g_strdup_printf (_("Sign plan v%u for production with your password"), self->plan_version);
  gtk_widget_set_visible (self->approve_button, show);
  gtk_widget_set_visible (self->request_changes_button, show);
  set_action_with_reason (self, "win.approve", self->approve_button, approve, why_approve, approve_tip);
  set_action_with_reason (self, "win.request-changes", self->request_changes_button, request, why_request,
                          _("Send the plan back to planning with a note"));
}

/* ---- The session: sign-in, idle lock, sign-out ------------------------ */

static void op_window_schedule_lock (OpWindow *self);

static guint
op_window_lock_seconds (OpWindow *self)
{
  return self->lock_override_s > 0 ? self->lock_override_s : self->lock_timeout_s;
}

static gboolean
on_lock_timeout (gpointer user_data)
{
  OpWindow *self = user_data;
  gint64 idle_us = g_get_monotonic_time () - self->last_input_us;
  gint64 limit_us = (gint64) op_window_lock_seconds (self) * G_USEC_PER_SEC;

  self->lock_source = 0;

  if (idle_us >= limit_us)
    op_window_lock (self);
  else
    op_window_schedule_lock (self);

  return G_SOURCE_REMOVE;
}

/* One timer at a time, set for the moment the idle time would run out.
 * Input only moves last_input_us; the timer, when it fires early, sets
 * itself again for what is left, so a stream of motion events costs no
 * more than a store to one variable each. */
static void
op_window_schedule_lock (OpWindow *self)
{
  gint64 left_us;

  g_clear_handle_id (&self->lock_source, g_source_remove);

  if (self->user == NULL || self->locked)
    return;

  left_us = (gint64) op_window_lock_seconds (self) * G_USEC_PER_SEC -
            (g_get_monotonic_time () - self->last_input_us);
  self->lock_source = g_timeout_add ((guint) MAX (left_us / 1000, 0) + 1, on_lock_timeout, self);
  g_source_set_name_by_id (self->lock_source, "[orthoplan] idle lock");
}

static gboolean
on_input_event (GtkEventControllerLegacy *controller,
                GdkEvent                 *event,
                OpWindow                 *self)
{
  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_MOTION_NOTIFY:
    case GDK_BUTTON_PRESS:
    case GDK_KEY_PRESS:
    case GDK_SCROLL:
    case GDK_TOUCH_BEGIN:
    case GDK_TOUCHPAD_SWIPE:
    case GDK_TOUCHPAD_PINCH:
      self->last_input_us = g_get_monotonic_time ();
      break;
    default:
      break;
    }

  return GDK_EVENT_PROPAGATE;
}

static void
on_lock_setting_changed (OpWindow   *self,
                         const char *key,
                         GSettings  *settings)
{
  self->lock_timeout_s = op_lock_timeout_minutes ((int) g_settings_get_uint (settings, "lock-timeout")) * 60;
  op_window_schedule_lock (self);
}

void
op_window_set_lock_timeout_seconds (OpWindow *self,
                                    guint     seconds)
{
  g_return_if_fail (OP_IS_WINDOW (self));

  self->lock_override_s = seconds;
  self->last_input_us = g_get_monotonic_time ();
  op_window_schedule_lock (self);
}

void
op_window_lock (OpWindow *self)
{
  g_autoptr(GList) toplevels = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *object = NULL;

  g_return_if_fail (OP_IS_WINDOW (self));

  if (self->user == NULL || self->locked)
    return;

  self->locked = TRUE;
  g_clear_handle_id (&self->lock_source, g_source_remove);

  /* Dialogs over the window would stay readable over the lock page; they
   * are hidden, with what was typed in them, and shown again on unlock. */
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      GtkWindow *window = l->data;

      if (window != GTK_WINDOW (self) && gtk_window_get_transient_for (window) == GTK_WINDOW (self) &&
          gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          g_ptr_array_add (self->hidden_windows, g_object_ref (window));
          gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
        }
    }

  object = g_strdup_printf ("user:%" G_GINT64_FORMAT, self->user->id);
  if (!op_store_audit (self->store, "user.lock", object, "", &error))
    g_warning ("Recording the lock failed: %s", error->message);

  op_sign_in_lock (self->sign_in, self->user);
  gtk_stack_set_visible_child_name (self->session_stack, "sign-in");
  op_window_update_actions (self);
}

gboolean
op_window_get_locked (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), FALSE);

  return self->locked;
}

static void
on_unlocked (OpWindow     *self,
             const OpUser *user,
             OpSignIn     *sign_in)
{
  self->locked = FALSE;
  gtk_stack_set_visible_child_name (self->session_stack, "app");

  for (guint i = 0; i < self->hidden_windows->len; i++)
    gtk_window_present (g_ptr_array_index (self->hidden_windows, i));
  g_ptr_array_set_size (self->hidden_windows, 0);

  self->last_input_us = g_get_monotonic_time ();
  op_window_update_actions (self);
  op_window_schedule_lock (self);
}

static void
on_signed_in (OpWindow     *self,
              const OpUser *user,
              OpSignIn     *sign_in)
{
  g_autofree char *message = NULL;

  /* The store's own record of who signed in, not the page's. */
  g_clear_pointer (&self->user, op_user_free);
  self->user = op_store_get_signed_in_user (self->store);
  if (self->user == NULL)
    return;

  self->locked = FALSE;
  gtk_stack_set_visible_child_name (self->session_stack, "app");
  op_window_reload_cases (self);
  op_window_update_actions (self);

  self->last_input_us = g_get_monotonic_time ();
  op_window_schedule_lock (self);

  /* Translators: the person's printed name, then the role. */
  message = g_strdup_printf (_("Signed in as %s, %s"), self->user->name, op_role_to_label (self->user->role));
  op_window_add_toast (self, adw_toast_new (message));

  g_signal_emit_by_name (self, "signed-in");
}

void
op_window_sign_out (OpWindow *self)
{
  g_autoptr(GList) toplevels = NULL;

  g_return_if_fail (OP_IS_WINDOW (self));

  if (self->user == NULL)
    return;

  /* Whatever was open belongs to the person leaving: the dialogs on screen
   * and those hidden by the lock.  Hidden windows the window keeps for
   * later, such as its shortcuts window, stay; a shortcuts window on
   * screen is only hidden. */
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      GtkWindow *window = l->data;
      gboolean hidden_by_lock = g_ptr_array_find (self->hidden_windows, window, NULL);

      if (window == GTK_WINDOW (self) || gtk_window_get_transient_for (window) != GTK_WINDOW (self))
        continue;
      if (GTK_IS_SHORTCUTS_WINDOW (window))
        gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
      else if (hidden_by_lock || gtk_widget_get_visible (GTK_WIDGET (window)))
        gtk_window_destroy (window);
    }
  g_ptr_array_set_size (self->hidden_windows, 0);

  op_store_sign_out (self->store);
  g_clear_pointer (&self->user, op_user_free);
  g_clear_handle_id (&self->lock_source, g_source_remove);
  self->locked = FALSE;

  self->case_id = 0;
  op_window_update_header (self, NULL);
  op_window_update_case_actions (self, NULL);
  op_approval_panel_load_case (self->approval_panel, 0);
  gtk_stack_set_visible_child_name (self->content_stack, "welcome");
  op_window_reload_cases (self);
  op_window_update_actions (self);

  op_sign_in_reset (self->sign_in);
  gtk_stack_set_visible_child_name (self->session_stack, "sign-in");
}

static void
on_sign_out_requested (OpWindow *self,
                       OpSignIn *sign_in)
{
  op_window_sign_out (self);
}

const OpUser *
op_window_get_user (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return self->user;
}

OpSignIn *
op_window_get_sign_in (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return self->sign_in;
}

OpApprovalPanel *
op_window_get_approval_panel (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return self->approval_panel;
}

GtkWidget *
op_window_get_approve_button (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return self->approve_button;
}

GtkWidget *
op_window_get_audit_button (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return self->audit_button;
}

/* After an approval or a change request: the state, the header's actions,
 * the signature record and the list's grouping all changed. */
static void
op_window_refresh_case (OpWindow *self)
{
  g_autoptr(OpCaseSummary) summary = NULL;

  if (self->case_id <= 0 || !(summary = op_store_get_case (self->store, self->case_id, NULL)))
    return;

  op_window_update_header (self, summary);
  op_window_update_case_actions (self, summary);
  op_approval_panel_load_case (self->approval_panel, self->case_id);
  op_exports_view_refresh_posting (self->exports_view);
  op_window_reload_cases (self);
}

static void
on_approval_done (OpApprovalDialog *dialog,
                  const OpApproval *approval,
                  OpWindow         *self)
{
  g_autofree char *message = NULL;

  op_window_refresh_case (self);

  if (approval != NULL)
    /* Translators: the signature's meaning, e.g. "approved treatment plan v3 for production". */
    message = g_strdup_printf (_("Signed: %s"), approval->meaning);
  else
    message = g_strdup (_("Changes requested; the case is back in planning"));
  op_window_add_toast (self, adw_toast_new (message));
}

GtkWidget *
op_window_open_approval_dialog (OpWindow *self,
                                gboolean  approve)
{
  GtkWidget *dialog;

  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  if (self->user == NULL || self->locked || self->case_id <= 0 || self->plan_version == 0)
    return NULL;

  dialog = op_approval_dialog_new (GTK_WINDOW (self), self->store, self->case_id, self->plan_version,
                                   self->user,
                                   approve ? OP_APPROVAL_DIALOG_APPROVE : OP_APPROVAL_DIALOG_REQUEST_CHANGES);
  g_signal_connect_object (dialog, "done", G_CALLBACK (on_approval_done), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return dialog;
}

GtkWidget *
op_window_open_audit_view (OpWindow *self)
{
  GtkWidget *view;

  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  /* The store refuses other roles too; this only spares them a window
   * that would show nothing but the refusal. */
  if (self->user == NULL || self->locked || !op_role_has_right (self->user->role, OP_RIGHT_MANAGE, NULL))
    return NULL;

  view = op_audit_view_new (GTK_WINDOW (self), self->store);
  gtk_window_present (GTK_WINDOW (view));

  return view;
}

static void
approve_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  op_window_open_approval_dialog (OP_WINDOW (widget), TRUE);
}

static void
request_changes_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  op_window_open_approval_dialog (OP_WINDOW (widget), FALSE);
}

static void
audit_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  OpWindow *self = OP_WINDOW (widget);

  gtk_menu_button_popdown (self->menu_button);
  op_window_open_audit_view (self);
}

static void
lock_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  op_window_lock (OP_WINDOW (widget));
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  op_window_sign_out (OP_WINDOW (widget));
}

void
op__window_session_class_init (OpWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /**
   * OpWindow::signed-in:
   *
   * Someone signed in on the window (not emitted on unlock).
   */
  g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (OP_TYPE_SIGN_IN);
  g_type_ensure (OP_TYPE_APPROVAL_PANEL);

  gtk_widget_class_bind_template_child (widget_class, OpWindow, session_stack);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, sign_in);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, approval_panel);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, approve_button);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, request_changes_button);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, new_case_button);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, import_button);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, menu_button);
  gtk_widget_class_bind_template_callback (widget_class, on_signed_in);
  gtk_widget_class_bind_template_callback (widget_class, on_unlocked);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_out_requested);

  gtk_widget_class_install_action (widget_class, "win.approve", NULL, approve_action);
  gtk_widget_class_install_action (widget_class, "win.request-changes", NULL, request_changes_action);
  gtk_widget_class_install_action (widget_class, "win.audit", NULL, audit_action);
  gtk_widget_class_install_action (widget_class, "win.lock", NULL, lock_action);
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out_action);
}

void
op__window_session_init (OpWindow *self)
{
  self->hidden_windows = g_ptr_array_new_with_free_func (g_object_unref);

  /* The menu's own rows: who is signed in, and the audit log, whose
   * insensitive state needs a tooltip that a plain menu item cannot carry. */
  {
    GtkPopover *popover = gtk_menu_button_get_popover (self->menu_button);
    GtkWidget *label = gtk_label_new (NULL);
    GtkWidget *audit_label = gtk_label_new_with_mnemonic (_("_Audit Log…"));

    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_widget_set_margin_start (label, 12);
    gtk_widget_set_margin_end (label, 12);
    gtk_widget_set_margin_top (label, 6);
    gtk_widget_set_margin_bottom (label, 6);
    self->user_label = GTK_LABEL (label);
    gtk_popover_menu_add_child (GTK_POPOVER_MENU (popover), label, "user");

    gtk_label_set_xalign (GTK_LABEL (audit_label), 0);
    self->audit_button = gtk_button_new ();
    gtk_button_set_child (GTK_BUTTON (self->audit_button), audit_label);
    gtk_button_set_has_frame (GTK_BUTTON (self->audit_button), FALSE);
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->audit_button), "win.audit");
    gtk_popover_menu_add_child (GTK_POPOVER_MENU (popover), self->audit_button, "audit");
  }

  /* Any input anywhere in the window counts as presence; the capture
   * phase sees it before the widget it is for, and lets it through. */
  {
    GtkEventController *legacy = gtk_event_controller_legacy_new ();

    gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
    g_signal_connect (legacy, "event", G_CALLBACK (on_input_event), self);
    gtk_widget_add_controller (GTK_WIDGET (self), legacy);
  }

  g_signal_connect_object (self->settings, "changed::lock-timeout",
                           G_CALLBACK (on_lock_setting_changed), self, G_CONNECT_SWAPPED);
  on_lock_setting_changed (self, "lock-timeout", self->settings);
}

void
op__window_session_constructed (OpWindow *self)
{
  op_approval_panel_set_store (self->approval_panel, self->store);

  /* Without a store there is no one to sign in: the window shows why the
   * database could not be opened instead. */
  if (self->store != NULL)
    {
      op_sign_in_set_store (self->sign_in, self->store);
      gtk_stack_set_visible_child_name (self->session_stack, "sign-in");
    }
  else
    gtk_stack_set_visible_child_name (self->session_stack, "app");

  op_window_update_case_actions (self, NULL);
}

void
op__window_session_dispose (OpWindow *self)
{
  g_clear_handle_id (&self->lock_source, g_source_remove);
  g_clear_pointer (&self->hidden_windows, g_ptr_array_unref);
  g_clear_pointer (&self->user, op_user_free);
}
