/* op-teeth-edit.c: the Teeth page's edits: renumbering, undo and redo,
 * and saving the labels as a corrected version. */
#include "config.h"

#include <cglm/cglm.h>
#include <glib/gi18n.h>
#include <math.h>

#include "op-teeth-view-private.h"

/* Shows the labels after an edit, an undo or a redo: the error of an
 * earlier attempt no longer applies. */
static void
show_edit (OpTeethView *self)
{
  g_clear_pointer (&self->last_error, g_free);
  op__teeth_view_rebuild_scene (self);
  op__teeth_view_sync (self);
}

/* Pushes @change (NULL when the edit failed) onto the edits and shows it,
 * with @selected as the selected tooth; FALSE when there was nothing to
 * push or the edits refused it, which leaves the selection as it was. */
static gboolean
push_change (OpTeethView *self,
             OpSegChange *change,
             int          selected)
{
  if (change == NULL || !op_seg_edits_push (self->edits, change))
    return FALSE;
  self->selected = selected;
  show_edit (self);
  return TRUE;
}

/* The labels as they are now, for an edit of the selected tooth, with
 * their count in @n; NULL with @error set when no tooth is selected. */
static const gint32 *
selected_labels (OpTeethView *self,
                 gsize       *n,
                 GError     **error)
{
  if (self->edits == NULL || self->selected == 0)
    {
      g_set_error_literal (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_ABSENT, _("Select a tooth first"));
      return NULL;
    }
  return op_seg_edits_get_labels (self->edits, n);
}

gboolean
op_teeth_view_reassign (OpTeethView *self,
                        int          to,
                        GError     **error)
{
  gsize n;
  const gint32 *labels;

  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((labels = selected_labels (self, &n, error)) == NULL)
    return FALSE;
  return push_change (self, op_seg_reassign (labels, n, op_seg_edits_is_upper (self->edits), self->selected, to,
                                             error), to);
}

gboolean
op_teeth_view_merge (OpTeethView *self,
                     int          into,
                     GError     **error)
{
  gsize n;
  const gint32 *labels;

  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((labels = selected_labels (self, &n, error)) == NULL)
    return FALSE;
  return push_change (self, op_seg_merge (labels, n, op_seg_edits_is_upper (self->edits), into, self->selected,
                                          error), into);
}

/* After undo or redo the selected number may no longer exist: follow the
 * tooth by what the change did to it. */
static void
follow_selection (OpTeethView       *self,
                  const OpSegChange *change,
                  gboolean           forward)
{
  const gint32 *from = forward ? change->before : change->after;
  const gint32 *to = forward ? change->after : change->before;

  for (gsize i = 0; i < change->n_vertices; i++)
    if (from[i] == self->selected)
      {
        self->selected = to[i];
        return;
      }
}

/* Undoes (@forward FALSE) or redoes the last change, following the
 * selected tooth through it. */
static gboolean
step_history (OpTeethView *self,
              gboolean     forward)
{
  const OpSegChange *change;

  if (self->edits == NULL)
    return FALSE;
  change = forward ? op_seg_edits_peek_redo (self->edits) : op_seg_edits_peek_undo (self->edits);
  if (change == NULL)
    return FALSE;
  follow_selection (self, change, forward);
  if (!(forward ? op_seg_edits_redo (self->edits) : op_seg_edits_undo (self->edits)))
    return FALSE;
  show_edit (self);
  return TRUE;
}

gboolean
op_teeth_view_undo (OpTeethView *self)
{
  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), FALSE);
  return step_history (self, FALSE);
}

gboolean
op_teeth_view_redo (OpTeethView *self)
{
  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), FALSE);
  return step_history (self, TRUE);
}

guint
op_teeth_view_get_n_unsaved (OpTeethView *self)
{
  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), 0);
  return self->edits ? op_seg_edits_get_depth (self->edits) : 0;
}

