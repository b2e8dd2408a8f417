/* op-cli-segment-edit.c: orthoplan-cli segment versions | segment edit.
 *
 * Every edit loads one stored version of a scan's labels, makes one
 * correction with planner/op-seg-edit and stores the result as a new
 * corrected version whose parent is the one it started from.  Nothing is
 * overwritten, so "undo" is storing an older version again (--restore).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op-cli-private.h"
#include "op-fdi.h"
#include "op-mesh-io.h"
#include "op-seg-edit.h"

gboolean
op_cli_parse_case_id (const char  *text,
                      gint64      *out,
                      GError     **error)
{
  char *end = NULL;
  gint64 id = text ? g_ascii_strtoll (text, &end, 10) : 0;

  if (text == NULL || end == text || *end != '\0' || id <= 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("“%s” is not a case number"), text ? text : "");
      return FALSE;
    }
  *out = id;
  return TRUE;
}

OpStore *
op_cli_open_case (OpCliGlobals  *globals,
                  const char    *case_text,
                  gint64        *out_case_id,
                  GError       **error)
{
  if (!op_cli_parse_case_id (case_text, out_case_id, error))
    return NULL;
  return op_cli_open_store (globals, error);
}

OpScanRecord *
op_cli_find_scan (OpStore     *store,
                  gint64       case_id,
                  const char  *which,
                  GError     **error)
{
  g_autoptr(GPtrArray) scans = NULL;
  char *end = NULL;
  gint64 scan_id = g_ascii_strtoll (which, &end, 10);
  OpJaw jaw = OP_JAW_UPPER;
  gboolean by_jaw = end == which || *end != '\0';

  if (by_jaw && (!op_jaw_from_string (which, &jaw) || jaw == OP_JAW_BITE))
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                   _("“%s” is neither a scan number nor upper or lower"), which);
      return NULL;
    }
  scans = op_store_list_scans (store, case_id, error);
  if (scans == NULL)
    return NULL;
  for (guint i = 0; i < scans->len; i++)
    {
      OpScanRecord *rec = g_ptr_array_index (scans, i);
      if ((by_jaw && rec->jaw == jaw) || (!by_jaw && rec->id == scan_id))
        return g_ptr_array_steal_index (scans, i);
    }
  g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED, _("case %" G_GINT64_FORMAT " has no %s scan %s"),
               case_id, by_jaw ? which : "", by_jaw ? "" : which);
  return NULL;
}

/* The store and the scan named by a command's CASE and SCAN arguments
 * (@argv[1] and @argv[2]); NULL with @error set when any of them fails,
 * *@out_store then set or NULL for the caller to free either way. */
static OpScanRecord *
open_case_scan (OpCliGlobals  *globals,
                char         **argv,
                OpStore      **out_store,
                gint64        *out_case_id,
                GError       **error)
{
  *out_store = op_cli_open_case (globals, argv[1], out_case_id, error);
  if (*out_store == NULL)
    return NULL;
  return op_cli_find_scan (*out_store, *out_case_id, argv[2], error);
}

static const char *
source_label (OpSegmentationSource source)
{
  return source == OP_SEGMENTATION_CORRECTED ? _("corrected") : _("automatic");
}

static void
add_record_json (JsonBuilder                *b,
                 const OpSegmentationRecord *r)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, r->version);
  json_builder_set_member_name (b, "parent_version");
  if (r->parent_version > 0)
    json_builder_add_int_value (b, r->parent_version);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, op_segmentation_source_to_string (r->source));
  json_builder_set_member_name (b, "author");
  json_builder_add_string_value (b, r->author);
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, r->created_at);
  json_builder_set_member_name (b, "jaw");
  json_builder_add_string_value (b, r->upper ? "upper" : "lower");
  json_builder_set_member_name (b, "vertices");
  json_builder_add_int_value (b, (gint64) r->n_vertices);
  json_builder_set_member_name (b, "note");
  json_builder_add_string_value (b, r->note);
  json_builder_set_member_name (b, "labels_sha256");
  json_builder_add_string_value (b, r->labels_sha256);
  json_builder_set_member_name (b, "teeth");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->n_teeth; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "fdi");
      json_builder_add_int_value (b, r->teeth[i].fdi);
      json_builder_set_member_name (b, "confidence");
      json_builder_add_double_value (b, r->teeth[i].confidence);
      json_builder_set_member_name (b, "vertices");
      json_builder_add_int_value (b, (gint64) r->teeth[i].n_vertices);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

