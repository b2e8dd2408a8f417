/* op-teeth-view.c: the Teeth page: a scan's segmentation, tooth selection,
 * renumbering with undo, and saving corrected versions.
 *
 * The page decides nothing clinical: which numbers a tooth may take, what
 * an edit changes and what confidence a corrected tooth gets all come from
 * planner/op-seg-edit; what may be stored from io/op-store-segment.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "op-app-settings.h"
#include "op-fdi.h"
#include "op-mesh-io.h"
#include "op-teeth-view-private.h"

G_DEFINE_FINAL_TYPE (OpTeethView, op_teeth_view, ADW_TYPE_BIN)

enum {
  SIGNAL_LOADED,
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];


/* ---- display ---------------------------------------------------------- */

/* A colour per tooth: neighbours differ, and the two sides of the arch
 * use lighter and darker shades of the same eight, so that a tooth's
 * colour says where it sits without reading its number. */
static void
tooth_color (int   fdi,
             float rgba[4])
{
  static const float base[8][3] = {
    { 0.95f, 0.85f, 0.35f }, { 0.45f, 0.75f, 0.95f }, { 0.95f, 0.55f, 0.35f }, { 0.55f, 0.85f, 0.50f },
    { 0.80f, 0.55f, 0.90f }, { 0.40f, 0.85f, 0.80f }, { 0.95f, 0.65f, 0.75f }, { 0.70f, 0.70f, 0.40f },
  };
  int type = op_fdi_type (fdi);
  float shade = op_fdi_is_left (fdi) ? 0.8f : 1.0f;

  type = CLAMP (type, 1, 8);
  for (int i = 0; i < 3; i++)
    rgba[i] = base[type - 1][i] * shade;
  rgba[3] = 1.f;
}

static char *
format_tooth (OpTeethView *self,
              int          fdi)
{
  return op_fdi_format (fdi, self->numbering);
}

/* Puts each tooth's number over its crown, when the camera or the size
 * changed since the last time (or @force). */
static void
place_labels (OpTeethView *self,
              gboolean     force)
{
  const OpCamera *camera = op_viewer_get_camera (self->viewer);
  float key[8] = { camera->target[0], camera->target[1], camera->target[2], camera->distance,
                   camera->yaw, camera->pitch, camera->fovy, 0.f };
  int size[2] = { gtk_widget_get_width (GTK_WIDGET (self->viewer)), gtk_widget_get_height (GTK_WIDGET (self->viewer)) };

  if (!force && memcmp (key, self->label_camera, sizeof key) == 0 && memcmp (size, self->label_size, sizeof size) == 0)
    return;
  memcpy (self->label_camera, key, sizeof key);
  memcpy (self->label_size, size, sizeof size);
  for (guint i = 0; i < self->handles->len; i++)
    {
      ToothHandle *th = &g_array_index (self->handles, ToothHandle, i);
      double x, y;
      int nat_w = 0, nat_h = 0;

      if (th->label == NULL)
        continue;
      if (!op_viewer_project (self->viewer, th->centre, &x, &y))
        {
          gtk_widget_set_visible (th->label, FALSE);
          continue;
        }
      gtk_widget_set_visible (th->label, TRUE);
      gtk_widget_measure (th->label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat_w, NULL, NULL);
      gtk_widget_measure (th->label, GTK_ORIENTATION_VERTICAL, -1, NULL, &nat_h, NULL, NULL);
      gtk_fixed_move (self->label_layer, th->label, x - nat_w / 2.0, y - nat_h / 2.0);
    }
}

static gboolean
on_viewer_rendered (GtkGLArea    *area,
                    GdkGLContext *context,
                    OpTeethView  *self)
{
  place_labels (self, FALSE);
  return FALSE;
}

static void
clear_scene (OpTeethView *self)
{
  for (guint i = 0; i < self->handles->len; i++)
    {
      ToothHandle *th = &g_array_index (self->handles, ToothHandle, i);
      if (th->label)
        gtk_fixed_remove (self->label_layer, th->label);
    }
  g_array_set_size (self->handles, 0);
  op_viewer_clear (self->viewer);
}

