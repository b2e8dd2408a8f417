/* op-offscreen.c: a desktop GL 3.3 core context with no window.
 *
 * Mesa's surfaceless EGL platform needs neither an X server nor a GPU, so
 * tests, the command-line tool and exports can render on a server.  The
 * context draws into a framebuffer object of our own: multisampled when the
 * driver allows it, resolved into a single-sampled one for read-back.
 */
#include "config.h"

#include <string.h>

#include <epoxy/egl.h>
#include <epoxy/gl.h>

#include "op-offscreen.h"
#include "op-renderer.h"

#define OFFSCREEN_SAMPLES 4

struct _OpOffscreen {
  EGLDisplay display;
  EGLContext context;
  EGLSurface surface;      /* a 1x1 pbuffer when surfaceless contexts are missing */

  int        width;
  int        height;
  int        samples;      /* 0 when drawing straight into the resolve target */

  GLuint     draw_fbo;     /* what the caller draws into */
  GLuint     draw_color;
  GLuint     draw_depth;
  GLuint     resolve_fbo;  /* single-sampled copy for glReadPixels; == draw_fbo without MSAA */
  GLuint     resolve_color;

  char      *renderer_name;
};

static const char *
op__egl_error_string (EGLint code)
{
  switch (code)
    {
    case EGL_SUCCESS: return "EGL_SUCCESS";
    case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
    case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
    case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
    case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
    case EGL_BAD_CURRENT_SURFACE: return "EGL_BAD_CURRENT_SURFACE";
    case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
    case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
    case EGL_BAD_NATIVE_PIXMAP: return "EGL_BAD_NATIVE_PIXMAP";
    case EGL_BAD_NATIVE_WINDOW: return "EGL_BAD_NATIVE_WINDOW";
    case EGL_BAD_PARAMETER: return "EGL_BAD_PARAMETER";
    case EGL_BAD_SURFACE: return "EGL_BAD_SURFACE";
    case EGL_CONTEXT_LOST: return "EGL_CONTEXT_LOST";
    default: return "unknown EGL error";
    }
}

static gboolean
op__offscreen_fail (GError    **error,
                    OpRenderError code,
                    const char *what)
{
  EGLint egl_error = eglGetError ();

  g_set_error (error, OP_RENDER_ERROR, code,
               "Offscreen rendering: %s (%s, 0x%04x)",
               what, op__egl_error_string (egl_error), (guint) egl_error);
  return FALSE;
}

/* Prefers the surfaceless platform, which works with no display server at
 * all; the default display is the fallback for EGL stacks without it. */
static EGLDisplay
op__offscreen_get_display (void)
{
  EGLDisplay display = EGL_NO_DISPLAY;

  if (epoxy_has_egl_extension (EGL_NO_DISPLAY, "EGL_MESA_platform_surfaceless") &&
      epoxy_has_egl_extension (EGL_NO_DISPLAY, "EGL_EXT_platform_base"))
    {
      display = eglGetPlatformDisplayEXT (EGL_PLATFORM_SURFACELESS_MESA,
                                          EGL_DEFAULT_DISPLAY, NULL);
      if (display != EGL_NO_DISPLAY && eglInitialize (display, NULL, NULL))
        return display;
    }

  display = eglGetDisplay (EGL_DEFAULT_DISPLAY);
  if (display != EGL_NO_DISPLAY && eglInitialize (display, NULL, NULL))
    return display;

  return EGL_NO_DISPLAY;
}

static gboolean
op__offscreen_create_context (OpOffscreen *self,
                              GError     **error)
{
  gboolean surfaceless = epoxy_has_egl_extension (self->display, "EGL_KHR_surfaceless_context");
  const EGLint config_attribs[] = {
    EGL_SURFACE_TYPE, surfaceless ? 0 : EGL_PBUFFER_BIT,
    EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
    EGL_RED_SIZE, 8,
    EGL_GREEN_SIZE, 8,
    EGL_BLUE_SIZE, 8,
    EGL_NONE,
  };
  const EGLint context_attribs[] = {
    EGL_CONTEXT_MAJOR_VERSION, 3,
    EGL_CONTEXT_MINOR_VERSION, 3,
    EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
    EGL_NONE,
  };
  const EGLint pbuffer_attribs[] = { EGL_WIDTH, 1, EGL_HEIGHT, 1, EGL_NONE };
  EGLConfig config = NULL;
  EGLint n_configs = 0;

  if (!eglBindAPI (EGL_OPENGL_API))
    return op__offscreen_fail (error, OP_RENDER_ERROR_CONTEXT,
                               "the EGL display does not support desktop OpenGL");

  if (!eglChooseConfig (self->display, config_attribs, &config, 1, &n_configs) || n_configs < 1)
    return op__offscreen_fail (error, OP_RENDER_ERROR_CONTEXT,
                               "no EGL config with 8-bit RGB for desktop OpenGL");

  self->context = eglCreateContext (self->display, config, EGL_NO_CONTEXT, context_attribs);
  if (self->context == EGL_NO_CONTEXT)
    return op__offscreen_fail (error, OP_RENDER_ERROR_CONTEXT,
                               "creating an OpenGL 3.3 core context failed");

  if (!surfaceless)
    {
      self->surface = eglCreatePbufferSurface (self->display, config, pbuffer_attribs);
      if (self->surface == EGL_NO_SURFACE)
        return op__offscreen_fail (error, OP_RENDER_ERROR_CONTEXT,
                                   "creating a 1x1 pbuffer surface failed");
    }

  if (!eglMakeCurrent (self->display, self->surface, self->surface, self->context))
    return op__offscreen_fail (error, OP_RENDER_ERROR_CONTEXT,
                               "making the OpenGL context current failed");

  return TRUE;
}

