/* op-sign-in.c: the sign-in, first-run and lock page.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "op-sign-in.h"

struct _OpSignIn
{
  AdwBin                parent_instance;

  /* Template widgets */
  GtkStack             *face_stack;
  AdwStatusPage        *sign_in_page;
  AdwEntryRow          *login_row;
  AdwPasswordEntryRow  *password_row;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkButton            *sign_in_button;
  GtkStack             *sign_in_button_stack;
  GtkLabel             *sign_in_label;
  GtkButton            *sign_out_button;
  AdwEntryRow          *name_row;
  AdwEntryRow          *new_login_row;
  AdwPasswordEntryRow  *new_password_row;
  AdwPasswordEntryRow  *confirm_row;
  GtkLabel             *policy_label;
  GtkButton            *create_button;
  GtkStack             *create_button_stack;

  /* Owned */
  OpStore              *store;
  OpUser               *locked_user;
  GCancellable         *cancellable;
  char                 *error;
  OpSignInMode          mode;
  gboolean              busy;
  gboolean              can_create;
};

G_DEFINE_FINAL_TYPE (OpSignIn, op_sign_in, ADW_TYPE_BIN)

enum {
  SIGNED_IN,
  UNLOCKED,
  SIGN_OUT_REQUESTED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

/* Passwords are wiped from memory as soon as the check is done with them,
 * so that a core dump or a swapped page holds as few as possible. */
static void
free_secret (char *secret)
{
  if (secret == NULL)
    return;

  for (volatile char *p = secret; *p != '\0'; p++)
    *p = '\0';
  g_free (secret);
}

typedef struct {
  OpStore      *store;
  OpSignInMode  mode;
  char         *name;
  char         *login;
  char         *password;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_clear_object (&data->store);
  g_free (data->name);
  g_free (data->login);
  free_secret (data->password);
  g_free (data);
}

static void
op_sign_in_set_error (OpSignIn   *self,
                      const char *message)
{
  g_free (self->error);
  self->error = g_strdup (message);

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
op_sign_in_set_busy (OpSignIn *self,
                     gboolean  busy)
{
  self->busy = busy;

  /* A spinner in place of the label says the press was taken; the form
   * stays put so nothing jumps under the person's pointer. */
  gtk_stack_set_visible_child_name (self->sign_in_button_stack, busy ? "spinner" : "label");
  gtk_stack_set_visible_child_name (self->create_button_stack, busy ? "spinner" : "label");
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), !busy && self->can_create);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_out_button), !busy);

  /* The entries stay sensitive: making a focused GtkText insensitive
   * loses its focus-out and GTK warns; a second press while busy is
   * ignored by op_sign_in_submit instead.  When locked, the login is
   * shown but cannot be changed. */
  gtk_editable_set_editable (GTK_EDITABLE (self->login_row), self->mode == OP_SIGN_IN_MODE_SIGN_IN);
}

/* The first-run form, checked as it is typed with the planner's rules so
 * that the administrator learns the policy before pressing anything. */
static void
op_sign_in_check_first_run (OpSignIn *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  const char *login = gtk_editable_get_text (GTK_EDITABLE (self->new_login_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->new_password_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));
  g_autoptr(GError) error = NULL;
  const char *message = NULL;
  gboolean ok = FALSE;

  if (name[0] == '\0')
    message = _("Enter the administrator’s name as it should appear in the audit log.");
  else if (!op_login_check (login, &error))
    message = login[0] == '\0' ? _("Choose a login name.") : error->message;
  else if (password[0] == '\0')
    message = NULL;  /* nothing typed yet: show the policy, not a complaint */
  else if (!op_password_check (password, login, name, &error))
    message = error->message;
  else if (strcmp (password, confirm) != 0)
    message = confirm[0] == '\0' ? _("Type the password again to confirm it.")
                                 : _("The two passwords differ.");
  else
    ok = TRUE;

  self->can_create = ok;
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), ok && !self->busy);

  if (ok)
    {
      gtk_label_set_text (self->policy_label, _("The password meets the practice’s policy."));
      gtk_widget_set_css_classes (GTK_WIDGET (self->policy_label), (const char *[]) { "success", "caption", NULL });
    }
  else if (message == NULL)
    {
      g_autofree char *policy =
        g_strdup_printf (_("At least %d characters. Not the login or the name, no keyboard runs or common passwords."),
                         OP_PASSWORD_MIN_LENGTH);

      gtk_label_set_text (self->policy_label, policy);
      gtk_widget_set_css_classes (GTK_WIDGET (self->policy_label), (const char *[]) { "dim-label", "caption", NULL });
    }
  else
    {
      gtk_label_set_text (self->policy_label, message);
      gtk_widget_set_css_classes (GTK_WIDGET (self->policy_label), (const char *[]) { "error", "caption", NULL });
    }
}

