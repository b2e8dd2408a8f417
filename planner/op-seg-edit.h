/* op-seg-edit.h: correcting the labels of a segmented arch.
 *
 * A segmentation is a label per vertex of one arch mesh: 0 for gingiva,
 * base or anything else, otherwise the FDI number of a tooth.  Automatic
 * segmentation gets some teeth wrong; a person corrects them with the
 * operations below: reassign a tooth's number, merge two teeth, split one
 * into two, and paint or erase with a brush.
 *
 * Every operation reads the labels and writes nothing into them: it
 * returns an OpSegChange, the exact list of vertices whose label changes
 * with their label before and after.  Applying a change and reverting it
 * are exact inverses, so an undo stack (OpSegEdits) gives back the very
 * bytes it started from.  Operations validate what a person asks for
 * (numbers of the wrong jaw, a number already in use, a tooth that is not
 * there) and say so in an OP_SEG_EDIT_ERROR.  The same input always gives
 * the same change.
 */
#pragma once

#include "op-mesh.h"

G_BEGIN_DECLS

#define OP_SEG_EDIT_ERROR (op_seg_edit_error_quark ())
GQuark op_seg_edit_error_quark (void);

typedef enum {
  OP_SEG_EDIT_ERROR_LABEL,      /* not 0 or an FDI number of this jaw */
  OP_SEG_EDIT_ERROR_DUPLICATE,  /* the new number is already a tooth */
  OP_SEG_EDIT_ERROR_ABSENT,     /* the tooth to edit has no vertex */
  OP_SEG_EDIT_ERROR_EMPTY,      /* the edit would change nothing */
  OP_SEG_EDIT_ERROR_VERTEX,     /* a vertex index outside the mesh */
  OP_SEG_EDIT_ERROR_GEOMETRY,   /* a cut or seed that does not divide the tooth */
} OpSegEditError;

/* The labels that changed: @n_vertices vertex indices in increasing
 * order, with the label each had before and has after. */
typedef struct {
  char    *description;  /* for a person and the audit log: "reassign 16 -> 17" */
  gsize    n_vertices;
  guint32 *vertices;
  gint32  *before;
  gint32  *after;
} OpSegChange;

void     op_seg_change_free    (OpSegChange *change);
/* Writes the after labels into @labels (@n labels), or the before labels
 * when reverting.  @labels must hold, at every changed vertex, the label
 * that side of the change expects; the function checks it with
 * g_return_val_if_fail and changes nothing (FALSE) when it does not. */
gboolean op_seg_change_apply   (const OpSegChange *change,
                                gint32            *labels,
                                gsize              n);
gboolean op_seg_change_revert  (const OpSegChange *change,
                                gint32            *labels,
                                gsize              n);

/* Checks that every label is 0 or an FDI number of the given jaw
 * (permanent or primary), naming the first vertex that is not. */
gboolean op_seg_labels_check   (const gint32 *labels,
                                gsize         n,
                                gboolean      upper,
                                GError      **error);

/* The distinct tooth numbers in @labels, sorted, written to @out_fdi
 * (room for @max); returns how many there are (which may exceed @max).
 * @out_counts (may be NULL) gets the vertex count of each. */
guint    op_seg_labels_teeth   (const gint32 *labels,
                                gsize         n,
                                int          *out_fdi,
                                gsize        *out_counts,
                                guint         max);

/* Vertex adjacency of a mesh in compressed rows: the neighbours of vertex
 * v are neighbours[offsets[v] .. offsets[v + 1]), sorted, without
 * repeats.  The brush and the seeded split walk it. */
typedef struct {
  gsize    n_vertices;
  gsize   *offsets;      /* n_vertices + 1 */
  guint32 *neighbours;
} OpSegAdjacency;

OpSegAdjacency *op_seg_adjacency_new  (const OpMesh   *mesh);
void            op_seg_adjacency_free (OpSegAdjacency *adjacency);

