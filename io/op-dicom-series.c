/* op-dicom-series.c: finding the files of a series and building its volume.
 *
 * GDCM (op-dicom.cpp) reads headers and decodes pixels; this file decides
 * which files belong together, refuses what cannot be one volume, checks
 * the memory a load needs before decoding anything, and hands the slices
 * to planner/op-volume-stack.c, which places each by its own position and
 * orientation.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "op-dicom-private.h"

G_DEFINE_QUARK (op-dicom-error-quark, op_dicom_error)

typedef struct {
  char          *path;
  char          *label;   /* path relative to the input, for messages */
  OpDicomHeader  header;
} Entry;

static void
entry_free (Entry *e)
{
  g_free (e->path);
  g_free (e->label);
  op__dicom_header_clear (&e->header);
  g_free (e);
}

/* The public scan and, parallel to its series, the files of each. */
typedef struct {
  OpDicomScan  pub;
  GPtrArray   *groups;   /* GPtrArray of Entry, one per series */
} Scan;

void
op_dicom_identity_clear (OpDicomIdentity *identity)
{
  g_clear_pointer (&identity->name, g_free);
  g_clear_pointer (&identity->patient_id, g_free);
  g_clear_pointer (&identity->birth_date, g_free);
  g_clear_pointer (&identity->sex, g_free);
}

void
op_dicom_series_free (OpDicomSeries *series)
{
  if (series == NULL)
    return;
  g_free (series->uid);
  g_free (series->description);
  g_free (series->modality);
  g_free (series->study_uid);
  g_free (series->study_date);
  g_free (series->transfer_syntax);
  op_dicom_identity_clear (&series->identity);
  g_free (series);
}

void
op_dicom_scan_free (OpDicomScan *scan)
{
  Scan *s = (Scan *) scan;

  if (scan == NULL)
    return;
  g_clear_pointer (&scan->series, g_ptr_array_unref);
  g_clear_pointer (&scan->skipped, g_ptr_array_unref);
  g_clear_pointer (&s->groups, g_ptr_array_unref);
  g_free (s);
}

void
op_dicom_volume_free (OpDicomVolume *volume)
{
  if (volume == NULL)
    return;
  op_volume_free (volume->volume);
  op_dicom_series_free (volume->series);
  g_clear_pointer (&volume->skipped, g_ptr_array_unref);
  g_clear_pointer (&volume->files, g_ptr_array_unref);
  g_free (volume->corrections);
  g_free (volume);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Lists the files under @dir (recursively), sorted by path so that the
 * same folder always gives the same order. */
static gboolean
list_folder (const char  *dir,
             GPtrArray   *out,
             GError     **error)
{
  g_autoptr(GDir) d = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  d = g_dir_open (dir, 0, &local_error);
  if (d == NULL)
    {
      g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_READ, "%s: %s", dir, local_error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (!list_folder (path, out, error))
            return FALSE;
        }
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (out, g_steal_pointer (&path));
    }
  return TRUE;
}

static OpDicomSeries *
series_from_entry (const Entry *e)
{
  OpDicomSeries *s = g_new0 (OpDicomSeries, 1);
  const OpDicomHeader *h = &e->header;

  s->uid = g_strdup (h->series_uid ? h->series_uid : "");
  s->description = g_strdup (h->series_description);
  s->modality = g_strdup (h->modality);
  s->study_uid = g_strdup (h->study_uid);
  s->study_date = g_strdup (h->study_date);
  s->transfer_syntax = g_strdup (h->transfer_syntax);
  s->rows = h->rows;
  s->columns = h->columns;
  s->identity.name = g_strdup (h->identity.name);
  s->identity.patient_id = g_strdup (h->identity.patient_id);
  s->identity.birth_date = g_strdup (h->identity.birth_date);
  s->identity.sex = g_strdup (h->identity.sex);
  return s;
}

static OpDicomSeries *
series_copy (const OpDicomSeries *src)
{
  OpDicomSeries *s = g_memdup2 (src, sizeof *src);

  s->uid = g_strdup (src->uid);
  s->description = g_strdup (src->description);
  s->modality = g_strdup (src->modality);
  s->study_uid = g_strdup (src->study_uid);
  s->study_date = g_strdup (src->study_date);
  s->transfer_syntax = g_strdup (src->transfer_syntax);
  s->identity.name = g_strdup (src->identity.name);
  s->identity.patient_id = g_strdup (src->identity.patient_id);
  s->identity.birth_date = g_strdup (src->identity.birth_date);
  s->identity.sex = g_strdup (src->identity.sex);
  return s;
}

