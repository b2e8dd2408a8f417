/* op-production.c: production folders of stage models (op-production.h). */
#include "config.h"

#include "op-production.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

#include "op-plan-json.h"

G_DEFINE_QUARK (op-production-error-quark, op_production_error)

void
op_production_options_init (OpProductionOptions *options)
{
  memset (options, 0, sizeof *options);
  options->upper = TRUE;
  options->lower = TRUE;
  options->first_stage = 0;
  options->last_stage = G_MAXUINT;
  op_model_options_init (&options->model);
  options->trim_offset_mm = 1.0;
  options->n_threads = 2;
}

static void
file_free (OpProductionFile *f)
{
  g_free (f->name);
  g_free (f->sha256);
  g_free (f);
}

void
op_production_result_free (OpProductionResult *result)
{
  if (result == NULL)
    return;
  g_ptr_array_unref (result->files);
  g_free (result);
}

/* Lowercase hex SHA-256 of @data, as g_compute_checksum_for_data() gives
 * it, through OpenSSL: with the CPU's SHA instructions it is about three
 * times faster, and a full export hashes several hundred megabytes. */
static char *
sha256_hex (const guint8 *data, gsize len)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  char *hex;

  if (!EVP_Digest (data, len, md, &md_len, EVP_sha256 (), NULL) || md_len != 32)
    return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
  hex = g_malloc (2 * md_len + 1);
  for (unsigned int i = 0; i < md_len; i++)
    {
      hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
      hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
    }
  hex[2 * md_len] = '\0';
  return hex;
}

/* Binary STL bytes of @mesh: 80-byte header, count, then 50 bytes per
 * triangle with its face normal (printers' slicers read it), little
 * endian as the format requires. */
static guint8 *
stl_bytes (const OpMesh *mesh, const char *header, gsize *out_len)
{
  gsize len = 84 + 50 * mesh->n_triangles;
  guint8 *buf = g_malloc0 (len), *p;
  guint32 n = GUINT32_TO_LE ((guint32) mesh->n_triangles);

  g_strlcpy ((char *) buf, header, 80);
  memcpy (buf + 80, &n, 4);
  p = buf + 84;
  for (gsize t = 0; t < mesh->n_triangles; t++, p += 50)
    {
      const float *a = mesh->positions + 3 * mesh->indices[3 * t];
      const float *b = mesh->positions + 3 * mesh->indices[3 * t + 1];
      const float *c = mesh->positions + 3 * mesh->indices[3 * t + 2];
      float e1[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] };
      float e2[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] };
      float nrm[3] = { e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2],
                       e1[0] * e2[1] - e1[1] * e2[0] };
      float l = sqrtf (nrm[0] * nrm[0] + nrm[1] * nrm[1] + nrm[2] * nrm[2]);
      float v[12];

      for (int r = 0; r < 3; r++)
        {
          v[r] = l > 0 ? nrm[r] / l : 0;
          v[3 + r] = a[r];
          v[6 + r] = b[r];
          v[9 + r] = c[r];
        }
#if G_BYTE_ORDER == G_BIG_ENDIAN
      for (int r = 0; r < 12; r++)
        {
          guint32 u;
          memcpy (&u, &v[r], 4);
          u = GUINT32_SWAP_LE_BE (u);
          memcpy (&v[r], &u, 4);
        }
#endif
      memcpy (p, v, 48);
    }
  *out_len = len;
  return buf;
}

/* Writes @len bytes to @dir/@name through @name.part and a rename, so the
 * final name only ever holds a whole file.  On failure the temporary file
 * is removed and @error names the file and the system's reason. */
