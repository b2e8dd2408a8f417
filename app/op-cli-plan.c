/* op-cli-plan.c: orthoplan-cli case import-teeth | plan | plan export | plan-check.
 *
 * Every clinical decision is the planner's (op-planner.h); this file reads
 * options, loads and stores, and prints.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <string.h>

#include "op-cli-private.h"
#include "op-plan-json.h"
#include "op-planner.h"
#include "op-teeth-folder.h"

/* case import-teeth --patient "Last, First" --dob YYYY-MM-DD [--numbering N] DIR... */
gboolean
op_cli_case_import_teeth (OpCliGlobals  *globals,
                          int            argc,
                          char         **argv,
                          GError       **error)
{
  g_autofree char *patient = NULL, *dob = NULL, *chart = NULL, *location = NULL, *numbering_name = NULL;
  g_autofree char *family = NULL, *given = NULL;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpDentition) dentition = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) op_tooth_file_free);
  g_autoptr(GPtrArray) dirs = g_ptr_array_new ();
  g_autofree OpToothInput *inputs = NULL;
  OpNumbering numbering = OP_NUMBERING_FDI;
  OpPatient p = { 0 };
  guint n_framed = 0;
  gint64 case_id;
  GOptionEntry entries[] = {
    { "patient", 'p', 0, G_OPTION_ARG_STRING, &patient, N_("Patient name as \"Last, First\""), N_("NAME") },
    { "dob", 0, 0, G_OPTION_ARG_STRING, &dob, N_("Date of birth"), N_("YYYY-MM-DD") },
    { "chart", 0, 0, G_OPTION_ARG_STRING, &chart, N_("Chart number"), N_("N") },
    { "location", 0, 0, G_OPTION_ARG_STRING, &location, N_("Practice location (default “Main office”)"), N_("NAME") },
    { "numbering", 0, 0, G_OPTION_ARG_STRING, &numbering_name,
      N_("How the files are numbered: fdi (default), universal or palmer"), N_("SYSTEM") },
    { NULL }
  };

  if (!op_cli_parse (_("DIR… — create a case from one mesh file per tooth"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (patient == NULL || dob == NULL || argc < 2)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                           _("case import-teeth: --patient \"Last, First\", --dob YYYY-MM-DD and at least one "
                             "folder are required"));
      return FALSE;
    }
  if (numbering_name && !op_numbering_from_string (numbering_name, &numbering))
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                   _("--numbering: “%s” is not fdi, universal or palmer"), numbering_name);
      return FALSE;
    }
  if (!op_cli_split_patient_name (patient, &family, &given, error))
    return FALSE;
  p.family_name = family;
  p.given_name = given;
  p.birth_date = dob;
  p.chart_number = chart;
  /* Check what was typed before reading megabytes of meshes. */
  if (!op_store_check_patient (&p, error))
    return FALSE;

  for (int i = 1; i < argc; i++)
    g_ptr_array_add (dirs, argv[i]);
  g_ptr_array_add (dirs, NULL);
  dentition = op_teeth_folder_load ((const char *const *) dirs->pdata, numbering, files,
                                    globals->cancellable, error);
  if (dentition == NULL)
    return FALSE;

  inputs = g_new0 (OpToothInput, files->len);
  for (guint i = 0; i < files->len; i++)
    {
      OpToothFile *f = g_ptr_array_index (files, i);
      OpTooth *t = op_dentition_get (dentition, f->fdi);

      inputs[i].fdi = f->fdi;
      inputs[i].filename = f->filename;
      inputs[i].format = f->format;
      inputs[i].bytes = f->bytes;
      inputs[i].has_frame = t->has_frame;
      inputs[i].frame = t->frame;
      n_framed += t->has_frame;
    }

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  case_id = op_store_create_case_from_teeth (store, &p, location, inputs, files->len, error);
  if (case_id == 0)
    return FALSE;
  g_print ("%" G_GINT64_FORMAT "\n", case_id);
  g_printerr (_("Imported %u teeth (%u upper, %u lower; %u with axes).\n"), files->len,
              op_dentition_count_arch (dentition, TRUE), op_dentition_count_arch (dentition, FALSE), n_framed);
  return TRUE;
}

