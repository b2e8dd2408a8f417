/* op-volume-loader.h: the slow parts of a CBCT, run in GTask threads.
 *
 * Loading reads and resamples a DICOM series with io/op-dicom and compares
 * the identity in its headers with the case's patient (planner/op-identity)
 * but stores nothing, so that the person can confirm a mismatch first.
 * Storing writes the loaded volume with its case in one transaction.
 * Opening a case reads its latest stored volume back.  The surface job
 * builds the isosurface (planner/op-marching) for the 3D view.  All report
 * progress through op_task_report_progress() and can be cancelled; a job
 * cancelled before it stores leaves no trace in the store.
 */
#pragma once

#include <gio/gio.h>

#include "op-dicom.h"
#include "op-identity.h"
#include "op-mesh.h"
#include "op-store.h"
#include "op-task-progress.h"
#include "op-volume.h"

G_BEGIN_DECLS

/* A volume shared between the view that shows it and the worker that
 * builds its surface, so that neither has to outlive the other.  An
 * atomic reference-counted box; the volume is freed with the last
 * reference. */
typedef struct {
  OpVolume *volume;
} OpVolumeRef;

OpVolumeRef *op_volume_ref_new     (OpVolume    *volume);   /* takes @volume */
OpVolumeRef *op_volume_ref_acquire (OpVolumeRef *ref);
void         op_volume_ref_release (OpVolumeRef *ref);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpVolumeRef, op_volume_ref_release)

/* What to load. */
typedef struct {
  /* The series when the input holds several; NULL to be asked. */
  const char *series_uid;
  /* Half the resolution along each axis. */
  gboolean    downsample;
  /* 0 for OP_DICOM_DEFAULT_MAX_BYTES. */
  guint64     max_bytes;
} OpVolumeLoadOptions;

/* The result of a load: either the series to choose from (@scan, when the
 * input holds several and none was named), or a loaded volume. */
typedef struct {
  char             *name;              /* the file or folder's base name */
  char             *path;
  OpDicomScan      *scan;              /* set when a series must be chosen */
  OpDicomVolume    *dicom;             /* set otherwise */
  OpIdentityResult  match;
  char             *identity_message;  /* NULL when nothing to warn about */
  int               threshold;         /* automatic isosurface threshold, raw */
} OpLoadedVolume;

void op_loaded_volume_free (OpLoadedVolume *loaded);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpLoadedVolume, op_loaded_volume_free)

/* TRUE when the identity comparison found a real mismatch (not merely
 * anonymised headers), which the person must confirm before storing. */
gboolean        op_loaded_volume_is_mismatch (const OpLoadedVolume *loaded);

/* Loads @file (a folder, a DICOMDIR or one file).  @patient is the case's
 * patient for the identity check; NULL skips it. */
void            op_volume_load_async   (gpointer                    source_object,
                                        GFile                      *file,
                                        const OpVolumeLoadOptions  *options,
                                        const OpPatient            *patient,
                                        GCancellable               *cancellable,
                                        OpTaskProgressFunc          progress,
                                        GAsyncReadyCallback         callback,
                                        gpointer                    user_data);
OpLoadedVolume *op_volume_load_finish  (GAsyncResult               *result,
                                        GError                    **error);

/* Stores @loaded (taken) with case @case_id and gives it back from the
 * finish function with the new volume's id. */
void            op_volume_store_async  (gpointer             source_object,
                                        OpStore             *store,
                                        gint64               case_id,
                                        OpLoadedVolume      *loaded,
                                        GCancellable        *cancellable,
                                        OpTaskProgressFunc   progress,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
OpLoadedVolume *op_volume_store_finish (GAsyncResult        *result,
                                        gint64              *out_volume_id,
                                        GError             **error);

/* The newest volume stored with the case, or NULL and no error when the
 * case has none. */
typedef struct {
  OpVolumeRecord *record;
  OpVolume       *volume;
} OpStoredVolume;

void            op_stored_volume_free  (OpStoredVolume *stored);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpStoredVolume, op_stored_volume_free)

void            op_volume_open_case_async  (gpointer             source_object,
                                            OpStore             *store,
                                            gint64               case_id,
                                            GCancellable        *cancellable,
                                            OpTaskProgressFunc   progress,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
OpStoredVolume *op_volume_open_case_finish (GAsyncResult        *result,
                                            GError             **error);

/* The isosurface at @threshold_raw, with normals and a bone colour per
 * vertex, ready for OP_MATERIAL_VERTEX_COLOR. */
void            op_volume_surface_async    (gpointer             source_object,
                                            OpVolumeRef         *ref,
                                            double               threshold_raw,
                                            GCancellable        *cancellable,
                                            OpTaskProgressFunc   progress,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
OpMesh         *op_volume_surface_finish   (GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