static gboolean
op_production_write_file (const char *dir, const char *name, const guint8 *data, gsize len, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *tmp = g_strconcat (path, ".part", NULL);
  gsize done = 0;
  int fd, saved;

  fd = g_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_FOLDER,
                   "cannot write production files to %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  while (done < len)
    {
      ssize_t w = write (fd, data + done, MIN (len - done, (gsize) 1 << 20));
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        {
          saved = w < 0 ? errno : ENOSPC;
          close (fd);
          g_unlink (tmp);
          g_set_error (error, OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_WRITE,
                       "writing %s failed after %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes: %s "
                       "(is the disk full?); the export was abandoned and its files removed",
                       path, done, len, g_strerror (saved));
          return FALSE;
        }
      done += (gsize) w;
    }
  if (close (fd) != 0 || g_rename (tmp, path) != 0)
    {
      saved = errno;
      g_unlink (tmp);
      g_set_error (error, OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_WRITE,
                   "finishing %s failed: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

typedef struct _Run Run;

typedef struct {
  guint    stage;
  gboolean upper;
  gboolean template_;
  gboolean trim;
} Job;

static gboolean trim_job (Run *run, const Job *job, OpProductionFile *f, GError **error);

struct _Run {
  const OpDentition         *dentition;
  const OpPlan              *plan;
  const char                *label;
  const char                *dir;
  const OpProductionOptions *options;
  GArray                    *jobs;      /* Job */
  OpProductionFile         **files;     /* one slot per job */
  gint                       next;
  gint                       failed;
  GMutex                     lock;
  GError                    *error;     /* the first failure, under @lock */
  guint                      done;
  gint64                     model_us;  /* summed over threads */
  OpModelCache              *cache;     /* posed teeth shared by all stages */
};

/* A trim line as CSV text, one point per line. */
static gboolean
trim_job (Run *run, const Job *job, OpProductionFile *f, GError **error)
{
  g_autoptr(GString) csv = g_string_new ("x_mm,y_mm,z_mm\n");
  g_autofree float *pts = NULL;
  gsize n = 0;

  pts = op_model_trim_line (run->dentition, run->plan, job->upper, job->stage, run->options->trim_offset_mm, &n,
                            error);
  if (pts == NULL)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      char b[3][G_ASCII_DTOSTR_BUF_SIZE];
      for (int r = 0; r < 3; r++)
        g_ascii_formatd (b[r], sizeof b[r], "%.3f", pts[3 * i + r]);
      g_string_append_printf (csv, "%s,%s,%s\n", b[0], b[1], b[2]);
    }
  f->n_triangles = n;
  f->sha256 = sha256_hex ((const guint8 *) csv->str, csv->len);
  return op_production_write_file (run->dir, f->name, (const guint8 *) csv->str, csv->len, error);
}


static void
fail (Run *run, GError *error)
{
  g_mutex_lock (&run->lock);
  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
  g_atomic_int_set (&run->failed, 1);
  g_mutex_unlock (&run->lock);
}

static gpointer
worker (gpointer data)
{
  Run *run = data;

  for (;;)
    {
      gint i = g_atomic_int_add (&run->next, 1);
      const Job *job;
      OpModelOptions mo;
      g_autoptr(OpMesh) mesh = NULL;
      g_autofree char *label = NULL;
      g_autofree guint8 *bytes = NULL;
      g_autofree char *header = NULL;
      GError *error = NULL;
      OpProductionFile *f;
      gsize len;
      gint64 t0;

      if (i >= (gint) run->jobs->len || g_atomic_int_get (&run->failed))
        break;
      if (g_cancellable_is_cancelled (run->options->cancellable))
        {
          fail (run, g_error_new (OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_CANCELLED,
                                  "the production export was cancelled; its files were removed"));
          break;
        }
      job = &g_array_index (run->jobs, Job, i);
      if (job->trim)
        {
          f = g_new0 (OpProductionFile, 1);
          f->stage = job->stage;
          f->arch = job->upper ? 'U' : 'L';
          f->trim_line = TRUE;
          f->name = g_strdup_printf ("%s_%c_%02u_TRIM.csv", run->label, f->arch, job->stage);
          run->files[i] = f;
          if (!trim_job (run, job, f, &error))
            {
              fail (run, error);
              break;
            }
          g_mutex_lock (&run->lock);
          run->done++;
          if (run->options->progress)
            run->options->progress (run->done, run->jobs->len, run->options->progress_data);
          g_mutex_unlock (&run->lock);
          continue;
        }
      mo = run->options->model;
      /* Stages are built in parallel already, so each isosurface uses one
       * thread: two cores are best used by two models at once. */
      mo.n_threads = 1;
      mo.cache = run->cache;
      mo.all_attachments = job->template_;
      label = job->template_ ? g_strdup_printf ("%s-%c-AT", run->label, job->upper ? 'U' : 'L')
                             : op_model_label (run->label, job->upper, job->stage);
      t0 = g_get_monotonic_time ();
      mesh = op_model_build (run->dentition, run->plan, job->upper, job->stage, label, &mo, NULL, &error);
      g_atomic_pointer_add (&run->model_us, g_get_monotonic_time () - t0);
      if (mesh == NULL)
        {
          fail (run, error);
          break;
        }
      f = g_new0 (OpProductionFile, 1);
      f->stage = job->stage;
      f->arch = job->upper ? 'U' : 'L';
      f->template_ = job->template_;
      f->name = job->template_ ? g_strdup_printf ("%s_%c_TEMPLATE.stl", run->label, f->arch)
                               : g_strdup_printf ("%s_%c_%02u.stl", run->label, f->arch, job->stage);
      f->n_triangles = mesh->n_triangles;
      f->volume_mm3 = op_mesh_volume (mesh);
      header = g_strdup_printf ("Orthoplan production model %s", label);
      bytes = stl_bytes (mesh, header, &len);
      f->sha256 = sha256_hex (bytes, len);
      run->files[i] = f;
      if (!op_production_write_file (run->dir, f->name, bytes, len, &error))
        {
          fail (run, error);
          break;
        }
      g_mutex_lock (&run->lock);
      run->done++;
      if (run->options->progress)
        run->options->progress (run->done, run->jobs->len, run->options->progress_data);
      g_mutex_unlock (&run->lock);
    }
  return NULL;
}

static gboolean
write_manifest (Run *run, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) csv = g_string_new ("file,stage,arch,kind,triangles,volume_mm3,sha256\n");
  g_autofree char *json = NULL;
  gsize json_len;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "orthoplan-production-1");
  json_builder_set_member_name (b, "case");
  json_builder_add_string_value (b, run->label);
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i < run->jobs->len; i++)
    {
      const OpProductionFile *f = run->files[i];
      char vol[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (vol, sizeof vol, "%.3f", f->volume_mm3);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, f->name);
      json_builder_set_member_name (b, "stage");
      json_builder_add_int_value (b, f->stage);
      json_builder_set_member_name (b, "arch");
      json_builder_add_string_value (b, f->arch == 'U' ? "upper" : "lower");
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, f->template_ ? "attachment-template" : f->trim_line ? "trim-line" : "model");
      json_builder_set_member_name (b, f->trim_line ? "points" : "triangles");
      json_builder_add_int_value (b, (gint64) f->n_triangles);
      json_builder_set_member_name (b, "volume_mm3");
      json_builder_add_double_value (b, g_ascii_strtod (vol, NULL));
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, f->sha256);
      json_builder_end_object (b);
      g_string_append_printf (csv, "%s,%u,%s,%s,%" G_GSIZE_FORMAT ",%s,%s\n", f->name, f->stage,
                              f->arch == 'U' ? "upper" : "lower",
                              f->template_ ? "attachment-template" : f->trim_line ? "trim-line" : "model",
                              f->n_triangles, vol, f->sha256);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json = json_generator_to_data (gen, &json_len);

  /* The CSV first and the JSON last: programs look for manifest.json. */
  return op_production_write_file (run->dir, "manifest.csv", (const guint8 *) csv->str, csv->len, error) &&
         op_production_write_file (run->dir, "manifest.json", (const guint8 *) json, json_len, error);
}

