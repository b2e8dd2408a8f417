/* op-export-html.c: the patient simulation page (op-export-html.h).
 *
 * The page is the viewer template with four things put in: the title, a
 * JSON description of the case, the compressed geometry and the viewer's
 * script.  The geometry format, read by data/viewer/op-viewer.js:
 *
 *   gzip( for each mesh: positions; then for each mesh: indices )
 *
 *   positions  3 * nv little-endian uint16, each the zigzag-coded
 *              difference (mod 65536) from the same axis of the vertex
 *              before, of q = round ((p - min) / step), q in 0..65535
 *   indices    3 * nt unsigned LEB128 varints, each the zigzag-coded
 *              difference from the index before
 *
 * Vertices are put in the order the triangles first use them, after the
 * triangles have been ordered for the vertex cache, so neighbouring
 * vertices are near in space (small position deltas) and in number
 * (small index deltas), which is what makes deflate work well on them.
 */
#include "config.h"

#include "op-export-html.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <meshoptimizer.h>
#include <string.h>

#include "op-io-resources.h"
#include "op-schedule.h"

#define DEFAULT_MAX_TRIANGLES 12000

/* Text for JSON strings, safe inside a <script> element too: "<" is
 * escaped so that no "</script>" can end the element early. */
static void
append_json_string (GString    *s,
                    const char *text)
{
  g_string_append_c (s, '"');
  for (const char *p = text ? text : ""; *p; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (s, "\\%c", c);
      else if (c == '<' || c == '>' || c == '&' || c < 0x20)
        g_string_append_printf (s, "\\u%04x", c);
      else
        g_string_append_c (s, (char) c);
    }
  g_string_append_c (s, '"');
}

static void
append_number (GString    *s,
               double      v,
               const char *format)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, format, v);
  /* "-0.00000" and "0.00000" are the same number; write one spelling so
   * that equal plans give equal pages. */
  if (buf[0] == '-' && strspn (buf + 1, "0.") == strlen (buf + 1))
    g_string_append (s, buf + 1);
  else
    g_string_append (s, buf);
}

char *
op_export_html_display_name (const OpHtmlOptions *options)
{
  const char *given = options && options->given_name ? options->given_name : "";
  const char *family = options && options->family_name ? options->family_name : "";
  g_autofree char *g = g_strstrip (g_strdup (given));
  g_autofree char *f = g_strstrip (g_strdup (family));

  /* The page travels by e-mail and messaging apps: by default it carries
   * no more of the patient's identity than a first name. */
  if (options && options->show_full_name && *f != '\0')
    return *g ? g_strdup_printf ("%s %s", g, f) : g_steal_pointer (&f);
  return g_steal_pointer (&g);
}

