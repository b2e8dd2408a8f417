/* test-io-mesh.c: importing STL, PLY, OBJ and real teeth; the weld.
 *
 * Every input is generated into a temporary folder (see
 * test-io-mesh-util.h), so each test says exactly what the bytes are.
 */
#include "test-io-mesh-util.h"

#include <meshoptimizer.h>

#include <string.h>

/* Formats --------------------------------------------------------------------------- */

static void
test_format_strings (void)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13 };
  static const char ply[] = "ply\nformat ascii 1.0\n";
  static const char obj[] = "# made by hand\nv 0 0 0\nv 1 0 0\n";
  static const char solid[] = "solid x\nfacet normal 0 0 1\n";
  g_autoptr(GByteArray) stl = op_test_cube_binary_stl ("solid but binary", 0);

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
  g_autoptr(GByteArray) stl = op_test_cube_binary_stl ("solid cube exported by a tool that should not", 0xFFFF);
  g_autofree char *path = op_test_write_file ("solid-binary.stl", stl->data, stl->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  OpMeshInfo info;

  mesh = op_mesh_load (path, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  if (mesh == NULL)
    return;
  op_test_check_cube (mesh);
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
  g_autofree char *lf = op_test_cube_ascii_stl ("\n");
  g_autofree char *crlf = op_test_cube_ascii_stl ("\r\n");
  const char *texts[] = { lf, crlf };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *path = op_test_write_text (i ? "ascii-crlf.stl" : "ascii.stl", texts[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(OpMesh) mesh = NULL;
      OpMeshInfo info;

      mesh = op_mesh_load (path, NULL, &info, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (mesh);
      if (mesh == NULL)
        continue;
      op_test_check_cube (mesh);
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
  g_autoptr(OpMesh) torus = op_test_make_torus (300, 200);
  g_autofree char *path = op_test_tmp_path ("large.stl");
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
  g_assert_cmpuint (op_test_count_open_edges (mesh), ==, 0);
}

/* The same weld with the triangles in random order and random corner
 * rotation, so equal positions lie far apart in the file, across the
 * blocks and threads the large weld splits the work into.  Two vertices
 * differ only in the sign of a zero: meshopt compares bytes, so they stay
 * apart, and so must every step of ours. */
static void
test_stl_large_weld_shuffled (void)
{
  g_autoptr(OpMesh) torus = op_test_make_torus (300, 200);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261123);
  g_autofree char *path = op_test_tmp_path ("large-shuffled.stl");
  g_autofree float *corners = NULL;
  g_autofree unsigned int *remap = NULL;
  g_autofree float *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  gsize n = 3 * torus->n_triangles, unique;

  torus->positions[3 * 10 + 0] = 0.f;
  torus->positions[3 * 20000 + 0] = -0.f;
  memcpy (&torus->positions[3 * 20000 + 1], &torus->positions[3 * 10 + 1], 2 * sizeof (float));
  for (gsize t = torus->n_triangles - 1; t > 0; t--)
    {
      gsize u = (gsize) g_rand_int_range (rand, 0, (gint32) t + 1);
      int turn = g_rand_int_range (rand, 0, 3);
      guint32 a[3], b[3];

      memcpy (a, &torus->indices[3 * t], sizeof a);
      memcpy (b, &torus->indices[3 * u], sizeof b);
      for (int k = 0; k < 3; k++)
        {
          torus->indices[3 * u + k] = a[(k + turn) % 3];
          torus->indices[3 * t + k] = b[k];
        }
    }

  corners = g_new (float, 3 * n);
  remap = g_new (unsigned int, n);
  for (gsize i = 0; i < n; i++)
    memcpy (&corners[3 * i], &torus->positions[3 * torus->indices[i]], 12);
  unique = meshopt_generateVertexRemap (remap, NULL, n, corners, n, 12);
  expected = g_new (float, 3 * unique);
  meshopt_remapVertexBuffer (expected, corners, n, 12, remap);
  g_assert_cmpuint (unique, ==, torus->n_vertices);

  g_assert_true (op_mesh_save (torus, path, OP_MESH_FORMAT_STL, &error));
  g_assert_no_error (error);
  mesh = op_mesh_load (path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  if (mesh == NULL)
    return;
  g_assert_cmpuint (mesh->n_vertices, ==, unique);
  g_assert_cmpuint (mesh->n_triangles, ==, torus->n_triangles);
  if (mesh->n_vertices == unique && mesh->n_triangles == torus->n_triangles)
    {
      g_assert_cmpmem (mesh->indices, n * sizeof (guint32), remap, n * sizeof (guint32));
      g_assert_cmpmem (mesh->positions, 12 * unique, expected, 12 * unique);
    }
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
    g_string_append_printf (s, "%g %g %g 0 0 1 %d %d %d %d\r\n", op_test_cube_v[i][0], op_test_cube_v[i][1],
                            op_test_cube_v[i][2], 10 * i, 20 * i, 30 * i, 11 + i);
  /* Quads, so the fan triangulation is exercised too. */
  for (int q = 0; q < 6; q++)
    g_string_append_printf (s, "4 %d %d %d %d\r\n", op_test_cube_q[q][0], op_test_cube_q[q][1], op_test_cube_q[q][2], op_test_cube_q[q][3]);
  text = g_string_free (s, FALSE);
  path = op_test_write_text ("crlf.ply", text);

  mesh = op_mesh_load (path, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  if (mesh == NULL)
    return;
  op_test_check_cube (mesh);
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
      gssize v = op_test_find_vertex (mesh, op_test_cube_v[i]);

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
check_ply_labels (const char *name,
                  gboolean    big,
                  const char *label_type)
{
  g_autoptr(GByteArray) ply = op_test_cube_binary_ply (big, label_type);
  g_autofree char *path = op_test_write_file (name, ply->data, ply->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  OpMeshInfo info;

  mesh = op_mesh_load (path, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  if (mesh == NULL)
    return;
  op_test_check_cube (mesh);
  g_assert_true (info.binary);
  g_assert_true (info.had_labels);
  g_assert_true (info.had_colors);
  g_assert_cmpuint (info.source_vertices, ==, 24);
  g_assert_nonnull (mesh->labels);
  if (mesh->labels == NULL)
    return;
  for (int i = 0; i < 8; i++)
    {
      gssize v = op_test_find_vertex (mesh, op_test_cube_v[i]);
      int first_quad = -1;

      for (int q = 0; q < 6 && first_quad < 0; q++)
        for (int c = 0; c < 4; c++)
          if (op_test_cube_q[q][c] == i)
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
    g_string_append_printf (s, "%g %g %g %d 100 200\n", op_test_cube_v[i][0], op_test_cube_v[i][1], op_test_cube_v[i][2], 25 * i);
  for (int t = 0; t < 12; t++)
    {
      int tri[3];
      op_test_cube_triangle (t, tri);
      g_string_append_printf (s, "3 %d %d %d\n", tri[0], tri[1], tri[2]);
    }
  text = g_string_free (s, FALSE);
  path = op_test_write_text ("colours.ply", text);
  mesh = op_mesh_load (path, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  if (mesh == NULL)
    return;
  op_test_check_cube (mesh);
  g_assert_true (info.had_colors);
  g_assert_false (info.had_labels);
  g_assert_cmpuint (info.source_vertices, ==, 8);
  g_assert_nonnull (mesh->colors);
  if (mesh->colors == NULL)
    return;
  for (int i = 0; i < 8; i++)
    {
      gssize v = op_test_find_vertex (mesh, op_test_cube_v[i]);
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
    g_string_append_printf (s, "v %g %g %g\n", op_test_cube_v[i][0], op_test_cube_v[i][1], op_test_cube_v[i][2]);
  g_string_append (s, "vn 0 0 1\n");
  /* Quads with normal references, and the last face with relative indices. */
  for (int q = 0; q < 5; q++)
    g_string_append_printf (s, "f %d//1 %d//1 %d//1 %d//1\n", op_test_cube_q[q][0] + 1, op_test_cube_q[q][1] + 1,
                            op_test_cube_q[q][2] + 1, op_test_cube_q[q][3] + 1);
  g_string_append_printf (s, "f %d %d %d %d\n", op_test_cube_q[5][0] - 8, op_test_cube_q[5][1] - 8,
                          op_test_cube_q[5][2] - 8, op_test_cube_q[5][3] - 8);
  text = g_string_free (s, FALSE);
  path = op_test_write_text ("cube.obj", text);
  mesh = op_mesh_load (path, NULL, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  if (mesh == NULL)
    return;
  op_test_check_cube (mesh);
  g_assert_cmpint (info.format, ==, OP_MESH_FORMAT_OBJ);
  g_assert_cmpuint (info.source_vertices, ==, 8);
}

/* Weld ------------------------------------------------------------------------------ */

static void
test_weld (void)
{
  g_autoptr(OpMesh) mesh = op_mesh_new (36, 12, OP_MESH_ATTR_LABELS | OP_MESH_ATTR_NORMALS);

  for (int t = 0; t < 12; t++)
    {
      int tri[3];

      op_test_cube_triangle (t, tri);
      for (int c = 0; c < 3; c++)
        {
          memcpy (&mesh->positions[3 * (3 * t + c)], op_test_cube_v[tri[c]], 12);
          mesh->indices[3 * t + c] = (guint32) (3 * t + c);
          mesh->labels[3 * t + c] = t;
        }
    }
  op_mesh_weld (mesh);
  op_test_check_cube (mesh);
  /* Vertex 0 first appears in triangle 0, vertex 6 in triangle 2 (quad 1). */
  g_assert_cmpint (mesh->labels[op_test_find_vertex (mesh, op_test_cube_v[0])], ==, 0);
  g_assert_cmpint (mesh->labels[op_test_find_vertex (mesh, op_test_cube_v[6])], ==, 2);
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
      g_assert_cmpuint (op_test_count_open_edges (mesh), ==, 0);

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

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  op_test_mesh_setup ();

  g_test_add_func ("/io/mesh/format/strings", test_format_strings);
  g_test_add_func ("/io/mesh/stl-binary-solid-header", test_stl_binary_solid_header);
  g_test_add_func ("/io/mesh/stl-ascii", test_stl_ascii);
  g_test_add_func ("/io/mesh/stl-large-weld", test_stl_large_weld);
  g_test_add_func ("/io/mesh/stl-large-weld-shuffled", test_stl_large_weld_shuffled);
  g_test_add_func ("/io/mesh/ply-ascii-crlf", test_ply_ascii_crlf);
  g_test_add_func ("/io/mesh/ply-binary-le-labels", test_ply_binary_le_labels);
  g_test_add_func ("/io/mesh/ply-binary-be-labels", test_ply_binary_be_labels);
  g_test_add_func ("/io/mesh/ply-colors-assimp", test_ply_colors_assimp);
  g_test_add_func ("/io/mesh/obj", test_obj);
  g_test_add_func ("/io/mesh/weld", test_weld);
  g_test_add_func ("/io/mesh/real-teeth", test_real_teeth);

  ret = g_test_run ();
  op_test_mesh_teardown ();
  return ret;
}