static void
remove_partial (Run *run)
{
  for (guint i = 0; i < run->jobs->len; i++)
    if (run->files[i])
      {
        g_autofree char *path = g_build_filename (run->dir, run->files[i]->name, NULL);
        g_unlink (path);
      }
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = g_build_filename (run->dir, i ? "manifest.json" : "manifest.csv", NULL);
      g_unlink (path);
    }
}

OpProductionResult *
op_production_write (const OpDentition          *dentition,
                     const OpPlan               *plan,
                     const char                 *case_label,
                     const char                 *dir,
                     const OpProductionOptions  *options,
                     GError                    **error)
{
  OpProductionOptions o;
  Run run = { 0 };
  g_autoptr(GArray) jobs = g_array_new (FALSE, FALSE, sizeof (Job));
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autofree char *manifest = NULL;
  OpProductionResult *result;
  gint64 t0 = g_get_monotonic_time ();
  guint last, n_threads;
  gboolean has_attachments;

  g_return_val_if_fail (dentition != NULL && plan != NULL && dir != NULL, NULL);

  if (options)
    o = *options;
  else
    op_production_options_init (&o);
  last = MIN (o.last_stage, plan->n_stages - 1);
  if (o.first_stage > last || o.last_stage < o.first_stage || (!o.upper && !o.lower))
    {
      g_set_error (error, OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_INVALID,
                   "nothing to export: stages %u-%u of a plan with stages 0-%u, %s", o.first_stage,
                   o.last_stage == G_MAXUINT ? last : o.last_stage, plan->n_stages - 1,
                   (!o.upper && !o.lower) ? "no arch chosen" : "arch chosen");
      return NULL;
    }
  if (case_label == NULL || *case_label == '\0' || strpbrk (case_label, "/\\:") != NULL)
    {
      g_set_error (error, OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_INVALID,
                   "the case label \"%s\" cannot name files", case_label ? case_label : "");
      return NULL;
    }

  if (g_mkdir_with_parents (dir, 0755) != 0 || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      int saved = errno;
      g_set_error (error, OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_FOLDER,
                   "cannot make the production folder %s: %s", dir, g_strerror (saved));
      return NULL;
    }
  /* An earlier export's manifest would vouch for files this run is about
   * to replace; it goes first. */
  manifest = g_build_filename (dir, "manifest.json", NULL);
  if (g_unlink (manifest) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_FOLDER,
                   "cannot remove the old manifest %s: %s", manifest, g_strerror (saved));
      return NULL;
    }

  has_attachments = plan->attachments && plan->attachments->len > 0;
  for (int a = 0; a < 2; a++)
    {
      gboolean upper = a == 0;
      if (upper ? !o.upper : !o.lower)
        continue;
      for (guint s = o.first_stage; s <= last; s++)
        {
          Job j = { s, upper, FALSE, FALSE };
          g_array_append_val (jobs, j);
          if (o.trim_lines)
            {
              Job tj = { s, upper, FALSE, TRUE };
              g_array_append_val (jobs, tj);
            }
        }
      if (has_attachments && o.first_stage == 0)
        {
          gboolean on_arch = FALSE;
          for (guint i = 0; i < plan->attachments->len; i++)
            on_arch |= op_fdi_is_upper (g_array_index (plan->attachments, OpPlanAttachment, i).fdi) == upper;
          if (on_arch)
            {
              Job j = { 0, upper, TRUE, FALSE };
              g_array_append_val (jobs, j);
            }
        }
    }

  run.dentition = dentition;
  run.plan = plan;
  run.label = case_label;
  run.dir = dir;
  run.options = &o;
  run.jobs = jobs;
  run.files = g_new0 (OpProductionFile *, jobs->len);
  g_mutex_init (&run.lock);
  /* Most teeth keep their pose over many stages; each pose is voxelised
   * once for the whole run.  The models are the same bytes without it. */
  run.cache = op_model_cache_new (0);

  n_threads = CLAMP (o.n_threads ? o.n_threads : 2, 1, 16);
  for (guint t = 1; t < n_threads; t++)
    g_ptr_array_add (threads, g_thread_new ("op-production", worker, &run));
  worker (&run);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (g_ptr_array_index (threads, t));
  g_clear_pointer (&run.cache, op_model_cache_free);

  if (run.error == NULL)
    {
      GError *merr = NULL;
      if (!write_manifest (&run, &merr))
        run.error = merr;
    }
  if (run.error != NULL)
    {
      remove_partial (&run);
      for (guint i = 0; i < jobs->len; i++)
        if (run.files[i])
          file_free (run.files[i]);
      g_free (run.files);
      g_mutex_clear (&run.lock);
      g_propagate_error (error, run.error);
      return NULL;
    }

  result = g_new0 (OpProductionResult, 1);
  result->files = g_ptr_array_new_with_free_func ((GDestroyNotify) file_free);
  for (guint i = 0; i < jobs->len; i++)
    g_ptr_array_add (result->files, run.files[i]);
  g_free (run.files);
  g_mutex_clear (&run.lock);
  result->seconds_models = run.model_us / 1e6;
  result->seconds_total = (g_get_monotonic_time () - t0) / 1e6;
  return result;
}

