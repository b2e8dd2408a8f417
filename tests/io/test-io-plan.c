/* Tests for per-tooth folders, the plan JSON decoder and plan versions in
 * the store, on the real teeth of ../shared/data/open-full-jaw-p26. */
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "op-mesh-io.h"
#include "op-plan-json.h"
#include "op-planner.h"
#include "op-store.h"
#include "op-teeth-folder.h"

static char *tmpdir;

static char *
real_dir (const char *arch)
{
  const char *root = g_getenv ("OP_SHARED_DATA");
  char *dir;

  if (root == NULL)
    return NULL;
  dir = g_build_filename (root, "open-full-jaw-p26", arch, NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_clear_pointer (&dir, g_free);
  return dir;
}

static OpDentition *
load_real (GPtrArray *files)
{
  g_autofree char *up = real_dir ("maxilla");
  g_autofree char *lo = real_dir ("mandible");
  g_autoptr(GError) error = NULL;
  const char *dirs[3] = { up, lo, NULL };
  OpDentition *d;

  if (up == NULL || lo == NULL)
    return NULL;
  d = op_teeth_folder_load (dirs, OP_NUMBERING_UNIVERSAL, files, NULL, &error);
  g_assert_no_error (error);
  return d;
}

static void
test_names (void)
{
  g_assert_cmpint (op_teeth_folder_parse_name ("tooth_17.stl", OP_NUMBERING_FDI), ==, 17);
  g_assert_cmpint (op_teeth_folder_parse_name ("tooth_17.stl", OP_NUMBERING_UNIVERSAL), ==, 38);
  g_assert_cmpint (op_teeth_folder_parse_name ("/a/b/8.STL", OP_NUMBERING_UNIVERSAL), ==, 11);
  g_assert_cmpint (op_teeth_folder_parse_name ("46.ply", OP_NUMBERING_FDI), ==, 46);
  g_assert_cmpint (op_teeth_folder_parse_name ("t-25.stl", OP_NUMBERING_UNIVERSAL), ==, 41);
  g_assert_cmpint (op_teeth_folder_parse_name ("UR1.stl", OP_NUMBERING_PALMER), ==, 11);
  g_assert_cmpint (op_teeth_folder_parse_name ("tooth_LL8.stl", OP_NUMBERING_PALMER), ==, 38);
  /* No number, or none in that system. */
  g_assert_cmpint (op_teeth_folder_parse_name ("upper.stl", OP_NUMBERING_FDI), ==, 0);
  g_assert_cmpint (op_teeth_folder_parse_name ("tooth_19.stl", OP_NUMBERING_FDI), ==, 0);
  g_assert_cmpint (op_teeth_folder_parse_name ("tooth_33.stl", OP_NUMBERING_UNIVERSAL), ==, 0);
  g_assert_cmpint (op_teeth_folder_parse_name ("tooth_117.stl", OP_NUMBERING_FDI), ==, 0);
}

static void
test_folder_universal (void)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) op_tooth_file_free);
  g_autoptr(OpDentition) d = load_real (files);
  static const int expected[] = { 11, 12, 13, 14, 15, 16, 17, 18, 21, 22, 23, 24, 25, 26, 27,
                                  31, 32, 33, 34, 35, 36, 37, 38, 41, 42, 43, 44, 45, 46, 47, 48 };
  guint framed = 0;

  if (d == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  g_assert_cmpuint (d->teeth->len, ==, 31);
  g_assert_cmpuint (files->len, ==, 31);
  for (guint i = 0; i < MIN (d->teeth->len, G_N_ELEMENTS (expected)); i++)
    {
      OpTooth *t = g_ptr_array_index (d->teeth, i);
      OpToothFile *f = g_ptr_array_index (files, i);

      g_assert_cmpint (t->fdi, ==, expected[i]);
      g_assert_cmpint (f->fdi, ==, expected[i]);
      g_assert_cmpuint (t->crown->n_triangles, >, 10000);
      framed += t->has_frame;
    }
  /* Universal 17 and 32 (FDI 38 and 48) have no axes in the file. */
  g_assert_cmpuint (framed, ==, 29);
  g_assert_false (op_dentition_get (d, 38)->has_frame);
  g_assert_false (op_dentition_get (d, 48)->has_frame);
  {
    OpToothFile *f = g_ptr_array_index (files, 0);   /* 11 is Universal 8 */

    g_assert_cmpstr (f->filename, ==, "tooth_8.stl");
  }

  /* Frames point the way OpFrame says, whatever the file's x axis did:
   * mesial towards the neighbour nearer the midline, buccal out of the
   * arch, occlusal towards the other arch. */
  for (guint i = 0; i < d->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (d->teeth, i);
      OpTooth *m;
      double dm = 0;

      if (!t->has_frame)
        continue;
      g_assert_cmpfloat (t->frame.occlusal[2] * (op_fdi_is_upper (t->fdi) ? -1 : 1), >, 0.8);
      m = op_dentition_get (d, op_fdi_mesial_neighbour (t->fdi));
      if (m == NULL || !m->has_frame)
        continue;
      for (int k = 0; k < 3; k++)
        dm += (m->frame.origin[k] - t->frame.origin[k]) * t->frame.mesial[k];
      g_assert_cmpfloat (dm, >, 0.0);
    }
  /* Incisors face anterior (-y in LPS). */
  g_assert_cmpfloat (op_dentition_get (d, 11)->frame.buccal[1], <, -0.8);
  g_assert_cmpfloat (op_dentition_get (d, 41)->frame.buccal[1], <, -0.8);
}

