#version 330 core
// One triangle that covers the whole viewport, made from gl_VertexID alone
// so that it needs no vertex buffer.

out float v_height;   // 0 at the bottom of the viewport, 1 at the top

void
main ()
{
  vec2 p = vec2 (gl_VertexID == 1 ? 3.0 : -1.0, gl_VertexID == 2 ? 3.0 : -1.0);

  v_height = 0.5 * (p.y + 1.0);
  gl_Position = vec4 (p, 1.0, 1.0);
}
