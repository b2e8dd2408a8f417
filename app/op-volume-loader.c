/* op-volume-loader.c: load, store, reopen and surface a CBCT in GTask
 * threads.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "op-marching.h"
#include "op-volume-loader.h"

/* An ivory bone colour, sRGB.  It is a little darker and warmer than the
 * enamel material, so that the scan's crowns stand out where they overlap
 * the CBCT's teeth. */
static const guint8 bone_rgba[4] = { 226, 214, 188, 255 };

typedef struct {
  OpTaskProgressFunc  progress;
  GFile              *file;
  char               *series_uid;
  gboolean            downsample;
  guint64             max_bytes;
  OpPatient          *patient;
  OpStore            *store;
  gint64              case_id;
  OpLoadedVolume     *loaded;
  OpVolumeRef        *ref;
  double              threshold;
} JobData;

static void
job_data_free (gpointer data)
{
  JobData *job = data;

  g_clear_object (&job->file);
  g_clear_pointer (&job->series_uid, g_free);
  g_clear_pointer (&job->patient, op_patient_free);
  g_clear_object (&job->store);
  g_clear_pointer (&job->loaded, op_loaded_volume_free);
  g_clear_pointer (&job->ref, op_volume_ref_release);
  g_free (job);
}

static JobData *
job_data_new (OpTaskProgressFunc progress)
{
  JobData *job = g_new0 (JobData, 1);

  job->progress = progress;
  return job;
}

static void
report (GTask      *task,
        double      fraction,
        const char *stage)
{
  JobData *job = g_task_get_task_data (task);

  op_task_report_progress (task, job->progress, fraction, stage);
}

/* Every layer says "cancelled" its own way (GIO, GDCM's loop, the store);
 * the view needs one answer. */
static gboolean
return_if_cancelled (GTask        *task,
                     GCancellable *cancellable)
{
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("Cancelled"));
      return TRUE;
    }

  return FALSE;
}

/* ---- shared volumes ---------------------------------------------------- */

static void
volume_ref_clear (gpointer data)
{
  OpVolumeRef *ref = data;

  g_clear_pointer (&ref->volume, op_volume_free);
}

OpVolumeRef *
op_volume_ref_new (OpVolume *volume)
{
  OpVolumeRef *ref;

  g_return_val_if_fail (volume != NULL, NULL);

  ref = g_atomic_rc_box_new0 (OpVolumeRef);
  ref->volume = volume;
  return ref;
}

OpVolumeRef *
op_volume_ref_acquire (OpVolumeRef *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);

  return g_atomic_rc_box_acquire (ref);
}

void
op_volume_ref_release (OpVolumeRef *ref)
{
  if (ref != NULL)
    g_atomic_rc_box_release_full (ref, volume_ref_clear);
}

/* ---- results ------------------------------------------------------------ */

void
op_loaded_volume_free (OpLoadedVolume *loaded)
{
  if (loaded == NULL)
    return;

  g_clear_pointer (&loaded->name, g_free);
  g_clear_pointer (&loaded->path, g_free);
  g_clear_pointer (&loaded->scan, op_dicom_scan_free);
  g_clear_pointer (&loaded->dicom, op_dicom_volume_free);
  g_clear_pointer (&loaded->identity_message, g_free);
  g_free (loaded);
}

gboolean
op_loaded_volume_is_mismatch (const OpLoadedVolume *loaded)
{
  g_return_val_if_fail (loaded != NULL, FALSE);

  return (loaded->match & ~OP_IDENTITY_ANONYMOUS) != 0;
}

void
op_stored_volume_free (OpStoredVolume *stored)
{
  if (stored == NULL)
    return;

  g_clear_pointer (&stored->record, op_volume_record_free);
  g_clear_pointer (&stored->volume, op_volume_free);
  g_free (stored);
}

/* ---- loading ------------------------------------------------------------ */

