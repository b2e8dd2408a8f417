/* test-io-mesh.c: mesh import and export (STL, PLY, OBJ, GLB).
 *
 * Every input is generated here into a temporary folder, so each test says
 * exactly what the bytes are; real teeth come from $OP_SHARED_DATA.
 */
#include "op-mesh-io.h"

#include <meshoptimizer.h>

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

static char *tmp_dir;

/* Helpers ------------------------------------------------------------------------ */

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static char *
write_file (const char *name,
            const void *data,
            gsize       size)
{
  char *path = tmp_path (name);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, (gssize) size, &error);
  g_assert_no_error (error);
  return path;
}

static char *
write_text (const char *name,
            const char *text)
{
  return write_file (name, text, strlen (text));
}

/* Expects @error to be OP_MESH_IO_ERROR/@code and its message to start
 * with the file's base name, as every import error must. */
static void
assert_io_error (const GError *error,
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

static void
load_expect_error (const char   *name,
                   const void   *data,
                   gsize         size,
                   gsize         max_triangles,
                   OpMeshIOError code)
{
  g_autofree char *path = write_file (name, data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  OpMeshLoadOptions options = { max_triangles };

  mesh = op_mesh_load (path, &options, NULL, NULL, &error);
  g_assert_null (mesh);
  assert_io_error (error, code, name);
}

/* Number of edges not shared by exactly two triangles (0 for a closed,
 * manifold surface: a good check that the weld joined every seam). */
static gsize
count_open_edges (const OpMesh *mesh)
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
static gssize
find_vertex (const OpMesh *mesh,
             const float   p[3])
{
  for (gsize i = 0; i < mesh->n_vertices; i++)
    if (memcmp (&mesh->positions[3 * i], p, 3 * sizeof (float)) == 0)
      return (gssize) i;
  return -1;
}

/* The cube used by the small format tests: 10 mm, offset so that no
 * coordinate is zero, six quads with outward, counter-clockwise winding. */
static const float cube_v[8][3] = {
  { 1.5f, 2.5f, 3.5f }, { 11.5f, 2.5f, 3.5f }, { 11.5f, 12.5f, 3.5f }, { 1.5f, 12.5f, 3.5f },
  { 1.5f, 2.5f, 13.5f }, { 11.5f, 2.5f, 13.5f }, { 11.5f, 12.5f, 13.5f }, { 1.5f, 12.5f, 13.5f },
};
static const int cube_q[6][4] = {
  { 0, 3, 2, 1 }, { 4, 5, 6, 7 }, { 0, 1, 5, 4 }, { 2, 3, 7, 6 }, { 0, 4, 7, 3 }, { 1, 2, 6, 5 },
};

static void
cube_triangle (int t,
               int out[3])
{
  const int *q = cube_q[t / 2];

  out[0] = q[0];
  out[1] = t % 2 ? q[2] : q[1];
  out[2] = t % 2 ? q[3] : q[2];
}

static void
check_cube (const OpMesh *mesh)
{
  g_assert_cmpuint (mesh->n_vertices, ==, 8);
  g_assert_cmpuint (mesh->n_triangles, ==, 12);
  g_assert_cmpuint (count_open_edges (mesh), ==, 0);
  g_assert_cmpfloat_with_epsilon (op_mesh_volume (mesh), 1000.0, 1e-3);
  g_assert_cmpfloat (mesh->bbox_min[0], ==, 1.5f);
  g_assert_cmpfloat (mesh->bbox_max[2], ==, 13.5f);
  g_assert_nonnull (mesh->normals);
  for (int i = 0; i < 8; i++)
    g_assert_cmpint (find_vertex (mesh, cube_v[i]), >=, 0);
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

static GByteArray *
cube_binary_stl (const char *header,
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

      cube_triangle (t, tri);
      for (int c = 0; c < 3; c++)
        memcpy (&rec[3 + 3 * c], cube_v[tri[c]], 12);
      g_byte_array_append (out, (const guint8 *) rec, 48);
      g_byte_array_append (out, (const guint8 *) &attr, 2);
    }
  return out;
}

static char *
cube_ascii_stl (const char *eol)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "solid cube%s", eol);
  for (int t = 0; t < 12; t++)
    {
      int tri[3];

      cube_triangle (t, tri);
      g_string_append_printf (s, "  facet normal 0 0 0%s    outer loop%s", eol, eol);
      for (int c = 0; c < 3; c++)
        g_string_append_printf (s, "      vertex %g %g %g%s", cube_v[tri[c]][0], cube_v[tri[c]][1],
                                cube_v[tri[c]][2], eol);
      g_string_append_printf (s, "    endloop%s  endfacet%s", eol, eol);
    }
  g_string_append_printf (s, "endsolid cube%s", eol);
  return g_string_free (s, FALSE);
}

