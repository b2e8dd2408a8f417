/* op-model.h: printable models of one arch at one stage, for in-house
 * aligner manufacturing.
 *
 * A model is the arch's crowns in their pose at a stage of the plan, the
 * attachment bumps bonded by then, and a flat-bottomed base that holds
 * the teeth together, all united into ONE watertight surface.  The union is
 * made in a voxel grid (op-voxelize.h) and the surface taken by marching
 * cubes (op-marching.h): meshes of separate crowns that touch or overlap
 * cannot be united robustly by mesh booleans, and a grid always gives a
 * closed, consistently oriented surface.  The price would be teeth
 * reproduced to within about half a voxel diagonal; so the vertices that
 * stand for one crown alone, clear of the base, the other teeth and the
 * attachments, are then moved onto the exact posed crown surface
 * (op-model-snap.c), which changes positions but never the triangles.
 *
 * The label (case id, arch and stage) is engraved into the flat bottom
 * with a 5x7 font defined here, so the glyphs are real geometry that a
 * printer reproduces.  Everything is deterministic.
 */
#pragma once

#include "op-plan.h"
#include "op-tooth.h"

G_BEGIN_DECLS

#define OP_MODEL_ERROR (op_model_error_quark ())
GQuark op_model_error_quark (void);

typedef enum {
  OP_MODEL_ERROR_INVALID,    /* options out of range, stage past the plan */
  OP_MODEL_ERROR_NO_TEETH,   /* the arch has no tooth with a crown in the plan */
  OP_MODEL_ERROR_TOO_LARGE,  /* the grid would not fit in memory */
} OpModelError;

/* Posed teeth voxelised once and shared by the models of every stage
 * built with it (op-model-cache.c).  Safe to share between threads; a
 * model is the same bytes with or without it. */
typedef struct _OpModelCache OpModelCache;

/* @max_bytes bounds the voxels kept (0 means 256 MB); past it, teeth are
 * voxelised each time. */
OpModelCache *op_model_cache_new       (gsize         max_bytes);
void          op_model_cache_free      (OpModelCache *cache);
/* How many posed teeth were found in the cache and how many were made. */
void          op_model_cache_get_stats (OpModelCache *cache,
                                        guint        *hits,
                                        guint        *misses);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpModelCache, op_model_cache_free)

typedef struct {
  double   voxel_mm;        /* grid step, 0.1..1; 0 means 0.3 */
  double   base_height_mm;  /* from the cervical band to the flat bottom; 0 means 12 */
  double   margin_mm;       /* how far the base reaches past the crowns; 0 means 2.5 */
  double   engrave_mm;      /* depth of the engraved label; 0 means 0.75 */
  double   glyph_mm;        /* size of one font pixel; 0 means 0.75 */
  gboolean hollow;          /* hollow base with a drain hole */
  double   wall_mm;         /* wall of a hollow base; 0 means 2 */
  double   drain_mm;        /* drain hole diameter; 0 means 3 */
  /* Put every planned attachment on the model, whatever its stage: the
   * stage 0 attachment template from which the wells are formed. */
  gboolean all_attachments;
  guint    n_threads;       /* for the isosurface; 0 means 2 */
  OpModelCache *cache;      /* borrowed, may be NULL */
  /* Leave the exposed crowns as the voxel grid made them, instead of
   * moving their vertices onto the exact posed crown surfaces. */
  gboolean grid_crowns;
} OpModelOptions;

void op_model_options_init (OpModelOptions *options);

/* The label engraved on a model: "CASE-U-03" for @case_label "CASE", the
 * upper arch and stage 3.  Characters outside the font are dropped. */
char *op_model_label (const char *case_label,
                      gboolean    upper,
                      guint       stage);

/* Whether the font has a glyph for @c (digits, A-Z, '-', '_'; lower case
 * is drawn in upper case).  Fills @rows (7 rows, top first, bit 4 the
 * leftmost column) when not NULL. */
gboolean op_model_glyph (char   c,
                         guint8 rows[7]);

/* Where the label lies, for checks: the plane of the flat bottom
 * (@bottom, mm along z), the direction of the bottom's outward normal
 * (@down: -1 or +1 in z), and the rectangle of the text in x and y. */
typedef struct {
  double bottom_z;
  double down;
  double text_min[2];
  double text_max[2];
  double glyph_mm;
  double engrave_mm;
  /* Font pixel (column c of the whole label, row r) is at x = x0 + (c +
   * 0.5) * glyph_mm * x_dir, y = y0 + (r + 0.5) * glyph_mm. */
  double x0, y0, x_dir;
  guint  n_columns;
} OpModelLabelInfo;

/* Builds the model of the upper (@upper TRUE) or lower arch of
 * @dentition at @stage of @plan.  Teeth without a crown or not in the plan
 * are skipped.  @label is engraved as given (op_model_label()).  @info
 * (optional) says where the label went. */
OpMesh *op_model_build (const OpDentition     *dentition,
                        const OpPlan          *plan,
                        gboolean               upper,
                        guint                  stage,
                        const char            *label,
                        const OpModelOptions  *options,
                        OpModelLabelInfo      *info,
                        GError               **error);

/* The trim line of the aligner for one arch at @stage: where the lab cuts
 * the thermoformed sheet.  The gingival margin is stood in for by the top
 * of the model's base (op_model_build() puts it at the cervical band of
 * the crowns); the line runs @offset_mm above it, towards the occlusal
 * plane, and is the buccal then, coming back, the lingual extreme of each
 * posed crown at that height, in arch order (a closed loop).  Returns
 * 3 floats per point (mm, caller frees with g_free) and sets @n_points,
 * or NULL with an OP_MODEL_ERROR. */
float *op_model_trim_line (const OpDentition  *dentition,
                           const OpPlan       *plan,
                           gboolean            upper,
                           guint               stage,
                           double              offset_mm,
                           gsize              *n_points,
                           GError            **error);

/* Checks what a printer needs: every edge shared by exactly two
 * triangles, each used once in each direction (consistent orientation),
 * no degenerate triangle and a positive volume.  FALSE with a sentence in
 * @why (free it) otherwise. */
gboolean op_model_check_closed (const OpMesh *mesh,
                                char        **why);

G_END_DECLS
