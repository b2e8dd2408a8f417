/* Registrations in the store: kept per scan, never overwritten, audited,
 * and used to grow a case's roots from its CBCT. */
#include <math.h>
#include <string.h>

#include "op-fdi.h"
#include "op-linalg.h"
#include "test-cbct-data.h"
#include "test-io-store-util.h"

static gint64
add_volume (OpStore *store, gint64 case_id, const OpVolume *v)
{
  g_autoptr(GError) error = NULL;
  OpVolumeInput in = { 0 };
  gint64 id;

  in.series_uid = "1.2.826.0.1.3680043.2.1125.1";
  in.n_images = (guint) v->dims[2];
  in.source_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  in.factor = 1;
  id = op_store_add_volume (store, case_id, v, &in, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gint64
scan_of (OpStore *store, gint64 case_id, OpJaw jaw)
{
  g_autoptr(GPtrArray) scans = op_store_list_scans (store, case_id, NULL);

  for (guint i = 0; scans != NULL && i < scans->len; i++)
    if (((OpScanRecord *) g_ptr_array_index (scans, i))->jaw == jaw)
      return ((OpScanRecord *) g_ptr_array_index (scans, i))->id;
  g_assert_not_reached ();
  return 0;
}

/* Stored, read back exactly, the latest one wins, bad ones refused. */
static void
test_store (Fixture *f, gconstpointer data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpVolume) v = NULL;
  g_autoptr(OpRegistrationRecord) r = NULL;
  const double spacing[3] = { 1, 1, 1 };
  double m[16] = { 0.8, 0.6, 0, 0, -0.6, 0.8, 0, 0, 0, 0, 1, 0, 1.25, -3.5, 0.1, 1 };
  gint64 case_a = create_case (store, "Okafor", "Ada", "1990-01-02", NULL, 1);
  gint64 case_b = create_case (store, "Lindqvist", "Maja", "1985-05-06", NULL, 2);
  gint64 upper = scan_of (store, case_a, OP_JAW_UPPER);
  gint64 other = scan_of (store, case_b, OP_JAW_UPPER);
  gint64 vol, first, second;

  v = op_volume_new (8, 8, 8, spacing);
  vol = add_volume (store, case_a, v);

  /* None yet: a NOT_FOUND that names the scan. */
  r = op_store_get_registration (store, upper, &error);
  g_assert_null (r);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  first = op_store_add_registration (store, upper, vol, m, 0.21, "automatic", &error);
  g_assert_no_error (error);
  m[12] = 2.5;
  second = op_store_add_registration (store, upper, vol, m, 0.18, "points", &error);
  g_assert_no_error (error);
  g_assert_cmpint (second, >, first);

  r = op_store_get_registration (store, upper, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  if (r != NULL)
    {
      g_assert_cmpint (r->id, ==, second);
      g_assert_cmpint (r->case_id, ==, case_a);
      g_assert_cmpint (r->volume_id, ==, vol);
      g_assert_cmpmem (r->matrix, sizeof r->matrix, m, sizeof m);
      g_assert_cmpfloat (r->rms_mm, ==, 0.18);
      g_assert_cmpstr (r->method, ==, "points");
    }
  /* The older one is kept. */
  g_assert_cmpint (count_rows (f->path, "registrations"), ==, 2);

  /* Refused, and nothing stored: another case's scan, an unknown method,
   * a matrix that is not numbers, a negative error. */
  g_assert_cmpint (op_store_add_registration (store, other, vol, m, 0.2, "automatic", &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_assert_nonnull (error && strstr (error->message, "different cases") ? error : NULL);
  g_clear_error (&error);
  g_assert_cmpint (op_store_add_registration (store, upper, vol, m, 0.2, "guess", &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  m[5] = NAN;
  g_assert_cmpint (op_store_add_registration (store, upper, vol, m, 0.2, "automatic", &error), ==, 0);
  g_assert_nonnull (error && strstr (error->message, "matrix[5]") ? error : NULL);
  g_clear_error (&error);
  m[5] = 0.8;
  g_assert_cmpint (op_store_add_registration (store, upper, vol, m, -1, "automatic", &error), ==, 0);
  g_clear_error (&error);
  g_assert_cmpint (op_store_add_registration (store, upper, 999, m, 0.2, "automatic", &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (f->path, "registrations"), ==, 2);

  /* Each stored one is in the audit chain. */
  {
    sqlite3 *db = open_raw (f->path);

    g_assert_cmpint (query_int (db, "SELECT count(*) FROM audit WHERE action = 'scan.register'"), ==, 2);
    sqlite3_close (db);
  }
  g_assert_true (op_store_verify_audit (store, &error));
  g_assert_no_error (error);
}

/* The case's roots grow from its CBCT through the upper scan's
 * registration; the lower arch, not registered, gets templates. */
static void
test_cbct_roots (Fixture *f, gconstpointer data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpDentition) full = cbct_load_teeth (&error);
  g_autoptr(OpDentition) real = op_dentition_new ();
  g_autoptr(OpDentition) scan = op_dentition_new ();
  g_autoptr(OpDentition) none = NULL;
  g_autoptr(OpVolume) v = NULL;
  g_autofree char *summary = NULL;
  const int fdis[] = { 11, 21, 31 };
  const double identity[16] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1 };
  gint64 case_id, vol;

  if (full == NULL)
    {
      g_test_skip (error->message);
      return;
    }
  for (guint k = 0; k < G_N_ELEMENTS (fdis); k++)
    {
      OpTooth *t = op_tooth_copy (op_dentition_get (full, fdis[k]));
      OpTooth *crown = op_tooth_new (fdis[k], cbct_cut_crown (t, 3.0));

      crown->has_frame = TRUE;
      crown->frame = t->frame;
      t->root = op_mesh_copy (t->crown);
      op_dentition_add (real, t);
      op_dentition_add (scan, crown);
    }
  v = cbct_bone_block_volume (real, 1.5);
  case_id = create_case (store, "Root", "Canine", "1980-03-04", NULL, 7);

  /* No registration: no CBCT for planning, and no error. */
  none = op_dentition_copy (scan);
  g_assert_null (op_store_load_case_cbct (store, case_id, &error));
  g_assert_no_error (error);

  vol = add_volume (store, case_id, v);
  g_assert_cmpint (op_store_add_registration (store, scan_of (store, case_id, OP_JAW_UPPER), vol, identity, 0.1,
                                              "automatic", &error), >, 0);
  {
    g_autoptr(OpCaseCbct) cbct = op_store_load_case_cbct (store, case_id, &error);
    OpPlannerOptions options = { 0 };
    double p[3] = { 1, 2, 3 }, a = 0, b = 0;

    g_assert_no_error (error);
    g_assert_nonnull (cbct);
    if (cbct == NULL)
      return;
    g_assert_cmpint (cbct->volume_id, ==, vol);
    g_assert_true (cbct->registered[0]);
    g_assert_false (cbct->registered[1]);
    g_assert_cmpmem (cbct->view[0].transform, sizeof (double) * 16, cbct->volume->transform, sizeof (double) * 16);
    g_assert_true (cbct->view[0].voxels == cbct->volume->voxels);
    op_case_cbct_apply (cbct, &options);
    g_assert_true (options.bone[0] == &cbct->view[0]);
    g_assert_null (options.bone[1]);
    /* The view samples what the volume holds at the same place. */
    for (int k = 0; k < 3; k++)
      p[k] += cbct->volume->transform[12 + k] + 10;
    g_assert_true (op_volume_sample (cbct->volume, p, &a));
    g_assert_true (op_volume_sample (&cbct->view[0], p, &b));
    g_assert_cmpfloat (a, ==, b);

    g_assert_true (op_case_cbct_grow_roots (cbct, scan, &summary, &error));
    g_assert_no_error (error);
    g_test_message ("%s", summary ? summary : "(none)");
    g_assert_nonnull (summary && strstr (summary, "grown for 11, 21; templates for 31") ? summary : NULL);
    for (guint k = 0; k < G_N_ELEMENTS (fdis); k++)
      g_assert_nonnull (op_dentition_get (scan, fdis[k])->root);
  }
  g_assert_null (op_dentition_get (none, 11)->root);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  ADD ("/io/registration/store", test_store);
  ADD ("/io/registration/cbct-roots", test_cbct_roots);
  return g_test_run ();
}
