/* op-hash-private.h: the hash of the planner's memo keys.
 *
 * The collider's and the root set's memos key a pair of teeth by their
 * poses as plain bytes; both hash those bytes the same way, here. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* FNV-1a over @len bytes of @data: fast, and enough for keys compared
 * in full with memcmp() afterwards.  The key must have no padding, or
 * equal keys could hash differently. */
static inline guint
op__hash_bytes (gconstpointer data,
                gsize         len)
{
  const guint8 *b = data;
  guint32 h = 2166136261u;

  for (gsize i = 0; i < len; i++)
    h = (h ^ b[i]) * 16777619u;
  return h;
}

G_END_DECLS
