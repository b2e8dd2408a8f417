/* op-exports-view.c: a case's Exports page (op-exports-view.h).
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "op-exports-job.h"
#include "op-exports-view-private.h"
#include "op-production-dialog.h"
#include "op-task-progress.h"
#include "op-window.h"

G_DEFINE_FINAL_TYPE (OpExportsView, op_exports_view, ADW_TYPE_BIN)

/* A worker's job: what it was asked and, on the main thread afterwards,
 * what it wrote. */
typedef struct {
  OpStore          *store;
  OpExportsRequest  request;
  char             *path;
  char             *logo_path;
  GFile            *file;
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_clear_object (&job->store);
  g_clear_object (&job->file);
  g_free (job->path);
  g_free (job->logo_path);
  g_free (job);
}

OpWindow *
op__exports_get_window (OpExportsView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return OP_IS_WINDOW (root) ? OP_WINDOW (root) : NULL;
}

static void
op_exports_view_report_error (OpExportsView *self,
                              const char    *heading,
                              const char    *message)
{
  OpWindow *window;

  g_free (self->last_error);
  self->last_error = g_strdup (message);
  if ((window = op__exports_get_window (self)) != NULL)
    op_window_show_error (window, heading, message);
}

/* Brings the buttons and the progress bar in line with the state. */
static void
op_exports_view_update (OpExportsView *self)
{
  gboolean can_export;
  const char *why = NULL;

  /* A worker that ends after the window closed finds no widgets left. */
  if (self->disposed)
    return;
  can_export = self->store != NULL && self->case_id > 0 && self->has_plan && !self->busy;

  if (self->case_id > 0 && !self->has_plan)
    why = _("This case has no plan yet");
  else if (self->busy)
    why = _("Another export or posting is running");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "exports.export", can_export);
  gtk_widget_set_tooltip_text (self->html_button, why);
  gtk_widget_set_tooltip_text (self->pdf_button, why);
  gtk_widget_set_tooltip_text (self->video_button, why);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "exports.cancel", self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "exports.retry",
                                 !self->busy && self->has_approval &&
                                 (self->outbox_id == 0 || self->outbox_state != OP_OUTBOX_POSTED));
  gtk_revealer_set_reveal_child (self->progress_revealer, self->busy);
}

static void
on_progress (gpointer    source,
             double      fraction,
             const char *stage)
{
  OpExportsView *self = OP_EXPORTS_VIEW (source);

  /* A report that arrives after the job ended belongs to nothing shown. */
  if (!self->busy || self->disposed)
    return;
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
  if (stage)
    gtk_label_set_text (self->progress_label, stage);
}

static void
begin_job (OpExportsView *self,
           const char    *label)
{
  self->busy = TRUE;
  g_clear_pointer (&self->last_error, g_free);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  gtk_label_set_text (self->progress_label, label);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  op_exports_view_update (self);
}

static void
end_job (OpExportsView *self)
{
  self->busy = FALSE;
  g_clear_object (&self->cancellable);
  op_exports_view_update (self);
}

/* Exports */

static void
on_toast_open (AdwToast *toast,
               gpointer  user_data)
{
  const char *uri = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri (uri, NULL, &error))
    g_warning ("Could not open %s: %s", uri, error->message);
}

