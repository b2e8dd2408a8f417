/* op-teeth-folder.c: one mesh file per tooth, and optional axes. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "op-teeth-folder.h"

G_DEFINE_QUARK (op-teeth-folder-error-quark, op_teeth_folder_error)

void
op_tooth_file_free (OpToothFile *file)
{
  if (file == NULL)
    return;
  g_free (file->filename);
  g_clear_pointer (&file->bytes, g_bytes_unref);
  g_free (file);
}

int
op_teeth_folder_parse_name (const char  *filename,
                            OpNumbering  numbering)
{
  g_autofree char *base = NULL;
  char *dot;
  gsize len;
  const char *digits;
  gint64 number;

  g_return_val_if_fail (filename != NULL, 0);

  base = g_path_get_basename (filename);
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  len = strlen (base);

  if (numbering == OP_NUMBERING_PALMER)
    {
      /* "UR1", "tooth_LL8": the last three characters. */
      if (len < 3)
        return 0;
      for (int q = 1; q <= 4; q++)
        for (int t = 1; t <= 8; t++)
          {
            g_autofree char *name = op_fdi_format (q * 10 + t, OP_NUMBERING_PALMER);

            if (g_ascii_strcasecmp (base + len - 3, name) == 0 &&
                (len == 3 || !g_ascii_isalnum (base[len - 4])))
              return q * 10 + t;
          }
      return 0;
    }

  /* The number is the run of digits that ends the name, after a prefix
   * that is not itself a number ("tooth_17", "t-17", "17"). */
  digits = base + len;
  while (digits > base && g_ascii_isdigit (digits[-1]))
    digits--;
  if (*digits == '\0')
    return 0;
  if (strlen (digits) > 2)
    return 0;
  number = g_ascii_strtoll (digits, NULL, 10);

  if (numbering == OP_NUMBERING_UNIVERSAL)
    return op_fdi_from_universal ((int) number);
  return op_fdi_is_valid ((int) number) && !op_fdi_is_primary ((int) number) ? (int) number : 0;
}

static gboolean
normalize3 (double v[3])
{
  double n = sqrt (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);

  if (!(n > 1e-9) || !isfinite (n))
    return FALSE;
  for (int i = 0; i < 3; i++)
    v[i] /= n;
  return TRUE;
}

