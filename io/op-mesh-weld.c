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

/* Welding a million triangles is mostly waiting on cache misses: one
 * meshopt call over 3M corners hashes into a table far larger than the
 * cache, and every new position costs a miss or two.  Scans list their
 * triangles with spatial coherence (neighbours near each other in the
 * file), so large unindexed inputs are welded in three steps, each of
 * whose hash tables stays in cache:
 *
 *   1. blocks of 16k triangles are welded on their own (two threads), and
 *      each block's new positions are sorted by a hash of their bytes into
 *      one of OP_WELD_PARTS partitions;
 *   2. each partition is welded on its own (two threads); equal positions
 *      have equal bytes and so land in the same partition, which makes this
 *      the same as welding all the blocks' positions together;
 *   3. one pass in order numbers the positions.
 *
 * Merging the blocks' positions in one meshopt call instead took half the
 * weld's time (45 ms of 90 for 1M triangles), almost all of it cache misses.
 * The result is the same, byte for byte, as one meshopt call over the whole:
 * meshopt numbers vertices in order of first appearance, a block's new
 * positions are met in that order, and the numbering pass keeps it, which
 * /io/mesh/stl-large-weld and /io/mesh/stl-large-weld-shuffled check. */
#define OP_BLOCKED_WELD_MIN_VERTICES (3 * 100000)
#define OP_WELD_BLOCK (3 * 16384)
#define OP_WELD_PARTS 64

/* A block's new position, numbered in the order the job met it: the
 * merged number is the job's first merged number plus @number.  Keeping
 * the position beside it lets step 2 read its partitions front to back
 * instead of chasing source vertices across the whole input. */
typedef struct {
  float   position[3];
  guint32 number;
} WeldEntry;

typedef struct {
  const float  *positions;
  gsize         n_vertices;
  unsigned int *remap;
  gsize        *unique;              /* one count per block */
  gsize         first_block;
  gsize         end_block;
  gsize         base;                /* merged number of the first block's first position */
  GArray       *parts[OP_WELD_PARTS]; /* WeldEntry */
} BlockJob;

typedef struct {
  const BlockJob *jobs;
  guint           n_jobs;
  guint32        *rep;               /* per merged number: merged number of its first equal */
  float          *merged;            /* per merged number that is its own rep: the position */
  guint           first_part;
  guint           end_part;
  gsize           unique;            /* distinct positions found in these partitions */
} PartJob;

/* Partitions by the position's bytes, not its value: meshopt compares
 * bytes, so 0.0 and -0.0 stay apart here exactly as they do there. */
static inline guint
weld_part (const float *p)
{
  guint32 w[3], h;

  memcpy (w, p, sizeof w);
  h = w[0] * 0x9E3779B1u;
  h = (h ^ (h >> 15) ^ w[1]) * 0x85EBCA77u;
  h = (h ^ (h >> 13) ^ w[2]) * 0xC2B2AE3Du;
  return (h >> 16) & (OP_WELD_PARTS - 1);
}

static gpointer
block_job_run (gpointer data)
{
  BlockJob *job = data;
  guint32 number = 0;

  for (gsize b = job->first_block; b < job->end_block; b++)
    {
      gsize start = b * OP_WELD_BLOCK, n = MIN (job->n_vertices - start, OP_WELD_BLOCK);
      const unsigned int *remap = job->remap + start;
      const float *pos = job->positions + 3 * start;
      unsigned int seen = 0;

      job->unique[b] = meshopt_generateVertexRemap (job->remap + start, NULL, n,
                                                    job->positions + 3 * start, n,
                                                    3 * sizeof (float));
      /* meshopt hands out numbers in order, so a vertex whose number is the
       * next one not yet seen is the first of its position in the block.
       * The block's positions are still in cache, so sort them now. */
      for (gsize v = 0; v < n; v++)
        if (remap[v] == seen)
          {
            WeldEntry e = { { pos[3 * v], pos[3 * v + 1], pos[3 * v + 2] }, number++ };

            g_array_append_val (job->parts[weld_part (e.position)], e);
            seen++;
          }
      g_assert (seen == job->unique[b]);
    }
  return NULL;
}

