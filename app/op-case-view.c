/* op-case-view.c: one case's page.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "op-case-view.h"
#include "op-cbct-view.h"
#include "op-scan-loader.h"
#include "op-window.h"

typedef struct {
  GFile *file;
  OpJaw  jaw;
} PendingImport;

struct _OpCaseView
{
  AdwBin          parent_instance;

  /* Template widgets */
  GtkRevealer    *progress_revealer;
  GtkLabel       *progress_label;
  GtkProgressBar *progress_bar;
  GtkOverlay     *viewer_overlay;
  GtkStack       *viewer_stack;
  OpViewer       *viewer;
  AdwStatusPage  *viewer_error_page;
  GtkWidget      *view_toolbar;
  GtkListBox     *scan_list;
  AdwActionRow   *name_row;
  AdwActionRow   *birth_row;
  AdwActionRow   *chart_row;
  AdwActionRow   *location_row;
  AdwActionRow   *created_row;
  AdwViewStack   *page_stack;
  OpCbctView     *cbct_view;

  /* Owned */
  OpStore        *store;
  GSettings      *settings;
  GCancellable   *cancellable;   /* the running load or import */
  GQueue          pending;       /* PendingImport, behind the running import */
  char           *last_error;
  char           *importing;     /* file name of the running import */
  gint64          case_id;
  guint           generation;    /* bumped when the shown case changes */
  guint           n_scans;
  guint           jaw_count[3];
  guint           accepts_scans : 1;
  guint           loading : 1;
  guint           disposed : 1;
};

G_DEFINE_FINAL_TYPE (OpCaseView, op_case_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CASE_ID,
  PROP_BUSY,
  PROP_N_SCANS,
  N_PROPS
};

enum {
  SCANS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static void op_case_view_start_next_import (OpCaseView *self);

static void
pending_import_free (gpointer data)
{
  PendingImport *pending = data;

  g_clear_object (&pending->file);
  g_free (pending);
}

static OpWindow *
op_case_view_get_window (OpCaseView *self)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), OP_TYPE_WINDOW);

  return window != NULL ? OP_WINDOW (window) : NULL;
}

static void
op_case_view_toast (OpCaseView *self,
                    const char *title)
{
  OpWindow *window = op_case_view_get_window (self);

  if (window != NULL)
    op_window_add_toast (window, adw_toast_new (title));
}

static void
op_case_view_report_error (OpCaseView *self,
                           const char *heading,
                           const char *message)
{
  OpWindow *window;

  g_free (self->last_error);
  self->last_error = g_strdup (message);

  if ((window = op_case_view_get_window (self)) != NULL)
    op_window_show_error (window, heading, message);
}

static gboolean
op_case_view_is_busy (OpCaseView *self)
{
  /* One job at a time: scans queue behind a CBCT being loaded. */
  return self->loading || self->importing != NULL || op_cbct_view_get_busy (self->cbct_view);
}

/* Brings the stack, the progress bar and the actions in line with what the
 * view is doing; called after every change of state. */
static void
op_case_view_update (OpCaseView *self)
{
  const char *gl_error = op_viewer_get_error_message (self->viewer);
  gboolean busy = op_case_view_is_busy (self);
  gboolean shows_3d = self->n_scans > 0 || op_cbct_view_has_volume (self->cbct_view);
  const char *page;

  if (gl_error != NULL)
    page = "error";
  else if (shows_3d || busy)
    page = "viewer";
  else
    page = "empty";

  gtk_stack_set_visible_child_name (self->viewer_stack, page);
  gtk_widget_set_visible (self->view_toolbar, shows_3d && gl_error == NULL);
  gtk_revealer_set_reveal_child (self->progress_revealer, busy);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.cancel", busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.add-scan",
                                 self->store != NULL && self->case_id > 0 &&
                                 self->accepts_scans);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.add-cbct",
                                 self->store != NULL && self->case_id > 0 &&
                                 self->accepts_scans);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.frame", shows_3d);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.view", shows_3d);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

