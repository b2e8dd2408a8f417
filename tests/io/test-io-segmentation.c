/* Tests for segmentation versions in the store (io/op-store-segment.c):
 * a phantom arch made from the real teeth of ../shared/data is imported as
 * a PLY scan, its labels stored as an automatic version, corrected with
 * the planner's edits and stored again; nothing is ever overwritten, bad
 * input leaves no row behind, and every save is audited. */
#include <string.h>

#include <glib/gstdio.h>

#include "op-phantom.h"
#include "op-seg-edit.h"
#include "test-io-store-util.h"
#include "../planner/test-segment-data.h"

typedef struct {
  OpMesh *mesh;     /* the scan as the store's loader reads it, labels = truth */
  GBytes *bytes;    /* its PLY bytes */
} Scan;

static Scan upper_scan;
static gboolean tried;

static const Scan *
scan_or_skip (void)
{
  if (!tried)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) teeth = NULL;
      g_autoptr(OpPhantom) ph = NULL;
      g_autofree char *dir = NULL, *path = NULL, *data = NULL;
      gsize size = 0;
      OpPhantomOptions o = { .seed = 11, .noise_mm = 0.02f, .voxel_mm = 0.4f };

      tried = TRUE;
      teeth = test_segment_load_teeth (TRUE, &error);
      if (teeth == NULL)
        {
          g_test_message ("%s", error->message);
          g_test_skip ("the real teeth are not available (set OP_SHARED_DATA)");
          return NULL;
        }
      ph = op_phantom_new ((const OpTooth *const *) teeth->pdata, teeth->len, &o, &error);
      g_assert_no_error (error);
      dir = g_dir_make_tmp ("op-seg-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (dir, "upper.ply", NULL);
      g_assert_true (op_mesh_save (ph->mesh, path, OP_MESH_FORMAT_PLY, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &data, &size, &error));
      upper_scan.bytes = g_bytes_new_take (g_steal_pointer (&data), size);
      upper_scan.mesh = op_mesh_load_bytes (upper_scan.bytes, "upper.ply", NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (upper_scan.mesh->labels);
      g_remove (path);
      g_rmdir (dir);
    }
  if (upper_scan.mesh == NULL)
    g_test_skip ("the real teeth are not available (set OP_SHARED_DATA)");
  return upper_scan.mesh ? &upper_scan : NULL;
}

/* A case with the phantom as its upper scan; returns the scan id. */
static gint64
add_case (OpStore *store, const Scan *s, gint64 *out_case)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) scans = NULL;
  OpPatient p = { 0, "Label", "Lena", "1985-05-05", NULL };
  OpScanInput in = { OP_JAW_UPPER, "upper.ply", OP_MESH_FORMAT_PLY, s->bytes, s->mesh->n_vertices, s->mesh->n_triangles };
  gint64 case_id = op_store_create_case (store, &p, "Main office", &in, 1, &error);

  g_assert_no_error (error);
  scans = op_store_list_scans (store, case_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scans->len, ==, 1);
  *out_case = case_id;
  return ((OpScanRecord *) g_ptr_array_index (scans, 0))->id;
}

/* Confidences for every tooth of @labels: 0.5 + fdi / 200, so each differs. */
static OpSegmentationTooth *
auto_confidences (const gint32 *labels, gsize n, guint *out_n)
{
  int fdi[64];
  guint k = op_seg_labels_teeth (labels, n, fdi, NULL, 64);
  OpSegmentationTooth *t = g_new0 (OpSegmentationTooth, MAX (k, 1));

  for (guint i = 0; i < k; i++)
    {
      t[i].fdi = fdi[i];
      t[i].confidence = 0.5f + fdi[i] / 200.f;
    }
  *out_n = k;
  return t;
}

