/* test-render-camera.c: the orbit camera's maths: standard views, fit,
 * orbit, pan, zoom and determinism.  No GL context is needed. */

#include <math.h>
#include <string.h>

#include <cglm/cglm.h>

#include "op-camera.h"
#include "test-render-util.h"


/* ---- camera -------------------------------------------------------- */

static void
test_camera_strings (void)
{
  static const OpView all[] = {
    OP_VIEW_FRONT, OP_VIEW_OCCLUSAL_UPPER, OP_VIEW_OCCLUSAL_LOWER, OP_VIEW_LEFT, OP_VIEW_RIGHT,
  };
  OpView view;

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      const char *name = op_view_to_string (all[i]);

      g_assert_nonnull (name);
      g_assert_true (op_view_from_string (name, &view));
      g_assert_cmpint (view, ==, all[i]);
    }

  g_assert_cmpstr (op_view_to_string (OP_VIEW_OCCLUSAL_UPPER), ==, "occlusal-upper");
  g_assert_false (op_view_from_string ("sideways", &view));
  g_assert_false (op_view_from_string (NULL, &view));
}

static void
test_camera_views (void)
{
  static const struct {
    OpView view;
    float  eye_dir[3];    /* from the target to the eye */
    float  image_up[3];   /* world direction that points up in the picture */
    float  image_right[3];
  } cases[] = {
    /* Facing the patient: the patient's left (+x) is on the right. */
    { OP_VIEW_FRONT,          {  0, -1,  0 }, { 0, 0, 1 }, {  1,  0, 0 } },
    /* From below, anterior at the top; the patient's left on the right,
     * as when looking up at the palate. */
    { OP_VIEW_OCCLUSAL_UPPER, {  0,  0, -1 }, { 0, -1, 0 }, {  1,  0, 0 } },
    /* From above, anterior at the top; the patient's left on the left. */
    { OP_VIEW_OCCLUSAL_LOWER, {  0,  0,  1 }, { 0, -1, 0 }, { -1,  0, 0 } },
    /* The patient's left profile: the face points to the left. */
    { OP_VIEW_LEFT,           {  1,  0,  0 }, { 0, 0, 1 }, {  0,  1, 0 } },
    { OP_VIEW_RIGHT,          { -1,  0,  0 }, { 0, 0, 1 }, {  0, -1, 0 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      OpCamera camera;
      float eye[3], view[16], p[3], q[3], a[3], b[3];

      op_camera_init (&camera);
      camera.target[0] = 1.f;
      camera.target[1] = 2.f;
      camera.target[2] = 3.f;
      camera.distance = 50.f;
      op_camera_set_view (&camera, cases[i].view);
      op_camera_get_eye (&camera, eye);

      for (int k = 0; k < 3; k++)
        g_assert_cmpfloat_with_epsilon ((eye[k] - camera.target[k]) / camera.distance,
                                        cases[i].eye_dir[k], 1e-6);

      /* Rows of the view matrix: picture right, picture up, towards the eye. */
      op_camera_get_view_matrix (&camera, view);
      for (int k = 0; k < 3; k++)
        {
          g_assert_cmpfloat_with_epsilon (view[k * 4 + 0], cases[i].image_right[k], 1e-6);
          g_assert_cmpfloat_with_epsilon (view[k * 4 + 1], cases[i].image_up[k], 1e-6);
          g_assert_cmpfloat_with_epsilon (view[k * 4 + 2], cases[i].eye_dir[k], 1e-6);
        }

      /* The same facts seen through the projection. */
      for (int k = 0; k < 3; k++)
        {
          p[k] = camera.target[k] + 5.f * cases[i].image_up[k];
          q[k] = camera.target[k] + 5.f * cases[i].image_right[k];
        }
      op_test_ndc (&camera, 1.f, p, a);
      op_test_ndc (&camera, 1.f, q, b);
      g_assert_cmpfloat (a[1], >, 0.05f);
      g_assert_cmpfloat_with_epsilon (a[0], 0.f, 1e-5);
      g_assert_cmpfloat (b[0], >, 0.05f);
      g_assert_cmpfloat_with_epsilon (b[1], 0.f, 1e-5);
    }
}

static void
test_camera_fit (void)
{
  static const float boxes[][6] = {
    { -30, -25, -10,  30, 25, 10 },     /* an arch */
    {   5,   5,   5,   6,  9, 30 },     /* thin, tall, off centre */
    { -1,  -1,  -1,   1,  1,  1 },
    {  0,   0,   0,   0,  0,  0 },      /* a point */
  };
  static const float aspects[] = { 1.f, 1.6f, 0.5f };

  for (guint b = 0; b < G_N_ELEMENTS (boxes); b++)
    for (guint a = 0; a < G_N_ELEMENTS (aspects); a++)
      for (int v = OP_VIEW_FRONT; v <= OP_VIEW_RIGHT; v++)
        for (int tilt = 0; tilt < 2; tilt++)
          {
            OpCamera camera;
            float extent = 0.f;

            op_camera_init (&camera);
            op_camera_set_view (&camera, (OpView) v);
            if (tilt)
              op_camera_orbit (&camera, 37.f, -21.f);
            op_camera_fit (&camera, boxes[b], boxes[b] + 3, aspects[a]);

            for (int c = 0; c < 8; c++)
              {
                float p[3] = {
                  boxes[b][(c & 1) ? 3 : 0],
                  boxes[b][(c & 2) ? 4 : 1],
                  boxes[b][(c & 4) ? 5 : 2],
                };
                float n[3];

                op_test_ndc (&camera, aspects[a], p, n);
                g_assert_cmpfloat (fabsf (n[0]), <=, 1.f);
                g_assert_cmpfloat (fabsf (n[1]), <=, 1.f);
                g_assert_cmpfloat (n[2], >, -1.f);
                g_assert_cmpfloat (n[2], <, 1.f);
                extent = MAX (extent, MAX (fabsf (n[0]), fabsf (n[1])));
              }

            /* Fills the view: the margin is small. */
            if (b != 3)
              g_assert_cmpfloat (extent, >, 0.8f);
          }
}

static void
test_camera_orbit (void)
{
  OpCamera camera, before;
  float eye0[3], eye1[3], p[3], n0[3], n1[3];

  op_camera_init (&camera);
  camera.target[2] = 4.f;
  before = camera;
  op_camera_get_eye (&camera, eye0);

  /* Dragging right turns the scene right, like a turntable: the eye
   * moves to the patient's right (-x), so a point on the patient's left
   * (+x, on the right of the front view) turns away from the eye and
   * towards the middle of the picture. */
  op_camera_orbit (&camera, 50.f, 0.f);
  op_camera_get_eye (&camera, eye1);
  g_assert_cmpfloat (camera.yaw, <, before.yaw);
  g_assert_cmpfloat (camera.pitch, ==, before.pitch);
  g_assert_cmpfloat (eye1[0], <, eye0[0] - 1.f);
  g_assert_cmpfloat_with_epsilon (eye1[2], eye0[2], 1e-4);
  g_assert_cmpfloat (camera.distance, ==, before.distance);
  g_assert_cmpmem (camera.target, sizeof camera.target, before.target, sizeof before.target);

  p[0] = 10.f; p[1] = 0.f; p[2] = 4.f;
  op_test_ndc (&before, 1.f, p, n0);
  op_test_ndc (&camera, 1.f, p, n1);
  g_assert_cmpfloat (n1[0], >, 0.f);      /* still on the right */
  g_assert_cmpfloat (n1[0], <, n0[0]);    /* nearer the middle */
  g_assert_cmpfloat (n1[2], >, n0[2]);    /* farther */

  /* Dragging down raises the eye; the pitch stops at the pole, exactly. */
  camera = before;
  op_camera_orbit (&camera, 0.f, 30.f);
  op_camera_get_eye (&camera, eye1);
  g_assert_cmpfloat (camera.pitch, >, 0.f);
  g_assert_cmpfloat (eye1[2], >, eye0[2] + 1.f);
  op_camera_orbit (&camera, 0.f, 10000.f);
  g_assert_cmpfloat (camera.pitch, ==, 90.f);
  op_camera_orbit (&camera, 0.f, -20000.f);
  g_assert_cmpfloat (camera.pitch, ==, -90.f);

  /* Yaw wraps rather than growing without bound. */
  op_camera_orbit (&camera, 100000.f, 0.f);
  g_assert_cmpfloat (fabsf (camera.yaw), <=, 180.f);
}

static void
test_camera_zoom (void)
{
  OpCamera camera, before;
  float eye0[3], eye1[3];

  op_camera_init (&camera);
  op_camera_set_view (&camera, OP_VIEW_LEFT);
  before = camera;
  op_camera_get_eye (&camera, eye0);

  op_camera_zoom (&camera, 2.f);
  op_camera_get_eye (&camera, eye1);
  g_assert_cmpfloat_with_epsilon (camera.distance, before.distance / 2.f, 1e-4);
  g_assert_cmpfloat_with_epsilon (eye1[0], eye0[0] / 2.f, 1e-3);
  g_assert_cmpfloat (camera.yaw, ==, before.yaw);
  g_assert_cmpmem (camera.target, sizeof camera.target, before.target, sizeof before.target);

  op_camera_zoom (&camera, 0.25f);
  g_assert_cmpfloat_with_epsilon (camera.distance, before.distance * 2.f, 1e-3);

  /* Nonsense factors change nothing. */
  op_camera_zoom (&camera, 0.f);
  op_camera_zoom (&camera, -3.f);
  op_camera_zoom (&camera, NAN);
  g_assert_cmpfloat_with_epsilon (camera.distance, before.distance * 2.f, 1e-3);
}

static void
test_camera_pan (void)
{
  const float width = 1280.f, height = 800.f, aspect = width / height;
  OpCamera camera, before;
  float x0, y0, x1, y1;

  op_camera_init (&camera);
  op_camera_set_view (&camera, OP_VIEW_FRONT);
  op_camera_orbit (&camera, 20.f, 15.f);
  before = camera;

  /* The point under the pointer follows the pointer: a drag of (30, -12)
   * pixels moves the old target's picture by the same amount. */
  op_camera_pan (&camera, 30.f, -12.f, height);
  g_assert_true (op_test_project (&before, aspect, before.target, (int) width, (int) height, &x0, &y0));
  g_assert_true (op_test_project (&camera, aspect, before.target, (int) width, (int) height, &x1, &y1));
  g_assert_cmpfloat_with_epsilon (x1 - x0, 30.f, 0.05f);
  g_assert_cmpfloat_with_epsilon (y1 - y0, -12.f, 0.05f);

  /* Panning changes neither the direction nor the distance. */
  g_assert_cmpfloat (camera.yaw, ==, before.yaw);
  g_assert_cmpfloat (camera.pitch, ==, before.pitch);
  g_assert_cmpfloat (camera.distance, ==, before.distance);
}

static void
test_camera_deterministic (void)
{
  float m1[16], m2[16], p1[16], p2[16];

  for (int run = 0; run < 2; run++)
    {
      OpCamera camera;
      const float bmin[3] = { -20, -15, -8 }, bmax[3] = { 22, 17, 9 };

      op_camera_init (&camera);
      op_camera_set_view (&camera, OP_VIEW_OCCLUSAL_UPPER);
      op_camera_fit (&camera, bmin, bmax, 1.6f);
      op_camera_orbit (&camera, 13.f, 7.f);
      op_camera_pan (&camera, 4.f, -9.f, 800.f);
      op_camera_zoom (&camera, 1.3f);
      op_camera_get_view_matrix (&camera, run ? m2 : m1);
      op_camera_get_projection_matrix (&camera, 1.6f, run ? p2 : p1);
    }

  g_assert_cmpmem (m1, sizeof m1, m2, sizeof m2);
  g_assert_cmpmem (p1, sizeof p1, p2, sizeof p2);
}


int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/render/camera/strings", test_camera_strings);
  g_test_add_func ("/render/camera/views", test_camera_views);
  g_test_add_func ("/render/camera/fit", test_camera_fit);
  g_test_add_func ("/render/camera/orbit", test_camera_orbit);
  g_test_add_func ("/render/camera/zoom", test_camera_zoom);
  g_test_add_func ("/render/camera/pan", test_camera_pan);
  g_test_add_func ("/render/camera/deterministic", test_camera_deterministic);

  return g_test_run ();
}
