/* test-render-pick.c: GPU picking, per-mesh colours and the ghost
 * material, drawn offscreen on Mesa's llvmpipe (no display).
 *
 * Two spheres side by side seen from the front: picking at each centre
 * must name that sphere, the background nothing.  A ghost sphere in front
 * of one of them must tint it without hiding it and must never be picked;
 * an invisible ghost changes no pixel.
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

static void
project (const OpCamera *camera,
         const float     p[3],
         int            *x,
         int            *y)
{
  float fx = 0, fy = 0;

  g_assert_true (op_test_project (camera, 1.f, p, SIZE, SIZE, &fx, &fy));
  *x = (int) fx;
  *y = (int) fy;
}

static const guint8 *
pixel_at (const guint8   *pixels,
          const OpCamera *camera,
          const float     p[3])
{
  int x, y;

  project (camera, p, &x, &y);
  return pixels + ((gsize) y * SIZE + (gsize) x) * 4;
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

typedef struct {
  OpOffscreen *offscreen;
  OpRenderer  *renderer;
  OpCamera     camera;
  guint        left;     /* on the patient's left: the right of the picture */
  guint        right;
} Scene;

/* Centres of the two spheres and points on their front surfaces. */
static const float left_centre[3] = { 8.f, 0.f, 0.f };
static const float right_centre[3] = { -8.f, 0.f, 0.f };
static const float left_front[3] = { 8.f, -6.f, 0.f };
static const float right_front[3] = { -8.f, -6.f, 0.f };
static const float between[3] = { 0.f, -6.f, 0.f };

static gboolean
scene_init (Scene *scene)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) a = op_test_make_sphere (left_centre, 6.f, 24, 32);
  g_autoptr(OpMesh) b = op_test_make_sphere (right_centre, 6.f, 24, 32);
  float bmin[3] = { -16.f, -8.f, -8.f }, bmax[3] = { 16.f, 8.f, 8.f };

  memset (scene, 0, sizeof *scene);
  scene->offscreen = op_offscreen_new (SIZE, SIZE, &error);
  if (scene->offscreen == NULL)
    {
      g_test_skip_printf ("no offscreen GL: %s", error->message);
      return FALSE;
    }
  scene->renderer = op_renderer_new (&error);
  g_assert_no_error (error);
  op_renderer_set_background (scene->renderer, background);
  scene->left = op_renderer_add_mesh (scene->renderer, a, OP_MATERIAL_ENAMEL);
  scene->right = op_renderer_add_mesh (scene->renderer, b, OP_MATERIAL_COLOR);

  op_camera_init (&scene->camera);
  op_camera_set_view (&scene->camera, OP_VIEW_FRONT);
  op_camera_fit (&scene->camera, bmin, bmax, 1.f);
  return TRUE;
}

static void
scene_clear (Scene *scene)
{
  if (scene->offscreen)
    op_offscreen_make_current (scene->offscreen);
  g_clear_pointer (&scene->renderer, op_renderer_free);
  g_clear_pointer (&scene->offscreen, op_offscreen_free);
}

static guint
pick_at (Scene       *scene,
         const float  p[3])
{
  int x, y;

  project (&scene->camera, p, &x, &y);
  return op_renderer_pick (scene->renderer, &scene->camera, SIZE, SIZE, x, y);
}

static void
test_pick (void)
{
  Scene scene;
  float translate[16] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1 };
  g_autofree guint8 *before = NULL, *after = NULL;

  if (!scene_init (&scene))
    return;

  g_assert_cmpuint (scene.left, !=, scene.right);
  g_assert_cmpuint (pick_at (&scene, left_front), ==, scene.left);
  g_assert_cmpuint (pick_at (&scene, right_front), ==, scene.right);
  g_assert_cmpuint (pick_at (&scene, between), ==, 0);
  /* Outside the viewport is nothing, not a crash. */
  g_assert_cmpuint (op_renderer_pick (scene.renderer, &scene.camera, SIZE, SIZE, -1, 10), ==, 0);
  g_assert_cmpuint (op_renderer_pick (scene.renderer, &scene.camera, SIZE, SIZE, 10, SIZE), ==, 0);
  g_assert_cmpuint (op_renderer_pick (scene.renderer, &scene.camera, 0, 0, 0, 0), ==, 0);

  /* Picking leaves the caller's framebuffer bound: a frame drawn after it
   * lands in the offscreen target as before. */
  op_renderer_draw (scene.renderer, &scene.camera, SIZE, SIZE);
  before = op_offscreen_read_pixels (scene.offscreen);
  (void) pick_at (&scene, left_front);
  op_renderer_draw (scene.renderer, &scene.camera, SIZE, SIZE);
  after = op_offscreen_read_pixels (scene.offscreen);
  g_assert_cmpmem (before, SIZE * SIZE * 4, after, SIZE * SIZE * 4);

  /* The pick follows the model matrix: move the left sphere up 20 mm and
   * its old place is empty. */
  translate[14] = 20.f;
  op_renderer_set_transform (scene.renderer, scene.left, translate);
  g_assert_cmpuint (pick_at (&scene, left_front), ==, 0);
  {
    const float moved[3] = { left_front[0], left_front[1], left_front[2] + 20.f };
    float bmin[3] = { -16.f, -8.f, -8.f }, bmax[3] = { 16.f, 8.f, 30.f };

    op_camera_fit (&scene.camera, bmin, bmax, 1.f);
    g_assert_cmpuint (pick_at (&scene, moved), ==, scene.left);
  }
  op_renderer_set_transform (scene.renderer, scene.left, NULL);

  /* Hidden or unpickable meshes are not picked. */
  op_renderer_set_visible (scene.renderer, scene.right, FALSE);
  g_assert_cmpuint (pick_at (&scene, right_front), ==, 0);
  op_renderer_set_visible (scene.renderer, scene.right, TRUE);
  op_renderer_set_pickable (scene.renderer, scene.right, FALSE);
  g_assert_cmpuint (pick_at (&scene, right_front), ==, 0);
  op_renderer_set_pickable (scene.renderer, scene.right, TRUE);
  g_assert_cmpuint (pick_at (&scene, right_front), ==, scene.right);

  /* A removed mesh's handle never comes back. */
  op_renderer_remove_mesh (scene.renderer, scene.right);
  g_assert_cmpuint (pick_at (&scene, right_front), ==, 0);

  scene_clear (&scene);
}