static void
test_versions (Fixture *f, gconstpointer data)
{
  const Scan *s = scan_or_skip ();
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree OpSegmentationTooth *auto_teeth = NULL;
  g_autofree gint32 *latest = NULL, *first = NULL;
  g_autoptr(OpSegmentationRecord) rec = NULL;
  g_autoptr(OpSegEdits) edits = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(OpCaseSummary) summary = NULL;
  gint64 case_id, scan_id;
  gsize n, got_n = 0;
  guint n_auto = 0;
  int v1, v2;

  if (s == NULL)
    return;
  n = s->mesh->n_vertices;
  store = open_store (f);
  op_store_set_actor (store, "auto.segmenter");
  scan_id = add_case (store, s, &case_id);

  /* Nothing stored yet. */
  g_assert_null (op_store_get_segmentation (store, scan_id, 0, &got_n, NULL, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The automatic result. */
  auto_teeth = auto_confidences (s->mesh->labels, n, &n_auto);
  g_assert_cmpuint (n_auto, ==, 15);   /* upper 18-11, 21-27: Universal 16 is missing */
  {
    OpSegmentationInput in = { OP_SEGMENTATION_AUTOMATIC, TRUE, s->mesh->labels, n, auto_teeth, n_auto, 0, "automatic" };
    v1 = op_store_add_segmentation (store, scan_id, &in, &error);
    g_assert_no_error (error);
    g_assert_cmpint (v1, ==, 1);
  }
  summary = op_store_get_case (store, case_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->state, ==, OP_CASE_STATE_SEGMENTED);

  /* A person renumbers 27 as 28 and erases a dab of 11, then saves. */
  op_store_set_actor (store, "dr.molar");
  edits = op_seg_edits_new (s->mesh->labels, n, TRUE);
  g_assert_true (op_seg_edits_push (edits, op_seg_reassign (op_seg_edits_get_labels (edits, NULL), n, TRUE, 27, 28, &error)));
  g_assert_no_error (error);
  {
    g_autoptr(OpSegAdjacency) adj = op_seg_adjacency_new (s->mesh);
    guint32 v11 = 0;
    OpSegBrush b = { .radius_mm = 1.5f, .label = 0 };
    while (v11 < n && s->mesh->labels[v11] != 11)
      v11++;
    b.vertex = v11;
    g_assert_true (op_seg_edits_push (edits, op_seg_paint (s->mesh, adj, op_seg_edits_get_labels (edits, NULL), TRUE, &b, &error)));
    g_assert_no_error (error);
  }
  {
    const gint32 *lab = op_seg_edits_get_labels (edits, NULL);
    int fdi[64];
    float conf[64];
    int base_fdi[64];
    float base_conf[64];
    OpSegmentationTooth teeth[64];
    guint k = op_seg_labels_teeth (lab, n, fdi, NULL, 64);

    for (guint i = 0; i < n_auto; i++)
      {
        base_fdi[i] = auto_teeth[i].fdi;
        base_conf[i] = auto_teeth[i].confidence;
      }
    g_assert_cmpuint (op_seg_corrected_confidence (s->mesh->labels, lab, n, base_fdi, base_conf, n_auto, conf, 64), ==, k);
    for (guint i = 0; i < k; i++)
      teeth[i] = (OpSegmentationTooth) { fdi[i], conf[i], 0 };
    {
      OpSegmentationInput in = { OP_SEGMENTATION_CORRECTED, TRUE, lab, n, teeth, k, v1, "reassign 27 -> 28; erase" };
      v2 = op_store_add_segmentation (store, scan_id, &in, &error);
      g_assert_no_error (error);
      g_assert_cmpint (v2, ==, 2);
    }
  }

  /* The latest is the correction, byte for byte; version 1 is still the
   * automatic result. */
  latest = op_store_get_segmentation (store, scan_id, 0, &got_n, &rec, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got_n, ==, n);
  g_assert_cmpmem (latest, n * 4, op_seg_edits_get_labels (edits, NULL), n * 4);
  g_assert_nonnull (rec);
  if (rec)
    {
      g_assert_cmpint (rec->version, ==, 2);
      g_assert_cmpint (rec->parent_version, ==, 1);
      g_assert_cmpint (rec->source, ==, OP_SEGMENTATION_CORRECTED);
      g_assert_cmpstr (rec->author, ==, "dr.molar");
      g_assert_cmpint (rec->case_id, ==, case_id);
      g_assert_true (rec->upper);
      g_assert_cmpuint (rec->n_teeth, ==, 15);
      g_assert_cmpint (rec->teeth[rec->n_teeth - 1].fdi, ==, 28);
      g_assert_cmpfloat (rec->teeth[rec->n_teeth - 1].confidence, ==, 1.f);   /* by a person */
      g_assert_cmpint (rec->teeth[0].fdi, ==, 11);
      g_assert_cmpfloat (rec->teeth[0].confidence, ==, 1.f);                  /* erased from */
      g_assert_cmpint (rec->teeth[1].fdi, ==, 12);
      g_assert_cmpfloat_with_epsilon (rec->teeth[1].confidence, 0.5f + 12 / 200.f, 1e-6);   /* kept */
      g_assert_cmpuint (rec->teeth[1].n_vertices, >, 100);
      g_assert_nonnull (strstr (rec->note, "27 -> 28"));
      g_assert_cmpuint (strlen (rec->labels_sha256), ==, 64);
    }
  first = op_store_get_segmentation (store, scan_id, 1, &got_n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (first, got_n * 4, s->mesh->labels, n * 4);
  g_assert_null (op_store_get_segmentation (store, scan_id, 3, &got_n, NULL, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  list = op_store_list_segmentations (store, scan_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  if (list->len == 2)
    {
      OpSegmentationRecord *a = g_ptr_array_index (list, 0), *b = g_ptr_array_index (list, 1);
      g_assert_cmpint (a->version, ==, 1);
      g_assert_cmpint (a->source, ==, OP_SEGMENTATION_AUTOMATIC);
      g_assert_cmpstr (a->author, ==, "auto.segmenter");
      g_assert_cmpint (a->parent_version, ==, 0);
      g_assert_cmpuint (a->n_teeth, ==, 15);
      g_assert_cmpint (a->teeth[a->n_teeth - 1].fdi, ==, 27);
      g_assert_cmpint (b->version, ==, 2);
      g_assert_cmpstr (a->labels_sha256, !=, b->labels_sha256);
    }

  /* Each save is audited on the scan, and the chain still verifies. */
  {
    sqlite3 *db = open_raw (f->path);
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit WHERE action = 'segmentation.create' "
                                            "AND object = 'scan:%" G_GINT64_FORMAT "'", scan_id);
    g_autofree char *who = g_strdup_printf ("SELECT actor FROM audit WHERE action = 'segmentation.create' "
                                            "ORDER BY seq DESC LIMIT 1");
    g_autofree char *actor = NULL;
    g_assert_cmpint (query_int (db, sql), ==, 2);
    actor = query_text (db, who);
    g_assert_cmpstr (actor, ==, "dr.molar");
    g_assert_cmpint (query_int (db, "SELECT count(*) FROM audit WHERE action = 'case.state' "
                                    "AND detail LIKE '%by segmentation v1'"), ==, 1);
    sqlite3_close (db);
  }
  g_assert_true (op_store_verify_audit (store, &error));
  g_assert_no_error (error);
}

static void
test_bad_input (Fixture *f, gconstpointer data)
{
  const Scan *s = scan_or_skip ();
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree OpSegmentationTooth *teeth = NULL;
  g_autofree gint32 *bad = NULL;
  gint64 case_id, scan_id, audit_before;
  guint n_teeth = 0;
  gsize n;
  sqlite3 *db;

  if (s == NULL)
    return;
  n = s->mesh->n_vertices;
  store = open_store (f);
  scan_id = add_case (store, s, &case_id);
  teeth = auto_confidences (s->mesh->labels, n, &n_teeth);
  db = open_raw (f->path);
  audit_before = query_int (db, "SELECT count(*) FROM audit");

#define REFUSED(in_, scan_, code_, word_) G_STMT_START {                        \
    g_assert_cmpint (op_store_add_segmentation (store, (scan_), (in_), &error), ==, 0); \
    g_assert_error (error, OP_STORE_ERROR, (code_));                            \
    if (error)                                                                  \
      {                                                                         \
        g_test_message ("%s", error->message);                                  \
        g_assert_nonnull (strstr (error->message, (word_)));                    \
      }                                                                         \
    g_clear_error (&error);                                                     \
  } G_STMT_END

  {
    OpSegmentationInput in = { OP_SEGMENTATION_AUTOMATIC, TRUE, s->mesh->labels, n - 1, teeth, n_teeth, 0, NULL };
    REFUSED (&in, scan_id, OP_STORE_ERROR_INVALID, "vertices");            /* one label short */
    in.n_vertices = n;
    in.upper = FALSE;
    REFUSED (&in, scan_id, OP_STORE_ERROR_INVALID, "lower");               /* upper numbers as lower */
    in.upper = TRUE;
    in.n_teeth = n_teeth - 1;
    REFUSED (&in, scan_id, OP_STORE_ERROR_INVALID, "no confidence");       /* a tooth left out */
    in.n_teeth = n_teeth;
    teeth[0].confidence = 1.5f;
    REFUSED (&in, scan_id, OP_STORE_ERROR_INVALID, "outside 0-1");
    teeth[0].confidence = 0.9f;
    in.source = OP_SEGMENTATION_CORRECTED;
    REFUSED (&in, scan_id, OP_STORE_ERROR_INVALID, "must name");           /* a correction of nothing */
    in.parent_version = 4;
    REFUSED (&in, scan_id, OP_STORE_ERROR_INVALID, "parent version 4");
    in.source = OP_SEGMENTATION_AUTOMATIC;
    in.parent_version = 0;
    REFUSED (&in, scan_id + 100, OP_STORE_ERROR_NOT_FOUND, "does not exist");
  }
  /* A lower tooth's number among the upper labels. */
  bad = g_memdup2 (s->mesh->labels, n * 4);
  bad[n / 2] = 36;
  {
    OpSegmentationInput in = { OP_SEGMENTATION_AUTOMATIC, TRUE, bad, n, teeth, n_teeth, 0, NULL };
    REFUSED (&in, scan_id, OP_STORE_ERROR_INVALID, "36");
  }
  /* Only gingiva. */
  memset (bad, 0, n * 4);
  {
    OpSegmentationInput in = { OP_SEGMENTATION_AUTOMATIC, TRUE, bad, n, NULL, 0, 0, NULL };
    REFUSED (&in, scan_id, OP_STORE_ERROR_INVALID, "no tooth");
  }
  /* Nothing of any of it was written. */
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM segmentations"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM segmentation_teeth"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM audit"), ==, audit_before);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM cases WHERE status = 'submitted'"), ==, 1);

  /* A good version, then: the database refuses to change or delete it. */
  {
    OpSegmentationInput in = { OP_SEGMENTATION_AUTOMATIC, TRUE, s->mesh->labels, n, teeth, n_teeth, 0, NULL };
    g_assert_cmpint (op_store_add_segmentation (store, scan_id, &in, &error), ==, 1);
    g_assert_no_error (error);
  }
  g_assert_cmpint (sqlite3_exec (db, "UPDATE segmentations SET author = 'x'", NULL, NULL, NULL), !=, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM segmentations", NULL, NULL, NULL), !=, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM segmentation_teeth", NULL, NULL, NULL), !=, SQLITE_OK);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM segmentation_teeth"), ==, n_teeth);

  /* A writer that gets past the triggers and flips labels is caught by
   * the sha256 on the next read. */
  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER segmentations_no_update; "
                                     "UPDATE segmentations SET labels = zeroblob(length(labels))", NULL, NULL, NULL), ==, SQLITE_OK);
  {
    gsize got = 0;
    g_assert_null (op_store_get_segmentation (store, scan_id, 0, &got, NULL, &error));
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT);
    g_clear_error (&error);
  }

  /* Once the plan is in review the labels are frozen. */
  g_assert_cmpint (sqlite3_exec (db, "UPDATE cases SET status = 'in-review'", NULL, NULL, NULL), ==, SQLITE_OK);
  {
    OpSegmentationInput in = { OP_SEGMENTATION_AUTOMATIC, TRUE, s->mesh->labels, n, teeth, n_teeth, 0, NULL };
    REFUSED (&in, scan_id, OP_STORE_ERROR_PERMISSION, "in-review");
  }
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM segmentations"), ==, 1);
#undef REFUSED
  sqlite3_close (db);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  ADD ("/io/segmentation/versions", test_versions);
  ADD ("/io/segmentation/bad-input", test_bad_input);
  rc = g_test_run ();
  g_clear_pointer (&upper_scan.mesh, op_mesh_free);
  g_clear_pointer (&upper_scan.bytes, g_bytes_unref);
  return rc;
}
