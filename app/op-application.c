/* op-application.c: the Orthoplan application.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "op-application.h"
#include "op-demo-case.h"
#include "op-window.h"

struct _OpApplication
{
  AdwApplication  parent_instance;

  /* Owned */
  OpStore        *store;
  char           *db_path;
  char           *store_error;   /* why the store failed to open, or NULL */
  gboolean        demo;
};

G_DEFINE_FINAL_TYPE (OpApplication, op_application, ADW_TYPE_APPLICATION)

static const GOptionEntry main_entries[] = {
  { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Use the case database at PATH"), N_("PATH") },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Open the demo case"), NULL },
  { NULL }
};

/* Opens the store once; a failure is remembered and shown in every window
 * rather than retried behind the person's back. */
static void
op_application_ensure_store (OpApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (self->store != NULL || self->store_error != NULL)
    return;

  path = self->db_path != NULL ? g_strdup (self->db_path) : op_store_default_path ();

  if (!(self->store = op_store_open (path, &error)))
    /* Translators: the database's path, then the reason it failed to open. */
    self->store_error = g_strdup_printf (_("The case database at %s could not be opened: %s"),
                                         path, error->message);
}

static OpWindow *
op_application_get_window (OpApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (OP_IS_WINDOW (window))
    return OP_WINDOW (window);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (OP_IS_WINDOW (l->data))
      return OP_WINDOW (l->data);

  return NULL;
}

gboolean
op_application_show_demo (OpApplication  *self,
                          GtkWindow      *window,
                          GError        **error)
{
  gint64 case_id;

  g_return_val_if_fail (OP_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (OP_IS_WINDOW (window), FALSE);

  if (self->store == NULL)
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_OPEN,
                           self->store_error ? self->store_error : _("No case database is open."));
      return FALSE;
    }

  if (!(case_id = op_demo_case_ensure (self->store, error)))
    return FALSE;

  op_window_reload_cases (OP_WINDOW (window));
  op_window_show_case (OP_WINDOW (window), case_id);

  return TRUE;
}

static void
on_window_signed_in (OpWindow      *window,
                     OpApplication *self)
{
  g_autoptr(GError) error = NULL;

  g_signal_handlers_disconnect_by_func (window, on_window_signed_in, self);

  /* Once: a second activation (from the desktop) or a second sign-in
   * should not jump back to the demo case. */
  if (!self->demo)
    return;
  self->demo = FALSE;

  if (!op_application_show_demo (self, GTK_WINDOW (window), &error))
    op_window_show_error (window, _("Could Not Open the Demo Case"), error->message);
}

static void
op_application_activate (GApplication *app)
{
  OpApplication *self = OP_APPLICATION (app);
  OpWindow *window;

  op_application_ensure_store (self);

  if (!(window = op_application_get_window (self)))
    {
      window = op_window_new (ADW_APPLICATION (self), self->store);
      if (self->store_error != NULL)
        op_window_set_store_error (window, self->store_error);
    }

  gtk_window_present (GTK_WINDOW (window));

  if (self->store_error != NULL)
    op_window_show_error (window, _("Could Not Open the Case Database"), self->store_error);

  if (self->demo && self->store != NULL)
    {
      /* The demo case opens once someone has signed in: before that the
       * window shows nothing but the sign-in page. */
      if (op_window_get_user (window) != NULL)
        on_window_signed_in (window, self);
      else
        g_signal_connect_object (window, "signed-in", G_CALLBACK (on_window_signed_in), self, 0);
    }
}

static void
op_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  OpApplication *self = OP_APPLICATION (app);
  OpWindow *window;

  g_application_activate (app);

  if (!(window = op_application_get_window (self)))
    return;

  if (op_window_get_case_id (window) > 0)
    op_case_view_import_files (op_window_get_case_view (window), files, (guint) n_files);
  else
    op_window_show_error (window, _("Could Not Import Scans"),
                          _("Open or create a case first, then import its scans."));
}

static int
op_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  OpApplication *self = OP_APPLICATION (app);
  g_autofree char *db = NULL;

  if (g_variant_dict_lookup (options, "db", "^ay", &db))
    op_application_set_db_path (self, db);

  if (g_variant_dict_contains (options, "demo"))
    self->demo = TRUE;

  return -1;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  OpApplication *self = user_data;
  g_autoptr(GList) windows = NULL;

  /* Closing rather than destroying lets each window save its size. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  OpApplication *self = user_data;
  static const char *developers[] = { "The Orthoplan authors", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", window,
                        "application-icon", APP_ID,
                        "application-name", _("Orthoplan"),
                        "developer-name", _("The Orthoplan authors"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Plan clear-aligner orthodontic treatment from intraoral scans."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2025 The Orthoplan authors",
                        "developers", developers,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
};

static void
op_application_startup (GApplication *app)
{
  OpApplication *self = OP_APPLICATION (app);

  G_APPLICATION_CLASS (op_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         (const char *[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.new-case",
                                         (const char *[]) { "<Control>n", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.import",
                                         (const char *[]) { "<Control>o", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close",
                                         (const char *[]) { "<Control>w", NULL });
}

static void
op_application_finalize (GObject *object)
{
  OpApplication *self = (OpApplication *)object;

  g_clear_object (&self->store);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->store_error, g_free);

  G_OBJECT_CLASS (op_application_parent_class)->finalize (object);
}

static void
op_application_class_init (OpApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = op_application_finalize;

  app_class->startup = op_application_startup;
  app_class->activate = op_application_activate;
  app_class->open = op_application_open;
  app_class->handle_local_options = op_application_handle_local_options;
}

static void
op_application_init (OpApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), main_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[SCAN…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Plan clear-aligner treatment from intraoral scans."));
}

OpApplication *
op_application_new (void)
{
  /* Non-unique: each instance has its own --db, and a second window on
   * the same database from another process is safe with SQLite's WAL. */
  return g_object_new (OP_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/org/orthoplan/Orthoplan",
                       NULL);
}

void
op_application_set_db_path (OpApplication *self,
                            const char    *path)
{
  g_return_if_fail (OP_IS_APPLICATION (self));

  g_free (self->db_path);
  self->db_path = g_strdup (path);
}

void
op_application_set_demo (OpApplication *self,
                         gboolean       demo)
{
  g_return_if_fail (OP_IS_APPLICATION (self));

  self->demo = !!demo;
}

OpStore *
op_application_get_store (OpApplication *self)
{
  g_return_val_if_fail (OP_IS_APPLICATION (self), NULL);

  return self->store;
}