static void
export_progress (double   fraction,
                 gpointer data)
{
  GTask *task = data;
  ExportJob *job = g_task_get_task_data (task);
  const char *stage;

  switch (job->request.kind)
    {
    case OP_EXPORTS_KIND_VIDEO:
      stage = fraction < 0.3 ? _("Loading the case…") : _("Rendering and encoding the video…");
      break;
    case OP_EXPORTS_KIND_PDF:
      stage = fraction < 0.3 ? _("Loading the case…") : _("Drawing the pictures and writing the report…");
      break;
    default:
      stage = fraction < 0.3 ? _("Loading the case…") : _("Compressing the teeth and writing the page…");
      break;
    }
  op_task_report_progress (task, on_progress, fraction, stage);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  GError *error = NULL;

  (void) source_object;
  if (op_exports_run (job->store, &job->request, export_progress, task, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
export_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  OpExportsView *self = OP_EXPORTS_VIEW (source);
  ExportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  OpWindow *window = op__exports_get_window (self);

  (void) user_data;
  end_job (self);
  if (self->disposed)
    return;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Cancelling is what the person asked for: a toast, no error. */
          if (window)
            op_window_add_toast (window, adw_toast_new (_("Export cancelled; no file was written")));
          return;
        }
      if (g_error_matches (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_LOGO))
        {
          op__exports_toast_error (self, error->message);
          return;
        }
      {
        g_autofree char *heading = NULL;
        g_autofree char *message = NULL;

        /* Translators: %s is "patient simulation", "treatment report" or "video". */
        heading = g_strdup_printf (_("Could Not Export the %s"), op_exports_kind_noun (job->request.kind));
        /* The exporters name the file in most messages; where one does not,
         * the dialog does, so that the person knows which file failed. */
        if (strstr (error->message, job->path) != NULL)
          message = g_strdup (error->message);
        else
          message = g_strdup_printf (_("%s: %s"), job->path, error->message);
        op_exports_view_report_error (self, heading, message);
      }
      return;
    }

  g_set_object (&self->last_file, job->file);
  if (window)
    {
      g_autofree char *basename = g_file_get_basename (job->file);
      g_autofree char *title = g_strdup_printf (_("Saved %s"), basename);
      AdwToast *toast = adw_toast_new (title);

      adw_toast_set_button_label (toast, _("_Open"));
      g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_toast_open), g_file_get_uri (job->file),
                             (GClosureNotify) (void (*) (void)) g_free, 0);
      op_window_add_toast (window, toast);
    }
}

static void
op_exports_view_start (OpExportsView *self,
                       OpExportsKind  kind,
                       GFile         *file)
{
  g_autoptr(GTask) task = NULL;
  ExportJob *job;

  g_return_if_fail (OP_IS_EXPORTS_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->busy || self->store == NULL || self->case_id <= 0)
    {
      op_exports_view_report_error (self, _("Could Not Export"),
                                    self->busy ? _("Another export or posting is running; wait for it or cancel it.")
                                               : _("No case is open."));
      return;
    }

  job = g_new0 (ExportJob, 1);
  job->store = g_object_ref (self->store);
  job->file = g_object_ref (file);
  job->path = g_file_get_path (file);
  if (job->path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf (_("%s is not a local file; choose a folder on this computer"),
                                                  uri);

      export_job_free (job);
      op_exports_view_report_error (self, _("Could Not Export"), message);
      return;
    }
  job->request.kind = kind;
  job->request.case_id = self->case_id;
  job->request.path = job->path;
  job->request.paper = adw_combo_row_get_selected (self->paper_row) == 1 ? OP_PAPER_LETTER : OP_PAPER_A4;
  job->request.show_full_name = !gtk_switch_get_active (self->first_name_switch);
  job->logo_path = g_settings_get_string (self->settings, "practice-logo");
  job->request.logo_path = *job->logo_path ? job->logo_path : NULL;

  begin_job (self, _("Loading the case…"));
  task = g_task_new (self, self->cancellable, export_done, NULL);
  g_task_set_source_tag (task, op_exports_view_start);
  g_task_set_task_data (task, job, export_job_free);
  g_task_run_in_thread (task, export_thread);
}

void
op_exports_view_export_html (OpExportsView *self,
                             GFile         *file)
{
  op_exports_view_start (self, OP_EXPORTS_KIND_HTML, file);
}

void
op_exports_view_export_pdf (OpExportsView *self,
                            GFile         *file)
{
  op_exports_view_start (self, OP_EXPORTS_KIND_PDF, file);
}

void
op_exports_view_export_video (OpExportsView *self,
                              GFile         *file)
{
  op_exports_view_start (self, OP_EXPORTS_KIND_VIDEO, file);
}