void
op__teeth_view_rebuild_scene (OpTeethView *self)
{
  const gint32 *labels;
  int fdi[64];
  guint n_teeth;
  gsize n;

  clear_scene (self);
  if (self->mesh == NULL || self->edits == NULL)
    return;

  labels = op_seg_edits_get_labels (self->edits, &n);
  n_teeth = MIN (op_seg_labels_teeth (labels, n, fdi, NULL, G_N_ELEMENTS (fdi)), G_N_ELEMENTS (fdi));
  for (guint i = 0; i <= n_teeth; i++)
    {
      int label = i < n_teeth ? fdi[i] : 0;
      OpMesh *piece = op_seg_extract_label (self->mesh, labels, label);
      ToothHandle th = { 0, label, { 0.f, 0.f, 0.f }, NULL };

      if (piece->n_triangles == 0)
        {
          op_mesh_free (piece);
          continue;
        }
      if (label == 0)
        th.handle = op_viewer_add_mesh (self->viewer, piece, OP_MATERIAL_GINGIVA);
      else
        {
          float rgba[4];

          th.handle = op_viewer_add_mesh (self->viewer, piece, OP_MATERIAL_COLOR);
          if (label == self->selected)
            {
              /* The selection in the accent blue, unlike any tooth colour. */
              rgba[0] = 0.21f, rgba[1] = 0.52f, rgba[2] = 0.89f, rgba[3] = 1.f;
            }
          else
            tooth_color (label, rgba);
          op_viewer_set_mesh_color (self->viewer, th.handle, rgba);

          /* The number over the crown, at the centroid of its vertices
           * (taken from the whole scan: the piece now belongs to the
           * viewer). */
          {
            double c[3] = { 0 };
            gsize k = 0;
            g_autofree char *text = format_tooth (self, label);

            for (gsize v = 0; v < n; v++)
              if (labels[v] == label)
                {
                  for (int d = 0; d < 3; d++)
                    c[d] += self->mesh->positions[3 * v + d];
                  k++;
                }
            for (int d = 0; d < 3; d++)
              th.centre[d] = k ? (float) (c[d] / k) : 0.f;
            th.label = gtk_label_new (text);
            gtk_widget_add_css_class (th.label, "osd");
            gtk_widget_add_css_class (th.label, "caption-heading");
            gtk_fixed_put (self->label_layer, th.label, 0, 0);
          }
        }
      g_array_append_val (self->handles, th);
    }
  if (!self->framed)
    {
      op_viewer_frame_all (self->viewer);
      self->framed = TRUE;
    }
  place_labels (self, TRUE);
}

void
op__teeth_view_set_error (OpTeethView *self,
                          const char  *message)
{
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  if (message != NULL)
    {
      GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

      if (overlay != NULL)
        adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
      gtk_label_set_text (self->status_label, message);
    }
}

