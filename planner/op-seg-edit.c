/* op-seg-edit.c: correcting segmentation labels, with exact undo.
 *
 * Every operation builds its change by walking the vertices in index
 * order, so the change lists them sorted and the same labels and request
 * always give the same bytes.  Geodesic walks use Dijkstra's algorithm
 * with ties broken by vertex index, for the same reason.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "op-fdi.h"
#include "op-seg-edit-private.h"

G_DEFINE_QUARK (op-seg-edit-error-quark, op_seg_edit_error)

/* FDI numbers are below 100; a table indexed by them is smaller than any
 * hash table and keeps iteration in number order. */
#define FDI_SLOTS 100

struct _OpSegEdits
{
  gint32    *labels;
  gsize      n;
  gboolean   upper;
  GPtrArray *changes;   /* OpSegChange*, oldest first */
  guint      depth;     /* changes[0 .. depth) are applied */
};

void
op_seg_change_free (OpSegChange *change)
{
  if (change == NULL)
    return;
  g_free (change->description);
  g_free (change->vertices);
  g_free (change->before);
  g_free (change->after);
  g_free (change);
}

static gboolean
change_swap (const OpSegChange *change,
             gint32            *labels,
             gsize              n,
             gboolean           forward)
{
  const gint32 *from = forward ? change->before : change->after;
  const gint32 *to = forward ? change->after : change->before;

  g_return_val_if_fail (change != NULL, FALSE);
  g_return_val_if_fail (labels != NULL || change->n_vertices == 0, FALSE);

  /* Check every vertex before writing any: a change applied to labels it
   * was not made for would mix two histories, and a half-applied one
   * could not be undone. */
  for (gsize i = 0; i < change->n_vertices; i++)
    {
      guint32 v = change->vertices[i];
      g_return_val_if_fail (v < n, FALSE);
      g_return_val_if_fail (labels[v] == from[i], FALSE);
    }
  for (gsize i = 0; i < change->n_vertices; i++)
    labels[change->vertices[i]] = to[i];
  return TRUE;
}

gboolean
op_seg_change_apply (const OpSegChange *change,
                     gint32            *labels,
                     gsize              n)
{
  return change_swap (change, labels, n, TRUE);
}

gboolean
op_seg_change_revert (const OpSegChange *change,
                      gint32            *labels,
                      gsize              n)
{
  return change_swap (change, labels, n, FALSE);
}

/* Builds a change from @labels and the new labels of the vertices marked
 * in @mask (new label in @target, or @target_const when @target is NULL).
 * Vertices whose label would not change are left out. */
OpSegChange *
op__seg_change_from_mask (const gint32 *labels,
                  gsize         n,
                  const guint8 *mask,
                  const gint32 *target,
                  gint32        target_const,
                  char         *description)
{
  OpSegChange *c = g_new0 (OpSegChange, 1);
  gsize k = 0;

  c->description = description;
  for (gsize v = 0; v < n; v++)
    if (mask[v] && labels[v] != (target ? target[v] : target_const))
      k++;
  c->n_vertices = k;
  c->vertices = g_new (guint32, MAX (k, 1));
  c->before = g_new (gint32, MAX (k, 1));
  c->after = g_new (gint32, MAX (k, 1));
  k = 0;
  for (gsize v = 0; v < n; v++)
    {
      gint32 to = target ? target[v] : target_const;
      if (mask[v] && labels[v] != to)
        {
          c->vertices[k] = (guint32) v;
          c->before[k] = labels[v];
          c->after[k] = to;
          k++;
        }
    }
  return c;
}

gboolean
op__seg_label_fits_jaw (int label,
                gboolean upper)
{
  return label == 0 || (op_fdi_is_valid (label) && op_fdi_is_upper (label) == upper);
}

