/* op-teeth-segment.c: the Teeth page's Find Teeth: automatic segmentation
 * of a scan in a worker thread, stored as its first version.
 *
 * planner/ reads no GIO, so op_segment() is cancelled through a flag; the
 * page's GCancellable sets it from whichever thread cancels.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "op-mesh-io.h"
#include "op-teeth-view-private.h"

typedef struct {
  OpStore      *store;
  gint64        scan_id;
  char         *filename;
  OpSegmentJaw  jaw;
  gint          cancel;
} SegmentData;

static void
segment_data_free (gpointer data)
{
  SegmentData *d = data;

  g_clear_object (&d->store);
  g_free (d->filename);
  g_free (d);
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  SegmentData *d = data;

  g_atomic_int_set (&d->cancel, 1);
}

static void
segment_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SegmentData *d = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  g_autoptr(OpSegmentation) seg = NULL;
  OpSegmentOptions options = { .jaw = d->jaw };
  gulong handler;
  int version;

  if (!(bytes = op_store_get_scan_bytes (d->store, d->scan_id, &error)) ||
      !(mesh = op_mesh_load_bytes (bytes, d->filename, NULL, NULL, cancellable, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), d, NULL);
  seg = op_segment (mesh, &options, &d->cancel, &error);
  g_cancellable_disconnect (cancellable, handler);
  if (seg == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* A cancel that came after the last step still wins: the person asked
   * for nothing to be stored. */
  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  version = op_store_add_automatic_segmentation (d->store, d->scan_id, seg, &error);
  if (version == 0)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, version);
}

static void
on_segment_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  OpTeethView *self = user_data;
  SegmentData *d = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gint64 scan_id = d->scan_id;

  /* The page went away while the worker ran: its widgets are gone. */
  if (self->disposed)
    {
      g_object_unref (self);
      return;
    }
  (void) g_task_propagate_int (G_TASK (result), &error);
  if (error != NULL)
    {
      gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                           g_error_matches (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_CANCELLED);

      self->busy = FALSE;
      op__teeth_view_set_error (self, cancelled ? _("Finding the teeth was cancelled; nothing was stored")
                                                : error->message);
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
      op__teeth_view_sync (self);
      g_signal_emit_by_name (self, "loaded");
      g_object_unref (self);
      return;
    }
  self->busy = FALSE;
  op__teeth_view_start_load (self, scan_id);
  g_object_unref (self);
}

void
op_teeth_view_segment (OpTeethView *self)
{
  g_autoptr(GTask) task = NULL;
  SegmentData *d;
  const OpScanRecord *scan = NULL;

  g_return_if_fail (OP_IS_TEETH_VIEW (self));

  for (guint i = 0; self->scans && i < self->scans->len; i++)
    if (((OpScanRecord *) g_ptr_array_index (self->scans, i))->id == self->scan_id)
      scan = g_ptr_array_index (self->scans, i);
  if (self->busy || self->store == NULL || scan == NULL || self->record != NULL)
    return;

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_pointer (&self->last_error, g_free);
  self->busy = TRUE;
  gtk_stack_set_visible_child_name (self->main_stack, "segmenting");
  op__teeth_view_sync (self);

  d = g_new0 (SegmentData, 1);
  d->store = g_object_ref (self->store);
  d->scan_id = scan->id;
  d->filename = g_strdup (scan->filename);
  /* The scan was imported as one jaw; its labels are stored as that
   * jaw's, so the segmentation is told it rather than left to guess. */
  d->jaw = scan->jaw == OP_JAW_LOWER ? OP_SEGMENT_JAW_LOWER : OP_SEGMENT_JAW_UPPER;
  task = g_task_new (self, self->cancellable, on_segment_done, g_object_ref (self));
  g_task_set_task_data (task, d, segment_data_free);
  g_task_run_in_thread (task, segment_thread);
}

void
op_teeth_view_cancel (OpTeethView *self)
{
  g_return_if_fail (OP_IS_TEETH_VIEW (self));

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
}