static void
refuse (OpStore *store, gint64 case_id, const char *dir, GError *why)
{
  g_autofree char *object = g_strdup_printf ("case:%" G_GINT64_FORMAT, case_id);
  g_autofree char *detail = g_strdup_printf ("production export to %s refused: %s", dir, why->message);

  /* The refusal itself is evidence; if auditing fails too, the refusal
   * still stands and its reason is what the caller reports. */
  op_store_audit (store, "case.production.refused", object, detail, NULL);
}

OpProductionResult *
op_production_export_case (OpStore                    *store,
                           gint64                      case_id,
                           const char                 *dir,
                           const OpProductionOptions  *options,
                           GError                    **error)
{
  g_autoptr(OpApproval) approval = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(OpDentition) teeth = NULL;
  g_autofree char *label = NULL;
  g_autofree char *object = NULL;
  g_autofree char *detail = NULL;
  OpPlanRecord *record = NULL;
  OpProductionResult *result;
  const char *data;
  gsize len;

  if (!op_store_verify_approval (store, case_id, &approval, &local))
    {
      GError *why;
      if (g_error_matches (local, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND) || approval == NULL)
        why = g_error_new (OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_NOT_APPROVED,
                           "case %" G_GINT64_FORMAT " has no approved plan; production files are made "
                           "only from a plan a provider approved and signed (%s)",
                           case_id, local ? local->message : "no approval");
      else if (g_error_matches (local, OP_STORE_ERROR, OP_STORE_ERROR_BAD_SIGNATURE))
        why = g_error_new (OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_TAMPERED,
                           "case %" G_GINT64_FORMAT ": the approval of plan v%u does not verify, so the "
                           "plan may have been changed after signing: %s",
                           case_id, approval->plan_version, local->message);
      else
        why = g_error_new (OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_NOT_APPROVED,
                           "case %" G_GINT64_FORMAT ": the approval could not be checked: %s",
                           case_id, local->message);
      refuse (store, case_id, dir, why);
      g_propagate_error (error, why);
      return NULL;
    }

  bytes = op_store_get_plan (store, case_id, (int) approval->plan_version, &record, error);
  if (bytes == NULL)
    return NULL;
  op_plan_record_free (record);
  data = g_bytes_get_data (bytes, &len);
  plan = op_plan_decode (data, len, "approved plan", error);
  if (plan == NULL)
    return NULL;
  teeth = op_store_load_teeth (store, case_id, NULL, options ? options->cancellable : NULL, error);
  if (teeth == NULL)
    return NULL;

  label = g_strdup_printf ("%" G_GINT64_FORMAT, case_id);
  result = op_production_write (teeth, plan, label, dir, options, error);
  if (result == NULL)
    return NULL;
  object = g_strdup_printf ("case:%" G_GINT64_FORMAT, case_id);
  detail = g_strdup_printf ("production files of approved plan v%u (%u files) to %s", approval->plan_version,
                            result->files->len, dir);
  if (!op_store_audit (store, "case.export", object, detail, error))
    {
      op_production_result_free (result);
      return NULL;
    }
  return result;
}