static guint
arch_stages (const OpPlan *plan, gboolean upper)
{
  guint last = 0;

  for (guint s = 1; s < plan->n_stages; s++)
    for (guint t = 0; t < plan->n_teeth; t++)
      if (op_fdi_is_upper (plan->teeth[t].fdi) == upper &&
          memcmp (op_plan_pose (plan, s, t), op_plan_pose (plan, s - 1, t), sizeof (OpMovement)) != 0)
        last = s;
  return last;
}

static void
print_plan_json (const OpPlan *plan, gint64 case_id, int version, const char *sha)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "case");
  json_builder_add_int_value (b, case_id);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, version);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, sha);
  json_builder_set_member_name (b, "strategy");
  json_builder_add_string_value (b, op_stage_strategy_to_string (plan->strategy));
  json_builder_set_member_name (b, "stages");
  json_builder_add_int_value (b, plan->n_stages - 1);
  json_builder_set_member_name (b, "stages_upper");
  json_builder_add_int_value (b, arch_stages (plan, TRUE));
  json_builder_set_member_name (b, "stages_lower");
  json_builder_add_int_value (b, arch_stages (plan, FALSE));
  json_builder_set_member_name (b, "ipr");
  json_builder_begin_array (b);
  for (guint i = 0; i < plan->ipr->len; i++)
    {
      const OpIpr *ipr = &g_array_index (plan->ipr, OpIpr, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "a");
      json_builder_add_int_value (b, ipr->fdi_a);
      json_builder_set_member_name (b, "b");
      json_builder_add_int_value (b, ipr->fdi_b);
      json_builder_set_member_name (b, "amount_mm");
      json_builder_add_double_value (b, ipr->amount_mm);
      json_builder_set_member_name (b, "stage");
      json_builder_add_int_value (b, ipr->stage);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "attachments");
  json_builder_begin_array (b);
  for (guint i = 0; i < plan->attachments->len; i++)
    {
      const OpPlanAttachment *a = &g_array_index (plan->attachments, OpPlanAttachment, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "fdi");
      json_builder_add_int_value (b, a->fdi);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, op_plan_attachment_type_to_string (a->type));
      json_builder_set_member_name (b, "stage");
      json_builder_add_int_value (b, a->stage);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; i < plan->warnings->len; i++)
    {
      const OpPlanWarning *w = &g_array_index (plan->warnings, OpPlanWarning, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, w->code);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, w->message);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  op_cli_print_json (root);
}

static void
print_plan_text (const OpPlan *plan, gint64 case_id, int version)
{
  g_print (_("Case %" G_GINT64_FORMAT ", plan version %d (%s)\n"), case_id, version,
           op_stage_strategy_to_string (plan->strategy));
  g_print (_("  upper arch: %u stages\n"), arch_stages (plan, TRUE));
  g_print (_("  lower arch: %u stages\n"), arch_stages (plan, FALSE));
  g_print (_("IPR (%u):\n"), plan->ipr->len);
  for (guint i = 0; i < plan->ipr->len; i++)
    {
      const OpIpr *ipr = &g_array_index (plan->ipr, OpIpr, i);

      g_print (_("  %d-%d  %.2f mm before aligner %u\n"), ipr->fdi_a, ipr->fdi_b, ipr->amount_mm, ipr->stage + 1);
    }
  g_print (_("Attachments (%u):\n"), plan->attachments->len);
  for (guint i = 0; i < plan->attachments->len; i++)
    {
      const OpPlanAttachment *a = &g_array_index (plan->attachments, OpPlanAttachment, i);

      g_print (_("  %d  %s %.1f × %.1f × %.2f mm, bonded before aligner %u\n"), a->fdi,
               op_plan_attachment_type_to_string (a->type), a->length_mm, a->width_mm, a->depth_mm, a->stage + 1);
    }
  g_print (_("Warnings (%u):\n"), plan->warnings->len);
  for (guint i = 0; i < plan->warnings->len; i++)
    g_print ("  %s\n", g_array_index (plan->warnings, OpPlanWarning, i).message);
  if (plan->explanation)
    g_print ("%s\n", plan->explanation);
}