static GLuint
op__offscreen_renderbuffer (int    samples,
                            GLenum format,
                            int    width,
                            int    height)
{
  GLuint rb = 0;

  glGenRenderbuffers (1, &rb);
  glBindRenderbuffer (GL_RENDERBUFFER, rb);
  if (samples > 0)
    glRenderbufferStorageMultisample (GL_RENDERBUFFER, samples, format, width, height);
  else
    glRenderbufferStorage (GL_RENDERBUFFER, format, width, height);
  glBindRenderbuffer (GL_RENDERBUFFER, 0);

  return rb;
}

static gboolean
op__offscreen_check_framebuffer (GLenum      target,
                                 const char *what,
                                 GError    **error)
{
  GLenum status = glCheckFramebufferStatus (target);

  if (status != GL_FRAMEBUFFER_COMPLETE)
    {
      g_set_error (error, OP_RENDER_ERROR, OP_RENDER_ERROR_FRAMEBUFFER,
                   "Offscreen rendering: the %s framebuffer is incomplete (status 0x%04x)",
                   what, status);
      return FALSE;
    }

  return TRUE;
}

static void
op__offscreen_delete_framebuffers (OpOffscreen *self)
{
  if (self->resolve_fbo != 0 && self->resolve_fbo != self->draw_fbo)
    glDeleteFramebuffers (1, &self->resolve_fbo);
  if (self->draw_fbo != 0)
    glDeleteFramebuffers (1, &self->draw_fbo);
  if (self->resolve_color != 0 && self->resolve_color != self->draw_color)
    glDeleteRenderbuffers (1, &self->resolve_color);
  if (self->draw_color != 0)
    glDeleteRenderbuffers (1, &self->draw_color);
  if (self->draw_depth != 0)
    glDeleteRenderbuffers (1, &self->draw_depth);

  self->draw_fbo = self->resolve_fbo = 0;
  self->draw_color = self->resolve_color = self->draw_depth = 0;
}

static gboolean
op__offscreen_create_framebuffers (OpOffscreen *self,
                                   int          samples,
                                   GError     **error)
{
  self->samples = samples;

  self->draw_color = op__offscreen_renderbuffer (samples, GL_RGBA8, self->width, self->height);
  self->draw_depth = op__offscreen_renderbuffer (samples, GL_DEPTH_COMPONENT24,
                                                 self->width, self->height);
  glGenFramebuffers (1, &self->draw_fbo);
  glBindFramebuffer (GL_FRAMEBUFFER, self->draw_fbo);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, self->draw_color);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, self->draw_depth);
  if (!op__offscreen_check_framebuffer (GL_FRAMEBUFFER, samples > 0 ? "multisampled" : "colour", error))
    return FALSE;

  if (samples == 0)
    {
      self->resolve_fbo = self->draw_fbo;
      self->resolve_color = self->draw_color;
      return TRUE;
    }

  self->resolve_color = op__offscreen_renderbuffer (0, GL_RGBA8, self->width, self->height);
  glGenFramebuffers (1, &self->resolve_fbo);
  glBindFramebuffer (GL_FRAMEBUFFER, self->resolve_fbo);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, self->resolve_color);
  if (!op__offscreen_check_framebuffer (GL_FRAMEBUFFER, "resolve", error))
    return FALSE;

  glBindFramebuffer (GL_FRAMEBUFFER, self->draw_fbo);
  return TRUE;
}

OpOffscreen *
op_offscreen_new (int      width,
                  int      height,
                  GError **error)
{
  return op_offscreen_new_with_samples (width, height, OFFSCREEN_SAMPLES, error);
}

