/* op-cbct-view.c: the case's CBCT page.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One job runs at a time (load, question, store, reopen or surface), all
 * under one GCancellable; a job started for a case that is no longer shown
 * is recognised by its generation and dropped.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "op-cbct-view-private.h"
#include "op-window.h"

G_DEFINE_FINAL_TYPE (OpCbctView, op_cbct_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_HAS_VOLUME,
  N_PROPS
};

enum {
  PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static void op_cbct_view_start_load    (OpCbctView *self,
                                        const char *series_uid,
                                        gboolean    downsample);

/* ---- feedback ---------------------------------------------------------- */

static OpWindow *
get_window (OpCbctView *self)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), OP_TYPE_WINDOW);

  return window != NULL ? OP_WINDOW (window) : NULL;
}

static GtkWindow *
get_toplevel (OpCbctView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
toast (OpCbctView *self,
       const char *title)
{
  OpWindow *window = get_window (self);

  g_free (self->last_toast);
  self->last_toast = g_strdup (title);

  if (window != NULL)
    op_window_add_toast (window, adw_toast_new (title));
}

void
op__cbct_view_report_error (OpCbctView *self,
              const char *heading,
              const char *message)
{
  OpWindow *window = get_window (self);

  g_free (self->last_error);
  self->last_error = g_strdup (message);

  if (window != NULL)
    op_window_show_error (window, heading, message);
  else
    g_warning ("%s: %s", heading, message);
}

void
op__cbct_view_set_stage (OpCbctView *self,
           Stage       stage)
{
  gboolean was_busy = self->stage != STAGE_IDLE;

  self->stage = stage;
  if (was_busy != (stage != STAGE_IDLE))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "cbct.add",
                                 self->store != NULL && self->case_id > 0 &&
                                 (stage == STAGE_IDLE || stage == STAGE_SURFACE));
}

void
op__cbct_view_progress (gpointer    source_object,
             double      fraction,
             const char *stage)
{
  OpCbctView *self = source_object;

  if (self->disposed || self->stage == STAGE_IDLE)
    return;

  g_signal_emit (self, signals [PROGRESS], 0, fraction, stage);
}

/* Every end of a job goes through here: the cancellable is spent, and a
 * surface asked for meanwhile (a new threshold) starts now. */
void
op__cbct_view_finish_job (OpCbctView *self)
{
  g_clear_object (&self->cancellable);
  op__cbct_view_set_stage (self, STAGE_IDLE);

  if (self->surface_wanted && self->ref != NULL)
    op__cbct_view_start_surface (self);
}

gboolean
op__cbct_view_is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, OP_DICOM_ERROR, OP_DICOM_ERROR_CANCELLED);
}

/* ---- what is shown ----------------------------------------------------- */

static void
show_identity (OpCbctView *self,
               const char *name,
               const char *birth_date,
               const char *patient_id,
               const char *warning)
{
  g_autofree char *text = NULL;

  /* Translators: the patient's name, date of birth and id as the DICOM
   * headers give them */
  text = g_strdup_printf (_("%s · born %s · ID %s"),
                          name && *name ? name : "—",
                          birth_date && *birth_date ? birth_date : "—",
                          patient_id && *patient_id ? patient_id : "—");
  if (warning != NULL && *warning)
    {
      g_autofree char *both = g_strdup_printf ("%s\n%s", text, warning);

      adw_action_row_set_subtitle (self->identity_row, both);
      gtk_image_set_from_icon_name (self->identity_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->identity_icon), "warning");
    }
  else
    {
      adw_action_row_set_subtitle (self->identity_row, text);
      gtk_image_set_from_icon_name (self->identity_icon, "emblem-ok-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->identity_icon), "warning");
    }
}

