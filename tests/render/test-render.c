/* test-render.c: the offscreen context and pictures drawn
 * by the renderer on Mesa's llvmpipe (LIBGL_ALWAYS_SOFTWARE=1, no display).
 *
 * OP_UPDATE_GOLDEN=1 rewrites tests/render/golden/scene.png from the
 * current rendering instead of comparing with it. */

#include <math.h>
#include <string.h>

#include <cglm/cglm.h>
#include <epoxy/gl.h>

#include "op-camera.h"
#include "op-gl-program.h"
#include "op-image.h"
#include "op-mesh.h"
#include "op-offscreen.h"
#include "op-renderer.h"
#include "test-render-util.h"


#define SIZE 256

/* ---- helpers ------------------------------------------------------- */

/* World point to clip coordinates through the camera's matrices. */
static void
mean_color (const guint8 *pixels,
            int           width,
            int           height,
            float         cx,
            float         cy,
            int           r,
            float         out[3])
{
  int n = 0;

  out[0] = out[1] = out[2] = 0.f;
  for (int y = (int) cy - r; y <= (int) cy + r; y++)
    for (int x = (int) cx - r; x <= (int) cx + r; x++)
      {
        const guint8 *px;

        if (x < 0 || y < 0 || x >= width || y >= height)
          continue;
        px = pixels + ((gsize) y * width + x) * 4;
        for (int c = 0; c < 3; c++)
          out[c] += px[c];
        n++;
      }

  for (int c = 0; c < 3; c++)
    out[c] /= (float) MAX (n, 1);
}

static gboolean
is_pink (const float c[3])
{
  return c[0] > 120.f && c[0] - c[1] > 40.f && c[0] - c[2] > 30.f;
}

static gboolean
is_whiteish (const float c[3])
{
  float lo = MIN (c[0], MIN (c[1], c[2]));
  float hi = MAX (c[0], MAX (c[1], c[2]));

  return lo > 140.f && hi - lo < 45.f;
}

static float
luminance (const float c[3])
{
  return 0.2126f * c[0] + 0.7152f * c[1] + 0.0722f * c[2];
}

/* An ellipsoid "tooth" with analytic normals, counter-clockwise outside. */
static OpMesh *
make_ellipsoid (const float centre[3],
                const float radii[3],
                int         stacks,
                int         slices)
{
  OpMesh *mesh = op_mesh_new ((gsize) (stacks + 1) * (slices + 1),
                              (gsize) stacks * slices * 2, OP_MESH_ATTR_NORMALS);
  gsize v = 0, t = 0;

  for (int i = 0; i <= stacks; i++)
    for (int j = 0; j <= slices; j++, v++)
      {
        double theta = G_PI * i / stacks;
        double phi = 2.0 * G_PI * j / slices;
        double u[3] = { sin (theta) * cos (phi), sin (theta) * sin (phi), cos (theta) };
        double n[3], len = 0;

        for (int k = 0; k < 3; k++)
          {
            mesh->positions[v * 3 + k] = (float) (centre[k] + radii[k] * u[k]);
            n[k] = u[k] / radii[k];
            len += n[k] * n[k];
          }
        len = sqrt (len);
        for (int k = 0; k < 3; k++)
          mesh->normals[v * 3 + k] = (float) (n[k] / len);
      }

  for (int i = 0; i < stacks; i++)
    for (int j = 0; j < slices; j++)
      {
        guint32 a = (guint32) (i * (slices + 1) + j);
        guint32 b = a + (guint32) slices + 1;

        mesh->indices[t++] = a;
        mesh->indices[t++] = b;
        mesh->indices[t++] = b + 1;
        mesh->indices[t++] = a;
        mesh->indices[t++] = b + 1;
        mesh->indices[t++] = a + 1;
      }

  op_mesh_compute_bounds (mesh);
  return mesh;
}

/* A curved gum band: part of a slightly bulging cylinder around the z axis,
 * an open surface, from @phi0 to @phi1 degrees (90 = +y, anterior). */
