/* bench-seg-edit: how long each segmentation correction takes on a phantom
 * upper arch of about 190k triangles made from the real teeth, against one pass
 * over the labels (op_seg_labels_teeth, the cheapest thing every edit does
 * at least once) measured in the same run.
 *
 * A correction runs on the UI thread when a person clicks, so each should
 * fit well inside a frame at interactive rates (about 30 ms). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"
#include "op-phantom.h"
#include "op-seg-edit.h"
#include "test-segment-data.h"

#define RUNS 7

/* A failed edit would be timed as a fast one: stop instead. */
#define CHECK(change, what) G_STMT_START {                          \
    if ((change) == NULL)                                           \
      {                                                             \
        printf ("bench-seg-edit: the %s edit failed\n", (what));    \
        return 1;                                                   \
      }                                                             \
  } G_STMT_END

static void
centroid (const OpMesh *m, int label, float out[3])
{
  double s[3] = { 0 };
  gsize k = 0;

  for (gsize v = 0; v < m->n_vertices; v++)
    if (m->labels[v] == label)
      {
        for (int i = 0; i < 3; i++)
          s[i] += m->positions[3 * v + i];
        k++;
      }
  for (int i = 0; i < 3; i++)
    out[i] = (float) (s[i] / MAX (k, 1));
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) teeth = test_segment_load_teeth (TRUE, &error);
  g_autoptr(OpPhantom) ph = NULL;
  OpPhantomOptions o = { .seed = 11, .noise_mm = 0.02f, .voxel_mm = 0.3f };
  double t_base[RUNS], t_adj[RUNS], t_reassign[RUNS], t_merge[RUNS], t_split[RUNS], t_plane[RUNS], t_brush[RUNS],
    t_undo[RUNS];
  const OpMesh *m;
  float c11[3], c21[3], c12[3], dir[3] = { 0.f, 0.f, 1.f };
  guint32 s11, s21, centre;
  gsize n;

  if (teeth == NULL)
    {
      printf ("bench-seg-edit: skipped (%s)\n", error->message);
      return 77;
    }
  ph = op_phantom_new ((const OpTooth *const *) teeth->pdata, teeth->len, &o, &error);
  if (ph == NULL)
    {
      printf ("bench-seg-edit: %s\n", error->message);
      return 1;
    }
  m = ph->mesh;
  n = m->n_vertices;
  centroid (m, 11, c11);
  centroid (m, 21, c21);
  centroid (m, 12, c12);
  s11 = op_seg_nearest_vertex (m, m->labels, 11, c11);
  s21 = op_seg_nearest_vertex (m, m->labels, 21, c21);
  {
    float c16[3];
    centroid (m, 16, c16);
    centre = op_seg_nearest_vertex (m, m->labels, 16, c16);
  }

  for (int r = 0; r < RUNS; r++)
    {
      g_autoptr(OpSegAdjacency) adj = NULL;
      g_autoptr(OpSegEdits) edits = op_seg_edits_new (m->labels, n, TRUE);
      OpSegChange *c;
      gint64 t0;
      int fdi[32];
      float a[3], b[3];

      t0 = g_get_monotonic_time ();
      (void) op_seg_labels_teeth (op_seg_edits_get_labels (edits, NULL), n, fdi, NULL, 32);
      t_base[r] = (g_get_monotonic_time () - t0) / 1000.0;

      t0 = g_get_monotonic_time ();
      adj = op_seg_adjacency_new (m);
      t_adj[r] = (g_get_monotonic_time () - t0) / 1000.0;

      t0 = g_get_monotonic_time ();
      c = op_seg_reassign (op_seg_edits_get_labels (edits, NULL), n, TRUE, 27, 28, NULL);
      CHECK (c, "reassign");
      op_seg_edits_push (edits, c);
      t_reassign[r] = (g_get_monotonic_time () - t0) / 1000.0;

      t0 = g_get_monotonic_time ();
      c = op_seg_merge (op_seg_edits_get_labels (edits, NULL), n, TRUE, 11, 21, NULL);
      CHECK (c, "merge");
      op_seg_edits_push (edits, c);
      t_merge[r] = (g_get_monotonic_time () - t0) / 1000.0;

      t0 = g_get_monotonic_time ();
      c = op_seg_split_seeds (m, adj, op_seg_edits_get_labels (edits, NULL), TRUE, 11, s11, s21, 21, NULL);
      CHECK (c, "split between seeds");
      op_seg_edits_push (edits, c);
      t_split[r] = (g_get_monotonic_time () - t0) / 1000.0;

      /* Tooth 12 cut in two across its middle: the plane holds its
       * centroid, the y axis and the view direction z. */
      a[0] = c12[0], a[1] = c12[1] - 5.f, a[2] = c12[2];
      b[0] = c12[0], b[1] = c12[1] + 5.f, b[2] = c12[2];
      t0 = g_get_monotonic_time ();
      c = op_seg_split_plane (m, op_seg_edits_get_labels (edits, NULL), TRUE, 12, a, b, dir, 0, NULL);
      t_plane[r] = (g_get_monotonic_time () - t0) / 1000.0;
      CHECK (c, "split by a plane");
      op_seg_change_free (c);

      t0 = g_get_monotonic_time ();
      {
        OpSegBrush brush = { .vertex = centre, .radius_mm = 3.f, .geodesic = TRUE, .label = 0 };
        c = op_seg_paint (m, adj, op_seg_edits_get_labels (edits, NULL), TRUE, &brush, NULL);
        CHECK (c, "brush");
        op_seg_edits_push (edits, c);
      }
      t_brush[r] = (g_get_monotonic_time () - t0) / 1000.0;

      t0 = g_get_monotonic_time ();
      while (op_seg_edits_undo (edits))
        ;
      t_undo[r] = (g_get_monotonic_time () - t0) / 1000.0;
      if (memcmp (op_seg_edits_get_labels (edits, NULL), m->labels, n * sizeof (gint32)) != 0)
        {
          printf ("bench-seg-edit: undo did not restore the labels\n");
          return 1;
        }
    }

  {
    double base = op_bench_median (t_base, RUNS);
    struct { const char *name; double *t; } rows[] = {
      { "adjacency (once per scan)", t_adj },
      { "reassign 27 -> 28", t_reassign },
      { "merge 21 into 11", t_merge },
      { "split 11/21 between seeds", t_split },
      { "split 12 by a plane", t_plane },
      { "geodesic brush 3 mm", t_brush },
      { "undo all four", t_undo },
    };

    printf ("bench-seg-edit: upper phantom, %" G_GSIZE_FORMAT " vertices, %" G_GSIZE_FORMAT " triangles, median of %d runs\n",
            n, m->n_triangles, RUNS);
    printf ("  %-28s %8.2f ms (baseline: one pass over the labels)\n", "labels pass", base);
    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      {
        double t = op_bench_median (rows[i].t, RUNS);
        printf ("  %-28s %8.2f ms  ratio %.1f\n", rows[i].name, t, base > 0 ? t / base : 0.0);
      }
  }
  return 0;
}
