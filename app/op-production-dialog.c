/* op-production-dialog.c: production files from the Exports page
 * (op-production-dialog.h).
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "op-plan-json.h"
#include "op-production-dialog.h"
#include "op-production.h"
#include "op-task-progress.h"
#include "op-window.h"

struct _OpProductionDialog
{
  AdwWindow        parent_instance;

  /* Template widgets */
  GtkWidget       *export_button;
  GtkRevealer     *progress_revealer;
  GtkLabel        *progress_label;
  GtkProgressBar  *progress_bar;
  AdwActionRow    *status_row;
  GtkImage        *status_icon;
  AdwActionRow    *folder_row;
  AdwComboRow     *arch_row;
  GtkSpinButton   *first_spin;
  GtkSpinButton   *last_spin;
  GtkSwitch       *trim_switch;
  GtkSwitch       *hollow_switch;

  /* Owned */
  OpStore         *store;
  GWeakRef         parent;         /* the main window, for toasts after close */
  GCancellable    *cancellable;    /* the running export */
  GtkNativeDialog *chooser;
  char            *folder;
  char            *status;
  char            *last_error;
  char            *last_toast;
  gint64           case_id;
  guint            n_files;
  gboolean         approved;
  gboolean         busy;
  gboolean         disposed;
};

G_DEFINE_FINAL_TYPE (OpProductionDialog, op_production_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_CASE_ID,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* What the worker was asked; it holds its own store reference so that
 * closing the dialog mid-export leaves the store alive until it ends. */
typedef struct {
  OpStore             *store;
  gint64               case_id;
  char                *folder;
  OpProductionOptions  options;
  GTask               *task;       /* borrowed, for progress reports */
  guint                n_files;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_object (&job->store);
  g_free (job->folder);
  g_free (job);
}

static void
update (OpProductionDialog *self)
{
  if (self->disposed)
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "production.export",
                                 !self->busy && self->approved && self->folder != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "production.cancel", self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "production.choose-folder", !self->busy);
  gtk_widget_set_tooltip_text (self->export_button,
                               !self->approved ? self->status
                               : self->folder == NULL ? _("Choose a folder first")
                               : self->busy ? _("An export is running") : NULL);
  gtk_revealer_set_reveal_child (self->progress_revealer, self->busy);
  adw_action_row_set_subtitle (self->folder_row, self->folder ? self->folder : _("None chosen"));
}

/* Reads whether the case's plan may be made, with the refusal's words
 * when not, and the plan's stage count for the stage range. */
static void
refresh_approval (OpProductionDialog *self)
{
  g_autoptr(OpApproval) approval = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(OpPlan) plan = NULL;
  guint n_stages = 1;

  g_clear_pointer (&self->status, g_free);
  self->approved = op_store_verify_approval (self->store, self->case_id, &approval, &error);
  if (self->approved)
    self->status = g_strdup_printf (_("Approved plan v%u, signature verified"), approval->plan_version);
  else if (g_error_matches (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND) || approval == NULL)
    self->status = g_strdup_printf (_("Not approved: production files are made only from a plan a provider "
                                      "approved and signed (%s)"),
                                    error ? error->message : _("no approval"));
  else
    self->status = g_strdup_printf (_("The approval does not verify, so the plan may have been changed after "
                                      "signing: %s"),
                                    error ? error->message : "");

  bytes = op_store_get_plan (self->store, self->case_id, approval ? (int) approval->plan_version : 0, NULL, NULL);
  if (bytes)
    {
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);

      plan = op_plan_decode (data, len, "plan", NULL);
      if (plan)
        n_stages = MAX (plan->n_stages, 1);
    }
  gtk_spin_button_set_range (self->first_spin, 0, n_stages - 1);
  gtk_spin_button_set_range (self->last_spin, 0, n_stages - 1);
  gtk_spin_button_set_value (self->first_spin, 0);
  gtk_spin_button_set_value (self->last_spin, n_stages - 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row),
                                 self->approved ? _("Approved") : _("Not approved"));
  adw_action_row_set_subtitle (self->status_row, self->status);
  gtk_image_set_from_icon_name (self->status_icon,
                                self->approved ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  update (self);
}

static void
toast (OpProductionDialog *self,
       const char         *text)
{
  g_autoptr(GtkWindow) parent = g_weak_ref_get (&self->parent);

  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
  if (OP_IS_WINDOW (parent))
    op_window_add_toast (OP_WINDOW (parent), adw_toast_new (text));
}

static void
on_progress (gpointer    source,
             double      fraction,
             const char *stage)
{
  OpProductionDialog *self = OP_PRODUCTION_DIALOG (source);

  if (!self->busy || self->disposed)
    return;
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
  gtk_label_set_text (self->progress_label, stage);
}

