/* op-exports-job.c: one export of a case's latest plan (op-exports-job.h).
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "op-exports-job.h"
#include "op-export-html.h"
#include "op-export-video.h"
#include "op-plan-json.h"
#include "op-stage-render.h"

typedef struct {
  OpCaseSummary *summary;
  OpPatient     *patient;
  OpPlan        *plan;
  OpPlanRecord  *record;
  OpDentition   *teeth;
} Loaded;

static void
loaded_clear (Loaded *l)
{
  g_clear_pointer (&l->summary, op_case_summary_free);
  g_clear_pointer (&l->patient, op_patient_free);
  g_clear_pointer (&l->plan, op_plan_free);
  g_clear_pointer (&l->record, op_plan_record_free);
  g_clear_pointer (&l->teeth, op_dentition_free);
}

const char *
op_exports_kind_noun (OpExportsKind kind)
{
  switch (kind)
    {
    case OP_EXPORTS_KIND_HTML:
      return _("patient simulation");
    case OP_EXPORTS_KIND_PDF:
      return _("treatment report");
    case OP_EXPORTS_KIND_VIDEO:
      return _("video");
    default:
      return _("export");
    }
}

static gboolean
load (OpStore *store, gint64 case_id, Loaded *l, GCancellable *cancellable, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;
  const char *data;
  gsize len;

  l->summary = op_store_get_case (store, case_id, error);
  if (l->summary == NULL)
    return FALSE;
  l->patient = op_store_get_patient (store, l->summary->patient_id, error);
  if (l->patient == NULL)
    return FALSE;
  bytes = op_store_get_plan (store, case_id, 0, &l->record, &local);
  if (bytes == NULL)
    {
      /* The one failure a person can act on gets words of its own. */
      if (g_error_matches (local, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND))
        g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_NO_PLAN,
                     _("Case %" G_GINT64_FORMAT " has no plan yet: plan it on the Plan page first"), case_id);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  data = g_bytes_get_data (bytes, &len);
  l->plan = op_plan_decode (data, len, "stored plan", error);
  if (l->plan == NULL)
    return FALSE;
  l->teeth = op_store_load_teeth (store, case_id, NULL, cancellable, error);
  return l->teeth != NULL;
}

/* The report's pictures: stage 0 and the last stage in the five standard
 * views, at the size they are printed. */
static gboolean
write_pdf (OpStore *store, const OpExportsRequest *request, Loaded *l, GCancellable *cancellable, GError **error)
{
  static const OpView views[] = { OP_VIEW_FRONT, OP_VIEW_OCCLUSAL_UPPER, OP_VIEW_OCCLUSAL_LOWER,
                                  OP_VIEW_RIGHT, OP_VIEW_LEFT };
  const char *captions[] = { _("Front"), _("Upper occlusal"), _("Lower occlusal"), _("Right"), _("Left") };
  g_autoptr(OpStageRender) render = NULL;
  g_autoptr(OpApproval) approval = NULL;
  g_autoptr(GError) verify_error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *generated = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  OpReportPicture pics[2][G_N_ELEMENTS (views)] = { 0 };
  OpReportInput in = { 0 };
  gboolean valid, ok = FALSE;
  const int w = 800, h = 520;

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

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  valid = op_store_verify_approval (store, request->case_id, &approval, &verify_error);
  in.paper = request->paper;
  in.practice_name = l->summary->location_name;
  in.location_name = l->summary->location_name;
  in.patient = l->patient;
  /* The provider of record is the one who signed; a draft has none yet. */
  in.provider_name = approval ? approval->signer_name : NULL;
  in.case_id = request->case_id;
  in.plan_version = l->record->version;
  in.plan_sha256 = l->record->sha256;
  in.plan_created_at = l->record->created_at;
  in.approval = approval;
  in.approval_valid = valid;
  in.approval_problem = verify_error && approval ? verify_error->message : NULL;
  in.generated_at = generated;
  in.initial = pics[0];
  in.n_initial = G_N_ELEMENTS (views);
  in.final_pictures = pics[1];
  in.n_final = G_N_ELEMENTS (views);
  ok = op_report_write_pdf (l->plan, &in, request->path, error);

out:
  for (guint k = 0; k < 2; k++)
    for (guint v = 0; v < G_N_ELEMENTS (views); v++)
      g_free ((guint8 *) pics[k][v].rgba);
  return ok;
}

typedef struct {
  OpExportProgress progress;
  gpointer         data;
} Scaled;

/* Loading takes the first 30 % of the bar; the video's frames the rest. */
static void
video_progress (double   fraction,
                gpointer data)
{
  Scaled *s = data;

  s->progress (0.3 + 0.7 * CLAMP (fraction, 0.0, 1.0), s->data);
}

static void
report (OpExportProgress progress, gpointer data, double fraction)
{
  if (progress)
    progress (fraction, data);
}

gboolean
op_exports_run (OpStore                *store,
                const OpExportsRequest *request,
                OpExportProgress        progress,
                gpointer                progress_data,
                GCancellable           *cancellable,
                GError                **error)
{
  Loaded l = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (OP_IS_STORE (store), FALSE);
  g_return_val_if_fail (request != NULL && request->path != NULL, FALSE);

  report (progress, progress_data, 0.02);
  if (!load (store, request->case_id, &l, cancellable, error))
    goto out;
  report (progress, progress_data, 0.3);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  switch (request->kind)
    {
    case OP_EXPORTS_KIND_HTML:
      {
        OpHtmlOptions o = { 0 };

        o.practice_name = l.summary->location_name;
        o.given_name = l.patient->given_name;
        o.family_name = l.patient->family_name;
        o.show_full_name = request->show_full_name;
        ok = op_export_html (l.teeth, l.plan, &o, request->path, cancellable, error);
      }
      break;
    case OP_EXPORTS_KIND_PDF:
      ok = write_pdf (store, request, &l, cancellable, error);
      break;
    case OP_EXPORTS_KIND_VIDEO:
      {
        OpVideoOptions o = { 0 };
        Scaled s = { progress, progress_data };

        ok = op_export_video (l.teeth, l.plan, &o, request->path, progress ? video_progress : NULL, &s,
                              cancellable, error);
      }
      break;
    default:
      g_assert_not_reached ();
    }

  if (ok)
    {
      g_autofree char *object = g_strdup_printf ("case:%" G_GINT64_FORMAT, request->case_id);
      g_autofree char *detail = g_strdup_printf ("%s of plan v%d to %s", op_exports_kind_noun (request->kind),
                                                 l.record->version, request->path);

      /* The file is written; an audit that fails is reported, not hidden,
       * because an export must leave a trace. */
      ok = op_store_audit (store, "case.export", object, detail, error);
      report (progress, progress_data, 1.0);
    }

out:
  loaded_clear (&l);
  return ok;
}