static void
test_ghost (void)
{
  Scene scene;
  g_autoptr(OpMesh) ghost_mesh = NULL;
  g_autofree guint8 *plain = NULL, *ghosted = NULL, *clear = NULL;
  static const float red[4] = { 0.85f, 0.15f, 0.10f, 1.f };
  static const float cyan[4] = { 0.1f, 0.8f, 0.9f, 0.5f };
  static const float invisible[4] = { 0.1f, 0.8f, 0.9f, 0.f };
  /* The ghost covers the left sphere and the gap towards the right one,
   * a little in front of the left sphere. */
  static const float ghost_centre[3] = { 4.f, -4.f, 0.f };
  static const float in_gap[3] = { 1.f, -6.f, 0.f };
  guint ghost;
  const guint8 *p, *q;

  if (!scene_init (&scene))
    return;

  op_renderer_set_color (scene.renderer, scene.right, red);
  op_offscreen_make_current (scene.offscreen);
  op_renderer_draw (scene.renderer, &scene.camera, SIZE, SIZE);
  plain = op_offscreen_read_pixels (scene.offscreen);

  /* The coloured material paints the mesh in its colour; enamel stays
   * near-white. */
  p = pixel_at (plain, &scene.camera, right_front);
  g_assert_cmpint (p[0], >, p[1] + 60);
  g_assert_cmpint (p[0], >, p[2] + 60);
  q = pixel_at (plain, &scene.camera, left_front);
  g_assert_cmpint (abs ((int) q[0] - (int) q[2]), <, 60);
  g_assert_cmpint (q[1], >, 120);

  ghost_mesh = op_test_make_sphere (ghost_centre, 7.f, 24, 32);
  ghost = op_renderer_add_mesh (scene.renderer, ghost_mesh, OP_MATERIAL_GHOST);
  op_renderer_set_color (scene.renderer, ghost, cyan);
  op_renderer_draw (scene.renderer, &scene.camera, SIZE, SIZE);
  ghosted = op_offscreen_read_pixels (scene.offscreen);
  save (ghosted, "render-ghost.png");

  /* Over the background the ghost shows, but only part way: not black
   * and not as bright as a solid surface. */
  p = pixel_at (plain, &scene.camera, in_gap);
  q = pixel_at (ghosted, &scene.camera, in_gap);
  g_assert_cmpint (p[0] + p[1] + p[2], <, 10);
  g_assert_cmpint (q[1] + q[2], >, 30);
  g_assert_cmpint (q[0] + q[1] + q[2], <, 3 * 230);
  /* Cyan, as asked: green and blue above red. */
  g_assert_cmpint (q[2], >, q[0]);

  /* Over the enamel sphere the ghost tints it but does not hide it: the
   * pixel changed, and it is still brighter than the ghost alone over the
   * background. */
  p = pixel_at (plain, &scene.camera, left_front);
  q = pixel_at (ghosted, &scene.camera, left_front);
  g_assert_true (memcmp (p, q, 4) != 0);
  g_assert_cmpint (q[0] + q[1] + q[2], >, pixel_at (ghosted, &scene.camera, in_gap)[0] +
                                          pixel_at (ghosted, &scene.camera, in_gap)[1] +
                                          pixel_at (ghosted, &scene.camera, in_gap)[2]);

  /* A ghost is never picked, even in front. */
  g_assert_cmpuint (pick_at (&scene, left_front), ==, scene.left);
  g_assert_cmpuint (pick_at (&scene, in_gap), ==, 0);
  op_renderer_set_pickable (scene.renderer, ghost, TRUE);
  g_assert_cmpuint (pick_at (&scene, in_gap), ==, 0);

  /* Alpha 0 draws nothing: the picture is the plain one, byte for byte. */
  op_renderer_set_color (scene.renderer, ghost, invisible);
  op_offscreen_make_current (scene.offscreen);
  op_renderer_draw (scene.renderer, &scene.camera, SIZE, SIZE);
  clear = op_offscreen_read_pixels (scene.offscreen);
  g_assert_cmpmem (clear, SIZE * SIZE * 4, plain, SIZE * SIZE * 4);

  scene_clear (&scene);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/render/renderer/pick", test_pick);
  g_test_add_func ("/render/renderer/ghost", test_ghost);

  return g_test_run ();
}