/* Updates the side panel and the actions from the state. */
void
op__teeth_view_sync (OpTeethView *self)
{
  gboolean have = self->edits != NULL;
  guint depth = have ? op_seg_edits_get_depth (self->edits) : 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "teeth.undo", have && op_seg_edits_can_undo (self->edits));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "teeth.redo", have && op_seg_edits_can_redo (self->edits));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "teeth.save", have && depth > 0 && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "teeth.reassign", have && self->selected != 0 && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "teeth.merge", have && self->selected != 0 && !self->busy);

  if (self->record)
    {
      g_autofree char *subtitle = NULL;

      if (self->record->parent_version > 0)
        subtitle = g_strdup_printf (_("v%d, %s from v%d by %s, %s"), self->record->version,
                                    self->record->source == OP_SEGMENTATION_CORRECTED ? _("corrected") : _("automatic"),
                                    self->record->parent_version, self->record->author, self->record->created_at);
      else
        subtitle = g_strdup_printf (_("v%d, %s by %s, %s"), self->record->version,
                                    self->record->source == OP_SEGMENTATION_CORRECTED ? _("corrected") : _("automatic"),
                                    self->record->author, self->record->created_at);
      adw_action_row_set_subtitle (self->version_row, subtitle);
    }
  else
    adw_action_row_set_subtitle (self->version_row, "");

  if (self->selected != 0 && have)
    {
      g_autofree char *name = format_tooth (self, self->selected);

      if (self->tool != OP_TEETH_TOOL_SPLIT)
        gtk_spin_button_set_value (self->number_spin, self->selected);
      g_autofree char *title = g_strdup_printf (_("Tooth %s"), name);
      g_autofree char *subtitle = NULL;
      gsize n, count = 0;
      const gint32 *labels = op_seg_edits_get_labels (self->edits, &n);
      double confidence = -1.0;

      for (gsize v = 0; v < n; v++)
        count += labels[v] == self->selected;
      if (self->record && depth == 0)
        for (guint i = 0; i < self->record->n_teeth; i++)
          if (self->record->teeth[i].fdi == self->selected)
            confidence = self->record->teeth[i].confidence;
      if (confidence >= 0.0)
        subtitle = g_strdup_printf (_("%" G_GSIZE_FORMAT " vertices, numbering confidence %.2f"), count, confidence);
      else
        subtitle = g_strdup_printf (_("%" G_GSIZE_FORMAT " vertices, edited"), count);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->tooth_row), title);
      adw_action_row_set_subtitle (self->tooth_row, subtitle);
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->tooth_row), _("None"));
      adw_action_row_set_subtitle (self->tooth_row, "");
    }

  if (self->last_error == NULL && self->tool == OP_TEETH_TOOL_SPLIT && have)
    {
      g_autofree char *status = NULL;

      if (self->selected == 0)
        status = g_strdup (_("Select the tooth to split first."));
      else if (self->split_seed == G_MAXUINT32)
        status = g_strdup (_("Click the part of the tooth that keeps its number."));
      else
        status = g_strdup_printf (_("Now click the part that becomes tooth %d."),
                                  gtk_spin_button_get_value_as_int (self->number_spin));
      gtk_label_set_text (self->status_label, status);
    }
  else if (self->last_error == NULL)
    {
      g_autofree char *status = NULL;
      if (depth > 0)
        status = g_strdup_printf (g_dngettext (NULL, "%u unsaved edit: save to store a new version.",
                                               "%u unsaved edits: save to store a new version.", depth), depth);
      gtk_label_set_text (self->status_label, status ? status : "");
    }
}

/* ---- loading ---------------------------------------------------------- */