/* The vertex of @mesh nearest to @point (mm), the first one on a tie,
 * among the vertices labelled @label when @labels is not NULL (a click on
 * a tooth picks a vertex of that tooth even where the gingiva is nearer);
 * G_MAXUINT32 when there is none. */
guint32  op_seg_nearest_vertex (const OpMesh *mesh,
                                const gint32 *labels,
                                int           label,
                                const float   point[3]);

/* Where a click lands: the first triangle the ray from @origin along @dir
 * (mm; @dir need not be unit length) meets, and of its corners the one
 * nearest the hit point, which @out_hit (may be NULL) receives.
 * G_MAXUINT32 when the ray meets nothing.  A plain loop over the
 * triangles: a few milliseconds for a scan, once per click. */
guint32  op_seg_ray_vertex     (const OpMesh *mesh,
                                const float   origin[3],
                                const float   dir[3],
                                float         out_hit[3]);

/* Renumbers tooth @from to @to.  @to must be an FDI number of the jaw
 * (@upper) that no vertex carries yet: two teeth with one number would
 * be one tooth to every step after this (OP_SEG_EDIT_ERROR_DUPLICATE,
 * which suggests merging instead). */
OpSegChange *op_seg_reassign (const gint32 *labels,
                              gsize         n,
                              gboolean      upper,
                              int           from,
                              int           to,
                              GError      **error);

/* Makes tooth @absorbed part of tooth @keep: every vertex of @absorbed
 * takes @keep's number.  Both must be present and different. */
OpSegChange *op_seg_merge    (const gint32 *labels,
                              gsize         n,
                              gboolean      upper,
                              int           keep,
                              int           absorbed,
                              GError      **error);

/* Splits tooth @fdi by a plane, the way a person draws a line across it:
 * the plane holds @a and @b (picked points, mm) and the direction @dir
 * (the view direction, towards the scene).  The vertices of @fdi with
 * dot(p - a, (b - a) x dir) > 0 take @new_label, the others keep @fdi;
 * for a line drawn from left to right on the screen that is the part
 * above it.  @new_label is 0 (cut a piece off to the gingiva) or an FDI
 * number of the jaw that no vertex carries yet.  A plane that leaves one
 * side empty fails with OP_SEG_EDIT_ERROR_GEOMETRY. */
OpSegChange *op_seg_split_plane (const OpMesh *mesh,
                                 const gint32 *labels,
                                 gboolean      upper,
                                 int           fdi,
                                 const float   a[3],
                                 const float   b[3],
                                 const float   dir[3],
                                 int           new_label,
                                 GError      **error);

/* Splits tooth @fdi between two seed vertices, as a person clicks the
 * middle of each of two teeth that were found as one: every vertex of
 * @fdi goes to the seed nearer to it along the tooth's own surface
 * (geodesic distance over the mesh edges, through vertices of @fdi only,
 * with edges in concave folds made longer so that the border settles in
 * the groove between two touching crowns).  The part of @seed_new takes @new_label, an FDI number of the jaw
 * that no vertex carries yet.  Both seeds must be vertices of @fdi;
 * vertices of @fdi reached from neither seed stay with @fdi. */
OpSegChange *op_seg_split_seeds (const OpMesh         *mesh,
                                 const OpSegAdjacency *adjacency,
                                 const gint32         *labels,
                                 gboolean              upper,
                                 int                   fdi,
                                 guint32               seed_keep,
                                 guint32               seed_new,
                                 int                   new_label,
                                 GError              **error);

/* A brush stroke of one dab.  Zero-initialised: a Euclidean brush that
 * changes any label. */