static void
on_progress (gpointer    source_object,
             double      fraction,
             const char *stage)
{
  OpCaseView *self = source_object;
  g_autofree char *text = NULL;

  if (self->disposed || !op_case_view_is_busy (self))
    return;

  if (self->importing != NULL)
    /* Translators: "upper.stl — Reading the mesh…" */
    text = g_strdup_printf (_("%s — %s"), self->importing, stage);
  else
    text = g_strdup (stage);

  gtk_label_set_text (self->progress_label, text);
  if (fraction < 0)
    gtk_progress_bar_pulse (self->progress_bar);
  else
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
}

static void
on_cbct_progress (OpCbctView *cbct_view,
                  double      fraction,
                  const char *stage,
                  OpCaseView *self)
{
  on_progress (self, fraction, stage);
}

static void
on_cbct_state_notify (OpCbctView *cbct_view,
                      GParamSpec *pspec,
                      OpCaseView *self)
{
  if (self->disposed)
    return;

  /* Scans dropped while the CBCT was loading waited for it. */
  op_case_view_start_next_import (self);
  op_case_view_update (self);
}

static void
on_visible_switch_notify (GtkSwitch  *toggle,
                          GParamSpec *pspec,
                          OpCaseView *self)
{
  guint handle = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (toggle), "op-viewer-handle"));

  op_viewer_set_mesh_visible (self->viewer, handle, gtk_switch_get_active (toggle));
}

/* Gives the scan to the viewer and lists it. */
static void
op_case_view_add_scan (OpCaseView   *self,
                       OpLoadedScan *scan)
{
  g_autofree char *count = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row;
  GtkWidget *toggle;
  guint handle;

  handle = op_viewer_add_mesh (self->viewer, g_steal_pointer (&scan->mesh), scan->material);

  /* A plain unsigned long, not G_GSIZE_FORMAT: xgettext cannot expand a
   * macro inside a translatable string. */
  count = g_strdup_printf (ngettext ("%'lu triangle", "%'lu triangles", scan->n_triangles),
                           (unsigned long) scan->n_triangles);
  /* Translators: a scan's file name and its size, "upper.stl · 62,400 triangles" */
  subtitle = g_strdup_printf (_("%s · %s"), scan->filename, count);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), op_jaw_to_label (scan->jaw));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  gtk_widget_set_tooltip_text (row, scan->filename);

  toggle = gtk_switch_new ();
  gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (toggle, _("Show in the 3D view"));
  g_object_set_data (G_OBJECT (toggle), "op-viewer-handle", GUINT_TO_POINTER (handle));
  g_signal_connect_object (toggle, "notify::active",
                           G_CALLBACK (on_visible_switch_notify), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);

  gtk_list_box_append (self->scan_list, row);

  self->n_scans++;
  if (scan->jaw < G_N_ELEMENTS (self->jaw_count))
    self->jaw_count[scan->jaw]++;

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_SCANS]);
}

static void
op_case_view_clear_scans (OpCaseView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->scan_list))) != NULL)
    gtk_list_box_remove (self->scan_list, child);

  op_viewer_clear (self->viewer);
  self->n_scans = 0;
  memset (self->jaw_count, 0, sizeof self->jaw_count);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_SCANS]);
}

static void
op_case_view_cancel (OpCaseView *self)
{
  g_queue_clear_full (&self->pending, pending_import_free);
  g_cancellable_cancel (self->cancellable);
  op_cbct_view_cancel (self->cbct_view);
}

static void
on_import_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  OpCaseView *self = OP_CASE_VIEW (object);
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(OpLoadedScan) scan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  scan = op_scan_import_finish (result, &error);

  /* The view was closed, or shows another case now: nothing to update. */
  if (self->disposed || generation != self->generation)
    return;

  name = g_steal_pointer (&self->importing);
  g_clear_object (&self->cancellable);

  if (scan == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_CANCELLED))
        {
          g_autofree char *title = g_strdup_printf (_("Import of %s cancelled"), name);
          op_case_view_toast (self, title);
        }
      else
        op_case_view_report_error (self, _("Could Not Import Scan"), error->message);
    }
  else
    {
      g_autofree char *title = g_strdup_printf (_("Imported %s"), scan->filename);

      op_case_view_add_scan (self, scan);
      op_viewer_frame_all (self->viewer);
      op_case_view_toast (self, title);
      g_signal_emit (self, signals [SCANS_CHANGED], 0);
    }

  op_case_view_start_next_import (self);
  op_case_view_update (self);
}