static double
dot3d (const double a[3], const double b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

gboolean
op_teeth_frame_from_axes (const double  c[3],
                          const double  x[3],
                          const double  y[3],
                          const double  z[3],
                          OpFrame      *frame)
{
  double m[3], b[3], o[3], d;

  g_return_val_if_fail (frame != NULL, FALSE);

  for (int i = 0; i < 3; i++)
    {
      m[i] = x[i] - c[i];
      b[i] = y[i] - c[i];
      o[i] = z[i] - c[i];
    }
  /* Gram-Schmidt from the long axis, the one measured best, then the
   * labial axis; the mesio-distal axis keeps its given side. */
  if (!normalize3 (o))
    return FALSE;
  d = dot3d (b, o);
  for (int i = 0; i < 3; i++)
    b[i] -= d * o[i];
  if (!normalize3 (b))
    return FALSE;
  {
    double cross[3] = { b[1] * o[2] - b[2] * o[1], b[2] * o[0] - b[0] * o[2], b[0] * o[1] - b[1] * o[0] };

    d = dot3d (cross, m);
    if (!(fabs (d) > 1e-6))
      return FALSE;
    for (int i = 0; i < 3; i++)
      m[i] = d > 0 ? cross[i] : -cross[i];
  }

  for (int i = 0; i < 3; i++)
    {
      frame->origin[i] = (float) c[i];
      frame->mesial[i] = (float) m[i];
      frame->buccal[i] = (float) b[i];
      frame->occlusal[i] = (float) o[i];
    }
  return TRUE;
}

/* The framed tooth nearest @fdi on its midline side (towards the other
 * central incisor for a central), or NULL. */
static OpTooth *
nearest_mesial (OpDentition *dentition, int fdi)
{
  int n = fdi;

  for (int k = 0; k < 16; k++)
    {
      OpTooth *t;

      n = op_fdi_mesial_neighbour (n);
      if (n == 0 || n == fdi)
        return NULL;
      t = op_dentition_get (dentition, n);
      if (t != NULL && t->has_frame)
        return t;
      /* Past the midline the chain runs distally on the other side: stop
       * after the other central incisor. */
      if (op_fdi_type (n) == OP_TOOTH_CENTRAL_INCISOR && op_fdi_type (fdi) != OP_TOOTH_CENTRAL_INCISOR &&
          op_fdi_quadrant (n) != op_fdi_quadrant (fdi))
        return NULL;
    }
  return NULL;
}

static OpTooth *
nearest_distal (OpDentition *dentition, int fdi)
{
  int n = fdi;

  for (int k = 0; k < 8; k++)
    {
      OpTooth *t;

      n = op_fdi_distal_neighbour (n);
      if (n == 0)
        return NULL;
      t = op_dentition_get (dentition, n);
      if (t != NULL && t->has_frame)
        return t;
    }
  return NULL;
}

static void
flip (float v[3])
{
  for (int i = 0; i < 3; i++)
    v[i] = -v[i];
}

void
op_teeth_folder_orient (OpDentition *dentition)
{
  g_return_if_fail (dentition != NULL);

  for (int upper = 0; upper <= 1; upper++)
    {
      double centre[3] = { 0 };
      guint n = 0;

      for (guint i = 0; i < dentition->teeth->len; i++)
        {
          OpTooth *t = g_ptr_array_index (dentition->teeth, i);

          if (t->has_frame && op_fdi_is_upper (t->fdi) == upper)
            {
              for (int k = 0; k < 3; k++)
                centre[k] += t->frame.origin[k];
              n++;
            }
        }
      if (n == 0)
        continue;
      for (int k = 0; k < 3; k++)
        centre[k] /= n;

      for (guint i = 0; i < dentition->teeth->len; i++)
        {
          OpTooth *t = g_ptr_array_index (dentition->teeth, i);
          OpTooth *other;
          double d[3], dm = 0, db = 0;

          if (!t->has_frame || op_fdi_is_upper (t->fdi) != upper)
            continue;

          /* Buccal points away from the arch's centre (with fewer than
           * three teeth the centre says nothing; keep the file's side). */
          if (n >= 3)
            {
              for (int k = 0; k < 3; k++)
                db += (t->frame.origin[k] - centre[k]) * t->frame.buccal[k];
              if (db < 0)
                flip (t->frame.buccal);
            }

          other = nearest_mesial (dentition, t->fdi);
          if (other != NULL)
            {
              for (int k = 0; k < 3; k++)
                d[k] = other->frame.origin[k] - t->frame.origin[k];
            }
          else if ((other = nearest_distal (dentition, t->fdi)) != NULL)
            {
              for (int k = 0; k < 3; k++)
                d[k] = t->frame.origin[k] - other->frame.origin[k];
            }
          else
            continue;
          for (int k = 0; k < 3; k++)
            dm += d[k] * t->frame.mesial[k];
          if (dm < 0)
            flip (t->frame.mesial);
        }
    }
}

static gboolean
read_point (JsonObject  *tooth,
            const char  *key,
            double       out[3],
            const char  *file,
            const char  *number,
            GError     **error)
{
  JsonNode *node = json_object_get_member (tooth, key);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (array = json_node_get_array (node)) != 3)
    {
      g_set_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_AXES,
                   "%s: tooth %s: \"%s\" must be an array of three numbers", file, number, key);
      return FALSE;
    }
  for (guint i = 0; i < 3; i++)
    {
      JsonNode *e = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (e) || (json_node_get_value_type (e) != G_TYPE_DOUBLE &&
                                         json_node_get_value_type (e) != G_TYPE_INT64) ||
          !isfinite (out[i] = json_node_get_double (e)))
        {
          g_set_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_AXES,
                       "%s: tooth %s: \"%s\"[%u] is not a number", file, number, key, i);
          return FALSE;
        }
    }
  return TRUE;
}

/* Reads an axes file into frames of the teeth of @dentition. */
static gboolean
load_axes (const char   *path,
           OpNumbering   numbering,
           OpDentition  *dentition,
           GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GList) members = NULL;
  JsonNode *root;
  JsonObject *obj;

  if (!json_parser_load_from_file (parser, path, &local))
    {
      g_set_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_AXES, "%s: %s", base, local->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_AXES,
                   "%s: expected an object keyed by tooth number", base);
      return FALSE;
    }
  obj = json_node_get_object (root);
  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *number = l->data;
      JsonNode *node = json_object_get_member (obj, number);
      g_autofree char *fake = g_strconcat (number, ".stl", NULL);
      int fdi = op_teeth_folder_parse_name (fake, numbering);
      double c[3], x[3], y[3], z[3];
      OpTooth *tooth;

      if (fdi == 0)
        {
          g_set_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_AXES,
                       "%s: \"%s\" is not a tooth number in %s numbering", base, number,
                       numbering == OP_NUMBERING_UNIVERSAL ? "Universal" :
                       numbering == OP_NUMBERING_PALMER ? "Palmer" : "FDI");
          return FALSE;
        }
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_AXES,
                       "%s: tooth %s: expected an object with c, x, y and z", base, number);
          return FALSE;
        }
      if (!read_point (json_node_get_object (node), "c", c, base, number, error) ||
          !read_point (json_node_get_object (node), "x", x, base, number, error) ||
          !read_point (json_node_get_object (node), "y", y, base, number, error) ||
          !read_point (json_node_get_object (node), "z", z, base, number, error))
        return FALSE;

      tooth = op_dentition_get (dentition, fdi);
      if (tooth == NULL)
        continue;   /* axes for a tooth that has no file: nothing to frame */
      if (!op_teeth_frame_from_axes (c, x, y, z, &tooth->frame))
        {
          g_set_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_AXES,
                       "%s: tooth %s: the axes are degenerate (zero length or parallel)", base, number);
          return FALSE;
        }
      tooth->has_frame = TRUE;
    }
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
compare_files (gconstpointer a, gconstpointer b)
{
  const OpToothFile *x = *(OpToothFile *const *) a, *y = *(OpToothFile *const *) b;

  return (x->fdi > y->fdi) - (x->fdi < y->fdi);
}