gboolean
op_cli_segment_versions (OpCliGlobals  *globals,
                         int            argc,
                         char         **argv,
                         GError       **error)
{
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpScanRecord) scan = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gboolean json = FALSE;
  gint64 case_id;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the versions as JSON"), NULL },
    { NULL }
  };

  if (!op_cli_parse (_("CASE SCAN — list the stored segmentation versions of a scan (SCAN: its number, or upper or lower)"),
                     NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc != 3)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("segment versions: give CASE and SCAN"));
      return FALSE;
    }
  scan = open_case_scan (globals, argv, &store, &case_id, error);
  if (scan == NULL)
    return FALSE;
  list = op_store_list_segmentations (store, scan->id, error);
  if (list == NULL)
    return FALSE;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "case");
      json_builder_add_int_value (b, case_id);
      json_builder_set_member_name (b, "scan");
      json_builder_add_int_value (b, scan->id);
      json_builder_set_member_name (b, "versions");
      json_builder_begin_array (b);
      for (guint i = 0; i < list->len; i++)
        add_record_json (b, g_ptr_array_index (list, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      op_cli_print_json (root);
      return TRUE;
    }

  if (list->len == 0)
    {
      g_print (_("Scan %" G_GINT64_FORMAT " (%s) has no segmentation yet\n"), scan->id, scan->filename);
      return TRUE;
    }
  g_print (_("Scan %" G_GINT64_FORMAT " (%s), %u segmentation versions\n"), scan->id, scan->filename, list->len);
  g_print ("  %-4s %-6s %-10s %-16s %-20s %5s  %s\n", _("v"), _("from"), _("source"), _("author"), _("time"),
           _("teeth"), _("note"));
  for (guint i = 0; i < list->len; i++)
    {
      OpSegmentationRecord *r = g_ptr_array_index (list, i);
      g_autofree char *from = r->parent_version > 0 ? g_strdup_printf ("v%d", r->parent_version) : g_strdup ("-");

      g_print ("  v%-3d %-6s %-10s %-16s %-20s %5u  %s\n", r->version, from, source_label (r->source), r->author,
               r->created_at, r->n_teeth, r->note);
    }
  return TRUE;
}

/* "A:B" or "A,B" as two integers. */
static gboolean
parse_pair (const char  *option,
            const char  *text,
            char         sep,
            int         *a,
            int         *b,
            GError     **error)
{
  char *end = NULL;
  gint64 x = g_ascii_strtoll (text, &end, 10), y;

  if (end == text || *end != sep)
    goto bad;
  text = end + 1;
  y = g_ascii_strtoll (text, &end, 10);
  if (end == text || *end != '\0' || x < 0 || x > 99 || y < 0 || y > 99)
    goto bad;
  *a = (int) x;
  *b = (int) y;
  return TRUE;

bad:
  g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("%s: expected two tooth numbers as A%cB"), option, sep);
  return FALSE;
}

static gboolean
parse_point (const char  *text,
             float        out[3],
             GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  if (g_strv_length (parts) != 3)
    goto bad;
  for (int i = 0; i < 3; i++)
    {
      char *end = NULL;
      double v = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0' || !isfinite (v))
        goto bad;
      out[i] = (float) v;
    }
  return TRUE;

bad:
  g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("--at: “%s” is not a point X,Y,Z in mm"), text);
  return FALSE;
}

