/* op-cli-segment.c: orthoplan-cli segment | segment-eval.
 *
 * "segment CASE" stores what it finds as the scan's next automatic
 * segmentation version; "segment versions" and "segment edit" live in
 * op-cli-segment-edit.c. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "op-cli-private.h"
#include "op-labels-json.h"
#include "op-mesh-io.h"
#include "op-segment-eval.h"
#include "op-segment.h"

/* FILE, or the number of a case whose scan of the chosen jaw is used;
 * then @out_store and @out_scan get the store and the scan, so that the
 * result can be stored with it. */
static OpMesh *
load_input (OpCliGlobals  *globals,
            const char    *what,
            OpSegmentJaw   jaw,
            OpStore      **out_store,
            OpScanRecord **out_scan,
            GError       **error)
{
  char *end = NULL;
  gint64 case_id = g_ascii_strtoll (what, &end, 10);
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GPtrArray) scans = NULL;

  if (g_file_test (what, G_FILE_TEST_EXISTS) || end == what || *end != '\0' || case_id <= 0)
    return op_mesh_load (what, NULL, NULL, globals->cancellable, error);

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return NULL;
  scans = op_store_list_scans (store, case_id, error);
  if (scans == NULL)
    return NULL;
  for (guint i = 0; i < scans->len; i++)
    {
      OpScanRecord *rec = g_ptr_array_index (scans, i);
      if ((rec->jaw == OP_JAW_UPPER && jaw != OP_SEGMENT_JAW_LOWER) ||
          (rec->jaw == OP_JAW_LOWER && jaw == OP_SEGMENT_JAW_LOWER))
        {
          g_autoptr(GBytes) bytes = op_store_get_scan_bytes (store, rec->id, error);
          OpMesh *mesh;

          if (bytes == NULL)
            return NULL;
          mesh = op_mesh_load_bytes (bytes, rec->filename, NULL, NULL, globals->cancellable, error);
          if (mesh != NULL)
            {
              *out_store = g_steal_pointer (&store);
              *out_scan = g_ptr_array_steal_index (scans, i);
            }
          return mesh;
        }
    }
  g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED, _("case %s has no %s scan"), what,
               jaw == OP_SEGMENT_JAW_LOWER ? _("lower") : _("upper"));
  return NULL;
}

gboolean
op_cli_segment (OpCliGlobals  *globals,
                int            argc,
                char         **argv,
                GError       **error)
{
  g_autofree char *jaw_name = NULL;
  g_autofree char *out = NULL;
  gboolean json = FALSE;
  g_autoptr(OpMesh) mesh = NULL;
  g_autoptr(OpSegmentation) seg = NULL;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpScanRecord) scan = NULL;
  OpSegmentOptions options = { 0 };
  int version = 0;
  GOptionEntry entries[] = {
    { "jaw", 0, 0, G_OPTION_ARG_STRING, &jaw_name, N_("upper or lower (default: found from the teeth)"), N_("JAW") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Write the labels as Teeth3DS JSON"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the teeth as JSON"), NULL },
    { NULL }
  };

  if (argc >= 2 && g_str_equal (argv[1], "versions"))
    return op_cli_segment_versions (globals, argc - 1, argv + 1, error);
  if (argc >= 2 && g_str_equal (argv[1], "edit"))
    return op_cli_segment_edit (globals, argc - 1, argv + 1, error);

  if (!op_cli_parse (_("FILE|CASE — find the teeth of one arch and number them"),
                     _("Given a case, the result is stored as the scan's next segmentation version. "
                       "See also “segment versions CASE SCAN” and “segment edit CASE SCAN”."),
                     entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("segment: name one scan file or case number"));
      return FALSE;
    }
  if (jaw_name)
    {
      if (g_str_equal (jaw_name, "upper"))
        options.jaw = OP_SEGMENT_JAW_UPPER;
      else if (g_str_equal (jaw_name, "lower"))
        options.jaw = OP_SEGMENT_JAW_LOWER;
      else
        {
          g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("--jaw: “%s” is neither upper nor lower"), jaw_name);
          return FALSE;
        }
    }

  mesh = load_input (globals, argv[1], options.jaw, &store, &scan, error);
  if (mesh == NULL)
    return FALSE;
  /* A case's scan was imported as one jaw; its labels are stored as that
   * jaw's, so the segmentation is told it rather than left to guess. */
  if (scan != NULL && options.jaw == OP_SEGMENT_JAW_AUTO)
    options.jaw = scan->jaw == OP_JAW_LOWER ? OP_SEGMENT_JAW_LOWER : OP_SEGMENT_JAW_UPPER;
  seg = op_segment (mesh, &options, NULL, error);
  if (seg == NULL)
    return FALSE;
  if (out && !op_labels_json_save (out, seg->labels, seg->n_vertices, seg->upper, error))
    return FALSE;
  if (store != NULL && !(version = op_store_add_automatic_segmentation (store, scan->id, seg, error)))
    return FALSE;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "jaw");
      json_builder_add_string_value (b, seg->upper ? "upper" : "lower");
      json_builder_set_member_name (b, "jaw_from_hint");
      json_builder_add_boolean_value (b, seg->jaw_from_hint);
      json_builder_set_member_name (b, "vertices");
      json_builder_add_int_value (b, (gint64) seg->n_vertices);
      json_builder_set_member_name (b, "teeth");
      json_builder_begin_array (b);
      for (guint i = 0; i < seg->dentition->teeth->len; i++)
        {
          OpTooth *t = g_ptr_array_index (seg->dentition->teeth, i);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "fdi");
          json_builder_add_int_value (b, t->fdi);
          json_builder_set_member_name (b, "width_mm");
          json_builder_add_double_value (b, t->width);
          json_builder_set_member_name (b, "triangles");
          json_builder_add_int_value (b, (gint64) t->crown->n_triangles);
          json_builder_set_member_name (b, "confidence");
          json_builder_add_double_value (b, t->confidence);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "stored_version");
      if (version > 0)
        json_builder_add_int_value (b, version);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "warnings");
      json_builder_begin_array (b);
      for (guint i = 0; i < seg->warnings->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (seg->warnings, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      op_cli_print_json (root);
    }
  else
    {
      g_print (_("%s arch, %u teeth\n"), seg->upper ? _("Upper") : _("Lower"), seg->dentition->teeth->len);
      g_print ("  %-5s %9s %10s %10s\n", _("FDI"), _("width mm"), _("triangles"), _("confidence"));
      for (guint i = 0; i < seg->dentition->teeth->len; i++)
        {
          OpTooth *t = g_ptr_array_index (seg->dentition->teeth, i);
          g_print ("  %-5d %9.2f %10" G_GSIZE_FORMAT " %10.2f\n", t->fdi, t->width, t->crown->n_triangles, t->confidence);
        }
      for (guint i = 0; i < seg->warnings->len; i++)
        g_print (_("Warning: %s\n"), (char *) g_ptr_array_index (seg->warnings, i));
      if (out)
        g_print ("%s\n", out);
      if (version > 0)
        g_print (_("Stored as segmentation v%d of scan %" G_GINT64_FORMAT "\n"), version, scan->id);
    }
  return TRUE;
}

