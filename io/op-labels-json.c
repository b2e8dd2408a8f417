/* op-labels-json.c: Teeth3DS label files. */
#include "op-labels-json.h"

#include <json-glib/json-glib.h>

#include "op-fdi.h"

G_DEFINE_QUARK (op-labels-json-error-quark, op_labels_json_error)

gint32 *
op_labels_json_parse (const char  *data,
                      gsize        length,
                      const char  *name,
                      gsize       *out_n,
                      gboolean    *out_upper,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  g_autofree gint32 *labels = NULL;
  JsonNode *root;
  JsonObject *obj;
  JsonArray *arr;
  const char *jaw;
  gboolean upper;
  guint n;

  g_return_val_if_fail (data != NULL && out_n != NULL, NULL);

  if (!json_parser_load_from_data (parser, data, (gssize) length, &local))
    {
      g_set_error (error, OP_LABELS_JSON_ERROR, OP_LABELS_JSON_ERROR_PARSE, "%s: not JSON (%s)", name, local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, OP_LABELS_JSON_ERROR, OP_LABELS_JSON_ERROR_PARSE, "%s: expected a JSON object", name);
      return NULL;
    }
  obj = json_node_get_object (root);
  if (!json_object_has_member (obj, "labels") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "labels")))
    {
      g_set_error (error, OP_LABELS_JSON_ERROR, OP_LABELS_JSON_ERROR_PARSE, "%s: no \"labels\" array", name);
      return NULL;
    }
  jaw = json_object_has_member (obj, "jaw") && JSON_NODE_HOLDS_VALUE (json_object_get_member (obj, "jaw"))
    ? json_object_get_string_member (obj, "jaw") : NULL;
  if (jaw == NULL || (g_strcmp0 (jaw, "upper") != 0 && g_strcmp0 (jaw, "lower") != 0))
    {
      g_set_error (error, OP_LABELS_JSON_ERROR, OP_LABELS_JSON_ERROR_PARSE,
                   "%s: \"jaw\" must be \"upper\" or \"lower\" (got %s%s%s)", name,
                   jaw ? "\"" : "", jaw ? jaw : "nothing", jaw ? "\"" : "");
      return NULL;
    }
  upper = g_str_equal (jaw, "upper");
  arr = json_object_get_array_member (obj, "labels");
  n = json_array_get_length (arr);
  labels = g_new (gint32, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (arr, i);
      gint64 v;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
        {
          g_set_error (error, OP_LABELS_JSON_ERROR, OP_LABELS_JSON_ERROR_PARSE,
                       "%s: label %u is not an integer", name, i);
          return NULL;
        }
      v = json_node_get_int (node);
      if (v != 0 && (v < 11 || v > 85 || !op_fdi_is_valid ((int) v)))
        {
          g_set_error (error, OP_LABELS_JSON_ERROR, OP_LABELS_JSON_ERROR_LABEL,
                       "%s: label %u is %" G_GINT64_FORMAT ", neither 0 nor an FDI tooth number", name, i, v);
          return NULL;
        }
      if (v != 0 && op_fdi_is_upper ((int) v) != upper)
        {
          g_set_error (error, OP_LABELS_JSON_ERROR, OP_LABELS_JSON_ERROR_JAW,
                       "%s: label %u is tooth %" G_GINT64_FORMAT ", which is not in the %s jaw the file names",
                       name, i, v, jaw);
          return NULL;
        }
      labels[i] = (gint32) v;
    }
  if (json_object_has_member (obj, "instances"))
    {
      JsonNode *inst = json_object_get_member (obj, "instances");
      if (!JSON_NODE_HOLDS_ARRAY (inst) || json_array_get_length (json_node_get_array (inst)) != n)
        {
          g_set_error (error, OP_LABELS_JSON_ERROR, OP_LABELS_JSON_ERROR_PARSE,
                       "%s: \"instances\" must be an array as long as \"labels\" (%u)", name, n);
          return NULL;
        }
    }
  *out_n = n;
  if (out_upper)
    *out_upper = upper;
  return g_steal_pointer (&labels);
}

gint32 *
op_labels_json_load (const char  *path,
                     gsize       *out_n,
                     gboolean    *out_upper,
                     GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GError) local = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &local))
    {
      g_set_error (error, OP_LABELS_JSON_ERROR, OP_LABELS_JSON_ERROR_READ, "%s: %s", base, local->message);
      return NULL;
    }
  return op_labels_json_parse (contents, len, base, out_n, out_upper, error);
}

char *
op_labels_json_format (const gint32 *labels,
                       gsize         n,
                       gboolean      upper,
                       const char   *patient_id)
{
  GString *s = g_string_sized_new (16 + 8 * n);
  int instance_of[100] = { 0 }, next = 1;

  /* Instances numbered in increasing FDI order, so the file depends only
   * on the labels. */
  for (gsize v = 0; v < n; v++)
    if (labels[v] > 0 && labels[v] < 100)
      instance_of[labels[v]] = 1;
  for (int f = 1; f < 100; f++)
    if (instance_of[f])
      instance_of[f] = next++;

  g_string_append (s, "{\"id_patient\": ");
  if (patient_id)
    {
      g_autofree char *esc = g_strescape (patient_id, NULL);
      g_string_append_printf (s, "\"%s\"", esc);
    }
  else
    g_string_append (s, "\"\"");
  g_string_append_printf (s, ", \"jaw\": \"%s\", \"labels\": [", upper ? "upper" : "lower");
  for (gsize v = 0; v < n; v++)
    g_string_append_printf (s, v ? ", %d" : "%d", labels[v]);
  g_string_append (s, "], \"instances\": [");
  for (gsize v = 0; v < n; v++)
    g_string_append_printf (s, v ? ", %d" : "%d", labels[v] > 0 && labels[v] < 100 ? instance_of[labels[v]] : 0);
  g_string_append (s, "]}\n");
  return g_string_free (s, FALSE);
}

gboolean
op_labels_json_save (const char   *path,
                     const gint32 *labels,
                     gsize         n,
                     gboolean      upper,
                     GError      **error)
{
  g_autofree char *text = op_labels_json_format (labels, n, upper, NULL);
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GError) local = NULL;

  if (!g_file_set_contents (path, text, -1, &local))
    {
      g_set_error (error, OP_LABELS_JSON_ERROR, OP_LABELS_JSON_ERROR_WRITE, "%s: %s", base, local->message);
      return FALSE;
    }
  return TRUE;
}