static OpMesh *
make_band (float radius,
           float z0,
           float z1,
           float phi0,
           float phi1,
           int   rows,
           int   cols)
{
  OpMesh *mesh = op_mesh_new ((gsize) (rows + 1) * (cols + 1),
                              (gsize) rows * cols * 2, OP_MESH_ATTR_NORMALS);
  gsize v = 0, t = 0;

  for (int i = 0; i <= rows; i++)
    for (int j = 0; j <= cols; j++, v++)
      {
        double s = (double) i / rows;
        double phi = glm_rad (phi0 + (phi1 - phi0) * (double) j / cols);
        double bulge = 0.7 * sin (G_PI * s);
        double dr = 0.7 * G_PI * cos (G_PI * s) / (z1 - z0);   /* d radius / dz */
        double r = radius + bulge;
        double n[3] = { cos (phi), sin (phi), -dr };
        double len = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);

        mesh->positions[v * 3 + 0] = (float) (r * cos (phi));
        mesh->positions[v * 3 + 1] = (float) (r * sin (phi));
        mesh->positions[v * 3 + 2] = (float) (z0 + (z1 - z0) * s);
        for (int k = 0; k < 3; k++)
          mesh->normals[v * 3 + k] = (float) (n[k] / len);
      }

  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++)
      {
        guint32 a = (guint32) (i * (cols + 1) + j);
        guint32 b = a + (guint32) cols + 1;

        /* Rows go up in z and columns counter-clockwise about +z, so
         * (a, a+1, b+1) is counter-clockwise seen from outside. */
        mesh->indices[t++] = a;
        mesh->indices[t++] = a + 1;
        mesh->indices[t++] = b + 1;
        mesh->indices[t++] = a;
        mesh->indices[t++] = b + 1;
        mesh->indices[t++] = b;
      }

  op_mesh_compute_bounds (mesh);
  return mesh;
}

/* A flat grid in the x-z plane facing +y, @cols x @rows quads. */
static OpMesh *
make_grid (float       half_w,
           float       half_h,
           int         cols,
           int         rows,
           OpMeshAttrs attrs)
{
  OpMesh *mesh = op_mesh_new ((gsize) (rows + 1) * (cols + 1),
                              (gsize) rows * cols * 2, attrs | OP_MESH_ATTR_NORMALS);
  gsize v = 0, t = 0;

  for (int i = 0; i <= rows; i++)
    for (int j = 0; j <= cols; j++, v++)
      {
        mesh->positions[v * 3 + 0] = -half_w + 2.f * half_w * (float) j / (float) cols;
        mesh->positions[v * 3 + 1] = 0.f;
        mesh->positions[v * 3 + 2] = -half_h + 2.f * half_h * (float) i / (float) rows;
        mesh->normals[v * 3 + 1] = 1.f;
      }

  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++)
      {
        guint32 a = (guint32) (i * (cols + 1) + j);
        guint32 b = a + (guint32) cols + 1;

        /* x grows along j and z along i; seen from +y, (a, b, a+1) turns
         * counter-clockwise. */
        mesh->indices[t++] = a;
        mesh->indices[t++] = b;
        mesh->indices[t++] = a + 1;
        mesh->indices[t++] = a + 1;
        mesh->indices[t++] = b;
        mesh->indices[t++] = b + 1;
      }

  op_mesh_compute_bounds (mesh);
  return mesh;
}

static OpOffscreen *
new_offscreen (int width,
               int height)
{
  g_autoptr(GError) error = NULL;
  OpOffscreen *offscreen = op_offscreen_new (width, height, &error);

  g_assert_no_error (error);
  return offscreen;
}

static char *
built_path (const char *name)
{
  const char *dir = g_getenv ("G_TEST_BUILDDIR");
  g_autofree char *render_dir = NULL;

  if (dir == NULL)
    return g_build_filename (g_get_current_dir (), name, NULL);

  render_dir = g_build_filename (dir, "render", NULL);
  if (!g_file_test (render_dir, G_FILE_TEST_IS_DIR))
    return g_build_filename (dir, name, NULL);
  return g_build_filename (render_dir, name, NULL);
}

