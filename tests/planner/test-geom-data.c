/* test-geom-data.c: loading the real teeth for the geometry tests. */
#include <json-glib/json-glib.h>
#include <math.h>

#include "op-fdi.h"
#include "op-mesh-io.h"
#include "test-geom-data.h"

static char *
tooth_path (int universal, GError **error)
{
  const char *root = g_getenv ("OP_SHARED_DATA");

  if (root == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "OP_SHARED_DATA is not set");
      return NULL;
    }
  return g_strdup_printf ("%s/open-full-jaw-p26/%s/tooth_%d.stl", root,
                          universal <= 16 ? "maxilla" : "mandible", universal);
}

OpMesh *
geom_load_universal (int universal, GError **error)
{
  g_autofree char *path = tooth_path (universal, error);

  if (path == NULL)
    return NULL;
  return op_mesh_load (path, NULL, NULL, NULL, error);
}

OpDentition *
geom_load_dentition (GError **error)
{
  g_autoptr(OpDentition) d = op_dentition_new ();

  for (int u = 1; u <= 32; u++)
    {
      g_autofree char *path = tooth_path (u, error);
      OpMesh *mesh;

      if (path == NULL)
        return NULL;
      if (u == 16)   /* the upper left third molar is missing from the data */
        continue;
      mesh = op_mesh_load (path, NULL, NULL, NULL, error);
      if (mesh == NULL)
        return NULL;
      op_dentition_add (d, op_tooth_new (op_fdi_from_universal (u), mesh));
    }
  return g_steal_pointer (&d);
}

static gboolean
read_point (JsonObject *o, const char *key, float out[3])
{
  JsonArray *a;

  if (!json_object_has_member (o, key))
    return FALSE;
  a = json_object_get_array_member (o, key);
  if (a == NULL || json_array_get_length (a) != 3)
    return FALSE;
  for (guint k = 0; k < 3; k++)
    out[k] = (float) json_array_get_double_element (a, k);
  return TRUE;
}

gboolean
geom_load_axes (int universal, float c[3], float x[3], float y[3], float z[3], GError **error)
{
  const char *root = g_getenv ("OP_SHARED_DATA");
  g_autofree char *path = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *key = g_strdup_printf ("%d", universal);
  JsonObject *top, *o;
  float *axes[3] = { x, y, z };
  const char *names[3] = { "x", "y", "z" };

  if (root == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "OP_SHARED_DATA is not set");
      return FALSE;
    }
  path = g_strdup_printf ("%s/open-full-jaw-p26/%s/teeth_axes_%s.json", root,
                          universal <= 16 ? "maxilla" : "mandible",
                          universal <= 16 ? "maxilla" : "mandible");
  if (!json_parser_load_from_file (parser, path, error))
    return FALSE;
  top = json_node_get_object (json_parser_get_root (parser));
  if (top == NULL || !json_object_has_member (top, key))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: no entry for tooth %d", path, universal);
      return FALSE;
    }
  o = json_object_get_object_member (top, key);
  if (!read_point (o, "c", c))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: tooth %d has no c", path, universal);
      return FALSE;
    }
  for (int i = 0; i < 3; i++)
    {
      float len;

      if (!read_point (o, names[i], axes[i]))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: tooth %d has no %s", path, universal, names[i]);
          return FALSE;
        }
      for (int k = 0; k < 3; k++)
        axes[i][k] -= c[k];
      len = sqrtf (axes[i][0] * axes[i][0] + axes[i][1] * axes[i][1] + axes[i][2] * axes[i][2]);
      if (len <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: tooth %d axis %s has no length", path, universal, names[i]);
          return FALSE;
        }
      for (int k = 0; k < 3; k++)
        axes[i][k] /= len;
    }
  return TRUE;
}
