/* op-demo-case.c: builds the demo case through the ordinary store path. */
#include "op-demo-case.h"

#include <glib/gstdio.h>

#include "op-demo.h"
#include "op-planner.h"

/* Tessellation of the demo arches: about 50k triangles each, enough to
 * look like a scan and small enough to build in a blink. */
#define DEMO_DETAIL 4
/* The per-tooth crowns are coarser (624 triangles each): the review
 * screen draws them at every stage and the planner measures every pair
 * at every stage, and at this detail the demo plans in a fraction of a
 * second. */
#define DEMO_TEETH_DETAIL 2

/* Saves @mesh as PLY (which keeps colours and labels) and returns the
 * file's bytes, as if a lab had sent them. */
static GBytes *
demo_arch_bytes (OpJaw    jaw,
                 gsize   *n_vertices,
                 gsize   *n_triangles,
                 GError **error)
{
  g_autoptr(OpMesh) mesh = op_demo_arch_new (jaw, DEMO_DETAIL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  gboolean ok;

  dir = g_dir_make_tmp ("orthoplan-demo-XXXXXX", error);
  if (dir == NULL)
    return NULL;
  path = g_build_filename (dir, "arch.ply", NULL);
  ok = op_mesh_save (mesh, path, OP_MESH_FORMAT_PLY, error) &&
       g_file_get_contents (path, &contents, &len, error);
  g_unlink (path);
  g_rmdir (dir);
  if (!ok)
    return NULL;

  *n_vertices = mesh->n_vertices;
  *n_triangles = mesh->n_triangles;
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

/* Saves one crown as binary STL, the format of per-tooth files from a
 * segmentation tool, and returns the bytes. */
static GBytes *
demo_tooth_bytes (const OpMesh  *mesh,
                  const char    *dir,
                  const char    *name,
                  GError       **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;
  gboolean ok;

  ok = op_mesh_save (mesh, path, OP_MESH_FORMAT_STL, error) &&
       g_file_get_contents (path, &contents, &len, error);
  g_unlink (path);
  if (!ok)
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

/* Stores the demo's crowns with their frames as the case's teeth. */
static gboolean
demo_add_teeth (OpStore  *self,
                gint64    case_id,
                GError  **error)
{
  g_autoptr(OpDentition) dentition = op_demo_dentition_new (DEMO_TEETH_DETAIL);
  g_autoptr(GPtrArray) bytes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree OpToothInput *inputs = NULL;
  g_autofree char *dir = NULL;
  guint n = dentition->teeth->len;
  gboolean ok = TRUE;

  dir = g_dir_make_tmp ("orthoplan-demo-XXXXXX", error);
  if (dir == NULL)
    return FALSE;

  inputs = g_new0 (OpToothInput, n);
  for (guint i = 0; i < n && ok; i++)
    {
      OpTooth *tooth = g_ptr_array_index (dentition->teeth, i);
      char *name = g_strdup_printf ("demo-tooth-%d.stl", tooth->fdi);
      GBytes *b = demo_tooth_bytes (tooth->crown, dir, name, error);

      g_ptr_array_add (names, name);
      if (b == NULL)
        {
          ok = FALSE;
          break;
        }
      g_ptr_array_add (bytes, b);
      inputs[i].fdi = tooth->fdi;
      inputs[i].filename = name;
      inputs[i].format = OP_MESH_FORMAT_STL;
      inputs[i].bytes = b;
      inputs[i].has_frame = TRUE;
      inputs[i].frame = tooth->frame;
    }
  g_rmdir (dir);

  return ok && op_store_add_teeth (self, case_id, inputs, n, error);
}

/* Plans the demo's teeth as stored (so the plan is made from exactly what
 * the review screen loads) and stores the plan as version 1. */
static gboolean
demo_add_plan (OpStore  *self,
               gint64    case_id,
               GError  **error)
{
  g_autoptr(OpDentition) dentition = NULL;
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GBytes) bytes = NULL;
  OpPlannerOptions options = { 0 };

  dentition = op_store_load_teeth (self, case_id, NULL, NULL, error);
  if (dentition == NULL)
    return FALSE;
  plan = op_planner_plan (dentition, &options, error);
  if (plan == NULL)
    return FALSE;
  bytes = op_plan_encode (plan);
  return op_store_add_plan (self, case_id, 0, "{\"strategy\": \"together\", \"source\": \"demo\"}",
                            bytes, error) > 0;
}

/* The demo arrives as a case waiting for a provider's review, the first
 * thing a new user opens: it was segmented and planned by the bundled
 * generator, so its state is moved along that path here (audited like any
 * other state change). */
static gboolean
demo_send_to_review (OpStore  *self,
                     gint64    case_id,
                     GError  **error)
{
  static const OpCaseState path[] = {
    OP_CASE_STATE_SEGMENTED, OP_CASE_STATE_PLANNED, OP_CASE_STATE_IN_REVIEW,
  };
  g_autoptr(OpCaseSummary) summary = op_store_get_case (self, case_id, error);

  if (summary == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (path); i++)
    {
      if (summary->state >= path[i])
        continue;
      if (!op_store_set_case_state (self, case_id, OP_ROLE_PROVIDER, path[i], error))
        return FALSE;
    }
  return TRUE;
}

/* Teeth, a plan and the review state for a demo case that lacks them: a
 * demo case made before the demo carried teeth is completed the same way. */
static gboolean
demo_complete (OpStore  *self,
               gint64    case_id,
               GError  **error)
{
  g_autoptr(GBytes) plan = NULL;
  g_autoptr(GError) local = NULL;
  gint64 n_teeth = op_store_count_teeth (self, case_id, error);

  if (n_teeth < 0)
    return FALSE;
  if (n_teeth == 0 && !demo_add_teeth (self, case_id, error))
    return FALSE;

  plan = op_store_get_plan (self, case_id, 0, NULL, &local);
  if (plan != NULL)
    return TRUE;
  if (!g_error_matches (local, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return demo_add_plan (self, case_id, error) && demo_send_to_review (self, case_id, error);
}

gint64
op_demo_case_ensure (OpStore  *self,
                     GError  **error)
{
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GBytes) upper = NULL;
  g_autoptr(GBytes) lower = NULL;
  OpScanInput scans[2] = { { 0 } };
  OpPatient patient = {
    .family_name = (char *) OP_DEMO_FAMILY_NAME,
    .given_name = (char *) OP_DEMO_GIVEN_NAME,
    .birth_date = (char *) OP_DEMO_BIRTH_DATE,
    .chart_number = (char *) OP_DEMO_CHART,
  };
  gint64 case_id = 0;

  g_return_val_if_fail (OP_IS_STORE (self), 0);

  cases = op_store_list_cases (self, OP_DEMO_CHART, error);
  if (cases == NULL)
    return 0;
  for (guint i = 0; i < cases->len && case_id == 0; i++)
    {
      OpCaseSummary *c = g_ptr_array_index (cases, i);

      if (g_strcmp0 (c->chart_number, OP_DEMO_CHART) == 0 && c->n_scans >= 2)
        case_id = c->id;
    }

  if (case_id == 0)
    {
      upper = demo_arch_bytes (OP_JAW_UPPER, &scans[0].n_vertices, &scans[0].n_triangles, error);
      if (upper == NULL)
        return 0;
      lower = demo_arch_bytes (OP_JAW_LOWER, &scans[1].n_vertices, &scans[1].n_triangles, error);
      if (lower == NULL)
        return 0;

      scans[0].jaw = OP_JAW_UPPER;
      scans[0].filename = "demo-upper.ply";
      scans[0].format = OP_MESH_FORMAT_PLY;
      scans[0].bytes = upper;
      scans[1].jaw = OP_JAW_LOWER;
      scans[1].filename = "demo-lower.ply";
      scans[1].format = OP_MESH_FORMAT_PLY;
      scans[1].bytes = lower;

      case_id = op_store_create_case (self, &patient, "Demo practice", scans, G_N_ELEMENTS (scans), error);
      if (case_id == 0)
        return 0;
    }

  /* Each step is its own transaction and is checked again on the next
   * call, so a failure part way (a full disk) leaves no half-written step
   * and the next start finishes the job. */
  if (!demo_complete (self, case_id, error))
    return 0;
  return case_id;
}
