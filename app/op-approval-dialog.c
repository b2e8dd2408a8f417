/* op-approval-dialog.c: the approve and request-changes dialog.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "op-approval-dialog.h"

struct _OpApprovalDialog
{
  AdwWindow             parent_instance;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkButton            *submit_button;
  GtkStack             *submit_stack;
  GtkLabel             *submit_label;
  GtkLabel             *intro_label;
  AdwPreferencesGroup  *record_group;
  AdwActionRow         *meaning_row;
  AdwActionRow         *signer_row;
  AdwPreferencesGroup  *note_group;
  GtkTextView          *note_view;
  AdwPasswordEntryRow  *password_row;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;

  /* Owned */
  OpStore              *store;
  GCancellable         *cancellable;
  char                 *login;
  char                 *meaning;
  char                 *error;
  gint64                case_id;
  OpApprovalDialogKind  kind;
  gboolean              busy;
};

G_DEFINE_FINAL_TYPE (OpApprovalDialog, op_approval_dialog, ADW_TYPE_WINDOW)

enum {
  DONE,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

typedef struct {
  OpStore              *store;
  OpApprovalDialogKind  kind;
  gint64                case_id;
  char                 *login;
  char                 *password;
  char                 *note;
} SubmitData;

static void
submit_data_free (SubmitData *data)
{
  g_clear_object (&data->store);
  g_free (data->login);
  if (data->password != NULL)
    {
      /* Wiped before it is freed, like the sign-in page does. */
      for (volatile char *p = data->password; *p != '\0'; p++)
        *p = '\0';
      g_free (data->password);
    }
  g_free (data->note);
  g_free (data);
}

static void
op_approval_dialog_set_error (OpApprovalDialog *self,
                              const char       *message)
{
  g_free (self->error);
  self->error = g_strdup (message);

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
op_approval_dialog_set_busy (OpApprovalDialog *self,
                             gboolean          busy)
{
  self->busy = busy;
  gtk_stack_set_visible_child_name (self->submit_stack, busy ? "spinner" : "label");
  /* Only the button: a focused entry made insensitive loses its
   * focus-out; a second press while busy is ignored by submit. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->submit_button), !busy);
}

static void
submit_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SubmitData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (data->kind == OP_APPROVAL_DIALOG_APPROVE)
    {
      g_autoptr(OpApproval) approval = op_store_approve (data->store, data->case_id, data->login,
                                                         data->password, &error);

      if (approval == NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, g_steal_pointer (&approval), (GDestroyNotify) op_approval_free);
    }
  else
    {
      if (!op_store_request_changes (data->store, data->case_id, data->login, data->password,
                                     data->note, &error))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static void
submit_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  OpApprovalDialog *self = OP_APPROVAL_DIALOG (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpApproval) approval = NULL;
  gboolean ok;

  if (self->kind == OP_APPROVAL_DIALOG_APPROVE)
    ok = (approval = g_task_propagate_pointer (G_TASK (result), &error)) != NULL;
  else
    ok = g_task_propagate_boolean (G_TASK (result), &error);

  /* Closed meanwhile: the store has done what it did, and the window
   * rereads the case when it is shown again. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  op_approval_dialog_set_busy (self, FALSE);

  if (!ok)
    {
      op_approval_dialog_set_error (self, error->message);
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  g_signal_emit (self, signals[DONE], 0, approval);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
op_approval_dialog_submit (OpApprovalDialog *self)
{
  g_autoptr(GTask) task = NULL;
  const char *password;
  g_autofree char *note = NULL;
  SubmitData *data;

  g_return_if_fail (OP_IS_APPROVAL_DIALOG (self));

  if (self->busy)
    return;

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (self->kind == OP_APPROVAL_DIALOG_REQUEST_CHANGES)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->note_view);
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      note = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
      if (note[0] == '\0')
        {
          op_approval_dialog_set_error (self, _("Write what should change, so that the planner knows what to do."));
          gtk_widget_grab_focus (GTK_WIDGET (self->note_view));
          return;
        }
    }
  if (password[0] == '\0')
    {
      op_approval_dialog_set_error (self, _("Enter your password to sign."));
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  data = g_new0 (SubmitData, 1);
  data->store = g_object_ref (self->store);
  data->kind = self->kind;
  data->case_id = self->case_id;
  data->login = g_strdup (self->login);
  data->password = g_strdup (password);
  data->note = g_steal_pointer (&note);

  op_approval_dialog_set_error (self, NULL);
  op_approval_dialog_set_busy (self, TRUE);

  task = g_task_new (self, self->cancellable, submit_done, NULL);
  g_task_set_source_tag (task, op_approval_dialog_submit);
  g_task_set_task_data (task, data, (GDestroyNotify) submit_data_free);
  g_task_run_in_thread (task, submit_thread);
}

static void
on_submit (OpApprovalDialog *self)
{
  op_approval_dialog_submit (self);
}

void
op_approval_dialog_fill (OpApprovalDialog *self,
                         const char       *password,
                         const char       *note)
{
  g_return_if_fail (OP_IS_APPROVAL_DIALOG (self));

  if (password != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
  if (note != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->note_view), note, -1);
}

gboolean
op_approval_dialog_get_busy (OpApprovalDialog *self)
{
  g_return_val_if_fail (OP_IS_APPROVAL_DIALOG (self), FALSE);

  return self->busy;
}

const char *
op_approval_dialog_get_error (OpApprovalDialog *self)
{
  g_return_val_if_fail (OP_IS_APPROVAL_DIALOG (self), NULL);

  return self->error;
}

char *
op_approval_dialog_get_note (OpApprovalDialog *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (OP_IS_APPROVAL_DIALOG (self), NULL);

  buffer = gtk_text_view_get_buffer (self->note_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

const char *
op_approval_dialog_get_meaning (OpApprovalDialog *self)
{
  g_return_val_if_fail (OP_IS_APPROVAL_DIALOG (self), NULL);

  return self->meaning;
}

static void
op_approval_dialog_dispose (GObject *object)
{
  OpApprovalDialog *self = (OpApprovalDialog *)object;

  g_cancellable_cancel (self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), OP_TYPE_APPROVAL_DIALOG);

  G_OBJECT_CLASS (op_approval_dialog_parent_class)->dispose (object);
}

static void
op_approval_dialog_finalize (GObject *object)
{
  OpApprovalDialog *self = (OpApprovalDialog *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->login, g_free);
  g_clear_pointer (&self->meaning, g_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (op_approval_dialog_parent_class)->finalize (object);
}

static void
op_approval_dialog_class_init (OpApprovalDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = op_approval_dialog_dispose;
  object_class->finalize = op_approval_dialog_finalize;

  /**
   * OpApprovalDialog::done:
   * @approval: (type gpointer) (nullable): the OpApproval recorded, borrowed;
   *   NULL after a change request
   *
   * The store recorded the approval or the change request; the dialog
   * closes itself right after.
   */
  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/orthoplan/Orthoplan/ui/op-approval-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, OpApprovalDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalDialog, submit_button);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalDialog, submit_stack);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalDialog, submit_label);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalDialog, intro_label);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalDialog, record_group);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalDialog, meaning_row);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalDialog, signer_row);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalDialog, note_group);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalDialog, note_view);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_submit);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
