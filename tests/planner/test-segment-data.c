/* test-segment-data.c: loads the real teeth and their axes for the tests. */
#include "test-segment-data.h"

#include <json-glib/json-glib.h>
#include <math.h>

#include "op-mesh-io.h"

static gboolean
read_point (JsonObject *o,
            const char *name,
            float       out[3])
{
  JsonArray *a;

  if (!json_object_has_member (o, name))
    return FALSE;
  a = json_object_get_array_member (o, name);
  if (a == NULL || json_array_get_length (a) != 3)
    return FALSE;
  for (int k = 0; k < 3; k++)
    out[k] = (float) json_array_get_double_element (a, k);
  return TRUE;
}

static void
unit_from (const float from[3],
           const float to[3],
           float       sign,
           float       out[3])
{
  float l = 0;

  for (int k = 0; k < 3; k++)
    {
      out[k] = sign * (to[k] - from[k]);
      l += out[k] * out[k];
    }
  l = sqrtf (l);
  for (int k = 0; k < 3; k++)
    out[k] /= l;
}

GPtrArray *
test_segment_load_teeth (gboolean  upper,
                         GError  **error)
{
  const char *root = g_getenv ("OP_SHARED_DATA");
  const char *arch = upper ? "maxilla" : "mandible";
  g_autofree char *dir = NULL, *axes_path = NULL, *axes_name = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) teeth = g_ptr_array_new_with_free_func ((GDestroyNotify) op_tooth_free);
  JsonObject *axes;

  if (root == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "OP_SHARED_DATA is not set");
      return NULL;
    }
  dir = g_build_filename (root, "open-full-jaw-p26", arch, NULL);
  axes_name = g_strdup_printf ("teeth_axes_%s.json", arch);
  axes_path = g_build_filename (dir, axes_name, NULL);
  if (!json_parser_load_from_file (parser, axes_path, error))
    return NULL;
  axes = json_node_get_object (json_parser_get_root (parser));

  for (int u = upper ? 1 : 17; u <= (upper ? 16 : 32); u++)
    {
      g_autofree char *name = g_strdup_printf ("tooth_%d.stl", u);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *key = g_strdup_printf ("%d", u);
      OpMesh *mesh;
      OpTooth *tooth;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      mesh = op_mesh_load (path, NULL, NULL, NULL, error);
      if (mesh == NULL)
        return NULL;
      tooth = op_tooth_new (op_fdi_from_universal (u), mesh);
      if (json_object_has_member (axes, key))
        {
          JsonObject *o = json_object_get_object_member (axes, key);
          float c[3], x[3], y[3], z[3];

          if (read_point (o, "c", c) && read_point (o, "x", x) && read_point (o, "y", y) && read_point (o, "z", z))
            {
              tooth->has_frame = TRUE;
              for (int k = 0; k < 3; k++)
                tooth->frame.origin[k] = c[k];
              /* The dataset's x axis points away from the midline on both
               * sides (checked on 8/9 and 24/25); ours points to it. */
              unit_from (c, x, -1.f, tooth->frame.mesial);
              unit_from (c, y, 1.f, tooth->frame.buccal);
              unit_from (c, z, 1.f, tooth->frame.occlusal);
            }
        }
      g_ptr_array_add (teeth, tooth);
    }
  if (teeth->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: no tooth_N.stl files", dir);
      return NULL;
    }
  return g_steal_pointer (&teeth);
}
