/* op-mesh-io.c: format detection, import through Assimp, and the weld.
 *
 * The import path is: map the file (or read it, when it is not a regular
 * file), check what can be checked cheaply before parsing (sizes,
 * declared counts, index ranges for OBJ), let Assimp parse with no
 * post-processing beyond triangulation, weld positions with meshoptimizer,
 * then compute smooth normals and the bounding box.  PLY files that carry
 * per-vertex labels take our own reader instead (see op-mesh-ply.c).
 */
#include "op-mesh-io-private.h"

#include <assimp/cimport.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (op-mesh-io-error-quark, op_mesh_io_error)

/* We hand Assimp's vertex arrays straight to meshoptimizer as packed float
 * triples, which only holds when Assimp was built with single precision. */
G_STATIC_ASSERT (sizeof (struct aiVector3D) == 3 * sizeof (float));

static void
set_error (GError       **error,
           OpMeshIOError  code,
           const char    *display,
           const char    *format,
           ...) G_GNUC_PRINTF (4, 5);

static void
set_error (GError       **error,
           OpMeshIOError  code,
           const char    *display,
           const char    *format,
           ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, OP_MESH_IO_ERROR, code, "%s: %s", display, what);
}

static gboolean
check_cancelled (GCancellable *cancellable,
                 const char   *display,
                 GError      **error)
{
  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    {
      set_error (error, OP_MESH_IO_ERROR_CANCELLED, display, "the import was cancelled");
      return TRUE;
    }
  return FALSE;
}

/* Formats ------------------------------------------------------------------ */

const char *
op_mesh_format_to_string (OpMeshFormat format)
{
  switch (format)
    {
    case OP_MESH_FORMAT_STL:
      return "stl";
    case OP_MESH_FORMAT_PLY:
      return "ply";
    case OP_MESH_FORMAT_OBJ:
      return "obj";
    case OP_MESH_FORMAT_GLB:
      return "glb";
    case OP_MESH_FORMAT_UNKNOWN:
    default:
      return "unknown";
    }
}

OpMeshFormat
op_mesh_format_from_string (const char *str)
{
  static const OpMeshFormat all[] = {
    OP_MESH_FORMAT_STL, OP_MESH_FORMAT_PLY, OP_MESH_FORMAT_OBJ, OP_MESH_FORMAT_GLB,
  };

  if (str == NULL)
    return OP_MESH_FORMAT_UNKNOWN;
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (g_ascii_strcasecmp (str, op_mesh_format_to_string (all[i])) == 0)
      return all[i];
  return OP_MESH_FORMAT_UNKNOWN;
}

static OpMeshFormat
format_from_extension (const char *name)
{
  const char *slash, *dot;

  if (name == NULL)
    return OP_MESH_FORMAT_UNKNOWN;
  slash = strrchr (name, '/');
  dot = strrchr (slash ? slash : name, '.');
  if (dot == NULL)
    return OP_MESH_FORMAT_UNKNOWN;
  return op_mesh_format_from_string (dot + 1);
}

static gboolean
starts_with_solid (const guint8 *data,
                   gsize         size)
{
  gsize i = 0;

  while (i < size && g_ascii_isspace (data[i]))
    i++;
  return size - i >= 5 && g_ascii_strncasecmp ((const char *) data + i, "solid", 5) == 0;
}

static gboolean
has_nul (const guint8 *data,
         gsize         size)
{
  return memchr (data, 0, size) != NULL;
}

static gboolean
is_binary_stl_size (const guint8 *data,
                    gsize         size)
{
  guint32 n;

  if (size < 84)
    return FALSE;
  memcpy (&n, data + 80, 4);
  return 84 + 50 * (guint64) GUINT32_FROM_LE (n) == size;
}

static gboolean
looks_like_obj (const guint8 *data,
                gsize         size)
{
  gsize n = MIN (size, 4096);
  gboolean line_start = TRUE;

  if (has_nul (data, n))
    return FALSE;
  /* Any "v " line near the start, in a file with no NUL bytes, is as much
   * as OBJ promises; comments and object names may come first. */
  for (gsize i = 0; i + 1 < n; i++)
    {
      if (line_start && data[i] == 'v' && (data[i + 1] == ' ' || data[i + 1] == '\t'))
        return TRUE;
      line_start = data[i] == '\n';
    }
  return FALSE;
}

