/* op-mesh-write.c: writing meshes as binary STL, binary PLY and glTF binary.
 *
 * All three writers are our own: Assimp's exporter cannot write custom PLY
 * properties (the labels), and writing byte by byte keeps the output
 * deterministic.  Every file goes to a temporary name in the target folder
 * first and is renamed over the target only when complete, so a failure
 * never leaves a half-written file where the person expects a good one.
 */
#include "op-mesh-io-private.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

typedef struct {
  FILE       *fp;
  char       *tmp_path;
  const char *path;
  const char *display;
  int         saved_errno;
} OpWriter;

static gboolean
writer_open (OpWriter   *w,
             const char *path,
             const char *display,
             GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  int fd;

  memset (w, 0, sizeof *w);
  w->path = path;
  w->display = display;
  /* Same folder as the target, so g_rename is an atomic replace on the
   * same file system; hidden so a file manager does not show it. */
  w->tmp_path = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  fd = g_mkstemp_full (w->tmp_path, O_WRONLY, 0666);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_WRITE,
                   "%s: could not create the file in %s (%s)", display, dir, g_strerror (errsv));
      g_clear_pointer (&w->tmp_path, g_free);
      return FALSE;
    }
  w->fp = fdopen (fd, "wb");
  if (w->fp == NULL)
    {
      int errsv = errno;

      close (fd);
      g_unlink (w->tmp_path);
      g_clear_pointer (&w->tmp_path, g_free);
      g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_WRITE,
                   "%s: could not write the file (%s)", display, g_strerror (errsv));
      return FALSE;
    }
  setvbuf (w->fp, NULL, _IOFBF, 1 << 20);
  return TRUE;
}

static void
writer_write (OpWriter   *w,
              const void *data,
              gsize       size)
{
  if (w->saved_errno == 0 && size > 0 && fwrite (data, 1, size, w->fp) != size)
    w->saved_errno = errno ? errno : EIO;
}

/* Finishes the file and renames it over the target, or removes the
 * temporary file and reports why. */
static gboolean
writer_commit (OpWriter *w,
               GError  **error)
{
  int errsv = w->saved_errno;

  if (errsv == 0 && fflush (w->fp) != 0)
    errsv = errno;
  if (errsv == 0 && fsync (fileno (w->fp)) != 0)
    errsv = errno;
  if (fclose (w->fp) != 0 && errsv == 0)
    errsv = errno;
  w->fp = NULL;

  if (errsv == 0 && g_rename (w->tmp_path, w->path) != 0)
    {
      errsv = errno;
      g_unlink (w->tmp_path);
      g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_WRITE,
                   "%s: could not replace the file (%s)", w->display, g_strerror (errsv));
      g_clear_pointer (&w->tmp_path, g_free);
      return FALSE;
    }
  if (errsv != 0)
    {
      g_unlink (w->tmp_path);
      g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_WRITE,
                   "%s: could not write the file (%s)", w->display, g_strerror (errsv));
      g_clear_pointer (&w->tmp_path, g_free);
      return FALSE;
    }
  g_clear_pointer (&w->tmp_path, g_free);
  return TRUE;
}

static inline void
put_u16 (guint8 *p, guint16 v)
{
  v = GUINT16_TO_LE (v);
  memcpy (p, &v, 2);
}

static inline void
put_u32 (guint8 *p, guint32 v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, 4);
}

static inline void
put_f32 (guint8 *p, float f)
{
  guint32 v;

  memcpy (&v, &f, 4);
  put_u32 (p, v);
}

/* STL --------------------------------------------------------------------------- */

