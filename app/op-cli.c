/* op-cli.c: orthoplan-cli, the command-line tool.
 *
 * It links no GTK so that it runs on a server with no display: meshes are
 * read and written through io/, pictures are drawn offscreen through
 * render/ (EGL, surfaceless Mesa) and handed to io/ to be saved.  Every
 * failure ends in one line on stderr and a non-zero exit status.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "op-cli-private.h"
#include "op-demo-case.h"
#include "op-demo.h"
#include "op-image.h"
#include "op-mesh-io.h"
#include "op-offscreen.h"
#include "op-renderer.h"

G_DEFINE_QUARK (op-cli-error-quark, op_cli_error)

gboolean
op_cli_parse (const char    *usage,
              const char    *summary,
              GOptionEntry  *entries,
              int           *argc,
              char        ***argv,
              GError       **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new (usage);
  g_autoptr(GError) local_error = NULL;

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &local_error))
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

OpStore *
op_cli_open_store (OpCliGlobals *globals,
                   GError      **error)
{
  g_autofree char *path = NULL;

  path = globals->db_path ? g_strdup (globals->db_path) : op_store_default_path ();
  return op_store_open (path, error);
}

void
op_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, FALSE);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

gboolean
op_cli_render_png (OpMesh     **meshes,
                   guint        n_meshes,
                   OpView       view,
                   int          width,
                   int          height,
                   const char  *path,
                   GError     **error)
{
  g_autoptr(OpOffscreen) offscreen = NULL;
  g_autoptr(OpRenderer) renderer = NULL;
  g_autofree guint8 *pixels = NULL;
  float bmin[3], bmax[3];
  OpCamera camera;

  offscreen = op_offscreen_new (width, height, error);
  if (offscreen == NULL)
    return FALSE;
  renderer = op_renderer_new (error);
  if (renderer == NULL)
    return FALSE;

  for (guint i = 0; i < n_meshes; i++)
    op_renderer_add_mesh (renderer, meshes[i], op_material_for_mesh (meshes[i]));

  op_camera_init (&camera);
  op_camera_set_view (&camera, view);
  if (op_renderer_get_bounds (renderer, bmin, bmax))
    op_camera_fit (&camera, bmin, bmax, (float) width / height);

  op_offscreen_make_current (offscreen);
  op_renderer_draw (renderer, &camera, width, height);
  pixels = op_offscreen_read_pixels (offscreen);

  /* The renderer's GL objects belong to the offscreen context: free it
   * first, while that context is current. */
  g_clear_pointer (&renderer, op_renderer_free);
  return op_image_save_png (pixels, width, height, path, error);
}

