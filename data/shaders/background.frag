#version 330 core
// A soft vertical gradient, in sRGB, with a tiny ordered dither so that the
// 8-bit framebuffer shows no bands.  The dither depends on the pixel
// position only, so pictures stay deterministic.

in float v_height;

uniform vec3 u_top;      // sRGB
uniform vec3 u_bottom;   // sRGB

out vec4 frag_color;

void
main ()
{
  float t = smoothstep (0.0, 1.0, clamp (v_height, 0.0, 1.0));
  vec3 color = mix (u_bottom, u_top, t);
  float noise = fract (52.9829189 * fract (dot (floor (gl_FragCoord.xy), vec2 (0.06711056, 0.00583715))));

  frag_color = vec4 (color + (noise - 0.5) / 255.0, 1.0);
}
