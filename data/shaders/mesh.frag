#version 330 core
// Mesh fragment stage: enamel, gingiva, vertex colours and labels under a
// small studio rig of lights fixed to the camera.
//
// Light is computed in linear RGB and encoded to sRGB at the end, because
// the framebuffers we draw into (GtkGLArea's, OpOffscreen's) are plain
// RGBA8 without GL_FRAMEBUFFER_SRGB.

in vec3  v_position;
in vec3  v_normal;
in vec4  v_color;
in float v_tooth;

uniform int  u_material;      // OpMaterial: 0 enamel, 1 gingiva, 2 vertex colour, 3 labels,
                              // 4 the mesh's colour, 5 ghost
uniform vec4 u_color;         // sRGB, straight alpha: materials 4 and 5
uniform bool u_has_normals;   // otherwise facet normals from screen derivatives

out vec4 frag_color;

struct Surface {
  vec3  albedo;      // linear
  vec3  subsurface;  // tint of light that wraps past the terminator
  float wrap;        // 0 = Lambert, larger = softer, more translucent-looking
  float specular;    // strength of the Blinn-Phong lobe
  float shininess;
  float rim;         // Fresnel-like brightening at grazing angles
};

vec3
srgb_to_linear (vec3 c)
{
  return mix (c / 12.92, pow ((c + 0.055) / 1.055, vec3 (2.4)), step (0.04045, c));
}

vec3
linear_to_srgb (vec3 c)
{
  c = clamp (c, 0.0, 1.0);
  return mix (c * 12.92, 1.055 * pow (c, vec3 (1.0 / 2.4)) - 0.055, step (0.0031308, c));
}

// Enamel: warm off-white, glossy, with light bleeding through its edges.
Surface
enamel ()
{
  return Surface (srgb_to_linear (vec3 (0.93, 0.90, 0.82)),
                  srgb_to_linear (vec3 (0.95, 0.80, 0.62)),
                  0.35, 0.60, 90.0, 0.22);
}

// Gingiva: pink, matte, with a red subsurface glow.
Surface
gingiva ()
{
  return Surface (srgb_to_linear (vec3 (0.82, 0.42, 0.45)),
                  srgb_to_linear (vec3 (0.80, 0.20, 0.22)),
                  0.55, 0.10, 14.0, 0.10);
}

Surface
painted (vec3 srgb)
{
  return Surface (srgb_to_linear (srgb), srgb_to_linear (srgb) * 0.8,
                  0.25, 0.20, 32.0, 0.10);
}

Surface
blend (Surface a, Surface b, float t)
{
  return Surface (mix (a.albedo, b.albedo, t), mix (a.subsurface, b.subsurface, t),
                  mix (a.wrap, b.wrap, t), mix (a.specular, b.specular, t),
                  mix (a.shininess, b.shininess, t), mix (a.rim, b.rim, t));
}

Surface
surface ()
{
  if (u_material == 0)
    return enamel ();
  if (u_material == 1)
    return gingiva ();
  if (u_material == 2)
    return painted (v_color.rgb);
  if (u_material == 4 || u_material == 5)
    return painted (u_color.rgb);

  // Labels: a boundary one pixel wide, antialiased.
  float w = max (fwidth (v_tooth), 1e-4);
  return blend (gingiva (), enamel (), smoothstep (0.5 - w, 0.5 + w, v_tooth));
}

// One light: wrapped diffuse, the subsurface tint where the wrap reaches
// past plain Lambert, and an energy-normalised Blinn-Phong highlight.
vec3
shade (Surface s, vec3 n, vec3 v, vec3 l, vec3 radiance)
{
  float ndl = dot (n, l);
  float lambert = max (ndl, 0.0);
  float wrapped = max ((ndl + s.wrap) / (1.0 + s.wrap), 0.0);
  vec3 h = normalize (l + v);
  float norm = (s.shininess + 8.0) / 25.1327;   // (n + 8) / 8 pi
  float spec = s.specular * norm * pow (max (dot (n, h), 0.0), s.shininess) * lambert;

  vec3 diffuse = s.albedo * wrapped + s.subsurface * (wrapped - lambert) * 0.6;
  return radiance * (diffuse + vec3 (spec) * 0.5);
}

void
main ()
{
  vec3 n;
  vec3 v = normalize (-v_position);

  if (u_has_normals)
    n = normalize (v_normal);
  else
    n = normalize (cross (dFdx (v_position), dFdy (v_position)));

  // Scans are open surfaces: the inside of a shell is lit as if it faced
  // the camera.  Facet normals from derivatives already face the camera.
  if (u_has_normals && !gl_FrontFacing)
    n = -n;

  Surface s = surface ();

  // Key light high on the left, fill low on the right, a top light that
  // separates occlusal surfaces; all fixed to the camera.
  vec3 color = vec3 (0.0);
  color += shade (s, n, v, normalize (vec3 (-0.45, 0.55, 0.70)), vec3 (1.00, 0.97, 0.92) * 0.85);
  color += shade (s, n, v, normalize (vec3 ( 0.60, -0.15, 0.78)), vec3 (0.88, 0.92, 1.00) * 0.35);
  color += shade (s, n, v, normalize (vec3 ( 0.05, 0.95, -0.30)), vec3 (1.00, 1.00, 1.00) * 0.20);

  // Hemisphere ambient: a cool sky above, a warm floor below.
  float up = 0.5 + 0.5 * n.y;
  vec3 ambient = mix (vec3 (0.16, 0.13, 0.12), vec3 (0.26, 0.28, 0.32), up);
  color += ambient * s.albedo;

  // Rim: grazing angles brighten slightly, which reads as translucency on
  // enamel and keeps silhouettes visible against the background.
  float fresnel = pow (1.0 - clamp (dot (n, v), 0.0, 1.0), 4.0);
  color += s.rim * fresnel * mix (s.subsurface, vec3 (1.0), 0.5);

  // A soft shoulder instead of a hard clip keeps highlights from banding.
  color = color / (1.0 + 0.12 * color);

  if (u_material == 5)
    {
      // A ghost reads as a silhouette: nearly clear where the surface
      // faces the camera, denser towards its outline, so that the solid
      // teeth under it stay legible while its shape is still plain.
      float edge = pow (1.0 - clamp (abs (dot (n, v)), 0.0, 1.0), 2.0);
      float alpha = clamp (u_color.a * (0.45 + 1.6 * edge), 0.0, 1.0);
      frag_color = vec4 (linear_to_srgb (mix (color, srgb_to_linear (u_color.rgb), 0.5)), alpha);
      return;
    }

  frag_color = vec4 (linear_to_srgb (color), 1.0);
}