/* From op-production's threads, serialised: each file written. */
static void
job_progress (guint    done,
              guint    total,
              gpointer data)
{
  Job *job = data;
  g_autofree char *stage = g_strdup_printf (_("%u of %u files"), done, total);

  op_task_report_progress (job->task, on_progress, total ? (double) done / total : 0, stage);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(OpProductionResult) result = NULL;
  GError *error = NULL;

  (void) source_object;
  (void) cancellable;
  result = op_production_export_case (job->store, job->case_id, job->folder, &job->options, &error);
  if (result == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  job->n_files = result->files->len;
  g_task_return_boolean (task, TRUE);
}

static void
export_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  OpProductionDialog *self = OP_PRODUCTION_DIALOG (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  (void) user_data;
  self->busy = FALSE;
  g_clear_object (&self->cancellable);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* Cancelled while the case loaded (GIO's error) or between files
       * (the export's own, after removing what it wrote). */
      if (g_error_matches (error, OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_CANCELLED) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        text = g_strdup_printf (_("Production export cancelled; nothing was left in %s"), job->folder);
      else
        {
          g_free (self->last_error);
          self->last_error = g_strdup (error->message);
          text = g_strdup_printf (_("No production files written to %s: %s"), job->folder, error->message);
        }
    }
  else
    {
      self->n_files = job->n_files;
      text = g_strdup_printf (_("%u production files written to %s"), job->n_files, job->folder);
    }
  toast (self, text);
  update (self);
}

gboolean
op_production_dialog_start (OpProductionDialog *self)
{
  g_autoptr(GTask) task = NULL;
  Job *job;
  guint arch;

  g_return_val_if_fail (OP_IS_PRODUCTION_DIALOG (self), FALSE);

  g_clear_pointer (&self->last_error, g_free);
  self->n_files = 0;
  if (self->busy || self->folder == NULL)
    {
      self->last_error = g_strdup (self->busy ? _("A production export is already running")
                                              : _("Choose a folder for the production files first"));
      return FALSE;
    }

  job = g_new0 (Job, 1);
  job->store = g_object_ref (self->store);
  job->case_id = self->case_id;
  job->folder = g_strdup (self->folder);
  op_production_options_init (&job->options);
  arch = adw_combo_row_get_selected (self->arch_row);
  job->options.upper = arch != 2;
  job->options.lower = arch != 1;
  job->options.first_stage = (guint) gtk_spin_button_get_value_as_int (self->first_spin);
  job->options.last_stage = (guint) gtk_spin_button_get_value_as_int (self->last_spin);
  job->options.trim_lines = gtk_switch_get_active (self->trim_switch);
  job->options.model.hollow = gtk_switch_get_active (self->hollow_switch);
  job->options.progress = job_progress;
  job->options.progress_data = job;

  self->busy = TRUE;
  self->cancellable = g_cancellable_new ();
  job->options.cancellable = self->cancellable;
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_text (self->progress_label, _("Loading the case…"));
  update (self);

  task = g_task_new (self, self->cancellable, export_done, NULL);
  g_task_set_source_tag (task, op_production_dialog_start);
  /* The export's own result counts, not the cancellable's state: a
   * Cancel pressed just after the manifest was written must not report
   * a finished folder as cancelled. */
  g_task_set_check_cancellable (task, FALSE);
  job->task = task;
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, export_thread);
  return TRUE;
}

void
op_production_dialog_cancel (OpProductionDialog *self)
{
  g_return_if_fail (OP_IS_PRODUCTION_DIALOG (self));

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
}

void
op_production_dialog_set_folder (OpProductionDialog *self,
                                 const char         *path)
{
  g_return_if_fail (OP_IS_PRODUCTION_DIALOG (self));

  g_free (self->folder);
  self->folder = path && *path ? g_strdup (path) : NULL;
  update (self);
}

void
op_production_dialog_set_arches (OpProductionDialog *self,
                                 gboolean            upper,
                                 gboolean            lower)
{
  g_return_if_fail (OP_IS_PRODUCTION_DIALOG (self));
  g_return_if_fail (upper || lower);

  adw_combo_row_set_selected (self->arch_row, upper && lower ? 0 : upper ? 1 : 2);
}

void
op_production_dialog_set_stages (OpProductionDialog *self,
                                 guint               first,
                                 guint               last)
{
  g_return_if_fail (OP_IS_PRODUCTION_DIALOG (self));

  gtk_spin_button_set_value (self->first_spin, first);
  gtk_spin_button_set_value (self->last_spin, last);
}

gboolean
op_production_dialog_get_busy (OpProductionDialog *self)
{
  g_return_val_if_fail (OP_IS_PRODUCTION_DIALOG (self), FALSE);
  return self->busy;
}

gboolean
op_production_dialog_get_approved (OpProductionDialog *self)
{
  g_return_val_if_fail (OP_IS_PRODUCTION_DIALOG (self), FALSE);
  return self->approved;
}

const char *
op_production_dialog_get_status (OpProductionDialog *self)
{
  g_return_val_if_fail (OP_IS_PRODUCTION_DIALOG (self), NULL);
  return self->status;
}

const char *
op_production_dialog_get_last_error (OpProductionDialog *self)
{
  g_return_val_if_fail (OP_IS_PRODUCTION_DIALOG (self), NULL);
  return self->last_error;
}

guint
op_production_dialog_get_n_files (OpProductionDialog *self)
{
  g_return_val_if_fail (OP_IS_PRODUCTION_DIALOG (self), 0);
  return self->n_files;
}

const char *
op_production_dialog_get_last_toast (OpProductionDialog *self)
{
  g_return_val_if_fail (OP_IS_PRODUCTION_DIALOG (self), NULL);
  return self->last_toast;
}

static void
on_chooser_response (GtkNativeDialog *native,
                     int              response,
                     gpointer         user_data)
{
  OpProductionDialog *self = OP_PRODUCTION_DIALOG (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path)
        op_production_dialog_set_folder (self, path);
      else if (file)
        toast (self, _("Choose a folder on this computer"));
    }
  if (self->chooser == native)
    g_clear_object (&self->chooser);
}

static void
choose_folder_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  OpProductionDialog *self = OP_PRODUCTION_DIALOG (widget);
  GtkFileChooserNative *native;

  (void) action_name;
  (void) parameter;
  if (self->chooser)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  native = gtk_file_chooser_native_new (_("Folder for Production Files"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect_object (native, "response", G_CALLBACK (on_chooser_response), self, 0);
  self->chooser = GTK_NATIVE_DIALOG (native);
  gtk_native_dialog_show (self->chooser);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  OpProductionDialog *self = OP_PRODUCTION_DIALOG (widget);

  (void) action_name;
  (void) parameter;
  if (!op_production_dialog_start (self))
    toast (self, self->last_error);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  (void) action_name;
  (void) parameter;
  op_production_dialog_cancel (OP_PRODUCTION_DIALOG (widget));
}

/* Closing the window while it writes stops the export: its files are
 * removed, and the toast on the main window says so. */
static gboolean
op_production_dialog_close_request (GtkWindow *window)
{
  op_production_dialog_cancel (OP_PRODUCTION_DIALOG (window));
  return GTK_WINDOW_CLASS (op_production_dialog_parent_class)->close_request (window);
}

static void
op_production_dialog_constructed (GObject *object)
{
  OpProductionDialog *self = OP_PRODUCTION_DIALOG (object);

  G_OBJECT_CLASS (op_production_dialog_parent_class)->constructed (object);
  /* The toast of an export that ends after this window closed still
   * reaches the main window. */
  g_weak_ref_init (&self->parent, gtk_window_get_transient_for (GTK_WINDOW (self)));
  refresh_approval (self);
}

static void
op_production_dialog_dispose (GObject *object)
{
  OpProductionDialog *self = OP_PRODUCTION_DIALOG (object);

  self->disposed = TRUE;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  if (self->chooser)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), OP_TYPE_PRODUCTION_DIALOG);
  G_OBJECT_CLASS (op_production_dialog_parent_class)->dispose (object);
}