OpMeshFormat
op_mesh_format_detect (const char   *name,
                       const guint8 *data,
                       gsize         size)
{
  OpMeshFormat format = format_from_extension (name);

  if (format != OP_MESH_FORMAT_UNKNOWN || data == NULL)
    return format;

  if (size >= 12 && memcmp (data, "glTF", 4) == 0)
    return OP_MESH_FORMAT_GLB;
  if (size >= 4 && memcmp (data, "ply", 3) == 0 && (data[3] == '\n' || data[3] == '\r'))
    return OP_MESH_FORMAT_PLY;
  if (is_binary_stl_size (data, size))
    return OP_MESH_FORMAT_STL;
  if (starts_with_solid (data, size) && !has_nul (data, MIN (size, 4096)))
    return OP_MESH_FORMAT_STL;
  if (looks_like_obj (data, size))
    return OP_MESH_FORMAT_OBJ;
  return OP_MESH_FORMAT_UNKNOWN;
}

/* Checks before parsing ------------------------------------------------------ */

/* Counts occurrences of @word at the start of a token; used to count the
 * facets of an ASCII STL before parsing, so the size limit applies to it
 * as well as to binary files. */
static gsize
count_words (const guint8 *data,
             gsize         size,
             const char   *word)
{
  gsize len = strlen (word), count = 0;
  const guint8 *p = data, *end = data + size;

  while (p + len <= end)
    {
      const guint8 *hit = memchr (p, word[0], (gsize) (end - p));

      if (hit == NULL || hit + len > end)
        break;
      if (memcmp (hit, word, len) == 0 && (hit == data || g_ascii_isspace (hit[-1])))
        count++;
      p = hit + 1;
    }
  return count;
}

static gboolean
check_stl (const guint8 *data,
           gsize         size,
           const char   *display,
           gsize         max_triangles,
           gboolean     *out_binary,
           GError      **error)
{
  gboolean solid = starts_with_solid (data, size);
  gsize facets;

  /* A binary STL's 80-byte header may itself begin with "solid" (many
   * exporters do that), so the size equation decides first.  A file that
   * starts with "solid" but holds NUL bytes is a damaged binary file, not
   * text: real ASCII STL never contains NUL, while a binary triangle count
   * below 16 million always does. */
  if (size >= 84 && (is_binary_stl_size (data, size) || !solid || has_nul (data, MIN (size, 4096))))
    {
      guint32 n;
      guint64 expected;

      memcpy (&n, data + 80, 4);
      n = GUINT32_FROM_LE (n);
      expected = 84 + 50 * (guint64) n;
      *out_binary = TRUE;
      if (expected > size)
        {
          set_error (error, OP_MESH_IO_ERROR_TRUNCATED, display,
                     "binary STL says %u triangles but the file holds %" G_GSIZE_FORMAT
                     "; it was probably cut short while copying",
                     n, (size - 84) / 50);
          return FALSE;
        }
      if (expected < size)
        {
          set_error (error, OP_MESH_IO_ERROR_PARSE, display,
                     "binary STL says %u triangles (%" G_GUINT64_FORMAT " bytes) but the file is %"
                     G_GSIZE_FORMAT " bytes long; it is damaged or not an STL file",
                     n, expected, size);
          return FALSE;
        }
      if (n == 0)
        {
          set_error (error, OP_MESH_IO_ERROR_NO_TRIANGLES, display,
                     "the binary STL holds no triangles");
          return FALSE;
        }
      if (n > max_triangles)
        {
          set_error (error, OP_MESH_IO_ERROR_TOO_LARGE, display,
                     "the file holds %u triangles, more than the limit of %" G_GSIZE_FORMAT
                     "; decimate it in the scanning software first",
                     n, max_triangles);
          return FALSE;
        }
      return TRUE;
    }

  if (!solid)
    {
      set_error (error, OP_MESH_IO_ERROR_UNKNOWN_FORMAT, display,
                 "this is not an STL file: it is too short to be binary STL and does not "
                 "start with \"solid\" as ASCII STL does");
      return FALSE;
    }

  *out_binary = FALSE;
  facets = count_words (data, size, "facet");
  if (facets == 0)
    {
      set_error (error, OP_MESH_IO_ERROR_NO_TRIANGLES, display,
                 "the ASCII STL holds no triangles (no \"facet\" lines)");
      return FALSE;
    }
  if (facets > max_triangles)
    {
      set_error (error, OP_MESH_IO_ERROR_TOO_LARGE, display,
                 "the file holds %" G_GSIZE_FORMAT " triangles, more than the limit of %"
                 G_GSIZE_FORMAT "; decimate it in the scanning software first",
                 facets, max_triangles);
      return FALSE;
    }
  return TRUE;
}

