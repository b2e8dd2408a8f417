/* op-cli-export.c: orthoplan-cli export CASE --html FILE | --video FILE | --pdf FILE.
 *
 * Loads the case's teeth and plan from the store, renders what needs
 * pictures offscreen (op-stage-render.h), hands everything to io/'s
 * exporters, and audits each file written.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "op-cli-private.h"
#include "op-export-html.h"
#include "op-export-video.h"
#include "op-plan-json.h"
#include "op-report.h"
#include "op-schedule.h"
#include "op-stage-render.h"

typedef struct {
  OpStore       *store;
  gint64         case_id;
  OpCaseSummary *summary;
  OpPatient     *patient;
  OpPlan        *plan;
  OpPlanRecord  *record;
  OpDentition   *teeth;
} Loaded;

static void
loaded_clear (Loaded *l)
{
  g_clear_object (&l->store);
  g_clear_pointer (&l->summary, op_case_summary_free);
  g_clear_pointer (&l->patient, op_patient_free);
  g_clear_pointer (&l->plan, op_plan_free);
  g_clear_pointer (&l->record, op_plan_record_free);
  g_clear_pointer (&l->teeth, op_dentition_free);
}

static gboolean
load (OpCliGlobals *globals, gint64 case_id, int version, Loaded *l, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;
  gsize len;
  const char *data;

  l->case_id = case_id;
  l->store = op_cli_open_store (globals, error);
  if (l->store == NULL)
    return FALSE;
  l->summary = op_store_get_case (l->store, case_id, error);
  if (l->summary == NULL)
    return FALSE;
  l->patient = op_store_get_patient (l->store, l->summary->patient_id, error);
  if (l->patient == NULL)
    return FALSE;
  bytes = op_store_get_plan (l->store, case_id, version, &l->record, &local);
  if (bytes == NULL)
    {
      if (g_error_matches (local, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND))
        {
          if (version > 0)
            g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_NO_PLAN,
                         _("case %" G_GINT64_FORMAT " has no plan version %d"), case_id, version);
          else
            g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_NO_PLAN,
                         _("case %" G_GINT64_FORMAT " has no plan yet; plan it first (orthoplan-cli plan %"
                           G_GINT64_FORMAT ")"), case_id, case_id);
        }
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  data = g_bytes_get_data (bytes, &len);
  l->plan = op_plan_decode (data, len, "stored plan", error);
  if (l->plan == NULL)
    return FALSE;
  l->teeth = op_store_load_teeth (l->store, case_id, NULL, globals->cancellable, error);
  return l->teeth != NULL;
}

static gboolean
audit (Loaded *l, const char *kind, const char *path, GError **error)
{
  g_autofree char *object = g_strdup_printf ("case:%" G_GINT64_FORMAT, l->case_id);
  g_autofree char *detail = g_strdup_printf ("%s of plan v%d to %s", kind, l->record->version, path);

  return op_store_audit (l->store, "case.export", object, detail, error);
}

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

static gboolean
export_pdf (Loaded *l, const char *path, OpPaper paper, const char *practice, const char *start,
            guint interval, GError **error)
{
  static const OpView views[] = { OP_VIEW_FRONT, OP_VIEW_OCCLUSAL_UPPER, OP_VIEW_OCCLUSAL_LOWER,
                                  OP_VIEW_RIGHT, OP_VIEW_LEFT };
  const char *captions[] = { _("Front"), _("Upper occlusal"), _("Lower occlusal"), _("Right"), _("Left") };
  g_autoptr(OpStageRender) render = NULL;
  g_autoptr(OpApproval) approval = NULL;
  g_autoptr(GError) verify_error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *generated = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  OpReportPicture pics[2][G_N_ELEMENTS (views)];
  OpReportInput in = { 0 };
  gboolean valid, ok;
  const int w = 800, h = 520;

  /* Pictures at the size they are printed, without multisampling:
   * llvmpipe draws them in a few hundred milliseconds. */
  render = op_stage_render_new (l->teeth, l->plan, w, h, 0, error);
  if (render == NULL)
    return FALSE;
  for (guint k = 0; k < 2; k++)
    for (guint v = 0; v < G_N_ELEMENTS (views); v++)
      {
        pics[k][v].rgba = op_stage_render_draw (render, k == 0 ? 0 : l->plan->n_stages - 1, views[v], 0);
        pics[k][v].width = w;
        pics[k][v].height = h;
        pics[k][v].caption = captions[v];
      }
  g_clear_pointer (&render, op_stage_render_free);

  valid = op_store_verify_approval (l->store, l->case_id, &approval, &verify_error);
  in.paper = paper;
  in.practice_name = practice;
  in.location_name = l->summary->location_name;
  in.patient = l->patient;
  /* The provider of record is the one who signed; a draft has none yet. */
  in.provider_name = approval ? approval->signer_name : NULL;
  in.case_id = l->case_id;
  in.plan_version = l->record->version;
  in.plan_sha256 = l->record->sha256;
  in.plan_created_at = l->record->created_at;
  in.approval = approval;
  in.approval_valid = valid;
  in.approval_problem = verify_error && approval ? verify_error->message : NULL;
  in.start_date = start;
  in.interval_days = interval;
  in.generated_at = generated;
  in.initial = pics[0];
  in.n_initial = G_N_ELEMENTS (views);
  in.final_pictures = pics[1];
  in.n_final = G_N_ELEMENTS (views);
  ok = op_report_write_pdf (l->plan, &in, path, error);
  for (guint k = 0; k < 2; k++)
    for (guint v = 0; v < G_N_ELEMENTS (views); v++)
      g_free ((guint8 *) pics[k][v].rgba);
  if (ok)
    g_printerr (op_report_is_final (&in) ? _("Report marked final (approval verified).\n")
                                         : _("Report marked DRAFT, not approved.\n"));
  return ok;
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
  Loaded l = { 0 };
  gboolean ok = FALSE;
  gint64 case_id;
  char *end = NULL;
  GOptionEntry entries[] = {
    { "html", 0, 0, G_OPTION_ARG_FILENAME, &html, N_("Write the patient simulation (one HTML file)"), N_("FILE") },
    { "video", 0, 0, G_OPTION_ARG_FILENAME, &video, N_("Write the simulation as a WebM video"), N_("FILE") },
    { "pdf", 0, 0, G_OPTION_ARG_FILENAME, &pdf, N_("Write the treatment report"), N_("FILE") },
    { "version", 0, 0, G_OPTION_ARG_INT, &version, N_("Plan version (default: the latest)"), N_("N") },
    { "paper", 0, 0, G_OPTION_ARG_STRING, &paper_name, N_("Report paper: a4 (default) or letter"), N_("SIZE") },
    { "practice", 0, 0, G_OPTION_ARG_STRING, &practice,
      N_("Practice name shown on the page and report (default: the case's location)"), N_("NAME") },
    { "logo", 0, 0, G_OPTION_ARG_FILENAME, &logo, N_("Practice logo for the page (PNG, JPEG, SVG…)"), N_("FILE") },
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
  case_id = g_ascii_strtoll (argv[1], &end, 10);
  if (end == argv[1] || *end != '\0' || case_id <= 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("“%s” is not a case number"), argv[1]);
      return FALSE;
    }
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
  if (start)
    {
      GDate d;

      if (!op_schedule_parse_date (start, &d))
        {
          g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("--start: “%s” is not a YYYY-MM-DD date"), start);
          return FALSE;
        }
    }
  /* A bad logo is found before minutes of loading and rendering. */
  if (logo && html)
    {
      g_autofree char *uri = op_export_logo_data_uri (logo, error);

      if (uri == NULL)
        return FALSE;
    }

  if (!load (globals, case_id, version, &l, error))
    goto out;
  if (practice == NULL)
    practice = g_strdup (l.summary->location_name);

  if (html)
    {
      OpHtmlOptions o = { 0 };

      o.practice_name = practice;
      o.logo_path = logo;
      o.given_name = l.patient->given_name;
      o.family_name = l.patient->family_name;
      o.show_full_name = full_name;
      o.interval_days = (guint) interval;
      if (!op_export_html (l.teeth, l.plan, &o, html, globals->cancellable, error) ||
          !audit (&l, "patient page", html, error))
        goto out;
      g_print ("%s\n", html);
    }
  if (pdf)
    {
      if (!export_pdf (&l, pdf, paper, practice, start, (guint) interval, error) ||
          !audit (&l, "report", pdf, error))
        goto out;
      g_print ("%s\n", pdf);
    }
  if (video)
    {
      OpVideoOptions o = { 0 };
      int last = -1;

      o.width = width;
      o.height = height;
      o.fps = fps;
      o.seconds_per_stage = per_stage;
      if (!op_export_video (l.teeth, l.plan, &o, video, print_progress, &last, globals->cancellable, error) ||
          !audit (&l, "video", video, error))
        goto out;
      g_print ("%s\n", video);
    }
  ok = TRUE;

out:
  loaded_clear (&l);
  return ok;
}