gboolean
op_seg_labels_check (const gint32 *labels,
                     gsize         n,
                     gboolean      upper,
                     GError      **error)
{
  g_return_val_if_fail (labels != NULL || n == 0, FALSE);

  for (gsize v = 0; v < n; v++)
    if (!op__seg_label_fits_jaw (labels[v], upper))
      {
        g_set_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_LABEL,
                     "labels: vertex %" G_GSIZE_FORMAT " has label %d, which is neither 0 nor a tooth of the %s jaw",
                     v, labels[v], upper ? "upper" : "lower");
        return FALSE;
      }
  return TRUE;
}

static void
count_labels (const gint32 *labels,
              gsize         n,
              gsize         counts[FDI_SLOTS])
{
  memset (counts, 0, FDI_SLOTS * sizeof *counts);
  for (gsize v = 0; v < n; v++)
    if (labels[v] > 0 && labels[v] < FDI_SLOTS)
      counts[labels[v]]++;
}

guint
op_seg_labels_teeth (const gint32 *labels,
                     gsize         n,
                     int          *out_fdi,
                     gsize        *out_counts,
                     guint         max)
{
  gsize counts[FDI_SLOTS];
  guint k = 0;

  g_return_val_if_fail (labels != NULL || n == 0, 0);

  count_labels (labels, n, counts);
  for (int f = 1; f < FDI_SLOTS; f++)
    if (counts[f] > 0)
      {
        if (k < max)
          {
            if (out_fdi)
              out_fdi[k] = f;
            if (out_counts)
              out_counts[k] = counts[f];
          }
        k++;
      }
  return k;
}

static gsize
count_label (const gint32 *labels,
             gsize         n,
             int           label)
{
  gsize k = 0;
  for (gsize v = 0; v < n; v++)
    k += labels[v] == label;
  return k;
}

/* The checks shared by every operation that gives vertices a new tooth
 * number: a number of this jaw, not yet in use. */
gboolean
op__seg_check_new_number (const gint32 *labels,
                  gsize         n,
                  gboolean      upper,
                  int           number,
                  gboolean      allow_zero,
                  const char   *what,
                  GError      **error)
{
  if (number == 0 && allow_zero)
    return TRUE;
  if (!op_fdi_is_valid (number) || op_fdi_is_upper (number) != upper)
    {
      g_set_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_LABEL,
                   "%s: %d is not an FDI tooth number of the %s jaw", what, number, upper ? "upper" : "lower");
      return FALSE;
    }
  if (count_label (labels, n, number) > 0)
    {
      g_set_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_DUPLICATE,
                   "%s: tooth %d already exists on this scan; two teeth cannot share a number "
                   "(merge them if they are one tooth, or renumber the other first)", what, number);
      return FALSE;
    }
  return TRUE;
}

gboolean
op__seg_check_present (const gint32 *labels,
               gsize         n,
               gboolean      upper,
               int           fdi,
               const char   *what,
               GError      **error)
{
  if (!op_fdi_is_valid (fdi) || op_fdi_is_upper (fdi) != upper)
    {
      g_set_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_LABEL,
                   "%s: %d is not an FDI tooth number of the %s jaw", what, fdi, upper ? "upper" : "lower");
      return FALSE;
    }
  if (count_label (labels, n, fdi) == 0)
    {
      g_set_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_ABSENT,
                   "%s: no vertex is labelled as tooth %d", what, fdi);
      return FALSE;
    }
  return TRUE;
}

/* The change that gives every vertex of tooth @from the label @to,
 * described by @description (taken): renumbering and merging are both
 * this, after their own checks. */
static OpSegChange *
relabel_tooth (const gint32 *labels,
               gsize         n,
               int           from,
               int           to,
               char         *description)
{
  g_autofree guint8 *mask = g_new (guint8, MAX (n, 1));

  for (gsize v = 0; v < n; v++)
    mask[v] = labels[v] == from;
  return op__seg_change_from_mask (labels, n, mask, NULL, to, description);
}