static void
on_dicom_progress (double   fraction,
                   gpointer user_data)
{
  GTask *task = user_data;

  /* Reading and resampling are most of the load; the first tenth was the
   * header scan. */
  report (task, 0.1 + 0.85 * fraction, _("Reading the CBCT images…"));
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  JobData *job = task_data;
  g_autoptr(OpLoadedVolume) loaded = g_new0 (OpLoadedVolume, 1);
  g_autoptr(GError) error = NULL;
  OpDicomLoadOptions options = { 0 };

  loaded->name = g_file_get_basename (job->file);
  loaded->path = g_file_get_path (job->file);

  if (loaded->path == NULL)
    {
      g_task_return_new_error (task, OP_DICOM_ERROR, OP_DICOM_ERROR_READ,
                               _("%s: not a local file or folder"), loaded->name);
      return;
    }

  report (task, 0.02, _("Looking for DICOM series…"));

  /* With several series the person picks one before anything is decoded,
   * so look at the headers first. */
  if (job->series_uid == NULL)
    {
      g_autoptr(OpDicomScan) scan = op_dicom_scan (loaded->path, cancellable, &error);

      if (scan == NULL)
        {
          if (!return_if_cancelled (task, cancellable))
            g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      if (scan->series->len > 1)
        {
          loaded->scan = g_steal_pointer (&scan);
          g_task_return_pointer (task, g_steal_pointer (&loaded), (GDestroyNotify) op_loaded_volume_free);
          return;
        }
    }

  if (return_if_cancelled (task, cancellable))
    return;

  options.series_uid = job->series_uid;
  options.downsample = job->downsample;
  options.max_bytes = job->max_bytes;
  options.progress = on_dicom_progress;
  options.progress_data = task;

  loaded->dicom = op_dicom_load (loaded->path, &options, cancellable, &error);
  if (loaded->dicom == NULL)
    {
      if (!return_if_cancelled (task, cancellable))
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  report (task, 0.96, _("Checking the patient’s identity…"));

  if (job->patient != NULL)
    {
      const OpDicomIdentity *id = &loaded->dicom->series->identity;

      loaded->match = op_identity_compare (id->name, id->birth_date, id->patient_id,
                                           job->patient->family_name, job->patient->given_name,
                                           job->patient->birth_date, job->patient->chart_number,
                                           &loaded->identity_message);
    }
  else
    loaded->match = OP_IDENTITY_MATCH;

  loaded->threshold = op_volume_auto_threshold (loaded->dicom->volume);

  if (return_if_cancelled (task, cancellable))
    return;

  report (task, 1.0, _("Loaded"));
  g_task_return_pointer (task, g_steal_pointer (&loaded), (GDestroyNotify) op_loaded_volume_free);
}

static OpPatient *
patient_copy (const OpPatient *patient)
{
  OpPatient *copy;

  if (patient == NULL)
    return NULL;

  copy = g_new0 (OpPatient, 1);
  copy->id = patient->id;
  copy->family_name = g_strdup (patient->family_name);
  copy->given_name = g_strdup (patient->given_name);
  copy->birth_date = g_strdup (patient->birth_date);
  copy->chart_number = g_strdup (patient->chart_number);
  return copy;
}

void
op_volume_load_async (gpointer                    source_object,
                      GFile                      *file,
                      const OpVolumeLoadOptions  *options,
                      const OpPatient            *patient,
                      GCancellable               *cancellable,
                      OpTaskProgressFunc          progress,
                      GAsyncReadyCallback         callback,
                      gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;
  JobData *job;

  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, op_volume_load_async);
  /* Decoding may be interrupted; the result is dropped, not half used. */
  g_task_set_return_on_cancel (task, FALSE);

  job = job_data_new (progress);
  job->file = g_object_ref (file);
  job->patient = patient_copy (patient);
  if (options != NULL)
    {
      job->series_uid = g_strdup (options->series_uid);
      job->downsample = options->downsample;
      job->max_bytes = options->max_bytes;
    }
  g_task_set_task_data (task, job, job_data_free);

  g_task_run_in_thread (task, load_thread);
}

OpLoadedVolume *
op_volume_load_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- storing ------------------------------------------------------------ */

static void
store_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  JobData *job = task_data;
  OpLoadedVolume *loaded = job->loaded;
  OpDicomVolume *dicom = loaded->dicom;
  OpVolumeInput input = { 0 };
  g_autofree char *source_sha = NULL;
  g_autoptr(GError) error = NULL;
  gint64 volume_id;

  report (task, 0.1, _("Checking the source files…"));

  if (!(source_sha = op_dicom_files_sha256 (dicom->files, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The store writes everything in one transaction, so this is the last
   * point where a cancel can leave the case as it was. */
  if (return_if_cancelled (task, cancellable))
    return;

  report (task, 0.3, _("Saving the CBCT to the case…"));

  input.series_uid = dicom->series->uid;
  input.study_uid = dicom->series->study_uid;
  input.description = dicom->series->description;
  input.modality = dicom->series->modality;
  input.n_images = dicom->series->n_images;
  input.threshold = loaded->threshold;
  input.factor = dicom->factor;
  input.tilt_deg = dicom->stack.tilt_deg;
  input.corrections = dicom->corrections;
  input.patient_name = dicom->series->identity.name;
  input.patient_id = dicom->series->identity.patient_id;
  input.birth_date = dicom->series->identity.birth_date;
  input.sex = dicom->series->identity.sex;
  input.identity_warning = op_loaded_volume_is_mismatch (loaded) && loaded->identity_message
                             ? loaded->identity_message : "";
  input.source_sha256 = source_sha;

  volume_id = op_store_add_volume (job->store, job->case_id, dicom->volume, &input, &error);
  if (volume_id == 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  report (task, 1.0, _("Saved"));
  g_task_return_int (task, volume_id);
}

void
op_volume_store_async (gpointer             source_object,
                       OpStore             *store,
                       gint64               case_id,
                       OpLoadedVolume      *loaded,
                       GCancellable        *cancellable,
                       OpTaskProgressFunc   progress,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  JobData *job;

  g_return_if_fail (OP_IS_STORE (store));
  g_return_if_fail (loaded != NULL && loaded->dicom != NULL);

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, op_volume_store_async);

  job = job_data_new (progress);
  job->store = g_object_ref (store);
  job->case_id = case_id;
  job->loaded = loaded;
  g_task_set_task_data (task, job, job_data_free);

  g_task_run_in_thread (task, store_thread);
}

OpLoadedVolume *
op_volume_store_finish (GAsyncResult  *result,
                        gint64        *out_volume_id,
                        GError       **error)
{
  JobData *job;
  gint64 id;

  g_return_val_if_fail (G_IS_TASK (result), NULL);

  id = g_task_propagate_int (G_TASK (result), error);
  if (id <= 0)
    return NULL;

  if (out_volume_id != NULL)
    *out_volume_id = id;

  job = g_task_get_task_data (G_TASK (result));
  return g_steal_pointer (&job->loaded);
}

/* ---- reopening ---------------------------------------------------------- */

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  JobData *job = task_data;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(OpStoredVolume) stored = NULL;
  g_autoptr(GError) error = NULL;
  OpVolumeRecord *latest;

  report (task, -1, _("Loading the CBCT…"));

  if (!(records = op_store_list_volumes (job->store, job->case_id, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (records->len == 0)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  /* The newest one is what the person added last; older ones stay stored
   * for the record. */
  latest = g_ptr_array_index (records, records->len - 1);

  stored = g_new0 (OpStoredVolume, 1);
  if (!(stored->volume = op_store_get_volume (job->store, latest->id, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  stored->record = g_ptr_array_steal_index (records, records->len - 1);

  if (return_if_cancelled (task, cancellable))
    return;

  g_task_return_pointer (task, g_steal_pointer (&stored), (GDestroyNotify) op_stored_volume_free);
}

void
op_volume_open_case_async (gpointer             source_object,
                           OpStore             *store,
                           gint64               case_id,
                           GCancellable        *cancellable,
                           OpTaskProgressFunc   progress,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  JobData *job;

  g_return_if_fail (OP_IS_STORE (store));

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, op_volume_open_case_async);

  job = job_data_new (progress);
  job->store = g_object_ref (store);
  job->case_id = case_id;
  g_task_set_task_data (task, job, job_data_free);

  g_task_run_in_thread (task, open_thread);
}

OpStoredVolume *
op_volume_open_case_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the surface ---------------------------------------------------------- */

static void
surface_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  JobData *job = task_data;
  OpIsoOptions options = { .n_threads = 0, .normals = TRUE };
  g_autoptr(OpMesh) mesh = NULL;

  report (task, -1, _("Building the 3D surface…"));

  mesh = op_volume_isosurface (job->ref->volume, job->threshold, &options);
  if (mesh == NULL)
    {
      g_task_return_new_error (task, OP_VOLUME_ERROR, OP_VOLUME_ERROR_TOO_LARGE,
                               _("The surface at this threshold has too many triangles to draw; "
                                 "raise the threshold"));
      return;
    }

  /* The extraction cannot be interrupted, but its result can still be
   * dropped before it costs an upload. */
  if (return_if_cancelled (task, cancellable))
    return;

  op_mesh_set_attrs (mesh, op_mesh_get_attrs (mesh) | OP_MESH_ATTR_COLORS);
  for (gsize i = 0; i < mesh->n_vertices; i++)
    memcpy (mesh->colors + i * 4, bone_rgba, 4);
  op_mesh_compute_bounds (mesh);

  g_task_return_pointer (task, g_steal_pointer (&mesh), (GDestroyNotify) op_mesh_free);
}

void
op_volume_surface_async (gpointer             source_object,
                         OpVolumeRef         *ref,
                         double               threshold_raw,
                         GCancellable        *cancellable,
                         OpTaskProgressFunc   progress,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  JobData *job;

  g_return_if_fail (ref != NULL && ref->volume != NULL);

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, op_volume_surface_async);

  job = job_data_new (progress);
  job->ref = op_volume_ref_acquire (ref);
  job->threshold = threshold_raw;
  g_task_set_task_data (task, job, job_data_free);

  g_task_run_in_thread (task, surface_thread);
}

OpMesh *
op_volume_surface_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