OpDicomScan *
op_dicom_scan (const char    *path,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *root = NULL;
  Scan *scan;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      if (!list_folder (path, files, error))
        return NULL;
      g_ptr_array_sort (files, compare_strings);
      root = g_strdup (path);
    }
  else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      root = g_path_get_dirname (path);
      if (!op__dicom_read_dicomdir (path, files))
        g_ptr_array_add (files, g_strdup (path));
    }
  else
    {
      g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_READ, _("%s: no such file or folder"), path);
      return NULL;
    }

  scan = g_new0 (Scan, 1);
  scan->pub.series = g_ptr_array_new_with_free_func ((GDestroyNotify) op_dicom_series_free);
  scan->pub.skipped = g_ptr_array_new_with_free_func (g_free);
  scan->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  scan->pub.n_files = files->len;

  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      g_autofree char *why = NULL;
      Entry *e;
      guint s;

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_CANCELLED, _("%s: cancelled"), path);
          op_dicom_scan_free (&scan->pub);
          return NULL;
        }

      e = g_new0 (Entry, 1);
      e->path = g_strdup (file);
      e->label = g_str_has_prefix (file, root) && file[strlen (root)] == G_DIR_SEPARATOR
                   ? g_strdup (file + strlen (root) + 1) : g_path_get_basename (file);
      if (!op__dicom_read_header (file, &e->header, &why))
        {
          /* A DICOMDIR beside its images is expected, not a stray file. */
          if (!g_str_equal (why, "a DICOMDIR, not an image"))
            g_ptr_array_add (scan->pub.skipped, g_strdup_printf ("%s: %s", e->label, why));
          entry_free (e);
          continue;
        }

      for (s = 0; s < scan->pub.series->len; s++)
        {
          OpDicomSeries *series = g_ptr_array_index (scan->pub.series, s);

          if (g_strcmp0 (series->uid, e->header.series_uid ? e->header.series_uid : "") == 0)
            break;
        }
      if (s == scan->pub.series->len)
        {
          g_ptr_array_add (scan->pub.series, series_from_entry (e));
          g_ptr_array_add (scan->groups, g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free));
        }
      ((OpDicomSeries *) g_ptr_array_index (scan->pub.series, s))->n_files++;
      ((OpDicomSeries *) g_ptr_array_index (scan->pub.series, s))->n_images += MAX (e->header.frames, 1);
      g_ptr_array_add (g_ptr_array_index (scan->groups, s), e);
    }

  if (scan->pub.series->len == 0)
    {
      g_autofree char *list = NULL;

      if (scan->pub.skipped->len > 0)
        {
          g_ptr_array_add (scan->pub.skipped, NULL);
          list = g_strjoinv ("; ", (char **) scan->pub.skipped->pdata);
          g_ptr_array_remove_index (scan->pub.skipped, scan->pub.skipped->len - 1);
        }
      g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_NO_IMAGES, _("%s: no DICOM images in %u files%s%s"),
                   path, files->len, list ? " (" : "", list ? list : "");
      if (list)
        {
          /* Close the parenthesis opened above. */
          char *msg = g_strconcat ((*error)->message, ")", NULL);

          g_free ((*error)->message);
          (*error)->message = msg;
        }
      op_dicom_scan_free (&scan->pub);
      return NULL;
    }
  return &scan->pub;
}

char *
op_dicom_describe_corrections (const OpStackInfo *stack)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (stack->tilted)
    g_ptr_array_add (parts, g_strdup_printf (_("gantry tilt of %.1f° resampled onto an orthogonal grid"),
                                             stack->tilt_deg));
  if (stack->uneven)
    g_ptr_array_add (parts, g_strdup_printf (_("uneven slice spacing (%.2f to %.2f mm, %u changes) resampled to %.2f mm"),
                                             stack->min_gap_mm, stack->max_gap_mm, stack->n_gap_changes,
                                             stack->spacing[2]));
  if (stack->n_missing > 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%u gaps of missing slices interpolated (first from %.2f to %.2f mm)"),
                                             stack->n_missing, stack->missing_from_mm, stack->missing_to_mm));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("; ", (char **) parts->pdata);
}