static void
op_production_dialog_finalize (GObject *object)
{
  OpProductionDialog *self = OP_PRODUCTION_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_weak_ref_clear (&self->parent);
  g_free (self->folder);
  g_free (self->status);
  g_free (self->last_error);
  g_free (self->last_toast);
  G_OBJECT_CLASS (op_production_dialog_parent_class)->finalize (object);
}

static void
op_production_dialog_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  OpProductionDialog *self = OP_PRODUCTION_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_CASE_ID:
      g_value_set_int64 (value, self->case_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
op_production_dialog_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  OpProductionDialog *self = OP_PRODUCTION_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_CASE_ID:
      self->case_id = g_value_get_int64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
op_production_dialog_class_init (OpProductionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = op_production_dialog_constructed;
  object_class->dispose = op_production_dialog_dispose;
  object_class->finalize = op_production_dialog_finalize;
  object_class->get_property = op_production_dialog_get_property;
  object_class->set_property = op_production_dialog_set_property;
  window_class->close_request = op_production_dialog_close_request;

  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         OP_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  properties [PROP_CASE_ID] =
    g_param_spec_int64 ("case-id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/orthoplan/Orthoplan/ui/op-production-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, OpProductionDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, OpProductionDialog, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, OpProductionDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, OpProductionDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, OpProductionDialog, status_row);
  gtk_widget_class_bind_template_child (widget_class, OpProductionDialog, status_icon);
  gtk_widget_class_bind_template_child (widget_class, OpProductionDialog, folder_row);
  gtk_widget_class_bind_template_child (widget_class, OpProductionDialog, arch_row);
  gtk_widget_class_bind_template_child (widget_class, OpProductionDialog, first_spin);
  gtk_widget_class_bind_template_child (widget_class, OpProductionDialog, last_spin);
  gtk_widget_class_bind_template_child (widget_class, OpProductionDialog, trim_switch);
  gtk_widget_class_bind_template_child (widget_class, OpProductionDialog, hollow_switch);

  gtk_widget_class_install_action (widget_class, "production.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "production.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "production.choose-folder", NULL, choose_folder_action);
}

static void
op_production_dialog_init (OpProductionDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
op_production_dialog_new (GtkWindow *parent,
                          OpStore   *store,
                          gint64     case_id)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (OP_IS_STORE (store), NULL);
  g_return_val_if_fail (case_id > 0, NULL);

  return g_object_new (OP_TYPE_PRODUCTION_DIALOG,
                       "transient-for", parent,
                       "store", store,
                       "case-id", case_id,
                       NULL);
}
