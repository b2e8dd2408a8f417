/* op-mesh-weld.c: welding vertices that share a position.
 *
 * Every importer ends here: STL repeats each vertex once per face, and
 * Assimp (without JoinIdenticalVertices, which is 20-40 times slower) keeps
 * those copies, so positions are welded with meshoptimizer's remap.
 */
#include "op-mesh-io-private.h"

#include <meshoptimizer.h>

#include <string.h>

/* The weld -------------------------------------------------------------------- */

/* Welding a million triangles is mostly waiting on cache misses: one call
 * over 3M corners hashes into a 16 MB table and compares against a 36 MB
 * array.  Scans list their triangles with spatial coherence (neighbours
 * near each other in the file), so large unindexed inputs are welded in
 * blocks of 16k triangles whose tables stay in cache, the blocks shared
 * between two threads, and then the unique positions of all blocks are
 * welded once more.  The result is the same, byte for byte, as one call
 * over the whole: meshopt numbers vertices in order of first appearance,
 * and the merge keeps that order (block by block, each in its own order),
 * which /io/mesh/stl-large-weld checks. */
#define OP_BLOCKED_WELD_MIN_VERTICES (3 * 100000)
#define OP_WELD_BLOCK (3 * 16384)

typedef struct {
  const float  *positions;
  gsize         n_vertices;
  unsigned int *remap;
  gsize        *unique;      /* one count per block */
  gsize         first_block;
  gsize         end_block;
} RemapJob;

static gpointer
remap_job_run (gpointer data)
{
  RemapJob *job = data;

  for (gsize b = job->first_block; b < job->end_block; b++)
    {
      gsize start = b * OP_WELD_BLOCK, n = MIN (job->n_vertices - start, OP_WELD_BLOCK);

      job->unique[b] = meshopt_generateVertexRemap (job->remap + start, NULL, n,
                                                    job->positions + 3 * start, n,
                                                    3 * sizeof (float));
    }
  return NULL;
}

static gsize
remap_positions (unsigned int  *remap,
                 const guint32 *indices,
                 gsize          n_indices,
                 const float   *positions,
                 gsize          n_vertices)
{
  g_autofree float *merged = NULL;
  g_autofree unsigned int *merge_remap = NULL;
  g_autofree gsize *unique = NULL;
  GThread *thread = NULL;
  RemapJob a, b;
  gsize n_blocks, n_merged = 0, padded, offset;

  if (indices != NULL || n_vertices < OP_BLOCKED_WELD_MIN_VERTICES)
    return meshopt_generateVertexRemap (remap, indices, n_indices, positions, n_vertices,
                                        3 * sizeof (float));

  /* Blocks hold whole triangles, as meshopt insists on a multiple of 3. */
  G_STATIC_ASSERT (OP_WELD_BLOCK % 3 == 0);
  n_blocks = (n_vertices + OP_WELD_BLOCK - 1) / OP_WELD_BLOCK;
  unique = g_new0 (gsize, n_blocks);
  a = (RemapJob) { positions, n_vertices, remap, unique, 0, n_blocks / 2 };
  b = (RemapJob) { positions, n_vertices, remap, unique, n_blocks / 2, n_blocks };
  if (g_get_num_processors () > 1)
    thread = g_thread_try_new ("op-mesh-weld", remap_job_run, &b, NULL);
  remap_job_run (&a);
  if (thread != NULL)
    g_thread_join (thread);
  else
    remap_job_run (&b);

  for (gsize i = 0; i < n_blocks; i++)
    n_merged += unique[i];
  padded = (n_merged + 2) / 3 * 3;
  merged = g_new (float, 3 * padded);
  offset = 0;
  for (gsize i = 0; i < n_blocks; i++)
    {
      gsize start = i * OP_WELD_BLOCK, n = MIN (n_vertices - start, OP_WELD_BLOCK);

      meshopt_remapVertexBuffer (merged + 3 * offset, positions + 3 * start, n,
                                 3 * sizeof (float), remap + start);
      offset += unique[i];
    }
  /* Padding repeats the last position, so it adds no new vertex. */
  for (gsize i = n_merged; i < padded; i++)
    memcpy (&merged[3 * i], &merged[3 * (n_merged - 1)], 3 * sizeof (float));

  merge_remap = g_new (unsigned int, padded);
  n_merged = meshopt_generateVertexRemap (merge_remap, NULL, padded, merged, padded,
                                          3 * sizeof (float));
  offset = 0;
  for (gsize i = 0; i < n_blocks; i++)
    {
      gsize start = i * OP_WELD_BLOCK, end = MIN (n_vertices, start + OP_WELD_BLOCK);

      for (gsize v = start; v < end; v++)
        remap[v] = merge_remap[offset + remap[v]];
      offset += unique[i];
    }
  return n_merged;
}

