/* op-bvh-private.h: what op-collide.c needs of the tree beyond op-bvh.h. */
#pragma once

#include "op-bvh.h"

G_BEGIN_DECLS

/* The signed distance of op_bvh_signed_distance() found by visiting every
 * triangle instead of the tree: the reference for tests. */
gboolean op__bvh_signed_distance_brute (const OpBvh *bvh,
                                        const float  p[3],
                                        OpBvhHit    *out);

G_END_DECLS