static void
op_case_view_start_next_import (OpCaseView *self)
{
  PendingImport *pending;

  if (op_case_view_is_busy (self))
    return;

  if ((pending = g_queue_pop_head (&self->pending)) == NULL)
    return;

  self->importing = g_file_get_basename (pending->file);
  self->cancellable = g_cancellable_new ();
  g_clear_pointer (&self->last_error, g_free);

  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  on_progress (self, 0.0, _("Starting…"));

  op_scan_import_async (self,
                        self->store,
                        self->case_id,
                        pending->file,
                        pending->jaw,
                        g_settings_get_uint (self->settings, "max-import-triangles"),
                        self->cancellable,
                        on_progress,
                        on_import_done,
                        GUINT_TO_POINTER (self->generation));

  pending_import_free (pending);
  op_case_view_update (self);
}

static void
on_load_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  OpCaseView *self = OP_CASE_VIEW (object);
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(GPtrArray) scans = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *warning = NULL;

  scans = op_scan_load_case_finish (result, &warning, &error);

  if (self->disposed || generation != self->generation)
    return;

  self->loading = FALSE;
  g_clear_object (&self->cancellable);

  if (scans == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        op_case_view_report_error (self, _("Could Not Load the Case’s Scans"), error->message);
    }
  else
    {
      for (guint i = 0; i < scans->len; i++)
        op_case_view_add_scan (self, g_ptr_array_index (scans, i));

      if (warning != NULL)
        op_case_view_report_error (self, _("Some Scans Could Not Be Shown"), warning);

      op_viewer_set_view (self->viewer, OP_VIEW_FRONT);
    }

  op_case_view_start_next_import (self);
  op_case_view_update (self);
}

static void
op_case_view_show_details (OpCaseView *self)
{
  g_autoptr(OpCaseSummary) summary = NULL;
  g_autoptr(GDateTime) created_utc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *created = NULL;

  self->accepts_scans = FALSE;

  if (!(summary = op_store_get_case (self->store, self->case_id, &error)))
    {
      op_case_view_report_error (self, _("Could Not Open Case"), error->message);
      return;
    }

  /* The store keeps UTC; people read their own clock. */
  if (summary->created_at != NULL &&
      (created_utc = g_date_time_new_from_iso8601 (summary->created_at, NULL)) != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (created_utc);
      created = g_date_time_format (local, "%Y-%m-%d %H:%M");
    }
  else
    created = g_strdup (summary->created_at ? summary->created_at : "");

  adw_action_row_set_subtitle (self->name_row, summary->title);
  adw_action_row_set_subtitle (self->birth_row, summary->birth_date ? summary->birth_date : "");
  adw_action_row_set_subtitle (self->chart_row,
                               summary->chart_number && *summary->chart_number
                                 ? summary->chart_number : _("None"));
  adw_action_row_set_subtitle (self->location_row,
                               summary->location_name ? summary->location_name : "");
  adw_action_row_set_subtitle (self->created_row, created);

  /* The store refuses scans once a plan is in review or later; say so
   * before the person picks a file rather than after. */
  self->accepts_scans = op_case_state_accepts_scans (summary->state);
}

static void
on_jaw_dialog_response (AdwMessageDialog *dialog,
                        const char       *response,
                        OpCaseView       *self)
{
  GFile *file = g_object_get_data (G_OBJECT (dialog), "op-file");
  OpJaw jaw;

  if (op_jaw_from_string (response, &jaw) && !self->disposed)
    op_case_view_import_file (self, file, jaw);
}

