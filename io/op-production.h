/* op-production.h: production files for in-house aligner manufacturing.
 *
 * One printable model (op-model.h) per stage and arch, written as binary
 * STL in lab style (CASEID_U_03.stl), the stage 0 attachment template
 * (CASEID_U_TEMPLATE.stl) when the plan has attachments, and a manifest
 * in JSON and CSV (manifest.json, manifest.csv) listing per file the
 * stage, arch, triangle count, volume and sha256.
 *
 * Nothing that looks finished is left behind by a failure: every file is
 * written under a temporary name and renamed, a manifest from an earlier
 * export in the folder is removed before the first model is written, the
 * manifest is written last, and when anything fails the files of this run
 * are removed again.  So a folder with a manifest is a complete export.
 *
 * op_production_export_case() adds the rule that only an approved plan
 * whose signature verifies is exported; a refusal says why and is
 * audited.
 */
#pragma once

#include <gio/gio.h>

#include "op-model.h"
#include "op-store.h"

G_BEGIN_DECLS

#define OP_PRODUCTION_ERROR (op_production_error_quark ())
GQuark op_production_error_quark (void);

typedef enum {
  OP_PRODUCTION_ERROR_NOT_APPROVED,  /* no approval, or not of the plan stored now */
  OP_PRODUCTION_ERROR_TAMPERED,      /* the approval's signature or hash does not verify */
  OP_PRODUCTION_ERROR_FOLDER,        /* the folder cannot be made or written */
  OP_PRODUCTION_ERROR_WRITE,         /* a write failed midway (disk full, file too large) */
  OP_PRODUCTION_ERROR_INVALID,       /* stages out of range, nothing to export */
  OP_PRODUCTION_ERROR_CANCELLED,
} OpProductionError;

/* Called after each file, serialised, from a worker thread. */
typedef void (*OpProductionProgress) (guint done, guint total, gpointer data);

typedef struct {
  gboolean             upper;          /* export the upper arch */
  gboolean             lower;
  guint                first_stage;    /* inclusive */
  guint                last_stage;     /* inclusive; G_MAXUINT means the plan's last */
  OpModelOptions       model;
  /* Also write each stage's aligner trim line (op_model_trim_line()) as
   * CASEID_U_03_TRIM.csv, x,y,z in mm per line, @trim_offset_mm above the
   * gingival margin. */
  gboolean             trim_lines;
  double               trim_offset_mm;
  guint                n_threads;      /* models built at once; 0 means 2 */
  OpProductionProgress progress;
  gpointer             progress_data;
  GCancellable        *cancellable;
} OpProductionOptions;

/* Both arches, every stage, default models. */
void op_production_options_init (OpProductionOptions *options);

typedef struct {
  char   *name;        /* file name inside the folder */
  guint   stage;
  char    arch;        /* 'U' or 'L' */
  gboolean template_;  /* the stage 0 attachment template */
  gboolean trim_line;  /* a trim-line polyline, not a model */
  gsize   n_triangles; /* points for a trim line */
  double  volume_mm3;
  char   *sha256;      /* lowercase hex of the file's bytes */
} OpProductionFile;

typedef struct {
  GPtrArray *files;    /* OpProductionFile*, in manifest order */
  double     seconds_models;
  double     seconds_total;
} OpProductionResult;

void op_production_result_free (OpProductionResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpProductionResult, op_production_result_free)

/* Writes the models of @plan's stages for @dentition into @dir (made if
 * missing).  @case_label names the files and is engraved on the bases.
 * No approval check: op_production_export_case() is the clinical entry. */
OpProductionResult *op_production_write (const OpDentition          *dentition,
                                         const OpPlan               *plan,
                                         const char                 *case_label,
                                         const char                 *dir,
                                         const OpProductionOptions  *options,
                                         GError                    **error);

/* The case's latest plan, if its approval verifies, written as above;
 * the export or the refusal is audited. */
OpProductionResult *op_production_export_case (OpStore                    *store,
                                               gint64                      case_id,
                                               const char                 *dir,
                                               const OpProductionOptions  *options,
                                               GError                    **error);

G_END_DECLS