OpSegChange *
op_seg_reassign (const gint32 *labels,
                 gsize         n,
                 gboolean      upper,
                 int           from,
                 int           to,
                 GError      **error)
{
  g_return_val_if_fail (labels != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!op__seg_check_present (labels, n, upper, from, "reassign", error) ||
      !op__seg_check_new_number (labels, n, upper, to, FALSE, "reassign", error))
    return NULL;
  return relabel_tooth (labels, n, from, to, g_strdup_printf ("reassign %d -> %d", from, to));
}

OpSegChange *
op_seg_merge (const gint32 *labels,
              gsize         n,
              gboolean      upper,
              int           keep,
              int           absorbed,
              GError      **error)
{
  g_return_val_if_fail (labels != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!op__seg_check_present (labels, n, upper, keep, "merge", error) ||
      !op__seg_check_present (labels, n, upper, absorbed, "merge", error))
    return NULL;
  if (keep == absorbed)
    {
      g_set_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_EMPTY,
                   "merge: tooth %d cannot be merged with itself", keep);
      return NULL;
    }
  return relabel_tooth (labels, n, absorbed, keep, g_strdup_printf ("merge %d into %d", absorbed, keep));
}

OpSegChange *
op_seg_split_plane (const OpMesh *mesh,
                    const gint32 *labels,
                    gboolean      upper,
                    int           fdi,
                    const float   a[3],
                    const float   b[3],
                    const float   dir[3],
                    int           new_label,
                    GError      **error)
{
  g_autofree guint8 *mask = NULL;
  double ab[3], nrm[3], len;
  gsize n_new = 0, n_keep = 0;

  g_return_val_if_fail (mesh != NULL && labels != NULL, NULL);
  g_return_val_if_fail (a != NULL && b != NULL && dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!op__seg_check_present (labels, mesh->n_vertices, upper, fdi, "split", error) ||
      !op__seg_check_new_number (labels, mesh->n_vertices, upper, new_label, TRUE, "split", error))
    return NULL;
  for (int i = 0; i < 3; i++)
    ab[i] = (double) b[i] - a[i];
  nrm[0] = ab[1] * dir[2] - ab[2] * dir[1];
  nrm[1] = ab[2] * dir[0] - ab[0] * dir[2];
  nrm[2] = ab[0] * dir[1] - ab[1] * dir[0];
  len = sqrt (nrm[0] * nrm[0] + nrm[1] * nrm[1] + nrm[2] * nrm[2]);
  /* Points closer than a micrometre, or a line along the view direction,
   * define no plane: the cut would be arbitrary. */
  if (!(len > 1e-6 * (1.0 + sqrt (ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2]))) || !isfinite (len))
    {
      g_set_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_GEOMETRY,
                   "split: the two points and the direction define no plane "
                   "(the points coincide or the line runs along the direction)");
      return NULL;
    }
  mask = g_new (guint8, mesh->n_vertices);
  for (gsize v = 0; v < mesh->n_vertices; v++)
    {
      const float *p = &mesh->positions[3 * v];
      double s = ((double) p[0] - a[0]) * nrm[0] + ((double) p[1] - a[1]) * nrm[1] + ((double) p[2] - a[2]) * nrm[2];

      mask[v] = labels[v] == fdi && s > 0.0;
      if (labels[v] == fdi)
        {
          n_new += mask[v];
          n_keep += !mask[v];
        }
    }
  if (n_new == 0 || n_keep == 0)
    {
      g_set_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_GEOMETRY,
                   "split: the cut does not cross tooth %d (all of its %" G_GSIZE_FORMAT " vertices lie on one side)",
                   fdi, n_new + n_keep);
      return NULL;
    }
  return op__seg_change_from_mask (labels, mesh->n_vertices, mask, NULL, new_label,
                           g_strdup_printf ("split %d by a plane, part -> %d", fdi, new_label));
}

