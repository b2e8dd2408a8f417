/* test-io-mesh-util.c: inputs and checks shared by the mesh import and
 * export tests: a temporary folder, a small cube in every format the tests
 * write by hand, a torus, and the checks that compare meshes. */
#include "test-io-mesh-util.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

static char *tmp_dir;

void
op_test_mesh_setup (void)
{
  g_autoptr(GError) error = NULL;

  tmp_dir = g_dir_make_tmp ("op-test-io-mesh-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *entry;

  while (dir && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, entry, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
op_test_mesh_teardown (void)
{
  if (tmp_dir != NULL)
    remove_tree (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
}

const char *
op_test_tmp_dir (void)
{
  return tmp_dir;
}

char *
op_test_tmp_path (const char *name)
{
  return g_build_filename (op_test_tmp_dir (), name, NULL);
}

char *
op_test_write_file (const char *name,
                    const void *data,
                    gsize       size)
{
  char *path = op_test_tmp_path (name);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, (gssize) size, &error);
  g_assert_no_error (error);
  return path;
}

char *
op_test_write_text (const char *name,
                    const char *text)
{
  return op_test_write_file (name, text, strlen (text));
}

/* Expects @error to be OP_MESH_IO_ERROR/@code and its message to start
 * with the file's base name, as every import error must. */
void
op_test_assert_io_error (const GError *error,
                         OpMeshIOError code,
                         const char   *base)
{
  g_autofree char *prefix = g_strdup_printf ("%s: ", base);

  g_assert_nonnull (error);
  if (error == NULL)
    return;
  g_test_message ("error: %s", error->message);
  g_assert_error (error, OP_MESH_IO_ERROR, (gint) code);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  /* The part after the name says something, not just a code. */
  g_assert_cmpuint (strlen (error->message), >, strlen (prefix) + 10);
}


/* Number of edges not shared by exactly two triangles (0 for a closed,
 * manifold surface: a good check that the weld joined every seam). */
gsize
op_test_count_open_edges (const OpMesh *mesh)
{
  g_autoptr(GHashTable) edges = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *keys = g_new (gint64, 3 * MAX (mesh->n_triangles, 1));
  GHashTableIter iter;
  gpointer key, value;
  gsize bad = 0;

  for (gsize t = 0; t < mesh->n_triangles; t++)
    for (int k = 0; k < 3; k++)
      {
        guint32 a = mesh->indices[3 * t + k], b = mesh->indices[3 * t + (k + 1) % 3];
        gint64 *slot = &keys[3 * t + k];

        *slot = ((gint64) MIN (a, b) << 32) | MAX (a, b);
        value = g_hash_table_lookup (edges, slot);
        g_hash_table_insert (edges, slot, GSIZE_TO_POINTER (GPOINTER_TO_SIZE (value) + 1));
      }
  g_hash_table_iter_init (&iter, edges);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (GPOINTER_TO_SIZE (value) != 2)
      bad++;
  return bad;
}

/* Finds a vertex by its exact position; -1 when absent. */
gssize
op_test_find_vertex (const OpMesh *mesh,
                     const float   p[3])
{
  for (gsize i = 0; i < mesh->n_vertices; i++)
    if (memcmp (&mesh->positions[3 * i], p, 3 * sizeof (float)) == 0)
      return (gssize) i;
  return -1;
}

/* The cube used by the small format tests: 10 mm, offset so that no
 * coordinate is zero, six quads with outward, counter-clockwise winding. */
const float op_test_cube_v[8][3] = {
  { 1.5f, 2.5f, 3.5f }, { 11.5f, 2.5f, 3.5f }, { 11.5f, 12.5f, 3.5f }, { 1.5f, 12.5f, 3.5f },
  { 1.5f, 2.5f, 13.5f }, { 11.5f, 2.5f, 13.5f }, { 11.5f, 12.5f, 13.5f }, { 1.5f, 12.5f, 13.5f },
};
const int op_test_cube_q[6][4] = {
  { 0, 3, 2, 1 }, { 4, 5, 6, 7 }, { 0, 1, 5, 4 }, { 2, 3, 7, 6 }, { 0, 4, 7, 3 }, { 1, 2, 6, 5 },
};

void
op_test_cube_triangle (int t,
                       int out[3])
{
  const int *q = op_test_cube_q[t / 2];

  out[0] = q[0];
  out[1] = t % 2 ? q[2] : q[1];
  out[2] = t % 2 ? q[3] : q[2];
}

void
op_test_check_cube (const OpMesh *mesh)
{
  g_assert_cmpuint (mesh->n_vertices, ==, 8);
  g_assert_cmpuint (mesh->n_triangles, ==, 12);
  g_assert_cmpuint (op_test_count_open_edges (mesh), ==, 0);
  g_assert_cmpfloat_with_epsilon (op_mesh_volume (mesh), 1000.0, 1e-3);
  g_assert_cmpfloat (mesh->bbox_min[0], ==, 1.5f);
  g_assert_cmpfloat (mesh->bbox_max[2], ==, 13.5f);
  g_assert_nonnull (mesh->normals);
  for (int i = 0; i < 8; i++)
    g_assert_cmpint (op_test_find_vertex (mesh, op_test_cube_v[i]), >=, 0);
  if (mesh->normals)
    for (gsize i = 0; i < mesh->n_vertices; i++)
      {
        /* Smooth normals are unit length and point away from the centre at
         * every corner (how far each leans depends on the diagonals). */
        const float *n = &mesh->normals[3 * i], *p = &mesh->positions[3 * i];
        double len = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);

        g_assert_cmpfloat_with_epsilon (len, 1.0, 1e-5);
        for (int k = 0; k < 3; k++)
          g_assert_cmpfloat (n[k] * (p[k] - 6.5f - (float) k), >, 0.f);
      }
}

GByteArray *
op_test_cube_binary_stl (const char *header,
                         guint16     attribute)
{
  GByteArray *out = g_byte_array_new ();
  guint8 head[84] = { 0 };
  guint32 n = GUINT32_TO_LE (12);

  memcpy (head, header, MIN (strlen (header), 80));
  memcpy (head + 80, &n, 4);
  g_byte_array_append (out, head, 84);
  for (int t = 0; t < 12; t++)
    {
      int tri[3];
      float rec[12] = { 0 };
      guint16 attr = GUINT16_TO_LE (attribute);

      op_test_cube_triangle (t, tri);
      for (int c = 0; c < 3; c++)
        memcpy (&rec[3 + 3 * c], op_test_cube_v[tri[c]], 12);
      g_byte_array_append (out, (const guint8 *) rec, 48);
      g_byte_array_append (out, (const guint8 *) &attr, 2);
    }
  return out;
}

char *
op_test_cube_ascii_stl (const char *eol)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "solid cube%s", eol);
  for (int t = 0; t < 12; t++)
    {
      int tri[3];

      op_test_cube_triangle (t, tri);
      g_string_append_printf (s, "  facet normal 0 0 0%s    outer loop%s", eol, eol);
      for (int c = 0; c < 3; c++)
        g_string_append_printf (s, "      vertex %g %g %g%s", op_test_cube_v[tri[c]][0], op_test_cube_v[tri[c]][1],
                                op_test_cube_v[tri[c]][2], eol);
      g_string_append_printf (s, "    endloop%s  endfacet%s", eol, eol);
    }
  g_string_append_printf (s, "endsolid cube%s", eol);
  return g_string_free (s, FALSE);
}