typedef struct {
  OpStore              *store;
  gint64                case_id;
  gint64                scan_id;     /* asked for, or 0: the first with labels */
  GPtrArray            *scans;
  gint64                shown_id;
  OpMesh               *mesh;
  gint32               *labels;
  gsize                 n;
  OpSegmentationRecord *record;
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *d = data;

  g_clear_object (&d->store);
  g_clear_pointer (&d->scans, g_ptr_array_unref);
  g_clear_pointer (&d->mesh, op_mesh_free);
  g_clear_pointer (&d->labels, g_free);
  g_clear_pointer (&d->record, op_segmentation_record_free);
  g_free (d);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *d = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = op_store_list_scans (d->store, d->case_id, &error);
  const OpScanRecord *shown = NULL;

  if (all == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  d->scans = g_ptr_array_new_with_free_func ((GDestroyNotify) op_scan_record_free);
  for (guint i = 0; i < all->len; i++)
    {
      OpScanRecord *rec = g_ptr_array_index (all, i);
      if (rec->jaw != OP_JAW_BITE)
        g_ptr_array_add (d->scans, g_ptr_array_steal_index (all, i--));
    }
  /* The scan asked for; otherwise the first that has labels. */
  for (guint i = 0; i < d->scans->len && shown == NULL; i++)
    {
      const OpScanRecord *rec = g_ptr_array_index (d->scans, i);

      if (d->scan_id != 0)
        {
          if (rec->id == d->scan_id)
            shown = rec;
          continue;
        }
      {
        g_autoptr(GPtrArray) versions = op_store_list_segmentations (d->store, rec->id, &error);
        if (versions == NULL)
          {
            g_task_return_error (task, g_steal_pointer (&error));
            return;
          }
        if (versions->len > 0)
          shown = rec;
      }
    }
  if (shown == NULL && d->scans->len > 0)
    shown = g_ptr_array_index (d->scans, 0);
  if (shown == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  d->shown_id = shown->id;
  d->labels = op_store_get_segmentation (d->store, shown->id, 0, &d->n, &d->record, &error);
  if (d->labels == NULL)
    {
      if (g_error_matches (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND))
        g_task_return_boolean (task, TRUE);   /* not segmented yet */
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  {
    g_autoptr(GBytes) bytes = op_store_get_scan_bytes (d->store, shown->id, &error);

    if (bytes == NULL || !(d->mesh = op_mesh_load_bytes (bytes, shown->filename, NULL, NULL, cancellable, &error)))
      {
        g_task_return_error (task, g_steal_pointer (&error));
        return;
      }
  }
  if (d->mesh->n_vertices != d->n)
    {
      g_task_return_new_error (task, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT,
                               _("%s has %" G_GSIZE_FORMAT " vertices but its segmentation v%d labels %" G_GSIZE_FORMAT),
                               shown->filename, d->mesh->n_vertices, d->record->version, d->n);
      return;
    }
  op_mesh_compute_normals (d->mesh);
  op_mesh_compute_bounds (d->mesh);
  g_task_return_boolean (task, TRUE);
}

static void
op_teeth_view_fill_dropdown (OpTeethView *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint selected = GTK_INVALID_LIST_POSITION;

  for (guint i = 0; self->scans && i < self->scans->len; i++)
    {
      const OpScanRecord *rec = g_ptr_array_index (self->scans, i);
      gboolean twin = FALSE;
      g_autofree char *name = NULL;

      /* The jaw says which scan it is; a second scan of the same jaw
       * also needs its number. */
      for (guint j = 0; j < self->scans->len; j++)
        twin |= j != i && ((OpScanRecord *) g_ptr_array_index (self->scans, j))->jaw == rec->jaw;
      name = twin ? g_strdup_printf (_("%s, scan %" G_GINT64_FORMAT), op_jaw_to_label (rec->jaw), rec->id)
                  : g_strdup (op_jaw_to_label (rec->jaw));

      gtk_string_list_append (names, name);
      if (rec->id == self->scan_id)
        selected = i;
    }
  self->populating = TRUE;
  gtk_drop_down_set_model (self->scan_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->scan_dropdown, selected);
  self->populating = FALSE;
}

static void
on_load_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  OpTeethView *self = user_data;
  GTask *task = G_TASK (result);
  LoadData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* The page went away while the worker ran: its widgets are gone. */
  if (self->disposed)
    {
      g_object_unref (self);
      return;
    }
  if (!g_task_propagate_boolean (task, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->busy = FALSE;
          op__teeth_view_set_error (self, error->message);
          adw_status_page_set_title (self->empty_page, _("The Segmentation Could Not Be Loaded"));
          adw_status_page_set_description (self->empty_page, error->message);
          gtk_stack_set_visible_child_name (self->main_stack, "empty");
          op__teeth_view_sync (self);
          g_signal_emit (self, signals[SIGNAL_LOADED], 0);
        }
      g_object_unref (self);
      return;
    }

  self->busy = FALSE;
  g_clear_pointer (&self->scans, g_ptr_array_unref);
  self->scans = g_steal_pointer (&d->scans);
  self->scan_id = d->shown_id;
  g_clear_pointer (&self->mesh, op_mesh_free);
  g_clear_pointer (&self->adjacency, op_seg_adjacency_free);
  g_clear_pointer (&self->base, g_free);
  g_clear_pointer (&self->record, op_segmentation_record_free);
  g_clear_pointer (&self->edits, op_seg_edits_free);
  self->split_seed = G_MAXUINT32;
  self->mesh = g_steal_pointer (&d->mesh);
  self->base = g_steal_pointer (&d->labels);
  self->record = g_steal_pointer (&d->record);
  self->selected = 0;
  self->framed = FALSE;
  op_teeth_view_fill_dropdown (self);

  gtk_widget_set_visible (self->segment_button, self->record == NULL && self->scans->len > 0);
  if (self->record == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("No Segmentation Yet"));
      adw_status_page_set_description (self->empty_page,
                                       self->scans->len == 0
                                         ? _("The case has no arch scans yet. Import them on the Scans page.")
                                         : _("Find the teeth of this scan, then correct them here."));
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
    }
  else
    {
      self->edits = op_seg_edits_new (self->base, self->record->n_vertices, self->record->upper);
      gtk_stack_set_visible_child_name (self->main_stack, "teeth");
      op__teeth_view_rebuild_scene (self);
    }
  op__teeth_view_sync (self);
  g_signal_emit (self, signals[SIGNAL_LOADED], 0);
  g_object_unref (self);
}

void
op__teeth_view_start_load (OpTeethView *self,
                           gint64       scan_id)
{
  g_autoptr(GTask) task = NULL;
  LoadData *d;

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_error, g_free);

  clear_scene (self);
  g_clear_pointer (&self->edits, op_seg_edits_free);
  g_clear_pointer (&self->record, op_segmentation_record_free);
  self->selected = 0;

  if (self->case_id == 0 || self->store == NULL)
    {
      self->busy = FALSE;
      g_clear_pointer (&self->scans, g_ptr_array_unref);
      self->scan_id = 0;
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
      op__teeth_view_sync (self);
      return;
    }
  self->busy = TRUE;
  gtk_stack_set_visible_child_name (self->main_stack, "loading");
  op__teeth_view_sync (self);
  self->cancellable = g_cancellable_new ();
  d = g_new0 (LoadData, 1);
  d->store = g_object_ref (self->store);
  d->case_id = self->case_id;
  d->scan_id = scan_id;
  task = g_task_new (self, self->cancellable, on_load_done, g_object_ref (self));
  g_task_set_task_data (task, d, load_data_free);
  g_task_run_in_thread (task, load_thread);
}