void
op_exports_view_cancel (OpExportsView *self)
{
  g_return_if_fail (OP_IS_EXPORTS_VIEW (self));

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
}

static void
on_chooser_response (GtkNativeDialog *native,
                     int              response,
                     gpointer         user_data)
{
  OpExportsView *self = OP_EXPORTS_VIEW (user_data);
  OpExportsKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (native), "op-kind"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file)
        op_exports_view_start (self, kind, file);
    }
  if (self->chooser == native)
    g_clear_object (&self->chooser);
}

/* A file name from the patient's family name, the case and the kind:
 * "Okafor-case12-report.pdf".  Only letters and digits are kept so that
 * the name is safe on any file system and in an e-mail. */
static char *
suggested_name (OpExportsView *self,
                OpExportsKind  kind)
{
  static const char *suffix[] = { "simulation.html", "report.pdf", "video.webm" };
  g_autoptr(OpCaseSummary) summary = op_store_get_case (self->store, self->case_id, NULL);
  g_autoptr(OpPatient) patient = summary ? op_store_get_patient (self->store, summary->patient_id, NULL) : NULL;
  g_autoptr(GString) name = g_string_new (NULL);

  if (patient && patient->family_name)
    for (const char *p = patient->family_name; *p; p++)
      if (g_ascii_isalnum (*p))
        g_string_append_c (name, *p);
  if (name->len > 0)
    g_string_append_c (name, '-');
  g_string_append_printf (name, "case%" G_GINT64_FORMAT "-%s", self->case_id, suffix[kind]);
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  OpExportsView *self = OP_EXPORTS_VIEW (widget);
  const char *what = g_variant_get_string (parameter, NULL);
  static const char *titles[] = { N_("Save Patient Simulation"), N_("Save Treatment Report"), N_("Save Video") };
  static const char *patterns[] = { "*.html", "*.pdf", "*.webm" };
  static const char *filter_names[] = { N_("Web pages"), N_("PDF documents"), N_("WebM videos") };
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  GtkFileChooserNative *native;
  OpExportsKind kind;
  GtkRoot *root;

  (void) action_name;
  if (g_str_equal (what, "html"))
    kind = OP_EXPORTS_KIND_HTML;
  else if (g_str_equal (what, "pdf"))
    kind = OP_EXPORTS_KIND_PDF;
  else
    kind = OP_EXPORTS_KIND_VIDEO;

  if (self->chooser)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);

  root = gtk_widget_get_root (widget);
  native = gtk_file_chooser_native_new (_(titles[kind]), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  name = suggested_name (self, kind);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  gtk_file_filter_set_name (filter, _(filter_names[kind]));
  gtk_file_filter_add_pattern (filter, patterns[kind]);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_set_data (G_OBJECT (native), "op-kind", GINT_TO_POINTER (kind));
  g_signal_connect_object (native, "response", G_CALLBACK (on_chooser_response), self, 0);
  self->chooser = GTK_NATIVE_DIALOG (native);
  gtk_native_dialog_show (self->chooser);
}

/* Production files have their own dialog (op-production-dialog.c). */
static void
on_production_clicked (OpExportsView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->store != NULL && self->case_id > 0)
    gtk_window_present (GTK_WINDOW (op_production_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                              self->store, self->case_id)));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  (void) action_name;
  (void) parameter;
  op_exports_view_cancel (OP_EXPORTS_VIEW (widget));
}

/* Posting */