/* A closed torus with colours and labels by vertex, for the round trips. */
OpMesh *
op_test_make_torus (int nu,
                    int nv)
{
  OpMesh *mesh = op_mesh_new ((gsize) nu * nv, 2 * (gsize) nu * nv,
                              OP_MESH_ATTR_COLORS | OP_MESH_ATTR_LABELS);

  for (int i = 0; i < nu; i++)
    for (int j = 0; j < nv; j++)
      {
        double u = 2 * G_PI * i / nu, v = 2 * G_PI * j / nv;
        gsize k = (gsize) i * nv + j;

        mesh->positions[3 * k + 0] = (float) ((20 + 6 * cos (v)) * cos (u));
        mesh->positions[3 * k + 1] = (float) ((20 + 6 * cos (v)) * sin (u));
        mesh->positions[3 * k + 2] = (float) (6 * sin (v));
        mesh->colors[4 * k + 0] = (guint8) (i * 7);
        mesh->colors[4 * k + 1] = (guint8) (j * 11);
        mesh->colors[4 * k + 2] = (guint8) (k % 256);
        mesh->colors[4 * k + 3] = 255;
        mesh->labels[k] = 11 + (gint32) (k % 37);
      }
  for (int i = 0; i < nu; i++)
    for (int j = 0; j < nv; j++)
      {
        guint32 a = (guint32) (i * nv + j), b = (guint32) (((i + 1) % nu) * nv + j);
        guint32 c = (guint32) (((i + 1) % nu) * nv + (j + 1) % nv), d = (guint32) (i * nv + (j + 1) % nv);
        guint32 *t = &mesh->indices[6 * ((gsize) i * nv + j)];

        t[0] = a; t[1] = b; t[2] = c;
        t[3] = a; t[4] = c; t[5] = d;
      }
  op_mesh_compute_normals (mesh);
  op_mesh_compute_bounds (mesh);
  return mesh;
}