/* Puts the caret where the person's typing should start.  The row it
 * lands on is always empty here: GTK 4.8 selects a focused entry's text
 * after arming its caret blink, and a blinking caret over a selection
 * is a GTK warning. */
static void
op_sign_in_focus_start (OpSignIn *self)
{
  if (self->mode == OP_SIGN_IN_MODE_FIRST_RUN)
    gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  else if (self->mode == OP_SIGN_IN_MODE_LOCKED)
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->login_row));
}

static void
op_sign_in_show_mode (OpSignIn     *self,
                      OpSignInMode  mode)
{
  self->mode = mode;
  op_sign_in_set_error (self, NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");

  switch (mode)
    {
    case OP_SIGN_IN_MODE_FIRST_RUN:
      gtk_stack_set_visible_child_name (self->face_stack, "first-run");
      gtk_editable_set_text (GTK_EDITABLE (self->new_password_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
      op_sign_in_check_first_run (self);
      break;

    case OP_SIGN_IN_MODE_SIGN_IN:
      gtk_stack_set_visible_child_name (self->face_stack, "sign-in");
      adw_status_page_set_icon_name (self->sign_in_page, "org.orthoplan.Orthoplan");
      adw_status_page_set_title (self->sign_in_page, _("Sign In to Orthoplan"));
      adw_status_page_set_description (self->sign_in_page,
                                       _("Every view, edit and approval is recorded under your name."));
      gtk_editable_set_text (GTK_EDITABLE (self->login_row), "");
      gtk_label_set_text_with_mnemonic (self->sign_in_label, _("_Sign In"));
      gtk_widget_set_visible (GTK_WIDGET (self->sign_out_button), FALSE);
      break;

    case OP_SIGN_IN_MODE_LOCKED:
      {
        g_autofree char *description = NULL;

        gtk_stack_set_visible_child_name (self->face_stack, "sign-in");
        adw_status_page_set_icon_name (self->sign_in_page, "system-lock-screen-symbolic");
        adw_status_page_set_title (self->sign_in_page, _("Orthoplan Is Locked"));
        /* Translators: the person's printed name and role. */
        description = g_strdup_printf (_("Locked after a time without input. %s (%s), enter your password to go on where you left off."),
                                       self->locked_user->name, op_role_to_label (self->locked_user->role));
        adw_status_page_set_description (self->sign_in_page, description);
        gtk_editable_set_text (GTK_EDITABLE (self->login_row), self->locked_user->login);
        gtk_label_set_text_with_mnemonic (self->sign_in_label, _("_Unlock"));
        gtk_widget_set_visible (GTK_WIDGET (self->sign_out_button), TRUE);
      }
      break;

    default:
      g_assert_not_reached ();
    }

  op_sign_in_set_busy (self, FALSE);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    op_sign_in_focus_start (self);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpUser) user = NULL;

  switch (data->mode)
    {
    case OP_SIGN_IN_MODE_FIRST_RUN:
      {
        OpUserInput input = { data->login, data->name, OP_ROLE_ADMINISTRATOR, NULL, data->password };

        /* The store refuses a first administrator once any user exists,
         * so two windows racing through first run cannot both create one. */
        if (op_store_add_user (data->store, &input, &error) == 0)
          break;
        user = op_store_sign_in (data->store, data->login, data->password, &error);
      }
      break;

    case OP_SIGN_IN_MODE_SIGN_IN:
      user = op_store_sign_in (data->store, data->login, data->password, &error);
      break;

    case OP_SIGN_IN_MODE_LOCKED:
      /* Unlocking checks the password with the same throttling as signing
       * in, but the session never ended, so it is recorded as an unlock. */
      if ((user = op_store_check_password (data->store, data->login, data->password, &error)))
        {
          g_autofree char *object = g_strdup_printf ("user:%" G_GINT64_FORMAT, user->id);

          if (!op_store_audit (data->store, "user.unlock", object, "", &error))
            g_clear_pointer (&user, op_user_free);
        }
      break;

    default:
      g_assert_not_reached ();
    }

  if (user == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&user), (GDestroyNotify) op_user_free);
}

static void
check_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  OpSignIn *self = OP_SIGN_IN (object);
  CheckData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(OpUser) user = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  op_sign_in_set_busy (self, FALSE);

  if (user == NULL)
    {
      op_sign_in_set_error (self, error->message);
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  op_sign_in_set_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->new_password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");

  /* The first administrator exists now: the page next shows the sign-in
   * face, so nothing of the first-run form may linger behind it. */
  if (data->mode == OP_SIGN_IN_MODE_FIRST_RUN)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->new_login_row), "");
      op_sign_in_show_mode (self, OP_SIGN_IN_MODE_SIGN_IN);
    }

  if (data->mode == OP_SIGN_IN_MODE_LOCKED)
    g_signal_emit (self, signals[UNLOCKED], 0, user);
  else
    g_signal_emit (self, signals[SIGNED_IN], 0, user);
}

