/* test-io-demo-case.c: the demo's per-tooth crowns and frames, and the demo
 * case that carries them with a plan to review.
 */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "op-demo.h"
#include "op-demo-case.h"
#include "op-plan-json.h"
#include "op-planner.h"
#include "op-store.h"

static double
dot3 (const float a[3], const float b[3])
{
  return (double) a[0] * b[0] + (double) a[1] * b[1] + (double) a[2] * b[2];
}

/* 28 crowns, the arch's own crowns vertex for vertex, with orthonormal
 * frames that point the way op-tooth.h says. */
static void
test_demo_teeth (void)
{
  g_autoptr(OpDentition) a = op_demo_dentition_new (2);
  g_autoptr(OpDentition) b = op_demo_dentition_new (2);
  g_autoptr(OpMesh) upper = op_demo_arch_new (OP_JAW_UPPER, 2);
  guint n_upper = 0;

  g_assert_cmpuint (a->teeth->len, ==, 28);
  g_assert_cmpuint (op_dentition_count_arch (a, TRUE), ==, 14);
  for (guint i = 0; i < a->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (a->teeth, i);
      OpTooth *u = g_ptr_array_index (b->teeth, i);
      const OpFrame *f = &t->frame;
      float centre[3];
      gsize matched = 0;

      g_assert_true (op_fdi_is_valid (t->fdi));
      g_assert_true (t->has_frame);
      g_assert_true (op_mesh_validate (t->crown, NULL));
      /* A closed, outward-facing crown. */
      g_assert_cmpfloat (op_mesh_volume (t->crown), >, 50.0);
      /* Deterministic, byte for byte. */
      g_assert_cmpint (memcmp (t->crown->positions, u->crown->positions, 12 * t->crown->n_vertices), ==, 0);
      g_assert_cmpint (memcmp (f, &u->frame, sizeof *f), ==, 0);

      g_assert_cmpfloat (fabs (dot3 (f->mesial, f->mesial) - 1.0), <, 1e-5);
      g_assert_cmpfloat (fabs (dot3 (f->buccal, f->buccal) - 1.0), <, 1e-5);
      g_assert_cmpfloat (fabs (dot3 (f->mesial, f->buccal)), <, 1e-5);
      g_assert_cmpfloat (fabs (dot3 (f->mesial, f->occlusal)), <, 1e-5);
      /* Occlusal towards the other arch: down for the upper teeth. */
      g_assert_cmpfloat (f->occlusal[2], ==, op_fdi_is_upper (t->fdi) ? -1.f : 1.f);
      /* Mesial towards the midline: against the side's x, roughly. */
      if (op_fdi_type (t->fdi) >= OP_TOOTH_CANINE)
        g_assert_cmpfloat (f->mesial[0] * (op_fdi_is_left (t->fdi) ? 1.f : -1.f), <, 0.f);
      /* Buccal out of the arch: away from the arch's centre, which lies
       * posterior (+y) of the incisors. */
      {
        float out[3] = { f->origin[0], f->origin[1] - 0.f, 0.f };

        if (op_fdi_is_anterior (t->fdi))
          g_assert_cmpfloat (f->buccal[1], <, 0.f);
        else
          g_assert_cmpfloat (f->buccal[0] * out[0], >, 0.f);
      }
      /* The origin sits inside the crown's box. */
      op_mesh_get_extent (t->crown, centre);
      for (int k = 0; k < 3; k++)
        {
          g_assert_cmpfloat (f->origin[k], >=, t->crown->bbox_min[k]);
          g_assert_cmpfloat (f->origin[k], <=, t->crown->bbox_max[k]);
        }

      /* The same crown as in the arch: every vertex of the tooth is a
       * vertex of the arch with this tooth's label. */
      if (op_fdi_is_upper (t->fdi))
        {
          n_upper++;
          for (gsize v = 0; v < upper->n_vertices && matched < t->crown->n_vertices; v++)
            if (upper->labels[v] == t->fdi &&
                memcmp (&upper->positions[3 * v], &t->crown->positions[3 * matched], 12) == 0)
              matched++;
          g_assert_cmpuint (matched, ==, t->crown->n_vertices);
        }
    }
  g_assert_cmpuint (n_upper, ==, 14);
}

/* The demo teeth plan: the malocclusion gives the stager work to do. */
static void
test_demo_plan (void)
{
  g_autoptr(OpDentition) d = op_demo_dentition_new (2);
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GArray) table = NULL;
  g_autoptr(GError) error = NULL;
  OpPlannerOptions options = { 0 };
  double biggest_rot = 0;

  plan = op_planner_plan (d, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plan);
  if (plan == NULL)
    return;
  g_assert_cmpuint (plan->n_teeth, ==, 28);
  g_assert_cmpuint (plan->n_stages, >, 10);
  table = op_plan_movement_table (plan);
  for (guint i = 0; i < table->len; i++)
    biggest_rot = MAX (biggest_rot, fabs (g_array_index (table, OpMovementRow, i).total.rot));
  g_assert_cmpfloat (biggest_rot, >, 5.0);
}