int
op_teeth_view_save (OpTeethView *self,
                    GError     **error)
{
  g_autoptr(GString) note = g_string_new (NULL);
  g_autoptr(OpSegmentationRecord) record = NULL;
  g_autofree int *base_fdi = NULL, *fdi = NULL;
  g_autofree float *base_conf = NULL, *conf = NULL;
  g_autofree OpSegmentationTooth *teeth = NULL;
  g_autofree gint32 *stored = NULL;
  const gint32 *labels;
  gsize n, n_stored = 0;
  guint n_teeth, depth;
  int version;
  OpSegmentationInput in = { 0 };

  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (self->edits == NULL || self->record == NULL || self->store == NULL ||
      (depth = op_seg_edits_get_depth (self->edits)) == 0)
    {
      g_set_error_literal (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_EMPTY, _("There are no edits to save"));
      return 0;
    }
  labels = op_seg_edits_get_labels (self->edits, &n);

  /* The note lists the edits in the order they were made. */
  for (guint i = 0; i < depth; i++)
    g_string_append_printf (note, "%s%s", i ? "; " : "", op_seg_edits_get_change (self->edits, i)->description);

  base_fdi = g_new (int, MAX (self->record->n_teeth, 1));
  base_conf = g_new (float, MAX (self->record->n_teeth, 1));
  for (guint i = 0; i < self->record->n_teeth; i++)
    {
      base_fdi[i] = self->record->teeth[i].fdi;
      base_conf[i] = self->record->teeth[i].confidence;
    }
  n_teeth = op_seg_labels_teeth (labels, n, NULL, NULL, 0);
  fdi = g_new (int, MAX (n_teeth, 1));
  conf = g_new (float, MAX (n_teeth, 1));
  teeth = g_new0 (OpSegmentationTooth, MAX (n_teeth, 1));
  op_seg_labels_teeth (labels, n, fdi, NULL, n_teeth);
  op_seg_corrected_confidence (self->base, labels, n, base_fdi, base_conf, self->record->n_teeth, conf, n_teeth);
  for (guint i = 0; i < n_teeth; i++)
    teeth[i] = (OpSegmentationTooth) { fdi[i], conf[i], 0 };

  in.source = OP_SEGMENTATION_CORRECTED;
  in.upper = self->record->upper;
  in.labels = labels;
  in.n_vertices = n;
  in.teeth = teeth;
  in.n_teeth = n_teeth;
  in.parent_version = self->record->version;
  in.note = note->str;
  version = op_store_add_segmentation (self->store, self->scan_id, &in, error);
  if (version == 0)
    return 0;

  /* The stored version becomes the base of the next edits. */
  stored = op_store_get_segmentation (self->store, self->scan_id, version, &n_stored, &record, error);
  if (stored == NULL)
    return 0;
  g_clear_pointer (&self->base, g_free);
  g_clear_pointer (&self->record, op_segmentation_record_free);
  g_clear_pointer (&self->edits, op_seg_edits_free);
  self->base = g_steal_pointer (&stored);
  self->record = g_steal_pointer (&record);
  self->edits = op_seg_edits_new (self->base, n_stored, self->record->upper);
  g_clear_pointer (&self->last_error, g_free);
  op__teeth_view_sync (self);
  op__teeth_view_emit_saved (self, version);
  return version;
}

/* ---- click tools ------------------------------------------------------ */

void
op_teeth_view_set_tool (OpTeethView *self,
                        OpTeethTool  tool)
{
  GtkToggleButton *buttons[] = { self->select_toggle, self->paint_toggle, self->erase_toggle, self->split_toggle };

  g_return_if_fail (OP_IS_TEETH_VIEW (self));
  g_return_if_fail (tool <= OP_TEETH_TOOL_SPLIT);

  /* Through the buttons, so that what is shown is what a click does. */
  gtk_toggle_button_set_active (buttons[tool], TRUE);
}

OpTeethTool
op_teeth_view_get_tool (OpTeethView *self)
{
  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), OP_TEETH_TOOL_SELECT);
  return self->tool;
}

void
op_teeth_view_set_brush_radius (OpTeethView *self,
                                double       radius_mm)
{
  g_return_if_fail (OP_IS_TEETH_VIEW (self));
  gtk_spin_button_set_value (self->radius_spin, radius_mm);
}

void
op_teeth_view_set_number (OpTeethView *self,
                          int          fdi)
{
  g_return_if_fail (OP_IS_TEETH_VIEW (self));
  gtk_spin_button_set_value (self->number_spin, fdi);
}

/* The ray under (@x, @y) in the viewer, in the scan's millimetres: from
 * the near plane towards the far plane of the camera. */