static void
set_posting (OpExportsView *self,
             const char    *title,
             const char    *detail,
             const char    *icon)
{
  g_free (self->posting_title);
  self->posting_title = g_strdup (title);
  g_free (self->posting_detail);
  self->posting_detail = g_strdup (detail ? detail : "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->posting_row), title);
  adw_action_row_set_subtitle (self->posting_row, self->posting_detail);
  gtk_image_set_from_icon_name (self->posting_icon, icon);
}

void
op_exports_view_refresh_posting (OpExportsView *self)
{
  g_autoptr(GPtrArray) approvals = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  const OpOutboxEntry *e;

  g_return_if_fail (OP_IS_EXPORTS_VIEW (self));

  self->outbox_id = 0;
  self->has_approval = FALSE;
  if (self->store == NULL || self->case_id <= 0)
    {
      set_posting (self, _("No case"), NULL, "action-unavailable-symbolic");
      op_exports_view_update (self);
      return;
    }

  approvals = op_store_list_approvals (self->store, self->case_id, &error);
  if (approvals != NULL)
    entries = op_outbox_list (self->store, self->case_id, &error);
  if (entries == NULL)
    {
      set_posting (self, _("Unknown"), error->message, "dialog-error-symbolic");
      op_exports_view_update (self);
      return;
    }
  self->has_approval = approvals->len > 0;

  if (entries->len == 0)
    {
      if (self->has_approval)
        set_posting (self, _("Not queued"),
                     _("This approval predates posting; Retry queues it for the practice system."),
                     "mail-send-symbolic");
      else
        set_posting (self, _("Not approved"), _("The procedures are posted once a provider approves the plan."),
                     "action-unavailable-symbolic");
      op_exports_view_update (self);
      return;
    }

  /* The newest row is the latest approval's; older ones belong to plans
   * that were replaced. */
  e = g_ptr_array_index (entries, entries->len - 1);
  self->outbox_id = e->id;
  self->outbox_state = e->state;
  switch (e->state)
    {
    case OP_OUTBOX_POSTED:
      {
        g_autoptr(GString) ids = g_string_new (NULL);

        for (guint i = 0; e->remote_ids && e->remote_ids[i]; i++)
          if (*e->remote_ids[i])
            g_string_append_printf (ids, "%s%s", ids->len ? ", " : "", e->remote_ids[i]);
        {
          /* Translators: "to LOCATION (CONNECTOR) at TIME; remote ids: IDS". */
          g_autofree char *detail = g_strdup_printf (_("To %s (%s) at %s; remote ids: %s"), e->location,
                                                     e->connector ? e->connector : "?",
                                                     e->posted_at ? e->posted_at : "?",
                                                     ids->len ? ids->str : _("none"));
          set_posting (self, _("Posted"), detail, "emblem-ok-symbolic");
        }
      }
      break;
    case OP_OUTBOX_NEEDS_ATTENTION:
      set_posting (self, _("Needs attention"), e->reason ? e->reason : _("No reason was recorded"),
                   "dialog-warning-symbolic");
      break;
    case OP_OUTBOX_PENDING:
    default:
      {
        g_autofree char *detail = NULL;

        if (e->reason)
          detail = g_strdup_printf (_("To %s, %u attempts so far; last: %s"), e->location, e->attempts, e->reason);
        else
          detail = g_strdup_printf (_("Waiting to be sent to %s"), e->location);
        set_posting (self, _("Pending"), detail, "mail-send-symbolic");
      }
      break;
    }
  gtk_button_set_label (GTK_BUTTON (self->retry_button),
                        e->state == OP_OUTBOX_PENDING ? _("_Send Now") : _("_Retry"));
  op_exports_view_update (self);
}

const char *
op_exports_view_get_posting_title (OpExportsView *self)
{
  g_return_val_if_fail (OP_IS_EXPORTS_VIEW (self), NULL);

  return self->posting_title;
}

const char *
op_exports_view_get_posting_detail (OpExportsView *self)
{
  g_return_val_if_fail (OP_IS_EXPORTS_VIEW (self), NULL);

  return self->posting_detail;
}

/* The worker's own references: the thread reads nothing of the view. */
typedef struct {
  OpStore *store;
  gint64   outbox_id;
} PostJob;

static void
post_job_free (gpointer data)
{
  PostJob *job = data;

  g_clear_object (&job->store);
  g_free (job);
}

static void
post_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PostJob *job = task_data;
  OpOutboxRunStats stats = { 0 };
  GError *error = NULL;

  (void) source_object;
  /* The outbox's own worker, limited to this row: the same retries,
   * backoff and read-back as `orthoplan-cli outbox run`. */
  if (op_outbox_run (job->store, job->outbox_id, NULL, &stats, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
post_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  OpExportsView *self = OP_EXPORTS_VIEW (source);
  g_autoptr(GError) error = NULL;

  (void) user_data;
  end_job (self);
  if (self->disposed)
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    op_exports_view_report_error (self, _("Could Not Post to the Practice System"), error->message);
  /* Whatever happened is in the outbox row now. */
  op_exports_view_refresh_posting (self);
}

gboolean
op_exports_view_retry_posting (OpExportsView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  PostJob *job;

  g_return_val_if_fail (OP_IS_EXPORTS_VIEW (self), FALSE);

  if (self->busy || self->store == NULL || self->case_id <= 0)
    return FALSE;

  op_exports_view_refresh_posting (self);
  if (!self->has_approval)
    return FALSE;
  if (self->outbox_id == 0)
    {
      /* An approval from before posting existed gets its row now. */
      g_autoptr(GPtrArray) approvals = op_store_list_approvals (self->store, self->case_id, &error);
      const OpApproval *last = approvals && approvals->len ? g_ptr_array_index (approvals, approvals->len - 1) : NULL;

      if (last == NULL || (self->outbox_id = op_outbox_enqueue (self->store, last->id, &error)) <= 0)
        {
          self->outbox_id = 0;
          op_exports_view_report_error (self, _("Could Not Queue the Posting"),
                                        error ? error->message : _("The case has no approval"));
          return FALSE;
        }
    }
  else if (self->outbox_state == OP_OUTBOX_NEEDS_ATTENTION &&
           !op_outbox_retry (self->store, self->outbox_id, &error))
    {
      op_exports_view_report_error (self, _("Could Not Retry the Posting"), error->message);
      return FALSE;
    }
  else if (self->outbox_state == OP_OUTBOX_POSTED)
    return FALSE;

  /* The row is pending now: shown so before the worker takes it. */
  op_exports_view_refresh_posting (self);
  begin_job (self, _("Posting to the practice system…"));
  gtk_progress_bar_pulse (self->progress_bar);
  job = g_new0 (PostJob, 1);
  job->store = g_object_ref (self->store);
  job->outbox_id = self->outbox_id;
  task = g_task_new (self, self->cancellable, post_done, NULL);
  g_task_set_source_tag (task, op_exports_view_retry_posting);
  g_task_set_task_data (task, job, post_job_free);
  g_task_run_in_thread (task, post_thread);
  return TRUE;
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  (void) action_name;
  (void) parameter;
  op_exports_view_retry_posting (OP_EXPORTS_VIEW (widget));
}

/* Case */

void
op_exports_view_set_store (OpExportsView *self,
                           OpStore       *store)
{
  g_return_if_fail (OP_IS_EXPORTS_VIEW (self));
  g_return_if_fail (!self->busy);

  g_set_object (&self->store, store);
  op_exports_view_load_case (self, 0);
}

void
op_exports_view_load_case (OpExportsView *self,
                           gint64         case_id)
{
  g_return_if_fail (OP_IS_EXPORTS_VIEW (self));

  /* A running export finishes for the case it started on; its file is
   * still the right one. */
  self->case_id = case_id;
  self->has_plan = FALSE;
  g_clear_object (&self->last_file);
  if (self->store && case_id > 0)
    {
      g_autoptr(OpPlanRecord) record = NULL;
      g_autoptr(GBytes) bytes = op_store_get_plan (self->store, case_id, 0, &record, NULL);

      self->has_plan = bytes != NULL;
    }
  op_exports_view_refresh_posting (self);
}

gboolean
op_exports_view_get_busy (OpExportsView *self)
{
  g_return_val_if_fail (OP_IS_EXPORTS_VIEW (self), FALSE);

  return self->busy;
}

const char *
op_exports_view_get_last_error (OpExportsView *self)
{
  g_return_val_if_fail (OP_IS_EXPORTS_VIEW (self), NULL);

  return self->last_error;
}

GFile *
op_exports_view_get_last_file (OpExportsView *self)
{
  g_return_val_if_fail (OP_IS_EXPORTS_VIEW (self), NULL);

  return self->last_file;
}

/* Settings: the combo row holds an index, the setting a name. */

static void
on_paper_selected (OpExportsView *self)
{
  g_settings_set_string (self->settings, "report-paper",
                         adw_combo_row_get_selected (self->paper_row) == 1 ? "letter" : "a4");
}

static void
on_paper_setting (OpExportsView *self)
{
  g_autofree char *paper = g_settings_get_string (self->settings, "report-paper");

  adw_combo_row_set_selected (self->paper_row, g_str_equal (paper, "letter") ? 1 : 0);
}

/* The outbox changes behind the page's back (the CLI's worker, another
 * workstation): the posting is read again whenever the page is shown. */
static void
op_exports_view_map (GtkWidget *widget)
{
  OpExportsView *self = OP_EXPORTS_VIEW (widget);

  GTK_WIDGET_CLASS (op_exports_view_parent_class)->map (widget);
  if (!self->busy)
    op_exports_view_refresh_posting (self);
  op__exports_logo_sync (self);
}

GtkWidget *
op_exports_view_new (void)
{
  return g_object_new (OP_TYPE_EXPORTS_VIEW, NULL);
}

static void
op_exports_view_dispose (GObject *object)
{
  OpExportsView *self = (OpExportsView *)object;

  /* A running worker holds a reference on the view and finishes on its
   * own; it is told to stop, and its callbacks touch no widget. */
  self->disposed = TRUE;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  if (self->chooser)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  op__exports_logo_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), OP_TYPE_EXPORTS_VIEW);

  G_OBJECT_CLASS (op_exports_view_parent_class)->dispose (object);
}

