/* op-mesh-ply.c: a small PLY reader of our own, driven by the header.
 *
 * Assimp reads PLY positions, normals and colours but silently drops any
 * other vertex property, and segmented scans carry their per-vertex tooth
 * number as exactly such a property ("int label", "uchar label", ...).
 * Debian has no C PLY library that keeps them, so this reader handles
 * ASCII and both binary byte orders, CRLF line ends, any element order and
 * list properties anywhere (skipped unless they are the face indices).
 */
#include "op-mesh-io-private.h"

#include <string.h>

typedef enum {
  PLY_NONE,
  PLY_I8,
  PLY_U8,
  PLY_I16,
  PLY_U16,
  PLY_I32,
  PLY_U32,
  PLY_F32,
  PLY_F64,
} PlyType;

/* What a vertex or face property means to us. */
typedef enum {
  ROLE_SKIP,
  ROLE_X, ROLE_Y, ROLE_Z,
  ROLE_RED, ROLE_GREEN, ROLE_BLUE, ROLE_ALPHA,
  ROLE_LABEL,
  ROLE_FACE_INDICES,
} PlyRole;

typedef struct {
  PlyType type;        /* the value type (of the items, for a list) */
  PlyType count_type;  /* PLY_NONE for a scalar property */
  PlyRole role;
} PlyProperty;

typedef struct {
  char   *name;
  gsize   count;
  GArray *props;       /* PlyProperty */
} PlyElement;

typedef struct {
  gboolean   binary;
  gboolean   big_endian;
  gsize      data_offset;
  GPtrArray *elements; /* PlyElement */
  PlyElement *vertex;
  PlyElement *face;
} PlyHeader;

static void
ply_element_free (gpointer data)
{
  PlyElement *e = data;

  g_free (e->name);
  g_array_unref (e->props);
  g_free (e);
}