OpMesh *
op_seg_extract_label (const OpMesh *mesh,
                      const gint32 *labels,
                      int           label)
{
  g_autofree guint32 *remap = NULL;
  OpMesh *out;
  gsize nt = 0, nv = 0;

  g_return_val_if_fail (mesh != NULL && labels != NULL, NULL);

  remap = g_new (guint32, MAX (mesh->n_vertices, 1));
  for (gsize v = 0; v < mesh->n_vertices; v++)
    remap[v] = G_MAXUINT32;
#define TRI_LABEL(t) \
  ((labels[mesh->indices[3 * (t)]] == labels[mesh->indices[3 * (t) + 1]] && \
    labels[mesh->indices[3 * (t)]] == labels[mesh->indices[3 * (t) + 2]]) ? labels[mesh->indices[3 * (t)]] : 0)
  for (gsize t = 0; t < mesh->n_triangles; t++)
    if (TRI_LABEL (t) == label)
      {
        nt++;
        for (int k = 0; k < 3; k++)
          remap[mesh->indices[3 * t + k]] = 0;
      }
  for (gsize v = 0; v < mesh->n_vertices; v++)
    if (remap[v] != G_MAXUINT32)
      remap[v] = (guint32) nv++;
  out = op_mesh_new (nv, nt, (mesh->normals ? OP_MESH_ATTR_NORMALS : 0) | (mesh->labels ? OP_MESH_ATTR_LABELS : 0));
  for (gsize v = 0; v < mesh->n_vertices; v++)
    if (remap[v] != G_MAXUINT32)
      {
        memcpy (&out->positions[3 * remap[v]], &mesh->positions[3 * v], 3 * sizeof (float));
        if (mesh->normals)
          memcpy (&out->normals[3 * remap[v]], &mesh->normals[3 * v], 3 * sizeof (float));
        if (mesh->labels)
          out->labels[remap[v]] = label;
      }
  nt = 0;
  for (gsize t = 0; t < mesh->n_triangles; t++)
    if (TRI_LABEL (t) == label)
      {
        for (int k = 0; k < 3; k++)
          out->indices[3 * nt + k] = remap[mesh->indices[3 * t + k]];
        nt++;
      }
#undef TRI_LABEL
  op_mesh_compute_bounds (out);
  return out;
}

guint
op_seg_corrected_confidence (const gint32 *base,
                             const gint32 *labels,
                             gsize         n,
                             const int    *base_fdi,
                             const float  *base_confidence,
                             guint         n_base,
                             float        *out_confidence,
                             guint         max)
{
  gboolean touched[FDI_SLOTS] = { FALSE };
  float conf[FDI_SLOTS] = { 0.f };
  gboolean known[FDI_SLOTS] = { FALSE };
  gsize counts[FDI_SLOTS];
  guint k = 0;

  g_return_val_if_fail (base != NULL && labels != NULL, 0);
  g_return_val_if_fail (base_fdi != NULL || n_base == 0, 0);

  for (guint i = 0; i < n_base; i++)
    if (base_fdi[i] > 0 && base_fdi[i] < FDI_SLOTS)
      {
        conf[base_fdi[i]] = base_confidence[i];
        known[base_fdi[i]] = TRUE;
      }
  /* A vertex whose label changed changes the vertex set of both teeth it
   * moved between: neither is the automatic result any more. */
  for (gsize v = 0; v < n; v++)
    if (base[v] != labels[v])
      {
        if (base[v] > 0 && base[v] < FDI_SLOTS)
          touched[base[v]] = TRUE;
        if (labels[v] > 0 && labels[v] < FDI_SLOTS)
          touched[labels[v]] = TRUE;
      }
  count_labels (labels, n, counts);
  for (int f = 1; f < FDI_SLOTS; f++)
    if (counts[f] > 0)
      {
        if (k < max)
          out_confidence[k] = touched[f] ? 1.f : known[f] ? conf[f] : 0.f;
        k++;
      }
  return k;
}

