/* op-task-progress.c: progress reports from a GTask thread to the UI.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "op-task-progress.h"

typedef struct {
  GObject            *source;
  OpTaskProgressFunc  func;
  double              fraction;
  char               *stage;
} ProgressUpdate;

static gboolean
progress_update_dispatch (gpointer data)
{
  ProgressUpdate *update = data;

  update->func (update->source, update->fraction, update->stage);

  return G_SOURCE_REMOVE;
}

static void
progress_update_free (gpointer data)
{
  ProgressUpdate *update = data;

  g_clear_object (&update->source);
  g_clear_pointer (&update->stage, g_free);
  g_free (update);
}

void
op_task_report_progress (GTask              *task,
                         OpTaskProgressFunc  func,
                         double              fraction,
                         const char         *stage)
{
  ProgressUpdate *update;

  g_return_if_fail (G_IS_TASK (task));

  if (func == NULL || g_task_get_source_object (task) == NULL)
    return;

  /* The update holds a reference on the source object so that it is still
   * alive when the report arrives, even if the view was closed meanwhile;
   * the view's own callback checks whether it still cares. */
  update = g_new0 (ProgressUpdate, 1);
  update->source = g_object_ref (g_task_get_source_object (task));
  update->func = func;
  update->fraction = fraction;
  update->stage = g_strdup (stage);

  g_main_context_invoke_full (g_task_get_context (task),
                              G_PRIORITY_DEFAULT,
                              progress_update_dispatch,
                              update,
                              progress_update_free);
}