static void
ply_header_clear (PlyHeader *h)
{
  g_clear_pointer (&h->elements, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PlyHeader, ply_header_clear)

static PlyType
ply_type_from_name (const char *name)
{
  static const struct { const char *name; PlyType type; } types[] = {
    { "char", PLY_I8 }, { "int8", PLY_I8 }, { "uchar", PLY_U8 }, { "uint8", PLY_U8 },
    { "short", PLY_I16 }, { "int16", PLY_I16 }, { "ushort", PLY_U16 }, { "uint16", PLY_U16 },
    { "int", PLY_I32 }, { "int32", PLY_I32 }, { "uint", PLY_U32 }, { "uint32", PLY_U32 },
    { "float", PLY_F32 }, { "float32", PLY_F32 }, { "double", PLY_F64 }, { "float64", PLY_F64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (strcmp (name, types[i].name) == 0)
      return types[i].type;
  return PLY_NONE;
}

static gsize
ply_type_size (PlyType type)
{
  switch (type)
    {
    case PLY_I8: case PLY_U8: return 1;
    case PLY_I16: case PLY_U16: return 2;
    case PLY_I32: case PLY_U32: case PLY_F32: return 4;
    case PLY_F64: return 8;
    case PLY_NONE:
    default: return 0;
    }
}

static PlyRole
vertex_role (const char *name)
{
  static const struct { const char *name; PlyRole role; } roles[] = {
    { "x", ROLE_X }, { "y", ROLE_Y }, { "z", ROLE_Z },
    { "red", ROLE_RED }, { "green", ROLE_GREEN }, { "blue", ROLE_BLUE }, { "alpha", ROLE_ALPHA },
    { "diffuse_red", ROLE_RED }, { "diffuse_green", ROLE_GREEN }, { "diffuse_blue", ROLE_BLUE },
    { "label", ROLE_LABEL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (strcmp (name, roles[i].name) == 0)
      return roles[i].role;
  return ROLE_SKIP;
}

static gboolean
parse_header (const guint8 *data,
              gsize         size,
              const char   *display,
              PlyHeader    *h,
              GError      **error)
{
  gsize pos = 0, line_no = 0;
  gboolean have_format = FALSE;
  PlyElement *current = NULL;

  memset (h, 0, sizeof *h);
  h->elements = g_ptr_array_new_with_free_func (ply_element_free);

  if (size < 4 || memcmp (data, "ply", 3) != 0 || (data[3] != '\n' && data[3] != '\r'))
    {
      g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_UNKNOWN_FORMAT,
                   "%s: this is not a PLY file (it does not start with \"ply\")", display);
      return FALSE;
    }

  while (pos < size)
    {
      const guint8 *nl = memchr (data + pos, '\n', size - pos);
      gsize end = nl ? (gsize) (nl - data) : size;
      g_autofree char *line = g_strndup ((const char *) data + pos, end - pos);
      g_auto(GStrv) tok = NULL;
      guint n_tok;

      line_no++;
      pos = nl ? end + 1 : size;
      g_strstrip (line);   /* also removes the \r of CRLF files */
      tok = g_strsplit_set (line, " \t", -1);
      /* g_strsplit_set keeps empty tokens between repeated spaces; drop them. */
      n_tok = 0;
      for (guint i = 0; tok[i]; i++)
        if (tok[i][0] != '\0')
          {
            char *t = tok[i];
            tok[i] = NULL;
            tok[n_tok++] = t;
          }
        else
          g_clear_pointer (&tok[i], g_free);
      tok[n_tok] = NULL;

      if (line_no == 1 || n_tok == 0)
        continue;
      if (strcmp (tok[0], "end_header") == 0)
        {
          h->data_offset = pos;
          if (!have_format)
            {
              g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_PARSE,
                           "%s: the PLY header has no \"format\" line", display);
              return FALSE;
            }
          return TRUE;
        }
      if (strcmp (tok[0], "comment") == 0 || strcmp (tok[0], "obj_info") == 0)
        continue;
      if (strcmp (tok[0], "format") == 0 && n_tok >= 2)
        {
          have_format = TRUE;
          if (strcmp (tok[1], "ascii") == 0)
            h->binary = FALSE;
          else if (strcmp (tok[1], "binary_little_endian") == 0)
            h->binary = TRUE;
          else if (strcmp (tok[1], "binary_big_endian") == 0)
            h->binary = h->big_endian = TRUE;
          else
            {
              g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_PARSE,
                           "%s: unknown PLY format \"%s\" on header line %" G_GSIZE_FORMAT,
                           display, tok[1], line_no);
              return FALSE;
            }
          continue;
        }
      if (strcmp (tok[0], "element") == 0 && n_tok >= 3)
        {
          char *end_num = NULL;
          guint64 count = g_ascii_strtoull (tok[2], &end_num, 10);

          if (end_num == tok[2] || *end_num != '\0')
            {
              g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_PARSE,
                           "%s: the PLY header gives element \"%s\" a count that is not a number (\"%s\")",
                           display, tok[1], tok[2]);
              return FALSE;
            }
          current = g_new0 (PlyElement, 1);
          current->name = g_strdup (tok[1]);
          current->count = (gsize) count;
          current->props = g_array_new (FALSE, TRUE, sizeof (PlyProperty));
          g_ptr_array_add (h->elements, current);
          if (strcmp (current->name, "vertex") == 0 && h->vertex == NULL)
            h->vertex = current;
          else if (strcmp (current->name, "face") == 0 && h->face == NULL)
            h->face = current;
          continue;
        }
      if (strcmp (tok[0], "property") == 0 && current != NULL)
        {
          PlyProperty prop = { PLY_NONE, PLY_NONE, ROLE_SKIP };
          const char *name;

          if (n_tok >= 5 && strcmp (tok[1], "list") == 0)
            {
              prop.count_type = ply_type_from_name (tok[2]);
              prop.type = ply_type_from_name (tok[3]);
              name = tok[4];
              if (prop.count_type == PLY_NONE || prop.count_type == PLY_F32 ||
                  prop.count_type == PLY_F64)
                prop.type = PLY_NONE;
            }
          else if (n_tok >= 3)
            {
              prop.type = ply_type_from_name (tok[1]);
              name = tok[2];
            }
          else
            name = "";
          if (prop.type == PLY_NONE)
            {
              g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_PARSE,
                           "%s: PLY header line %" G_GSIZE_FORMAT " has a property of unknown type (\"%s\")",
                           display, line_no, line);
              return FALSE;
            }
          if (current == h->vertex && prop.count_type == PLY_NONE)
            prop.role = vertex_role (name);
          else if (current == h->face && prop.count_type != PLY_NONE &&
                   (strcmp (name, "vertex_indices") == 0 || strcmp (name, "vertex_index") == 0))
            prop.role = ROLE_FACE_INDICES;
          g_array_append_val (current->props, prop);
          continue;
        }
      g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_PARSE,
                   "%s: PLY header line %" G_GSIZE_FORMAT " is not understood (\"%s\")",
                   display, line_no, line);
      return FALSE;
    }

  g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_TRUNCATED,
               "%s: the PLY header never ends (no \"end_header\" line); the file is cut short or damaged",
               display);
  return FALSE;
}

