/* op-gl-program.h: GLSL programs built from shader resources (internal).
 *
 * Compile and link failures become OP_RENDER_ERROR_SHADER errors that carry
 * the driver's info log, so a broken shader says what is wrong with it. */
#pragma once

#include <epoxy/gl.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* Builds a program from two GLSL sources.  @vertex_name and @fragment_name
 * only label error messages.  Returns 0 and sets @error on failure.  Needs a
 * current context. */
GLuint op__gl_program_new_from_source (const char  *vertex_name,
                                       const char  *vertex_source,
                                       const char  *fragment_name,
                                       const char  *fragment_source,
                                       GError     **error);

/* Builds a program from shaders in the render library's resources, e.g.
 * "mesh" loads /org/orthoplan/render/shaders/mesh.vert and mesh.frag. */
GLuint op__gl_program_new_from_resource (const char  *name,
                                         GError     **error);

G_END_DECLS