/* Parses one OBJ face index token ("7", "-1", "7/2/3") as a 1-based or
 * negative index; returns FALSE when the token has no number. */
static gboolean
obj_parse_index (const char *token,
                 gint64     *out)
{
  char *end = NULL;

  *out = g_ascii_strtoll (token, &end, 10);
  return end != token;
}

/* Assimp reports a bad OBJ index only as a generic exception, and we want
 * to name the line, so OBJ faces are checked here before parsing.  Positive
 * indices may refer forward (Assimp resolves them after reading every
 * vertex); negative ones count back from the vertices seen so far. */
static gboolean
check_obj (const guint8 *data,
           gsize         size,
           const char   *display,
           gsize         max_triangles,
           gsize        *out_vertices,
           GError      **error)
{
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = g_strndup ((const char *) data, size);
  gsize total_v = 0, seen_v = 0, triangles = 0;

  lines = g_strsplit (text, "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];

      while (*l == ' ' || *l == '\t')
        l++;
      if (l[0] == 'v' && (l[1] == ' ' || l[1] == '\t'))
        total_v++;
    }

  for (gsize i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      g_auto(GStrv) tokens = NULL;
      gsize corners = 0;

      while (*l == ' ' || *l == '\t')
        l++;
      if (l[0] == 'v' && (l[1] == ' ' || l[1] == '\t'))
        {
          seen_v++;
          continue;
        }
      if (!(l[0] == 'f' && (l[1] == ' ' || l[1] == '\t')))
        continue;

      g_strdelimit (lines[i], "\t\r", ' ');
      tokens = g_strsplit (l + 2, " ", -1);
      for (gsize k = 0; tokens[k] != NULL; k++)
        {
          gint64 idx, abs_idx;

          if (tokens[k][0] == '\0')
            continue;
          if (!obj_parse_index (tokens[k], &idx) || idx == 0)
            {
              set_error (error, OP_MESH_IO_ERROR_PARSE, display,
                         "line %" G_GSIZE_FORMAT ": \"%s\" is not a vertex number", i + 1, tokens[k]);
              return FALSE;
            }
          abs_idx = idx > 0 ? idx : (gint64) seen_v + idx + 1;
          if (abs_idx < 1 || abs_idx > (gint64) (idx > 0 ? total_v : seen_v))
            {
              set_error (error, OP_MESH_IO_ERROR_INDEX_RANGE, display,
                         "line %" G_GSIZE_FORMAT ": a face refers to vertex %" G_GINT64_FORMAT
                         " but the file defines only %" G_GSIZE_FORMAT " vertices",
                         i + 1, idx, idx > 0 ? total_v : seen_v);
              return FALSE;
            }
          corners++;
        }
      if (corners >= 3)
        triangles += corners - 2;
    }

  if (triangles == 0)
    {
      set_error (error, OP_MESH_IO_ERROR_NO_TRIANGLES, display,
                 "the OBJ file has %" G_GSIZE_FORMAT " vertices but no faces (\"f\" lines), "
                 "so there is no surface to show", total_v);
      return FALSE;
    }
  if (triangles > max_triangles)
    {
      set_error (error, OP_MESH_IO_ERROR_TOO_LARGE, display,
                 "the file holds %" G_GSIZE_FORMAT " triangles, more than the limit of %"
                 G_GSIZE_FORMAT "; decimate it first", triangles, max_triangles);
      return FALSE;
    }
  *out_vertices = total_v;
  return TRUE;
}

