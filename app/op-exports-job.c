/* op-exports-job.c: the exports of a case's plan (op-exports-job.h).
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "op-exports-job.h"
#include "op-export-html.h"
#include "op-plan-json.h"
#include "op-schedule.h"
#include "op-stage-render.h"

struct _OpExportsCase {
  OpStore       *store;
  gint64         case_id;
  OpCaseSummary *summary;
  OpPatient     *patient;
  OpPlan        *plan;
  OpPlanRecord  *record;
  OpDentition   *teeth;
  gboolean       report_final;
};

void
op_exports_case_free (OpExportsCase *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->store);
  g_clear_pointer (&self->summary, op_case_summary_free);
  g_clear_pointer (&self->patient, op_patient_free);
  g_clear_pointer (&self->plan, op_plan_free);
  g_clear_pointer (&self->record, op_plan_record_free);
  g_clear_pointer (&self->teeth, op_dentition_free);
  g_free (self);
}

int
op_exports_case_get_version (const OpExportsCase *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->record->version;
}

gboolean
op_exports_case_get_report_final (const OpExportsCase *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->report_final;
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

/* The audit log is a record read across languages and years, so it keeps
 * the same English words whatever the interface's language. */
static const char *
audit_noun (OpExportsKind kind)
{
  switch (kind)
    {
    case OP_EXPORTS_KIND_HTML:
      return "patient simulation";
    case OP_EXPORTS_KIND_PDF:
      return "treatment report";
    case OP_EXPORTS_KIND_VIDEO:
    default:
      return "video";
    }
}

gboolean
op_exports_check (const OpExportsRequest *request,
                  GError                **error)
{
  g_return_val_if_fail (request != NULL, FALSE);

  if (request->start_date)
    {
      GDate d;

      if (!op_schedule_parse_date (request->start_date, &d))
        {
          g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_INPUT,
                       _("start date “%s” is not a YYYY-MM-DD date"), request->start_date);
          return FALSE;
        }
    }
  /* The video shows no logo; the page and the report read it again when
   * they are built, this only finds a bad one early. */
  if (request->logo_path && *request->logo_path)
    {
      g_autoptr(GBytes) logo = NULL;

      if (request->kind == OP_EXPORTS_KIND_HTML)
        {
          logo = op_export_logo_read (request->logo_path, NULL, error);
          if (logo == NULL)
            return FALSE;
        }
      else if (request->kind == OP_EXPORTS_KIND_PDF && !op_report_check_logo (request->logo_path, error))
        return FALSE;
    }
  return TRUE;
}

OpExportsCase *
op_exports_load (OpStore       *store,
                 gint64         case_id,
                 int            version,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(OpExportsCase) self = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;
  const char *data;
  gsize len;

  g_return_val_if_fail (OP_IS_STORE (store), NULL);

  self = g_new0 (OpExportsCase, 1);
  self->store = g_object_ref (store);
  self->case_id = case_id;
  self->summary = op_store_get_case (store, case_id, error);
  if (self->summary == NULL)
    return NULL;
  self->patient = op_store_get_patient (store, self->summary->patient_id, error);
  if (self->patient == NULL)
    return NULL;
  bytes = op_store_get_plan (store, case_id, version, &self->record, &local);
  if (bytes == NULL)
    {
      /* The one failure a person can act on gets words of its own. */
      if (g_error_matches (local, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND))
        {
          if (version > 0)
            g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_NO_PLAN,
                         _("Case %" G_GINT64_FORMAT " has no plan version %d"), case_id, version);
          else
            g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_NO_PLAN,
                         _("Case %" G_GINT64_FORMAT " has no plan yet: plan it first"), case_id);
        }
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  data = g_bytes_get_data (bytes, &len);
  self->plan = op_plan_decode (data, len, "stored plan", error);
  if (self->plan == NULL)
    return NULL;
  self->teeth = op_store_load_teeth (store, case_id, NULL, cancellable, error);
  if (self->teeth == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

static void
report (OpExportProgress progress, gpointer data, double fraction)
{
  if (progress)
    progress (fraction, data);
}

/* The report's pictures: stage 0 and the last stage in the five standard
 * views, at the size they are printed and without multisampling, which
 * llvmpipe draws in a few hundred milliseconds.  Drawing them is most of
 * the report's time, so they are most of its progress. */
static gboolean
write_pdf (OpExportsCase          *l,
           const OpExportsRequest *request,
           OpExportProgress        progress,
           gpointer                progress_data,
           GCancellable           *cancellable,
           GError                **error)
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
  const guint n_pics = 2 * G_N_ELEMENTS (views);
  gboolean valid, ok = FALSE;
  const int w = 800, h = 520;

  render = op_stage_render_new (l->teeth, l->plan, w, h, 0, error);
  if (render == NULL)
    return FALSE;
  for (guint k = 0; k < 2; k++)
    for (guint v = 0; v < G_N_ELEMENTS (views); v++)
      {
        if (g_cancellable_set_error_if_cancelled (cancellable, error))
          goto out;
        pics[k][v].rgba = op_stage_render_draw (render, k == 0 ? 0 : l->plan->n_stages - 1, views[v], 0);
        pics[k][v].width = w;
        pics[k][v].height = h;
        pics[k][v].caption = captions[v];
        report (progress, progress_data, 0.9 * (k * G_N_ELEMENTS (views) + v + 1) / n_pics);
      }
  g_clear_pointer (&render, op_stage_render_free);

  valid = op_store_verify_approval (l->store, l->case_id, &approval, &verify_error);
  in.paper = request->paper;
  in.practice_name = request->practice_name ? request->practice_name : l->summary->location_name;
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
  in.start_date = request->start_date;
  in.interval_days = request->interval_days;
  in.generated_at = generated;
  in.initial = pics[0];
  in.n_initial = G_N_ELEMENTS (views);
  in.final_pictures = pics[1];
  in.n_final = G_N_ELEMENTS (views);
  in.logo_path = request->logo_path;
  ok = op_report_write_pdf (l->plan, &in, request->path, error);
  if (ok)
    l->report_final = op_report_is_final (&in);

out:
  for (guint k = 0; k < 2; k++)
    for (guint v = 0; v < G_N_ELEMENTS (views); v++)
      g_free ((guint8 *) pics[k][v].rgba);
  return ok;
}