static void
test_folder_bad (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "bad-folder", NULL);
  g_autofree char *a = g_build_filename (dir, "17.stl", NULL);
  g_autofree char *b = g_build_filename (dir, "tooth_17.stl", NULL);
  g_autofree char *c = g_build_filename (dir, "upper.stl", NULL);
  g_autofree char *axes = g_build_filename (dir, "teeth_axes_x.json", NULL);
  g_autoptr(OpMesh) cube = op_mesh_new (8, 12, OP_MESH_ATTR_NONE);
  const char *dirs[2] = { dir, NULL };
  static const guint32 idx[] = { 0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4,
                                 1, 2, 6, 1, 6, 5, 2, 3, 7, 2, 7, 6, 3, 0, 4, 3, 4, 7 };

  for (int i = 0; i < 8; i++)
    {
      cube->positions[3 * i] = (i & 1) ^ ((i >> 1) & 1) ? 5.0f : 0.0f;
      cube->positions[3 * i + 1] = (i >> 1) & 1 ? 5.0f : 0.0f;
      cube->positions[3 * i + 2] = i >= 4 ? 5.0f : 0.0f;
    }
  memcpy (cube->indices, idx, sizeof idx);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (op_mesh_save (cube, a, OP_MESH_FORMAT_STL, NULL));

  /* A second file for the same tooth. */
  g_assert_true (op_mesh_save (cube, b, OP_MESH_FORMAT_STL, NULL));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(OpDentition) d = op_teeth_folder_load (dirs, OP_NUMBERING_FDI, NULL, NULL, &error);

    g_assert_null (d);
    g_assert_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_DUPLICATE);
  }
  g_assert_cmpint (g_remove (b), ==, 0);

  /* A mesh with no tooth number in its name. */
  g_assert_true (op_mesh_save (cube, c, OP_MESH_FORMAT_STL, NULL));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(OpDentition) d = op_teeth_folder_load (dirs, OP_NUMBERING_FDI, NULL, NULL, &error);

    g_assert_null (d);
    g_assert_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_NAME);
    if (error)
      g_assert_nonnull (strstr (error->message, "upper.stl"));
  }
  g_assert_cmpint (g_remove (c), ==, 0);

  /* A malformed axes file names the tooth and field. */
  g_assert_true (g_file_set_contents (axes, "{\"17\": {\"c\": [0, 0, 0], \"x\": [1, 0], \"y\": [0, 1, 0], "
                                            "\"z\": [0, 0, 1]}}", -1, NULL));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(OpDentition) d = op_teeth_folder_load (dirs, OP_NUMBERING_FDI, NULL, NULL, &error);

    g_assert_null (d);
    g_assert_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_AXES);
    if (error)
      g_assert_nonnull (strstr (error->message, "teeth_axes_x.json: tooth 17: \"x\""));
  }
  g_assert_cmpint (g_remove (axes), ==, 0);

  /* And the good folder loads, with no frame. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(OpDentition) d = op_teeth_folder_load (dirs, OP_NUMBERING_FDI, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (d);
    if (d)
      g_assert_false (op_dentition_get (d, 17)->has_frame);
  }
}

/* A staged plan over the real frames (no collisions needed here). */
static OpPlan *
real_plan (const OpDentition *d)
{
  g_autofree OpPlanTooth *teeth = g_new0 (OpPlanTooth, d->teeth->len);
  g_autofree OpMovement *targets = g_new0 (OpMovement, d->teeth->len);
  guint n = 0;
  OpPlan *plan;

  for (guint i = 0; i < d->teeth->len; i++)
    {
      const OpTooth *t = g_ptr_array_index (d->teeth, i);

      if (!t->has_frame)
        continue;
      teeth[n] = (OpPlanTooth) { .fdi = t->fdi, .frame = t->frame };
      targets[n] = (OpMovement) { 0.1 * (i % 5), -0.07 * (i % 3), 0.05 * (i % 2), 1.5 * (i % 7), -1.0 * (i % 4), 0.5 * (i % 3) };
      n++;
    }
  plan = op_plan_new (teeth, n, 1);
  g_assert_true (op_stage_plan (plan, targets, NULL, NULL, NULL, NULL));
  op_plan_add_ipr (plan, 21, 11, 0.25, 2);
  op_plan_add_attachment (plan, &(OpPlanAttachment) { 13, OP_ATTACH_RECT_VERTICAL, 3.0, 1.5, 1.0, { 0.1, 4.2, 1.0 }, 1 });
  op_plan_add_warning (plan, "comfort", 13, 0, -1, "Tooth 13 rotates 9.00 degrees.");
  plan->explanation = g_strdup ("Upper: crowding 1.2 mm, resolved by IPR (0.25 mm at 11-21).");
  op_plan_sort (plan);
  return plan;
}