/* Asks which jaw a file is when neither its name nor the case can say. */
static void
op_case_view_ask_jaw (OpCaseView *self,
                      GFile      *file)
{
  g_autofree char *name = g_file_get_basename (file);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Which Scan Is This?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("The name “%s” does not say which jaw the scan shows."),
                                  name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "bite", _("_Bite"),
                                    "lower", _("_Lower"),
                                    "upper", _("_Upper"),
                                    NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "upper");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "op-file", g_object_ref (file), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_jaw_dialog_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         OpCaseView    *self)
{
  GdkFileList *list;
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || self->case_id <= 0)
    return FALSE;

  list = g_value_get_boxed (value);
  for (GSList *l = gdk_file_list_get_files (list); l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);

  if (files->len == 0)
    return FALSE;

  /* A folder, a DICOMDIR or a .dcm file is a CBCT, not a scan. */
  if (files->len == 1)
    {
      GFile *file = g_ptr_array_index (files, 0);
      g_autofree char *name = g_file_get_basename (file);

      if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY ||
          g_ascii_strcasecmp (name, "DICOMDIR") == 0 ||
          g_str_has_suffix (name, ".dcm") || g_str_has_suffix (name, ".DCM"))
        {
          op_case_view_load_volume (self, file);
          return TRUE;
        }
    }

  op_case_view_import_files (self, (GFile **) files->pdata, files->len);

  return TRUE;
}

static void
on_chooser_response (GtkNativeDialog *native,
                     int              response,
                     OpCaseView      *self)
{
  OpJaw jaw = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (native), "op-jaw"));

  if (response == GTK_RESPONSE_ACCEPT && !self->disposed)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        op_case_view_import_file (self, file, jaw);
    }

  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
add_scan_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  OpCaseView *self = OP_CASE_VIEW (widget);
  OpJaw jaw;

  if (op_jaw_from_string (g_variant_get_string (param, NULL), &jaw))
    op_case_view_choose_scan (self, jaw);
}

static void
add_cbct_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  OpCaseView *self = OP_CASE_VIEW (widget);

  adw_view_stack_set_visible_child_name (self->page_stack, "cbct");
  op_cbct_view_choose (self->cbct_view);
}

static void
view_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  OpCaseView *self = OP_CASE_VIEW (widget);
  OpView view;

  if (op_view_from_string (g_variant_get_string (param, NULL), &view))
    op_viewer_set_view (self->viewer, view);
}

static void
frame_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  op_viewer_frame_all (OP_CASE_VIEW (widget)->viewer);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  op_case_view_cancel (OP_CASE_VIEW (widget));
}

static void
on_viewer_error_notify (OpViewer   *viewer,
                        GParamSpec *pspec,
                        OpCaseView *self)
{
  adw_status_page_set_description (self->viewer_error_page,
                                   op_viewer_get_error_message (viewer));
  op_case_view_update (self);
}

static void
op_case_view_dispose (GObject *object)
{
  OpCaseView *self = (OpCaseView *)object;

  self->disposed = TRUE;
  op_case_view_cancel (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), OP_TYPE_CASE_VIEW);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->importing, g_free);

  G_OBJECT_CLASS (op_case_view_parent_class)->dispose (object);
}

static void
op_case_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  OpCaseView *self = OP_CASE_VIEW (object);

  switch (prop_id)
    {
    case PROP_CASE_ID:
      g_value_set_int64 (value, self->case_id);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, op_case_view_is_busy (self));
      break;

    case PROP_N_SCANS:
      g_value_set_uint (value, self->n_scans);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
op_case_view_class_init (OpCaseViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = op_case_view_dispose;
  object_class->get_property = op_case_view_get_property;

  properties [PROP_CASE_ID] =
    g_param_spec_int64 ("case-id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties [PROP_N_SCANS] =
    g_param_spec_uint ("n-scans", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted after a scan was imported, so that lists showing scan counts
   * can refresh. */
  signals [SCANS_CHANGED] =
    g_signal_new ("scans-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (OP_TYPE_VIEWER);
  g_type_ensure (OP_TYPE_CBCT_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/orthoplan/Orthoplan/ui/op-case-view.ui");
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, progress_label);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, viewer_overlay);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, viewer_stack);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, viewer);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, viewer_error_page);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, view_toolbar);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, scan_list);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, name_row);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, birth_row);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, chart_row);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, location_row);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, created_row);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, page_stack);
  gtk_widget_class_bind_template_child (widget_class, OpCaseView, cbct_view);

  gtk_widget_class_install_action (widget_class, "case.add-scan", "s", add_scan_action);
  gtk_widget_class_install_action (widget_class, "case.add-cbct", NULL, add_cbct_action);
  gtk_widget_class_install_action (widget_class, "case.view", "s", view_action);
  gtk_widget_class_install_action (widget_class, "case.frame", NULL, frame_action);
  gtk_widget_class_install_action (widget_class, "case.cancel", NULL, cancel_action);

  gtk_widget_class_set_css_name (widget_class, "opcaseview");
}