op_approval_dialog_init (OpApprovalDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}

GtkWidget *
op_approval_dialog_new (GtkWindow            *parent,
                        OpStore              *store,
                        gint64                case_id,
                        guint                 plan_version,
                        const OpUser         *signer,
                        OpApprovalDialogKind  kind)
{
  OpApprovalDialog *self;
  g_autofree char *signer_text = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (OP_IS_STORE (store), NULL);
  g_return_val_if_fail (case_id > 0, NULL);
  g_return_val_if_fail (plan_version >= 1, NULL);
  g_return_val_if_fail (signer != NULL, NULL);

  self = g_object_new (OP_TYPE_APPROVAL_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);
  self->case_id = case_id;
  self->kind = kind;
  self->login = g_strdup (signer->login);
  /* The planner's words, not the dialog's: the signature covers them. */
  self->meaning = op_approval_meaning (plan_version);

  signer_text = signer->npi != NULL && signer->npi[0] != '\0'
              ? g_strdup_printf (_("%s · NPI %s"), signer->name, signer->npi)
              : g_strdup (signer->name);
  adw_action_row_set_subtitle (self->signer_row, signer_text);
  adw_action_row_set_subtitle (self->meaning_row, self->meaning);

  if (kind == OP_APPROVAL_DIALOG_APPROVE)
    {
      g_autofree char *subtitle = g_strdup_printf (_("Plan version %u"), plan_version);

      gtk_window_set_title (GTK_WINDOW (self), _("Approve Treatment Plan"));
      adw_window_title_set_title (self->window_title, _("Approve Treatment Plan"));
      adw_window_title_set_subtitle (self->window_title, subtitle);
      gtk_label_set_text_with_mnemonic (self->submit_label, _("_Approve and Sign"));
      gtk_label_set_text (self->intro_label,
                          _("Your electronic signature binds your name, the time and this meaning to the exact "
                            "plan bytes. Any later change to the plan invalidates it and needs a new approval."));
      gtk_widget_set_visible (GTK_WIDGET (self->note_group), FALSE);
    }
  else
    {
      g_autofree char *subtitle = g_strdup_printf (_("Plan version %u"), plan_version);

      gtk_window_set_title (GTK_WINDOW (self), _("Request Changes"));
      adw_window_title_set_title (self->window_title, _("Request Changes"));
      adw_window_title_set_subtitle (self->window_title, subtitle);
      gtk_label_set_text_with_mnemonic (self->submit_label, _("_Send Back to Planning"));
      gtk_label_set_text (self->intro_label,
                          _("The case goes back to planning with your note attached; a new plan version "
                            "follows for your review."));
      gtk_widget_set_visible (GTK_WIDGET (self->meaning_row), FALSE);
      adw_preferences_group_set_title (self->record_group, _("Requested by"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->submit_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->submit_button), "destructive-action");
    }

  return GTK_WIDGET (self);
}