/* Assimp ------------------------------------------------------------------------ */

typedef struct {
  const struct aiMesh *mesh;
  struct aiMatrix4x4   matrix;
  gboolean             identity;
} Instance;

static gboolean
matrix_is_identity (const struct aiMatrix4x4 *m)
{
  struct aiMatrix4x4 id;

  aiIdentityMatrix4 (&id);
  return memcmp (m, &id, sizeof id) == 0;
}

static void
collect_instances (const struct aiScene    *scene,
                   const struct aiNode     *node,
                   const struct aiMatrix4x4 *parent,
                   GArray                  *out,
                   guint                    depth)
{
  struct aiMatrix4x4 m = *parent;

  /* A scene graph deeper than this is a malformed file, not a scan. */
  if (depth > 64)
    return;
  aiMultiplyMatrix4 (&m, &node->mTransformation);
  for (guint i = 0; i < node->mNumMeshes; i++)
    {
      Instance inst;

      if (node->mMeshes[i] >= scene->mNumMeshes)
        continue;
      inst.mesh = scene->mMeshes[node->mMeshes[i]];
      inst.matrix = m;
      inst.identity = matrix_is_identity (&m);
      g_array_append_val (out, inst);
    }
  for (guint i = 0; i < node->mNumChildren; i++)
    collect_instances (scene, node->mChildren[i], &m, out, depth + 1);
}

static gsize
count_triangles (const struct aiMesh *mesh)
{
  gsize n = 0;

  if (!(mesh->mPrimitiveTypes & aiPrimitiveType_TRIANGLE) && mesh->mPrimitiveTypes != 0)
    return 0;
  for (guint f = 0; f < mesh->mNumFaces; f++)
    if (mesh->mFaces[f].mNumIndices == 3)
      n++;
  return n;
}

/* STL and many other loaders emit three fresh vertices per face; then the
 * face list adds nothing and the weld can read the vertices directly. */
static gboolean
faces_are_sequential (const struct aiMesh *mesh)
{
  if (mesh->mNumVertices != 3 * (gsize) mesh->mNumFaces)
    return FALSE;
  for (guint f = 0; f < mesh->mNumFaces; f++)
    {
      const struct aiFace *face = &mesh->mFaces[f];

      if (face->mNumIndices != 3 || face->mIndices[0] != 3 * f ||
          face->mIndices[1] != 3 * f + 1 || face->mIndices[2] != 3 * f + 2)
        return FALSE;
    }
  return TRUE;
}

static guint8
color_byte (float c)
{
  if (!(c > 0.f))
    return 0;
  if (c >= 1.f)
    return 255;
  return (guint8) (c * 255.f + 0.5f);
}

static const char *
format_upper (OpMeshFormat format)
{
  switch (format)
    {
    case OP_MESH_FORMAT_STL: return "STL";
    case OP_MESH_FORMAT_PLY: return "PLY";
    case OP_MESH_FORMAT_OBJ: return "OBJ";
    case OP_MESH_FORMAT_GLB: return "glTF binary";
    case OP_MESH_FORMAT_UNKNOWN:
    default: return "mesh";
    }
}

static GMutex assimp_lock;

static gpointer
release_scene_run (gpointer data)
{
  aiReleaseImport (data);
  return NULL;
}

/* Assimp allocates every face separately, so freeing a scan's scene takes
 * about as long as computing its normals.  For large scenes both happen at
 * once: the scene is freed on a second thread, which the caller joins
 * before returning, so nothing outlives the call.  Returns that thread, or
 * NULL when the scene was freed here. */
static GThread *
release_scene (const struct aiScene *scene,
               gsize                 n_triangles)
{
  if (n_triangles >= 100000 && g_get_num_processors () > 1)
    {
      GThread *thread = g_thread_try_new ("op-mesh-free", release_scene_run, (gpointer) scene, NULL);

      if (thread != NULL)
        return thread;
    }
  aiReleaseImport (scene);
  return NULL;
}

