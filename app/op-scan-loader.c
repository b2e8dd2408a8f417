/* op-scan-loader.c: import and load scans in a worker thread.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "op-mesh-io.h"
#include "op-scan-loader.h"
#include "op-task-progress.h"

typedef struct {
  OpStore            *store;
  gint64              case_id;
  GFile              *file;
  OpJaw               jaw;
  gsize               max_triangles;
  OpScanProgressFunc  progress;
  char               *warning;
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *ld = data;

  g_clear_object (&ld->store);
  g_clear_object (&ld->file);
  g_clear_pointer (&ld->warning, g_free);
  g_free (ld);
}

void
op_loaded_scan_free (OpLoadedScan *scan)
{
  if (scan == NULL)
    return;

  g_clear_pointer (&scan->filename, g_free);
  g_clear_pointer (&scan->mesh, op_mesh_free);
  g_free (scan);
}

gboolean
op_scan_guess_jaw (const char *filename,
                   OpJaw      *out_jaw)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (out_jaw != NULL, FALSE);

  if (filename == NULL)
    return FALSE;

  lower = g_utf8_strdown (filename, -1);

  /* Scanner software names files "UpperJaw", "Maxillary", "LowerJaw",
   * "Mandibular", "Bite"; check the bite first because a bite file is
   * often called "upper_lower_bite". */
  if (strstr (lower, "bite") != NULL || strstr (lower, "occlusion") != NULL)
    *out_jaw = OP_JAW_BITE;
  else if (strstr (lower, "upper") != NULL || strstr (lower, "max") != NULL)
    *out_jaw = OP_JAW_UPPER;
  else if (strstr (lower, "lower") != NULL || strstr (lower, "mand") != NULL)
    *out_jaw = OP_JAW_LOWER;
  else
    return FALSE;

  return TRUE;
}

/* Hands a progress report to the thread that started the task. */
static void
report_progress (GTask      *task,
                 double      fraction,
                 const char *stage)
{
  LoadData *ld = g_task_get_task_data (task);

  op_task_report_progress (task, ld->progress, fraction, stage);
}