static gpointer
part_job_run (gpointer data)
{
  PartJob *job = data;
  g_autofree float *scratch = NULL;
  g_autofree unsigned int *local = NULL;
  g_autofree guint32 *first = NULL;
  gsize capacity = 0;

  for (guint p = job->first_part; p < job->end_part; p++)
    {
      gsize n = 0, padded, i = 0, seen = 0;

      for (guint j = 0; j < job->n_jobs; j++)
        n += job->jobs[j].parts[p]->len;
      if (n == 0)
        continue;
      /* meshopt wants whole triangles; padding repeats the last position,
       * which adds no new vertex. */
      padded = (n + 2) / 3 * 3;
      if (padded > capacity)
        {
          capacity = MAX (padded, 2 * capacity);
          g_free (scratch);
          g_free (local);
          g_free (first);
          scratch = g_new (float, 3 * capacity);
          local = g_new (unsigned int, capacity);
          first = g_new (guint32, capacity);
        }

      /* The first job holds the earlier blocks, so the partition's
       * positions are gathered in the order of their merged numbers. */
      for (guint j = 0; j < job->n_jobs; j++)
        {
          const GArray *list = job->jobs[j].parts[p];

          for (guint k = 0; k < list->len; k++, i++)
            memcpy (&scratch[3 * i], g_array_index (list, WeldEntry, k).position,
                    3 * sizeof (float));
        }
      for (; i < padded; i++)
        memcpy (&scratch[3 * i], &scratch[3 * (n - 1)], 3 * sizeof (float));

      meshopt_generateVertexRemap (local, NULL, padded, scratch, padded, 3 * sizeof (float));

      i = 0;
      for (guint j = 0; j < job->n_jobs; j++)
        {
          const GArray *list = job->jobs[j].parts[p];

          for (guint k = 0; k < list->len; k++, i++)
            {
              const WeldEntry *e = &g_array_index (list, WeldEntry, k);
              guint32 m = (guint32) (job->jobs[j].base + e->number);

              if (local[i] == seen)
                {
                  first[seen++] = m;
                  memcpy (&job->merged[3 * (gsize) m], e->position, 3 * sizeof (float));
                }
              job->rep[m] = first[local[i]];
            }
        }
      job->unique += seen;
    }
  return NULL;
}

/* Welds unindexed @positions (three vertices per triangle, at least
 * OP_BLOCKED_WELD_MIN_VERTICES of them) as described above.  Fills @remap
 * with the welded number of every vertex, which is the index buffer, and
 * returns the unique positions in that numbering (g_free them). */