gboolean
op__ply_read_header (const guint8    *data,
                     gsize            size,
                     const char      *display,
                     OpPlyHeaderInfo *out,
                     GError         **error)
{
  g_auto(PlyHeader) h = { 0 };

  memset (out, 0, sizeof *out);
  if (!parse_header (data, size, display, &h, error))
    return FALSE;

  out->binary = h.binary;
  out->big_endian = h.big_endian;
  out->n_vertices = h.vertex ? h.vertex->count : 0;
  if (h.vertex)
    for (guint i = 0; i < h.vertex->props->len; i++)
      {
        PlyRole role = g_array_index (h.vertex->props, PlyProperty, i).role;

        out->has_colors |= role == ROLE_RED;
        out->has_labels |= role == ROLE_LABEL;
      }
  if (h.face)
    for (guint i = 0; i < h.face->props->len; i++)
      if (g_array_index (h.face->props, PlyProperty, i).role == ROLE_FACE_INDICES)
        {
          out->has_faces = TRUE;
          out->n_faces = h.face->count;
        }
  return TRUE;
}

/* Reading values ------------------------------------------------------------ */

typedef struct {
  const guint8 *p;
  const guint8 *end;
  gboolean      binary;
  gboolean      big_endian;
  const char   *display;
} PlyCursor;

static gboolean
cursor_fail_short (PlyCursor *c,
                   GError   **error)
{
  g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_TRUNCATED,
               "%s: the PLY file ends before all the vertices and faces its header declares; "
               "it was probably cut short while copying", c->display);
  return FALSE;
}

/* Reads one value of @type as a double; every PLY type up to 32-bit
 * integers converts exactly. */
static gboolean
read_value (PlyCursor *c,
            PlyType    type,
            double    *out,
            GError   **error)
{
  if (c->binary)
    {
      gsize n = ply_type_size (type);
      guint8 b[8];

      if ((gsize) (c->end - c->p) < n)
        return cursor_fail_short (c, error);
      memcpy (b, c->p, n);
      c->p += n;
      /* Swap to host order; PLY data is either little or big endian. */
      if (c->big_endian != (G_BYTE_ORDER == G_BIG_ENDIAN))
        for (gsize i = 0; i < n / 2; i++)
          {
            guint8 t = b[i];
            b[i] = b[n - 1 - i];
            b[n - 1 - i] = t;
          }
      switch (type)
        {
        case PLY_I8: { gint8 v; memcpy (&v, b, 1); *out = v; break; }
        case PLY_U8: { guint8 v; memcpy (&v, b, 1); *out = v; break; }
        case PLY_I16: { gint16 v; memcpy (&v, b, 2); *out = v; break; }
        case PLY_U16: { guint16 v; memcpy (&v, b, 2); *out = v; break; }
        case PLY_I32: { gint32 v; memcpy (&v, b, 4); *out = v; break; }
        case PLY_U32: { guint32 v; memcpy (&v, b, 4); *out = v; break; }
        case PLY_F32: { float v; memcpy (&v, b, 4); *out = v; break; }
        case PLY_F64: { double v; memcpy (&v, b, 8); *out = v; break; }
        case PLY_NONE:
        default: g_assert_not_reached ();
        }
      return TRUE;
    }
  else
    {
      char token[64];
      gsize len = 0;
      char *end = NULL;

      while (c->p < c->end && g_ascii_isspace (*c->p))
        c->p++;
      if (c->p >= c->end)
        return cursor_fail_short (c, error);
      while (c->p < c->end && !g_ascii_isspace (*c->p) && len < sizeof token - 1)
        token[len++] = (char) *c->p++;
      token[len] = '\0';
      if (c->p < c->end && !g_ascii_isspace (*c->p))
        {
          g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_PARSE,
                       "%s: the PLY data holds a value too long to be a number (\"%s...\")",
                       c->display, token);
          return FALSE;
        }
      if (type == PLY_F32 || type == PLY_F64)
        *out = g_ascii_strtod (token, &end);
      else
        *out = (double) g_ascii_strtoll (token, &end, 10);
      if (end == token || *end != '\0')
        {
          g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_PARSE,
                       "%s: the PLY data holds \"%s\" where a number should be", c->display, token);
          return FALSE;
        }
      return TRUE;
    }
}