static void
save_png (const guint8 *pixels,
          int           width,
          int           height,
          const char   *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = built_path (name);

  op_image_save_png (pixels, width, height, path, &error);
  g_assert_no_error (error);
  g_test_message ("wrote %s", path);
}

/* Draws @mesh alone, framed from @view, into a SIZE x SIZE picture. */
static guint8 *
draw_single (const OpMesh *mesh,
             OpMaterial    material,
             OpView        view)
{
  g_autoptr(OpOffscreen) offscreen = new_offscreen (SIZE, SIZE);
  g_autoptr(OpRenderer) renderer = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *pixels;
  OpCamera camera;
  float bmin[3], bmax[3];

  renderer = op_renderer_new (&error);
  g_assert_no_error (error);
  op_renderer_add_mesh (renderer, mesh, material);
  op_camera_init (&camera);
  op_camera_set_view (&camera, view);
  op_renderer_get_bounds (renderer, bmin, bmax);
  op_camera_fit (&camera, bmin, bmax, 1.f);

  op_offscreen_make_current (offscreen);
  op_renderer_draw (renderer, &camera, SIZE, SIZE);
  pixels = op_offscreen_read_pixels (offscreen);

  g_clear_pointer (&renderer, op_renderer_free);
  return pixels;
}

/* ---- contexts ------------------------------------------------------ */

static void
test_renderer_no_context (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpRenderer) renderer = NULL;

  /* No offscreen exists yet in this process (this test runs first), and
   * every offscreen test releases its context when it frees it. */
  renderer = op_renderer_new (&error);
  g_assert_null (renderer);
  g_assert_error (error, OP_RENDER_ERROR, OP_RENDER_ERROR_CONTEXT);
}

static void
test_offscreen_context (void)
{
  g_autoptr(OpOffscreen) offscreen = new_offscreen (64, 48);
  const char *name;

  name = op_offscreen_get_renderer_name (offscreen);
  g_test_message ("GL_RENDERER %s, GL_VERSION %s, %d samples", name,
                  (const char *) glGetString (GL_VERSION),
                  op_offscreen_get_samples (offscreen));
  g_assert_nonnull (strstr (name, "llvmpipe"));
  g_assert_true (epoxy_is_desktop_gl ());
  g_assert_cmpint (epoxy_gl_version (), >=, 33);
  g_assert_cmpint (op_offscreen_get_width (offscreen), ==, 64);
  g_assert_cmpint (op_offscreen_get_height (offscreen), ==, 48);
  g_assert_true (op_offscreen_get_samples (offscreen) == 0 ||
                 op_offscreen_get_samples (offscreen) == 4);
  g_assert_true (op_offscreen_make_current (offscreen));
}

static void
test_offscreen_two (void)
{
  g_autoptr(OpOffscreen) a = new_offscreen (16, 16);
  g_autoptr(OpOffscreen) b = op_offscreen_new_with_samples (32, 8, 0, NULL);
  g_autofree guint8 *pixels = NULL;

  g_assert_nonnull (b);
  g_assert_cmpint (op_offscreen_get_samples (b), ==, 0);

  /* Two contexts in one process, one without multisampling: freeing one
   * must not break the other. */
  g_clear_pointer (&a, op_offscreen_free);
  g_assert_true (op_offscreen_make_current (b));
  glClearColor (0.f, 1.f, 0.f, 1.f);
  glClear (GL_COLOR_BUFFER_BIT);
  pixels = op_offscreen_read_pixels (b);
  g_assert_cmpuint (pixels[0], ==, 0);
  g_assert_cmpuint (pixels[1], ==, 255);
}