gboolean
op_cli_segment_eval (OpCliGlobals  *globals,
                     int            argc,
                     char         **argv,
                     GError       **error)
{
  g_autofree char *truth_path = NULL, *pred_path = NULL;
  g_autofree gint32 *truth = NULL, *pred = NULL;
  gboolean json = FALSE, tu = FALSE, pu = FALSE;
  gsize nt = 0, np = 0;
  OpSegmentScore score = { 0 };
  GOptionEntry entries[] = {
    { "truth", 0, 0, G_OPTION_ARG_FILENAME, &truth_path, N_("Reference labels (Teeth3DS JSON)"), N_("FILE") },
    { "pred", 0, 0, G_OPTION_ARG_FILENAME, &pred_path, N_("Labels to score (Teeth3DS JSON)"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the scores as JSON"), NULL },
    { NULL }
  };

  if (!op_cli_parse (_("— score labels against a reference (TSA, TIR, IoU per tooth)"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (truth_path == NULL || pred_path == NULL || argc > 1)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("segment-eval: give --truth FILE and --pred FILE"));
      return FALSE;
    }
  truth = op_labels_json_load (truth_path, &nt, &tu, error);
  if (truth == NULL)
    return FALSE;
  pred = op_labels_json_load (pred_path, &np, &pu, error);
  if (pred == NULL)
    return FALSE;
  if (nt != np)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED,
                   _("the truth labels %" G_GSIZE_FORMAT " vertices but the prediction %" G_GSIZE_FORMAT
                     ": they are not of the same scan"), nt, np);
      return FALSE;
    }
  if (!op_segment_evaluate (truth, pred, nt, &score, error))
    return FALSE;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "tsa");
      json_builder_add_double_value (b, score.tsa);
      json_builder_set_member_name (b, "tir");
      json_builder_add_double_value (b, score.tir);
      json_builder_set_member_name (b, "teeth");
      json_builder_begin_array (b);
      for (guint i = 0; i < score.n_teeth; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "fdi");
          json_builder_add_int_value (b, score.teeth[i].fdi);
          json_builder_set_member_name (b, "iou");
          json_builder_add_double_value (b, score.teeth[i].iou);
          json_builder_set_member_name (b, "f1");
          json_builder_add_double_value (b, score.teeth[i].f1);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      op_cli_print_json (root);
    }
  else
    {
      g_print ("TSA %.4f\nTIR %.4f\n", score.tsa, score.tir);
      for (guint i = 0; i < score.n_teeth; i++)
        g_print ("  %-3d IoU %.4f\n", score.teeth[i].fdi, score.teeth[i].iou);
    }
  if (tu != pu)
    g_printerr (_("orthoplan-cli: note: the truth is an %s jaw and the prediction an %s one\n"),
                tu ? "upper" : "lower", pu ? "upper" : "lower");
  op_segment_score_clear (&score);
  return TRUE;
}