static float *
weld_blocked (const float     *positions,
              gsize            n_vertices,
              unsigned int    *remap,
              OpWeldInputDone  input_done,
              gpointer         user_data,
              gsize           *out_unique)
{
  g_autofree gsize *unique = NULL;
  g_autofree gsize *offset = NULL;
  g_autofree guint32 *rep = NULL;
  g_autofree float *merged = NULL;
  BlockJob blocks[2];
  PartJob parts[2];
  GThread *thread = NULL;
  gboolean two = g_get_num_processors () > 1;
  gsize n_blocks, n_merged = 0, n_unique, next = 0;
  float *out;

  /* Blocks hold whole triangles, as meshopt insists on a multiple of 3. */
  G_STATIC_ASSERT (OP_WELD_BLOCK % 3 == 0);
  G_STATIC_ASSERT ((OP_WELD_PARTS & (OP_WELD_PARTS - 1)) == 0);
  g_assert (n_vertices <= G_MAXUINT32);
  n_blocks = (n_vertices + OP_WELD_BLOCK - 1) / OP_WELD_BLOCK;
  unique = g_new0 (gsize, n_blocks);
  offset = g_new0 (gsize, n_blocks);

  for (int j = 0; j < 2; j++)
    {
      blocks[j] = (BlockJob) { positions, n_vertices, remap, unique,
                               j == 0 ? 0 : n_blocks / 2, j == 0 ? n_blocks / 2 : n_blocks, 0 };
      for (guint p = 0; p < OP_WELD_PARTS; p++)
        blocks[j].parts[p] = g_array_sized_new (FALSE, FALSE, sizeof (WeldEntry),
                                                (guint) (n_vertices / 6 / OP_WELD_PARTS / 2));
    }
  if (two)
    thread = g_thread_try_new ("op-mesh-weld", block_job_run, &blocks[1], NULL);
  block_job_run (&blocks[0]);
  if (thread != NULL)
    g_thread_join (thread);
  else
    block_job_run (&blocks[1]);
  /* From here on the weld reads only its own copies of the positions. */
  if (input_done != NULL)
    input_done (user_data);

  for (gsize b = 0; b < n_blocks; b++)
    {
      offset[b] = n_merged;
      n_merged += unique[b];
    }
  blocks[1].base = offset[blocks[1].first_block];
  rep = g_new (guint32, n_merged);
  merged = g_new (float, 3 * n_merged);

  for (int j = 0; j < 2; j++)
    parts[j] = (PartJob) { blocks, 2, rep, merged,
                           j == 0 ? 0 : OP_WELD_PARTS / 2,
                           j == 0 ? OP_WELD_PARTS / 2 : OP_WELD_PARTS, 0 };
  thread = two ? g_thread_try_new ("op-mesh-weld", part_job_run, &parts[1], NULL) : NULL;
  part_job_run (&parts[0]);
  if (thread != NULL)
    g_thread_join (thread);
  else
    part_job_run (&parts[1]);
  for (int j = 0; j < 2; j++)
    for (guint p = 0; p < OP_WELD_PARTS; p++)
      g_array_unref (blocks[j].parts[p]);

  /* Number the distinct positions in merged order, which is the order of
   * first appearance.  A position's first equal comes no later than
   * itself, so its number is known by the time it is needed; rep is
   * overwritten with the final numbers as we go. */
  n_unique = parts[0].unique + parts[1].unique;
  out = g_new (float, 3 * MAX (n_unique, 1));
  for (gsize m = 0; m < n_merged; m++)
    {
      guint32 r = rep[m];

      if (r == m)
        {
          memcpy (&out[3 * next], &merged[3 * m], 3 * sizeof (float));
          rep[m] = (guint32) next++;
        }
      else
        rep[m] = rep[r];
    }
  g_assert (next == n_unique);

  for (gsize b = 0; b < n_blocks; b++)
    {
      gsize start = b * OP_WELD_BLOCK, end = MIN (n_vertices, start + OP_WELD_BLOCK);

      for (gsize v = start; v < end; v++)
        remap[v] = rep[offset[b] + remap[v]];
    }
  *out_unique = n_unique;
  return out;
}

OpMesh *
op__mesh_weld_arrays (const float    *positions,
                      gsize           n_vertices,
                      const guint32  *indices,
                      gsize           n_indices,
                      const guint8   *colors,
                      const gint32   *labels,
                      OpWeldInputDone input_done,
                      gpointer        user_data)
{
  g_autofree unsigned int *remap = NULL;
  g_autofree float *welded = NULL;
  OpMeshAttrs attrs = OP_MESH_ATTR_NONE;
  OpMesh *mesh;
  gsize unique;

  g_assert (n_indices % 3 == 0);
  g_assert (indices != NULL || n_indices == n_vertices);

  /* Positions only (12 bytes): STL repeats every vertex once per face with
   * the face's normal, so welding on anything more would weld nothing. */
  remap = g_new (unsigned int, MAX (n_vertices, 1));
  if (indices == NULL && n_vertices >= OP_BLOCKED_WELD_MIN_VERTICES)
    {
      /* With colours or labels to carry over, the input is read again
       * below, so it may only be released at the end. */
      gboolean early = colors == NULL && labels == NULL;

      welded = weld_blocked (positions, n_vertices, remap, early ? input_done : NULL,
                             user_data, &unique);
      if (early)
        input_done = NULL;
    }
  else
    unique = meshopt_generateVertexRemap (remap, indices, n_indices, positions, n_vertices,
                                          3 * sizeof (float));

  if (colors)
    attrs |= OP_MESH_ATTR_COLORS;
  if (labels)
    attrs |= OP_MESH_ATTR_LABELS;
  mesh = op_mesh_new (unique, n_indices / 3, attrs);
  if (welded != NULL)
    {
      g_free (mesh->positions);
      mesh->positions = g_steal_pointer (&welded);
    }
  else
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

  if (input_done != NULL)
    input_done (user_data);
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
                                 3 * mesh->n_triangles, mesh->colors, mesh->labels,
                                 NULL, NULL);

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