static gboolean
plan_export (OpCliGlobals *globals, int argc, char **argv, GError **error)
{
  g_autofree char *out = NULL;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GBytes) bytes = NULL;
  int version = 0;
  gint64 case_id;
  gsize len;
  const char *data;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("File to write"), N_("FILE") },
    { "version", 0, 0, G_OPTION_ARG_INT, &version, N_("Plan version (default: the latest)"), N_("N") },
    { NULL }
  };

  if (!op_cli_parse (_("CASE --out FILE — write a plan's canonical JSON"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2 || out == NULL)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("plan export: name a case and --out FILE"));
      return FALSE;
    }
  store = op_cli_open_case (globals, argv[1], &case_id, error);
  if (store == NULL)
    return FALSE;
  bytes = op_store_get_plan (store, case_id, version, NULL, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &len);
  if (!g_file_set_contents (out, data, (gssize) len, error))
    return FALSE;
  g_print ("%s\n", out);
  return TRUE;
}

/* plan CASE [--limits k=v,...] [--strategy NAME] [--lock FDI,...] [--target FDI:k=v,...] [--json] */
gboolean
op_cli_plan (OpCliGlobals  *globals,
             int            argc,
             char         **argv,
             GError       **error)
{
  g_autofree char *limits_text = NULL, *strategy_name = NULL, *lock_text = NULL;
  g_auto(GStrv) target_texts = NULL;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpDentition) dentition = NULL;
  g_autoptr(OpPlan) previous = NULL;
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GBytes) prev_bytes = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(OpPlanRecord) prev_record = NULL;
  g_autoptr(OpPlanRecord) record = NULL;
  g_autoptr(OpPlanRequest) request = op_plan_request_new ();
  g_autoptr(GError) local = NULL;
  g_autofree char *params = NULL;
  g_autofree char *roots = NULL;
  g_autoptr(OpCaseCbct) cbct = NULL;
  OpPlannerOptions opts = { 0 };
  gboolean json = FALSE;
  gint64 case_id;
  int version;
  GOptionEntry entries[] = {
    { "limits", 0, 0, G_OPTION_ARG_STRING, &limits_text,
      N_("Per-stage limits, e.g. md=0.2,rot=1.5 (keys md, bl, vert in mm; rot, tip, torque in degrees)"), N_("K=V,…") },
    { "strategy", 0, 0, G_OPTION_ARG_STRING, &strategy_name,
      N_("together (default), posterior-first or anterior-first"), N_("NAME") },
    { "lock", 0, 0, G_OPTION_ARG_STRING, &lock_text,
      N_("Teeth (FDI) that keep their target from the latest plan"), N_("FDI,…") },
    { "target", 0, 0, G_OPTION_ARG_STRING_ARRAY, &target_texts,
      N_("Set a tooth's target, e.g. 11:rot=5,md=0.5 (repeatable)"), N_("FDI:K=V,…") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON summary"), NULL },
    { NULL }
  };

  if (argc >= 2 && g_str_equal (argv[1], "export"))
    return plan_export (globals, argc - 1, argv + 1, error);

  if (!op_cli_parse (_("CASE — plan a case's treatment and store it as a new version"), NULL,
                     entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                           _("plan: name one case (or use “plan export CASE --out FILE”)"));
      return FALSE;
    }
  if (!op_cli_parse_case_id (argv[1], &case_id, error))
    return FALSE;

  /* Usage errors, whichever parser finds them, so the exit code is 2. */
  if ((limits_text && !op_movement_parse ("--limits", limits_text, &request->limits, NULL, &local)) ||
      (strategy_name && !op_plan_request_set_strategy_text (request, "--strategy", strategy_name, &local)) ||
      (lock_text && !op_plan_request_add_lock_text (request, "--lock", lock_text, &local)))
    goto usage;
  for (guint i = 0; target_texts && target_texts[i]; i++)
    if (!op_plan_request_add_target_text (request, "--target", target_texts[i], &local))
      goto usage;

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  dentition = op_store_load_teeth (store, case_id, NULL, globals->cancellable, error);
  if (dentition == NULL)
    return FALSE;

  /* With a CBCT the scans were registered to, the roots the planner
   * checks are the patient's own, and so is the bone around them. */
  {
    g_autoptr(GError) local = NULL;

    cbct = op_store_load_case_cbct (store, case_id, &local);
    if (local != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
      }
    if (cbct != NULL && !op_case_cbct_grow_roots (cbct, dentition, &roots, error))
      return FALSE;
    if (roots != NULL && !json)
      g_print ("%s\n", roots);
  }

  /* The latest version is the parent, and where locked teeth keep their
   * targets. */
  {
    g_autoptr(GError) local = NULL;

    prev_bytes = op_store_get_plan (store, case_id, 0, &prev_record, &local);
    if (prev_bytes != NULL)
      {
        gsize len;
        const char *data = g_bytes_get_data (prev_bytes, &len);

        previous = op_plan_decode (data, len, "latest plan", error);
        if (previous == NULL)
          return FALSE;
      }
    else if (!g_error_matches (local, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND))
      {
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
      }
  }

  op_plan_request_apply (request, &opts);
  op_case_cbct_apply (cbct, &opts);
  opts.previous = previous;
  plan = op_planner_plan (dentition, &opts, error);
  if (plan == NULL)
    return FALSE;

  /* The parameters, as asked, beside the plan: what reopening this
   * version in the review screen brings back. */
  params = op_plan_request_encode (request, "cli");

  bytes = op_plan_encode (plan);
  version = op_store_add_plan (store, case_id, prev_record ? prev_record->version : 0, params, bytes, error);
  if (version == 0)
    return FALSE;
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = op_store_get_plan (store, case_id, version, &record, error);
  if (bytes == NULL)
    return FALSE;

  if (json)
    print_plan_json (plan, case_id, version, record->sha256);
  else
    print_plan_text (plan, case_id, version);
  return TRUE;

usage:
  g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, local->message);
  return FALSE;
}