char *
op_export_logo_data_uri (const char  *path,
                         GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *b64 = NULL;
  const char *mime = NULL;
  gsize len;
  const guchar *data;

  g_return_val_if_fail (path != NULL, NULL);

  bytes = op_export_logo_read (path, &mime, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  b64 = g_base64_encode (data, len);
  return g_strdup_printf ("data:%s;base64,%s", mime, b64);
}

/* A mesh ready for the page: simplified, reordered, quantised. */
typedef struct {
  int      fdi;          /* 0 for gingiva */
  int      tooth;        /* index in the plan, or -1 when it never moves */
  gboolean upper;
  gsize    nv, nt;
  float    min[3], step[3];
  guint16 *q;            /* 3 * nv */
  guint32 *indices;      /* 3 * nt */
} PageMesh;

static void
page_mesh_clear (PageMesh *m)
{
  g_free (m->q);
  g_free (m->indices);
}

static void
prepare_mesh (const OpMesh *mesh,
              guint         max_triangles,
              PageMesh     *out)
{
  gsize n_idx = mesh->n_triangles * 3;
  g_autofree guint32 *idx = g_new (guint32, n_idx);
  g_autofree guint32 *remap = NULL;
  g_autofree float *pos = NULL;
  float lo[3] = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT }, hi[3] = { -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT };
  gsize nv;

  memcpy (idx, mesh->indices, n_idx * sizeof (guint32));
  if (mesh->n_triangles > max_triangles)
    {
      g_autofree guint32 *simple = g_new (guint32, n_idx);
      float result_error = 0;
      /* A 2 % error bound lets meshoptimizer reach the target on every
       * tooth we have tried, while keeping cusps and the incisal edge. */
      gsize n = meshopt_simplify (simple, idx, n_idx, mesh->positions, mesh->n_vertices, 3 * sizeof (float),
                                  (gsize) max_triangles * 3, 0.02f, 0, &result_error);

      if (n >= 3)
        {
          memcpy (idx, simple, n * sizeof (guint32));
          n_idx = n;
        }
    }
  meshopt_optimizeVertexCache (idx, idx, n_idx, mesh->n_vertices);

  /* Keep only the vertices the triangles use, in the order they first
   * use them. */
  remap = g_new (guint32, mesh->n_vertices);
  nv = meshopt_optimizeVertexFetchRemap (remap, idx, n_idx, mesh->n_vertices);
  pos = g_new (float, 3 * nv);
  meshopt_remapIndexBuffer (idx, idx, n_idx, remap);
  meshopt_remapVertexBuffer (pos, mesh->positions, mesh->n_vertices, 3 * sizeof (float), remap);

  for (gsize v = 0; v < nv; v++)
    for (int a = 0; a < 3; a++)
      {
        lo[a] = MIN (lo[a], pos[3 * v + a]);
        hi[a] = MAX (hi[a], pos[3 * v + a]);
      }
  out->nv = nv;
  out->nt = n_idx / 3;
  out->q = g_new (guint16, 3 * nv);
  for (int a = 0; a < 3; a++)
    {
      out->min[a] = nv ? lo[a] : 0;
      out->step[a] = nv && hi[a] > lo[a] ? (hi[a] - lo[a]) / 65535.0f : 1.0f;
    }
  for (gsize v = 0; v < nv; v++)
    for (int a = 0; a < 3; a++)
      {
        double q = round ((pos[3 * v + a] - out->min[a]) / out->step[a]);

        out->q[3 * v + a] = (guint16) CLAMP (q, 0, 65535);
      }
  out->indices = g_steal_pointer (&idx);
}

static void
encode_positions (const PageMesh *m,
                  GByteArray     *blob)
{
  guint16 prev[3] = { 0, 0, 0 };

  for (gsize v = 0; v < m->nv; v++)
    for (int a = 0; a < 3; a++)
      {
        gint32 d = (gint16) (guint16) (m->q[3 * v + a] - prev[a]);
        guint16 z = (guint16) ((guint32) (d << 1) ^ (guint32) (d >> 31));
        guint8 le[2] = { (guint8) (z & 0xff), (guint8) (z >> 8) };

        g_byte_array_append (blob, le, 2);
        prev[a] = m->q[3 * v + a];
      }
}

static gsize
encode_indices (const PageMesh *m,
                GByteArray     *blob)
{
  gsize start = blob->len;
  gint64 prev = 0;

  for (gsize i = 0; i < 3 * m->nt; i++)
    {
      gint64 d = (gint64) m->indices[i] - prev;
      guint64 z = ((guint64) d << 1) ^ (guint64) (d >> 63);

      do
        {
          guint8 byte = (guint8) (z & 0x7f);

          z >>= 7;
          if (z)
            byte |= 0x80;
          g_byte_array_append (blob, &byte, 1);
        }
      while (z);
      prev = m->indices[i];
    }
  return blob->len - start;
}

