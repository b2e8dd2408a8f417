/* op-gl-program.c: compiling and linking GLSL from resources.
 *
 * The shaders live in the render library's GResource rather than in C
 * strings so that they can be read, diffed and linted as GLSL. */
#include "config.h"

#include "op-gl-program.h"
#include "op-render-resources.h"
#include "op-renderer.h"

#define SHADER_PREFIX "/org/orthoplan/render/shaders/"

static char *
op__gl_info_log (GLuint   object,
                 gboolean is_program)
{
  GLint length = 0;
  char *log;

  if (is_program)
    glGetProgramiv (object, GL_INFO_LOG_LENGTH, &length);
  else
    glGetShaderiv (object, GL_INFO_LOG_LENGTH, &length);

  if (length <= 1)
    return g_strdup ("(the driver gave no log)");

  log = g_malloc0 ((gsize) length + 1);
  if (is_program)
    glGetProgramInfoLog (object, length, NULL, log);
  else
    glGetShaderInfoLog (object, length, NULL, log);

  return g_strchomp (log);
}

static GLuint
op__gl_compile (GLenum       type,
                const char  *name,
                const char  *source,
                GError     **error)
{
  GLuint shader = glCreateShader (type);
  GLint ok = GL_FALSE;

  glShaderSource (shader, 1, &source, NULL);
  glCompileShader (shader);
  glGetShaderiv (shader, GL_COMPILE_STATUS, &ok);

  if (!ok)
    {
      g_autofree char *log = op__gl_info_log (shader, FALSE);

      g_set_error (error, OP_RENDER_ERROR, OP_RENDER_ERROR_SHADER,
                   "Compiling the shader %s failed: %s", name, log);
      glDeleteShader (shader);
      return 0;
    }

  return shader;
}

GLuint
op__gl_program_new_from_source (const char  *vertex_name,
                                const char  *vertex_source,
                                const char  *fragment_name,
                                const char  *fragment_source,
                                GError     **error)
{
  GLuint vs, fs, program;
  GLint ok = GL_FALSE;

  g_return_val_if_fail (vertex_source != NULL && fragment_source != NULL, 0);

  vs = op__gl_compile (GL_VERTEX_SHADER, vertex_name, vertex_source, error);
  if (vs == 0)
    return 0;

  fs = op__gl_compile (GL_FRAGMENT_SHADER, fragment_name, fragment_source, error);
  if (fs == 0)
    {
      glDeleteShader (vs);
      return 0;
    }

  program = glCreateProgram ();
  glAttachShader (program, vs);
  glAttachShader (program, fs);
  glLinkProgram (program);

  /* The program keeps the compiled stages alive for as long as it needs
   * them; flagging them for deletion now leaves nothing to clean up. */
  glDetachShader (program, vs);
  glDetachShader (program, fs);
  glDeleteShader (vs);
  glDeleteShader (fs);

  glGetProgramiv (program, GL_LINK_STATUS, &ok);
  if (!ok)
    {
      g_autofree char *log = op__gl_info_log (program, TRUE);

      g_set_error (error, OP_RENDER_ERROR, OP_RENDER_ERROR_SHADER,
                   "Linking the shaders %s and %s failed: %s",
                   vertex_name, fragment_name, log);
      glDeleteProgram (program);
      return 0;
    }

  return program;
}

static GBytes *
op__gl_lookup (const char  *path,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GBytes *bytes;

  bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &local_error);
  if (bytes == NULL)
    g_set_error (error, OP_RENDER_ERROR, OP_RENDER_ERROR_SHADER,
                 "The shader %s is missing from the resources: %s",
                 path, local_error->message);

  return bytes;
}

GLuint
op__gl_program_new_from_resource (const char  *name,
                                  GError     **error)
{
  g_autofree char *vs_path = g_strconcat (SHADER_PREFIX, name, ".vert", NULL);
  g_autofree char *fs_path = g_strconcat (SHADER_PREFIX, name, ".frag", NULL);
  g_autoptr(GBytes) vs = NULL;
  g_autoptr(GBytes) fs = NULL;

  /* The resource bundle registers itself from a constructor, but a static
   * library only links in the object files something refers to: naming
   * the bundle here guarantees it is linked, and so registered. */
  (void) op_render_get_resource ();

  vs = op__gl_lookup (vs_path, error);
  if (vs == NULL)
    return 0;
  fs = op__gl_lookup (fs_path, error);
  if (fs == NULL)
    return 0;

  /* GResource data is always followed by a NUL byte, so the bytes can be
   * handed to GL as C strings. */
  return op__gl_program_new_from_source (vs_path, g_bytes_get_data (vs, NULL),
                                         fs_path, g_bytes_get_data (fs, NULL),
                                         error);
}