typedef struct {
  guint32  vertex;        /* the picked vertex, the brush's centre */
  float    radius_mm;     /* > 0 */
  /* Distance along the surface (over the mesh edges) rather than the
   * straight line from the centre.  Either way the brush only spreads
   * over surface connected to the centre inside the radius, so it never
   * jumps to the neighbouring tooth across a gap or to the opposite side
   * of a thin cusp. */
  gboolean geodesic;
  gint32   label;         /* 0 erases to gingiva, else an FDI number of the jaw */
  /* Leave the vertices of other teeth (neither 0 nor @label) as they
   * are: painting a tooth then only takes gingiva. */
  gboolean spare_other_teeth;
} OpSegBrush;

/* The vertices within the brush get @brush->label.  A stroke that
 * changes no label fails with OP_SEG_EDIT_ERROR_EMPTY, so that an undo
 * stack holds only real edits. */
OpSegChange *op_seg_paint    (const OpMesh         *mesh,
                              const OpSegAdjacency *adjacency,
                              const gint32         *labels,
                              gboolean              upper,
                              const OpSegBrush     *brush,
                              GError              **error);

/* The part of @mesh that shows label @label, for drawing and picking one
 * tooth at a time: the triangles whose three corners all carry @label, or
 * for @label 0 every triangle that is not wholly one tooth's (so the
 * pieces together cover the mesh once).  Only the vertices used are kept,
 * in their original order, with normals when @mesh has them; the labels
 * of the result are @label when @mesh has labels.  A label with no
 * triangle gives a mesh with no triangles. */
OpMesh  *op_seg_extract_label (const OpMesh *mesh,
                               const gint32 *labels,
                               int           label);

/* Confidence per tooth of corrected labels: a tooth whose vertex set is
 * exactly what it was in the automatic labels @base keeps its confidence
 * from @base_fdi/@base_confidence (@n_base teeth; 0 when it has none
 * there), any other tooth was drawn or confirmed by a person and gets 1.
 * Writes one value per tooth of op_seg_labels_teeth (@labels) order into
 * @out_confidence (room for @max) and returns the tooth count. */
guint    op_seg_corrected_confidence (const gint32 *base,
                                      const gint32 *labels,
                                      gsize         n,
                                      const int    *base_fdi,
                                      const float  *base_confidence,
                                      guint         n_base,
                                      float        *out_confidence,
                                      guint         max);

/* An undo stack over one label array.  It owns a copy of the labels and
 * the changes done to them; undo and redo move through the changes, and a
 * new change after an undo drops the ones that could have been redone. */
typedef struct _OpSegEdits OpSegEdits;

OpSegEdits    *op_seg_edits_new       (const gint32 *labels,
                                       gsize         n,
                                       gboolean      upper);
void           op_seg_edits_free      (OpSegEdits   *edits);
/* The labels as they are now (n of them; borrowed, changes with the stack). */
const gint32  *op_seg_edits_get_labels (const OpSegEdits *edits,
                                        gsize            *n);
gboolean       op_seg_edits_is_upper  (const OpSegEdits *edits);
/* Applies @change (taking it) and records it; TRUE when it applied. */
gboolean       op_seg_edits_push      (OpSegEdits   *edits,
                                       OpSegChange  *change);
gboolean       op_seg_edits_can_undo  (const OpSegEdits *edits);
gboolean       op_seg_edits_can_redo  (const OpSegEdits *edits);
/* The change that undo (or redo) would act on, or NULL; borrowed. */
const OpSegChange *op_seg_edits_peek_undo (const OpSegEdits *edits);
const OpSegChange *op_seg_edits_peek_redo (const OpSegEdits *edits);
gboolean       op_seg_edits_undo      (OpSegEdits   *edits);
gboolean       op_seg_edits_redo      (OpSegEdits   *edits);
/* How many changes are applied now (the undo depth). */
guint          op_seg_edits_get_depth (const OpSegEdits *edits);
/* The @i-th applied change, oldest first (@i below the depth); borrowed. */
const OpSegChange *op_seg_edits_get_change (const OpSegEdits *edits,
                                            guint             i);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpSegChange, op_seg_change_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpSegAdjacency, op_seg_adjacency_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpSegEdits, op_seg_edits_free)

G_END_DECLS
