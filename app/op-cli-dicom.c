/* op-cli-dicom.c: orthoplan-cli dicom info | add, and render-slice. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "op-cli-private.h"
#include "op-dicom.h"
#include "op-identity.h"
#include "op-image.h"
#include "op-volume.h"

static void
add_identity_json (JsonBuilder           *b,
                   const OpDicomIdentity *id)
{
  json_builder_set_member_name (b, "identity");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  id->name ? json_builder_add_string_value (b, id->name) : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "patient_id");
  id->patient_id ? json_builder_add_string_value (b, id->patient_id) : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "birth_date");
  id->birth_date ? json_builder_add_string_value (b, id->birth_date) : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "sex");
  id->sex ? json_builder_add_string_value (b, id->sex) : json_builder_add_null_value (b);
  json_builder_end_object (b);
}

static void
add_triple (JsonBuilder  *b,
            const char   *name,
            const double *v)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (int i = 0; i < 3; i++)
    json_builder_add_double_value (b, v[i]);
  json_builder_end_array (b);
}

/* dicom info PATH [--json] [--series UID] */
static gboolean
dicom_info (OpCliGlobals  *globals,
            int            argc,
            char         **argv,
            GError       **error)
{
  gboolean json = FALSE;
  g_autofree char *series = NULL;
  g_autoptr(OpDicomScan) scan = NULL;
  g_autoptr(OpDicomVolume) geo = NULL;
  OpDicomLoadOptions opts = { 0 };
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    { "series", 0, 0, G_OPTION_ARG_STRING, &series, N_("Describe this series of several"), N_("UID") },
    { NULL }
  };

  if (!op_cli_parse (_("PATH — describe a DICOM series (folder, DICOMDIR or file)"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("dicom info: name one folder, DICOMDIR or file"));
      return FALSE;
    }

  scan = op_dicom_scan (argv[1], globals->cancellable, error);
  if (scan == NULL)
    return FALSE;
  /* The geometry of one series: from its headers only, so that info works
   * on a series of any size. */
  if (scan->series->len == 1 || series)
    {
      opts.series_uid = series;
      opts.headers_only = TRUE;
      opts.max_bytes = G_MAXUINT64;
      geo = op_dicom_load (argv[1], &opts, globals->cancellable, error);
      if (geo == NULL)
        return FALSE;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, argv[1]);
      json_builder_set_member_name (b, "files");
      json_builder_add_int_value (b, scan->n_files);
      json_builder_set_member_name (b, "skipped");
      json_builder_begin_array (b);
      for (guint i = 0; i < scan->skipped->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (scan->skipped, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "series");
      json_builder_begin_array (b);
      for (guint i = 0; i < scan->series->len; i++)
        {
          OpDicomSeries *s = g_ptr_array_index (scan->series, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "uid");
          json_builder_add_string_value (b, s->uid);
          json_builder_set_member_name (b, "description");
          json_builder_add_string_value (b, s->description ? s->description : "");
          json_builder_set_member_name (b, "modality");
          json_builder_add_string_value (b, s->modality ? s->modality : "");
          json_builder_set_member_name (b, "images");
          json_builder_add_int_value (b, s->n_images);
          json_builder_set_member_name (b, "rows");
          json_builder_add_int_value (b, s->rows);
          json_builder_set_member_name (b, "columns");
          json_builder_add_int_value (b, s->columns);
          json_builder_set_member_name (b, "transfer_syntax");
          json_builder_add_string_value (b, s->transfer_syntax ? s->transfer_syntax : "");
          add_identity_json (b, &s->identity);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      if (geo)
        {
          const OpStackInfo *st = &geo->stack;

          json_builder_set_member_name (b, "volume");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "series_uid");
          json_builder_add_string_value (b, geo->series->uid);
          json_builder_set_member_name (b, "dimensions");
          json_builder_begin_array (b);
          for (int a = 0; a < 3; a++)
            json_builder_add_int_value (b, st->dims[a]);
          json_builder_end_array (b);
          add_triple (b, "spacing_mm", st->spacing);
          add_triple (b, "origin_mm", st->origin);
          json_builder_set_member_name (b, "tilt_deg");
          json_builder_add_double_value (b, st->tilt_deg);
          json_builder_set_member_name (b, "tilted");
          json_builder_add_boolean_value (b, st->tilted);
          json_builder_set_member_name (b, "uneven_spacing");
          json_builder_add_boolean_value (b, st->uneven);
          json_builder_set_member_name (b, "slice_gap_min_mm");
          json_builder_add_double_value (b, st->min_gap_mm);
          json_builder_set_member_name (b, "slice_gap_max_mm");
          json_builder_add_double_value (b, st->max_gap_mm);
          json_builder_set_member_name (b, "missing_slice_gaps");
          json_builder_add_int_value (b, st->n_missing);
          json_builder_set_member_name (b, "memory_bytes");
          json_builder_add_int_value (b, (gint64) geo->estimated_bytes);
          json_builder_set_member_name (b, "corrections");
          json_builder_add_string_value (b, geo->corrections);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      op_cli_print_json (root);
      return TRUE;
    }

  g_print ("%s\n", argv[1]);
  g_print ("  %-12s %u (%u skipped)\n", _("files"), scan->n_files, scan->skipped->len);
  for (guint i = 0; i < scan->skipped->len; i++)
    g_print ("    %s %s\n", _("skipped"), (char *) g_ptr_array_index (scan->skipped, i));
  for (guint i = 0; i < scan->series->len; i++)
    {
      OpDicomSeries *s = g_ptr_array_index (scan->series, i);

      g_print ("  %-12s %s\n", _("series"), s->uid);
      g_print ("    %-10s %s, %s\n", _("what"), s->modality ? s->modality : "?",
               s->description ? s->description : _("no description"));
      g_print ("    %-10s %u (%d × %d), %s\n", _("images"), s->n_images, s->columns, s->rows,
               s->transfer_syntax ? s->transfer_syntax : "?");
      g_print ("    %-10s %s, born %s, id %s, sex %s\n", _("patient"), s->identity.name ? s->identity.name : "—",
               s->identity.birth_date ? s->identity.birth_date : "—",
               s->identity.patient_id ? s->identity.patient_id : "—", s->identity.sex ? s->identity.sex : "—");
    }
  if (geo)
    {
      const OpStackInfo *st = &geo->stack;
      g_autofree char *mem = g_format_size (geo->estimated_bytes);

      g_print ("  %-12s %d × %d × %d voxels, %.3f × %.3f × %.3f mm (%s to load)\n", _("volume"),
               st->dims[0], st->dims[1], st->dims[2], st->spacing[0], st->spacing[1], st->spacing[2], mem);
      g_print ("  %-12s %.2f°%s\n", _("tilt"), st->tilt_deg, st->tilted ? _(" (resampled)") : "");
      g_print ("  %-12s %.2f–%.2f mm along the normal%s\n", _("slice gaps"), st->min_gap_mm, st->max_gap_mm,
               st->uneven ? _(" (uneven, resampled)") : "");
      if (*geo->corrections)
        g_print ("  %-12s %s\n", _("corrections"), geo->corrections);
    }
  else
    g_print ("  %s\n", _("Several series: run with --series UID for one's geometry."));
  return TRUE;
}

/* dicom add CASE PATH [--series UID] [--downsample] [--max-gb N] */
static gboolean
dicom_add (OpCliGlobals  *globals,
           int            argc,
           char         **argv,
           GError       **error)
{
  g_autofree char *series = NULL;
  gboolean downsample = FALSE, allow_gaps = FALSE;
  double max_gb = 0;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpCaseSummary) summary = NULL;
  g_autoptr(OpPatient) patient = NULL;
  g_autoptr(OpDicomVolume) loaded = NULL;
  g_autofree char *warning = NULL, *source_sha = NULL;
  OpDicomLoadOptions opts = { 0 };
  OpVolumeInput input = { 0 };
  OpIdentityResult match;
  gint64 case_id, volume_id;
  char *end = NULL;
  GOptionEntry entries[] = {
    { "series", 0, 0, G_OPTION_ARG_STRING, &series, N_("The series to add when there are several"), N_("UID") },
    { "downsample", 0, 0, G_OPTION_ARG_NONE, &downsample, N_("Load at half resolution along each axis"), NULL },
    { "allow-gaps", 0, 0, G_OPTION_ARG_NONE, &allow_gaps, N_("Interpolate over missing slices"), NULL },
    { "max-gb", 0, 0, G_OPTION_ARG_DOUBLE, &max_gb, N_("Memory limit of the load (default 2)"), N_("GB") },
    { NULL }
  };

  if (!op_cli_parse (_("CASE PATH — store a CBCT/CT series with a case"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc != 3)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("dicom add: name a case id and a DICOM path"));
      return FALSE;
    }
  case_id = g_ascii_strtoll (argv[1], &end, 10);
  if (end == argv[1] || *end || case_id <= 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("dicom add: “%s” is not a case id"), argv[1]);
      return FALSE;
    }

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  summary = op_store_get_case (store, case_id, error);
  if (summary == NULL)
    return FALSE;
  patient = op_store_get_patient (store, summary->patient_id, error);
  if (patient == NULL)
    return FALSE;

  opts.series_uid = series;
  opts.downsample = downsample;
  opts.allow_gaps = allow_gaps;
  opts.max_bytes = max_gb > 0 ? (guint64) (max_gb * 1024 * 1024 * 1024) : 0;
  loaded = op_dicom_load (argv[2], &opts, globals->cancellable, error);
  if (loaded == NULL)
    {
      if (g_error_matches (*error, OP_DICOM_ERROR, OP_DICOM_ERROR_TOO_LARGE) && !downsample)
        {
          char *msg = g_strconcat ((*error)->message, _(" (add --downsample or --max-gb)"), NULL);

          g_free ((*error)->message);
          (*error)->message = msg;
        }
      else if (g_error_matches (*error, OP_DICOM_ERROR, OP_DICOM_ERROR_SEVERAL_SERIES))
        {
          char *msg = g_strconcat ((*error)->message, _(" (add --series UID)"), NULL);

          g_free ((*error)->message);
          (*error)->message = msg;
        }
      return FALSE;
    }
  for (guint i = 0; i < loaded->skipped->len; i++)
    g_printerr (_("orthoplan-cli: skipped %s\n"), (char *) g_ptr_array_index (loaded->skipped, i));

  match = op_identity_compare (loaded->series->identity.name, loaded->series->identity.birth_date,
                               loaded->series->identity.patient_id, patient->family_name, patient->given_name,
                               patient->birth_date, patient->chart_number, &warning);
  if (warning)
    g_printerr (_("orthoplan-cli: warning: %s\n"), warning);

  source_sha = op_dicom_files_sha256 (loaded->files, error);
  if (source_sha == NULL)
    return FALSE;
  input.series_uid = loaded->series->uid;
  input.study_uid = loaded->series->study_uid;
  input.description = loaded->series->description;
  input.modality = loaded->series->modality;
  input.n_images = loaded->series->n_images;
  input.threshold = op_volume_auto_threshold (loaded->volume);
  input.factor = loaded->factor;
  input.tilt_deg = loaded->stack.tilt_deg;
  input.corrections = loaded->corrections;
  input.patient_name = loaded->series->identity.name;
  input.patient_id = loaded->series->identity.patient_id;
  input.birth_date = loaded->series->identity.birth_date;
  input.sex = loaded->series->identity.sex;
  input.identity_warning = (match & ~OP_IDENTITY_ANONYMOUS) && warning ? warning : "";
  input.source_sha256 = source_sha;
  volume_id = op_store_add_volume (store, case_id, loaded->volume, &input, error);
  if (volume_id == 0)
    return FALSE;

  g_print (_("Volume %" G_GINT64_FORMAT " stored with case %" G_GINT64_FORMAT ": %d × %d × %d voxels, "
             "%.3f × %.3f × %.3f mm, threshold %.0f HU%s%s\n"),
           volume_id, case_id, loaded->volume->dims[0], loaded->volume->dims[1], loaded->volume->dims[2],
           loaded->volume->spacing[0], loaded->volume->spacing[1], loaded->volume->spacing[2],
           op_volume_raw_to_hu (loaded->volume, input.threshold),
           *loaded->corrections ? "; " : "", loaded->corrections);
  return TRUE;
}