OpMesh *
op__mesh_weld_arrays (const float   *positions,
                      gsize          n_vertices,
                      const guint32 *indices,
                      gsize          n_indices,
                      const guint8  *colors,
                      const gint32  *labels)
{
  g_autofree unsigned int *remap = NULL;
  OpMeshAttrs attrs = OP_MESH_ATTR_NONE;
  OpMesh *mesh;
  gsize unique;

  g_assert (n_indices % 3 == 0);
  g_assert (indices != NULL || n_indices == n_vertices);

  /* Positions only (12 bytes): STL repeats every vertex once per face with
   * the face's normal, so welding on anything more would weld nothing. */
  remap = g_new (unsigned int, MAX (n_vertices, 1));
  unique = remap_positions (remap, indices, n_indices, positions, n_vertices);

  if (colors)
    attrs |= OP_MESH_ATTR_COLORS;
  if (labels)
    attrs |= OP_MESH_ATTR_LABELS;
  mesh = op_mesh_new (unique, n_indices / 3, attrs);
  meshopt_remapVertexBuffer (mesh->positions, positions, n_vertices, 3 * sizeof (float), remap);

  if (indices == NULL)
    {
      /* Unindexed input: the remap table is the index buffer. */
      g_free (mesh->indices);
      mesh->indices = g_steal_pointer (&remap);
    }
  else
    meshopt_remapIndexBuffer (mesh->indices, indices, n_indices, remap);

  if (colors || labels)
    {
      const unsigned int *table = remap ? remap : mesh->indices;
      g_autofree guint8 *done = g_new0 (guint8, MAX (unique, 1));

      /* Vertices at one position may disagree: a segmentation tool often
       * duplicates the vertices on a boundary, one copy per label.  Labels
       * are categories, so they cannot be averaged; we keep the first
       * vertex in the file's order, which is reproducible, does not depend
       * on the hash table, and is what the file's author listed first.
       * (meshopt_remapVertexBuffer would keep the last one.) */
      for (gsize i = 0; i < n_vertices; i++)
        {
          unsigned int r = table[i];

          if (r == ~0u || done[r])
            continue;
          done[r] = 1;
          if (colors)
            memcpy (&mesh->colors[4 * r], &colors[4 * i], 4);
          if (labels)
            mesh->labels[r] = labels[i];
        }
    }

  return mesh;
}

void
op_mesh_weld (OpMesh *mesh)
{
  OpMesh *welded;
  gboolean had_normals;

  g_return_if_fail (mesh != NULL);

  for (gsize i = 0; i < 3 * mesh->n_triangles; i++)
    g_return_if_fail (mesh->indices[i] < mesh->n_vertices);

  had_normals = mesh->normals != NULL;
  welded = op__mesh_weld_arrays (mesh->positions, mesh->n_vertices, mesh->indices,
                                 3 * mesh->n_triangles, mesh->colors, mesh->labels);

  g_free (mesh->positions);
  g_free (mesh->normals);
  g_free (mesh->colors);
  g_free (mesh->labels);
  g_free (mesh->indices);
  *mesh = *welded;
  g_free (welded);

  /* Normals from before the weld belong to faces, not to the shared
   * vertices; recompute them rather than keep an arbitrary copy. */
  if (had_normals)
    op_mesh_compute_normals (mesh);
  op_mesh_compute_bounds (mesh);
}