static void
test_shader_error (void)
{
  g_autoptr(OpOffscreen) offscreen = new_offscreen (8, 8);
  g_autoptr(GError) error = NULL;
  GLuint program;

  program = op__gl_program_new_from_source ("good.vert",
                                            "#version 330 core\nvoid main () { gl_Position = vec4 (0.0); }\n",
                                            "broken.frag",
                                            "#version 330 core\nout vec4 c;\nvoid main () { c = undefined_thing; }\n",
                                            &error);
  g_assert_cmpuint (program, ==, 0);
  g_assert_error (error, OP_RENDER_ERROR, OP_RENDER_ERROR_SHADER);
  g_assert_nonnull (strstr (error->message, "broken.frag"));
  g_assert_nonnull (strstr (error->message, "undefined_thing"));
  g_test_message ("%s", error->message);
}

/* ---- pictures ------------------------------------------------------ */

/* The fixed scene: an enamel "tooth" and, drawn first, a gingiva band in
 * front of its lower half, so that only the depth test keeps the band in
 * front. */
static void
scene_setup (OpRenderer *renderer,
             OpCamera   *camera)
{
  const float centre[3] = { 0.f, 0.f, 0.f };
  const float radii[3] = { 4.0f, 3.4f, 5.5f };
  g_autoptr(OpMesh) tooth = make_ellipsoid (centre, radii, 48, 64);
  g_autoptr(OpMesh) band = make_band (4.6f, -6.5f, -1.5f, 195.f, 345.f, 16, 64);
  float bmin[3], bmax[3];

  op_renderer_add_mesh (renderer, band, OP_MATERIAL_GINGIVA);
  op_renderer_add_mesh (renderer, tooth, OP_MATERIAL_ENAMEL);

  op_camera_init (camera);
  op_camera_set_view (camera, OP_VIEW_FRONT);
  op_camera_orbit (camera, 50.f, 37.5f);   /* yaw 160, pitch 15 */
  g_assert_true (op_renderer_get_bounds (renderer, bmin, bmax));
  op_camera_fit (camera, bmin, bmax, 1.f);
}

static guint8 *
scene_render (OpCamera *out_camera)
{
  g_autoptr(OpOffscreen) offscreen = new_offscreen (SIZE, SIZE);
  g_autoptr(OpRenderer) renderer = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *pixels;

  renderer = op_renderer_new (&error);
  g_assert_no_error (error);
  scene_setup (renderer, out_camera);

  op_offscreen_make_current (offscreen);
  op_renderer_draw (renderer, out_camera, SIZE, SIZE);
  pixels = op_offscreen_read_pixels (offscreen);

  /* GL objects go while their context is current. */
  g_clear_pointer (&renderer, op_renderer_free);
  return pixels;
}

static void
test_scene_golden (void)
{
  g_autofree guint8 *pixels = NULL;
  g_autofree guint8 *again = NULL;
  g_autofree guint8 *golden = NULL;
  g_autofree char *golden_path = NULL;
  g_autoptr(GError) error = NULL;
  OpCamera camera;
  int gw = 0, gh = 0, off = 0, worst = 0;
  double mse = 0;

  pixels = scene_render (&camera);
  save_png (pixels, SIZE, SIZE, "scene-actual.png");

  /* The same scene twice gives the same bytes. */
  again = scene_render (&camera);
  g_assert_cmpmem (pixels, SIZE * SIZE * 4, again, SIZE * SIZE * 4);

  golden_path = g_test_build_filename (G_TEST_DIST, "render", "golden", "scene.png", NULL);
  if (g_strcmp0 (g_getenv ("OP_UPDATE_GOLDEN"), "1") == 0)
    {
      op_image_save_png (pixels, SIZE, SIZE, golden_path, &error);
      g_assert_no_error (error);
      g_test_message ("updated %s", golden_path);
      return;
    }

  golden = op_image_load_png (golden_path, &gw, &gh, &error);
  g_assert_no_error (error);
  if (golden == NULL)
    return;
  g_assert_cmpint (gw, ==, SIZE);
  g_assert_cmpint (gh, ==, SIZE);

  for (int i = 0; i < SIZE * SIZE; i++)
    {
      int d = 0;

      for (int c = 0; c < 4; c++)
        {
          int e = abs ((int) pixels[i * 4 + c] - (int) golden[i * 4 + c]);
          d = MAX (d, e);
          mse += (double) e * e;
        }
      worst = MAX (worst, d);
      if (d > 8)
        off++;
    }
  mse /= SIZE * SIZE * 4;
  g_test_message ("golden: %d pixels differ by more than 8 (worst %d), PSNR %.1f dB",
                  off, worst, mse > 0 ? 10.0 * log10 (255.0 * 255.0 / mse) : INFINITY);

  /* Up to 0.5 % of the pixels may differ by more than 8 levels: room for
   * a different llvmpipe or LLVM version, not for a different picture. */
  g_assert_cmpint (off, <=, SIZE * SIZE / 200);
}