/* info FILE... */
static gboolean
cmd_info (OpCliGlobals  *globals,
          int            argc,
          char         **argv,
          GError       **error)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object per file"), NULL },
    { NULL }
  };

  if (!op_cli_parse (_("FILE… — describe scan files"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc < 2)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("info: name at least one file"));
      return FALSE;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(OpMesh) mesh = NULL;
      OpMeshInfo info = { 0 };

      mesh = op_mesh_load (argv[i], NULL, &info, globals->cancellable, error);
      if (mesh == NULL)
        return FALSE;

      if (json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();
          g_autoptr(JsonNode) root = NULL;

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "file");
          json_builder_add_string_value (b, argv[i]);
          json_builder_set_member_name (b, "format");
          json_builder_add_string_value (b, op_mesh_format_to_string (info.format));
          json_builder_set_member_name (b, "binary");
          json_builder_add_boolean_value (b, info.binary);
          json_builder_set_member_name (b, "vertices");
          json_builder_add_int_value (b, mesh->n_vertices);
          json_builder_set_member_name (b, "triangles");
          json_builder_add_int_value (b, mesh->n_triangles);
          json_builder_set_member_name (b, "bbox_min_mm");
          json_builder_begin_array (b);
          for (int k = 0; k < 3; k++)
            json_builder_add_double_value (b, mesh->bbox_min[k]);
          json_builder_end_array (b);
          json_builder_set_member_name (b, "bbox_max_mm");
          json_builder_begin_array (b);
          for (int k = 0; k < 3; k++)
            json_builder_add_double_value (b, mesh->bbox_max[k]);
          json_builder_end_array (b);
          json_builder_set_member_name (b, "size_mm");
          json_builder_begin_array (b);
          for (int k = 0; k < 3; k++)
            json_builder_add_double_value (b, mesh->bbox_max[k] - mesh->bbox_min[k]);
          json_builder_end_array (b);
          json_builder_set_member_name (b, "colors");
          json_builder_add_boolean_value (b, mesh->colors != NULL);
          json_builder_set_member_name (b, "labels");
          json_builder_add_boolean_value (b, mesh->labels != NULL);
          json_builder_end_object (b);
          root = json_builder_get_root (b);
          op_cli_print_json (root);
        }
      else
        {
          g_print ("%s\n", argv[i]);
          g_print ("  %-10s %s%s\n", _("format"), op_mesh_format_to_string (info.format),
                   info.format == OP_MESH_FORMAT_STL || info.format == OP_MESH_FORMAT_PLY
                     ? (info.binary ? _(" (binary)") : _(" (ASCII)")) : "");
          g_print ("  %-10s %" G_GSIZE_FORMAT "\n", _("vertices"), mesh->n_vertices);
          g_print ("  %-10s %" G_GSIZE_FORMAT "\n", _("triangles"), mesh->n_triangles);
          g_print ("  %-10s %.2f × %.2f × %.2f mm  (%.2f, %.2f, %.2f) – (%.2f, %.2f, %.2f)\n", _("bbox"),
                   mesh->bbox_max[0] - mesh->bbox_min[0], mesh->bbox_max[1] - mesh->bbox_min[1],
                   mesh->bbox_max[2] - mesh->bbox_min[2],
                   mesh->bbox_min[0], mesh->bbox_min[1], mesh->bbox_min[2],
                   mesh->bbox_max[0], mesh->bbox_max[1], mesh->bbox_max[2]);
          g_print ("  %-10s %s\n", _("colours"), mesh->colors ? _("yes") : _("no"));
          g_print ("  %-10s %s\n", _("labels"), mesh->labels ? _("yes") : _("no"));
        }
    }
  return TRUE;
}

static OpMeshFormat
format_for_output (const char *path,
                   GError    **error)
{
  OpMeshFormat format = op_mesh_format_detect (path, NULL, 0);

  if (format == OP_MESH_FORMAT_UNKNOWN || format == OP_MESH_FORMAT_OBJ)
    {
      g_autofree char *base = g_path_get_basename (path);

      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                   _("%s: cannot write this format; use .stl, .ply or .glb"), base);
      return OP_MESH_FORMAT_UNKNOWN;
    }
  return format;
}

/* convert IN OUT */
static gboolean
cmd_convert (OpCliGlobals  *globals,
             int            argc,
             char         **argv,
             GError       **error)
{
  g_autoptr(OpMesh) mesh = NULL;
  OpMeshFormat format;
  GOptionEntry entries[] = { { NULL } };

  if (!op_cli_parse (_("IN OUT — convert a scan to binary STL, PLY or GLB"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc != 3)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("convert: name one input and one output file"));
      return FALSE;
    }

  format = format_for_output (argv[2], error);
  if (format == OP_MESH_FORMAT_UNKNOWN)
    return FALSE;
  mesh = op_mesh_load (argv[1], NULL, NULL, globals->cancellable, error);
  if (mesh == NULL)
    return FALSE;
  if (!op_mesh_save (mesh, argv[2], format, error))
    return FALSE;
  g_print ("%s\n", argv[2]);
  return TRUE;
}

