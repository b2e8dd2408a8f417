/* op-cli-export.c: orthoplan-cli export CASE --html FILE | --video FILE | --pdf FILE.
 *
 * Reads the options and hands the work to op-exports-job.h, the code the
 * app's Exports page runs too: it loads the case once, writes each file
 * asked for and audits it.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "op-cli-private.h"
#include "op-exports-job.h"
#include "op-schedule.h"

static void
print_progress (double fraction, gpointer data)
{
  int *last = data;
  int pct = (int) (fraction * 100);

  /* One line per tenth, on stderr, so a script's stdout stays the list of
   * files written. */
  if (pct / 10 != *last / 10)
    g_printerr (_("video: %d %%\n"), pct);
  *last = pct;
}

/* Writes one file of @loaded and says so: its path on stdout, which a
 * script reads as the list of files written. */
static gboolean
write_one (OpCliGlobals     *globals,
           OpExportsCase    *loaded,
           OpExportsRequest *request,
           OpExportsKind     kind,
           const char       *path,
           GError          **error)
{
  int last = -1;

  request->kind = kind;
  request->path = path;
  if (!op_exports_write (loaded, request, kind == OP_EXPORTS_KIND_VIDEO ? print_progress : NULL, &last,
                         globals->cancellable, error))
    return FALSE;
  if (kind == OP_EXPORTS_KIND_PDF)
    g_printerr (op_exports_case_get_report_final (loaded) ? _("Report marked final (approval verified).\n")
                                                          : _("Report marked DRAFT, not approved.\n"));
  g_print ("%s\n", path);
  return TRUE;
}

/* export CASE --html FILE | --video FILE | --pdf FILE [options] */
gboolean
op_cli_export (OpCliGlobals  *globals,
               int            argc,
               char         **argv,
               GError       **error)
{
  g_autofree char *html = NULL, *video = NULL, *pdf = NULL, *paper_name = NULL;
  g_autofree char *practice = NULL, *logo = NULL, *start = NULL;
  g_autofree char *production = NULL, *arch = NULL, *stages = NULL;
  gboolean full_name = FALSE;
  int version = 0, interval = 0, width = 0, height = 0, fps = 0;
  double per_stage = 0;
  OpPaper paper = OP_PAPER_A4;
  OpExportsRequest request = { 0 };
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpExportsCase) loaded = NULL;
  const char *paths[3];
  gint64 case_id;
  GOptionEntry entries[] = {
    { "html", 0, 0, G_OPTION_ARG_FILENAME, &html, N_("Write the patient simulation (one HTML file)"), N_("FILE") },
    { "video", 0, 0, G_OPTION_ARG_FILENAME, &video, N_("Write the simulation as a WebM video"), N_("FILE") },
    { "pdf", 0, 0, G_OPTION_ARG_FILENAME, &pdf, N_("Write the treatment report"), N_("FILE") },
    { "version", 0, 0, G_OPTION_ARG_INT, &version, N_("Plan version (default: the latest)"), N_("N") },
    { "paper", 0, 0, G_OPTION_ARG_STRING, &paper_name, N_("Report paper: a4 (default) or letter"), N_("SIZE") },
    { "practice", 0, 0, G_OPTION_ARG_STRING, &practice,
      N_("Practice name shown on the page and report (default: the case's location)"), N_("NAME") },
    { "logo", 0, 0, G_OPTION_ARG_FILENAME, &logo, N_("Practice logo for the page (PNG, JPEG, SVG…) and the report (PNG)"),
      N_("FILE") },
    { "full-name", 0, 0, G_OPTION_ARG_NONE, &full_name,
      N_("Show the patient's full name on the page (default: first name only)"), NULL },
    { "interval", 0, 0, G_OPTION_ARG_INT, &interval, N_("Days each aligner is worn (default 14)"), N_("DAYS") },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start, N_("Date aligner 1 is worn from, for the schedule"),
      N_("YYYY-MM-DD") },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, N_("Video width (default 1280)"), N_("PX") },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, N_("Video height (default 720)"), N_("PX") },
    { "fps", 0, 0, G_OPTION_ARG_INT, &fps, N_("Video frames per second (default 25)"), N_("N") },
    { "seconds-per-stage", 0, 0, G_OPTION_ARG_DOUBLE, &per_stage, N_("Video time per aligner (default 0.2)"),
      N_("S") },
    { "production", 0, 0, G_OPTION_ARG_FILENAME, &production,
      N_("Write printable models per stage and arch, with a manifest (approved plans only)"), N_("DIR") },
    { "arch", 0, 0, G_OPTION_ARG_STRING, &arch, N_("Production: upper, lower or both (default)"), N_("ARCH") },
    { "stages", 0, 0, G_OPTION_ARG_STRING, &stages, N_("Production: stages A-B (default: all)"), N_("A-B") },
    { NULL }
  };

  if (!op_cli_parse (_("CASE — export a case's plan as a patient page, a video or a report"), NULL, entries,
                     &argc, &argv, error))
    return FALSE;
  if (production != NULL && argc == 2)
    return op_cli_export_production (globals, argv[1], production, arch, stages, error);
  if (argc != 2 || (html == NULL && video == NULL && pdf == NULL))
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                           _("export: name one case and at least one of --html FILE, --video FILE, --pdf FILE, --production DIR"));
      return FALSE;
    }
  if (!op_cli_parse_case_id (argv[1], &case_id, error))
    return FALSE;
  if (paper_name && !op_paper_from_string (paper_name, &paper))
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("--paper: “%s” is not a4 or letter"), paper_name);
      return FALSE;
    }
  if (interval < 0 || interval > 90 || version < 0 || width < 0 || height < 0 || fps < 0 || per_stage < 0)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                           _("export: --interval (1-90 days), --version and the video sizes must be positive"));
      return FALSE;
    }
  paths[OP_EXPORTS_KIND_HTML] = html;
  paths[OP_EXPORTS_KIND_PDF] = pdf;
  paths[OP_EXPORTS_KIND_VIDEO] = video;
  if (start)
    {
      GDate d;

      if (!op_schedule_parse_date (start, &d))
        {
          g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("--start: “%s” is not a YYYY-MM-DD date"), start);
          return FALSE;
        }
    }
  request.case_id = case_id;
  request.version = version;
  request.practice_name = practice;
  request.logo_path = logo;
  request.show_full_name = full_name;
  request.paper = paper;
  request.start_date = start;
  request.interval_days = (guint) interval;
  request.video.width = width;
  request.video.height = height;
  request.video.fps = fps;
  request.video.seconds_per_stage = per_stage;
  /* A bad logo is found before seconds of loading and rendering. */
  for (OpExportsKind kind = OP_EXPORTS_KIND_HTML; kind <= OP_EXPORTS_KIND_VIDEO; kind++)
    {
      request.kind = kind;
      if (paths[kind] && !op_exports_check (&request, error))
        return FALSE;
    }

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  loaded = op_exports_load (store, case_id, version, globals->cancellable, error);
  if (loaded == NULL)
    return FALSE;
  /* The order the files have always come in: page, report, video. */
  for (OpExportsKind kind = OP_EXPORTS_KIND_HTML; kind <= OP_EXPORTS_KIND_VIDEO; kind++)
    if (paths[kind] && !write_one (globals, loaded, &request, kind, paths[kind], error))
      return FALSE;
  return TRUE;
}