static void
op_exports_view_finalize (GObject *object)
{
  OpExportsView *self = (OpExportsView *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->last_file);
  g_free (self->last_error);
  g_free (self->posting_title);
  g_free (self->posting_detail);
  g_free (self->logo_summary);

  G_OBJECT_CLASS (op_exports_view_parent_class)->finalize (object);
}

static void
op_exports_view_class_init (OpExportsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = op_exports_view_dispose;
  object_class->finalize = op_exports_view_finalize;
  widget_class->map = op_exports_view_map;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/orthoplan/Orthoplan/ui/op-exports-view.ui");
  gtk_widget_class_bind_template_child (widget_class, OpExportsView, progress_revealer);
  gtk_widget_class_bind_template_callback (widget_class, on_production_clicked);
  gtk_widget_class_bind_template_child (widget_class, OpExportsView, progress_label);
  gtk_widget_class_bind_template_child (widget_class, OpExportsView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, OpExportsView, html_button);
  gtk_widget_class_bind_template_child (widget_class, OpExportsView, pdf_button);
  gtk_widget_class_bind_template_child (widget_class, OpExportsView, video_button);
  gtk_widget_class_bind_template_child (widget_class, OpExportsView, first_name_switch);
  gtk_widget_class_bind_template_child (widget_class, OpExportsView, paper_row);
  gtk_widget_class_bind_template_child (widget_class, OpExportsView, logo_row);
  gtk_widget_class_bind_template_child (widget_class, OpExportsView, posting_row);
  gtk_widget_class_bind_template_child (widget_class, OpExportsView, posting_icon);
  gtk_widget_class_bind_template_child (widget_class, OpExportsView, retry_button);

  gtk_widget_class_install_action (widget_class, "exports.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "exports.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "exports.retry", NULL, retry_action);
  op__exports_logo_class_init (widget_class);
}

static void
op_exports_view_init (OpExportsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "patient-first-name-only", self->first_name_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  on_paper_setting (self);
  g_signal_connect_object (self->settings, "changed::report-paper", G_CALLBACK (on_paper_setting), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->paper_row, "notify::selected", G_CALLBACK (on_paper_selected), self,
                           G_CONNECT_SWAPPED);
  op__exports_logo_init (self);
  op_exports_view_load_case (self, 0);
}