static void
show_summary (OpCbctView     *self,
              const char     *description,
              const char     *modality,
              guint           n_images,
              int             factor,
              const char     *corrections)
{
  const OpVolume *volume = self->ref->volume;
  g_autofree char *series = NULL;
  g_autofree char *size = NULL;

  /* Translators: modality, description and image count, "CT · Head · 28 images" */
  series = g_strdup_printf (_("%s · %s · %u images"),
                            modality && *modality ? modality : "—",
                            description && *description ? description : _("no description"),
                            n_images);
  /* Translators: voxel counts and spacing of a volume */
  size = g_strdup_printf (_("%d × %d × %d, %.3f × %.3f × %.3f mm%s"),
                          volume->dims[0], volume->dims[1], volume->dims[2],
                          volume->spacing[0], volume->spacing[1], volume->spacing[2],
                          factor > 1 ? _(", downsampled") : "");

  adw_action_row_set_subtitle (self->series_row, series);
  adw_action_row_set_subtitle (self->size_row, size);
  adw_action_row_set_subtitle (self->corrections_row,
                               corrections && *corrections ? corrections : _("Nothing"));
}

/* Takes @volume: shows it in the panes, sets up the threshold slider and
 * starts the surface. */
static void
show_volume (OpCbctView *self,
             OpVolume   *volume,
             int         threshold_raw)
{
  GtkAdjustment *adjustment = gtk_range_get_adjustment (GTK_RANGE (self->threshold_scale));
  gint16 lo = G_MAXINT16, hi = G_MININT16;
  gsize n;

  op__cbct_view_remove_mesh (self, &self->surface_handle);
  op__cbct_view_remove_mesh (self, &self->marker_handle);
  self->surface_triangles = 0;

  g_clear_pointer (&self->ref, op_volume_ref_release);
  self->ref = op_volume_ref_new (volume);

  n = (gsize) volume->dims[0] * volume->dims[1] * volume->dims[2];
  for (gsize i = 0; i < n; i++)
    {
      lo = MIN (lo, volume->voxels[i]);
      hi = MAX (hi, volume->voxels[i]);
    }

  self->auto_threshold_hu = op_volume_raw_to_hu (volume, threshold_raw);
  self->threshold_hu = self->auto_threshold_hu;

  /* The slider spans what the volume holds, from the air up; thresholds
   * below the air's -1000 HU would wrap the whole field of view. */
  self->setting_scale = TRUE;
  gtk_adjustment_configure (adjustment, self->threshold_hu,
                            MAX (op_volume_raw_to_hu (volume, lo), -1000.0),
                            MAX (op_volume_raw_to_hu (volume, hi), self->threshold_hu + 1),
                            10, 100, 0);
  self->setting_scale = FALSE;

  op_slice_view_set_volume (self->slice_view, self->ref);
  gtk_stack_set_visible_child_name (self->stack, "slices");
  op__cbct_view_update_threshold_row (self);

  self->framed = FALSE;
  self->surface_wanted = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_HAS_VOLUME]);
}

static void
clear_volume (OpCbctView *self)
{
  op__cbct_view_remove_mesh (self, &self->surface_handle);
  op__cbct_view_remove_mesh (self, &self->marker_handle);
  if (self->viewer != NULL)
    op_viewer_set_clip_plane (self->viewer, NULL);

  g_clear_pointer (&self->ref, op_volume_ref_release);
  self->volume_id = 0;
  self->surface_triangles = 0;
  self->surface_wanted = FALSE;

  op_slice_view_set_volume (self->slice_view, NULL);
  gtk_stack_set_visible_child_name (self->stack, "empty");
  adw_action_row_set_subtitle (self->series_row, _("None"));
  adw_action_row_set_subtitle (self->size_row, "");
  adw_action_row_set_subtitle (self->corrections_row, "");
  adw_action_row_set_subtitle (self->threshold_row, "");
  show_identity (self, NULL, NULL, NULL, NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_HAS_VOLUME]);
}

/* ---- storing ----------------------------------------------------------- */

