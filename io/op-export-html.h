/* op-export-html.h: the patient simulation, one self-contained HTML file.
 *
 * The page needs no network and no install: it opens from an e-mail, a
 * USB stick or a phone in any current browser (one with WebGL and the
 * built-in DecompressionStream: Chrome/Edge 80+, Firefox 113+, Safari
 * 16.4+).  It holds:
 *   - the viewer, data/viewer/op-viewer.{html,js} from io's GResource,
 *     a small WebGL program of our own with no third-party script;
 *   - the geometry of every tooth of the plan (and the gingiva when the
 *     dentition has one), simplified to at most max_triangles per tooth,
 *     positions quantised to 16 bits per axis inside each mesh's box and
 *     delta-coded, indices delta- and zigzag-coded as varints, the whole
 *     gzip-compressed and base64-encoded into the page;
 *   - per stage, each tooth's rigid transform (3x4, mm), and nothing else;
 *   - the practice's name and logo (a data: URI), the patient's first name
 *     (or full name when asked), the number of aligners and the expected
 *     duration.
 * The same inputs give the same bytes.
 */
#pragma once

#include <gio/gio.h>

#include "op-export.h"
#include "op-plan.h"
#include "op-tooth.h"

G_BEGIN_DECLS

/* Zero-initialise, then set what you need. */
typedef struct {
  const char *practice_name;    /* or NULL */
  const char *logo_path;        /* PNG, JPEG, GIF, WebP or SVG, at most 2 MB; or NULL */
  const char *given_name;       /* the patient's first name, or NULL */
  const char *family_name;      /* shown only with show_full_name */
  gboolean    show_full_name;   /* default: first name only */
  guint       interval_days;    /* days per aligner; 0 for 14 */
  guint       max_triangles;    /* per mesh; 0 for 12000, G_MAXUINT for all */
} OpHtmlOptions;

/* The page's size limit the tests hold a typical case to. */
#define OP_HTML_TYPICAL_LIMIT_BYTES (10 * 1024 * 1024)

/* Builds the page.  Every tooth of @plan must be in @dentition with a
 * crown mesh (OP_EXPORT_ERROR_INPUT naming the tooth otherwise); a
 * missing or unreadable logo fails with OP_EXPORT_ERROR_LOGO naming the
 * file. */
GBytes   *op_export_html_build (const OpDentition   *dentition,
                                const OpPlan        *plan,
                                const OpHtmlOptions *options,
                                GCancellable        *cancellable,
                                GError             **error);

/* Builds the page and writes it to @path (op_export_write_file). */
gboolean  op_export_html       (const OpDentition   *dentition,
                                const OpPlan        *plan,
                                const OpHtmlOptions *options,
                                const char          *path,
                                GCancellable        *cancellable,
                                GError             **error);

/* The name shown on the page: @options' given name alone, or "Given
 * Family" with show_full_name; "" when there is none.  Free it. */
char     *op_export_html_display_name (const OpHtmlOptions *options);

/* Reads a picture file for embedding and returns "data:image/...;base64,…"
 * (free it), or NULL with OP_EXPORT_ERROR_LOGO naming the file when it is
 * missing, too big or not a picture. */
char     *op_export_logo_data_uri (const char  *path,
                                   GError     **error);

G_END_DECLS