static void
test_round_trip (void)
{
  g_autoptr(OpDentition) d = load_real (NULL);
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(OpPlan) back = NULL;
  g_autoptr(GBytes) a = NULL, b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "plan.json", NULL);
  gsize len;
  const char *data;

  if (d == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  plan = real_plan (d);
  a = op_plan_encode (plan);
  data = g_bytes_get_data (a, &len);
  back = op_plan_decode (data, len, "plan.json", &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  if (back == NULL)
    return;
  b = op_plan_encode (back);
  g_assert_true (g_bytes_equal (a, b));
  g_assert_cmpuint (back->n_stages, ==, plan->n_stages);
  g_assert_cmpuint (back->ipr->len, ==, 1);
  g_assert_cmpstr (back->explanation, ==, plan->explanation);

  /* Through a file, too. */
  g_assert_true (op_plan_save_file (plan, path, &error));
  g_clear_pointer (&back, op_plan_free);
  back = op_plan_load_file (path, &error);
  g_assert_no_error (error);
  g_clear_pointer (&b, g_bytes_unref);
  b = op_plan_encode (back);
  g_assert_true (g_bytes_equal (a, b));
}

static void
expect_decode_error (const char *text, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpPlan) plan = op_plan_decode (text, strlen (text), "edited.json", &error);

  g_assert_null (plan);
  g_assert_nonnull (error);
  if (error && strstr (error->message, fragment) == NULL)
    g_test_fail_printf ("expected “%s” in “%s”", fragment, error->message);
}

