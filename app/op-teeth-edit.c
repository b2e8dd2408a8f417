/* op-teeth-edit.c: the Teeth page's edits: renumbering, undo and redo,
 * and saving the labels as a corrected version. */
#include "config.h"

#include <glib/gi18n.h>

#include "op-teeth-view-private.h"

gboolean
op_teeth_view_reassign (OpTeethView *self,
                        int          to,
                        GError     **error)
{
  OpSegChange *change;
  gsize n;
  const gint32 *labels;

  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->edits == NULL || self->selected == 0)
    {
      g_set_error_literal (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_ABSENT, _("Select a tooth first"));
      return FALSE;
    }
  labels = op_seg_edits_get_labels (self->edits, &n);
  change = op_seg_reassign (labels, n, op_seg_edits_is_upper (self->edits), self->selected, to, error);
  if (change == NULL || !op_seg_edits_push (self->edits, change))
    return FALSE;
  g_clear_pointer (&self->last_error, g_free);
  self->selected = to;
  op__teeth_view_rebuild_scene (self);
  op__teeth_view_sync (self);
  return TRUE;
}

gboolean
op_teeth_view_merge (OpTeethView *self,
                     int          into,
                     GError     **error)
{
  OpSegChange *change;
  gsize n;
  const gint32 *labels;

  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->edits == NULL || self->selected == 0)
    {
      g_set_error_literal (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_ABSENT, _("Select a tooth first"));
      return FALSE;
    }
  labels = op_seg_edits_get_labels (self->edits, &n);
  change = op_seg_merge (labels, n, op_seg_edits_is_upper (self->edits), into, self->selected, error);
  if (change == NULL || !op_seg_edits_push (self->edits, change))
    return FALSE;
  g_clear_pointer (&self->last_error, g_free);
  self->selected = into;
  op__teeth_view_rebuild_scene (self);
  op__teeth_view_sync (self);
  return TRUE;
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

gboolean
op_teeth_view_undo (OpTeethView *self)
{
  const OpSegChange *change;

  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), FALSE);

  if (self->edits == NULL || (change = op_seg_edits_peek_undo (self->edits)) == NULL)
    return FALSE;
  follow_selection (self, change, FALSE);
  if (!op_seg_edits_undo (self->edits))
    return FALSE;
  g_clear_pointer (&self->last_error, g_free);
  op__teeth_view_rebuild_scene (self);
  op__teeth_view_sync (self);
  return TRUE;
}

gboolean
op_teeth_view_redo (OpTeethView *self)
{
  const OpSegChange *change;

  g_return_val_if_fail (OP_IS_TEETH_VIEW (self), FALSE);

  if (self->edits == NULL || (change = op_seg_edits_peek_redo (self->edits)) == NULL)
    return FALSE;
  follow_selection (self, change, TRUE);
  if (!op_seg_edits_redo (self->edits))
    return FALSE;
  g_clear_pointer (&self->last_error, g_free);
  op__teeth_view_rebuild_scene (self);
  op__teeth_view_sync (self);
  return TRUE;
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
