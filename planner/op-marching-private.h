/* op-marching-private.h: the marching cubes case table, shared by
 * op-marching.c and the tests that check it case by case.
 *
 * Corners of the unit cube are numbered by their bits: bit 0 is +i, bit 1
 * +j, bit 2 +k.  Edge e joins corner op__mc_edge_corner (e) to the corner
 * one step along axis op__mc_edge_axis (e).  A configuration has bit c set
 * when corner c is inside (at or above the threshold).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* At most ten triangles fit in one cube (twelve crossing edges, at least one
 * loop); twelve leaves room. */
#define OP_MC_MAX_TRIANGLES 12

typedef struct {
  guint8 n_triangles;
  guint8 edges[OP_MC_MAX_TRIANGLES * 3];   /* counter-clockwise seen from outside */
} OpMcCase;

/* The 256 cases, built on first use by op-marching-table.c (thread-safe). */
const OpMcCase *op__mc_cases       (void);
int             op__mc_edge_corner (int edge);
int             op__mc_edge_axis   (int edge);

G_END_DECLS