static void
on_scan_selected (GtkDropDown *dropdown,
                  GParamSpec  *pspec,
                  OpTeethView *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  if (self->populating || self->scans == NULL || i >= self->scans->len)
    return;
  if (((OpScanRecord *) g_ptr_array_index (self->scans, i))->id != self->scan_id)
    op__teeth_view_start_load (self, ((OpScanRecord *) g_ptr_array_index (self->scans, i))->id);
}

/* ---- actions and input ------------------------------------------------ */

static void
on_viewer_click (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 OpTeethView     *self)
{
  g_autoptr(GError) error = NULL;

  if (n_press != 1)
    return;
  if (!op_teeth_view_click (self, x, y, &error) && error != NULL)
    op__teeth_view_set_error (self, error->message);
}

static void
on_tool_toggled (GtkToggleButton *button,
                 OpTeethView     *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  self->tool = button == self->paint_toggle ? OP_TEETH_TOOL_PAINT
             : button == self->erase_toggle ? OP_TEETH_TOOL_ERASE
             : button == self->split_toggle ? OP_TEETH_TOOL_SPLIT
             : OP_TEETH_TOOL_SELECT;
  self->split_seed = G_MAXUINT32;
  g_clear_pointer (&self->last_error, g_free);
  op__teeth_view_sync (self);
}

static void
action_reassign (GtkWidget  *widget,
                 const char *name,
                 GVariant   *param)
{
  OpTeethView *self = OP_TEETH_VIEW (widget);
  g_autoptr(GError) error = NULL;

  if (!op_teeth_view_reassign (self, gtk_spin_button_get_value_as_int (self->number_spin), &error))
    op__teeth_view_set_error (self, error->message);
}