gboolean
op_cli_segment_edit (OpCliGlobals  *globals,
                     int            argc,
                     char         **argv,
                     GError       **error)
{
  g_autofree char *reassign = NULL, *merge = NULL, *split = NULL, *note = NULL;
  g_auto(GStrv) at = NULL;
  int paint = -1, restore = 0, from_version = 0;
  gboolean erase = FALSE, geodesic = FALSE, spare = FALSE, json = FALSE;
  double radius = 0.0;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpScanRecord) scan = NULL;
  g_autoptr(OpSegmentationRecord) base_rec = NULL;
  g_autoptr(OpSegChange) change = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  g_autofree gint32 *base = NULL, *labels = NULL;
  g_autofree int *base_fdi = NULL, *fdi = NULL;
  g_autofree float *base_conf = NULL, *conf = NULL;
  g_autofree OpSegmentationTooth *teeth = NULL;
  g_autofree char *description = NULL;
  gsize n = 0, changed = 0;
  guint n_ops, n_teeth;
  gint64 case_id;
  int version;
  GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_INT, &from_version, N_("Start from this version (default: the latest)"), N_("VERSION") },
    { "reassign", 0, 0, G_OPTION_ARG_STRING, &reassign, N_("Renumber tooth FROM as TO"), N_("FROM:TO") },
    { "merge", 0, 0, G_OPTION_ARG_STRING, &merge, N_("Make tooth OTHER part of tooth KEEP"), N_("KEEP,OTHER") },
    { "split", 0, 0, G_OPTION_ARG_STRING, &split,
      N_("Split tooth FDI between the two --at points: the part nearer the second takes NEW"), N_("FDI:NEW") },
    { "paint", 0, 0, G_OPTION_ARG_INT, &paint, N_("Paint the brush at --at to this tooth number"), N_("FDI") },
    { "erase", 0, 0, G_OPTION_ARG_NONE, &erase, N_("Erase the brush at --at to gingiva"), NULL },
    { "at", 0, 0, G_OPTION_ARG_STRING_ARRAY, &at, N_("A picked point on the scan, in mm"), N_("X,Y,Z") },
    { "radius", 0, 0, G_OPTION_ARG_DOUBLE, &radius, N_("Brush radius in mm"), N_("MM") },
    { "geodesic", 0, 0, G_OPTION_ARG_NONE, &geodesic, N_("Measure the brush along the surface"), NULL },
    { "spare-teeth", 0, 0, G_OPTION_ARG_NONE, &spare, N_("Let the brush change only gingiva and the painted tooth"), NULL },
    { "restore", 0, 0, G_OPTION_ARG_INT, &restore, N_("Store an older version's labels again as the latest (undo)"), N_("VERSION") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("Why, for the version list and the audit log"), N_("TEXT") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the stored version as JSON"), NULL },
    { NULL }
  };

  if (!op_cli_parse (_("CASE SCAN — correct a scan's segmentation and store it as a new version"),
                     _("Give exactly one of --reassign, --merge, --split, --paint, --erase, --restore."),
                     entries, &argc, &argv, error))
    return FALSE;
  if (argc != 3)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("segment edit: give CASE and SCAN"));
      return FALSE;
    }
  n_ops = (reassign != NULL) + (merge != NULL) + (split != NULL) + (paint >= 0) + erase + (restore != 0);
  if (n_ops != 1)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                           _("segment edit: give exactly one of --reassign, --merge, --split, --paint, --erase, --restore"));
      return FALSE;
    }
  scan = open_case_scan (globals, argv, &store, &case_id, error);
  if (scan == NULL)
    return FALSE;
  base = op_store_get_segmentation (store, scan->id, from_version, &n, &base_rec, error);
  if (base == NULL)
    return FALSE;
  if (from_version == 0)
    {
      /* Corrections build on the newest labels; --from names another. */
      from_version = base_rec->version;
    }

  if (restore != 0)
    {
      g_autoptr(OpSegmentationRecord) old_rec = NULL;
      g_autofree gint32 *old = op_store_get_segmentation (store, scan->id, restore, &n, &old_rec, error);

      if (old == NULL)
        return FALSE;
      teeth = g_new0 (OpSegmentationTooth, MAX (old_rec->n_teeth, 1));
      for (guint i = 0; i < old_rec->n_teeth; i++)
        teeth[i] = old_rec->teeth[i];
      n_teeth = old_rec->n_teeth;
      labels = g_steal_pointer (&old);
      for (gsize v = 0; v < n; v++)
        changed += labels[v] != base[v];
      description = g_strdup_printf ("restore v%d", restore);
    }
  else
    {
      gboolean upper = base_rec->upper;

      if (reassign)
        {
          int a, b;
          if (!parse_pair ("--reassign", reassign, ':', &a, &b, error))
            return FALSE;
          change = op_seg_reassign (base, n, upper, a, b, error);
        }
      else if (merge)
        {
          int a, b;
          if (!parse_pair ("--merge", merge, ',', &a, &b, error))
            return FALSE;
          change = op_seg_merge (base, n, upper, a, b, error);
        }
      else
        {
          g_autoptr(OpSegAdjacency) adjacency = NULL;
          g_autoptr(GBytes) bytes = NULL;
          float points[2][3];
          guint n_at = at ? g_strv_length (at) : 0;
          guint need = split ? 2 : 1;

          if (n_at != need)
            {
              g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                           split ? _("--split needs two --at points, one on each part")
                                 : _("--paint and --erase need one --at point"));
              return FALSE;
            }
          for (guint i = 0; i < n_at; i++)
            if (!parse_point (at[i], points[i], error))
              return FALSE;
          if (!split && !(radius > 0.0))
            {
              g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("--radius: give the brush radius in mm"));
              return FALSE;
            }
          /* The geometric edits need the scan itself, parsed the way it was
           * when the labels were made. */
          bytes = op_store_get_scan_bytes (store, scan->id, error);
          if (bytes == NULL)
            return FALSE;
          mesh = op_mesh_load_bytes (bytes, scan->filename, NULL, NULL, globals->cancellable, error);
          if (mesh == NULL)
            return FALSE;
          if (mesh->n_vertices != n)
            {
              g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED,
                           _("%s has %" G_GSIZE_FORMAT " vertices but its segmentation v%d labels %" G_GSIZE_FORMAT),
                           scan->filename, mesh->n_vertices, from_version, n);
              return FALSE;
            }
          adjacency = op_seg_adjacency_new (mesh);
          if (split)
            {
              int a, b;
              guint32 s0, s1;
              if (!parse_pair ("--split", split, ':', &a, &b, error))
                return FALSE;
              s0 = op_seg_nearest_vertex (mesh, base, a, points[0]);
              s1 = op_seg_nearest_vertex (mesh, base, a, points[1]);
              if (s0 == G_MAXUINT32)
                {
                  g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED,
                               _("--split: segmentation v%d has no tooth %d"), from_version, a);
                  return FALSE;
                }
              change = op_seg_split_seeds (mesh, adjacency, base, upper, a, s0, s1, b, error);
            }
          else
            {
              OpSegBrush brush = {
                .vertex = op_seg_nearest_vertex (mesh, NULL, 0, points[0]),
                .radius_mm = (float) radius,
                .geodesic = geodesic,
                .label = erase ? 0 : paint,
                .spare_other_teeth = spare,
              };
              change = op_seg_paint (mesh, adjacency, base, upper, &brush, error);
            }
        }
      if (change == NULL)
        return FALSE;

      labels = g_memdup2 (base, n * sizeof *base);
      if (!op_seg_change_apply (change, labels, n))
        {
          g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED, _("the correction did not apply"));
          return FALSE;
        }
      /* Teeth this change touched were drawn by a person; the others keep
       * the confidence of the version the change started from. */
      base_fdi = g_new (int, MAX (base_rec->n_teeth, 1));
      base_conf = g_new (float, MAX (base_rec->n_teeth, 1));
      for (guint i = 0; i < base_rec->n_teeth; i++)
        {
          base_fdi[i] = base_rec->teeth[i].fdi;
          base_conf[i] = base_rec->teeth[i].confidence;
        }
      n_teeth = op_seg_labels_teeth (labels, n, NULL, NULL, 0);
      fdi = g_new (int, MAX (n_teeth, 1));
      conf = g_new (float, MAX (n_teeth, 1));
      op_seg_labels_teeth (labels, n, fdi, NULL, n_teeth);
      op_seg_corrected_confidence (base, labels, n, base_fdi, base_conf, base_rec->n_teeth, conf, n_teeth);
      teeth = g_new0 (OpSegmentationTooth, MAX (n_teeth, 1));
      for (guint i = 0; i < n_teeth; i++)
        teeth[i] = (OpSegmentationTooth) { fdi[i], conf[i], 0 };
      description = g_strdup (change->description);
      changed = change->n_vertices;
    }

  {
    g_autofree char *full_note = note ? g_strdup_printf ("%s (%s)", description, note) : g_strdup (description);
    OpSegmentationInput in = {
      .source = OP_SEGMENTATION_CORRECTED,
      .upper = base_rec->upper,
      .labels = labels,
      .n_vertices = n,
      .teeth = teeth,
      .n_teeth = n_teeth,
      .parent_version = from_version,
      .note = full_note,
    };
    version = op_store_add_segmentation (store, scan->id, &in, error);
    if (version == 0)
      return FALSE;
  }

  if (json)
    {
      g_autoptr(OpSegmentationRecord) rec = NULL;
      g_autofree gint32 *check = op_store_get_segmentation (store, scan->id, version, &n, &rec, error);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      if (check == NULL)
        return FALSE;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "scan");
      json_builder_add_int_value (b, scan->id);
      json_builder_set_member_name (b, "changed_vertices");
      json_builder_add_int_value (b, (gint64) changed);
      json_builder_set_member_name (b, "stored");
      add_record_json (b, rec);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      op_cli_print_json (root);
    }
  else
    g_print (_("Stored segmentation v%d of scan %" G_GINT64_FORMAT " (corrected from v%d): %s, %" G_GSIZE_FORMAT
               " vertices changed\n"),
             version, scan->id, from_version, description, changed);
  return TRUE;
}
