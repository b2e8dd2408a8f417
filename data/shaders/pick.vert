#version 330 core
// Picking: the same positions and clip plane as mesh.vert, nothing else,
// so that a picked pixel is exactly a pixel the picture shows.

layout(location = 0) in vec3 a_position;   // mm, model space

uniform mat4 u_model_view;
uniform mat4 u_projection;
uniform vec4 u_clip_plane;                 // model space, see mesh.vert

void
main ()
{
  gl_Position = u_projection * (u_model_view * vec4 (a_position, 1.0));
  gl_ClipDistance[0] = dot (u_clip_plane, vec4 (a_position, 1.0));
}