static void
action_merge (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  OpTeethView *self = OP_TEETH_VIEW (widget);
  g_autoptr(GError) error = NULL;

  if (!op_teeth_view_merge (self, gtk_spin_button_get_value_as_int (self->number_spin), &error))
    op__teeth_view_set_error (self, error->message);
}

static void
action_undo (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  op_teeth_view_undo (OP_TEETH_VIEW (widget));
}

static void
action_redo (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  op_teeth_view_redo (OP_TEETH_VIEW (widget));
}

static void
action_save (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  OpTeethView *self = OP_TEETH_VIEW (widget);
  g_autoptr(GError) error = NULL;
  int version = op_teeth_view_save (self, &error);

  if (version == 0)
    op__teeth_view_set_error (self, error->message);
  else
    {
      GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
      g_autofree char *message = g_strdup_printf (_("Saved segmentation version %d"), version);

      if (overlay != NULL)
        adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
    }
}

static void
action_segment (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  op_teeth_view_segment (OP_TEETH_VIEW (widget));
}

static void
action_cancel (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  op_teeth_view_cancel (OP_TEETH_VIEW (widget));
}

/* ---- GObject ---------------------------------------------------------- */

static void
op_teeth_view_dispose (GObject *object)
{
  OpTeethView *self = OP_TEETH_VIEW (object);

  self->disposed = TRUE;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->scans, g_ptr_array_unref);
  g_clear_pointer (&self->mesh, op_mesh_free);
  g_clear_pointer (&self->adjacency, op_seg_adjacency_free);
  g_clear_pointer (&self->base, g_free);
  g_clear_pointer (&self->record, op_segmentation_record_free);
  g_clear_pointer (&self->edits, op_seg_edits_free);
  g_clear_pointer (&self->handles, g_array_unref);
  g_clear_pointer (&self->last_error, g_free);
  /* AdwBin unparents its child (the whole template) itself. */

  G_OBJECT_CLASS (op_teeth_view_parent_class)->dispose (object);
}

static void
op_teeth_view_class_init (OpTeethViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = op_teeth_view_dispose;

  /* Emitted when a load finishes, whether it found labels or failed. */
  signals[SIGNAL_LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                         NULL, G_TYPE_NONE, 0);
  /* Emitted with the version number when a corrected version is stored. */
  signals[SIGNAL_SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  g_type_ensure (OP_TYPE_VIEWER);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/orthoplan/Orthoplan/ui/op-teeth-view.ui");
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, main_stack);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, segment_button);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, viewer);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, label_layer);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, scan_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, version_row);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, tooth_row);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, number_spin);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, radius_spin);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, select_toggle);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, paint_toggle);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, erase_toggle);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, split_toggle);
  gtk_widget_class_bind_template_child (widget_class, OpTeethView, status_label);

  gtk_widget_class_install_action (widget_class, "teeth.reassign", NULL, action_reassign);
  gtk_widget_class_install_action (widget_class, "teeth.merge", NULL, action_merge);
  gtk_widget_class_install_action (widget_class, "teeth.undo", NULL, action_undo);
  gtk_widget_class_install_action (widget_class, "teeth.redo", NULL, action_redo);
  gtk_widget_class_install_action (widget_class, "teeth.save", NULL, action_save);
  gtk_widget_class_install_action (widget_class, "teeth.segment", NULL, action_segment);
  gtk_widget_class_install_action (widget_class, "teeth.cancel", NULL, action_cancel);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "teeth.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "teeth.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "teeth.redo", NULL);
}