typedef struct {
  GPtrArray    *entries;      /* Entry, sorted by file */
  gint16      **pixels;       /* per entry, all frames, after downsampling */
  OpSlice      *slices;       /* per frame */
  guint        *first_slice;  /* per entry */
  int           factor;
  gint          next;
  GMutex        lock;
  guint         n_done;
  guint         failed_at;    /* lowest failing entry, or G_MAXUINT */
  char         *why;
  GCancellable *cancellable;
  const OpDicomLoadOptions *options;
} Decode;

static gpointer
decode_worker (gpointer data)
{
  Decode *d = data;

  for (;;)
    {
      guint i = (guint) g_atomic_int_add (&d->next, 1);
      Entry *e;
      gsize frame_px;
      g_autofree gint16 *full = NULL;
      g_autofree char *why = NULL;

      if (i >= d->entries->len || g_cancellable_is_cancelled (d->cancellable))
        break;
      e = g_ptr_array_index (d->entries, i);
      frame_px = (gsize) e->header.rows * e->header.columns;
      full = g_try_new (gint16, frame_px * e->header.frames);
      if (full == NULL)
        why = g_strdup (_("out of memory"));
      else if (op__dicom_read_pixels (e->path, full, frame_px * e->header.frames, &why))
        {
          if (d->factor == 2)
            {
              gsize small_px = (gsize) (e->header.rows / 2) * (e->header.columns / 2);

              d->pixels[i] = g_new (gint16, small_px * e->header.frames);
              for (int f = 0; f < e->header.frames; f++)
                op_slice_downsample2 (&d->slices[d->first_slice[i] + f], full + f * frame_px,
                                      d->pixels[i] + f * small_px);
            }
          else
            {
              d->pixels[i] = g_steal_pointer (&full);
              for (int f = 0; f < e->header.frames; f++)
                d->slices[d->first_slice[i] + f].pixels = d->pixels[i] + f * frame_px;
            }
        }

      g_mutex_lock (&d->lock);
      if (why && i < d->failed_at)
        {
          d->failed_at = i;
          g_free (d->why);
          d->why = g_steal_pointer (&why);
        }
      d->n_done++;
      if (d->options && d->options->progress)
        d->options->progress (0.95 * d->n_done / d->entries->len, d->options->progress_data);
      g_mutex_unlock (&d->lock);
    }
  return NULL;
}

static char *
format_bytes (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_DEFAULT);
}

