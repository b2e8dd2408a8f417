/* op-scan-loader.h: the slow parts of showing scans, run in a GTask thread.
 *
 * Importing reads a file, parses it with io/op-mesh-io and stores the
 * original bytes with io/op-store; opening a case reads every scan's bytes
 * back from the store and parses them.  Both report staged progress on the
 * caller's main context and can be cancelled.  The store is atomic, so a
 * failed or cancelled import never leaves half a scan behind.
 */
#pragma once

#include <gio/gio.h>

#include "op-case.h"
#include "op-mesh.h"
#include "op-renderer.h"
#include "op-store.h"

G_BEGIN_DECLS

typedef struct {
  gint64      scan_id;
  OpJaw       jaw;
  char       *filename;
  gsize       n_triangles;
  OpMaterial  material;
  OpMesh     *mesh;       /* owned; NULL once taken by the viewer */
} OpLoadedScan;

void op_loaded_scan_free (OpLoadedScan *scan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpLoadedScan, op_loaded_scan_free)

/* Called on the main context of the caller with a fraction in 0..1 (or a
 * negative one for "busy, unknown how long") and what is being done. */
typedef void (*OpScanProgressFunc) (gpointer    source_object,
                                    double      fraction,
                                    const char *stage);

/* Guesses the jaw from a file name: "upper"/"max" give the upper jaw,
 * "lower"/"mand" the lower, "bite" the bite.  FALSE when the name says
 * nothing. */
gboolean    op_scan_guess_jaw         (const char *filename,
                                       OpJaw      *out_jaw);

void          op_scan_import_async    (gpointer             source_object,
                                       OpStore             *store,
                                       gint64               case_id,
                                       GFile               *file,
                                       OpJaw                jaw,
                                       gsize                max_triangles,
                                       GCancellable        *cancellable,
                                       OpScanProgressFunc   progress,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
OpLoadedScan *op_scan_import_finish   (GAsyncResult        *result,
                                       GError             **error);

/* Loads every scan of the case.  A scan that fails to parse is skipped and
 * named in @out_warning (one line per scan), so one damaged record does
 * not hide the others. */
void          op_scan_load_case_async (gpointer             source_object,
                                       OpStore             *store,
                                       gint64               case_id,
                                       gsize                max_triangles,
                                       GCancellable        *cancellable,
                                       OpScanProgressFunc   progress,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
/* Array of OpLoadedScan in the order they were added to the case. */
GPtrArray    *op_scan_load_case_finish (GAsyncResult       *result,
                                        char              **out_warning,
                                        GError            **error);

G_END_DECLS