static void
on_store_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  OpCbctView *self = OP_CBCT_VIEW (object);
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(OpLoadedVolume) loaded = NULL;
  g_autoptr(GError) error = NULL;
  gint64 volume_id = 0;

  loaded = op_volume_store_finish (result, &volume_id, &error);

  if (self->disposed || generation != self->generation)
    return;

  if (loaded == NULL)
    {
      if (op__cbct_view_is_cancelled (error))
        toast (self, _("CBCT not added: cancelled"));
      else
        op__cbct_view_report_error (self, _("Could Not Store the CBCT"), error->message);
    }
  else
    {
      OpDicomVolume *dicom = loaded->dicom;
      OpDicomSeries *series = dicom->series;
      g_autofree char *title = NULL;

      self->volume_id = volume_id;
      show_volume (self, g_steal_pointer (&dicom->volume), loaded->threshold);
      show_summary (self, series->description, series->modality, series->n_images,
                    dicom->factor, dicom->corrections);
      show_identity (self, series->identity.name, series->identity.birth_date,
                     series->identity.patient_id,
                     op_loaded_volume_is_mismatch (loaded) ? loaded->identity_message : NULL);

      title = *dicom->corrections
        ? g_strdup_printf (_("CBCT added to the case; %s"), dicom->corrections)
        : g_strdup (_("CBCT added to the case"));
      toast (self, title);
    }

  op__cbct_view_finish_job (self);
}

static void
store_loaded (OpCbctView     *self,
              OpLoadedVolume *loaded)
{
  op__cbct_view_set_stage (self, STAGE_STORING);
  op__cbct_view_progress (self, 0.0, _("Saving the CBCT to the case…"));

  op_volume_store_async (self, self->store, self->case_id, loaded,
                         self->cancellable, op__cbct_view_progress, on_store_done,
                         GUINT_TO_POINTER (self->generation));
}

/* ---- questions --------------------------------------------------------- */

static void
on_dialog_response (AdwMessageDialog *dialog,
                    const char       *response,
                    OpCbctView       *self)
{
  const char *kind = g_object_get_data (G_OBJECT (dialog), "op-kind");
  g_autoptr(OpLoadedVolume) asking = NULL;

  /* The dialog closes itself after this; it is no longer the question
   * on screen even while GTK still holds it. */
  if (self->dialog == dialog)
    g_clear_weak_pointer (&self->dialog);

  if (self->disposed || self->stage != STAGE_ASKING)
    return;

  asking = g_steal_pointer (&self->asking);

  if (g_str_equal (response, "cancel"))
    {
      toast (self, _("CBCT not added"));
      op__cbct_view_finish_job (self);
      return;
    }

  if (g_str_equal (kind, "series"))
    {
      GtkListBox *list = g_object_get_data (G_OBJECT (dialog), "op-list");
      GtkListBoxRow *row = gtk_list_box_get_selected_row (list);
      int index = row != NULL ? gtk_list_box_row_get_index (row) : 0;
      OpDicomSeries *series = g_ptr_array_index (asking->scan->series, index);

      op_cbct_view_start_load (self, series->uid, FALSE);
    }
  else if (g_str_equal (kind, "size"))
    {
      const char *series_uid = g_object_get_data (G_OBJECT (dialog), "op-series");

      op_cbct_view_start_load (self, series_uid, TRUE);
    }
  else
    store_loaded (self, g_steal_pointer (&asking));
}

/* Shows a question and waits; the answer goes to on_dialog_response. */
static AdwMessageDialog *
ask (OpCbctView     *self,
     const char     *kind,
     const char     *heading,
     const char     *body,
     OpLoadedVolume *loaded)
{
  GtkWidget *dialog = adw_message_dialog_new (get_toplevel (self), heading, body);

  g_clear_pointer (&self->asking, op_loaded_volume_free);
  self->asking = loaded;
  op__cbct_view_set_stage (self, STAGE_ASKING);
  op__cbct_view_progress (self, -1, _("Waiting for your answer…"));

  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "op-kind", g_strdup (kind), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_dialog_response), self, 0);
  g_set_weak_pointer (&self->dialog, ADW_MESSAGE_DIALOG (dialog));

  return ADW_MESSAGE_DIALOG (dialog);
}