static char *
temp_db (char **dir)
{
  g_autoptr(GError) error = NULL;

  *dir = g_dir_make_tmp ("op-demo-XXXXXX", &error);
  g_assert_no_error (error);
  return g_build_filename (*dir, "demo.db", NULL);
}

static void
remove_db (const char *dir,
           const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_remove (wal);
  g_remove (shm);
  g_remove (path);
  g_rmdir (dir);
}

/* The demo case carries its teeth, a first plan, and waits for review;
 * ensuring it again changes nothing. */
static void
test_demo_case (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_db (&dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpStore) store = op_store_open (path, &error);
  g_autoptr(OpDentition) teeth = NULL;
  g_autoptr(GPtrArray) plans = NULL;
  g_autoptr(OpCaseSummary) summary = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(OpDentition) demo = op_demo_dentition_new (2);
  gint64 id, again;
  gsize len;
  const char *data;

  g_assert_no_error (error);
  id = op_demo_case_ensure (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (op_store_count_teeth (store, id, NULL), ==, 28);

  teeth = op_store_load_teeth (store, id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (teeth->teeth->len, ==, 28);
  for (guint i = 0; i < teeth->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (teeth->teeth, i);
      OpTooth *g = g_ptr_array_index (demo->teeth, i);

      g_assert_cmpint (t->fdi, ==, g->fdi);
      g_assert_true (t->has_frame);
      g_assert_cmpmem (&t->frame, sizeof t->frame, &g->frame, sizeof g->frame);
    }

  plans = op_store_list_plans (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plans->len, ==, 1);
  bytes = op_store_get_plan (store, id, 0, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);
  plan = op_plan_decode (data, len, "demo plan", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->n_teeth, ==, 28);

  summary = op_store_get_case (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->state, ==, OP_CASE_STATE_IN_REVIEW);

  again = op_demo_case_ensure (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, id);
  g_clear_pointer (&plans, g_ptr_array_unref);
  plans = op_store_list_plans (store, id, NULL);
  g_assert_cmpuint (plans->len, ==, 1);
  g_assert_cmpint (op_store_count_teeth (store, id, NULL), ==, 28);

  g_clear_object (&store);
  remove_db (dir, path);
}

/* Adding teeth refuses what would leave a case half-made or wrong, and
 * writes nothing when it refuses. */
static void
test_add_teeth_bad (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_db (&dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpStore) store = op_store_open (path, &error);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("solid x\nendsolid x\n", 19);
  OpToothInput in[2] = { { 0 } };
  OpScanInput scan = { 0 };
  OpPatient patient = { .family_name = (char *) "Lee", .given_name = (char *) "Ann",
                        .birth_date = (char *) "1980-01-02" };
  gint64 id;

  g_assert_no_error (error);
  scan.jaw = OP_JAW_UPPER;
  scan.filename = "u.stl";
  scan.format = OP_MESH_FORMAT_STL;
  scan.bytes = bytes;
  scan.n_vertices = 3;
  scan.n_triangles = 1;
  id = op_store_create_case (store, &patient, "Main", &scan, 1, &error);
  g_assert_no_error (error);

  in[0].fdi = 11;
  in[0].filename = "11.stl";
  in[0].format = OP_MESH_FORMAT_STL;
  in[0].bytes = bytes;
  in[1] = in[0];
  in[1].filename = "again.stl";

  /* The same tooth twice: refused, nothing stored. */
  g_assert_false (op_store_add_teeth (store, id, in, 2, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_assert_nonnull (error && strstr (error->message, "again.stl") ? error : NULL);
  g_clear_error (&error);
  g_assert_cmpint (op_store_count_teeth (store, id, NULL), ==, 0);

  /* Not a tooth number. */
  in[1].fdi = 19;
  g_assert_false (op_store_add_teeth (store, id, in, 2, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (op_store_count_teeth (store, id, NULL), ==, 0);

  /* A case that does not exist. */
  g_assert_false (op_store_add_teeth (store, id + 100, in, 1, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Once, then never again over the first set. */
  g_assert_true (op_store_add_teeth (store, id, in, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (op_store_count_teeth (store, id, NULL), ==, 1);
  in[0].fdi = 12;
  g_assert_false (op_store_add_teeth (store, id, in, 1, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_assert_cmpint (op_store_count_teeth (store, id, NULL), ==, 1);

  g_clear_object (&store);
  remove_db (dir, path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/planner/demo/teeth", test_demo_teeth);
  g_test_add_func ("/planner/demo/plan", test_demo_plan);
  g_test_add_func ("/io/demo/case", test_demo_case);
  g_test_add_func ("/io/demo/add-teeth-bad", test_add_teeth_bad);

  return g_test_run ();
}
