/* test-render-clip.c: the renderer's clip plane, drawn offscreen on Mesa's
 * llvmpipe (LIBGL_ALWAYS_SOFTWARE=1, no display).
 *
 * A sphere is drawn from the front, where the patient's left (+x) is on
 * the right of the picture, with and without a plane that keeps x >= c.
 * Points are checked where the plane must have cut and where it must not,
 * and once more with the sphere moved by its model matrix, to show that
 * the plane stays put in the world rather than moving with the mesh.
 */

#include <math.h>
#include <string.h>

#include "op-camera.h"
#include "op-image.h"
#include "op-mesh.h"
#include "op-offscreen.h"
#include "op-renderer.h"
#include "test-render-util.h"

#define SIZE 256

static const float background[4] = { 0.f, 0.f, 0.f, 1.f };

/* Sum of the RGB channels around a projected world point; 0 is the black
 * background. */
static int
brightness_at (const guint8   *pixels,
               const OpCamera *camera,
               const float     p[3])
{
  float x, y;
  int sum = 0;

  g_assert_true (op_test_project (camera, 1.f, p, SIZE, SIZE, &x, &y));
  for (int dy = -1; dy <= 1; dy++)
    for (int dx = -1; dx <= 1; dx++)
      {
        const guint8 *px = pixels + ((gsize) ((int) y + dy) * SIZE + (gsize) ((int) x + dx)) * 4;
        sum += px[0] + px[1] + px[2];
      }

  return sum / 9;
}

static void
save (const guint8 *pixels,
      const char   *name)
{
  const char *dir = g_getenv ("G_TEST_BUILDDIR");
  g_autofree char *path = g_build_filename (dir ? dir : ".", name, NULL);
  g_autoptr(GError) error = NULL;

  op_image_save_png (pixels, SIZE, SIZE, path, &error);
  g_assert_no_error (error);
  g_test_message ("wrote %s", path);
}

static void
test_clip_plane (void)
{
  static const float centre[3] = { 0.f, 0.f, 0.f };
  /* On the front (anterior, -y) surface, left and right of the centre. */
  static const float left[3] = { 6.f, -10.3f, 0.f };
  static const float right[3] = { -6.f, -10.3f, 0.f };
  static const float keep_left[4] = { 1.f, 0.f, 0.f, 0.f };   /* x >= 0 */
  g_autoptr(GError) error = NULL;
  g_autoptr(OpOffscreen) offscreen = op_offscreen_new (SIZE, SIZE, &error);
  g_autoptr(OpRenderer) renderer = NULL;
  g_autoptr(OpMesh) sphere = op_test_make_sphere (centre, 12.f, 32, 48);
  g_autofree guint8 *whole = NULL;
  g_autofree guint8 *cut = NULL;
  g_autofree guint8 *moved = NULL;
  g_autofree guint8 *again = NULL;
  float bmin[3] = { -14.f, -14.f, -14.f }, bmax[3] = { 14.f, 14.f, 14.f }, plane[4];
  float translate[16] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1 };
  OpCamera camera;
  guint handle;

  g_assert_no_error (error);
  renderer = op_renderer_new (&error);
  g_assert_no_error (error);
  op_renderer_set_background (renderer, background);
  handle = op_renderer_add_mesh (renderer, sphere, OP_MATERIAL_ENAMEL);

  op_camera_init (&camera);
  op_camera_set_view (&camera, OP_VIEW_FRONT);
  op_camera_fit (&camera, bmin, bmax, 1.f);

  g_assert_false (op_renderer_get_clip_plane (renderer, plane));

  op_offscreen_make_current (offscreen);
  op_renderer_draw (renderer, &camera, SIZE, SIZE);
  whole = op_offscreen_read_pixels (offscreen);
  g_assert_cmpint (brightness_at (whole, &camera, left), >, 150);
  g_assert_cmpint (brightness_at (whole, &camera, right), >, 150);

  /* Keep x >= 0: the patient's right half is gone.  The line of sight
   * through a point of the right half meets the shell twice, both times
   * at x < 0, so it must now show the background. */
  op_renderer_set_clip_plane (renderer, keep_left);
  g_assert_true (op_renderer_get_clip_plane (renderer, plane));
  g_assert_cmpfloat (plane[0], ==, 1.f);
  op_renderer_draw (renderer, &camera, SIZE, SIZE);
  cut = op_offscreen_read_pixels (offscreen);
  g_assert_cmpint (brightness_at (cut, &camera, left), >, 150);
  g_assert_cmpint (brightness_at (cut, &camera, right), <, 10);
  save (cut, "render-clip.png");

  /* Move the sphere 8 mm to the patient's right (its centre to x = -8):
   * the plane stays at x = 0, so the moved sphere's surface at x = -4 is
   * cut and at x = +1 kept. */
  translate[12] = -8.f;
  op_renderer_set_transform (renderer, handle, translate);
  op_renderer_draw (renderer, &camera, SIZE, SIZE);
  moved = op_offscreen_read_pixels (offscreen);
  {
    const float kept[3] = { 1.f, -7.9f, 0.f };
    const float gone[3] = { -4.f, -11.3f, 0.f };

    g_assert_cmpint (brightness_at (moved, &camera, kept), >, 100);
    g_assert_cmpint (brightness_at (moved, &camera, gone), <, 10);
  }

  /* NULL brings the whole sphere back. */
  op_renderer_set_transform (renderer, handle, NULL);
  op_renderer_set_clip_plane (renderer, NULL);
  g_assert_false (op_renderer_get_clip_plane (renderer, NULL));
  op_renderer_draw (renderer, &camera, SIZE, SIZE);
  again = op_offscreen_read_pixels (offscreen);
  g_assert_cmpint (brightness_at (again, &camera, right), >, 150);
  g_assert_cmpmem (again, SIZE * SIZE * 4, whole, SIZE * SIZE * 4);

  g_clear_pointer (&renderer, op_renderer_free);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/render/renderer/clip-plane", test_clip_plane);

  return g_test_run ();
}