/* ---- the undo stack ------------------------------------------------- */

OpSegEdits *
op_seg_edits_new (const gint32 *labels,
                  gsize         n,
                  gboolean      upper)
{
  OpSegEdits *e;

  g_return_val_if_fail (labels != NULL || n == 0, NULL);

  e = g_new0 (OpSegEdits, 1);
  e->labels = g_new (gint32, MAX (n, 1));
  if (n > 0)
    memcpy (e->labels, labels, n * sizeof *labels);
  e->n = n;
  e->upper = upper;
  e->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) op_seg_change_free);
  return e;
}

void
op_seg_edits_free (OpSegEdits *edits)
{
  if (edits == NULL)
    return;
  g_free (edits->labels);
  g_ptr_array_unref (edits->changes);
  g_free (edits);
}

const gint32 *
op_seg_edits_get_labels (const OpSegEdits *edits,
                         gsize            *n)
{
  g_return_val_if_fail (edits != NULL, NULL);
  if (n)
    *n = edits->n;
  return edits->labels;
}

gboolean
op_seg_edits_is_upper (const OpSegEdits *edits)
{
  g_return_val_if_fail (edits != NULL, FALSE);
  return edits->upper;
}

gboolean
op_seg_edits_push (OpSegEdits  *edits,
                   OpSegChange *change)
{
  g_return_val_if_fail (edits != NULL, FALSE);
  g_return_val_if_fail (change != NULL, FALSE);

  if (!op_seg_change_apply (change, edits->labels, edits->n))
    {
      op_seg_change_free (change);
      return FALSE;
    }
  /* A new edit after undoing makes the undone ones unreachable. */
  g_ptr_array_set_size (edits->changes, edits->depth);
  g_ptr_array_add (edits->changes, change);
  edits->depth++;
  return TRUE;
}

gboolean
op_seg_edits_can_undo (const OpSegEdits *edits)
{
  g_return_val_if_fail (edits != NULL, FALSE);
  return edits->depth > 0;
}

gboolean
op_seg_edits_can_redo (const OpSegEdits *edits)
{
  g_return_val_if_fail (edits != NULL, FALSE);
  return edits->depth < edits->changes->len;
}

const OpSegChange *
op_seg_edits_peek_undo (const OpSegEdits *edits)
{
  g_return_val_if_fail (edits != NULL, NULL);
  return edits->depth > 0 ? g_ptr_array_index (edits->changes, edits->depth - 1) : NULL;
}

const OpSegChange *
op_seg_edits_peek_redo (const OpSegEdits *edits)
{
  g_return_val_if_fail (edits != NULL, NULL);
  return edits->depth < edits->changes->len ? g_ptr_array_index (edits->changes, edits->depth) : NULL;
}

gboolean
op_seg_edits_undo (OpSegEdits *edits)
{
  g_return_val_if_fail (edits != NULL, FALSE);

  if (edits->depth == 0 ||
      !op_seg_change_revert (g_ptr_array_index (edits->changes, edits->depth - 1), edits->labels, edits->n))
    return FALSE;
  edits->depth--;
  return TRUE;
}

gboolean
op_seg_edits_redo (OpSegEdits *edits)
{
  g_return_val_if_fail (edits != NULL, FALSE);

  if (edits->depth >= edits->changes->len ||
      !op_seg_change_apply (g_ptr_array_index (edits->changes, edits->depth), edits->labels, edits->n))
    return FALSE;
  edits->depth++;
  return TRUE;
}

guint
op_seg_edits_get_depth (const OpSegEdits *edits)
{
  g_return_val_if_fail (edits != NULL, 0);
  return edits->depth;
}

const OpSegChange *
op_seg_edits_get_change (const OpSegEdits *edits,
                         guint             i)
{
  g_return_val_if_fail (edits != NULL, NULL);
  g_return_val_if_fail (i < edits->depth, NULL);
  return g_ptr_array_index (edits->changes, i);
}
