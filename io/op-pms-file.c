/* op-pms-file.c: the file bridge, for a PMS without a public write API
 * (Dentrix, Eaglesoft).
 *
 * For each approval, three files go into the location's folder, named
 * after the case, the plan version and the idempotency key:
 *   orthoplan-case12-v3-KEY.csv   one line per procedure, for an import;
 *   orthoplan-case12-v3-KEY.pdf   a printable summary for the front desk;
 *   orthoplan-case12-v3-KEY.json  everything, written last.
 * Each is written to a temporary name in the same folder, flushed and
 * renamed, so a reader never sees half a file.  The JSON file is written
 * last, so its presence says the set is complete: read_back looks for it.
 * Writing the same approval again writes the same bytes under the same
 * names (the PDF aside, whose metadata holds a time), so a repeat is
 * harmless.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "op-fdi.h"
#include "op-pms.h"

typedef struct {
  OpPmsConnector parent;
} OpPmsFile;

static char *
fee_text (gint64 cents)
{
  if (cents < 0)
    return g_strdup ("");
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", cents / 100, (int) (cents % 100));
}

static char *
base_name (const OpPmsPost *post)
{
  return g_strdup_printf ("orthoplan-case%" G_GINT64_FORMAT "-v%u-%s", post->case_id, post->plan_version,
                          post->idempotency_key);
}

static char *
sites_text (const OpPmsProcedure *p,
            gboolean              universal)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < p->n_sites; i++)
    g_string_append_printf (s, "%s%d", i ? " " : "",
                            universal ? op_fdi_to_universal (p->sites[i]) : p->sites[i]);
  return g_string_free (s, FALSE);
}

char *
op_pms_file_json (const OpPmsPost *post)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

#define STR(name, value) G_STMT_START { json_builder_set_member_name (b, name); \
    if ((value) != NULL) json_builder_add_string_value (b, value); else json_builder_add_null_value (b); } G_STMT_END

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "orthoplan_post");
  json_builder_add_int_value (b, 1);
  STR ("idempotency_key", post->idempotency_key);
  json_builder_set_member_name (b, "case_id");
  json_builder_add_int_value (b, post->case_id);
  json_builder_set_member_name (b, "plan_version");
  json_builder_add_int_value (b, post->plan_version);
  STR ("plan_sha256", post->plan_sha256);
  STR ("location", post->location);
  STR ("proc_date", post->proc_date);
  STR ("status", OP_PROCEDURE_STATUS);
  STR ("dentition", post->dentition);
  STR ("scope", post->scope);
  json_builder_set_member_name (b, "patient");
  json_builder_begin_object (b);
  STR ("family_name", post->patient ? post->patient->family_name : NULL);
  STR ("given_name", post->patient ? post->patient->given_name : NULL);
  STR ("birth_date", post->patient ? post->patient->birth_date : NULL);
  STR ("chart_number", post->patient ? post->patient->chart_number : NULL);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "approval");
  json_builder_begin_object (b);
  STR ("meaning", post->meaning);
  STR ("signed_at", post->signed_at);
  STR ("signer", post->signer_name);
  STR ("npi", post->signer_npi);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "procedures");
  json_builder_begin_array (b);
  for (guint i = 0; i < post->n_procedures; i++)
    {
      const OpPmsProcedure *p = &post->procedures[i];
      g_autofree char *fee = fee_text (p->fee_cents);
      g_autofree char *marker = op_pms_marker (post->idempotency_key, i);

      json_builder_begin_object (b);
      STR ("code", p->code);
      STR ("code_system", OP_PROCEDURE_CDT_SYSTEM);
      STR ("description", p->description);
      STR ("status", OP_PROCEDURE_STATUS);
      STR ("fee", p->fee_cents >= 0 ? fee : NULL);
      json_builder_set_member_name (b, "teeth_fdi");
      json_builder_begin_array (b);
      for (guint k = 0; k < p->n_sites; k++)
        json_builder_add_int_value (b, p->sites[k]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "teeth_universal");
      json_builder_begin_array (b);
      for (guint k = 0; k < p->n_sites; k++)
        json_builder_add_int_value (b, op_fdi_to_universal (p->sites[k]));
      json_builder_end_array (b);
      STR ("marker", marker);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
#undef STR

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  {
    g_autofree char *text = json_generator_to_data (gen, NULL);

    return g_strconcat (text, "\n", NULL);
  }
}

/* RFC 4180: a field with a comma, a quote or a line break is quoted, and
 * quotes inside are doubled.  A field that starts with = + - @ is prefixed
 * with ' so that a spreadsheet does not run it as a formula. */