/* plan-check FILE [--case CASE] [--json] */
gboolean
op_cli_plan_check (OpCliGlobals  *globals,
                   int            argc,
                   char         **argv,
                   GError       **error)
{
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GPtrArray) violations = NULL;
  g_autoptr(OpDentition) dentition = NULL;
  g_autofree char *case_text = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "case", 0, 0, G_OPTION_ARG_STRING, &case_text,
      N_("Also measure overlaps on this case's teeth"), N_("CASE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the violations as a JSON array"), NULL },
    { NULL }
  };

  if (!op_cli_parse (_("FILE — check every invariant of a plan file"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("plan-check: name one plan file"));
      return FALSE;
    }
  plan = op_plan_load_file (argv[1], error);
  if (plan == NULL)
    return FALSE;
  if (case_text)
    {
      g_autoptr(OpStore) store = NULL;
      gint64 case_id;

      store = op_cli_open_case (globals, case_text, &case_id, error);
      if (store == NULL)
        return FALSE;
      dentition = op_store_load_teeth (store, case_id, NULL, globals->cancellable, error);
      if (dentition == NULL)
        return FALSE;
    }
  violations = op_planner_check (dentition, plan);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < violations->len; i++)
        {
          const OpPlanViolation *v = g_ptr_array_index (violations, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "code");
          json_builder_add_string_value (b, v->code);
          json_builder_set_member_name (b, "a");
          json_builder_add_int_value (b, v->fdi_a);
          json_builder_set_member_name (b, "b");
          json_builder_add_int_value (b, v->fdi_b);
          json_builder_set_member_name (b, "stage");
          json_builder_add_int_value (b, v->stage);
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, v->message);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      op_cli_print_json (root);
    }
  else
    {
      for (guint i = 0; i < violations->len; i++)
        g_print ("%s\n", ((OpPlanViolation *) g_ptr_array_index (violations, i))->message);
      if (violations->len == 0)
        g_print (_("%s: every invariant holds (%u stages, %u teeth).\n"), argv[1], plan->n_stages - 1, plan->n_teeth);
    }

  if (violations->len > 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED,
                   g_dngettext (GETTEXT_PACKAGE, "%s: %u invariant is broken", "%s: %u invariants are broken",
                                violations->len), argv[1], violations->len);
      return FALSE;
    }
  return TRUE;
}