OpDicomVolume *
op_dicom_load (const char                *path,
               const OpDicomLoadOptions  *options,
               GCancellable              *cancellable,
               GError                   **error)
{
  g_autoptr(OpDicomScan) scan = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree OpSlice *slices = NULL;
  g_autofree guint *order = NULL;
  g_autofree guint *first_slice = NULL;
  g_autoptr(GPtrArray) label_store = g_ptr_array_new_with_free_func (g_free);
  guint64 max_bytes = options && options->max_bytes ? options->max_bytes : OP_DICOM_DEFAULT_MAX_BYTES;
  OpStackOptions stack_opts = { 1, options && options->allow_gaps };
  OpStackInfo info;
  GPtrArray *entries;
  Scan *s;
  guint group = 0, n_slices = 0;
  guint64 raw_bytes, need;
  Decode decode = { 0 };
  GThread *helper;
  OpDicomVolume *result;

  g_return_val_if_fail (path != NULL, NULL);

  scan = op_dicom_scan (path, cancellable, error);
  if (scan == NULL)
    return NULL;
  s = (Scan *) scan;

  if (options && options->series_uid)
    {
      for (group = 0; group < scan->series->len; group++)
        if (g_str_equal (((OpDicomSeries *) g_ptr_array_index (scan->series, group))->uid, options->series_uid))
          break;
      if (group == scan->series->len)
        {
          g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_SERIES, _("%s: no series %s here"),
                       path, options->series_uid);
          return NULL;
        }
    }
  else if (scan->series->len > 1)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; i < scan->series->len; i++)
        {
          OpDicomSeries *ser = g_ptr_array_index (scan->series, i);

          g_string_append_printf (list, "%s%s (%s, %u images)", i ? "; " : "", ser->uid,
                                  ser->description ? ser->description : _("no description"), ser->n_images);
        }
      g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_SEVERAL_SERIES,
                   _("%s holds %u series; choose one: %s"), path, scan->series->len, list->str);
      return NULL;
    }
  entries = g_ptr_array_index (s->groups, group);

  /* One OpSlice per frame, placed by its file's geometry. */
  first_slice = g_new (guint, entries->len);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);

      if (e->header.samples_per_pixel > 1)
        {
          g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_SERIES,
                       _("%s: a colour image (%d samples per pixel) cannot be part of a CT volume"),
                       e->label, e->header.samples_per_pixel);
          return NULL;
        }
      if (!e->header.has_geometry && (entries->len > 1 || e->header.frames > 1))
        {
          g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_SERIES,
                       _("%s: no ImagePositionPatient or ImageOrientationPatient; the slices cannot be placed"),
                       e->label);
          return NULL;
        }
      first_slice[i] = n_slices;
      n_slices += MAX (e->header.frames, 1);
    }
  slices = g_new0 (OpSlice, n_slices);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);
      const OpDicomHeader *h = &e->header;
      double nrm[3] = {
        h->row_dir[1] * h->col_dir[2] - h->row_dir[2] * h->col_dir[1],
        h->row_dir[2] * h->col_dir[0] - h->row_dir[0] * h->col_dir[2],
        h->row_dir[0] * h->col_dir[1] - h->row_dir[1] * h->col_dir[0],
      };

      for (int f = 0; f < MAX (h->frames, 1); f++)
        {
          OpSlice *sl = &slices[first_slice[i] + f];
          char *label = h->frames > 1 ? g_strdup_printf ("%s frame %d", e->label, f + 1) : g_strdup (e->label);

          g_ptr_array_add (label_store, label);
          for (int a = 0; a < 3; a++)
            {
              /* GDCM gives a multi-frame file's first position and its
               * frame spacing; the frames follow along the normal. */
              sl->position[a] = h->position[a] + f * h->frame_spacing * nrm[a];
              sl->row_dir[a] = h->row_dir[a];
              sl->col_dir[a] = h->col_dir[a];
            }
          sl->column_spacing = h->column_spacing;
          sl->row_spacing = h->row_spacing;
          sl->columns = h->columns;
          sl->rows = h->rows;
          sl->slope = h->slope;
          sl->intercept = h->intercept;
          sl->label = label;
        }
    }

  order = g_new (guint, n_slices);
  if (!op_volume_analyse_stack (slices, n_slices, &stack_opts, order, &info, &local_error))
    {
      g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_SERIES, "%s: %s", path, local_error->message);
      return NULL;
    }

  /* Memory: the decoded slices and the grid are both held while
   * resampling. */
  raw_bytes = op_volume_estimate_bytes (slices[0].columns, slices[0].rows, n_slices);
  need = raw_bytes + op_volume_estimate_bytes (info.dims[0], info.dims[1], info.dims[2]);
  if (options && options->downsample)
    {
      OpStackInfo half;

      stack_opts.factor = 2;
      if (!op_volume_analyse_stack (slices, n_slices, &stack_opts, order, &half, &local_error))
        {
          g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_SERIES, "%s: %s", path, local_error->message);
          return NULL;
        }
      info = half;
      need = raw_bytes + raw_bytes / 4 + op_volume_estimate_bytes (info.dims[0], info.dims[1], info.dims[2]);
    }
  if (need > max_bytes)
    {
      g_autofree char *need_s = format_bytes (need);
      g_autofree char *max_s = format_bytes (max_bytes);

      if (!(options && options->downsample))
        {
          OpStackInfo half;
          OpStackOptions half_opts = { 2, stack_opts.allow_gaps };
          g_autofree char *half_s = NULL;

          op_volume_analyse_stack (slices, n_slices, &half_opts, order, &half, NULL);
          half_s = format_bytes (raw_bytes + raw_bytes / 4 +
                                 op_volume_estimate_bytes (half.dims[0], half.dims[1], half.dims[2]));
          g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_TOO_LARGE,
                       _("%s: loading %d × %d × %d voxels needs about %s, over the limit of %s; "
                         "load it downsampled by 2 (%d × %d × %d, about %s) or raise the limit"),
                       path, info.dims[0], info.dims[1], info.dims[2], need_s, max_s,
                       half.dims[0], half.dims[1], half.dims[2], half_s);
        }
      else
        g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_TOO_LARGE,
                     _("%s: even downsampled by 2 (%d × %d × %d voxels) the load needs about %s, over the limit of %s"),
                     path, info.dims[0], info.dims[1], info.dims[2], need_s, max_s);
      return NULL;
    }

  if (options && options->headers_only)
    {
      result = g_new0 (OpDicomVolume, 1);
      result->stack = info;
      result->series = series_copy (g_ptr_array_index (scan->series, group));
      result->skipped = g_ptr_array_ref (scan->skipped);
      result->files = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < entries->len; i++)
        g_ptr_array_add (result->files, g_strdup (((Entry *) g_ptr_array_index (entries, i))->path));
      result->estimated_bytes = need;
      result->factor = stack_opts.factor;
      result->corrections = op_dicom_describe_corrections (&info);
      return result;
    }

  /* Decode on two threads: GDCM readers share nothing, and JPEG 2000 or
   * JPEG-LS decoding is where a load spends its time. */
  decode.entries = entries;
  decode.pixels = g_new0 (gint16 *, entries->len);
  decode.slices = slices;
  decode.first_slice = first_slice;
  decode.factor = stack_opts.factor;
  decode.failed_at = G_MAXUINT;
  decode.cancellable = cancellable;
  decode.options = options;
  g_mutex_init (&decode.lock);
  helper = g_thread_new ("op-dicom-decode", decode_worker, &decode);
  decode_worker (&decode);
  g_thread_join (helper);
  g_mutex_clear (&decode.lock);

  result = NULL;
  if (g_cancellable_is_cancelled (cancellable))
    g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_CANCELLED, _("%s: cancelled"), path);
  else if (decode.failed_at != G_MAXUINT)
    {
      Entry *e = g_ptr_array_index (entries, decode.failed_at);

      g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_DECODE, "%s: %s", e->label, decode.why);
    }
  else
    {
      OpVolume *vol = op_volume_resample_stack (slices, order, &info);

      if (vol == NULL)
        {
          g_autofree char *need_s = format_bytes (need);

          g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_TOO_LARGE,
                       _("%s: not enough memory for the volume (about %s)"), path, need_s);
        }
      else
        {
          result = g_new0 (OpDicomVolume, 1);
          result->volume = vol;
          result->stack = info;
          result->series = series_copy (g_ptr_array_index (scan->series, group));
          result->skipped = g_ptr_array_ref (scan->skipped);
          result->files = g_ptr_array_new_with_free_func (g_free);
          for (guint i = 0; i < n_slices; i++)
            {
              /* Files in the order of their first frame along the normal. */
              for (guint e = 0; e < entries->len; e++)
                if (first_slice[e] == order[i])
                  g_ptr_array_add (result->files, g_strdup (((Entry *) g_ptr_array_index (entries, e))->path));
            }
          result->estimated_bytes = need;
          result->factor = stack_opts.factor;
          result->corrections = op_dicom_describe_corrections (&info);
          if (options && options->progress)
            options->progress (1.0, options->progress_data);
        }
    }

  for (guint i = 0; i < entries->len; i++)
    g_free (decode.pixels[i]);
  g_free (decode.pixels);
  g_free (decode.why);
  return result;
}

char *
op_dicom_files_sha256 (GPtrArray  *files,
                       GError    **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(GMappedFile) map = NULL;
      g_autoptr(GError) local_error = NULL;

      map = g_mapped_file_new (g_ptr_array_index (files, i), FALSE, &local_error);
      if (map == NULL)
        {
          g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_READ, "%s", local_error->message);
          return NULL;
        }
      g_checksum_update (sum, (const guchar *) g_mapped_file_get_contents (map), g_mapped_file_get_length (map));
    }
  return g_strdup (g_checksum_get_string (sum));
}