gboolean
op_cli_dicom (OpCliGlobals  *globals,
              int            argc,
              char         **argv,
              GError       **error)
{
  if (argc >= 2 && g_str_equal (argv[1], "info"))
    return dicom_info (globals, argc - 1, argv + 1, error);
  if (argc >= 2 && g_str_equal (argv[1], "add"))
    return dicom_add (globals, argc - 1, argv + 1, error);
  g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                       _("dicom: use “dicom info PATH [--json]” or “dicom add CASE PATH”"));
  return FALSE;
}

/* render-slice CASE --plane P --index N --out PNG [--window W] */
gboolean
op_cli_render_slice (OpCliGlobals  *globals,
                     int            argc,
                     char         **argv,
                     GError       **error)
{
  g_autofree char *plane_name = NULL, *window_name = NULL, *out = NULL;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GPtrArray) volumes = NULL;
  g_autoptr(OpVolume) vol = NULL;
  g_autofree guint8 *grey = NULL, *rgba = NULL;
  OpPlane plane = OP_PLANE_AXIAL;
  OpWindowPreset preset = OP_WINDOW_BONE;
  int index = -1, width, height, count;
  gint64 case_id;
  char *end = NULL;
  GOptionEntry entries[] = {
    { "plane", 0, 0, G_OPTION_ARG_STRING, &plane_name, N_("axial, coronal or sagittal"), N_("PLANE") },
    { "index", 0, 0, G_OPTION_ARG_INT, &index, N_("Slice number from 0 (default: the middle)"), N_("N") },
    { "window", 0, 0, G_OPTION_ARG_STRING, &window_name, N_("bone, teeth or soft (default bone)"), N_("WINDOW") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("PNG file to write"), N_("PNG") },
    { NULL }
  };

  if (!op_cli_parse (_("CASE — draw one slice of the case's CBCT into a PNG"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2 || out == NULL)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("render-slice: name a case id and --out PNG"));
      return FALSE;
    }
  case_id = g_ascii_strtoll (argv[1], &end, 10);
  if (end == argv[1] || *end || case_id <= 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("render-slice: “%s” is not a case id"), argv[1]);
      return FALSE;
    }
  if (plane_name && !op_plane_from_string (plane_name, &plane))
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                   _("--plane: “%s” is not one of axial, coronal, sagittal"), plane_name);
      return FALSE;
    }
  if (window_name && !op_window_preset_from_string (window_name, &preset))
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                   _("--window: “%s” is not one of bone, teeth, soft"), window_name);
      return FALSE;
    }

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  volumes = op_store_list_volumes (store, case_id, error);
  if (volumes == NULL)
    return FALSE;
  if (volumes->len == 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED,
                   _("case %" G_GINT64_FORMAT " has no CBCT; add one with “dicom add”"), case_id);
      return FALSE;
    }
  /* The newest volume is the one a provider looks at. */
  vol = op_store_get_volume (store, ((OpVolumeRecord *) g_ptr_array_index (volumes, volumes->len - 1))->id, error);
  if (vol == NULL)
    return FALSE;

  count = op_volume_plane_count (vol, plane);
  if (index < 0)
    index = count / 2;
  if (index >= count)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                   _("--index: %d is past the last %s slice (%d)"), index, op_plane_to_string (plane), count - 1);
      return FALSE;
    }
  op_volume_slice_size (vol, plane, 0, &width, &height);
  grey = g_new (guint8, (gsize) width * height);
  rgba = g_new (guint8, (gsize) width * height * 4);
  op_volume_render_slice (vol, plane, index, op_window_preset (preset), 0, grey, width, height);
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = grey[i];
      rgba[i * 4 + 3] = 255;
    }
  if (!op_image_save_png (rgba, width, height, out, error))
    return FALSE;
  g_print ("%s\n", out);
  return TRUE;
}