void
op_sign_in_submit (OpSignIn *self)
{
  g_autoptr(GTask) task = NULL;
  CheckData *data;

  g_return_if_fail (OP_IS_SIGN_IN (self));

  if (self->busy || self->store == NULL)
    return;

  data = g_new0 (CheckData, 1);
  data->store = g_object_ref (self->store);
  data->mode = self->mode;

  if (self->mode == OP_SIGN_IN_MODE_FIRST_RUN)
    {
      op_sign_in_check_first_run (self);
      if (!self->can_create)
        {
          op_sign_in_set_error (self, gtk_label_get_text (self->policy_label));
          check_data_free (data);
          return;
        }
      data->name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
      data->login = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_login_row)));
      data->password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_password_row)));
    }
  else
    {
      const char *login = self->mode == OP_SIGN_IN_MODE_LOCKED
                        ? self->locked_user->login
                        : gtk_editable_get_text (GTK_EDITABLE (self->login_row));
      const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

      if (login[0] == '\0' || password[0] == '\0')
        {
          op_sign_in_set_error (self, login[0] == '\0' ? _("Enter your login name.") : _("Enter your password."));
          gtk_widget_grab_focus (GTK_WIDGET (login[0] == '\0' ? (GtkWidget *) self->login_row
                                                              : (GtkWidget *) self->password_row));
          check_data_free (data);
          return;
        }
      data->login = g_strstrip (g_strdup (login));
      data->password = g_strdup (password);
    }

  op_sign_in_set_error (self, NULL);
  op_sign_in_set_busy (self, TRUE);

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  task = g_task_new (self, self->cancellable, check_done, NULL);
  g_task_set_source_tag (task, op_sign_in_submit);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);
  /* The worker uses its own reference to the store, never this widget,
   * which may be gone by the time a slow Argon2id run returns. */
  g_task_run_in_thread (task, check_thread);
}

static void
on_submit (OpSignIn *self)
{
  op_sign_in_submit (self);
}

static void
on_first_run_changed (OpSignIn *self)
{
  op_sign_in_check_first_run (self);
}

static void
on_sign_out_clicked (OpSignIn  *self,
                     GtkButton *button)
{
  g_signal_emit (self, signals[SIGN_OUT_REQUESTED], 0);
}

void
op_sign_in_reset (OpSignIn *self)
{
  g_autoptr(GError) error = NULL;
  gint64 n_users;

  g_return_if_fail (OP_IS_SIGN_IN (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->locked_user, op_user_free);

  if (self->store == NULL)
    {
      op_sign_in_show_mode (self, OP_SIGN_IN_MODE_SIGN_IN);
      return;
    }

  n_users = op_store_count_users (self->store, &error);
  op_sign_in_show_mode (self, n_users == 0 ? OP_SIGN_IN_MODE_FIRST_RUN : OP_SIGN_IN_MODE_SIGN_IN);
  if (n_users < 0)
    op_sign_in_set_error (self, error->message);
}

void
op_sign_in_set_store (OpSignIn *self,
                      OpStore  *store)
{
  g_return_if_fail (OP_IS_SIGN_IN (self));
  g_return_if_fail (store == NULL || OP_IS_STORE (store));

  g_set_object (&self->store, store);
  op_sign_in_reset (self);
}

void
op_sign_in_lock (OpSignIn     *self,
                 const OpUser *user)
{
  OpUser *copy;

  g_return_if_fail (OP_IS_SIGN_IN (self));
  g_return_if_fail (user != NULL);

  g_cancellable_cancel (self->cancellable);

  copy = g_new0 (OpUser, 1);
  copy->id = user->id;
  copy->login = g_strdup (user->login);
  copy->name = g_strdup (user->name);
  copy->role = user->role;
  copy->npi = g_strdup (user->npi);
  copy->fingerprint = g_strdup (user->fingerprint);
  copy->created_at = g_strdup (user->created_at);
  g_clear_pointer (&self->locked_user, op_user_free);
  self->locked_user = copy;

  op_sign_in_show_mode (self, OP_SIGN_IN_MODE_LOCKED);
}

OpSignInMode
op_sign_in_get_mode (OpSignIn *self)
{
  g_return_val_if_fail (OP_IS_SIGN_IN (self), OP_SIGN_IN_MODE_SIGN_IN);

  return self->mode;
}

void
op_sign_in_fill (OpSignIn   *self,
                 const char *login,
                 const char *password)
{
  g_return_if_fail (OP_IS_SIGN_IN (self));

  if (login != NULL && self->mode == OP_SIGN_IN_MODE_SIGN_IN)
    gtk_editable_set_text (GTK_EDITABLE (self->login_row), login);
  if (password != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
}

void
op_sign_in_fill_first_run (OpSignIn   *self,
                           const char *name,
                           const char *login,
                           const char *password,
                           const char *confirm)
{
  g_return_if_fail (OP_IS_SIGN_IN (self));

  if (name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  if (login != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->new_login_row), login);
  if (password != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->new_password_row), password);
  if (confirm != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), confirm);
  op_sign_in_check_first_run (self);
}