static OpMesh *
parse_scan (GBytes        *bytes,
            const char    *name,
            gsize          max_triangles,
            OpMeshInfo    *info,
            GCancellable  *cancellable,
            GError       **error)
{
  OpMeshLoadOptions options = { .max_triangles = max_triangles };
  OpMesh *mesh;

  mesh = op_mesh_load_bytes (bytes, name, &options, info, cancellable, error);
  if (mesh != NULL)
    op_mesh_compute_bounds (mesh);

  return mesh;
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  LoadData *ld = task_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (ld->file);
  OpMeshInfo info = { 0 };
  OpScanInput input = { 0 };
  OpLoadedScan *scan;
  gint64 scan_id;

  report_progress (task, 0.05, _("Reading file…"));

  if (!(bytes = g_file_load_bytes (ld->file, cancellable, NULL, &error)))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        /* GIO's message names the full path; people know the file by its
         * name, so lead with that like the mesh errors do. */
        g_task_return_new_error (task, error->domain, error->code,
                                 "%s: %s", name, error->message);
      return;
    }

  report_progress (task, 0.25, _("Reading the mesh…"));

  if (!(mesh = parse_scan (bytes, name, ld->max_triangles, &info, cancellable, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Nothing is stored yet, so a cancel up to here leaves no trace; after
   * this point the scan is in the case and the result is kept. */
  if (g_task_return_error_if_cancelled (task))
    return;

  report_progress (task, 0.8, _("Saving to the case…"));

  input.jaw = ld->jaw;
  input.filename = name;
  input.format = info.format;
  input.bytes = bytes;
  input.n_vertices = mesh->n_vertices;
  input.n_triangles = mesh->n_triangles;

  if (!(scan_id = op_store_add_scan (ld->store, ld->case_id, &input, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  report_progress (task, 1.0, _("Done"));

  scan = g_new0 (OpLoadedScan, 1);
  scan->scan_id = scan_id;
  scan->jaw = ld->jaw;
  scan->filename = g_steal_pointer (&name);
  scan->n_triangles = mesh->n_triangles;
  scan->material = op_material_for_mesh (mesh);
  scan->mesh = g_steal_pointer (&mesh);

  g_task_return_pointer (task, scan, (GDestroyNotify) op_loaded_scan_free);
}

void
op_scan_import_async (gpointer             source_object,
                      OpStore             *store,
                      gint64               case_id,
                      GFile               *file,
                      OpJaw                jaw,
                      gsize                max_triangles,
                      GCancellable        *cancellable,
                      OpScanProgressFunc   progress,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *ld;

  g_return_if_fail (OP_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (file));

  ld = g_new0 (LoadData, 1);
  ld->store = g_object_ref (store);
  ld->case_id = case_id;
  ld->file = g_object_ref (file);
  ld->jaw = jaw;
  ld->max_triangles = max_triangles;
  ld->progress = progress;

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, op_scan_import_async);
  /* The worker decides what a cancel means: before the store step nothing
   * is kept, after it the scan is in the case and must be reported as
   * imported, even if Cancel was pressed while it returned. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, ld, load_data_free);
  g_task_run_in_thread (task, import_thread);
}

OpLoadedScan *
op_scan_import_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
load_case_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  LoadData *ld = task_data;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) scans = NULL;
  g_autoptr(GString) warning = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  if (!(records = op_store_list_scans (ld->store, ld->case_id, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  scans = g_ptr_array_new_with_free_func ((GDestroyNotify) op_loaded_scan_free);

  for (guint i = 0; i < records->len; i++)
    {
      const OpScanRecord *record = g_ptr_array_index (records, i);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) scan_error = NULL;
      g_autofree char *stage = NULL;
      OpLoadedScan *scan;
      OpMesh *mesh;

      if (g_task_return_error_if_cancelled (task))
        return;

      stage = g_strdup_printf (_("Loading %s…"), record->filename);
      report_progress (task, (double) i / records->len, stage);

      if (!(bytes = op_store_get_scan_bytes (ld->store, record->id, &scan_error)) ||
          !(mesh = parse_scan (bytes, record->filename, ld->max_triangles, NULL,
                               cancellable, &scan_error)))
        {
          if (g_error_matches (scan_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
              g_error_matches (scan_error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_CANCELLED))
            {
              g_task_return_error (task, g_steal_pointer (&scan_error));
              return;
            }

          if (warning->len > 0)
            g_string_append_c (warning, '\n');
          g_string_append (warning, scan_error->message);
          continue;
        }

      scan = g_new0 (OpLoadedScan, 1);
      scan->scan_id = record->id;
      scan->jaw = record->jaw;
      scan->filename = g_strdup (record->filename);
      scan->n_triangles = mesh->n_triangles;
      scan->material = op_material_for_mesh (mesh);
      scan->mesh = mesh;
      g_ptr_array_add (scans, scan);
    }

  report_progress (task, 1.0, _("Done"));

  if (warning->len > 0)
    ld->warning = g_string_free (g_steal_pointer (&warning), FALSE);

  g_task_return_pointer (task, g_steal_pointer (&scans), (GDestroyNotify) g_ptr_array_unref);
}

void
op_scan_load_case_async (gpointer             source_object,
                         OpStore             *store,
                         gint64               case_id,
                         gsize                max_triangles,
                         GCancellable        *cancellable,
                         OpScanProgressFunc   progress,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *ld;

  g_return_if_fail (OP_IS_STORE (store));

  ld = g_new0 (LoadData, 1);
  ld->store = g_object_ref (store);
  ld->case_id = case_id;
  ld->max_triangles = max_triangles;
  ld->progress = progress;

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, op_scan_load_case_async);
  g_task_set_task_data (task, ld, load_data_free);
  g_task_run_in_thread (task, load_case_thread);
}

GPtrArray *
op_scan_load_case_finish (GAsyncResult  *result,
                          char         **out_warning,
                          GError       **error)
{
  LoadData *ld;
  GPtrArray *scans;

  g_return_val_if_fail (G_IS_TASK (result), NULL);

  ld = g_task_get_task_data (G_TASK (result));
  scans = g_task_propagate_pointer (G_TASK (result), error);

  if (out_warning != NULL)
    *out_warning = scans != NULL ? g_strdup (ld->warning) : NULL;

  return scans;
}
