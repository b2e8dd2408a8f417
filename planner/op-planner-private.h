/* op-planner-private.h: what op-planner.c and op-planner-collide.c share. */
#pragma once

#include "op-planner.h"
#include "op-roots.h"

G_BEGIN_DECLS

struct _OpPlannerCollider {
  guint       n;
  int        *fdi;
  OpBvh     **bvh;
  GHashTable *memo;     /* MemoKey* -> double*, both owned */
  guint64     memo_hits;
  /* The roots of the same teeth (step 7), made by the first plan that
   * checks them: building their trees is most of that step's cost. */
  OpRootSet  *roots;
  GBytes     *roots_stamp;
  /* The last target setup, with the options and teeth it was made for:
   * an edit to one tooth's target does not change the setup of all. */
  OpSetup    *setup;
  GBytes     *setup_key;
};

/* Appends to @b what the setup and the roots depend on in @d beyond the
 * meshes (see op-planner-collide.c). */
void    op__planner_stamp     (GByteArray           *b,
                               const OpDentition    *d);
/* The key of the setup of @d with @o: the stamp and the options. */
GBytes *op__planner_setup_key (const OpDentition    *d,
                               const OpSetupOptions *o);

G_END_DECLS