static void
op_case_view_init (OpCaseView *self)
{
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_queue_init (&self->pending);

  /* Files dropped anywhere on the 3D area, including its empty state. */
  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self->viewer_overlay), GTK_EVENT_CONTROLLER (target));

  g_signal_connect_object (self->viewer, "notify::error-message",
                           G_CALLBACK (on_viewer_error_notify), self, 0);

  op_cbct_view_set_viewer (self->cbct_view, self->viewer);
  g_signal_connect_object (self->cbct_view, "progress",
                           G_CALLBACK (on_cbct_progress), self, 0);
  g_signal_connect_object (self->cbct_view, "notify::busy",
                           G_CALLBACK (on_cbct_state_notify), self, 0);
  g_signal_connect_object (self->cbct_view, "notify::has-volume",
                           G_CALLBACK (on_cbct_state_notify), self, 0);

  op_case_view_update (self);
}

GtkWidget *
op_case_view_new (void)
{
  return g_object_new (OP_TYPE_CASE_VIEW, NULL);
}

void
op_case_view_set_store (OpCaseView *self,
                        OpStore    *store)
{
  g_return_if_fail (OP_IS_CASE_VIEW (self));
  g_return_if_fail (store == NULL || OP_IS_STORE (store));

  if (g_set_object (&self->store, store))
    {
      op_cbct_view_set_store (self->cbct_view, store);
      op_case_view_update (self);
    }
}

void
op_case_view_load_case (OpCaseView *self,
                        gint64      case_id)
{
  g_return_if_fail (OP_IS_CASE_VIEW (self));
  g_return_if_fail (self->store != NULL);

  op_case_view_cancel (self);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->importing, g_free);
  g_clear_pointer (&self->last_error, g_free);
  self->loading = FALSE;
  self->generation++;

  op_case_view_clear_scans (self);

  self->case_id = case_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CASE_ID]);

  /* After the viewer was cleared, so that the CBCT's surface joins the
   * new case's scans. */
  op_cbct_view_load_case (self->cbct_view, case_id);

  if (case_id <= 0)
    {
      op_case_view_update (self);
      return;
    }

  op_case_view_show_details (self);

  self->loading = TRUE;
  self->cancellable = g_cancellable_new ();
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_label_set_text (self->progress_label, _("Loading scans…"));

  op_scan_load_case_async (self,
                           self->store,
                           case_id,
                           g_settings_get_uint (self->settings, "max-import-triangles"),
                           self->cancellable,
                           on_progress,
                           on_load_done,
                           GUINT_TO_POINTER (self->generation));

  op_case_view_update (self);
}

gint64
op_case_view_get_case_id (OpCaseView *self)
{
  g_return_val_if_fail (OP_IS_CASE_VIEW (self), 0);

  return self->case_id;
}

void
op_case_view_import_file (OpCaseView *self,
                          GFile      *file,
                          OpJaw       jaw)
{
  PendingImport *pending;

  g_return_if_fail (OP_IS_CASE_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->store == NULL || self->case_id <= 0)
    {
      op_case_view_report_error (self, _("Could Not Import Scan"),
                                 _("Open or create a case before importing scans."));
      return;
    }

  pending = g_new0 (PendingImport, 1);
  pending->file = g_object_ref (file);
  pending->jaw = jaw;
  g_queue_push_tail (&self->pending, pending);

  op_case_view_start_next_import (self);
}

