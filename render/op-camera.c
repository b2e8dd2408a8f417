/* op-camera.c: an orbit camera in millimetres and degrees.
 *
 * The eye sits on a sphere of radius @distance around @target.  Its
 * direction from the target is
 *
 *   d(yaw, pitch) = (-cos p sin y, cos p cos y, sin p)
 *
 * so yaw 180, pitch 0 is the front view (eye on -y, anterior), yaw -90 puts
 * the eye on +x (the patient's left) and pitch +90 straight above.
 *
 * The camera's horizontal axis depends on the yaw alone, never on the
 * pitch, so the basis stays well defined at pitch +-90 exactly: the
 * occlusal views are exact and no "up" vector ever degenerates.
 *
 * The world frame is DICOM's patient frame (LPS: +x the patient's left,
 * +y posterior, +z superior), which is right-handed, so the view is a plain
 * right-handed look-at and pictures are anatomically true: a front view
 * shows the patient's left on the right of the image, as when facing the
 * patient.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <cglm/cglm.h>

#include "op-camera.h"

/* Degrees per pixel of mouse motion for orbiting: half a turn across a
 * 450-pixel drag feels neither sluggish nor twitchy. */
#define ORBIT_DEG_PER_PX 0.4f

#define MIN_DISTANCE 1e-2f
#define MAX_DISTANCE 1e6f

/* The fit leaves this fraction of the half-extent free on every side. */
#define FIT_MARGIN 1.10f

static const struct {
  OpView      view;
  const char *name;
  float       yaw;
  float       pitch;
} views[] = {
  /* Eye on -y (anterior), looking towards +y at the labial faces. */
  { OP_VIEW_FRONT,          "front",          180.f,   0.f },
  /* Eye on -z looking up; yaw 180 turns -y (anterior) to the top. */
  { OP_VIEW_OCCLUSAL_UPPER, "occlusal-upper", 180.f, -90.f },
  /* Eye on +z looking down; yaw 0 turns -y (anterior) to the top. */
  { OP_VIEW_OCCLUSAL_LOWER, "occlusal-lower",   0.f,  90.f },
  /* Eye on +x, the patient's left. */
  { OP_VIEW_LEFT,           "left",           -90.f,   0.f },
  /* Eye on -x, the patient's right. */
  { OP_VIEW_RIGHT,          "right",           90.f,   0.f },
};

const char *
op_view_to_string (OpView view)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    if (views[i].view == view)
      return views[i].name;

  return NULL;
}

gboolean
op_view_from_string (const char *str,
                     OpView     *out_view)
{
  g_return_val_if_fail (out_view != NULL, FALSE);

  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    if (g_ascii_strcasecmp (views[i].name, str) == 0)
      {
        *out_view = views[i].view;
        return TRUE;
      }

  return FALSE;
}

/* The camera basis in world coordinates: @right and @up span the image,
 * @back points from the target to the eye; right x up = back. */
static void
op__camera_basis (const OpCamera *camera,
                  vec3            right,
                  vec3            up,
                  vec3            back)
{
  float yaw = glm_rad (camera->yaw);
  float pitch = glm_rad (camera->pitch);
  float cy = cosf (yaw), sy = sinf (yaw);
  float cp = cosf (pitch), sp = sinf (pitch);

  back[0] = -cp * sy;
  back[1] = cp * cy;
  back[2] = sp;

  right[0] = -cy;
  right[1] = -sy;
  right[2] = 0.f;

  /* up = back x right. */
  up[0] = sp * sy;
  up[1] = -sp * cy;
  up[2] = cp;

  /* Exact views should give exact axes; sinf(pi) is not exactly zero. */
  for (int i = 0; i < 3; i++)
    {
      if (fabsf (back[i]) < 1e-7f)
        back[i] = 0.f;
      if (fabsf (right[i]) < 1e-7f)
        right[i] = 0.f;
      if (fabsf (up[i]) < 1e-7f)
        up[i] = 0.f;
    }
}

void
op_camera_init (OpCamera *camera)
{
  g_return_if_fail (camera != NULL);

  memset (camera, 0, sizeof *camera);
  camera->distance = 100.f;
  camera->yaw = 180.f;   /* the front view */
  camera->pitch = 0.f;
  camera->fovy = 30.f;
}