static gboolean
parse_size (const char *str,
            int        *w,
            int        *h,
            GError    **error)
{
  char *end = NULL;
  gint64 a, b;

  a = g_ascii_strtoll (str, &end, 10);
  if (end == str || (*end != 'x' && *end != 'X'))
    goto bad;
  str = end + 1;
  b = g_ascii_strtoll (str, &end, 10);
  if (end == str || *end != '\0' || a < 16 || b < 16 || a > 8192 || b > 8192)
    goto bad;
  *w = (int) a;
  *h = (int) b;
  return TRUE;

bad:
  g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
               _("--size: expected WIDTHxHEIGHT between 16 and 8192, e.g. 1280x800"));
  return FALSE;
}

/* render FILE... --out PNG */
static gboolean
cmd_render (OpCliGlobals  *globals,
            int            argc,
            char         **argv,
            GError       **error)
{
  g_autofree char *out = NULL;
  g_autofree char *size = NULL;
  g_autofree char *view_name = NULL;
  g_autoptr(GPtrArray) meshes = g_ptr_array_new_with_free_func ((GDestroyNotify) op_mesh_free);
  int width = 1280, height = 800;
  OpView view = OP_VIEW_FRONT;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("PNG file to write"), N_("PNG") },
    { "size", 's', 0, G_OPTION_ARG_STRING, &size, N_("Picture size (default 1280x800)"), N_("WxH") },
    { "view", 0, 0, G_OPTION_ARG_STRING, &view_name,
      N_("front, occlusal-upper, occlusal-lower, left or right"), N_("VIEW") },
    { NULL }
  };

  if (!op_cli_parse (_("FILE… — draw scans offscreen into a PNG"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc < 2 || out == NULL)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("render: name a file and --out PNG"));
      return FALSE;
    }
  if (size && !parse_size (size, &width, &height, error))
    return FALSE;
  if (view_name && !op_view_from_string (view_name, &view))
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                   _("--view: “%s” is not one of front, occlusal-upper, occlusal-lower, left, right"), view_name);
      return FALSE;
    }

  for (int i = 1; i < argc; i++)
    {
      OpMesh *mesh = op_mesh_load (argv[i], NULL, NULL, globals->cancellable, error);

      if (mesh == NULL)
        return FALSE;
      g_ptr_array_add (meshes, mesh);
    }

  if (!op_cli_render_png ((OpMesh **) meshes->pdata, meshes->len, view, width, height, out, error))
    return FALSE;
  g_print ("%s\n", out);
  return TRUE;
}