gboolean
op_sign_in_get_busy (OpSignIn *self)
{
  g_return_val_if_fail (OP_IS_SIGN_IN (self), FALSE);

  return self->busy;
}

const char *
op_sign_in_get_error (OpSignIn *self)
{
  g_return_val_if_fail (OP_IS_SIGN_IN (self), NULL);

  if (self->error != NULL)
    return self->error;
  if (self->mode == OP_SIGN_IN_MODE_FIRST_RUN && !self->can_create)
    return gtk_label_get_text (self->policy_label);
  return NULL;
}

gboolean
op_sign_in_get_can_create (OpSignIn *self)
{
  g_return_val_if_fail (OP_IS_SIGN_IN (self), FALSE);

  return self->can_create;
}

static void
op_sign_in_map (GtkWidget *widget)
{
  OpSignIn *self = OP_SIGN_IN (widget);

  GTK_WIDGET_CLASS (op_sign_in_parent_class)->map (widget);
  op_sign_in_focus_start (self);
}

static void
op_sign_in_dispose (GObject *object)
{
  OpSignIn *self = (OpSignIn *)object;

  g_cancellable_cancel (self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), OP_TYPE_SIGN_IN);

  G_OBJECT_CLASS (op_sign_in_parent_class)->dispose (object);
}

static void
op_sign_in_finalize (GObject *object)
{
  OpSignIn *self = (OpSignIn *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->locked_user, op_user_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (op_sign_in_parent_class)->finalize (object);
}

static void
op_sign_in_class_init (OpSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = op_sign_in_dispose;
  object_class->finalize = op_sign_in_finalize;
  widget_class->map = op_sign_in_map;

  /**
   * OpSignIn::signed-in:
   * @user: (type gpointer): the OpUser now signed in on the store, borrowed
   *
   * Someone signed in, or the first administrator was created and signed in.
   */
  signals[SIGNED_IN] = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * OpSignIn::unlocked:
   * @user: (type gpointer): the OpUser who typed the password again, borrowed
   */
  signals[UNLOCKED] = g_signal_new ("unlocked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * OpSignIn::sign-out-requested:
   *
   * The locked face's "Sign Out" was pressed: someone else wants the desk.
   */
  signals[SIGN_OUT_REQUESTED] = g_signal_new ("sign-out-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                              0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/orthoplan/Orthoplan/ui/op-sign-in.ui");
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, face_stack);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, login_row);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, password_row);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, error_label);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, sign_in_button_stack);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, sign_in_label);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, sign_out_button);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, name_row);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, new_login_row);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, new_password_row);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, policy_label);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, create_button);
  gtk_widget_class_bind_template_child (widget_class, OpSignIn, create_button_stack);
  gtk_widget_class_bind_template_callback (widget_class, on_submit);
  gtk_widget_class_bind_template_callback (widget_class, on_first_run_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_out_clicked);
}

static void
op_sign_in_init (OpSignIn *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->mode = OP_SIGN_IN_MODE_SIGN_IN;
  op_sign_in_check_first_run (self);
}

GtkWidget *
op_sign_in_new (void)
{
  return g_object_new (OP_TYPE_SIGN_IN, NULL);
}
