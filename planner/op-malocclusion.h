/* op-malocclusion.h: malocclusions made from a real dentition.
 *
 * Tests and the demo need many cases whose correct answer is known.  A
 * real dentition in occlusion is taken as the target, and teeth are moved
 * away from where they are: the result is a displaced dentition (meshes
 * and frames carried along) plus, for each tooth, the movement in its new
 * frame that brings it back.  Every displacement is shrunk until no
 * neighbouring pair overlaps by more than @max_overlap mm, so the start is
 * always sound.  Deterministic for a given seed.
 */
#pragma once

#include "op-tooth.h"
#include "op-pose.h"

G_BEGIN_DECLS

typedef enum {
  OP_MALOCCLUSION_CROWDING,    /* anterior teeth in and out of the arch, rotated */
  OP_MALOCCLUSION_SPACING,     /* flared incisors and drifted premolars */
  OP_MALOCCLUSION_ROTATIONS,   /* canines and premolars rotated */
  OP_MALOCCLUSION_OPEN_BITE,   /* anterior teeth intruded */
  OP_MALOCCLUSION_CROSSBITE,   /* one upper tooth moved lingually */
} OpMalocclusionKind;

#define OP_MALOCCLUSION_N_KINDS (OP_MALOCCLUSION_CROSSBITE + 1)

const char *op_malocclusion_kind_to_string (OpMalocclusionKind kind);

/* Moves teeth of a copy of @ideal (which needs frames) for @kind and
 * @seed.  @out_targets (ideal->teeth->len, dentition order) receives the
 * movement that restores each tooth.  Returns the displaced dentition. */
OpDentition *op_malocclusion_make (const OpDentition  *ideal,
                                   OpMalocclusionKind  kind,
                                   guint32             seed,
                                   double              max_overlap,
                                   OpMovement         *out_targets);

G_END_DECLS