static gboolean
ray_at (OpTeethView *self,
        double       x,
        double       y,
        float        origin[3],
        float        dir[3])
{
  const OpCamera *camera = op_viewer_get_camera (self->viewer);
  int w = gtk_widget_get_width (GTK_WIDGET (self->viewer));
  int h = gtk_widget_get_height (GTK_WIDGET (self->viewer));
  float view[16], proj[16];
  mat4 pv, inv;
  vec4 ends[2];

  if (w <= 0 || h <= 0)
    return FALSE;
  op_camera_get_view_matrix (camera, view);
  op_camera_get_projection_matrix (camera, (float) w / (float) h, proj);
  glm_mat4_mul ((vec4 *) proj, (vec4 *) view, pv);
  glm_mat4_inv (pv, inv);
  for (int k = 0; k < 2; k++)
    {
      vec4 ndc = { (float) (2.0 * x / w - 1.0), (float) (1.0 - 2.0 * y / h), k ? 1.f : -1.f, 1.f };

      glm_mat4_mulv (inv, ndc, ends[k]);
      if (fabsf (ends[k][3]) < 1e-12f)
        return FALSE;
      glm_vec4_scale (ends[k], 1.f / ends[k][3], ends[k]);
    }
  for (int i = 0; i < 3; i++)
    {
      origin[i] = ends[0][i];
      dir[i] = ends[1][i] - ends[0][i];
    }
  return TRUE;
}

gboolean
op_teeth_view_click (OpTeethView *self,
                     double       x,
                     double       y,
                     GError     **error)
{
  float origin[3], dir[3], hit[3];
  const gint32 *labels;
  guint32 v;
  gsize n;
  gboolean upper;

  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->edits == NULL || self->busy)
    return FALSE;
  if (self->tool == OP_TEETH_TOOL_SELECT)
    {
      int fdi = op_teeth_view_pick (self, x, y);

      /* The gingiva and the background keep the selection, as on the
       * Plan page: a miss by a pixel should not lose one's place. */
      if (fdi != 0)
        op_teeth_view_select_tooth (self, fdi);
      return fdi != 0;
    }
  if (self->selected == 0 && self->tool != OP_TEETH_TOOL_ERASE)
    {
      g_set_error_literal (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_ABSENT,
                           _("Select a tooth first: Paint and Split work on the selected tooth"));
      return FALSE;
    }
  if (!ray_at (self, x, y, origin, dir) ||
      (v = op_seg_ray_vertex (self->mesh, origin, dir, hit)) == G_MAXUINT32)
    return FALSE;
  if (self->adjacency == NULL)
    self->adjacency = op_seg_adjacency_new (self->mesh);
  labels = op_seg_edits_get_labels (self->edits, &n);
  upper = op_seg_edits_is_upper (self->edits);

  if (self->tool == OP_TEETH_TOOL_SPLIT)
    {
      /* The seed is the selected tooth's vertex nearest the point clicked,
       * so a click a little off the crown still means this tooth. */
      guint32 seed = op_seg_nearest_vertex (self->mesh, labels, self->selected, hit);
      int new_label = gtk_spin_button_get_value_as_int (self->number_spin);
      OpSegChange *change;

      if (seed == G_MAXUINT32)
        return FALSE;
      if (self->split_seed == G_MAXUINT32)
        {
          self->split_seed = seed;
          op__teeth_view_sync (self);
          return TRUE;
        }
      change = op_seg_split_seeds (self->mesh, self->adjacency, labels, upper, self->selected, self->split_seed,
                                   seed, new_label, error);
      self->split_seed = G_MAXUINT32;
      if (!push_change (self, change, self->selected))
        {
          op__teeth_view_sync (self);
          return FALSE;
        }
      return TRUE;
    }

  {
    OpSegBrush brush = {
      .vertex = v,
      .radius_mm = (float) gtk_spin_button_get_value (self->radius_spin),
      .geodesic = TRUE,
      .label = self->tool == OP_TEETH_TOOL_PAINT ? self->selected : 0,
      /* Painting a tooth takes gingiva only: growing one crown into its
       * neighbour is what the neighbour's own erase is for. */
      .spare_other_teeth = self->tool == OP_TEETH_TOOL_PAINT,
    };

    return push_change (self, op_seg_paint (self->mesh, self->adjacency, labels, upper, &brush, error),
                        self->selected);
  }
}