/* demo [--out DIR]: the headless demo pipeline. */
static gboolean
cmd_demo (OpCliGlobals  *globals,
          int            argc,
          char         **argv,
          GError       **error)
{
  g_autofree char *out = NULL;
  g_autofree char *db = NULL;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpMesh) upper = NULL;
  g_autoptr(OpMesh) lower = NULL;
  g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func (g_free);
  gint64 case_id;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Folder for the outputs (default ./orthoplan-demo)"), N_("DIR") },
    { NULL }
  };
  static const OpView views[] = {
    OP_VIEW_FRONT, OP_VIEW_OCCLUSAL_UPPER, OP_VIEW_OCCLUSAL_LOWER, OP_VIEW_LEFT, OP_VIEW_RIGHT,
  };

  if (!op_cli_parse (_("— build the demo case and write its pictures and models"), NULL,
                     entries, &argc, &argv, error))
    return FALSE;
  if (out == NULL)
    out = g_strdup ("orthoplan-demo");
  if (g_mkdir_with_parents (out, 0755) != 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED, _("%s: cannot create the folder (%s)"),
                   out, g_strerror (errno));
      return FALSE;
    }

  db = globals->db_path ? g_strdup (globals->db_path) : g_build_filename (out, "demo.db", NULL);
  store = op_store_open (db, error);
  if (store == NULL)
    return FALSE;
  case_id = op_demo_case_ensure (store, error);
  if (case_id <= 0)
    return FALSE;
  g_ptr_array_add (written, g_strdup_printf ("%s (case %" G_GINT64_FORMAT ")", db, case_id));

  /* Read the arches back from the store, as the app would, rather than
   * from the generator: the pipeline shows what a clinic would see. */
  {
    g_autoptr(GPtrArray) scans = op_store_list_scans (store, case_id, error);

    if (scans == NULL)
      return FALSE;
    for (guint i = 0; i < scans->len; i++)
      {
        OpScanRecord *rec = g_ptr_array_index (scans, i);
        g_autoptr(GBytes) bytes = op_store_get_scan_bytes (store, rec->id, error);
        OpMesh *mesh;

        if (bytes == NULL)
          return FALSE;
        mesh = op_mesh_load_bytes (bytes, rec->filename, NULL, NULL, globals->cancellable, error);
        if (mesh == NULL)
          return FALSE;
        if (rec->jaw == OP_JAW_UPPER && upper == NULL)
          upper = mesh;
        else if (rec->jaw == OP_JAW_LOWER && lower == NULL)
          lower = mesh;
        else
          op_mesh_free (mesh);
      }
  }
  if (upper == NULL || lower == NULL)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED,
                           _("the demo case lacks an upper or a lower scan"));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *name = g_strdup_printf ("demo-%s.png", op_view_to_string (views[i]));
      g_autofree char *path = g_build_filename (out, name, NULL);
      OpMesh *both[2] = { upper, lower };
      OpMesh **set = both;
      guint n = 2;

      /* An occlusal view shows one arch, as a clinician looks at it. */
      if (views[i] == OP_VIEW_OCCLUSAL_UPPER)
        n = 1;
      else if (views[i] == OP_VIEW_OCCLUSAL_LOWER)
        set = &both[1], n = 1;

      if (!op_cli_render_png (set, n, views[i], 1280, 800, path, error))
        return FALSE;
      g_ptr_array_add (written, g_steal_pointer (&path));
    }

  {
    struct { OpMesh *mesh; const char *name; OpMeshFormat format; } models[] = {
      { upper, "demo-upper.stl", OP_MESH_FORMAT_STL },
      { lower, "demo-lower.stl", OP_MESH_FORMAT_STL },
      { upper, "demo-upper.ply", OP_MESH_FORMAT_PLY },
      { lower, "demo-lower.ply", OP_MESH_FORMAT_PLY },
      { upper, "demo-upper.glb", OP_MESH_FORMAT_GLB },
      { lower, "demo-lower.glb", OP_MESH_FORMAT_GLB },
    };

    for (guint i = 0; i < G_N_ELEMENTS (models); i++)
      {
        g_autofree char *path = g_build_filename (out, models[i].name, NULL);

        if (!op_mesh_save (models[i].mesh, path, models[i].format, error))
          return FALSE;
        g_ptr_array_add (written, g_steal_pointer (&path));
      }
  }

  g_print (_("Demo case built: %s, %s (%lu + %lu triangles).\n"),
           OP_DEMO_FAMILY_NAME, OP_DEMO_GIVEN_NAME,
           (unsigned long) upper->n_triangles, (unsigned long) lower->n_triangles);
  g_print (_("Outputs:\n"));
  for (guint i = 0; i < written->len; i++)
    g_print ("  %s\n", (char *) g_ptr_array_index (written, i));
  return TRUE;
}