static void
test_decode_errors (void)
{
  g_autoptr(OpDentition) d = load_real (NULL);
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GString) s = NULL;
  char *p;

  expect_decode_error ("{", "edited.json:");
  expect_decode_error ("[]", "expected an object");
  expect_decode_error ("{\"format\": 2}", "format: 2 is out of range");
  if (d == NULL)
    return;

  plan = real_plan (d);
  bytes = op_plan_encode (plan);
  s = g_string_new_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  /* A number turned into a string, in stage 1 of tooth 11. */
  p = strstr (s->str, "{\"stage\": 1, \"teeth\": {\"11\": {\"md\": ");
  g_assert_nonnull (p);
  if (p)
    {
      g_autoptr(GString) edited = g_string_new (s->str);
      gsize at = (p - s->str) + strlen ("{\"stage\": 1, \"teeth\": {\"11\": {\"md\": ");

      g_string_insert (edited, (gssize) at, "\"");
      g_string_insert (edited, (gssize) at + 7, "\"");
      expect_decode_error (edited->str, "stages[1].teeth.11.md: expected a number");
    }
  /* A missing key. */
  {
    g_autoptr(GString) edited = g_string_new (s->str);

    p = strstr (edited->str, "\"strategy\": \"together\",");
    g_string_erase (edited, p - edited->str, strlen ("\"strategy\": \"together\","));
    expect_decode_error (edited->str, "strategy is missing");
  }
}

static gboolean
has_code (GPtrArray *v, const char *code)
{
  for (guint i = 0; i < v->len; i++)
    if (g_str_equal (((OpPlanViolation *) g_ptr_array_index (v, i))->code, code))
      return TRUE;
  return FALSE;
}