static void
op_teeth_view_init (OpTeethView *self)
{
  GtkGesture *click;

  self->handles = g_array_new (FALSE, TRUE, sizeof (ToothHandle));
  self->split_seed = G_MAXUINT32;
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The location's numbering, as on the Plan page. */
  self->numbering = op_app_settings_get_numbering ();

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (on_viewer_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self->viewer), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (self->scan_dropdown, "notify::selected", G_CALLBACK (on_scan_selected), self);
  g_signal_connect (self->select_toggle, "toggled", G_CALLBACK (on_tool_toggled), self);
  g_signal_connect (self->paint_toggle, "toggled", G_CALLBACK (on_tool_toggled), self);
  g_signal_connect (self->erase_toggle, "toggled", G_CALLBACK (on_tool_toggled), self);
  g_signal_connect (self->split_toggle, "toggled", G_CALLBACK (on_tool_toggled), self);
  g_signal_connect_after (self->viewer, "render", G_CALLBACK (on_viewer_rendered), self);
  op__teeth_view_sync (self);
}

/* ---- public API ------------------------------------------------------- */

GtkWidget *
op_teeth_view_new (void)
{
  return g_object_new (OP_TYPE_TEETH_VIEW, NULL);
}

void
op_teeth_view_set_store (OpTeethView *self,
                         OpStore     *store)
{
  g_return_if_fail (OP_IS_TEETH_VIEW (self));
  g_set_object (&self->store, store);
}

void
op_teeth_view_load_case (OpTeethView *self,
                         gint64       case_id)
{
  g_return_if_fail (OP_IS_TEETH_VIEW (self));

  self->case_id = case_id;
  op__teeth_view_start_load (self, 0);
}

void
op_teeth_view_show_scan (OpTeethView *self,
                         gint64       scan_id)
{
  g_return_if_fail (OP_IS_TEETH_VIEW (self));

  op__teeth_view_start_load (self, scan_id);
}

gint64
op_teeth_view_get_case_id (OpTeethView *self)
{
  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), 0);
  return self->case_id;
}

gboolean
op_teeth_view_get_busy (OpTeethView *self)
{
  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), FALSE);
  return self->busy;
}

gint64
op_teeth_view_get_scan_id (OpTeethView *self)
{
  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), 0);
  return self->record ? self->scan_id : 0;
}

int
op_teeth_view_get_version (OpTeethView *self)
{
  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), 0);
  return self->record ? self->record->version : 0;
}

const gint32 *
op_teeth_view_get_labels (OpTeethView *self,
                          gsize       *n)
{
  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), NULL);
  if (self->edits == NULL)
    {
      if (n)
        *n = 0;
      return NULL;
    }
  return op_seg_edits_get_labels (self->edits, n);
}

guint
op_teeth_view_get_n_teeth (OpTeethView *self)
{
  const gint32 *labels;
  gsize n = 0;

  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), 0);
  labels = op_teeth_view_get_labels (self, &n);
  return labels ? op_seg_labels_teeth (labels, n, NULL, NULL, 0) : 0;
}

void
op_teeth_view_select_tooth (OpTeethView *self,
                            int          fdi)
{
  g_return_if_fail (OP_IS_TEETH_VIEW (self));

  if (self->selected == fdi)
    return;
  self->selected = fdi;
  g_clear_pointer (&self->last_error, g_free);
  op__teeth_view_rebuild_scene (self);
  op__teeth_view_sync (self);
}

int
op_teeth_view_get_selected_tooth (OpTeethView *self)
{
  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), 0);
  return self->selected;
}

int
op_teeth_view_pick (OpTeethView *self,
                    double       x,
                    double       y)
{
  guint handle;

  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), 0);

  handle = op_viewer_pick (self->viewer, x, y);
  for (guint i = 0; handle != 0 && i < self->handles->len; i++)
    if (g_array_index (self->handles, ToothHandle, i).handle == handle)
      return g_array_index (self->handles, ToothHandle, i).fdi;
  return 0;
}

const char *
op_teeth_view_get_last_error (OpTeethView *self)
{
  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), NULL);
  return self->last_error;
}

OpViewer *
op_teeth_view_get_viewer (OpTeethView *self)
{
  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), NULL);
  return self->viewer;
}

void
op__teeth_view_emit_saved (OpTeethView *self,
                           int          version)
{
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, version);
}