static const struct {
  const char   *name;
  OpCliCommand  func;
  const char   *help;
} commands[] = {
  { "info", cmd_info, N_("Describe scan files (format, size, bounding box)") },
  { "convert", cmd_convert, N_("Convert a scan to binary STL, PLY or GLB") },
  { "render", cmd_render, N_("Draw scans offscreen into a PNG") },
  { "case", op_cli_case, N_("Create, list and show cases (new, list, show)") },
  { "demo", cmd_demo, N_("Build the demo case and write its pictures and models") },
  { "plan", op_cli_plan, N_("Plan a case (stages, IPR, attachments) or export a plan (plan export)") },
  { "plan-check", op_cli_plan_check, N_("Check every invariant of a plan file") },
  { "segment", op_cli_segment, N_("Find and number the teeth of one arch scan") },
  { "segment-eval", op_cli_segment_eval, N_("Score tooth labels against a reference (TSA, TIR, IoU)") },
  { "user", op_cli_user, N_("Add and list users (add, list)") },
  { "approve", op_cli_approve, N_("Sign a case's plan for production (providers)") },
  { "request-changes", op_cli_request_changes, N_("Send a plan under review back to planning with a note") },
  { "verify", op_cli_verify, N_("Check a case's approval against the stored plan bytes") },
  { "audit", op_cli_audit, N_("Check the audit log's hash chain (verify)") },
  { "outbox", op_cli_outbox, N_("List, post and retry posts to the practice system (list, run, retry)") },
  { "pms", op_cli_pms, N_("Set a location's practice system, fees and patient links (set, fee, provider, show, link)") },
  { "dicom", op_cli_dicom, N_("Describe a DICOM series or store it with a case (info, add)") },
  { "export", op_cli_export, N_("Export a plan as a patient page (HTML), a video (WebM) or a report (PDF)") },
  { "render-slice", op_cli_render_slice, N_("Draw one slice of a case's CBCT into a PNG") },
  { "register", op_cli_register, N_("Align a case's scans with its CBCT and print the RMS error") },
};

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n\n", _("Usage: orthoplan-cli [--db PATH] COMMAND [OPTIONS…]"));
  fprintf (stream, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-16s %s\n", commands[i].name, _(commands[i].help));
  fprintf (stream, "\n%s\n", _("Run “orthoplan-cli COMMAND --help” for a command's options."));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *db_path = NULL;
  OpCliGlobals globals = { 0 };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("orthoplan-cli");

  /* The global --db may stand anywhere on the line, so take it out before
   * the subcommand parses its own options. */
  g_ptr_array_add (args, argv[0]);
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--db"))
        {
          if (i + 1 >= argc)
            {
              fprintf (stderr, "orthoplan-cli: %s\n", _("--db needs a path"));
              return 2;
            }
          g_free (db_path);
          db_path = g_strdup (argv[++i]);
        }
      else if (g_str_has_prefix (argv[i], "--db="))
        {
          g_free (db_path);
          db_path = g_strdup (argv[i] + 5);
        }
      else
        g_ptr_array_add (args, argv[i]);
    }
  g_ptr_array_add (args, NULL);
  globals.db_path = db_path;

  if (args->len < 3 || g_str_equal (g_ptr_array_index (args, 1), "--help") ||
      g_str_equal (g_ptr_array_index (args, 1), "-h") || g_str_equal (g_ptr_array_index (args, 1), "help"))
    {
      print_usage (args->len < 3 ? stderr : stdout);
      return args->len < 3 ? 2 : 0;
    }
  if (g_str_equal (g_ptr_array_index (args, 1), "--version"))
    {
      g_print ("orthoplan-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, g_ptr_array_index (args, 1)))
      {
        int sub_argc = (int) args->len - 2;
        char **sub_argv = (char **) args->pdata + 1;

        if (commands[i].func (&globals, sub_argc, sub_argv, &error))
          return 0;
        /* One line, whatever the module wrote, so scripts can log it. */
        if (error)
          g_strdelimit (error->message, "\r\n", ' ');
        fprintf (stderr, "orthoplan-cli: %s\n", error ? error->message : _("unknown error"));
        return error && error->domain == OP_CLI_ERROR && error->code == OP_CLI_ERROR_USAGE ? 2 : 1;
      }

  fprintf (stderr, "orthoplan-cli: %s\n", _("unknown command; run “orthoplan-cli --help”"));
  return 2;
}