typedef struct {
  const struct aiScene *scene;
  gsize                 n_triangles;
  GThread             **releasing;
} ReleaseLater;

static void
release_later (gpointer data)
{
  ReleaseLater *later = data;

  *later->releasing = release_scene (later->scene, later->n_triangles);
}

static OpMesh *
import_assimp (const guint8 *data,
               gsize         size,
               OpMeshFormat  format,
               const char   *display,
               gsize         max_triangles,
               OpMeshInfo   *info,
               GThread     **releasing,
               GCancellable *cancellable,
               GError      **error)
{
  const struct aiScene *scene;
  g_autoptr(GArray) instances = g_array_new (FALSE, FALSE, sizeof (Instance));
  g_autofree float *positions = NULL;
  g_autofree guint32 *indices = NULL;
  g_autofree guint8 *colors = NULL;
  const float *pos_in;
  const guint32 *idx_in;
  gsize n_triangles = 0, n_vertices = 0, n_indices;
  gboolean any_colors = FALSE;
  OpMesh *mesh;

  /* Assimp takes the length as an unsigned int. */
  if (size > G_MAXUINT)
    {
      set_error (error, OP_MESH_IO_ERROR_TOO_LARGE, display,
                 "the file is %" G_GSIZE_FORMAT " bytes, more than Orthoplan can read (4 GiB)", size);
      return NULL;
    }

  /* Assimp's C API keeps the last error in one global string, written by a
   * failed import and read by aiGetErrorString; two imports failing at once
   * on different threads would race on it.  So imports take turns here;
   * the weld, normals and freeing still run side by side. */
  g_mutex_lock (&assimp_lock);
  /* Triangulate is the only post-processing step: it does nothing to
   * meshes that are already triangles, and JoinIdenticalVertices in
   * particular is 20-40 times slower than our own weld. */
  scene = aiImportFileFromMemory ((const char *) data, (unsigned int) size,
                                  aiProcess_Triangulate, op_mesh_format_to_string (format));
  if (scene == NULL)
    {
      const char *why = aiGetErrorString ();
      g_autofree char *reason = g_strdup (why && *why ? why : "no reason given");

      g_mutex_unlock (&assimp_lock);
      if (strstr (reason, "out of range") != NULL)
        set_error (error, OP_MESH_IO_ERROR_INDEX_RANGE, display,
                   "a face refers to a vertex that does not exist (%s)", reason);
      else if (strstr (reason, "No suitable reader") != NULL)
        set_error (error, OP_MESH_IO_ERROR_UNKNOWN_FORMAT, display,
                   "this is not a %s file Orthoplan can read", format_upper (format));
      else
        set_error (error, OP_MESH_IO_ERROR_PARSE, display,
                   "could not read this %s file (%s)", format_upper (format), reason);
      return NULL;
    }
  g_mutex_unlock (&assimp_lock);

  if (check_cancelled (cancellable, display, error))
    {
      aiReleaseImport (scene);
      return NULL;
    }

  if (scene->mRootNode != NULL)
    {
      struct aiMatrix4x4 id;

      aiIdentityMatrix4 (&id);
      collect_instances (scene, scene->mRootNode, &id, instances, 0);
    }
  else
    for (guint i = 0; i < scene->mNumMeshes; i++)
      {
        Instance inst = { scene->mMeshes[i], { 0 }, TRUE };

        aiIdentityMatrix4 (&inst.matrix);
        g_array_append_val (instances, inst);
      }

  for (guint i = 0; i < instances->len; i++)
    {
      const Instance *inst = &g_array_index (instances, Instance, i);

      n_triangles += count_triangles (inst->mesh);
      n_vertices += inst->mesh->mNumVertices;
      /* STL has no vertex colours.  Assimp reads the two attribute bytes of
       * binary STL as a 15-bit colour whenever their top bit is set, and
       * real scanners (Meshmixer) fill them with 0xFFFF meaning nothing, so
       * colours from STL would be invented. */
      if (inst->mesh->mColors[0] != NULL && format != OP_MESH_FORMAT_STL)
        any_colors = TRUE;
    }
  info->source_vertices = n_vertices;
  info->had_colors = any_colors;

  if (n_triangles == 0)
    {
      set_error (error, OP_MESH_IO_ERROR_NO_TRIANGLES, display,
                 "the file holds %" G_GSIZE_FORMAT " vertices but no triangles, "
                 "so there is no surface to show", n_vertices);
      aiReleaseImport (scene);
      return NULL;
    }
  if (n_triangles > max_triangles)
    {
      set_error (error, OP_MESH_IO_ERROR_TOO_LARGE, display,
                 "the file holds %" G_GSIZE_FORMAT " triangles, more than the limit of %"
                 G_GSIZE_FORMAT "; decimate it first", n_triangles, max_triangles);
      aiReleaseImport (scene);
      return NULL;
    }

  n_indices = 3 * n_triangles;
  if (instances->len == 1 && g_array_index (instances, Instance, 0).identity && !any_colors &&
      faces_are_sequential (g_array_index (instances, Instance, 0).mesh))
    {
      /* The common case (one STL mesh): weld Assimp's own arrays, no copy. */
      pos_in = (const float *) g_array_index (instances, Instance, 0).mesh->mVertices;
      idx_in = NULL;
    }
  else
    {
      gsize v0 = 0, t = 0;

      positions = g_new (float, 3 * MAX (n_vertices, 1));
      indices = g_new (guint32, n_indices);
      if (any_colors)
        colors = g_malloc (4 * MAX (n_vertices, 1));

      for (guint i = 0; i < instances->len; i++)
        {
          const Instance *inst = &g_array_index (instances, Instance, i);
          const struct aiMesh *m = inst->mesh;
          const struct aiMatrix4x4 *x = &inst->matrix;

          for (guint v = 0; v < m->mNumVertices; v++)
            {
              const struct aiVector3D *p = &m->mVertices[v];
              float *o = &positions[3 * (v0 + v)];

              if (inst->identity)
                {
                  o[0] = p->x;
                  o[1] = p->y;
                  o[2] = p->z;
                }
              else
                {
                  o[0] = x->a1 * p->x + x->a2 * p->y + x->a3 * p->z + x->a4;
                  o[1] = x->b1 * p->x + x->b2 * p->y + x->b3 * p->z + x->b4;
                  o[2] = x->c1 * p->x + x->c2 * p->y + x->c3 * p->z + x->c4;
                }
              if (colors)
                {
                  guint8 *c = &colors[4 * (v0 + v)];

                  if (m->mColors[0])
                    {
                      c[0] = color_byte (m->mColors[0][v].r);
                      c[1] = color_byte (m->mColors[0][v].g);
                      c[2] = color_byte (m->mColors[0][v].b);
                      c[3] = color_byte (m->mColors[0][v].a);
                    }
                  else
                    memset (c, 255, 4);
                }
            }

          if (count_triangles (m) > 0)
            for (guint f = 0; f < m->mNumFaces; f++)
              {
                const struct aiFace *face = &m->mFaces[f];

                if (face->mNumIndices != 3)
                  continue;
                for (int k = 0; k < 3; k++)
                  {
                    /* Assimp's PLY loader passes face indices through
                     * unchecked, so a bad file would make us read past
                     * the vertex array. */
                    if (face->mIndices[k] >= m->mNumVertices)
                      {
                        set_error (error, OP_MESH_IO_ERROR_INDEX_RANGE, display,
                                   "triangle %" G_GSIZE_FORMAT " refers to vertex %u but the "
                                   "file has only %u vertices", t, face->mIndices[k],
                                   m->mNumVertices);
                        aiReleaseImport (scene);
                        return NULL;
                      }
                    indices[3 * t + k] = (guint32) (v0 + face->mIndices[k]);
                  }
                t++;
              }
          v0 += m->mNumVertices;
        }
      g_assert (t == n_triangles);
      pos_in = positions;
      idx_in = indices;
      /* Everything the weld needs is copied out, so the scene can go now. */
      *releasing = release_scene (scene, n_triangles);
      scene = NULL;
    }

  if (scene != NULL)
    {
      /* The weld reads the scene's own arrays; it hands the scene back as
       * soon as it is done with them, so freeing it overlaps the rest of
       * the weld and the normals. */
      ReleaseLater later = { scene, n_triangles, releasing };

      mesh = op__mesh_weld_arrays (pos_in, n_vertices, NULL, n_indices, NULL, NULL,
                                   release_later, &later);
    }
  else
    mesh = op__mesh_weld_arrays (pos_in, n_vertices, idx_in, n_indices, colors, NULL,
                                 NULL, NULL);
  return mesh;
}