static gboolean
read_list_count (PlyCursor         *c,
                 const PlyProperty *prop,
                 gsize             *out,
                 GError           **error)
{
  double v;

  if (!read_value (c, prop->count_type, &v, error))
    return FALSE;
  if (!(v >= 0) || v > 1e6)
    {
      g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_PARSE,
                   "%s: the PLY data has a list of %g items, which is not a plausible size",
                   c->display, v);
      return FALSE;
    }
  *out = (gsize) v;
  return TRUE;
}

static gboolean
skip_property (PlyCursor         *c,
               const PlyProperty *prop,
               GError           **error)
{
  double v;
  gsize n = 1;

  if (prop->count_type != PLY_NONE && !read_list_count (c, prop, &n, error))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!read_value (c, prop->type, &v, error))
      return FALSE;
  return TRUE;
}

/* The fewest bytes one element record can take, to refuse a header that
 * declares more records than the data could hold before allocating. */
static gsize
min_record_size (const PlyElement *e,
                 gboolean          binary)
{
  gsize n = 0;

  for (guint i = 0; i < e->props->len; i++)
    {
      const PlyProperty *p = &g_array_index (e->props, PlyProperty, i);

      if (!binary)
        n += 2;   /* a digit and a separator */
      else
        n += ply_type_size (p->count_type != PLY_NONE ? p->count_type : p->type);
    }
  return n;
}

static guint8
color_from (double v,
            PlyType type)
{
  /* Integer colours are 0-255; floating point ones are 0-1. */
  if (type == PLY_F32 || type == PLY_F64)
    v *= 255.0;
  if (!(v > 0))
    return 0;
  if (v >= 255)
    return 255;
  return (guint8) (v + 0.5);
}