OpDentition *
op_teeth_folder_load (const char *const *dirs,
                      OpNumbering        numbering,
                      GPtrArray         *files,
                      GCancellable      *cancellable,
                      GError           **error)
{
  g_autoptr(OpDentition) dentition = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) axes = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (dirs != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dentition = op_dentition_new ();
  loaded = g_ptr_array_new_with_free_func ((GDestroyNotify) op_tooth_file_free);

  for (guint d = 0; dirs[d] != NULL; d++)
    {
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) local = NULL;
      const char *name;

      dir = g_dir_open (dirs[d], 0, &local);
      if (dir == NULL)
        {
          g_set_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_READ, "%s: %s", dirs[d], local->message);
          return NULL;
        }
      /* Directory order is the file system's: sort so that the same folder
       * always loads the same way. */
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_names);

      for (guint i = 0; i < names->len; i++)
        {
          const char *n = g_ptr_array_index (names, i);
          g_autofree char *path = g_build_filename (dirs[d], n, NULL);
          g_autofree char *contents = NULL;
          g_autoptr(OpToothFile) file = NULL;
          OpMeshInfo info = { 0 };
          OpMesh *mesh;
          gsize len = 0;
          int fdi;

          if (g_str_has_prefix (n, "teeth_axes") && g_str_has_suffix (n, ".json"))
            {
              g_ptr_array_add (axes, g_steal_pointer (&path));
              continue;
            }
          if (op_mesh_format_detect (n, NULL, 0) == OP_MESH_FORMAT_UNKNOWN ||
              !g_file_test (path, G_FILE_TEST_IS_REGULAR))
            continue;

          fdi = op_teeth_folder_parse_name (n, numbering);
          if (fdi == 0)
            {
              g_set_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_NAME,
                           "%s: no %s tooth number in the file name; name tooth files like tooth_17.stl",
                           n, numbering == OP_NUMBERING_UNIVERSAL ? "Universal" :
                           numbering == OP_NUMBERING_PALMER ? "Palmer" : "FDI");
              return NULL;
            }
          if (op_dentition_get (dentition, fdi) != NULL)
            {
              g_set_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_DUPLICATE,
                           "%s: a second file for tooth %d (FDI)", n, fdi);
              return NULL;
            }

          if (!g_file_get_contents (path, &contents, &len, &local))
            {
              g_set_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_READ, "%s: %s", n, local->message);
              return NULL;
            }
          file = g_new0 (OpToothFile, 1);
          file->fdi = fdi;
          file->filename = g_strdup (n);
          file->bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
          mesh = op_mesh_load_bytes (file->bytes, n, NULL, &info, cancellable, error);
          if (mesh == NULL)
            return NULL;
          file->format = info.format;
          op_mesh_compute_bounds (mesh);
          op_dentition_add (dentition, op_tooth_new (fdi, mesh));
          g_ptr_array_add (loaded, g_steal_pointer (&file));
        }
    }

  if (dentition->teeth->len == 0)
    {
      g_set_error (error, OP_TEETH_FOLDER_ERROR, OP_TEETH_FOLDER_ERROR_EMPTY,
                   "%s: no tooth files (STL, PLY, OBJ or GLB named by tooth number)", dirs[0] ? dirs[0] : "");
      return NULL;
    }

  g_ptr_array_sort (axes, compare_names);
  for (guint i = 0; i < axes->len; i++)
    if (!load_axes (g_ptr_array_index (axes, i), numbering, dentition, error))
      return NULL;
  op_teeth_folder_orient (dentition);

  if (files != NULL)
    {
      g_ptr_array_sort (loaded, compare_files);
      for (guint i = 0; i < loaded->len; i++)
        g_ptr_array_add (files, g_steal_pointer (&g_ptr_array_index (loaded, i)));
    }
  return g_steal_pointer (&dentition);
}
