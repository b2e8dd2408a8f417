/* bench-first-frame.c: from opening a 1M-triangle binary STL to the first
 * frame drawn offscreen at 1280x800, against a 12-triangle cube measured
 * the same way in the same process.
 *
 * One run = op_mesh_load + op_renderer_new (shader compile) + upload +
 * fit + draw + read-back of the picture (which waits for the GPU, here
 * llvmpipe).  The offscreen context is made once, before the runs, as an
 * application has its window before the person opens a file. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <epoxy/gl.h>
#include <glib/gstdio.h>

#include "op-mesh-io.h"
#include "op-offscreen.h"
#include "op-renderer.h"

#define WIDTH  1280
#define HEIGHT 800
#define RUNS   5

typedef struct {
  double load_ms;
  double setup_ms;   /* renderer, upload, fit */
  double draw_ms;    /* draw and read-back */
  double total_ms;
} Timing;

static double
now_ms (void)
{
  return (double) g_get_monotonic_time () / 1000.0;
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *values,
        int     n)
{
  qsort (values, (size_t) n, sizeof (double), cmp_double);
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

static void
put_vec (guint8     **p,
         const float  v[3])
{
  memcpy (*p, v, 12);
  *p += 12;
}

static void
put_triangle (guint8     **p,
              const float  a[3],
              const float  b[3],
              const float  c[3])
{
  float u[3], w[3], n[3], len;

  for (int k = 0; k < 3; k++)
    {
      u[k] = b[k] - a[k];
      w[k] = c[k] - a[k];
    }
  n[0] = u[1] * w[2] - u[2] * w[1];
  n[1] = u[2] * w[0] - u[0] * w[2];
  n[2] = u[0] * w[1] - u[1] * w[0];
  len = sqrtf (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  for (int k = 0; k < 3; k++)
    n[k] = len > 0.f ? n[k] / len : 0.f;

  put_vec (p, n);
  put_vec (p, a);
  put_vec (p, b);
  put_vec (p, c);
  (*p)[0] = (*p)[1] = 0;
  *p += 2;
}

/* A UV sphere of radius 20 mm with @stacks x @slices x 2 triangles, written
 * as little-endian binary STL (x86 is little-endian, as STL is).  The
 * same arguments always give the same bytes. */
static gboolean
write_sphere_stl (const char *path,
                  int         stacks,
                  int         slices,
                  GError    **error)
{
  gsize n_tri = (gsize) stacks * slices * 2;
  gsize size = 84 + n_tri * 50;
  g_autofree guint8 *data = g_malloc0 (size);
  guint8 *p = data + 80;
  guint32 count = (guint32) n_tri;

  memcpy (data, "orthoplan bench sphere", 22);
  memcpy (p, &count, 4);
  p += 4;

  for (int i = 0; i < stacks; i++)
    for (int j = 0; j < slices; j++)
      {
        float v[4][3];

        for (int c = 0; c < 4; c++)
          {
            double theta = G_PI * (i + (c >> 1)) / stacks;
            double phi = 2.0 * G_PI * (j + (c & 1)) / slices;

            v[c][0] = (float) (20.0 * sin (theta) * cos (phi));
            v[c][1] = (float) (20.0 * sin (theta) * sin (phi));
            v[c][2] = (float) (20.0 * cos (theta));
          }
        put_triangle (&p, v[0], v[2], v[3]);
        put_triangle (&p, v[0], v[3], v[1]);
      }

  return g_file_set_contents (path, (const char *) data, (gssize) size, error);
}

static gboolean
write_cube_stl (const char *path,
                GError    **error)
{
  static const int faces[6][4] = {
    { 0, 2, 3, 1 }, { 4, 5, 7, 6 }, { 0, 1, 5, 4 },
    { 2, 6, 7, 3 }, { 0, 4, 6, 2 }, { 1, 3, 7, 5 },
  };
  guint8 data[84 + 12 * 50] = { 0 };
  guint8 *p = data + 84;
  guint32 count = 12;
  float v[8][3];

  for (int c = 0; c < 8; c++)
    {
      v[c][0] = (c & 1) ? 5.f : -5.f;
      v[c][1] = (c & 2) ? 5.f : -5.f;
      v[c][2] = (c & 4) ? 5.f : -5.f;
    }
  memcpy (data + 80, &count, 4);
  for (int f = 0; f < 6; f++)
    {
      put_triangle (&p, v[faces[f][0]], v[faces[f][1]], v[faces[f][2]]);
      put_triangle (&p, v[faces[f][0]], v[faces[f][2]], v[faces[f][3]]);
    }

  return g_file_set_contents (path, (const char *) data, sizeof data, error);
}

/* One run: file to first frame.  Returns FALSE on an error. */
static gboolean
first_frame (OpOffscreen *offscreen,
             const char  *path,
             Timing      *out,
             gsize       *out_triangles,
             GError     **error)
{
  g_autoptr(OpMesh) mesh = NULL;
  g_autoptr(OpRenderer) renderer = NULL;
  g_autofree guint8 *pixels = NULL;
  OpCamera camera;
  float bmin[3], bmax[3];
  double t0, t1, t2, t3;

  op_offscreen_make_current (offscreen);

  t0 = now_ms ();
  mesh = op_mesh_load (path, NULL, NULL, NULL, error);
  if (mesh == NULL)
    return FALSE;
  t1 = now_ms ();

  renderer = op_renderer_new (error);
  if (renderer == NULL)
    return FALSE;
  op_renderer_add_mesh (renderer, mesh, OP_MATERIAL_ENAMEL);
  op_camera_init (&camera);
  op_camera_set_view (&camera, OP_VIEW_FRONT);
  op_renderer_get_bounds (renderer, bmin, bmax);
  op_camera_fit (&camera, bmin, bmax, (float) WIDTH / HEIGHT);
  t2 = now_ms ();

  op_offscreen_make_current (offscreen);
  op_renderer_draw (renderer, &camera, WIDTH, HEIGHT);
  pixels = op_offscreen_read_pixels (offscreen);
  t3 = now_ms ();

  out->load_ms = t1 - t0;
  out->setup_ms = t2 - t1;
  out->draw_ms = t3 - t2;
  out->total_ms = t3 - t0;
  *out_triangles = mesh->n_triangles;

  /* The renderer's GL objects go while the context is current. */
  g_clear_pointer (&renderer, op_renderer_free);
  return pixels != NULL;
}

static gboolean
measure (OpOffscreen *offscreen,
         const char  *label,
         const char  *path,
         Timing      *out_median,
         GError     **error)
{
  double load[RUNS], setup[RUNS], draw[RUNS], total[RUNS];
  gsize triangles = 0;

  for (int r = 0; r < RUNS; r++)
    {
      Timing t;

      if (!first_frame (offscreen, path, &t, &triangles, error))
        return FALSE;
      load[r] = t.load_ms;
      setup[r] = t.setup_ms;
      draw[r] = t.draw_ms;
      total[r] = t.total_ms;
    }

  out_median->load_ms = median (load, RUNS);
  out_median->setup_ms = median (setup, RUNS);
  out_median->draw_ms = median (draw, RUNS);
  out_median->total_ms = median (total, RUNS);

  printf ("%-28s %9" G_GSIZE_FORMAT " tri  load %8.1f ms  renderer+upload %7.1f ms  "
          "draw+readback %7.1f ms  total %8.1f ms  (median of %d)\n",
          label, triangles, out_median->load_ms, out_median->setup_ms,
          out_median->draw_ms, out_median->total_ms, RUNS);
  return TRUE;
}

/* Steady frame time of the loaded mesh: what orbiting costs per frame. */
static gboolean
steady_frame (OpOffscreen *offscreen,
              const char  *path,
              double      *out_ms,
              GError     **error)
{
  g_autoptr(OpMesh) mesh = NULL;
  g_autoptr(OpRenderer) renderer = NULL;
  double times[RUNS];
  OpCamera camera;
  float bmin[3], bmax[3];

  mesh = op_mesh_load (path, NULL, NULL, NULL, error);
  if (mesh == NULL)
    return FALSE;
  op_offscreen_make_current (offscreen);
  renderer = op_renderer_new (error);
  if (renderer == NULL)
    return FALSE;
  op_renderer_add_mesh (renderer, mesh, OP_MATERIAL_ENAMEL);
  op_camera_init (&camera);
  op_renderer_get_bounds (renderer, bmin, bmax);
  op_camera_fit (&camera, bmin, bmax, (float) WIDTH / HEIGHT);

  /* One frame first, so that lazy driver work is not counted. */
  op_renderer_draw (renderer, &camera, WIDTH, HEIGHT);
  glFinish ();

  for (int r = 0; r < RUNS; r++)
    {
      double t0 = now_ms ();

      op_camera_orbit (&camera, 7.f, 3.f);
      op_renderer_draw (renderer, &camera, WIDTH, HEIGHT);
      glFinish ();
      times[r] = now_ms () - t0;
    }

  *out_ms = median (times, RUNS);
  g_clear_pointer (&renderer, op_renderer_free);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpOffscreen) offscreen = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *sphere = NULL;
  g_autofree char *cube = NULL;
  Timing big, small;
  double t0, context_ms, frame_big = 0, frame_small = 0;
  int status = 1;

  /* Offscreen needs no display; keep runs comparable from any shell. */
  g_unsetenv ("DISPLAY");
  g_unsetenv ("WAYLAND_DISPLAY");

  dir = g_dir_make_tmp ("op-bench-first-frame-XXXXXX", &error);
  if (dir == NULL)
    goto out;
  sphere = g_build_filename (dir, "sphere-1m.stl", NULL);
  cube = g_build_filename (dir, "cube.stl", NULL);
  if (!write_sphere_stl (sphere, 1000, 500, &error) || !write_cube_stl (cube, &error))
    goto out;

  t0 = now_ms ();
  offscreen = op_offscreen_new (WIDTH, HEIGHT, &error);
  if (offscreen == NULL)
    goto out;
  context_ms = now_ms () - t0;

  printf ("first-frame benchmark, %dx%d offscreen on %s, %d samples\n",
          WIDTH, HEIGHT, op_offscreen_get_renderer_name (offscreen),
          op_offscreen_get_samples (offscreen));
  printf ("offscreen context + framebuffer: %.1f ms (once, not in the runs)\n", context_ms);

  if (!measure (offscreen, "baseline: cube", cube, &small, &error) ||
      !measure (offscreen, "sphere 1M triangles", sphere, &big, &error))
    goto out;

  if (!steady_frame (offscreen, cube, &frame_small, &error) ||
      !steady_frame (offscreen, sphere, &frame_big, &error))
    goto out;

  printf ("steady frame (draw + glFinish), %d samples: cube %.1f ms, 1M triangles %.1f ms\n",
          op_offscreen_get_samples (offscreen), frame_small, frame_big);

  /* The same without multisampling, which llvmpipe pays for per sample. */
  {
    g_autoptr(OpOffscreen) single = op_offscreen_new_with_samples (WIDTH, HEIGHT, 0, &error);
    double plain_small = 0, plain_big = 0;

    if (single == NULL ||
        !steady_frame (single, cube, &plain_small, &error) ||
        !steady_frame (single, sphere, &plain_big, &error))
      goto out;
    printf ("steady frame (draw + glFinish), no multisampling: cube %.1f ms, 1M triangles %.1f ms\n",
            plain_small, plain_big);
  }
  printf ("RESULT first frame 1M triangles: %.1f ms median; baseline cube %.1f ms; "
          "ratio %.1fx; load alone %.1f ms (%.0f%% of it)\n",
          big.total_ms, small.total_ms, big.total_ms / MAX (small.total_ms, 1e-3),
          big.load_ms, 100.0 * big.load_ms / MAX (big.total_ms, 1e-3));
  status = 0;

out:
  if (error != NULL)
    fprintf (stderr, "bench-first-frame: %s\n", error->message);
  if (sphere != NULL)
    g_unlink (sphere);
  if (cube != NULL)
    g_unlink (cube);
  if (dir != NULL)
    g_rmdir (dir);
  return status;
}