gboolean
op_exports_write (OpExportsCase          *l,
                  const OpExportsRequest *request,
                  OpExportProgress        progress,
                  gpointer                progress_data,
                  GCancellable           *cancellable,
                  GError                **error)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (l != NULL, FALSE);
  g_return_val_if_fail (request != NULL && request->path != NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  switch (request->kind)
    {
    case OP_EXPORTS_KIND_HTML:
      {
        OpHtmlOptions o = { 0 };

        o.practice_name = request->practice_name ? request->practice_name : l->summary->location_name;
        o.logo_path = request->logo_path;
        o.given_name = l->patient->given_name;
        o.family_name = l->patient->family_name;
        o.show_full_name = request->show_full_name;
        o.interval_days = request->interval_days;
        ok = op_export_html (l->teeth, l->plan, &o, request->path, cancellable, error);
      }
      break;
    case OP_EXPORTS_KIND_PDF:
      ok = write_pdf (l, request, progress, progress_data, cancellable, error);
      break;
    case OP_EXPORTS_KIND_VIDEO:
      ok = op_export_video (l->teeth, l->plan, &request->video, request->path, progress, progress_data,
                            cancellable, error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (ok)
    {
      g_autofree char *object = g_strdup_printf ("case:%" G_GINT64_FORMAT, l->case_id);
      g_autofree char *detail = g_strdup_printf ("%s of plan v%d to %s", audit_noun (request->kind),
                                                 l->record->version, request->path);

      /* The file is written; an audit that fails is reported, not hidden,
       * because an export must leave a trace. */
      ok = op_store_audit (l->store, "case.export", object, detail, error);
      if (ok)
        report (progress, progress_data, 1.0);
    }
  return ok;
}

typedef struct {
  OpExportProgress progress;
  gpointer         data;
} Scaled;

/* Loading takes the first 30 % of the bar; writing the file the rest. */
static void
scaled_progress (double   fraction,
                 gpointer data)
{
  Scaled *s = data;

  s->progress (0.3 + 0.7 * CLAMP (fraction, 0.0, 1.0), s->data);
}

gboolean
op_exports_run (OpStore                *store,
                const OpExportsRequest *request,
                OpExportProgress        progress,
                gpointer                progress_data,
                GCancellable           *cancellable,
                GError                **error)
{
  g_autoptr(OpExportsCase) loaded = NULL;
  Scaled s = { progress, progress_data };

  g_return_val_if_fail (OP_IS_STORE (store), FALSE);
  g_return_val_if_fail (request != NULL && request->path != NULL, FALSE);

  if (!op_exports_check (request, error))
    return FALSE;
  report (progress, progress_data, 0.02);
  loaded = op_exports_load (store, request->case_id, request->version, cancellable, error);
  if (loaded == NULL)
    return FALSE;
  report (progress, progress_data, 0.3);
  return op_exports_write (loaded, request, progress ? scaled_progress : NULL, &s, cancellable, error);
}