void
op_case_view_import_files (OpCaseView  *self,
                           GFile      **files,
                           guint        n_files)
{
  gboolean jaw_taken[3] = { FALSE, FALSE, FALSE };

  g_return_if_fail (OP_IS_CASE_VIEW (self));

  for (guint i = 0; i < G_N_ELEMENTS (jaw_taken); i++)
    jaw_taken[i] = self->jaw_count[i] > 0;

  /* Files whose names say what they are claim their jaws first, so that
   * "scan1.stl" dropped with "lower.stl" becomes the upper arch. */
  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *name = g_file_get_basename (files[i]);
      OpJaw jaw;

      if (op_scan_guess_jaw (name, &jaw))
        jaw_taken[jaw] = TRUE;
    }

  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *name = g_file_get_basename (files[i]);
      OpJaw jaw;

      if (op_scan_guess_jaw (name, &jaw))
        op_case_view_import_file (self, files[i], jaw);
      else if (!jaw_taken[OP_JAW_UPPER] || !jaw_taken[OP_JAW_LOWER])
        {
          jaw = !jaw_taken[OP_JAW_UPPER] ? OP_JAW_UPPER : OP_JAW_LOWER;
          jaw_taken[jaw] = TRUE;
          op_case_view_import_file (self, files[i], jaw);
        }
      else
        op_case_view_ask_jaw (self, files[i]);
    }
}

void
op_case_view_choose_scan (OpCaseView *self,
                          OpJaw       jaw)
{
  static const char * const titles[] = {
    N_("Add Upper Scan"),
    N_("Add Lower Scan"),
    N_("Add Bite Scan"),
  };
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) scans = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  GtkRoot *root;

  g_return_if_fail (OP_IS_CASE_VIEW (self));
  g_return_if_fail (jaw <= OP_JAW_BITE);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  native = gtk_file_chooser_native_new (_(titles[jaw]),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Import"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  gtk_file_filter_set_name (scans, _("Scans (STL, PLY, OBJ)"));
  gtk_file_filter_add_suffix (scans, "stl");
  gtk_file_filter_add_suffix (scans, "ply");
  gtk_file_filter_add_suffix (scans, "obj");
  gtk_file_filter_add_mime_type (scans, "model/stl");
  gtk_file_filter_add_mime_type (scans, "model/x.stl-binary");
  gtk_file_filter_add_mime_type (scans, "model/x.stl-ascii");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), scans);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (native), scans);

  g_object_set_data (G_OBJECT (native), "op-jaw", GUINT_TO_POINTER (jaw));
  g_signal_connect_object (native, "response", G_CALLBACK (on_chooser_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

OpJaw
op_case_view_get_missing_jaw (OpCaseView *self)
{
  g_return_val_if_fail (OP_IS_CASE_VIEW (self), OP_JAW_UPPER);

  for (guint i = 0; i < G_N_ELEMENTS (self->jaw_count); i++)
    if (self->jaw_count[i] == 0)
      return (OpJaw) i;

  return OP_JAW_UPPER;
}

gboolean
op_case_view_get_busy (OpCaseView *self)
{
  g_return_val_if_fail (OP_IS_CASE_VIEW (self), FALSE);

  return op_case_view_is_busy (self) || !g_queue_is_empty (&self->pending);
}

guint
op_case_view_get_n_scans (OpCaseView *self)
{
  g_return_val_if_fail (OP_IS_CASE_VIEW (self), 0);

  return self->n_scans;
}

OpViewer *
op_case_view_get_viewer (OpCaseView *self)
{
  g_return_val_if_fail (OP_IS_CASE_VIEW (self), NULL);

  return self->viewer;
}

const char *
op_case_view_get_last_error (OpCaseView *self)
{
  g_return_val_if_fail (OP_IS_CASE_VIEW (self), NULL);

  return self->last_error;
}

void
op_case_view_load_volume (OpCaseView *self,
                          GFile      *file)
{
  g_return_if_fail (OP_IS_CASE_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  adw_view_stack_set_visible_child_name (self->page_stack, "cbct");
  op_cbct_view_load_file (self->cbct_view, file);
}

OpCbctView *
op_case_view_get_cbct_view (OpCaseView *self)
{
  g_return_val_if_fail (OP_IS_CASE_VIEW (self), NULL);

  return self->cbct_view;
}

void
op_case_view_set_page (OpCaseView *self,
                       const char *name)
{
  g_return_if_fail (OP_IS_CASE_VIEW (self));
  g_return_if_fail (name != NULL);

  adw_view_stack_set_visible_child_name (self->page_stack, name);
}