OpOffscreen *
op_offscreen_new_with_samples (int      width,
                               int      height,
                               int      samples,
                               GError **error)
{
  g_autoptr(OpOffscreen) self = NULL;
  GLint max_samples = 0, max_size = 0;
  g_autoptr(GError) msaa_error = NULL;

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (OpOffscreen, 1);
  self->width = width;
  self->height = height;
  self->display = EGL_NO_DISPLAY;
  self->context = EGL_NO_CONTEXT;
  self->surface = EGL_NO_SURFACE;

  self->display = op__offscreen_get_display ();
  if (self->display == EGL_NO_DISPLAY)
    {
      op__offscreen_fail (error, OP_RENDER_ERROR_CONTEXT,
                          "no EGL display (neither the surfaceless Mesa platform nor the default display)");
      return NULL;
    }

  if (!op__offscreen_create_context (self, error))
    return NULL;

  if (epoxy_gl_version () < 33 || !epoxy_is_desktop_gl ())
    {
      g_set_error (error, OP_RENDER_ERROR, OP_RENDER_ERROR_CONTEXT,
                   "Offscreen rendering: the context is %s, not desktop OpenGL 3.3 or newer",
                   (const char *) glGetString (GL_VERSION));
      return NULL;
    }

  self->renderer_name = g_strdup ((const char *) glGetString (GL_RENDERER));

  glGetIntegerv (GL_MAX_RENDERBUFFER_SIZE, &max_size);
  if (width > max_size || height > max_size)
    {
      g_set_error (error, OP_RENDER_ERROR, OP_RENDER_ERROR_FRAMEBUFFER,
                   "Offscreen rendering: %d x %d is larger than the driver's limit of %d pixels",
                   width, height, max_size);
      return NULL;
    }

  /* Multisampling is a nicety: when the driver refuses it, fall back to a
   * single-sampled framebuffer rather than fail. */
  glGetIntegerv (GL_MAX_SAMPLES, &max_samples);
  if (samples <= 1 || max_samples < samples ||
      !op__offscreen_create_framebuffers (self, samples, &msaa_error))
    {
      op__offscreen_delete_framebuffers (self);
      if (!op__offscreen_create_framebuffers (self, 0, error))
        return NULL;
    }

  glViewport (0, 0, width, height);

  return g_steal_pointer (&self);
}

void
op_offscreen_free (OpOffscreen *self)
{
  if (self == NULL)
    return;

  if (self->context != EGL_NO_CONTEXT)
    {
      if (eglMakeCurrent (self->display, self->surface, self->surface, self->context))
        op__offscreen_delete_framebuffers (self);
      eglMakeCurrent (self->display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
      eglDestroyContext (self->display, self->context);
    }
  if (self->surface != EGL_NO_SURFACE)
    eglDestroySurface (self->display, self->surface);

  /* The display is deliberately not terminated: EGL hands every caller
   * in the process the same display, so terminating it here would pull
   * the rug from under any other OpOffscreen still alive. */

  g_free (self->renderer_name);
  g_free (self);
}

gboolean
op_offscreen_make_current (OpOffscreen *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!eglMakeCurrent (self->display, self->surface, self->surface, self->context))
    return FALSE;

  glBindFramebuffer (GL_FRAMEBUFFER, self->draw_fbo);
  glViewport (0, 0, self->width, self->height);
  return TRUE;
}

int
op_offscreen_get_width (OpOffscreen *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->width;
}

int
op_offscreen_get_height (OpOffscreen *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->height;
}

int
op_offscreen_get_samples (OpOffscreen *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->samples;
}

guint8 *
op_offscreen_read_pixels (OpOffscreen *self)
{
  gsize stride;
  guint8 *pixels;
  g_autofree guint8 *row = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (!op_offscreen_make_current (self))
    return NULL;

  if (self->samples > 0)
    {
      glBindFramebuffer (GL_READ_FRAMEBUFFER, self->draw_fbo);
      glBindFramebuffer (GL_DRAW_FRAMEBUFFER, self->resolve_fbo);
      glBlitFramebuffer (0, 0, self->width, self->height,
                         0, 0, self->width, self->height,
                         GL_COLOR_BUFFER_BIT, GL_NEAREST);
    }

  stride = (gsize) self->width * 4;
  pixels = g_malloc (stride * (gsize) self->height);
  row = g_malloc (stride);

  glBindFramebuffer (GL_READ_FRAMEBUFFER, self->resolve_fbo);
  glPixelStorei (GL_PACK_ALIGNMENT, 1);
  glReadPixels (0, 0, self->width, self->height, GL_RGBA, GL_UNSIGNED_BYTE, pixels);

  /* GL's first row is the bottom one; pictures start at the top. */
  for (int y = 0; y < self->height / 2; y++)
    {
      guint8 *a = pixels + (gsize) y * stride;
      guint8 *b = pixels + (gsize) (self->height - 1 - y) * stride;

      memcpy (row, a, stride);
      memcpy (a, b, stride);
      memcpy (b, row, stride);
    }

  glBindFramebuffer (GL_FRAMEBUFFER, self->draw_fbo);
  return pixels;
}

const char *
op_offscreen_get_renderer_name (OpOffscreen *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->renderer_name;
}