static void
csv_field (GString    *s,
           const char *value,
           gboolean    last)
{
  const char *v = value ? value : "";
  gboolean quote = strpbrk (v, ",\"\r\n") != NULL;

  if (quote)
    g_string_append_c (s, '"');
  if (v[0] == '=' || v[0] == '+' || v[0] == '@' || (v[0] == '-' && !g_ascii_isdigit (v[1])))
    g_string_append_c (s, '\'');
  for (const char *p = v; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  if (quote)
    g_string_append_c (s, '"');
  g_string_append (s, last ? "\r\n" : ",");
}

char *
op_pms_file_csv (const OpPmsPost *post)
{
  GString *s = g_string_new ("PatientLastName,PatientFirstName,BirthDate,ChartNumber,ProcDate,ProcCode,"
                             "Description,Status,Fee,TeethFDI,TeethUniversal,Provider,ProviderNPI,Marker\r\n");
  const OpMatchPerson *who = post->patient;

  for (guint i = 0; i < post->n_procedures; i++)
    {
      const OpPmsProcedure *p = &post->procedures[i];
      g_autofree char *fee = fee_text (p->fee_cents);
      g_autofree char *fdi = sites_text (p, FALSE);
      g_autofree char *uni = sites_text (p, TRUE);
      g_autofree char *marker = op_pms_marker (post->idempotency_key, i);

      csv_field (s, who ? who->family_name : NULL, FALSE);
      csv_field (s, who ? who->given_name : NULL, FALSE);
      csv_field (s, who ? who->birth_date : NULL, FALSE);
      csv_field (s, who ? who->chart_number : NULL, FALSE);
      csv_field (s, post->proc_date, FALSE);
      csv_field (s, p->code, FALSE);
      csv_field (s, p->description, FALSE);
      csv_field (s, OP_PROCEDURE_STATUS, FALSE);
      csv_field (s, fee, FALSE);
      csv_field (s, fdi, FALSE);
      csv_field (s, uni, FALSE);
      csv_field (s, post->signer_name, FALSE);
      csv_field (s, post->signer_npi, FALSE);
      csv_field (s, marker, TRUE);
    }
  return g_string_free (s, FALSE);
}

static gboolean
write_atomic (const char  *path,
              const char  *data,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  /* CONSISTENT writes a temporary file and renames it over @path;
   * DURABLE adds the fsync that makes the rename survive a power cut. */
  if (!g_file_set_contents_full (path, data, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, &local_error))
    {
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_FAILED, _("Writing %s failed: %s"), path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* The PDF: one A4 page (more when needed) of plain text and a table, in
 * the words the front desk needs to enter the procedures by hand. */

typedef struct {
  cairo_t *cr;
  double   y;
} Page;

#define PDF_W 595.0   /* A4 in points */
#define PDF_H 842.0
#define MARGIN 56.0

static void
line (Page       *pg,
      double      size,
      gboolean    bold,
      const char *text)
{
  if (pg->y > PDF_H - MARGIN)
    {
      cairo_show_page (pg->cr);
      pg->y = MARGIN;
    }
  cairo_select_font_face (pg->cr, "Sans", CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (pg->cr, size);
  pg->y += size * 1.5;
  cairo_move_to (pg->cr, MARGIN, pg->y);
  cairo_show_text (pg->cr, text);
}

/* Three columns at fixed positions: the font is proportional, so spaces
 * would not line the table up. */
static void
row (Page       *pg,
     double      size,
     gboolean    bold,
     const char *a,
     const char *b,
     const char *c)
{
  line (pg, size, bold, a);
  cairo_move_to (pg->cr, MARGIN + 70, pg->y);
  cairo_show_text (pg->cr, b);
  cairo_move_to (pg->cr, MARGIN + 170, pg->y);
  cairo_show_text (pg->cr, c);
}

static gboolean
write_pdf (const char       *path,
           const OpPmsPost  *post,
           GError          **error)
{
  g_autofree char *tmp = g_strconcat (path, ".part", NULL);
  const OpMatchPerson *who = post->patient;
  cairo_surface_t *surface;
  cairo_status_t status;
  Page pg = { NULL, MARGIN };
  char buf[512];

  surface = cairo_pdf_surface_create (tmp, PDF_W, PDF_H);
  pg.cr = cairo_create (surface);
  cairo_set_source_rgb (pg.cr, 0, 0, 0);

  line (&pg, 16, TRUE, "Orthodontic treatment to enter in the practice system");
  line (&pg, 10, FALSE, "Status: treatment planned (TP). Mark complete only when the aligners are delivered.");
  pg.y += 8;
  g_snprintf (buf, sizeof buf, "Patient: %s, %s", who && who->family_name ? who->family_name : "",
              who && who->given_name ? who->given_name : "");
  line (&pg, 12, TRUE, buf);
  g_snprintf (buf, sizeof buf, "Date of birth: %s     Chart number: %s",
              who && who->birth_date ? who->birth_date : "unknown",
              who && who->chart_number ? who->chart_number : "none");
  line (&pg, 11, FALSE, buf);
  g_snprintf (buf, sizeof buf, "Location: %s     Procedure date: %s", post->location ? post->location : "",
              post->proc_date ? post->proc_date : "");
  line (&pg, 11, FALSE, buf);
  g_snprintf (buf, sizeof buf, "Provider: %s (NPI %s)", post->signer_name ? post->signer_name : "",
              post->signer_npi ? post->signer_npi : "none");
  line (&pg, 11, FALSE, buf);
  g_snprintf (buf, sizeof buf, "Approval: %s, signed %s", post->meaning ? post->meaning : "",
              post->signed_at ? post->signed_at : "");
  line (&pg, 11, FALSE, buf);
  g_snprintf (buf, sizeof buf, "Dentition: %s     Treatment: %s", post->dentition ? post->dentition : "",
              post->scope ? post->scope : "");
  line (&pg, 11, FALSE, buf);
  pg.y += 10;
  row (&pg, 12, TRUE, "Code", "Fee", "Teeth (Universal / FDI)");
  for (guint i = 0; i < post->n_procedures; i++)
    {
      const OpPmsProcedure *p = &post->procedures[i];
      g_autofree char *fee = fee_text (p->fee_cents);
      g_autofree char *fdi = sites_text (p, FALSE);
      g_autofree char *uni = sites_text (p, TRUE);

      g_snprintf (buf, sizeof buf, "%s / %s", uni, fdi);
      row (&pg, 11, FALSE, p->code, p->fee_cents >= 0 ? fee : "no fee set", buf);
      line (&pg, 9, FALSE, p->description ? p->description : "");
    }
  pg.y += 14;
  g_snprintf (buf, sizeof buf, "Reference: %s (case %" G_GINT64_FORMAT ", plan v%u)", post->idempotency_key,
              post->case_id, post->plan_version);
  line (&pg, 8, FALSE, buf);

  cairo_destroy (pg.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_unlink (tmp);
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_FAILED, _("Writing %s failed: %s"), path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;

      g_unlink (tmp);
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_FAILED, _("Writing %s failed: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean
file_post (OpPmsConnector  *self,
           const OpPmsPost *post,
           char           **remote_ids,
           GCancellable    *cancellable,
           GError         **error)
{
  const char *folder = self->config->folder;
  g_autofree char *base = base_name (post);
  g_autofree char *csv_path = NULL;
  g_autofree char *pdf_path = NULL;
  g_autofree char *json_path = NULL;
  g_autofree char *csv = op_pms_file_csv (post);
  g_autofree char *json = op_pms_file_json (post);
  g_autofree char *name = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_UNREACHABLE,
                   _("The file bridge folder %s does not exist or is not a folder (a network share not mounted?)"),
                   folder);
      return FALSE;
    }
  csv_path = g_strdup_printf ("%s/%s.csv", folder, base);
  pdf_path = g_strdup_printf ("%s/%s.pdf", folder, base);
  json_path = g_strdup_printf ("%s/%s.json", folder, base);
  if (!write_atomic (csv_path, csv, error) || !write_pdf (pdf_path, post, error) ||
      !write_atomic (json_path, json, error))
    return FALSE;

  name = g_strconcat (base, ".json", NULL);
  for (guint i = 0; i < post->n_procedures; i++)
    if (remote_ids[i] == NULL)
      remote_ids[i] = g_strdup_printf ("%s#%u", name, i);
  return TRUE;
}

static gboolean
file_read_back (OpPmsConnector  *self,
                const OpPmsPost *post,
                char           **remote_ids,
                GCancellable    *cancellable,
                GError         **error)
{
  g_autofree char *base = base_name (post);
  g_autofree char *json_path = g_strdup_printf ("%s/%s.json", self->config->folder, base);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (json_path, &contents, NULL, NULL))
    return TRUE;   /* not written: nothing to mark */
  if (strstr (contents, post->idempotency_key) == NULL)
    return TRUE;
  for (guint i = 0; i < post->n_procedures; i++)
    if (remote_ids[i] == NULL)
      remote_ids[i] = g_strdup_printf ("%s.json#%u", base, i);
  return TRUE;
}

static void
file_free (OpPmsConnector *self)
{
  g_free (self);
}

static const OpPmsConnectorClass file_class = {
  .name = "file",
  .find_patients = NULL,
  .map_provider = NULL,
  .post = file_post,
  .read_back = file_read_back,
  .free = file_free,
};

OpPmsConnector *
op_pms_file_new (const OpPmsConfig *config,
                 GError           **error)
{
  OpPmsFile *self;

  if (config->folder == NULL || config->folder[0] == '\0' || !g_path_is_absolute (config->folder))
    {
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_CONFIG,
                   _("Location “%s”: the file bridge needs an absolute folder (--folder DIR)"), config->location);
      return NULL;
    }
  self = g_new0 (OpPmsFile, 1);
  self->parent.klass = &file_class;
  self->parent.config = op_pms_config_copy (config);
  return &self->parent;
}