OpMesh *
op__ply_read (const guint8 *data,
              gsize         size,
              const char   *display,
              gsize         max_triangles,
              GError      **error)
{
  g_auto(PlyHeader) h = { 0 };
  g_autoptr(GArray) tris = NULL;
  g_autoptr(OpMesh) mesh = NULL;
  PlyCursor c;
  OpMeshAttrs attrs = OP_MESH_ATTR_NONE;
  gsize nv;

  if (!parse_header (data, size, display, &h, error))
    return NULL;
  if (h.vertex == NULL || h.vertex->count == 0)
    {
      g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_NO_TRIANGLES,
                   "%s: the PLY file has no vertices", display);
      return NULL;
    }

  c.p = data + h.data_offset;
  c.end = data + size;
  c.binary = h.binary;
  c.big_endian = h.big_endian;
  c.display = display;

  for (guint e = 0; e < h.elements->len; e++)
    {
      const PlyElement *el = g_ptr_array_index (h.elements, e);
      gsize min = min_record_size (el, h.binary);

      if (min > 0 && el->count > (gsize) (c.end - c.p) / min + 1)
        {
          cursor_fail_short (&c, error);
          return NULL;
        }
    }

  nv = h.vertex->count;
  for (guint i = 0; i < h.vertex->props->len; i++)
    {
      PlyRole role = g_array_index (h.vertex->props, PlyProperty, i).role;

      if (role >= ROLE_RED && role <= ROLE_ALPHA)
        attrs |= OP_MESH_ATTR_COLORS;
      if (role == ROLE_LABEL)
        attrs |= OP_MESH_ATTR_LABELS;
    }
  mesh = op_mesh_new (nv, 0, attrs);
  if (mesh->colors)
    memset (mesh->colors, 255, 4 * nv);
  tris = g_array_sized_new (FALSE, FALSE, sizeof (guint32),
                            3 * MIN (h.face ? h.face->count : 0, max_triangles));

  /* Elements come in the data in the order the header lists them. */
  for (guint e = 0; e < h.elements->len; e++)
    {
      const PlyElement *el = g_ptr_array_index (h.elements, e);

      for (gsize r = 0; r < el->count; r++)
        for (guint i = 0; i < el->props->len; i++)
          {
            const PlyProperty *prop = &g_array_index (el->props, PlyProperty, i);
            double v;

            if (el == h.vertex && prop->role != ROLE_SKIP)
              {
                if (!read_value (&c, prop->type, &v, error))
                  return NULL;
                switch (prop->role)
                  {
                  case ROLE_X: case ROLE_Y: case ROLE_Z:
                    mesh->positions[3 * r + (prop->role - ROLE_X)] = (float) v;
                    break;
                  case ROLE_RED: case ROLE_GREEN: case ROLE_BLUE: case ROLE_ALPHA:
                    mesh->colors[4 * r + (prop->role - ROLE_RED)] = color_from (v, prop->type);
                    break;
                  case ROLE_LABEL:
                    mesh->labels[r] = (v >= G_MININT32 && v <= G_MAXINT32) ? (gint32) v : 0;
                    break;
                  case ROLE_SKIP:
                  case ROLE_FACE_INDICES:
                  default:
                    break;
                  }
              }
            else if (el == h.face && prop->role == ROLE_FACE_INDICES)
              {
                gsize n;
                guint32 first = 0, prev = 0;

                if (!read_list_count (&c, prop, &n, error))
                  return NULL;
                for (gsize k = 0; k < n; k++)
                  {
                    guint32 idx;

                    if (!read_value (&c, prop->type, &v, error))
                      return NULL;
                    if (!(v >= 0) || v >= (double) nv)
                      {
                        g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_INDEX_RANGE,
                                     "%s: face %" G_GSIZE_FORMAT " refers to vertex %.0f but the "
                                     "file has only %" G_GSIZE_FORMAT " vertices",
                                     display, r, v, nv);
                        return NULL;
                      }
                    idx = (guint32) v;
                    /* Polygons become fans around their first corner. */
                    if (k == 0)
                      first = idx;
                    else if (k >= 2)
                      {
                        guint32 t[3] = { first, prev, idx };

                        g_array_append_vals (tris, t, 3);
                      }
                    prev = idx;
                  }
                if (tris->len / 3 > max_triangles)
                  {
                    g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_TOO_LARGE,
                                 "%s: the file holds more than %" G_GSIZE_FORMAT
                                 " triangles, the limit; decimate it first",
                                 display, max_triangles);
                    return NULL;
                  }
              }
            else if (!skip_property (&c, prop, error))
              return NULL;
          }
    }

  if (tris->len == 0)
    {
      g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_NO_TRIANGLES,
                   "%s: the PLY file has %" G_GSIZE_FORMAT " vertices but no triangles", display, nv);
      return NULL;
    }

  g_free (mesh->indices);
  mesh->n_triangles = tris->len / 3;
  mesh->indices = (guint32 *) g_array_free (g_steal_pointer (&tris), FALSE);
  return g_steal_pointer (&mesh);
}