static void
write_stl (OpWriter     *w,
           const OpMesh *mesh)
{
  guint8 header[84] = { 0 };
  /* Not "solid ...": a binary header that starts like ASCII STL confuses
   * readers that look only at the first word. */
  static const char title[] = "Orthoplan binary STL, millimetres";

  memcpy (header, title, sizeof title - 1);
  put_u32 (header + 80, (guint32) mesh->n_triangles);
  writer_write (w, header, sizeof header);

  for (gsize t = 0; t < mesh->n_triangles; t++)
    {
      const guint32 *tri = &mesh->indices[3 * t];
      const float *v[3] = {
        &mesh->positions[3 * tri[0]], &mesh->positions[3 * tri[1]], &mesh->positions[3 * tri[2]],
      };
      guint8 rec[50];
      double e1[3], e2[3], n[3], len;

      for (int k = 0; k < 3; k++)
        {
          e1[k] = (double) v[1][k] - v[0][k];
          e2[k] = (double) v[2][k] - v[0][k];
        }
      n[0] = e1[1] * e2[2] - e1[2] * e2[1];
      n[1] = e1[2] * e2[0] - e1[0] * e2[2];
      n[2] = e1[0] * e2[1] - e1[1] * e2[0];
      len = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      for (int k = 0; k < 3; k++)
        put_f32 (rec + 4 * k, len > 0 ? (float) (n[k] / len) : 0.f);
      for (int c = 0; c < 3; c++)
        for (int k = 0; k < 3; k++)
          put_f32 (rec + 12 + 12 * c + 4 * k, v[c][k]);
      put_u16 (rec + 48, 0);
      writer_write (w, rec, sizeof rec);
    }
}

/* PLY --------------------------------------------------------------------------- */

static void
write_ply (OpWriter     *w,
           const OpMesh *mesh)
{
  g_autoptr(GString) header = g_string_new (NULL);
  gsize stride = 12 + (mesh->normals ? 12 : 0) + (mesh->colors ? 4 : 0) + (mesh->labels ? 4 : 0);
  g_autofree guint8 *buf = g_malloc (MAX (stride, 13) * 4096);
  gsize fill = 0;

  g_string_append (header, "ply\nformat binary_little_endian 1.0\ncomment Orthoplan, millimetres\n");
  g_string_append_printf (header, "element vertex %" G_GSIZE_FORMAT "\n", mesh->n_vertices);
  g_string_append (header, "property float x\nproperty float y\nproperty float z\n");
  if (mesh->normals)
    g_string_append (header, "property float nx\nproperty float ny\nproperty float nz\n");
  if (mesh->colors)
    g_string_append (header, "property uchar red\nproperty uchar green\n"
                             "property uchar blue\nproperty uchar alpha\n");
  if (mesh->labels)
    g_string_append (header, "property int label\n");
  g_string_append_printf (header, "element face %" G_GSIZE_FORMAT "\n", mesh->n_triangles);
  g_string_append (header, "property list uchar int vertex_indices\nend_header\n");
  writer_write (w, header->str, header->len);

  for (gsize i = 0; i < mesh->n_vertices; i++)
    {
      guint8 *p = buf + fill;

      for (int k = 0; k < 3; k++, p += 4)
        put_f32 (p, mesh->positions[3 * i + k]);
      if (mesh->normals)
        for (int k = 0; k < 3; k++, p += 4)
          put_f32 (p, mesh->normals[3 * i + k]);
      if (mesh->colors)
        {
          memcpy (p, &mesh->colors[4 * i], 4);
          p += 4;
        }
      if (mesh->labels)
        put_u32 (p, (guint32) mesh->labels[i]);
      fill += stride;
      if (fill + stride > MAX (stride, 13) * 4096)
        {
          writer_write (w, buf, fill);
          fill = 0;
        }
    }
  writer_write (w, buf, fill);
  fill = 0;

  for (gsize t = 0; t < mesh->n_triangles; t++)
    {
      guint8 *p = buf + fill;

      p[0] = 3;
      for (int k = 0; k < 3; k++)
        put_u32 (p + 1 + 4 * k, mesh->indices[3 * t + k]);
      fill += 13;
      if (fill + 13 > MAX (stride, 13) * 4096)
        {
          writer_write (w, buf, fill);
          fill = 0;
        }
    }
  writer_write (w, buf, fill);
}

/* glTF binary ---------------------------------------------------------------- */

enum {
  GL_UNSIGNED_BYTE = 5121,
  GL_UNSIGNED_INT = 5125,
  GL_FLOAT = 5126,
  GL_ARRAY_BUFFER = 34962,
  GL_ELEMENT_ARRAY_BUFFER = 34963,
};