static void
ask_series (OpCbctView     *self,
            OpLoadedVolume *loaded)
{
  g_autofree char *body = g_strdup_printf (_("“%s” holds %u series. Which one is the CBCT?"),
                                           loaded->name, loaded->scan->series->len);
  GtkWidget *list = gtk_list_box_new ();
  AdwMessageDialog *dialog;

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_BROWSE);
  gtk_widget_add_css_class (list, "boxed-list");

  for (guint i = 0; i < loaded->scan->series->len; i++)
    {
      OpDicomSeries *series = g_ptr_array_index (loaded->scan->series, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle =
        /* Translators: image count, size and date of a DICOM series */
        g_strdup_printf (_("%u images, %d × %d, %s"), series->n_images, series->columns,
                         series->rows, series->study_date ? series->study_date : _("no date"));
      g_autofree char *title =
        g_strdup_printf ("%s · %s", series->modality ? series->modality : "—",
                         series->description && *series->description
                           ? series->description : _("no description"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  gtk_list_box_select_row (GTK_LIST_BOX (list), gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0));

  dialog = ask (self, "series", _("Choose a Series"), body, loaded);
  adw_message_dialog_set_extra_child (dialog, list);
  g_object_set_data (G_OBJECT (dialog), "op-list", list);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "load", _("_Load"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "load", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "load");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
ask_downsample (OpCbctView *self,
                const char *series_uid,
                const char *message)
{
  g_autofree char *body = g_strdup_printf (_("%s\n\nLoad it at half the resolution along each axis? "
                                             "It needs an eighth of the memory."), message);
  AdwMessageDialog *dialog = ask (self, "size", _("CBCT Too Large"), body, NULL);

  g_object_set_data_full (G_OBJECT (dialog), "op-series", g_strdup (series_uid), g_free);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"),
                                    "downsample", _("Load _Downsampled"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "downsample", ADW_RESPONSE_SUGGESTED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
ask_identity (OpCbctView     *self,
              OpLoadedVolume *loaded)
{
  g_autofree char *body = g_strdup_printf (_("%s\n\nA CBCT of another patient must not be planned "
                                             "with. Store it with this case anyway?"),
                                           loaded->identity_message);
  AdwMessageDialog *dialog = ask (self, "identity", _("Another Patient’s CBCT?"), body, loaded);

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "store", _("_Store Anyway"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "store", ADW_RESPONSE_DESTRUCTIVE);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- loading ----------------------------------------------------------- */

static void
on_load_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  OpCbctView *self = OP_CBCT_VIEW (object);
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(OpLoadedVolume) loaded = NULL;
  g_autoptr(GError) error = NULL;

  loaded = op_volume_load_finish (result, &error);

  if (self->disposed || generation != self->generation)
    return;

  if (loaded == NULL)
    {
      if (op__cbct_view_is_cancelled (error))
        toast (self, _("CBCT loading cancelled"));
      else if (g_error_matches (error, OP_DICOM_ERROR, OP_DICOM_ERROR_TOO_LARGE))
        {
          const char *series_uid = g_object_get_data (G_OBJECT (self), "op-series");

          ask_downsample (self, series_uid, error->message);
          return;
        }
      else
        op__cbct_view_report_error (self, _("Could Not Load the CBCT"), error->message);

      op__cbct_view_finish_job (self);
      return;
    }

  if (loaded->scan != NULL)
    {
      ask_series (self, g_steal_pointer (&loaded));
      return;
    }

  if (loaded->dicom->skipped->len > 0)
    {
      g_autofree char *title =
        g_strdup_printf (ngettext ("%u file skipped: not a DICOM image",
                                   "%u files skipped: not DICOM images",
                                   loaded->dicom->skipped->len),
                         loaded->dicom->skipped->len);
      toast (self, title);
    }

  if (op_loaded_volume_is_mismatch (loaded))
    ask_identity (self, g_steal_pointer (&loaded));
  else
    store_loaded (self, g_steal_pointer (&loaded));
}

static void
op_cbct_view_start_load (OpCbctView *self,
                         const char *series_uid,
                         gboolean    downsample)
{
  g_autoptr(OpCaseSummary) summary = NULL;
  g_autoptr(OpPatient) patient = NULL;
  g_autoptr(GError) error = NULL;
  OpVolumeLoadOptions options = { 0 };

  /* The patient is read here, on the main thread, so the worker needs
   * nothing from the store until it stores. */
  if (!(summary = op_store_get_case (self->store, self->case_id, &error)) ||
      !(patient = op_store_get_patient (self->store, summary->patient_id, &error)))
    {
      op__cbct_view_report_error (self, _("Could Not Load the CBCT"), error->message);
      op__cbct_view_finish_job (self);
      return;
    }

  if (!op_case_state_accepts_scans (summary->state))
    {
      op__cbct_view_report_error (self, _("Could Not Load the CBCT"),
                    _("This case no longer accepts new images: its plan is in review or later."));
      op__cbct_view_finish_job (self);
      return;
    }

  /* Remembered for a downsampled retry after a size refusal. */
  g_object_set_data_full (G_OBJECT (self), "op-series", g_strdup (series_uid), g_free);

  options.series_uid = series_uid;
  options.downsample = downsample;
  options.max_bytes = self->max_bytes;

  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  op__cbct_view_set_stage (self, STAGE_LOADING);
  op__cbct_view_progress (self, 0.0, _("Looking for DICOM series…"));

  op_volume_load_async (self, self->file, &options, patient, self->cancellable,
                        op__cbct_view_progress, on_load_done, GUINT_TO_POINTER (self->generation));
}

/* ---- reopening --------------------------------------------------------- */

static void
on_open_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  OpCbctView *self = OP_CBCT_VIEW (object);
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(OpStoredVolume) stored = NULL;
  g_autoptr(GError) error = NULL;

  stored = op_volume_open_case_finish (result, &error);

  if (self->disposed || generation != self->generation)
    return;

  if (stored != NULL)
    {
      OpVolumeRecord *record = stored->record;

      self->volume_id = record->id;
      show_volume (self, g_steal_pointer (&stored->volume), record->threshold);
      show_summary (self, record->description, record->modality, record->n_images,
                    record->factor, record->corrections);
      show_identity (self, record->patient_name, record->birth_date, record->patient_id,
                     record->identity_warning);
    }
  else if (error != NULL && !op__cbct_view_is_cancelled (error))
    op__cbct_view_report_error (self, _("Could Not Load the Case’s CBCT"), error->message);

  op__cbct_view_finish_job (self);
}

/* ---- actions and signals ----------------------------------------------- */

static void
on_chooser_response (GtkNativeDialog *native,
                     int              response,
                     OpCbctView      *self)
{
  if (response == GTK_RESPONSE_ACCEPT && !self->disposed)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        op_cbct_view_load_file (self, file);
    }

  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  op_cbct_view_choose (OP_CBCT_VIEW (widget));
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         OpCbctView    *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || self->case_id <= 0)
    return FALSE;

  /* A CBCT is one folder, DICOMDIR or file; of several, the first. */
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;

  op_cbct_view_load_file (self, files->data);
  g_slist_free (files);

  return TRUE;
}

static void
op_cbct_view_dispose (GObject *object)
{
  OpCbctView *self = (OpCbctView *)object;

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->threshold_timeout, g_source_remove);
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  g_clear_weak_pointer (&self->dialog);
  g_clear_weak_pointer (&self->viewer);

  gtk_widget_dispose_template (GTK_WIDGET (self), OP_TYPE_CBCT_VIEW);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->file);
  g_clear_pointer (&self->ref, op_volume_ref_release);
  g_clear_pointer (&self->asking, op_loaded_volume_free);
  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->last_toast, g_free);

  G_OBJECT_CLASS (op_cbct_view_parent_class)->dispose (object);
}