static GBytes *
gzip_bytes (const guint8  *data,
            gsize          len,
            GError       **error)
{
  g_autoptr(GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (mem, G_CONVERTER (z));

  if (!g_output_stream_write_all (out, data, len, NULL, NULL, error) ||
      !g_output_stream_close (out, NULL, error))
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
}

static GBytes *
load_resource (const char *name,
               GError    **error)
{
  g_autofree char *path = g_strconcat ("/org/orthoplan/io/viewer/", name, NULL);

  /* Asking io's own resource (not the global list) also keeps its object
   * file, and the viewer in it, in a static link. */
  return g_resource_lookup_data (op_io_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
}

/* Replaces each "{{KEY}}" of @template by its value, in one pass, so a
 * value that happens to contain "{{" is never expanded again. */
static GString *
fill_template (const char  *template,
               const char **keys,
               const char **values,
               guint        n)
{
  GString *out = g_string_sized_new (strlen (template));
  const char *p = template;

  while (*p)
    {
      const char *open = strstr (p, "{{");
      gboolean matched = FALSE;

      if (open == NULL)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, open - p);
      for (guint i = 0; i < n; i++)
        {
          gsize kl = strlen (keys[i]);

          if (strncmp (open + 2, keys[i], kl) == 0 && strncmp (open + 2 + kl, "}}", 2) == 0)
            {
              g_string_append (out, values[i]);
              p = open + 4 + kl;
              matched = TRUE;
              break;
            }
        }
      if (!matched)
        {
          g_string_append (out, "{{");
          p = open + 2;
        }
    }
  return out;
}

GBytes *
op_export_html_build (const OpDentition   *dentition,
                      const OpPlan        *plan,
                      const OpHtmlOptions *options,
                      GCancellable        *cancellable,
                      GError             **error)
{
  OpHtmlOptions defaults = { 0 };
  g_autoptr(GArray) meshes = NULL;
  g_autoptr(GByteArray) blob = NULL;
  g_autoptr(GBytes) packed = NULL;
  g_autoptr(GBytes) template = NULL;
  g_autoptr(GBytes) script = NULL;
  g_autoptr(GString) json = NULL;
  g_autoptr(GString) page = NULL;
  g_autofree char *logo = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  g_autofree char *script_text = NULL;
  g_autofree char *template_text = NULL;
  g_autofree gsize *idx_len = NULL;
  guint max_triangles, interval, n_aligners;
  gsize offset;

  g_return_val_if_fail (dentition != NULL && plan != NULL, NULL);

  if (options == NULL)
    options = &defaults;
  max_triangles = options->max_triangles ? options->max_triangles : DEFAULT_MAX_TRIANGLES;
  interval = options->interval_days ? options->interval_days : OP_SCHEDULE_DEFAULT_INTERVAL_DAYS;

  if (plan->n_teeth == 0)
    {
      g_set_error_literal (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_NO_PLAN, _("the plan has no teeth to show"));
      return NULL;
    }
  if (options->logo_path && *options->logo_path)
    {
      logo = op_export_logo_data_uri (options->logo_path, error);
      if (logo == NULL)
        return NULL;
    }

  meshes = g_array_new (FALSE, TRUE, sizeof (PageMesh));
  g_array_set_clear_func (meshes, (GDestroyNotify) page_mesh_clear);
  for (guint t = 0; t < plan->n_teeth; t++)
    {
      int fdi = plan->teeth[t].fdi;
      OpTooth *tooth = op_dentition_get (dentition, fdi);
      PageMesh m = { 0 };

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (tooth == NULL || tooth->crown == NULL || tooth->crown->n_triangles == 0)
        {
          g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_INPUT,
                       _("tooth %d is in the plan but the case has no mesh for it"), fdi);
          return NULL;
        }
      prepare_mesh (tooth->crown, max_triangles, &m);
      m.fdi = fdi;
      m.tooth = (int) t;
      m.upper = op_fdi_is_upper (fdi);
      g_array_append_val (meshes, m);
    }
  for (int g = 0; g < 2; g++)
    {
      const OpMesh *gum = g == 0 ? dentition->gingiva_upper : dentition->gingiva_lower;
      PageMesh m = { 0 };

      if (gum == NULL || gum->n_triangles == 0)
        continue;
      /* The gingiva is bigger than a tooth; give it the budget of four. */
      prepare_mesh (gum, max_triangles > G_MAXUINT / 4 ? max_triangles : max_triangles * 4, &m);
      m.tooth = -1;
      m.upper = g == 0;
      g_array_append_val (meshes, m);
    }

  blob = g_byte_array_new ();
  for (guint i = 0; i < meshes->len; i++)
    encode_positions (&g_array_index (meshes, PageMesh, i), blob);
  idx_len = g_new (gsize, meshes->len);
  for (guint i = 0; i < meshes->len; i++)
    idx_len[i] = encode_indices (&g_array_index (meshes, PageMesh, i), blob);
  packed = gzip_bytes (blob->data, blob->len, error);
  if (packed == NULL)
    return NULL;
  b64 = g_base64_encode (g_bytes_get_data (packed, NULL), g_bytes_get_size (packed));

  /* The case, in JSON. */
  n_aligners = op_schedule_n_aligners (plan);
  name = op_export_html_display_name (options);
  json = g_string_new ("{\"format\":1,\"practice\":");
  append_json_string (json, options->practice_name);
  g_string_append (json, ",\"logo\":");
  append_json_string (json, logo);
  g_string_append (json, ",\"patient\":");
  append_json_string (json, name);
  g_string_append_printf (json, ",\"aligners\":%u,\"alignersUpper\":%u,\"alignersLower\":%u"
                          ",\"intervalDays\":%u,\"days\":%u,\"stages\":%u,\"teeth\":[",
                          n_aligners, op_schedule_arch_aligners (plan, TRUE),
                          op_schedule_arch_aligners (plan, FALSE), interval,
                          op_schedule_days (n_aligners, interval), plan->n_stages);
  for (guint t = 0; t < plan->n_teeth; t++)
    g_string_append_printf (json, "%s%d", t ? "," : "", plan->teeth[t].fdi);
  g_string_append (json, "],\"meshes\":[");
  offset = 0;
  for (guint i = 0; i < meshes->len; i++)
    {
      const PageMesh *m = &g_array_index (meshes, PageMesh, i);

      g_string_append_printf (json, "%s{\"fdi\":%d,\"tooth\":%d,\"upper\":%s,\"nv\":%" G_GSIZE_FORMAT
                              ",\"nt\":%" G_GSIZE_FORMAT ",\"pos\":%" G_GSIZE_FORMAT ",\"min\":[",
                              i ? "," : "", m->fdi, m->tooth, m->upper ? "true" : "false", m->nv, m->nt, offset);
      offset += 6 * m->nv;
      for (int a = 0; a < 3; a++)
        {
          g_string_append (json, a ? "," : "");
          append_number (json, m->min[a], "%.6f");
        }
      g_string_append (json, "],\"step\":[");
      for (int a = 0; a < 3; a++)
        {
          g_string_append (json, a ? "," : "");
          append_number (json, m->step[a], "%.9g");
        }
      g_string_append (json, "]}");
    }
  g_string_append (json, "],\"idx\":[");
  for (guint i = 0; i < meshes->len; i++)
    {
      g_string_append_printf (json, "%s%" G_GSIZE_FORMAT, i ? "," : "", offset);
      offset += idx_len[i];
    }
  g_string_append_printf (json, "],\"blobSize\":%" G_GSIZE_FORMAT ",\"transforms\":[", offset);
  /* Per stage and tooth, the 3x4 rigid transform: the rotation's columns
   * then the translation, in mm. */
  for (guint s = 0; s < plan->n_stages; s++)
    {
      g_string_append (json, s ? ",\n[" : "\n[");
      for (guint t = 0; t < plan->n_teeth; t++)
        {
          float m[16];
          static const int order[12] = { 0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14 };

          op_plan_stage_matrix (plan, s, t, m);
          for (int k = 0; k < 12; k++)
            {
              if (t || k)
                g_string_append_c (json, ',');
              append_number (json, m[order[k]], "%.5f");
            }
        }
      g_string_append_c (json, ']');
    }
  g_string_append (json, "]}");

  template = load_resource ("op-viewer.html", error);
  script = template ? load_resource ("op-viewer.js", error) : NULL;
  if (script == NULL)
    return NULL;
  template_text = g_strndup (g_bytes_get_data (template, NULL), g_bytes_get_size (template));
  script_text = g_strndup (g_bytes_get_data (script, NULL), g_bytes_get_size (script));
  if (*name)
    title = g_strdup_printf (_("%s’s treatment"), name);
  else
    title = g_strdup (_("Your treatment"));
  {
    g_autofree char *title_html = g_markup_escape_text (title, -1);
    const char *keys[] = { "OP_TITLE", "OP_DATA", "OP_GEOMETRY", "OP_SCRIPT" };
    const char *values[] = { title_html, json->str, b64, script_text };

    page = fill_template (template_text, keys, values, G_N_ELEMENTS (keys));
  }
  return g_string_free_to_bytes (g_steal_pointer (&page));
}

gboolean
op_export_html (const OpDentition   *dentition,
                const OpPlan        *plan,
                const OpHtmlOptions *options,
                const char          *path,
                GCancellable        *cancellable,
                GError             **error)
{
  g_autoptr(GBytes) page = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  page = op_export_html_build (dentition, plan, options, cancellable, error);
  if (page == NULL)
    return FALSE;
  return op_export_write_file (path, page, error);
}