static void
test_scene_materials (void)
{
  g_autofree guint8 *pixels = NULL;
  OpCamera camera;
  float enamel[3] = { 0 }, gingiva[3] = { 0 }, background[3], c[3], x, y;
  /* Points inside the tooth above the band, and on the band's front. */
  static const float enamel_points[][3] = {
    { 0, 0, 3 }, { 0, 0, 1 }, { 1.5f, 0, 2 }, { -1.5f, 0, 2 }, { 0, 0, 4.5f },
  };
  static const float gingiva_points[][3] = {
    { 0, -5.2f, -4 }, { -1.6f, -4.9f, -4.5f }, { 1.6f, -4.9f, -3.5f }, { 0, -5.2f, -5.5f },
  };

  pixels = scene_render (&camera);
  mean_color (pixels, SIZE, SIZE, 3, 3, 2, background);

  for (guint i = 0; i < G_N_ELEMENTS (enamel_points); i++)
    {
      g_assert_true (op_test_project (&camera, 1.f, enamel_points[i], SIZE, SIZE, &x, &y));
      mean_color (pixels, SIZE, SIZE, x, y, 2, c);
      g_assert_true (is_whiteish (c));
      for (int k = 0; k < 3; k++)
        enamel[k] += c[k] / G_N_ELEMENTS (enamel_points);
    }
  for (guint i = 0; i < G_N_ELEMENTS (gingiva_points); i++)
    {
      g_assert_true (op_test_project (&camera, 1.f, gingiva_points[i], SIZE, SIZE, &x, &y));
      mean_color (pixels, SIZE, SIZE, x, y, 2, c);
      g_assert_true (is_pink (c));
      for (int k = 0; k < 3; k++)
        gingiva[k] += c[k] / G_N_ELEMENTS (gingiva_points);
    }

  g_test_message ("enamel %.0f %.0f %.0f, gingiva %.0f %.0f %.0f, background %.0f %.0f %.0f",
                  enamel[0], enamel[1], enamel[2], gingiva[0], gingiva[1], gingiva[2],
                  background[0], background[1], background[2]);

  /* Enamel is brighter and less saturated (whiter) than gingiva. */
  g_assert_cmpfloat (luminance (enamel), >, luminance (gingiva) + 30.f);
  g_assert_cmpfloat (enamel[0] - enamel[2], <, gingiva[0] - gingiva[2]);
  g_assert_cmpfloat (enamel[0] - enamel[1], <, gingiva[0] - gingiva[1]);

  /* The meshes are not the background. */
  g_assert_cmpfloat (fabsf (luminance (enamel) - luminance (background)), >, 40.f);
  g_assert_cmpfloat (fabsf (gingiva[0] - background[0]) + fabsf (gingiva[2] - background[2]), >, 60.f);
}