/* Loading ------------------------------------------------------------------------ */

static gboolean
check_finite (const OpMesh *mesh,
              const char   *display,
              GError      **error)
{
  for (gsize i = 0; i < 3 * mesh->n_vertices; i++)
    if (!isfinite (mesh->positions[i]))
      {
        set_error (error, OP_MESH_IO_ERROR_NOT_FINITE, display,
                   "the file holds a coordinate that is not a finite number (%g); "
                   "it is damaged or was exported wrongly", (double) mesh->positions[i]);
        return FALSE;
      }
  return TRUE;
}

static OpMesh *
load_bytes (GBytes                  *bytes,
            const char              *name,
            const OpMeshLoadOptions *options,
            OpMeshInfo              *out_info,
            GThread                **releasing,
            GCancellable            *cancellable,
            GError                 **error)
{
  g_autofree char *display = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  OpMeshInfo info = { 0 };
  const guint8 *data;
  gsize size, max_triangles;

  display = g_path_get_basename (name);
  data = g_bytes_get_data (bytes, &size);
  max_triangles = options && options->max_triangles ? options->max_triangles
                                                    : OP_MESH_DEFAULT_MAX_TRIANGLES;

  if (size == 0)
    {
      set_error (error, OP_MESH_IO_ERROR_EMPTY, display, "the file is empty (0 bytes)");
      return NULL;
    }
  if (check_cancelled (cancellable, display, error))
    return NULL;

  info.format = op_mesh_format_detect (name, data, size);
  switch (info.format)
    {
    case OP_MESH_FORMAT_STL:
      if (!check_stl (data, size, display, max_triangles, &info.binary, error))
        return NULL;
      mesh = import_assimp (data, size, info.format, display, max_triangles, &info,
                            releasing, cancellable, error);
      break;

    case OP_MESH_FORMAT_PLY:
      {
        OpPlyHeaderInfo ply;

        if (!op__ply_read_header (data, size, display, &ply, error))
          return NULL;
        info.binary = ply.binary;
        if (!ply.has_faces || ply.n_faces == 0)
          {
            set_error (error, OP_MESH_IO_ERROR_NO_TRIANGLES, display,
                       "the PLY file has %" G_GSIZE_FORMAT " vertices but no faces, "
                       "so there is no surface to show (a point cloud?)", ply.n_vertices);
            return NULL;
          }
        if (ply.n_faces > max_triangles)
          {
            set_error (error, OP_MESH_IO_ERROR_TOO_LARGE, display,
                       "the file holds %" G_GSIZE_FORMAT " faces, more than the limit of %"
                       G_GSIZE_FORMAT "; decimate it first", ply.n_faces, max_triangles);
            return NULL;
          }

        if (ply.has_labels)
          {
            g_autoptr(OpMesh) raw = NULL;

            /* Assimp drops the label property, and mapping labels back onto
             * Assimp's vertices would rely on how its PLY loader orders and
             * duplicates them, which is not a documented promise.  Our own
             * reader sees positions, colours, labels and faces together in
             * the file's order, so nothing needs matching.  Files without
             * labels still go through Assimp, which knows the long tail of
             * PLY variants (odd property names, triangle strips). */
            raw = op__ply_read (data, size, display, max_triangles, error);
            if (raw == NULL)
              return NULL;
            info.source_vertices = raw->n_vertices;
            info.had_colors = raw->colors != NULL;
            info.had_labels = TRUE;
            if (check_cancelled (cancellable, display, error))
              return NULL;
            mesh = op__mesh_weld_arrays (raw->positions, raw->n_vertices, raw->indices,
                                         3 * raw->n_triangles, raw->colors, raw->labels,
                                         NULL, NULL);
          }
        else
          {
            mesh = import_assimp (data, size, info.format, display, max_triangles, &info,
                                  releasing, cancellable, error);
            /* Assimp may split vertices per face; the file's own count is
             * the one a person can compare with other tools. */
            info.source_vertices = ply.n_vertices;
          }
      }
      break;

    case OP_MESH_FORMAT_OBJ:
      {
        gsize n_v = 0;

        if (!check_obj (data, size, display, max_triangles, &n_v, error))
          return NULL;
        mesh = import_assimp (data, size, info.format, display, max_triangles, &info,
                              releasing, cancellable, error);
        info.source_vertices = n_v;
      }
      break;

    case OP_MESH_FORMAT_GLB:
      if (size < 12 || memcmp (data, "glTF", 4) != 0)
        {
          set_error (error, OP_MESH_IO_ERROR_UNKNOWN_FORMAT, display,
                     "this is not a glTF binary file (it does not start with \"glTF\")");
          return NULL;
        }
      info.binary = TRUE;
      mesh = import_assimp (data, size, info.format, display, max_triangles, &info,
                            releasing, cancellable, error);
      break;

    case OP_MESH_FORMAT_UNKNOWN:
    default:
      set_error (error, OP_MESH_IO_ERROR_UNKNOWN_FORMAT, display,
                 "not a mesh file Orthoplan can read; use STL, PLY, OBJ or glTF binary (.glb)");
      return NULL;
    }

  if (mesh == NULL)
    return NULL;
  if (check_cancelled (cancellable, display, error))
    return NULL;
  if (!check_finite (mesh, display, error))
    return NULL;

  op_mesh_compute_normals (mesh);
  op_mesh_compute_bounds (mesh);
  if (check_cancelled (cancellable, display, error))
    return NULL;

  if (out_info)
    *out_info = info;
  return g_steal_pointer (&mesh);
}

