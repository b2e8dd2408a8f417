/* op-seg-edit-private.h: what op-seg-edit.c and op-seg-edit-walk.c share. */
#pragma once

#include "op-seg-edit.h"

G_BEGIN_DECLS

/* A change from @labels to the new label of each vertex marked in @mask
 * (@target[v], or @target_const when @target is NULL), leaving out the
 * vertices whose label would not change; takes @description. */
OpSegChange *op__seg_change_from_mask (const gint32 *labels,
                                       gsize         n,
                                       const guint8 *mask,
                                       const gint32 *target,
                                       gint32        target_const,
                                       char         *description);
/* 0, or an FDI number of the jaw. */
gboolean     op__seg_label_fits_jaw   (int           label,
                                       gboolean      upper);
/* @number may be given to vertices: of the jaw and not in use (or 0 when
 * @allow_zero); the error names @what. */
gboolean     op__seg_check_new_number (const gint32 *labels,
                                       gsize         n,
                                       gboolean      upper,
                                       int           number,
                                       gboolean      allow_zero,
                                       const char   *what,
                                       GError      **error);
/* @fdi is a tooth of the jaw that some vertex carries. */
gboolean     op__seg_check_present    (const gint32 *labels,
                                       gsize         n,
                                       gboolean      upper,
                                       int           fdi,
                                       const char   *what,
                                       GError      **error);

G_END_DECLS
