/* op-camera.h: an orbit camera around a target, in millimetres and degrees.
 *
 * World frame: DICOM's patient frame (LPS), the one planner/op-mesh.h
 * documents: +x the patient's left, +y posterior, +z superior.  It is
 * right-handed, so the view matrix is a plain look-at and pictures are
 * anatomically true: a front view has the patient's left on the right of
 * the picture, the occlusal views have anterior at the top, the left view
 * looks from +x.  Views are exact at pitch +-90: the picture's horizontal
 * axis follows the yaw alone.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  OP_VIEW_FRONT,
  OP_VIEW_OCCLUSAL_UPPER,  /* looking up at the upper arch's teeth */
  OP_VIEW_OCCLUSAL_LOWER,  /* looking down at the lower arch's teeth */
  OP_VIEW_LEFT,            /* the patient's left side */
  OP_VIEW_RIGHT,
} OpView;

const char *op_view_to_string   (OpView      view);   /* "front", "occlusal-upper", ... */
gboolean    op_view_from_string (const char *str,
                                 OpView     *out_view);

typedef struct {
  float target[3];    /* orbit centre, mm */
  float distance;     /* mm from the target */
  float yaw;          /* degrees about +z */
  float pitch;        /* degrees above the horizontal, -90 to 90 */
  float fovy;         /* vertical field of view, degrees */
} OpCamera;

void op_camera_init      (OpCamera *camera);
/* Keeps the direction, centres the box and sets the distance so that all
 * eight corners are inside the frustum with a 10 % margin. */
void op_camera_fit       (OpCamera   *camera,
                          const float bbox_min[3],
                          const float bbox_max[3],
                          float       aspect);
void op_camera_set_view  (OpCamera *camera,
                          OpView    view);
/* Mouse gestures in pixels.  Orbit: dragging right turns the scene right,
 * dragging down raises the eye (pitch stops at +-90).  Pan: the point under
 * the pointer follows it, in a viewport @viewport_height pixels high. */
void op_camera_orbit     (OpCamera *camera,
                          float     dx_px,
                          float     dy_px);
void op_camera_pan       (OpCamera *camera,
                          float     dx_px,
                          float     dy_px,
                          float     viewport_height);
/* factor > 1 zooms in. */
void op_camera_zoom      (OpCamera *camera,
                          float     factor);
/* Column-major matrices for GL. */
void op_camera_get_view_matrix       (const OpCamera *camera,
                                      float           out[16]);
void op_camera_get_projection_matrix (const OpCamera *camera,
                                      float           aspect,
                                      float           out[16]);
void op_camera_get_eye               (const OpCamera *camera,
                                      float           out[3]);

G_END_DECLS
