/* test-io-mesh-bad.c: bad input: every way an import can fail says
 * which file and what is wrong, and never crashes; threads and cancelling.
 *
 * Every input is generated into a temporary folder (see
 * test-io-mesh-util.h), so each test says exactly what the bytes are.
 */
#include "test-io-mesh-util.h"

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* Writes @data as @name, loads it and expects error @code. */
static void
load_expect_error (const char   *name,
                   const void   *data,
                   gsize         size,
                   gsize         max_triangles,
                   OpMeshIOError code)
{
  g_autofree char *path = op_test_write_file (name, data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  OpMeshLoadOptions options = { max_triangles };

  mesh = op_mesh_load (path, &options, NULL, NULL, &error);
  g_assert_null (mesh);
  op_test_assert_io_error (error, code, name);
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
  g_autoptr(GByteArray) plain = op_test_cube_binary_stl ("binary", 0);
  g_autoptr(GByteArray) solid = op_test_cube_binary_stl ("solid binary", 0xFFFF);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  g_autoptr(GByteArray) ply = op_test_cube_binary_ply (FALSE, "int");

  /* Cut in the middle of triangle 8: the count says 12, the size 7. */
  load_expect_error ("cut.stl", plain->data, 84 + 50 * 7 + 20, 0, OP_MESH_IO_ERROR_TRUNCATED);
  load_expect_error ("cut-solid.stl", solid->data, 84 + 50 * 7 + 20, 0, OP_MESH_IO_ERROR_TRUNCATED);

  path = op_test_write_file ("upper.stl", plain->data, 84 + 50 * 7 + 20);
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
  g_autoptr(GByteArray) stl = op_test_cube_binary_stl ("binary", 0);
  float nan_value = NAN, inf_value = INFINITY;
  g_autofree char *ascii = op_test_cube_ascii_stl ("\n");
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
  g_autoptr(GByteArray) stl = op_test_cube_binary_stl ("binary", 0);
  g_autoptr(GByteArray) ply = op_test_cube_binary_ply (FALSE, "int");
  g_autofree char *ascii = op_test_cube_ascii_stl ("\n");

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
    memcpy (stl->data + 84 + 12, &op_test_cube_v[0][0], 4);
  }

  {
    /* Just at the limit, the cube still loads. */
    g_autofree char *path = op_test_write_file ("limit.stl", stl->data, stl->len);
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
  g_autoptr(GByteArray) stl = op_test_cube_binary_stl ("binary", 0);

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
  g_autoptr(GByteArray) stl = op_test_cube_binary_stl ("binary", 0);
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
  g_autofree char *path = op_test_tmp_path ("does-not-exist.stl");
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = op_mesh_load (path, NULL, NULL, NULL, &error);

  g_assert_null (mesh);
  op_test_assert_io_error (error, OP_MESH_IO_ERROR_READ, "does-not-exist.stl");
}

/* A folder is not a file: the read fails with a message, nothing crashes. */
static void
test_error_read_folder (void)
{
  g_autofree char *path = op_test_tmp_path ("folder.stl");
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;

  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  mesh = op_mesh_load (path, NULL, NULL, NULL, &error);
  g_assert_null (mesh);
  op_test_assert_io_error (error, OP_MESH_IO_ERROR_READ, "folder.stl");
  g_rmdir (path);
}

static gpointer
write_fifo (gpointer data)
{
  const char *path = data;
  g_autoptr(GByteArray) stl = op_test_cube_binary_stl ("binary", 0);
  FILE *fp = fopen (path, "wb");
  gsize written;

  if (fp == NULL)
    return GSIZE_TO_POINTER (0);
  written = fwrite (stl->data, 1, stl->len, fp);
  fclose (fp);
  return GSIZE_TO_POINTER (written);
}

/* Regular files are mapped; a pipe cannot be, so it must be read instead
 * (a mapping of a pipe would look empty). */
static void
test_fifo (void)
{
  g_autofree char *path = op_test_tmp_path ("pipe.stl");
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  GThread *writer;
  int fd;

  /* Should the import wrongly give up on the pipe, the writer gets EPIPE
   * instead of killing the test, and opening the pipe here once more
   * releases a writer still waiting for a reader, so nothing hangs. */
  signal (SIGPIPE, SIG_IGN);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  writer = g_thread_new ("fifo", write_fifo, path);
  mesh = op_mesh_load (path, NULL, NULL, NULL, &error);
  fd = open (path, O_RDONLY | O_NONBLOCK);
  if (fd >= 0)
    close (fd);
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_thread_join (writer)), ==, 84 + 12 * 50);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
  if (mesh != NULL)
    op_test_check_cube (mesh);
  g_unlink (path);
}

static void
test_cancelled (void)
{
  g_autoptr(GByteArray) stl = op_test_cube_binary_stl ("binary", 0);
  g_autofree char *path = op_test_write_file ("cancel.stl", stl->data, stl->len);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (stl->data, stl->len);
  g_autoptr(OpMesh) mesh = NULL;

  g_cancellable_cancel (cancellable);
  mesh = op_mesh_load (path, NULL, NULL, cancellable, &error);
  g_assert_null (mesh);
  op_test_assert_io_error (error, OP_MESH_IO_ERROR_CANCELLED, "cancel.stl");
  g_clear_error (&error);
  mesh = op_mesh_load_bytes (bytes, "/some/where/cancel-bytes.stl", NULL, NULL, cancellable, &error);
  g_assert_null (mesh);
  op_test_assert_io_error (error, OP_MESH_IO_ERROR_CANCELLED, "cancel-bytes.stl");

  /* The same input with a live cancellable loads. */
  g_clear_error (&error);
  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  mesh = op_mesh_load_bytes (bytes, "cancel-bytes.stl", NULL, NULL, cancellable, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mesh);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  op_test_mesh_setup ();

  g_test_add_func ("/io/mesh/error/empty", test_error_empty);
  g_test_add_func ("/io/mesh/error/truncated", test_error_truncated);
  g_test_add_func ("/io/mesh/error/not-finite", test_error_not_finite);
  g_test_add_func ("/io/mesh/error/no-triangles", test_error_no_triangles);
  g_test_add_func ("/io/mesh/error/index-range", test_error_index_range);
  g_test_add_func ("/io/mesh/error/too-large", test_error_too_large);
  g_test_add_func ("/io/mesh/error/unknown-format", test_error_unknown_format);
  g_test_add_func ("/io/mesh/error/parse", test_error_parse);
  g_test_add_func ("/io/mesh/error/read", test_error_read);
  g_test_add_func ("/io/mesh/error/read-folder", test_error_read_folder);
  g_test_add_func ("/io/mesh/fifo", test_fifo);
  g_test_add_func ("/io/mesh/error/assimp", test_error_assimp);
  g_test_add_func ("/io/mesh/concurrent", test_concurrent);
  g_test_add_func ("/io/mesh/cancelled", test_cancelled);

  ret = g_test_run ();
  op_test_mesh_teardown ();
  return ret;
}