/* A closed torus with colours and labels by vertex, for the round trips. */
static OpMesh *
make_torus (int nu,
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

/* Formats --------------------------------------------------------------------------- */

static void
test_format_strings (void)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13 };
  static const char ply[] = "ply\nformat ascii 1.0\n";
  static const char obj[] = "# made by hand\nv 0 0 0\nv 1 0 0\n";
  static const char solid[] = "solid x\nfacet normal 0 0 1\n";
  g_autoptr(GByteArray) stl = cube_binary_stl ("solid but binary", 0);

  g_assert_cmpstr (op_mesh_format_to_string (OP_MESH_FORMAT_STL), ==, "stl");
  g_assert_cmpstr (op_mesh_format_to_string (OP_MESH_FORMAT_PLY), ==, "ply");
  g_assert_cmpstr (op_mesh_format_to_string (OP_MESH_FORMAT_OBJ), ==, "obj");
  g_assert_cmpstr (op_mesh_format_to_string (OP_MESH_FORMAT_GLB), ==, "glb");
  g_assert_cmpint (op_mesh_format_from_string ("STL"), ==, OP_MESH_FORMAT_STL);
  g_assert_cmpint (op_mesh_format_from_string ("ply"), ==, OP_MESH_FORMAT_PLY);
  g_assert_cmpint (op_mesh_format_from_string ("Obj"), ==, OP_MESH_FORMAT_OBJ);
  g_assert_cmpint (op_mesh_format_from_string ("glb"), ==, OP_MESH_FORMAT_GLB);
  g_assert_cmpint (op_mesh_format_from_string ("png"), ==, OP_MESH_FORMAT_UNKNOWN);
  g_assert_cmpint (op_mesh_format_from_string (NULL), ==, OP_MESH_FORMAT_UNKNOWN);

  g_assert_cmpint (op_mesh_format_detect ("/a/b/upper.STL", NULL, 0), ==, OP_MESH_FORMAT_STL);
  g_assert_cmpint (op_mesh_format_detect ("x.ply", NULL, 0), ==, OP_MESH_FORMAT_PLY);
  g_assert_cmpint (op_mesh_format_detect ("dir.obj/x", NULL, 0), ==, OP_MESH_FORMAT_UNKNOWN);
  g_assert_cmpint (op_mesh_format_detect ("scan", (const guint8 *) ply, strlen (ply)), ==, OP_MESH_FORMAT_PLY);
  g_assert_cmpint (op_mesh_format_detect ("scan", (const guint8 *) obj, strlen (obj)), ==, OP_MESH_FORMAT_OBJ);
  g_assert_cmpint (op_mesh_format_detect ("scan", (const guint8 *) solid, strlen (solid)), ==, OP_MESH_FORMAT_STL);
  g_assert_cmpint (op_mesh_format_detect ("scan", stl->data, stl->len), ==, OP_MESH_FORMAT_STL);
  g_assert_cmpint (op_mesh_format_detect ("scan", (const guint8 *) "glTF\2\0\0\0\0\0\0\0", 12), ==, OP_MESH_FORMAT_GLB);
  g_assert_cmpint (op_mesh_format_detect ("x.xyz", png, sizeof png), ==, OP_MESH_FORMAT_UNKNOWN);
}

/* STL ------------------------------------------------------------------------------ */