static void
add_buffer_view (JsonBuilder *b,
                 gsize        offset,
                 gsize        length,
                 int          target)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "buffer");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "byteOffset");
  json_builder_add_int_value (b, (gint64) offset);
  json_builder_set_member_name (b, "byteLength");
  json_builder_add_int_value (b, (gint64) length);
  json_builder_set_member_name (b, "target");
  json_builder_add_int_value (b, target);
  json_builder_end_object (b);
}

static void
add_accessor (JsonBuilder *b,
              int          view,
              int          component_type,
              gboolean     normalized,
              gsize        count,
              const char  *type,
              const float *min,
              const float *max)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bufferView");
  json_builder_add_int_value (b, view);
  json_builder_set_member_name (b, "componentType");
  json_builder_add_int_value (b, component_type);
  if (normalized)
    {
      json_builder_set_member_name (b, "normalized");
      json_builder_add_boolean_value (b, TRUE);
    }
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, (gint64) count);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  if (min && max)
    {
      /* glTF requires POSITION bounds, and checks them exactly against the
       * float data, so they are the float values themselves. */
      json_builder_set_member_name (b, "min");
      json_builder_begin_array (b);
      for (int k = 0; k < 3; k++)
        json_builder_add_double_value (b, (double) min[k]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "max");
      json_builder_begin_array (b);
      for (int k = 0; k < 3; k++)
        json_builder_add_double_value (b, (double) max[k]);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

static void
write_glb (OpWriter     *w,
           const OpMesh *mesh)
{
  g_autoptr(OpMesh) with_normals = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  const float *normals = mesh->normals;
  gsize nv = mesh->n_vertices, nt = mesh->n_triangles;
  gsize pos_len = 12 * nv, nrm_len = 12 * nv, col_len = mesh->colors ? 4 * nv : 0;
  gsize idx_len = 12 * nt, bin_len = pos_len + nrm_len + col_len + idx_len;
  gsize json_len, json_padded;
  float min[3] = { 0, 0, 0 }, max[3] = { 0, 0, 0 };
  int view = 0, accessor = 0;
  guint8 head[20];
  static const guint8 spaces[4] = { ' ', ' ', ' ', ' ' };

  /* Viewers light the surface with NORMAL; a mesh without normals gets
   * smooth ones computed on a copy, since the caller's mesh is const. */
  if (normals == NULL)
    {
      with_normals = op_mesh_copy (mesh);
      op_mesh_compute_normals (with_normals);
      normals = with_normals->normals;
    }

  for (gsize i = 0; i < nv; i++)
    for (int k = 0; k < 3; k++)
      {
        float v = mesh->positions[3 * i + k];

        if (i == 0 || v < min[k])
          min[k] = v;
        if (i == 0 || v > max[k])
          max[k] = v;
      }

  /* Positions stay in millimetres, as everywhere in Orthoplan, rather than
   * the metres glTF suggests: a scale here would make a save and load
   * round trip lossy, and every consumer of our files expects mm. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "asset");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, "2.0");
  json_builder_set_member_name (b, "generator");
  json_builder_add_string_value (b, "Orthoplan");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "scene");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "scenes");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "nodes");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, 0);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "nodes");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mesh");
  json_builder_add_int_value (b, 0);
  json_builder_end_object (b);
  json_builder_end_array (b);

  json_builder_set_member_name (b, "meshes");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "primitives");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "attributes");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "POSITION");
  json_builder_add_int_value (b, accessor++);
  json_builder_set_member_name (b, "NORMAL");
  json_builder_add_int_value (b, accessor++);
  if (mesh->colors)
    {
      json_builder_set_member_name (b, "COLOR_0");
      json_builder_add_int_value (b, accessor++);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "indices");
  json_builder_add_int_value (b, accessor++);
  json_builder_set_member_name (b, "mode");
  json_builder_add_int_value (b, 4);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_array (b);

  json_builder_set_member_name (b, "buffers");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "byteLength");
  json_builder_add_int_value (b, (gint64) bin_len);
  json_builder_end_object (b);
  json_builder_end_array (b);

  json_builder_set_member_name (b, "bufferViews");
  json_builder_begin_array (b);
  add_buffer_view (b, 0, pos_len, GL_ARRAY_BUFFER);
  add_buffer_view (b, pos_len, nrm_len, GL_ARRAY_BUFFER);
  if (mesh->colors)
    add_buffer_view (b, pos_len + nrm_len, col_len, GL_ARRAY_BUFFER);
  add_buffer_view (b, pos_len + nrm_len + col_len, idx_len, GL_ELEMENT_ARRAY_BUFFER);
  json_builder_end_array (b);

  json_builder_set_member_name (b, "accessors");
  json_builder_begin_array (b);
  add_accessor (b, view++, GL_FLOAT, FALSE, nv, "VEC3", min, max);
  add_accessor (b, view++, GL_FLOAT, FALSE, nv, "VEC3", NULL, NULL);
  if (mesh->colors)
    add_accessor (b, view++, GL_UNSIGNED_BYTE, TRUE, nv, "VEC4", NULL, NULL);
  add_accessor (b, view++, GL_UNSIGNED_INT, FALSE, 3 * nt, "SCALAR", NULL, NULL);
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, &json_len);
  json_padded = (json_len + 3) & ~(gsize) 3;

  /* Header, then the JSON chunk padded with spaces and the BIN chunk; every
   * section above is a multiple of 4 bytes long, so BIN needs no padding. */
  memcpy (head, "glTF", 4);
  put_u32 (head + 4, 2);
  put_u32 (head + 8, (guint32) (12 + 8 + json_padded + 8 + bin_len));
  put_u32 (head + 12, (guint32) json_padded);
  memcpy (head + 16, "JSON", 4);
  writer_write (w, head, 20);
  writer_write (w, json, json_len);
  writer_write (w, spaces, json_padded - json_len);
  put_u32 (head, (guint32) bin_len);
  memcpy (head + 4, "BIN\0", 4);
  writer_write (w, head, 8);

  if (G_BYTE_ORDER == G_LITTLE_ENDIAN)
    {
      writer_write (w, mesh->positions, pos_len);
      writer_write (w, normals, nrm_len);
      writer_write (w, mesh->colors, col_len);
      writer_write (w, mesh->indices, idx_len);
    }
  else
    {
      guint8 q[4];

      for (gsize i = 0; i < 3 * nv; i++)
        {
          put_f32 (q, mesh->positions[i]);
          writer_write (w, q, 4);
        }
      for (gsize i = 0; i < 3 * nv; i++)
        {
          put_f32 (q, normals[i]);
          writer_write (w, q, 4);
        }
      writer_write (w, mesh->colors, col_len);
      for (gsize i = 0; i < 3 * nt; i++)
        {
          put_u32 (q, mesh->indices[i]);
          writer_write (w, q, 4);
        }
    }
}

gboolean
op_mesh_save (const OpMesh  *mesh,
              const char    *path,
              OpMeshFormat   format,
              GError       **error)
{
  g_autofree char *display = NULL;
  OpWriter w;

  g_return_val_if_fail (mesh != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  display = g_path_get_basename (path);
  if (format != OP_MESH_FORMAT_STL && format != OP_MESH_FORMAT_PLY &&
      format != OP_MESH_FORMAT_GLB)
    {
      g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_WRITE,
                   "%s: Orthoplan cannot write %s files; save as STL, PLY or GLB",
                   display, op_mesh_format_to_string (format));
      return FALSE;
    }
  if (mesh->n_triangles > G_MAXUINT32 / 3 || mesh->n_vertices > G_MAXUINT32)
    {
      g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_TOO_LARGE,
                   "%s: the mesh is too large to write", display);
      return FALSE;
    }

  if (!writer_open (&w, path, display, error))
    return FALSE;
  switch (format)
    {
    case OP_MESH_FORMAT_STL:
      write_stl (&w, mesh);
      break;
    case OP_MESH_FORMAT_PLY:
      write_ply (&w, mesh);
      break;
    case OP_MESH_FORMAT_GLB:
      write_glb (&w, mesh);
      break;
    case OP_MESH_FORMAT_OBJ:
    case OP_MESH_FORMAT_UNKNOWN:
    default:
      g_assert_not_reached ();
    }
  return writer_commit (&w, error);
}
