#version 330 core
// Mesh vertex stage: everything is lit in view space, where the lights are
// fixed to the camera.

layout(location = 0) in vec3 a_position;   // mm, model space
layout(location = 1) in vec3 a_normal;
layout(location = 2) in vec4 a_color;      // RGBA8, normalized, sRGB
layout(location = 3) in int  a_label;      // 0 = gingiva, else FDI number

uniform mat4 u_model_view;
uniform mat4 u_projection;
uniform mat3 u_normal_matrix;
// A plane in model space (a, b, c, d); points with a x + b y + c z + d < 0
// are cut away when the renderer enables GL_CLIP_DISTANCE0.  (0, 0, 0, 1)
// keeps everything.
uniform vec4 u_clip_plane;

out vec3  v_position;   // view space
out vec3  v_normal;     // view space, not normalized
out vec4  v_color;
// 1 on teeth and 0 on gingiva, interpolated so that the fragment stage can
// draw the tooth/gum boundary as a smooth line through the triangles
// rather than a staircase along their edges.
out float v_tooth;

void
main ()
{
  vec4 p = u_model_view * vec4 (a_position, 1.0);

  v_position = p.xyz;
  v_normal = u_normal_matrix * a_normal;
  v_color = a_color;
  v_tooth = a_label != 0 ? 1.0 : 0.0;
  gl_Position = u_projection * p;
  gl_ClipDistance[0] = dot (u_clip_plane, vec4 (a_position, 1.0));
}