static void
test_stl_binary_solid_header (void)
{
  /* "solid" at the start of a binary header, and 0xFFFF attribute bytes,
   * exactly as Meshmixer writes them. */
  g_autoptr(GByteArray) stl = cube_binary_stl ("solid cube exported by a tool that should not", 0xFFFF);
  g_autofree char *path = write_file ("solid-binary.stl", stl->data, stl->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  OpMeshInfo info;

  mesh = op_mesh_load (path, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  if (mesh == NULL)
    return;
  check_cube (mesh);
  g_assert_cmpint (info.format, ==, OP_MESH_FORMAT_STL);
  g_assert_true (info.binary);
  g_assert_cmpuint (info.source_vertices, ==, 36);
  /* 0xFFFF is not a colour; no colours may be invented from it. */
  g_assert_false (info.had_colors);
  g_assert_null (mesh->colors);
  g_assert_false (info.had_labels);
  g_assert_null (mesh->labels);
}

static void
test_stl_ascii (void)
{
  g_autofree char *lf = cube_ascii_stl ("\n");
  g_autofree char *crlf = cube_ascii_stl ("\r\n");
  const char *texts[] = { lf, crlf };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *path = write_text (i ? "ascii-crlf.stl" : "ascii.stl", texts[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(OpMesh) mesh = NULL;
      OpMeshInfo info;

      mesh = op_mesh_load (path, NULL, &info, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (mesh);
      if (mesh == NULL)
        continue;
      check_cube (mesh);
      g_assert_false (info.binary);
      g_assert_cmpint (info.format, ==, OP_MESH_FORMAT_STL);
      g_assert_cmpuint (info.source_vertices, ==, 36);
    }
}

/* Large unindexed input (over 300k corners) is welded in two halves on two
 * threads and merged; the result must be byte for byte what one
 * meshopt_generateVertexRemap over the whole gives. */
static void
test_stl_large_weld (void)
{
  g_autoptr(OpMesh) torus = make_torus (300, 200);
  g_autofree char *path = tmp_path ("large.stl");
  g_autofree float *corners = g_new (float, 9 * torus->n_triangles);
  g_autofree unsigned int *remap = g_new (unsigned int, 3 * torus->n_triangles);
  g_autofree float *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  gsize n = 3 * torus->n_triangles, unique;

  g_assert_cmpuint (n, >, 300000);
  for (gsize i = 0; i < n; i++)
    memcpy (&corners[3 * i], &torus->positions[3 * torus->indices[i]], 12);
  unique = meshopt_generateVertexRemap (remap, NULL, n, corners, n, 12);
  expected = g_new (float, 3 * unique);
  meshopt_remapVertexBuffer (expected, corners, n, 12, remap);

  g_assert_true (op_mesh_save (torus, path, OP_MESH_FORMAT_STL, &error));
  mesh = op_mesh_load (path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  if (mesh == NULL)
    return;
  g_assert_cmpuint (unique, ==, torus->n_vertices);
  g_assert_cmpuint (mesh->n_vertices, ==, unique);
  g_assert_cmpuint (mesh->n_triangles, ==, torus->n_triangles);
  if (mesh->n_vertices == unique && mesh->n_triangles == torus->n_triangles)
    {
      g_assert_cmpmem (mesh->indices, n * sizeof (guint32), remap, n * sizeof (guint32));
      g_assert_cmpmem (mesh->positions, 12 * unique, expected, 12 * unique);
    }
  g_assert_cmpuint (count_open_edges (mesh), ==, 0);
}

/* PLY ------------------------------------------------------------------------------ */

static void
test_ply_ascii_crlf (void)
{
  GString *s = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  OpMeshInfo info;

  g_string_append (s, "ply\r\nformat ascii 1.0\r\ncomment a cube\r\nelement vertex 8\r\n"
                      "property float x\r\nproperty float y\r\nproperty float z\r\n"
                      "property float nx\r\nproperty float ny\r\nproperty float nz\r\n"
                      "property uchar red\r\nproperty uchar green\r\nproperty uchar blue\r\n"
                      "property int label\r\nelement face 6\r\n"
                      "property list uchar int vertex_indices\r\nend_header\r\n");
  for (int i = 0; i < 8; i++)
    g_string_append_printf (s, "%g %g %g 0 0 1 %d %d %d %d\r\n", cube_v[i][0], cube_v[i][1],
                            cube_v[i][2], 10 * i, 20 * i, 30 * i, 11 + i);
  /* Quads, so the fan triangulation is exercised too. */
  for (int q = 0; q < 6; q++)
    g_string_append_printf (s, "4 %d %d %d %d\r\n", cube_q[q][0], cube_q[q][1], cube_q[q][2], cube_q[q][3]);
  text = g_string_free (s, FALSE);
  path = write_text ("crlf.ply", text);

  mesh = op_mesh_load (path, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  if (mesh == NULL)
    return;
  check_cube (mesh);
  g_assert_cmpint (info.format, ==, OP_MESH_FORMAT_PLY);
  g_assert_false (info.binary);
  g_assert_true (info.had_colors);
  g_assert_true (info.had_labels);
  g_assert_cmpuint (info.source_vertices, ==, 8);
  g_assert_nonnull (mesh->labels);
  g_assert_nonnull (mesh->colors);
  if (mesh->labels == NULL || mesh->colors == NULL)
    return;
  for (int i = 0; i < 8; i++)
    {
      gssize v = find_vertex (mesh, cube_v[i]);

      g_assert_cmpint (v, >=, 0);
      if (v < 0)
        continue;
      g_assert_cmpint (mesh->labels[v], ==, 11 + i);
      g_assert_cmpint (mesh->colors[4 * v + 0], ==, 10 * i);
      g_assert_cmpint (mesh->colors[4 * v + 1], ==, 20 * i);
      g_assert_cmpint (mesh->colors[4 * v + 2], ==, 30 * i);
      g_assert_cmpint (mesh->colors[4 * v + 3], ==, 255);
    }
}

static void
put_be_le (GByteArray *out,
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
static GByteArray *
cube_binary_ply (gboolean big,
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
          put_be_le (out, &cube_v[cube_q[q][c]][k], 4, big);
        put_be_le (out, &quality, 4, big);
        if (strcmp (label_type, "uchar") == 0)
          {
            guint8 l = (guint8) (21 + q);
            g_byte_array_append (out, &l, 1);
          }
        else if (strcmp (label_type, "ushort") == 0)
          {
            guint16 l = (guint16) (21 + q);
            put_be_le (out, &l, 2, big);
          }
        else
          {
            gint32 l = 21 + q;
            put_be_le (out, &l, 4, big);
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
          put_be_le (out, &idx, 4, big);
        }
      put_be_le (out, &flags, 2, big);
    }
  for (int k = 0; k < 2; k++)
    {
      gint32 e = k;
      put_be_le (out, &e, 4, big);
    }
  return out;
}

static void
check_ply_labels (const char *name,
                  gboolean    big,
                  const char *label_type)
{
  g_autoptr(GByteArray) ply = cube_binary_ply (big, label_type);
  g_autofree char *path = write_file (name, ply->data, ply->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  OpMeshInfo info;

  mesh = op_mesh_load (path, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  if (mesh == NULL)
    return;
  check_cube (mesh);
  g_assert_true (info.binary);
  g_assert_true (info.had_labels);
  g_assert_true (info.had_colors);
  g_assert_cmpuint (info.source_vertices, ==, 24);
  g_assert_nonnull (mesh->labels);
  if (mesh->labels == NULL)
    return;
  for (int i = 0; i < 8; i++)
    {
      gssize v = find_vertex (mesh, cube_v[i]);
      int first_quad = -1;

      for (int q = 0; q < 6 && first_quad < 0; q++)
        for (int c = 0; c < 4; c++)
          if (cube_q[q][c] == i)
            {
              first_quad = q;
              break;
            }
      g_assert_cmpint (v, >=, 0);
      if (v < 0)
        continue;
      g_assert_cmpint (mesh->labels[v], ==, 21 + first_quad);
      g_assert_cmpint (mesh->colors[4 * v], ==, 40 * first_quad);
    }
}

static void
test_ply_binary_le_labels (void)
{
  check_ply_labels ("le-int.ply", FALSE, "int");
  check_ply_labels ("le-uchar.ply", FALSE, "uchar");
}

static void
test_ply_binary_be_labels (void)
{
  check_ply_labels ("be-ushort.ply", TRUE, "ushort");
  check_ply_labels ("be-int.ply", TRUE, "int");
}

static void
test_ply_colors_assimp (void)
{
  /* No labels: this one goes through Assimp, which must keep colours. */
  GString *s = g_string_new ("ply\nformat ascii 1.0\nelement vertex 8\nproperty float x\n"
                             "property float y\nproperty float z\nproperty uchar red\n"
                             "property uchar green\nproperty uchar blue\nelement face 12\n"
                             "property list uchar int vertex_indices\nend_header\n");
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  OpMeshInfo info;

  for (int i = 0; i < 8; i++)
    g_string_append_printf (s, "%g %g %g %d 100 200\n", cube_v[i][0], cube_v[i][1], cube_v[i][2], 25 * i);
  for (int t = 0; t < 12; t++)
    {
      int tri[3];
      cube_triangle (t, tri);
      g_string_append_printf (s, "3 %d %d %d\n", tri[0], tri[1], tri[2]);
    }
  text = g_string_free (s, FALSE);
  path = write_text ("colours.ply", text);
  mesh = op_mesh_load (path, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  if (mesh == NULL)
    return;
  check_cube (mesh);
  g_assert_true (info.had_colors);
  g_assert_false (info.had_labels);
  g_assert_cmpuint (info.source_vertices, ==, 8);
  g_assert_nonnull (mesh->colors);
  if (mesh->colors == NULL)
    return;
  for (int i = 0; i < 8; i++)
    {
      gssize v = find_vertex (mesh, cube_v[i]);
      if (v < 0)
        continue;
      g_assert_cmpint (mesh->colors[4 * v + 0], ==, 25 * i);
      g_assert_cmpint (mesh->colors[4 * v + 1], ==, 100);
      g_assert_cmpint (mesh->colors[4 * v + 2], ==, 200);
    }
}

/* OBJ ------------------------------------------------------------------------------ */

static void
test_obj (void)
{
  GString *s = g_string_new ("# cube\no cube\n");
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  OpMeshInfo info;

  for (int i = 0; i < 8; i++)
    g_string_append_printf (s, "v %g %g %g\n", cube_v[i][0], cube_v[i][1], cube_v[i][2]);
  g_string_append (s, "vn 0 0 1\n");
  /* Quads with normal references, and the last face with relative indices. */
  for (int q = 0; q < 5; q++)
    g_string_append_printf (s, "f %d//1 %d//1 %d//1 %d//1\n", cube_q[q][0] + 1, cube_q[q][1] + 1,
                            cube_q[q][2] + 1, cube_q[q][3] + 1);
  g_string_append_printf (s, "f %d %d %d %d\n", cube_q[5][0] - 8, cube_q[5][1] - 8,
                          cube_q[5][2] - 8, cube_q[5][3] - 8);
  text = g_string_free (s, FALSE);
  path = write_text ("cube.obj", text);
  mesh = op_mesh_load (path, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  if (mesh == NULL)
    return;
  check_cube (mesh);
  g_assert_cmpint (info.format, ==, OP_MESH_FORMAT_OBJ);
  g_assert_cmpuint (info.source_vertices, ==, 8);
}

/* Bad input ------------------------------------------------------------------------ */

static void
test_error_empty (void)
{
  load_expect_error ("empty.stl", "", 0, 0, OP_MESH_IO_ERROR_EMPTY);
  load_expect_error ("empty.ply", "", 0, 0, OP_MESH_IO_ERROR_EMPTY);
}

static void
test_error_truncated (void)
{
  g_autoptr(GByteArray) plain = cube_binary_stl ("binary", 0);
  g_autoptr(GByteArray) solid = cube_binary_stl ("solid binary", 0xFFFF);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  g_autoptr(GByteArray) ply = cube_binary_ply (FALSE, "int");

  /* Cut in the middle of triangle 8: the count says 12, the size 7. */
  load_expect_error ("cut.stl", plain->data, 84 + 50 * 7 + 20, 0, OP_MESH_IO_ERROR_TRUNCATED);
  load_expect_error ("cut-solid.stl", solid->data, 84 + 50 * 7 + 20, 0, OP_MESH_IO_ERROR_TRUNCATED);

  path = write_file ("upper.stl", plain->data, 84 + 50 * 7 + 20);
  mesh = op_mesh_load (path, NULL, NULL, NULL, &error);
  g_assert_null (mesh);
  g_assert_nonnull (error);
  if (error)
    g_assert_true (g_str_has_prefix (error->message,
                                     "upper.stl: binary STL says 12 triangles but the file holds 7"));

  load_expect_error ("cut.ply", ply->data, ply->len - 30, 0, OP_MESH_IO_ERROR_TRUNCATED);
}

static void
test_error_not_finite (void)
{
  g_autoptr(GByteArray) stl = cube_binary_stl ("binary", 0);
  float nan_value = NAN, inf_value = INFINITY;
  g_autofree char *ascii = cube_ascii_stl ("\n");
  char *hit;
  static const char nan_ply[] = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
                                "property float z\nproperty int label\nelement face 1\n"
                                "property list uchar int vertex_indices\nend_header\n"
                                "0 0 0 1\n1 nan 0 1\n0 1 0 1\n3 0 1 2\n";

  memcpy (stl->data + 84 + 50 * 3 + 16, &nan_value, 4);
  load_expect_error ("nan.stl", stl->data, stl->len, 0, OP_MESH_IO_ERROR_NOT_FINITE);
  memcpy (stl->data + 84 + 50 * 3 + 16, &inf_value, 4);
  load_expect_error ("inf.stl", stl->data, stl->len, 0, OP_MESH_IO_ERROR_NOT_FINITE);

  hit = strstr (ascii, "vertex 11.5");
  g_assert_nonnull (hit);
  if (hit)
    memcpy (hit + 7, "nan ", 4);
  load_expect_error ("nan-ascii.stl", ascii, strlen (ascii), 0, OP_MESH_IO_ERROR_NOT_FINITE);

  load_expect_error ("nan.ply", nan_ply, strlen (nan_ply), 0, OP_MESH_IO_ERROR_NOT_FINITE);
}

static void
test_error_no_triangles (void)
{
  static const char ply[] = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n"
                            "property float y\nproperty float z\nend_header\n0 0 0\n1 0 0\n0 1 0\n";
  static const char obj[] = "v 0 0 0\nv 1 0 0\nv 0 1 0\n";
  static const char stl[] = "solid nothing\nendsolid nothing\n";
  g_autoptr(GByteArray) zero = g_byte_array_new ();
  guint8 head[84] = { 0 };

  load_expect_error ("points.ply", ply, strlen (ply), 0, OP_MESH_IO_ERROR_NO_TRIANGLES);
  load_expect_error ("points.obj", obj, strlen (obj), 0, OP_MESH_IO_ERROR_NO_TRIANGLES);
  load_expect_error ("nothing.stl", stl, strlen (stl), 0, OP_MESH_IO_ERROR_NO_TRIANGLES);
  g_byte_array_append (zero, head, 84);
  load_expect_error ("zero.stl", zero->data, zero->len, 0, OP_MESH_IO_ERROR_NO_TRIANGLES);
}

static void
test_error_index_range (void)
{
  static const char ply[] = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n"
                            "property float y\nproperty float z\nelement face 2\n"
                            "property list uchar int vertex_indices\nend_header\n"
                            "0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n3 0 2 9\n";
  static const char ply_labels[] = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n"
                                   "property float y\nproperty float z\nproperty int label\n"
                                   "element face 2\nproperty list uchar int vertex_indices\n"
                                   "end_header\n0 0 0 1\n1 0 0 1\n0 1 0 1\n3 0 1 2\n3 0 2 -1\n";
  static const char obj[] = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nf 1 2 7\n";
  static const char obj_neg[] = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nf -1 -2 -4\n";

  /* Without labels the PLY goes through Assimp, which passes bad indices
   * through; with labels it goes through our reader: both must refuse. */
  load_expect_error ("bad-index.ply", ply, strlen (ply), 0, OP_MESH_IO_ERROR_INDEX_RANGE);
  load_expect_error ("bad-index-labels.ply", ply_labels, strlen (ply_labels), 0, OP_MESH_IO_ERROR_INDEX_RANGE);
  load_expect_error ("bad-index.obj", obj, strlen (obj), 0, OP_MESH_IO_ERROR_INDEX_RANGE);
  load_expect_error ("bad-relative.obj", obj_neg, strlen (obj_neg), 0, OP_MESH_IO_ERROR_INDEX_RANGE);
}

static void
test_error_too_large (void)
{
  g_autoptr(GByteArray) stl = cube_binary_stl ("binary", 0);
  g_autoptr(GByteArray) ply = cube_binary_ply (FALSE, "int");
  g_autofree char *ascii = cube_ascii_stl ("\n");

  load_expect_error ("big.stl", stl->data, stl->len, 11, OP_MESH_IO_ERROR_TOO_LARGE);
  load_expect_error ("big-ascii.stl", ascii, strlen (ascii), 11, OP_MESH_IO_ERROR_TOO_LARGE);
  /* 6 quads are 12 triangles: over a limit of 11, though there are 6 faces. */
  load_expect_error ("big.ply", ply->data, ply->len, 11, OP_MESH_IO_ERROR_TOO_LARGE);
  load_expect_error ("big.ply", ply->data, ply->len, 5, OP_MESH_IO_ERROR_TOO_LARGE);

  /* The limit is checked from the header, before anything is parsed: the
   * same file with a NaN in it still says TOO_LARGE, not NOT_FINITE. */
  {
    float nan_value = NAN;

    memcpy (stl->data + 84 + 12, &nan_value, 4);
    load_expect_error ("big-nan.stl", stl->data, stl->len, 11, OP_MESH_IO_ERROR_TOO_LARGE);
    load_expect_error ("nan-under-limit.stl", stl->data, stl->len, 12, OP_MESH_IO_ERROR_NOT_FINITE);
    memcpy (stl->data + 84 + 12, &cube_v[0][0], 4);
  }

  {
    /* Just at the limit, the cube still loads. */
    g_autofree char *path = write_file ("limit.stl", stl->data, stl->len);
    g_autoptr(GError) error = NULL;
    OpMeshLoadOptions options = { 12 };
    g_autoptr(OpMesh) mesh = op_mesh_load (path, &options, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (mesh);
  }
}

static void
test_error_unknown_format (void)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0 };
  static const char text[] = "this is a shopping list, not a mesh\n";
  guint8 random_bytes[300];
  GRand *rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < sizeof random_bytes; i++)
    random_bytes[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);

  load_expect_error ("picture.xyz", png, sizeof png, 0, OP_MESH_IO_ERROR_UNKNOWN_FORMAT);
  load_expect_error ("random.xyz", random_bytes, sizeof random_bytes, 0, OP_MESH_IO_ERROR_UNKNOWN_FORMAT);
  load_expect_error ("noextension", text, strlen (text), 0, OP_MESH_IO_ERROR_UNKNOWN_FORMAT);
  load_expect_error ("garbage.stl", text, strlen (text), 0, OP_MESH_IO_ERROR_UNKNOWN_FORMAT);
  load_expect_error ("picture.ply", png, sizeof png, 0, OP_MESH_IO_ERROR_UNKNOWN_FORMAT);
  load_expect_error ("picture.glb", png, sizeof png, 0, OP_MESH_IO_ERROR_UNKNOWN_FORMAT);
}

static void
test_error_parse (void)
{
  static const char ply[] = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n"
                            "property float y\nproperty float z\nproperty int label\n"
                            "element face 1\nproperty list uchar int vertex_indices\n"
                            "end_header\n0 0 0 1\n1 zero 0 1\n0 1 0 1\n3 0 1 2\n";
  static const char no_end[] = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n";
  g_autoptr(GByteArray) stl = cube_binary_stl ("binary", 0);

  load_expect_error ("word.ply", ply, strlen (ply), 0, OP_MESH_IO_ERROR_PARSE);
  load_expect_error ("no-end.ply", no_end, strlen (no_end), 0, OP_MESH_IO_ERROR_TRUNCATED);
  /* Bytes after the last declared triangle: the count and size disagree. */
  g_byte_array_append (stl, (const guint8 *) "trailing", 8);
  load_expect_error ("trailing.stl", stl->data, stl->len, 0, OP_MESH_IO_ERROR_PARSE);
}

/* A file that passes our own checks but that Assimp refuses: the reason
 * Assimp gives is kept, after the name. */
/* Valid JSON with a mesh whose accessor does not exist (a glTF binary
 * header and chunk with nothing wrong in their sizes). */
static const guint8 bad_glb[] = "glTF" "\x02\x00\x00\x00" "\xa4\x00\x00\x00" "\x90\x00\x00\x00" "JSON"
  "{\"asset\":{\"version\":\"2.0\"},\"meshes\":[{\"primitives\":[{\"attributes\":{\"POSITION\":5}}]}],\"nodes\":[{\"mesh\":0}],\"scenes\":[{\"nodes\":[0]}],\"scene\":0}   ";

static void
test_error_assimp (void)
{
  load_expect_error ("broken.glb", bad_glb, sizeof bad_glb - 1, 0, OP_MESH_IO_ERROR_PARSE);
}

static gpointer
load_in_thread (gpointer data)
{
  GBytes *good = data;
  g_autoptr(GBytes) bad = g_bytes_new_static (bad_glb, sizeof bad_glb - 1);
  guint failures = 0;

  for (int i = 0; i < 20; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OpMesh) a = op_mesh_load_bytes (bad, "broken.glb", NULL, NULL, NULL, &error);
      g_autoptr(OpMesh) b = op_mesh_load_bytes (good, "good.stl", NULL, NULL, NULL, NULL);

      if (a != NULL || !g_error_matches (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_PARSE) ||
          !g_str_has_prefix (error->message, "broken.glb: ") || b == NULL || b->n_vertices != 8)
        failures++;
    }
  return GUINT_TO_POINTER (failures);
}

/* Imports run in worker threads in the app, several at once. */
static void
test_concurrent (void)
{
  g_autoptr(GByteArray) stl = cube_binary_stl ("binary", 0);
  g_autoptr(GBytes) good = g_bytes_new (stl->data, stl->len);
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("load", load_in_thread, good);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (threads[i])), ==, 0);
}

static void
test_error_read (void)
{
  g_autofree char *path = tmp_path ("does-not-exist.stl");
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = op_mesh_load (path, NULL, NULL, NULL, &error);

  g_assert_null (mesh);
  assert_io_error (error, OP_MESH_IO_ERROR_READ, "does-not-exist.stl");
}

static void
test_cancelled (void)
{
  g_autoptr(GByteArray) stl = cube_binary_stl ("binary", 0);
  g_autofree char *path = write_file ("cancel.stl", stl->data, stl->len);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (stl->data, stl->len);
  g_autoptr(OpMesh) mesh = NULL;

  g_cancellable_cancel (cancellable);
  mesh = op_mesh_load (path, NULL, NULL, cancellable, &error);
  g_assert_null (mesh);
  assert_io_error (error, OP_MESH_IO_ERROR_CANCELLED, "cancel.stl");
  g_clear_error (&error);
  mesh = op_mesh_load_bytes (bytes, "/some/where/cancel-bytes.stl", NULL, NULL, cancellable, &error);
  g_assert_null (mesh);
  assert_io_error (error, OP_MESH_IO_ERROR_CANCELLED, "cancel-bytes.stl");

  /* The same input with a live cancellable loads. */
  g_clear_error (&error);
  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  mesh = op_mesh_load_bytes (bytes, "cancel-bytes.stl", NULL, NULL, cancellable, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
}

/* Weld ------------------------------------------------------------------------------ */

static void
test_weld (void)
{
  g_autoptr(OpMesh) mesh = op_mesh_new (36, 12, OP_MESH_ATTR_LABELS | OP_MESH_ATTR_NORMALS);

  for (int t = 0; t < 12; t++)
    {
      int tri[3];

      cube_triangle (t, tri);
      for (int c = 0; c < 3; c++)
        {
          memcpy (&mesh->positions[3 * (3 * t + c)], cube_v[tri[c]], 12);
          mesh->indices[3 * t + c] = (guint32) (3 * t + c);
          mesh->labels[3 * t + c] = t;
        }
    }
  op_mesh_weld (mesh);
  check_cube (mesh);
  /* Vertex 0 first appears in triangle 0, vertex 6 in triangle 2 (quad 1). */
  g_assert_cmpint (mesh->labels[find_vertex (mesh, cube_v[0])], ==, 0);
  g_assert_cmpint (mesh->labels[find_vertex (mesh, cube_v[6])], ==, 2);
}

/* Round trips ---------------------------------------------------------------------- */

static void
round_trip (OpMeshFormat format,
            const char  *name)
{
  g_autoptr(OpMesh) torus = make_torus (40, 24);
  g_autofree char *path = tmp_path (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) back = NULL;
  g_autoptr(GDir) dir = NULL;
  OpMeshInfo info;
  gsize misplaced = 0, wrong_labels = 0, wrong_colors = 0;
  const char *entry;

  g_assert_true (op_mesh_save (torus, path, format, &error));
  g_assert_no_error (error);
  back = op_mesh_load (path, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  if (back == NULL)
    return;

  g_assert_cmpint (info.format, ==, format);
  g_assert_cmpuint (back->n_triangles, ==, torus->n_triangles);
  g_assert_cmpuint (back->n_vertices, ==, torus->n_vertices);
  g_assert_cmpuint (count_open_edges (back), ==, 0);
  g_assert_cmpfloat_with_epsilon (op_mesh_volume (back), op_mesh_volume (torus), 1e-6 * op_mesh_volume (torus));
  for (gsize i = 0; i < back->n_vertices; i++)
    {
      gssize o = find_vertex (torus, &back->positions[3 * i]);

      if (o < 0)
        {
          misplaced++;
          continue;
        }
      if (format == OP_MESH_FORMAT_PLY)
        {
          if (back->labels == NULL || back->labels[i] != torus->labels[o])
            wrong_labels++;
          if (back->colors == NULL || memcmp (&back->colors[4 * i], &torus->colors[4 * o], 4) != 0)
            wrong_colors++;
        }
      if (format == OP_MESH_FORMAT_GLB && back->colors != NULL)
        for (int k = 0; k < 4; k++)
          if (ABS (back->colors[4 * i + k] - torus->colors[4 * o + k]) > 1)
            {
              wrong_colors++;
              break;
            }
    }
  g_assert_cmpuint (misplaced, ==, 0);
  g_assert_cmpuint (wrong_labels, ==, 0);
  g_assert_cmpuint (wrong_colors, ==, 0);
  if (format == OP_MESH_FORMAT_PLY)
    {
      g_assert_true (info.had_labels);
      g_assert_true (info.had_colors);
      g_assert_true (info.binary);
    }
  if (format == OP_MESH_FORMAT_GLB)
    g_assert_true (info.had_colors);

  /* Saving is deterministic: the same mesh gives the same bytes. */
  {
    g_autofree char *path2 = g_strconcat (path, ".again", NULL);
    g_autofree char *a = NULL, *b = NULL;
    gsize la = 0, lb = 0;

    g_assert_true (op_mesh_save (torus, path2, format, NULL));
    g_file_get_contents (path, &a, &la, NULL);
    g_file_get_contents (path2, &b, &lb, NULL);
    g_assert_cmpmem (a, la, b, lb);
    g_unlink (path2);
  }

  /* No temporary files are left behind. */
  dir = g_dir_open (tmp_dir, 0, NULL);
  while (dir && (entry = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (entry, "."));
}

static void
test_round_trip_stl (void)
{
  round_trip (OP_MESH_FORMAT_STL, "torus.stl");
}

static void
test_round_trip_ply (void)
{
  round_trip (OP_MESH_FORMAT_PLY, "torus.ply");
}

static void
test_round_trip_glb (void)
{
  round_trip (OP_MESH_FORMAT_GLB, "torus.glb");
}

static void
test_save_errors (void)
{
  g_autoptr(OpMesh) torus = make_torus (8, 6);
  g_autofree char *missing = g_build_filename (tmp_dir, "no-such-folder", "out.stl", NULL);
  g_autofree char *folder = tmp_path ("a-folder.ply");
  g_autofree char *obj = tmp_path ("out.obj");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *entry;

  g_assert_false (op_mesh_save (torus, missing, OP_MESH_FORMAT_STL, &error));
  assert_io_error (error, OP_MESH_IO_ERROR_WRITE, "out.stl");
  g_clear_error (&error);

  /* Renaming onto a folder fails after the data is written: the temporary
   * file must be removed. */
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_false (op_mesh_save (torus, folder, OP_MESH_FORMAT_PLY, &error));
  assert_io_error (error, OP_MESH_IO_ERROR_WRITE, "a-folder.ply");
  g_clear_error (&error);
  dir = g_dir_open (tmp_dir, 0, NULL);
  while (dir && (entry = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (entry, ".a-folder.ply"));
  g_rmdir (folder);

  g_assert_false (op_mesh_save (torus, obj, OP_MESH_FORMAT_OBJ, &error));
  assert_io_error (error, OP_MESH_IO_ERROR_WRITE, "out.obj");
  g_assert_false (g_file_test (obj, G_FILE_TEST_EXISTS));
}

/* Real teeth --------------------------------------------------------------------- */

static void
test_real_teeth (void)
{
  const char *root = g_getenv ("OP_SHARED_DATA");
  static const char *teeth[] = {
    "maxilla/tooth_8.stl", "maxilla/tooth_1.stl", "maxilla/tooth_14.stl",
    "mandible/tooth_24.stl", "mandible/tooth_30.stl",
  };
  guint loaded = 0;

  if (root == NULL || !g_file_test (root, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("OP_SHARED_DATA is not set or missing");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (teeth); i++)
    {
      g_autofree char *path = g_build_filename (root, "open-full-jaw-p26", teeth[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(OpMesh) mesh = NULL;
      g_autoptr(OpMesh) again = NULL;
      OpMeshInfo info;
      float extent[3];
      double vol;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      mesh = op_mesh_load (path, NULL, &info, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (mesh);
      if (mesh == NULL)
        continue;
      loaded++;
      g_test_message ("%s: %zu triangles, %zu vertices", teeth[i], mesh->n_triangles, mesh->n_vertices);

      g_assert_true (info.binary);
      g_assert_false (info.had_colors);   /* 0xFFFF attributes are not colours */
      g_assert_null (mesh->colors);
      g_assert_cmpuint (info.source_vertices, ==, 3 * mesh->n_triangles);
      g_assert_cmpuint (mesh->n_triangles, >=, 10000);
      /* A closed genus-0 surface has V = T/2 + 2 exactly; allow a little
       * for small handles or stray pieces in a real segmentation. */
      g_assert_cmpuint (mesh->n_vertices, >=, mesh->n_triangles / 2 - mesh->n_triangles / 100);
      g_assert_cmpuint (mesh->n_vertices, <=, mesh->n_triangles / 2 + mesh->n_triangles / 100);
      g_assert_cmpuint (count_open_edges (mesh), ==, 0);

      for (int k = 0; k < 3; k++)
        extent[k] = mesh->bbox_max[k] - mesh->bbox_min[k];
      g_assert_cmpfloat (MAX (extent[0], MAX (extent[1], extent[2])), >=, 8.f);
      g_assert_cmpfloat (MAX (extent[0], MAX (extent[1], extent[2])), <=, 35.f);
      g_assert_cmpfloat (MIN (extent[0], MIN (extent[1], extent[2])), >=, 2.f);
      vol = op_mesh_volume (mesh);
      g_assert_cmpfloat (vol, >, 50.0);
      g_assert_cmpfloat (vol, <, 5000.0);

      /* Loading is deterministic to the byte. */
      again = op_mesh_load (path, NULL, NULL, NULL, NULL);
      g_assert_nonnull (again);
      if (again)
        {
          g_assert_cmpmem (mesh->positions, 12 * mesh->n_vertices, again->positions, 12 * again->n_vertices);
          g_assert_cmpmem (mesh->indices, 12 * mesh->n_triangles, again->indices, 12 * again->n_triangles);
        }
    }
  if (loaded == 0)
    g_test_skip ("no teeth found under OP_SHARED_DATA");
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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  tmp_dir = g_dir_make_tmp ("op-test-io-mesh-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/io/mesh/format/strings", test_format_strings);
  g_test_add_func ("/io/mesh/stl-binary-solid-header", test_stl_binary_solid_header);
  g_test_add_func ("/io/mesh/stl-ascii", test_stl_ascii);
  g_test_add_func ("/io/mesh/stl-large-weld", test_stl_large_weld);
  g_test_add_func ("/io/mesh/ply-ascii-crlf", test_ply_ascii_crlf);
  g_test_add_func ("/io/mesh/ply-binary-le-labels", test_ply_binary_le_labels);
  g_test_add_func ("/io/mesh/ply-binary-be-labels", test_ply_binary_be_labels);
  g_test_add_func ("/io/mesh/ply-colors-assimp", test_ply_colors_assimp);
  g_test_add_func ("/io/mesh/obj", test_obj);
  g_test_add_func ("/io/mesh/error/empty", test_error_empty);
  g_test_add_func ("/io/mesh/error/truncated", test_error_truncated);
  g_test_add_func ("/io/mesh/error/not-finite", test_error_not_finite);
  g_test_add_func ("/io/mesh/error/no-triangles", test_error_no_triangles);
  g_test_add_func ("/io/mesh/error/index-range", test_error_index_range);
  g_test_add_func ("/io/mesh/error/too-large", test_error_too_large);
  g_test_add_func ("/io/mesh/error/unknown-format", test_error_unknown_format);
  g_test_add_func ("/io/mesh/error/parse", test_error_parse);
  g_test_add_func ("/io/mesh/error/read", test_error_read);
  g_test_add_func ("/io/mesh/error/assimp", test_error_assimp);
  g_test_add_func ("/io/mesh/concurrent", test_concurrent);
  g_test_add_func ("/io/mesh/cancelled", test_cancelled);
  g_test_add_func ("/io/mesh/weld", test_weld);
  g_test_add_func ("/io/mesh/round-trip/stl", test_round_trip_stl);
  g_test_add_func ("/io/mesh/round-trip/ply", test_round_trip_ply);
  g_test_add_func ("/io/mesh/round-trip/glb", test_round_trip_glb);
  g_test_add_func ("/io/mesh/save-errors", test_save_errors);
  g_test_add_func ("/io/mesh/real-teeth", test_real_teeth);

  ret = g_test_run ();
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