static void
op_cbct_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  OpCbctView *self = OP_CBCT_VIEW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, op_cbct_view_get_busy (self));
      break;

    case PROP_HAS_VOLUME:
      g_value_set_boolean (value, op_cbct_view_has_volume (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
op_cbct_view_class_init (OpCbctViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = op_cbct_view_dispose;
  object_class->get_property = op_cbct_view_get_property;

  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  properties [PROP_HAS_VOLUME] =
    g_param_spec_boolean ("has-volume", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* How far the running job got: a fraction in 0..1, or negative when
   * unknown, and what it is doing. */
  signals [PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_STRING);

  g_type_ensure (OP_TYPE_SLICE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/orthoplan/Orthoplan/ui/op-cbct-view.ui");
  gtk_widget_class_bind_template_child (widget_class, OpCbctView, stack);
  gtk_widget_class_bind_template_child (widget_class, OpCbctView, slice_view);
  gtk_widget_class_bind_template_child (widget_class, OpCbctView, series_row);
  gtk_widget_class_bind_template_child (widget_class, OpCbctView, size_row);
  gtk_widget_class_bind_template_child (widget_class, OpCbctView, corrections_row);
  gtk_widget_class_bind_template_child (widget_class, OpCbctView, identity_row);
  gtk_widget_class_bind_template_child (widget_class, OpCbctView, identity_icon);
  gtk_widget_class_bind_template_child (widget_class, OpCbctView, surface_switch);
  gtk_widget_class_bind_template_child (widget_class, OpCbctView, threshold_row);
  gtk_widget_class_bind_template_child (widget_class, OpCbctView, threshold_scale);
  gtk_widget_class_bind_template_child (widget_class, OpCbctView, clip_row);
  gtk_widget_class_bind_template_child (widget_class, OpCbctView, marker_switch);

  gtk_widget_class_install_action (widget_class, "cbct.add", NULL, add_action);

  gtk_widget_class_set_css_name (widget_class, "opcbctview");
}

static void
op_cbct_view_init (OpCbctView *self)
{
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));

  op__cbct_view_init_3d (self);

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  op__cbct_view_set_stage (self, STAGE_IDLE);
}

/* ---- public ------------------------------------------------------------ */

GtkWidget *
op_cbct_view_new (void)
{
  return g_object_new (OP_TYPE_CBCT_VIEW, NULL);
}

void
op_cbct_view_set_store (OpCbctView *self,
                        OpStore    *store)
{
  g_return_if_fail (OP_IS_CBCT_VIEW (self));
  g_return_if_fail (store == NULL || OP_IS_STORE (store));

  g_set_object (&self->store, store);
  op__cbct_view_set_stage (self, self->stage);
}

void
op_cbct_view_set_viewer (OpCbctView *self,
                         OpViewer   *viewer)
{
  g_return_if_fail (OP_IS_CBCT_VIEW (self));
  g_return_if_fail (viewer == NULL || OP_IS_VIEWER (viewer));

  g_set_weak_pointer (&self->viewer, viewer);
}

void
op_cbct_view_cancel (OpCbctView *self)
{
  g_return_if_fail (OP_IS_CBCT_VIEW (self));

  g_clear_handle_id (&self->threshold_timeout, g_source_remove);
  self->surface_wanted = FALSE;

  if (self->stage == STAGE_ASKING && self->dialog != NULL)
    adw_message_dialog_response (self->dialog, "cancel");
  else
    g_cancellable_cancel (self->cancellable);
}

void
op_cbct_view_load_case (OpCbctView *self,
                        gint64      case_id)
{
  g_return_if_fail (OP_IS_CBCT_VIEW (self));

  op_cbct_view_cancel (self);
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  g_clear_pointer (&self->asking, op_loaded_volume_free);
  g_clear_pointer (&self->last_error, g_free);
  g_clear_object (&self->cancellable);
  self->generation++;
  self->case_id = case_id;
  op__cbct_view_set_stage (self, STAGE_IDLE);

  /* The case view cleared the 3D view for the new case already; the old
   * handles mean nothing now. */
  self->surface_handle = 0;
  self->marker_handle = 0;
  clear_volume (self);

  if (self->store == NULL || case_id <= 0)
    return;

  self->cancellable = g_cancellable_new ();
  op__cbct_view_set_stage (self, STAGE_OPENING);
  op_volume_open_case_async (self, self->store, case_id, self->cancellable,
                             op__cbct_view_progress, on_open_done, GUINT_TO_POINTER (self->generation));
}

void
op_cbct_view_load_file (OpCbctView *self,
                        GFile      *file)
{
  g_return_if_fail (OP_IS_CBCT_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->store == NULL || self->case_id <= 0)
    {
      op__cbct_view_report_error (self, _("Could Not Load the CBCT"),
                    _("Open or create a case before adding a CBCT."));
      return;
    }

  if (self->stage != STAGE_IDLE && self->stage != STAGE_SURFACE)
    {
      toast (self, _("Another CBCT is being loaded; wait for it or cancel it first"));
      return;
    }

  /* A surface being built for the old volume is not worth waiting for. */
  if (self->stage == STAGE_SURFACE)
    {
      g_cancellable_cancel (self->cancellable);
      self->generation++;
      op__cbct_view_finish_job (self);
    }

  g_clear_pointer (&self->last_error, g_free);
  g_set_object (&self->file, file);
  self->surface_wanted = FALSE;

  op_cbct_view_start_load (self, NULL, FALSE);
}

void
op_cbct_view_choose (OpCbctView *self)
{
  GtkFileChooserNative *native;

  g_return_if_fail (OP_IS_CBCT_VIEW (self));

  /* A folder, because a CBCT is a series of files; a DICOMDIR or a
   * single multi-frame file can be dropped instead. */
  native = gtk_file_chooser_native_new (_("Add CBCT (DICOM Folder)"),
                                        get_toplevel (self),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                        _("_Add"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect_object (native, "response", G_CALLBACK (on_chooser_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

void
op_cbct_view_set_max_bytes (OpCbctView *self,
                            guint64     max_bytes)
{
  g_return_if_fail (OP_IS_CBCT_VIEW (self));

  self->max_bytes = max_bytes;
}

gboolean
op_cbct_view_get_busy (OpCbctView *self)
{
  g_return_val_if_fail (OP_IS_CBCT_VIEW (self), FALSE);

  return self->stage != STAGE_IDLE || self->threshold_timeout != 0;
}

gboolean
op_cbct_view_has_volume (OpCbctView *self)
{
  g_return_val_if_fail (OP_IS_CBCT_VIEW (self), FALSE);

  return self->ref != NULL;
}

gint64
op_cbct_view_get_volume_id (OpCbctView *self)
{
  g_return_val_if_fail (OP_IS_CBCT_VIEW (self), 0);

  return self->volume_id;
}

OpSliceView *
op_cbct_view_get_slice_view (OpCbctView *self)
{
  g_return_val_if_fail (OP_IS_CBCT_VIEW (self), NULL);

  return self->slice_view;
}

double
op_cbct_view_get_threshold (OpCbctView *self)
{
  g_return_val_if_fail (OP_IS_CBCT_VIEW (self), 0);

  return self->threshold_hu;
}

void
op_cbct_view_set_threshold (OpCbctView *self,
                            double      hu)
{
  g_return_if_fail (OP_IS_CBCT_VIEW (self));

  /* Through the slider, so that it shows the value and the surface is
   * rebuilt the way a person's change rebuilds it. */
  gtk_range_set_value (GTK_RANGE (self->threshold_scale), hu);
}

gsize
op_cbct_view_get_surface_triangles (OpCbctView *self)
{
  g_return_val_if_fail (OP_IS_CBCT_VIEW (self), 0);

  return self->surface_triangles;
}

void
op_cbct_view_set_clip (OpCbctView *self,
                       int         plane)
{
  g_return_if_fail (OP_IS_CBCT_VIEW (self));
  g_return_if_fail (plane >= -1 && plane <= OP_PLANE_SAGITTAL);

  adw_combo_row_set_selected (self->clip_row, (guint) (plane + 1));
}

AdwMessageDialog *
op_cbct_view_get_dialog (OpCbctView *self)
{
  g_return_val_if_fail (OP_IS_CBCT_VIEW (self), NULL);

  return self->dialog;
}

const char *
op_cbct_view_get_last_error (OpCbctView *self)
{
  g_return_val_if_fail (OP_IS_CBCT_VIEW (self), NULL);

  return self->last_error;
}

const char *
op_cbct_view_get_last_toast (OpCbctView *self)
{
  g_return_val_if_fail (OP_IS_CBCT_VIEW (self), NULL);

  return self->last_toast;
}