OpMesh *
op_mesh_load_bytes (GBytes                  *bytes,
                    const char              *name,
                    const OpMeshLoadOptions *options,
                    OpMeshInfo              *out_info,
                    GCancellable            *cancellable,
                    GError                 **error)
{
  GThread *releasing = NULL;
  OpMesh *mesh;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_info)
    memset (out_info, 0, sizeof *out_info);
  mesh = load_bytes (bytes, name, options, out_info, &releasing, cancellable, error);
  if (releasing != NULL)
    g_thread_join (releasing);
  return mesh;
}

OpMesh *
op_mesh_load (const char              *path,
              const OpMeshLoadOptions *options,
              OpMeshInfo              *out_info,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autofree char *display = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_info)
    memset (out_info, 0, sizeof *out_info);
  display = g_path_get_basename (path);
  if (check_cancelled (cancellable, display, error))
    return NULL;

  /* The file is mapped, not read: Assimp copies the bytes into a buffer of
   * its own anyway, and reading them into ours first cost about 30 ms of a
   * 1M-triangle import (a 50 MB copy into fresh pages), a sixth of the
   * whole.  A mapping has one hazard a read has not: if another program
   * shortens the file while we parse it, touching the lost pages raises
   * SIGBUS.  Scans are written once and then imported, so we accept that
   * for regular files; anything else (a pipe, a device) is read, since a
   * mapping would see no bytes in it at all. */
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    mapped = g_mapped_file_new (path, FALSE, &local);
  if (mapped != NULL)
    bytes = g_mapped_file_get_bytes (mapped);
  else
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_clear_error (&local);
      if (!g_file_get_contents (path, &contents, &length, &local))
        {
          set_error (error, OP_MESH_IO_ERROR_READ, display, "could not read the file (%s)",
                     local->message);
          return NULL;
        }
      bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
    }
  return op_mesh_load_bytes (bytes, path, options, out_info, cancellable, error);
}
