/* test-io-mesh-export.c: writing meshes (STL, PLY, glTF binary) and reading
 * them back.
 *
 * Every input is generated into a temporary folder (see
 * test-io-mesh-util.h), so each test says exactly what the bytes are.
 */
#include "test-io-mesh-util.h"

#include <string.h>

#include <glib/gstdio.h>

/* Round trips ---------------------------------------------------------------------- */

static void
round_trip (OpMeshFormat format,
            const char  *name)
{
  g_autoptr(OpMesh) torus = op_test_make_torus (40, 24);
  g_autofree char *path = op_test_tmp_path (name);
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
  g_assert_cmpuint (op_test_count_open_edges (back), ==, 0);
  g_assert_cmpfloat_with_epsilon (op_mesh_volume (back), op_mesh_volume (torus), 1e-6 * op_mesh_volume (torus));
  for (gsize i = 0; i < back->n_vertices; i++)
    {
      gssize o = op_test_find_vertex (torus, &back->positions[3 * i]);

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
  dir = g_dir_open (op_test_tmp_dir (), 0, NULL);
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
  g_autoptr(OpMesh) torus = op_test_make_torus (8, 6);
  g_autofree char *missing = g_build_filename (op_test_tmp_dir (), "no-such-folder", "out.stl", NULL);
  g_autofree char *folder = op_test_tmp_path ("a-folder.ply");
  g_autofree char *obj = op_test_tmp_path ("out.obj");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *entry;

  g_assert_false (op_mesh_save (torus, missing, OP_MESH_FORMAT_STL, &error));
  op_test_assert_io_error (error, OP_MESH_IO_ERROR_WRITE, "out.stl");
  g_clear_error (&error);

  /* Renaming onto a folder fails after the data is written: the temporary
   * file must be removed. */
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_false (op_mesh_save (torus, folder, OP_MESH_FORMAT_PLY, &error));
  op_test_assert_io_error (error, OP_MESH_IO_ERROR_WRITE, "a-folder.ply");
  g_clear_error (&error);
  dir = g_dir_open (op_test_tmp_dir (), 0, NULL);
  while (dir && (entry = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (entry, ".a-folder.ply"));
  g_rmdir (folder);

  g_assert_false (op_mesh_save (torus, obj, OP_MESH_FORMAT_OBJ, &error));
  op_test_assert_io_error (error, OP_MESH_IO_ERROR_WRITE, "out.obj");
  g_assert_false (g_file_test (obj, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  op_test_mesh_setup ();

  g_test_add_func ("/io/mesh/round-trip/stl", test_round_trip_stl);
  g_test_add_func ("/io/mesh/round-trip/ply", test_round_trip_ply);
  g_test_add_func ("/io/mesh/round-trip/glb", test_round_trip_glb);
  g_test_add_func ("/io/mesh/save-errors", test_save_errors);

  ret = g_test_run ();
  op_test_mesh_teardown ();
  return ret;
}
