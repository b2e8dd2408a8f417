/* op-exports-logo.c: the Exports page's practice logo row
 * (op-exports-view.h): the "practice-logo" setting, chosen with a file
 * dialog, checked with the exporters' own reader, cleared with a button.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "op-export.h"
#include "op-exports-view-private.h"
#include "op-report.h"

/* A problem with the logo is a setting to fix, not a failed piece of work:
 * a toast that names the file is enough, and leaves the page usable. */
void
op__exports_toast_error (OpExportsView *self,
                         const char    *message)
{
  OpWindow *window;

  g_free (self->last_error);
  self->last_error = g_strdup (message);
  if ((window = op__exports_get_window (self)) != NULL)
    {
      /* The toast's title is markup; a path may hold '&' or '<'. */
      g_autofree char *escaped = g_markup_escape_text (message, -1);
      AdwToast *toast = adw_toast_new (escaped);

      adw_toast_set_timeout (toast, 10);
      /* Shown at once, not behind the "Saved …" toasts before it: it
       * answers what the person just did. */
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      op_window_add_toast (window, toast);
    }
}

/* The row says which logo is in force by its file name, and whether the
 * file is still there, so that a moved logo is seen before an export. */
void
op__exports_logo_sync (OpExportsView *self)
{
  g_autofree char *path = g_settings_get_string (self->settings, "practice-logo");

  g_free (self->logo_summary);
  if (*path == '\0')
    self->logo_summary = g_strdup (_("None: the pages show the practice name only"));
  else
    {
      g_autofree char *name = g_path_get_basename (path);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        /* Translators: %s is the logo's file name. */
        self->logo_summary = g_strdup_printf (_("%s, on the patient simulation and in the report’s header"), name);
      else
        /* Translators: %s is the logo's file name. */
        self->logo_summary = g_strdup_printf (_("%s: the file is missing; choose the logo again"), name);
    }
  adw_action_row_set_subtitle (self->logo_row, self->logo_summary);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "exports.clear-logo", *path != '\0');
}

gboolean
op_exports_view_set_logo (OpExportsView *self,
                          GFile         *file)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const char *mime = NULL;

  g_return_val_if_fail (OP_IS_EXPORTS_VIEW (self), FALSE);
  g_return_val_if_fail (file == NULL || G_IS_FILE (file), FALSE);

  if (file == NULL)
    {
      g_settings_set_string (self->settings, "practice-logo", "");
      return TRUE;
    }
  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf (_("logo %s: not a local file; choose one on this computer"), uri);

      op__exports_toast_error (self, message);
      return FALSE;
    }
  /* The setting is a string, which GSettings holds as UTF-8; a file name
   * in another encoding could not be stored and found again. */
  if (!g_utf8_validate (path, -1, NULL))
    {
      g_autofree char *shown = g_filename_display_name (path);
      g_autofree char *message = g_strdup_printf (_("logo %s: the file name is not UTF-8; rename the file"), shown);

      op__exports_toast_error (self, message);
      return FALSE;
    }
  /* Read now, with the exporters' own checks, so that a file that is not
   * a picture never becomes the setting. */
  bytes = op_export_logo_read (path, &mime, &error);
  /* A PNG is also decoded as the report will, so that a broken one is
   * found now. */
  if (bytes == NULL || (g_strcmp0 (mime, "image/png") == 0 && !op_report_check_logo (path, &error)))
    {
      op__exports_toast_error (self, error->message);
      return FALSE;
    }
  g_clear_pointer (&self->last_error, g_free);
  g_settings_set_string (self->settings, "practice-logo", path);
  if (g_strcmp0 (mime, "image/png") != 0)
    {
      OpWindow *window = op__exports_get_window (self);
      g_autofree char *name = g_path_get_basename (path);
      g_autofree char *title = NULL;

      /* The report takes PNG alone (op-report.h); said now rather than
       * at the first report. */
      /* Translators: %s is the logo's file name. */
      title = g_markup_printf_escaped (_("%s is shown on the patient simulation; the treatment report needs a PNG logo"),
                                       name);
      if (window)
        op_window_add_toast (window, adw_toast_new (title));
    }
  return TRUE;
}

const char *
op_exports_view_get_logo_summary (OpExportsView *self)
{
  g_return_val_if_fail (OP_IS_EXPORTS_VIEW (self), NULL);

  return self->logo_summary;
}

static void
on_logo_chooser_response (GtkNativeDialog *native,
                          int              response,
                          gpointer         user_data)
{
  OpExportsView *self = OP_EXPORTS_VIEW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file)
        op_exports_view_set_logo (self, file);
    }
  if (self->logo_chooser == native)
    g_clear_object (&self->logo_chooser);
}

static void
choose_logo_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  OpExportsView *self = OP_EXPORTS_VIEW (widget);
  static const char *mime_types[] = { "image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml" };
  static const char *patterns[] = { "*.png", "*.jpg", "*.jpeg", "*.gif", "*.webp", "*.svg" };
  g_autoptr(GtkFileFilter) pictures = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) png = gtk_file_filter_new ();
  g_autofree char *current = g_settings_get_string (self->settings, "practice-logo");
  GtkFileChooserNative *native;
  GtkRoot *root;

  (void) action_name;
  (void) parameter;
  if (self->logo_chooser)
    gtk_native_dialog_destroy (self->logo_chooser);
  g_clear_object (&self->logo_chooser);

  root = gtk_widget_get_root (widget);
  native = gtk_file_chooser_native_new (_("Choose the Practice Logo"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  /* Both the types and the names: a portal matches types, a file chooser
   * without MIME data on a network share only names. */
  gtk_file_filter_set_name (pictures, _("Pictures (PNG, JPEG, GIF, WebP, SVG)"));
  for (guint i = 0; i < G_N_ELEMENTS (mime_types); i++)
    gtk_file_filter_add_mime_type (pictures, mime_types[i]);
  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    gtk_file_filter_add_pattern (pictures, patterns[i]);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), pictures);
  gtk_file_filter_set_name (png, _("PNG pictures (patient simulation and report)"));
  gtk_file_filter_add_mime_type (png, "image/png");
  gtk_file_filter_add_pattern (png, "*.png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), png);
  if (*current)
    {
      g_autoptr(GFile) file = g_file_new_for_path (current);
      g_autoptr(GFile) folder = g_file_get_parent (file);

      if (folder && g_file_query_exists (folder, NULL))
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), folder, NULL);
    }
  g_signal_connect_object (native, "response", G_CALLBACK (on_logo_chooser_response), self, 0);
  self->logo_chooser = GTK_NATIVE_DIALOG (native);
  gtk_native_dialog_show (self->logo_chooser);
}

static void
clear_logo_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  (void) action_name;
  (void) parameter;
  op_exports_view_set_logo (OP_EXPORTS_VIEW (widget), NULL);
}

void
op__exports_logo_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "exports.choose-logo", NULL, choose_logo_action);
  gtk_widget_class_install_action (widget_class, "exports.clear-logo", NULL, clear_logo_action);
}

void
op__exports_logo_init (OpExportsView *self)
{
  op__exports_logo_sync (self);
  g_signal_connect_object (self->settings, "changed::practice-logo", G_CALLBACK (op__exports_logo_sync), self,
                           G_CONNECT_SWAPPED);
}

void
op__exports_logo_dispose (OpExportsView *self)
{
  if (self->logo_chooser)
    gtk_native_dialog_destroy (self->logo_chooser);
  g_clear_object (&self->logo_chooser);
}
