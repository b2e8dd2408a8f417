/* op-roots-private.h: what op-roots.c and op-roots-check.c share. */
#pragma once

#include "op-roots.h"

G_BEGIN_DECLS

/* Height of the cervical line along the long axis from the frame origin
 * (negative, mm): the lowest point of the crown mesh. */
double op__roots_cervical_height (const OpTooth *tooth);

G_END_DECLS