static void
test_hand_edited (void)
{
  g_autoptr(OpDentition) d = load_real (NULL);
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(OpPlan) back = NULL;
  g_autoptr(GPtrArray) v = NULL;
  g_autoptr(GString) s = NULL;
  const char *key = "{\"stage\": 1, \"teeth\": {\"11\": {\"md\": ";
  char *p;

  if (d == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  plan = real_plan (d);
  bytes = op_plan_encode (plan);
  s = g_string_new_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  v = op_plan_check (plan, NULL, NULL);
  g_assert_cmpuint (v->len, ==, 0);
  g_clear_pointer (&v, g_ptr_array_unref);

  /* Tooth 11 jumps 0.9 mm in the first aligner. */
  p = strstr (s->str, key);
  g_assert_nonnull (p);
  if (p == NULL)
    return;
  {
    gsize at = (p - s->str) + strlen (key);
    char *end = strchr (s->str + at, ',');

    g_string_erase (s, (gssize) at, end - (s->str + at));
    g_string_insert (s, (gssize) at, "0.9000");
  }
  back = op_plan_decode (s->str, s->len, "edited.json", NULL);
  g_assert_nonnull (back);
  if (back == NULL)
    return;
  v = op_plan_check (back, NULL, NULL);
  g_assert_true (has_code (v, "step"));
  g_assert_nonnull (strstr (((OpPlanViolation *) g_ptr_array_index (v, 0))->message,
                            "Stage 1: tooth 11 moves md 0.9000 mm in one stage, over the limit of 0.2500 mm."));
}

static void
test_store_versions (void)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) op_tooth_file_free);
  g_autoptr(OpDentition) d = load_real (files);
  g_autofree char *db = g_build_filename (tmpdir, "plans.db", NULL);
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree OpToothInput *inputs = NULL;
  g_autoptr(OpDentition) back = NULL;
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GBytes) v1 = NULL, v2 = NULL, got1 = NULL, got = NULL;
  g_autoptr(GPtrArray) records = NULL;
  OpPatient patient = { 0, "Molar", "Mia", "1990-04-02", NULL };
  gint64 case_id;
  sqlite3 *raw = NULL;
  char *msg = NULL;

  if (d == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  store = op_store_open (db, &error);
  g_assert_no_error (error);

  inputs = g_new0 (OpToothInput, files->len);
  for (guint i = 0; i < files->len; i++)
    {
      OpToothFile *f = g_ptr_array_index (files, i);
      OpTooth *t = op_dentition_get (d, f->fdi);

      inputs[i] = (OpToothInput) { f->fdi, f->filename, f->format, f->bytes, t->has_frame, t->frame };
    }
  case_id = op_store_create_case_from_teeth (store, &patient, NULL, inputs, files->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (case_id, >, 0);

  /* The teeth come back with their frames, bit for bit. */
  back = op_store_load_teeth (store, case_id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->teeth->len, ==, 31);
  g_assert_true (memcmp (&op_dentition_get (back, 23)->frame, &op_dentition_get (d, 23)->frame,
                         sizeof (OpFrame)) == 0);
  g_assert_false (op_dentition_get (back, 48)->has_frame);
  g_assert_cmpuint (op_dentition_get (back, 36)->crown->n_triangles, ==, op_dentition_get (d, 36)->crown->n_triangles);

  /* Two versions; the first is never overwritten. */
  plan = real_plan (d);
  v1 = op_plan_encode (plan);
  g_assert_cmpint (op_store_add_plan (store, case_id, 0, "{}", v1, &error), ==, 1);
  g_assert_no_error (error);
  plan->strategy = OP_STAGE_STRATEGY_POSTERIOR_FIRST;
  v2 = op_plan_encode (plan);
  g_assert_cmpint (op_store_add_plan (store, case_id, 1, "{\"strategy\": \"posterior-first\"}", v2, &error), ==, 2);
  g_assert_no_error (error);
  got1 = op_store_get_plan (store, case_id, 1, NULL, &error);
  g_assert_true (g_bytes_equal (got1, v1));
  got = op_store_get_plan (store, case_id, 0, NULL, &error);
  g_assert_true (g_bytes_equal (got, v2));
  records = op_store_list_plans (store, case_id, &error);
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_cmpint (((OpPlanRecord *) g_ptr_array_index (records, 1))->parent_version, ==, 1);
  {
    g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, v1);

    g_assert_cmpstr (((OpPlanRecord *) g_ptr_array_index (records, 0))->sha256, ==, sha);
  }

  /* A parent that does not exist, and a case that does not. */
  g_assert_cmpint (op_store_add_plan (store, case_id, 7, "{}", v1, &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (op_store_add_plan (store, case_id + 100, 0, "{}", v1, &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Even SQL written by hand cannot change or delete a version. */
  g_assert_cmpint (sqlite3_open (db, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, "UPDATE plans SET plan_json = '{}' WHERE version = 1", NULL, NULL, &msg), !=,
                   SQLITE_OK);
  sqlite3_free (msg);
  msg = NULL;
  g_assert_cmpint (sqlite3_exec (raw, "DELETE FROM plans", NULL, NULL, &msg), !=, SQLITE_OK);
  sqlite3_free (msg);
  sqlite3_close (raw);
  g_clear_pointer (&got1, g_bytes_unref);
  got1 = op_store_get_plan (store, case_id, 1, NULL, &error);
  g_assert_true (g_bytes_equal (got1, v1));
}

static OpCaseState
case_state (OpStore *store, gint64 case_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpCaseSummary) c = op_store_get_case (store, case_id, &error);

  g_assert_no_error (error);
  return c ? c->state : OP_CASE_N_STATES;
}

/* The case.state rows of the audit log for @case_id, oldest first, as
 * "detail" lines; read with SQL because the log's API wants an
 * administrator signed in. */
static char *
state_audit (const char *db, gint64 case_id)
{
  g_autofree char *object = g_strdup_printf ("case:%" G_GINT64_FORMAT, case_id);
  GString *s = g_string_new (NULL);
  sqlite3 *raw = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (db, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "SELECT detail FROM audit WHERE action = 'case.state' AND object = ? "
                                            "ORDER BY seq", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, object, -1, SQLITE_STATIC);
  while (stmt && sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (s, "%s\n", (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (raw);
  return g_string_free (s, FALSE);
}

/* Storing a plan moves a case to "planned" where the state machine leads
 * there, in the plan's own transaction, and nowhere else. */
static void
test_store_moves_state (void)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) op_tooth_file_free);
  g_autoptr(OpDentition) d = load_real (files);
  g_autofree char *db = g_build_filename (tmpdir, "states.db", NULL);
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree OpToothInput *inputs = NULL;
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GBytes) bytes = NULL;
  OpPatient patient = { 0, "State", "Sam", "1991-05-06", NULL };
  gint64 teeth_case, review_case, scan_case, refused_case;

  if (d == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  store = op_store_open (db, &error);
  g_assert_no_error (error);
  inputs = g_new0 (OpToothInput, files->len);
  for (guint i = 0; i < files->len; i++)
    {
      OpToothFile *f = g_ptr_array_index (files, i);
      OpTooth *t = op_dentition_get (d, f->fdi);

      inputs[i] = (OpToothInput) { f->fdi, f->filename, f->format, f->bytes, t->has_frame, t->frame };
    }
  plan = real_plan (d);
  bytes = op_plan_encode (plan);

  /* Teeth imported one by one: submitted, then segmented and planned by
   * the first version, each step audited; a second version changes
   * nothing more. */
  teeth_case = op_store_create_case_from_teeth (store, &patient, NULL, inputs, files->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (case_state (store, teeth_case), ==, OP_CASE_STATE_SUBMITTED);
  g_assert_cmpint (op_store_add_plan (store, teeth_case, 0, "{}", bytes, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (case_state (store, teeth_case), ==, OP_CASE_STATE_PLANNED);
  g_assert_cmpint (op_store_add_plan (store, teeth_case, 1, "{}", bytes, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (case_state (store, teeth_case), ==, OP_CASE_STATE_PLANNED);
  {
    g_autofree char *audit = state_audit (db, teeth_case);

    g_assert_cmpstr (audit, ==, "submitted -> segmented by plan v1\nsegmented -> planned by plan v1\n");
  }

  /* In review, a provider's edit is a new version reviewed where it is:
   * the case stays in review. */
  patient.given_name = "Rita";
  review_case = op_store_create_case_from_teeth (store, &patient, NULL, inputs, files->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (op_store_add_plan (store, review_case, 0, "{}", bytes, &error), ==, 1);
  g_assert_true (op_store_set_case_state (store, review_case, OP_ROLE_PROVIDER, OP_CASE_STATE_IN_REVIEW, &error));
  g_assert_no_error (error);
  g_assert_cmpint (op_store_add_plan (store, review_case, 1, "{}", bytes, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (case_state (store, review_case), ==, OP_CASE_STATE_IN_REVIEW);

  /* A case of arch scans with no teeth yet has not been segmented: a plan
   * stored for it leaves it submitted. */
  patient.given_name = "Scan";
  scan_case = op_store_create_case (store, &patient, "Main office", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (op_store_add_plan (store, scan_case, 0, "{}", bytes, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (case_state (store, scan_case), ==, OP_CASE_STATE_SUBMITTED);
  {
    g_autofree char *audit = state_audit (db, scan_case);

    g_assert_cmpstr (audit, ==, "");
  }

  /* When the state cannot be written, the version is not stored either. */
  patient.given_name = "Refused";
  refused_case = op_store_create_case_from_teeth (store, &patient, NULL, inputs, files->len, &error);
  g_assert_no_error (error);
  {
    g_autofree char *sql = g_strdup_printf ("CREATE TRIGGER refuse_state BEFORE UPDATE OF status ON cases "
                                            "WHEN old.id = %" G_GINT64_FORMAT " BEGIN "
                                            "SELECT RAISE(ABORT, 'state frozen by the test'); END",
                                            refused_case);
    sqlite3 *raw = NULL;

    g_assert_cmpint (sqlite3_open (db, &raw), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (raw, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (raw);
  }
  g_assert_cmpint (op_store_add_plan (store, refused_case, 0, "{}", bytes, &error), ==, 0);
  g_assert_nonnull (error);
  if (error)
    g_assert_nonnull (strstr (error->message, "state frozen by the test"));
  g_clear_error (&error);
  g_assert_cmpint (case_state (store, refused_case), ==, OP_CASE_STATE_SUBMITTED);
  {
    g_autoptr(GPtrArray) records = op_store_list_plans (store, refused_case, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (records ? records->len : 99, ==, 0);
  }
}

static void
test_bad_input_stores_nothing (void)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) op_tooth_file_free);
  g_autoptr(OpDentition) d = load_real (files);
  g_autofree char *db = g_build_filename (tmpdir, "bad.db", NULL);
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree OpToothInput *inputs = NULL;
  OpPatient patient = { 0, "Frame", "Less", "1985-01-01", NULL };
  gint64 case_id;

  if (d == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  store = op_store_open (db, &error);
  g_assert_no_error (error);

  /* Two lower molars alone, without axes: no frame can be estimated. */
  inputs = g_new0 (OpToothInput, 2);
  for (guint i = 0, n = 0; i < files->len && n < 2; i++)
    {
      OpToothFile *f = g_ptr_array_index (files, i);

      if (f->fdi == 36 || f->fdi == 37)
        inputs[n++] = (OpToothInput) { f->fdi, f->filename, f->format, f->bytes, FALSE, { { 0 } } };
    }
  case_id = op_store_create_case_from_teeth (store, &patient, NULL, inputs, 2, &error);
  g_assert_no_error (error);
  {
    g_autoptr(OpDentition) teeth = op_store_load_teeth (store, case_id, NULL, NULL, &error);
    g_autoptr(OpPlan) plan = op_planner_plan (teeth, NULL, &error);

    g_assert_null (plan);
    g_assert_error (error, OP_PLANNER_ERROR, OP_PLANNER_ERROR_NO_FRAME);
    if (error)
      g_assert_nonnull (strstr (error->message, "tooth 36 has no frame"));
    g_clear_error (&error);
  }
  records = op_store_list_plans (store, case_id, &error);
  g_assert_cmpuint (records->len, ==, 0);

  /* A case with a bad birth date stores no tooth and no case. */
  patient.birth_date = "1985-02-30";
  g_assert_cmpint (op_store_create_case_from_teeth (store, &patient, NULL, inputs, 2, &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autoptr(GPtrArray) cases = op_store_list_cases (store, NULL, &error);

    g_assert_cmpuint (cases->len, ==, 1);
  }
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("op-io-plan-XXXXXX", NULL);

  g_test_add_func ("/io/plan/names", test_names);
  g_test_add_func ("/io/plan/folder-universal", test_folder_universal);
  g_test_add_func ("/io/plan/folder-bad", test_folder_bad);
  g_test_add_func ("/io/plan/round-trip", test_round_trip);
  g_test_add_func ("/io/plan/decode-errors", test_decode_errors);
  g_test_add_func ("/io/plan/hand-edited", test_hand_edited);
  g_test_add_func ("/io/plan/store-versions", test_store_versions);
  g_test_add_func ("/io/plan/bad-input", test_bad_input_stores_nothing);
  g_test_add_func ("/io/plan/store-moves-state", test_store_moves_state);
  rc = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmpdir, name, NULL);

        if (g_file_test (p, G_FILE_TEST_IS_DIR))
          {
            g_autoptr(GDir) sub = g_dir_open (p, 0, NULL);
            const char *n2;

            while (sub && (n2 = g_dir_read_name (sub)) != NULL)
              {
                g_autofree char *p2 = g_build_filename (p, n2, NULL);
                g_remove (p2);
              }
          }
        g_remove (p);
      }
    g_rmdir (tmpdir);
  }
  return rc;
}