static void
test_scene_depth (void)
{
  g_autofree guint8 *pixels = NULL;
  OpCamera camera;
  /* Inside the tooth, behind the band: the tooth is drawn after the band,
   * so only the depth test keeps these pixels pink. */
  static const float hidden[][3] = { { 0, 0, -4 }, { 0.8f, 0, -3.5f }, { -0.8f, 0, -4.5f } };
  float c[3], x, y;

  pixels = scene_render (&camera);
  for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
    {
      g_assert_true (op_test_project (&camera, 1.f, hidden[i], SIZE, SIZE, &x, &y));
      mean_color (pixels, SIZE, SIZE, x, y, 1, c);
      g_assert_true (is_pink (c));
    }
}

/* Labels: gingiva where label 0 (x < 0), enamel elsewhere (x > 0); the
 * front view shows +x, the patient's left, on the right of the image. */
static void
test_scene_labels (void)
{
  g_autoptr(OpMesh) grid = make_grid (10.f, 5.f, 40, 20, OP_MESH_ATTR_LABELS);
  g_autofree guint8 *pixels = NULL;
  float left[3], right[3], seam[3];

  for (gsize v = 0; v < grid->n_vertices; v++)
    grid->labels[v] = grid->positions[v * 3] > 0.f ? 21 : 0;

  pixels = draw_single (grid, OP_MATERIAL_LABELS, OP_VIEW_FRONT);
  save_png (pixels, SIZE, SIZE, "labels-actual.png");

  mean_color (pixels, SIZE, SIZE, SIZE * 0.25f, SIZE * 0.5f, 4, left);
  mean_color (pixels, SIZE, SIZE, SIZE * 0.75f, SIZE * 0.5f, 4, right);
  g_test_message ("label 0 %.0f %.0f %.0f, label 21 %.0f %.0f %.0f",
                  left[0], left[1], left[2], right[0], right[1], right[2]);
  g_assert_true (is_pink (left));
  g_assert_true (is_whiteish (right));

  /* The boundary runs through x = 0 (the middle of the picture). */
  mean_color (pixels, SIZE, SIZE, SIZE * 0.5f - 4, SIZE * 0.5f, 1, seam);
  g_assert_true (is_pink (seam));
  mean_color (pixels, SIZE, SIZE, SIZE * 0.5f + 4, SIZE * 0.5f, 1, seam);
  g_assert_true (is_whiteish (seam));
}

/* More than 2^16 vertices: the top rows (indices above 65535) are green,
 * the rest red; both must appear where they belong. */
static void
test_scene_large_indices (void)
{
  g_autoptr(OpMesh) grid = make_grid (10.f, 10.f, 299, 299, OP_MESH_ATTR_COLORS);
  g_autofree guint8 *pixels = NULL;
  float top[3], bottom[3];

  g_assert_cmpuint (grid->n_vertices, >, 65536);
  for (gsize v = 0; v < grid->n_vertices; v++)
    {
      gboolean high = v > 65536;
      grid->colors[v * 4 + 0] = high ? 30 : 220;
      grid->colors[v * 4 + 1] = high ? 200 : 30;
      grid->colors[v * 4 + 2] = 30;
      grid->colors[v * 4 + 3] = 255;
    }

  pixels = draw_single (grid, OP_MATERIAL_VERTEX_COLOR, OP_VIEW_FRONT);

  /* Rows above 65536 / 300 = 218 of 300 lie in the top quarter. */
  mean_color (pixels, SIZE, SIZE, SIZE * 0.5f, SIZE * 0.5f - SIZE * 0.36f, 2, top);
  mean_color (pixels, SIZE, SIZE, SIZE * 0.5f, SIZE * 0.5f + SIZE * 0.2f, 2, bottom);
  g_assert_cmpfloat (top[1], >, top[0] + 60.f);
  g_assert_cmpfloat (bottom[0], >, bottom[1] + 60.f);
}

/* As in a GtkGLArea: draw into a framebuffer the caller bound, not FBO 0
 * and not the offscreen's own, with a flat background. */
