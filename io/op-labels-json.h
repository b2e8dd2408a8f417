/* op-labels-json.h: per-vertex tooth labels in the Teeth3DS JSON format.
 *
 * { "id_patient": "...", "jaw": "upper" | "lower",
 *   "labels": [ FDI or 0 per vertex ], "instances": [ instance per vertex ] }
 *
 * Teeth3DS numbers each tooth instance 1..n in its own order and 0 for the
 * gingiva; we write instances in increasing FDI order and read only
 * "jaw" and "labels" (instances are checked for length when present).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OP_LABELS_JSON_ERROR (op_labels_json_error_quark ())
GQuark op_labels_json_error_quark (void);

typedef enum {
  OP_LABELS_JSON_ERROR_READ,
  OP_LABELS_JSON_ERROR_PARSE,     /* not JSON, or not the expected shape */
  OP_LABELS_JSON_ERROR_LABEL,     /* a label that is neither 0 nor FDI */
  OP_LABELS_JSON_ERROR_JAW,       /* labels of the other arch than "jaw" */
  OP_LABELS_JSON_ERROR_WRITE,
} OpLabelsJsonError;

/* Parses Teeth3DS JSON from memory; @name is used in messages.  Returns
 * the labels (g_free) and their count; @out_upper tells the jaw. */
gint32   *op_labels_json_parse  (const char  *data,
                                 gsize        length,
                                 const char  *name,
                                 gsize       *out_n,
                                 gboolean    *out_upper,
                                 GError     **error);
gint32   *op_labels_json_load   (const char  *path,
                                 gsize       *out_n,
                                 gboolean    *out_upper,
                                 GError     **error);
/* The JSON text (g_free) for @labels. */
char     *op_labels_json_format (const gint32 *labels,
                                 gsize         n,
                                 gboolean      upper,
                                 const char   *patient_id);
/* Writes atomically (temporary file and rename): a failure never leaves a
 * half-written file. */
gboolean  op_labels_json_save   (const char   *path,
                                 const gint32 *labels,
                                 gsize         n,
                                 gboolean      upper,
                                 GError      **error);

G_END_DECLS