void
op_camera_set_view (OpCamera *camera,
                    OpView    view)
{
  g_return_if_fail (camera != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    if (views[i].view == view)
      {
        camera->yaw = views[i].yaw;
        camera->pitch = views[i].pitch;
        return;
      }

  g_return_if_reached ();
}

void
op_camera_fit (OpCamera   *camera,
               const float bbox_min[3],
               const float bbox_max[3],
               float       aspect)
{
  vec3 right, up, back;
  float tan_v, tan_h, distance = 0.f;

  g_return_if_fail (camera != NULL);
  g_return_if_fail (bbox_min != NULL && bbox_max != NULL);

  if (!(aspect > 0.f))
    aspect = 1.f;
  if (!(camera->fovy > 1.f && camera->fovy < 179.f))
    camera->fovy = 30.f;

  for (int i = 0; i < 3; i++)
    camera->target[i] = 0.5f * (bbox_min[i] + bbox_max[i]);

  op__camera_basis (camera, right, up, back);
  tan_v = tanf (glm_rad (camera->fovy) * 0.5f);
  tan_h = tan_v * aspect;

  /* A corner at (x, y, z) in camera coordinates relative to the target is
   * inside the frustum when |x| <= (D - z) tan_h and |y| <= (D - z) tan_v,
   * so the smallest D that holds for all eight corners frames the box
   * exactly; the margin then scales the lateral extent. */
  for (int c = 0; c < 8; c++)
    {
      vec3 p;
      float x, y, z, need;

      p[0] = ((c & 1) ? bbox_max[0] : bbox_min[0]) - camera->target[0];
      p[1] = ((c & 2) ? bbox_max[1] : bbox_min[1]) - camera->target[1];
      p[2] = ((c & 4) ? bbox_max[2] : bbox_min[2]) - camera->target[2];
      x = glm_vec3_dot (p, right);
      y = glm_vec3_dot (p, up);
      z = glm_vec3_dot (p, back);

      need = z + FIT_MARGIN * MAX (fabsf (x) / tan_h, fabsf (y) / tan_v);
      distance = MAX (distance, need);
    }

  /* An empty or flat box still needs a sensible distance. */
  camera->distance = CLAMP (distance, 1.f, MAX_DISTANCE);
}

void
op_camera_orbit (OpCamera *camera,
                 float     dx_px,
                 float     dy_px)
{
  g_return_if_fail (camera != NULL);

  /* Dragging right turns the scene to the right, so the eye moves left;
   * dragging down brings the top of the scene towards the eye.  The pitch
   * stops at the poles: the basis is exact there, and going over the top
   * would turn the picture upside down. */
  camera->yaw = fmodf (camera->yaw - dx_px * ORBIT_DEG_PER_PX, 360.f);
  if (camera->yaw > 180.f)
    camera->yaw -= 360.f;
  else if (camera->yaw < -180.f)
    camera->yaw += 360.f;

  camera->pitch = CLAMP (camera->pitch + dy_px * ORBIT_DEG_PER_PX, -90.f, 90.f);
}

void
op_camera_pan (OpCamera *camera,
               float     dx_px,
               float     dy_px,
               float     viewport_height)
{
  vec3 right, up, back;
  float mm_per_px;

  g_return_if_fail (camera != NULL);

  if (!(viewport_height > 0.f))
    return;

  /* Millimetres per pixel at the target's depth, so the point under the
   * pointer follows the pointer. */
  mm_per_px = 2.f * camera->distance * tanf (glm_rad (camera->fovy) * 0.5f) / viewport_height;
  op__camera_basis (camera, right, up, back);

  /* Screen y grows downwards. */
  for (int i = 0; i < 3; i++)
    camera->target[i] += (-dx_px * right[i] + dy_px * up[i]) * mm_per_px;
}

void
op_camera_zoom (OpCamera *camera,
                float     factor)
{
  g_return_if_fail (camera != NULL);

  if (!(factor > 0.f) || !isfinite (factor))
    return;

  camera->distance = CLAMP (camera->distance / factor, MIN_DISTANCE, MAX_DISTANCE);
}

void
op_camera_get_eye (const OpCamera *camera,
                   float           out[3])
{
  vec3 right, up, back;

  g_return_if_fail (camera != NULL && out != NULL);

  op__camera_basis (camera, right, up, back);
  for (int i = 0; i < 3; i++)
    out[i] = camera->target[i] + camera->distance * back[i];
}

void
op_camera_get_view_matrix (const OpCamera *camera,
                           float           out[16])
{
  vec3 right, up, back, eye;

  g_return_if_fail (camera != NULL && out != NULL);

  op__camera_basis (camera, right, up, back);
  op_camera_get_eye (camera, eye);

  /* Rows of the rotation are the camera axes; column-major storage. */
  for (int i = 0; i < 3; i++)
    {
      out[i * 4 + 0] = right[i];
      out[i * 4 + 1] = up[i];
      out[i * 4 + 2] = back[i];
      out[i * 4 + 3] = 0.f;
    }
  out[12] = -glm_vec3_dot (right, eye);
  out[13] = -glm_vec3_dot (up, eye);
  out[14] = -glm_vec3_dot (back, eye);
  out[15] = 1.f;
}

void
op_camera_get_projection_matrix (const OpCamera *camera,
                                 float           aspect,
                                 float           out[16])
{
  mat4 proj;
  float near, far, fovy;

  g_return_if_fail (camera != NULL && out != NULL);

  if (!(aspect > 0.f))
    aspect = 1.f;
  fovy = (camera->fovy > 1.f && camera->fovy < 179.f) ? camera->fovy : 30.f;

  /* Clip planes follow the distance: a fitted box lies well inside
   * [distance / 100, distance * 100], and the 10^4 ratio keeps a 24-bit
   * depth buffer precise to a few micrometres at the target. */
  near = MAX (camera->distance * 0.01f, 1e-4f);
  far = camera->distance * 100.f + 1.f;

  glm_perspective (glm_rad (fovy), aspect, near, far, proj);
  memcpy (out, proj, sizeof (float) * 16);
}
