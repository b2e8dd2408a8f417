/* op-collide.h: how deep two teeth overlap, or how far apart they are.
 *
 * Each tooth has an OpBvh built once in its initial pose; a query takes
 * both trees and the rigid transforms (column-major 4x4, patient frame, mm,
 * e.g. from op_movement_to_matrix()) that carry each tooth to where it is
 * at a stage.
 *
 * The measure: s(A, B) = min over the vertices v of A of the signed
 * distance from v to the surface of B (negative inside B), and the result
 * is min(s(A, B), s(B, A)).  When the teeth overlap, its negation is the
 * deepest any vertex of either tooth reaches inside the other: the
 * penetration depth in mm of CLINICAL.md.  When they do not, it is the
 * smallest vertex-to-surface gap, which is the true surface distance to
 * within the mesh's edge length (about 0.3 mm on the real teeth) and never
 * smaller than it.  The measure is symmetric by construction.
 *
 * Speed comes from three things.  The bounding spheres and boxes decide
 * pairs that are far apart without touching a tree.  The vertex tree is
 * walked branch and bound: a node whose sphere centre lies at signed
 * distance d from B cannot hold a vertex below d - radius, so it is skipped
 * when that cannot beat the best value found so far by more than
 * @tolerance.  That is vertex subsampling with a bound: the answer is
 * within @tolerance of the exact minimum over all vertices.  And the
 * distance queries in B's tree are bounded by the same test.
 *
 * Deterministic: the same trees, transforms and options give the same
 * bytes out.  Thread-safe for distinct @stats.
 */
#pragma once

#include "op-bvh.h"

G_BEGIN_DECLS

/* Zero-initialised options mean the defaults below. */
typedef struct {
  /* Gaps wider than this are not measured: the result says "at least
   * this far".  0 means 1.0 mm. */
  double max_distance;
  /* How far from the exact vertex minimum the answer may be, mm.  0 means
   * 0.01 mm; negative means exact (slower). */
  double tolerance;
  /* When > 0, overlaps up to this depth (mm) are not measured: such a pair
   * reports penetration exactly 0 with @shallow set, whether it touches,
   * overlaps that little or stands apart.  Deeper overlaps are measured as
   * usual.  Checking every pair at the 0.05 mm warning level this way skips
   * most of the work on teeth that merely touch.  0 means off. */
  double min_depth;
} OpCollideOptions;

typedef struct {
  /* > 0: penetration depth in mm.  <= 0: minus the gap in mm.  When the
   * gap is wider than max_distance, exactly -max_distance. */
  double   penetration;
  /* The deepest (or closest) vertex and its closest point on the other
   * tooth, midway between them, in the patient frame. */
  float    point[3];
  /* Unit vector along which B moves away from A to separate them (or to
   * widen the gap): the other tooth's surface normal at the contact,
   * turned to point from A towards B. */
  float    direction[3];
  /* Which tooth the deepest vertex belongs to: 0 = A, 1 = B. */
  int      from;
  /* TRUE when the bounding volumes alone decided (no tree was walked). */
  gboolean early_out;
  /* TRUE when min_depth was asked for and the overlap is no deeper. */
  gboolean shallow;
} OpCollideResult;

/* Counts for benchmarks; the caller owns it and may share one per thread. */
typedef struct {
  guint64 pair_queries;      /* calls of op_collide_pair() */
  guint64 early_outs;        /* of which the bounding volumes decided */
  guint64 point_queries;     /* signed-distance queries into a tree */
} OpCollideStats;

/* Measures teeth @a under @matrix_a against @b under @matrix_b.  @options,
 * @out and @stats may be NULL.  Returns the penetration (as in
 * OpCollideResult) for convenience. */
double     op_collide_pair      (const OpBvh            *a,
                                 const float             matrix_a[16],
                                 const OpBvh            *b,
                                 const float             matrix_b[16],
                                 const OpCollideOptions *options,
                                 OpCollideResult        *out,
                                 OpCollideStats         *stats);

/* The same by visiting every vertex of both teeth and every triangle of
 * the other: the reference the tests hold op_collide_pair() to.  Slow. */
double     op_collide_pair_brute_force (const OpBvh     *a,
                                        const float      matrix_a[16],
                                        const OpBvh     *b,
                                        const float      matrix_b[16],
                                        double           max_distance);

/* Which pairs of teeth can touch: every tooth with its neighbour in the
 * arch (the next tooth present towards the midline, across it for the
 * central incisors), and, when @occlusion is TRUE, each upper tooth with
 * the lower teeth within one position of it along the arch (cusps meet the
 * antagonist and its neighbour).  @fdi lists the teeth present (any order,
 * no repeats).  Writes at most @max_pairs pairs into @out_pairs (2 FDI
 * numbers each, the first the upper or the more mesial-right tooth) in a
 * fixed order, and returns how many pairs there are in all. */
guint      op_collide_list_pairs (const int *fdi,
                                  guint      n_teeth,
                                  gboolean   occlusion,
                                  int       *out_pairs,
                                  guint      max_pairs);

G_END_DECLS