static void
test_scene_bound_framebuffer (void)
{
  g_autoptr(OpOffscreen) offscreen = new_offscreen (16, 16);
  g_autoptr(OpRenderer) renderer = NULL;
  g_autoptr(GError) error = NULL;
  const float flat[4] = { 0.1f, 0.2f, 0.6f, 1.f };
  const int w = 96, h = 64;
  GLuint fbo, rb[2];
  GLint bound = 0;
  g_autofree guint8 *pixels = g_malloc ((gsize) w * h * 4);
  float bmin[3], bmax[3];
  OpCamera camera;

  renderer = op_renderer_new (&error);
  g_assert_no_error (error);
  scene_setup (renderer, &camera);
  op_renderer_set_background (renderer, flat);
  op_renderer_get_bounds (renderer, bmin, bmax);
  op_camera_fit (&camera, bmin, bmax, (float) w / (float) h);

  glGenRenderbuffers (2, rb);
  glBindRenderbuffer (GL_RENDERBUFFER, rb[0]);
  glRenderbufferStorage (GL_RENDERBUFFER, GL_RGBA8, w, h);
  glBindRenderbuffer (GL_RENDERBUFFER, rb[1]);
  glRenderbufferStorage (GL_RENDERBUFFER, GL_DEPTH24_STENCIL8, w, h);
  glGenFramebuffers (1, &fbo);
  glBindFramebuffer (GL_FRAMEBUFFER, fbo);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, rb[0]);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_DEPTH_STENCIL_ATTACHMENT, GL_RENDERBUFFER, rb[1]);
  g_assert_cmpint (glCheckFramebufferStatus (GL_FRAMEBUFFER), ==, GL_FRAMEBUFFER_COMPLETE);

  /* GTK may leave a scissor box behind; the renderer must not care. */
  glEnable (GL_SCISSOR_TEST);
  glScissor (0, 0, 1, 1);

  op_renderer_draw (renderer, &camera, w, h);

  glGetIntegerv (GL_DRAW_FRAMEBUFFER_BINDING, &bound);
  g_assert_cmpint (bound, ==, (GLint) fbo);

  glBindFramebuffer (GL_READ_FRAMEBUFFER, fbo);
  glPixelStorei (GL_PACK_ALIGNMENT, 1);
  glReadPixels (0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels);

  /* A corner is the flat background, the centre is the scene. */
  g_assert_cmpint (abs (pixels[0] - 26), <=, 1);
  g_assert_cmpint (abs (pixels[1] - 51), <=, 1);
  g_assert_cmpint (abs (pixels[2] - 153), <=, 1);
  {
    const guint8 *centre = pixels + ((gsize) (h / 2) * w + w / 2) * 4;
    g_assert_cmpint (abs (centre[2] - 153), >, 20);
  }

  glBindFramebuffer (GL_FRAMEBUFFER, 0);
  glDeleteFramebuffers (1, &fbo);
  glDeleteRenderbuffers (2, rb);
  g_clear_pointer (&renderer, op_renderer_free);
}

/* The gradient is lighter at the top, so the first row read back (the top
 * one) must be lighter than the last: read_pixels flips GL's rows. */
static void
test_scene_background (void)
{
  g_autoptr(OpOffscreen) offscreen = new_offscreen (32, 32);
  g_autoptr(OpRenderer) renderer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *pixels = NULL;
  const float flat[4] = { 1.f, 0.5f, 0.f, 1.f };
  OpCamera camera;
  float top[3], bottom[3];

  renderer = op_renderer_new (&error);
  g_assert_no_error (error);
  op_camera_init (&camera);

  op_renderer_draw (renderer, &camera, 32, 32);
  pixels = op_offscreen_read_pixels (offscreen);
  mean_color (pixels, 32, 32, 16, 0, 0, top);
  mean_color (pixels, 32, 32, 16, 31, 0, bottom);
  g_assert_cmpfloat (luminance (top), >, luminance (bottom) + 40.f);
  g_clear_pointer (&pixels, g_free);

  op_renderer_set_background (renderer, flat);
  op_offscreen_make_current (offscreen);
  op_renderer_draw (renderer, &camera, 32, 32);
  pixels = op_offscreen_read_pixels (offscreen);
  g_assert_cmpuint (pixels[0], ==, 255);
  g_assert_cmpuint (abs (pixels[1] - 128), <=, 1);
  g_assert_cmpuint (pixels[2], ==, 0);
  g_assert_cmpuint (pixels[3], ==, 255);

  g_clear_pointer (&renderer, op_renderer_free);
}