void
op_test_put_be_le (GByteArray *out,
                   const void *value,
                   gsize       size,
                   gboolean    big)
{
  guint8 b[8];

  memcpy (b, value, size);
  if (big != (G_BYTE_ORDER == G_BIG_ENDIAN))
    for (gsize i = 0; i < size / 2; i++)
      {
        guint8 t = b[i];
        b[i] = b[size - 1 - i];
        b[size - 1 - i] = t;
      }
  g_byte_array_append (out, b, (guint) size);
}

/* A segmentation-style PLY: every quad has its own four vertices (24 in
 * all) labelled by face, so each corner position is listed three times
 * with different labels.  The weld must keep the first in file order. */
GByteArray *
op_test_cube_binary_ply (gboolean big,
                         const char *label_type)
{
  GByteArray *out = g_byte_array_new ();
  g_autofree char *header = g_strdup_printf (
    "ply\nformat %s 1.0\nelement vertex 24\n"
    "property float x\nproperty float y\nproperty float z\n"
    "property float quality\nproperty %s label\nproperty uchar red\n"
    "element face 6\nproperty list uchar uint vertex_indices\nproperty ushort flags\n"
    "element edge 1\nproperty int vertex1\nproperty int vertex2\nend_header\n",
    big ? "binary_big_endian" : "binary_little_endian", label_type);

  g_byte_array_append (out, (const guint8 *) header, (guint) strlen (header));
  for (int q = 0; q < 6; q++)
    for (int c = 0; c < 4; c++)
      {
        float quality = 0.5f;
        guint8 red = (guint8) (40 * q);

        for (int k = 0; k < 3; k++)
          op_test_put_be_le (out, &op_test_cube_v[op_test_cube_q[q][c]][k], 4, big);
        op_test_put_be_le (out, &quality, 4, big);
        if (strcmp (label_type, "uchar") == 0)
          {
            guint8 l = (guint8) (21 + q);
            g_byte_array_append (out, &l, 1);
          }
        else if (strcmp (label_type, "ushort") == 0)
          {
            guint16 l = (guint16) (21 + q);
            op_test_put_be_le (out, &l, 2, big);
          }
        else
          {
            gint32 l = 21 + q;
            op_test_put_be_le (out, &l, 4, big);
          }
        g_byte_array_append (out, &red, 1);
      }
  for (int q = 0; q < 6; q++)
    {
      guint8 n = 4;
      guint16 flags = 7;

      g_byte_array_append (out, &n, 1);
      for (int c = 0; c < 4; c++)
        {
          guint32 idx = (guint32) (4 * q + c);
          op_test_put_be_le (out, &idx, 4, big);
        }
      op_test_put_be_le (out, &flags, 2, big);
    }
  for (int k = 0; k < 2; k++)
    {
      gint32 e = k;
      op_test_put_be_le (out, &e, 4, big);
    }
  return out;
}