static void
test_renderer_handles (void)
{
  g_autoptr(OpOffscreen) offscreen = new_offscreen (8, 8);
  g_autoptr(OpRenderer) renderer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) grid = make_grid (1.f, 2.f, 2, 2, 0);
  g_autoptr(OpMesh) empty = op_mesh_new (0, 0, 0);
  float bmin[3], bmax[3];
  float move[16] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 10, 20, 30, 1 };
  guint a, b, c;

  renderer = op_renderer_new (&error);
  g_assert_no_error (error);
  g_assert_false (op_renderer_get_bounds (renderer, bmin, bmax));

  a = op_renderer_add_mesh (renderer, grid, OP_MATERIAL_ENAMEL);
  b = op_renderer_add_mesh (renderer, grid, OP_MATERIAL_GINGIVA);
  c = op_renderer_add_mesh (renderer, empty, OP_MATERIAL_ENAMEL);
  g_assert_cmpuint (a, >, 0);
  g_assert_cmpuint (b, !=, a);
  g_assert_cmpuint (c, !=, b);

  g_assert_true (op_renderer_get_bounds (renderer, bmin, bmax));
  g_assert_cmpfloat (bmin[0], ==, -1.f);
  g_assert_cmpfloat (bmax[2], ==, 2.f);

  op_renderer_set_transform (renderer, b, move);
  g_assert_true (op_renderer_get_bounds (renderer, bmin, bmax));
  g_assert_cmpfloat (bmin[0], ==, -1.f);
  g_assert_cmpfloat (bmax[0], ==, 11.f);
  g_assert_cmpfloat (bmax[2], ==, 32.f);

  op_renderer_set_visible (renderer, a, FALSE);
  g_assert_true (op_renderer_get_bounds (renderer, bmin, bmax));
  g_assert_cmpfloat (bmin[0], ==, 9.f);

  op_renderer_remove_mesh (renderer, b);
  g_assert_false (op_renderer_get_bounds (renderer, bmin, bmax));
  op_renderer_set_visible (renderer, a, TRUE);
  g_assert_true (op_renderer_get_bounds (renderer, bmin, bmax));

  /* Unknown handles are ignored. */
  op_renderer_remove_mesh (renderer, 9999);
  op_renderer_set_visible (renderer, 9999, FALSE);

  op_renderer_clear (renderer);
  g_assert_false (op_renderer_get_bounds (renderer, bmin, bmax));
  g_clear_pointer (&renderer, op_renderer_free);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  /* Offscreen rendering must not need a display server. */
  g_unsetenv ("DISPLAY");
  g_unsetenv ("WAYLAND_DISPLAY");

  g_test_add_func ("/render/renderer/no-context", test_renderer_no_context);
  g_test_add_func ("/render/offscreen/context", test_offscreen_context);
  g_test_add_func ("/render/offscreen/two", test_offscreen_two);
  g_test_add_func ("/render/renderer/shader-error", test_shader_error);
  g_test_add_func ("/render/renderer/handles", test_renderer_handles);
  g_test_add_func ("/render/scene/background", test_scene_background);
  g_test_add_func ("/render/scene/golden", test_scene_golden);
  g_test_add_func ("/render/scene/materials", test_scene_materials);
  g_test_add_func ("/render/scene/depth", test_scene_depth);
  g_test_add_func ("/render/scene/labels", test_scene_labels);
  g_test_add_func ("/render/scene/large-indices", test_scene_large_indices);
  g_test_add_func ("/render/scene/bound-framebuffer", test_scene_bound_framebuffer);

  return g_test_run ();
}
