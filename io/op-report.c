/* op-report.c: the treatment report PDF (op-report.h).
 *
 * Drawn with cairo's PDF surface and its simple text API in sans-serif,
 * which embeds the font subsets with their Unicode maps, so that the text
 * can be searched, copied and extracted (pdftotext), as a record must.
 * The layout is a flowing cursor down the page: each block asks for the
 * height it needs and a new page starts when it does not fit.
 */
#include "config.h"

#include "op-report.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "op-fdi.h"
#include "op-schedule.h"

#define MARGIN     48.0
#define HEADER_H   34.0
#define FOOTER_H   28.0
#define BODY_SIZE  9.5
#define LINE_H     13.0
/* The logo's box in the running header, in points: tall enough to read a
 * practice's mark, short enough to leave the header one line. */
#define LOGO_MAX_H 18.0
#define LOGO_MAX_W 96.0

typedef struct {
  cairo_t             *cr;
  cairo_surface_t     *surface;
  const OpReportInput *in;
  const OpPlan        *plan;
  double               width, height;
  double               y;          /* cursor, from the top */
  int                  page;
  gboolean             final;
  char                *patient_name;
  cairo_surface_t     *logo;       /* or NULL */
} Report;

gboolean
op_paper_from_string (const char *str,
                      OpPaper    *out)
{
  if (str && g_ascii_strcasecmp (str, "a4") == 0)
    *out = OP_PAPER_A4;
  else if (str && g_ascii_strcasecmp (str, "letter") == 0)
    *out = OP_PAPER_LETTER;
  else
    return FALSE;
  return TRUE;
}

const char *
op_paper_to_string (OpPaper paper)
{
  return paper == OP_PAPER_LETTER ? "letter" : "a4";
}

gboolean
op_report_is_final (const OpReportInput *in)
{
  g_return_val_if_fail (in != NULL, FALSE);

  /* A signature is only worth something for the exact bytes it signed: an
   * approval of another version, or one that no longer verifies, leaves
   * the report a draft. */
  return in->approval != NULL && in->approval_valid &&
         (int) in->approval->plan_version == in->plan_version &&
         (in->plan_sha256 == NULL || g_strcmp0 (in->approval->plan_sha256, in->plan_sha256) == 0);
}

/* ---- drawing helpers ---- */

static void
set_font (Report *r, double size, gboolean bold)
{
  cairo_select_font_face (r->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (r->cr, size);
}

static double
text_width (Report *r, const char *text)
{
  cairo_text_extents_t e;

  cairo_text_extents (r->cr, text, &e);
  return e.x_advance;
}

static void
text_at (Report *r, double x, double y, const char *text)
{
  cairo_move_to (r->cr, x, y);
  cairo_show_text (r->cr, text);
}

static void
text_right (Report *r, double right, double y, const char *text)
{
  text_at (r, right - text_width (r, text), y, text);
}

static void
watermark (Report *r)
{
  const char *text = _("DRAFT, not approved");

  cairo_save (r->cr);
  cairo_translate (r->cr, r->width / 2, r->height / 2);
  cairo_rotate (r->cr, -atan2 (r->height, r->width));
  set_font (r, 64, TRUE);
  cairo_set_source_rgba (r->cr, 0.85, 0.15, 0.15, 0.16);
  text_at (r, -text_width (r, text) / 2, 22, text);
  cairo_restore (r->cr);
}

/* Draws the logo into the header's box, its bottom on the header rule,
 * and returns the width it took. */
static double
draw_logo (Report *r)
{
  double w, h, scale;

  if (r->logo == NULL)
    return 0;
  w = cairo_image_surface_get_width (r->logo);
  h = cairo_image_surface_get_height (r->logo);
  scale = MIN (LOGO_MAX_H / h, LOGO_MAX_W / w);
  cairo_save (r->cr);
  cairo_translate (r->cr, MARGIN, MARGIN * 0.6 + 3 - h * scale);
  cairo_scale (r->cr, scale, scale);
  cairo_set_source_surface (r->cr, r->logo, 0, 0);
  cairo_paint (r->cr);
  cairo_restore (r->cr);
  return w * scale;
}

static void
begin_page (Report *r)
{
  g_autofree char *left = NULL;
  g_autofree char *right = NULL;
  double logo_w;

  r->page++;
  logo_w = draw_logo (r);
  cairo_set_source_rgb (r->cr, 0.2, 0.2, 0.25);
  set_font (r, 8, FALSE);
  left = g_strdup_printf (_("%s · Treatment report · %s · plan v%d"),
                          r->in->practice_name && *r->in->practice_name ? r->in->practice_name : "Orthoplan",
                          r->patient_name, r->in->plan_version);
  text_at (r, MARGIN + (logo_w > 0 ? logo_w + 8 : 0), MARGIN * 0.6, left);
  set_font (r, 8, TRUE);
  text_right (r, r->width - MARGIN, MARGIN * 0.6, r->final ? _("FINAL") : _("DRAFT, not approved"));
  cairo_set_line_width (r->cr, 0.5);
  cairo_move_to (r->cr, MARGIN, MARGIN * 0.6 + 6);
  cairo_line_to (r->cr, r->width - MARGIN, MARGIN * 0.6 + 6);
  cairo_stroke (r->cr);

  set_font (r, 8, FALSE);
  right = g_strdup_printf (_("Page %d"), r->page);
  text_right (r, r->width - MARGIN, r->height - MARGIN * 0.5, right);
  text_at (r, MARGIN, r->height - MARGIN * 0.5, r->in->generated_at);
  if (!r->final)
    watermark (r);
  cairo_set_source_rgb (r->cr, 0, 0, 0);
  r->y = MARGIN + HEADER_H - 10;
}

static void
new_page (Report *r)
{
  cairo_show_page (r->cr);
  begin_page (r);
}

/* Makes room for @h points, starting a page when they do not fit. */
static void
need (Report *r, double h)
{
  if (r->y + h > r->height - MARGIN - FOOTER_H)
    new_page (r);
}

static void
heading (Report *r, const char *text)
{
  need (r, 46);
  r->y += 22;
  set_font (r, 13, TRUE);
  cairo_set_source_rgb (r->cr, 0.10, 0.25, 0.50);
  text_at (r, MARGIN, r->y, text);
  cairo_set_source_rgb (r->cr, 0, 0, 0);
  r->y += 12;
}

/* Draws @text wrapped to the body width. */
static void
paragraph (Report *r, const char *text, double size, gboolean bold)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  g_autoptr(GString) line = g_string_new (NULL);
  double max = r->width - 2 * MARGIN;

  set_font (r, size, bold);
  for (guint i = 0; words[i]; i++)
    {
      g_autofree char *candidate = line->len ? g_strdup_printf ("%s %s", line->str, words[i]) : g_strdup (words[i]);

      if (line->len && text_width (r, candidate) > max)
        {
          need (r, LINE_H);
          set_font (r, size, bold);
          r->y += LINE_H;
          text_at (r, MARGIN, r->y, line->str);
          g_string_assign (line, words[i]);
        }
      else
        g_string_assign (line, candidate);
    }
  if (line->len)
    {
      need (r, LINE_H);
      set_font (r, size, bold);
      r->y += LINE_H;
      text_at (r, MARGIN, r->y, line->str);
    }
}

/* One "label: value" line of a record block. */
static void
field (Report *r, const char *label, const char *value)
{
  need (r, LINE_H);
  r->y += LINE_H;
  set_font (r, BODY_SIZE, TRUE);
  text_at (r, MARGIN, r->y, label);
  set_font (r, BODY_SIZE, FALSE);
  text_at (r, MARGIN + 130, r->y, value && *value ? value : "—");
}

/* A table row: @cells at the x offsets @cols (from the margin); numbers
 * are right-aligned at the column's end when @right[i]. */
static void
row (Report *r, const char *const *cells, const double *cols, const gboolean *right, guint n, gboolean bold)
{
  need (r, LINE_H);
  r->y += LINE_H;
  set_font (r, BODY_SIZE, bold);
  for (guint i = 0; i < n; i++)
    if (right && right[i])
      text_right (r, MARGIN + cols[i + 1] - 8, r->y, cells[i]);
    else
      text_at (r, MARGIN + cols[i], r->y, cells[i]);
  if (bold)
    {
      cairo_set_line_width (r->cr, 0.5);
      cairo_move_to (r->cr, MARGIN, r->y + 3.5);
      cairo_line_to (r->cr, MARGIN + cols[n], r->y + 3.5);
      cairo_stroke (r->cr);
    }
}

static char *
format_date (const GDate *d)
{
  char buf[32];

  g_date_strftime (buf, sizeof buf, "%Y-%m-%d", d);
  return g_strdup (buf);
}

/* ---- blocks ---- */

static void
block_record (Report *r)
{
  const OpReportInput *in = r->in;
  const OpPatient *p = in->patient;
  g_autofree char *dob = g_strdup (p->birth_date);
  g_autofree char *case_text = g_strdup_printf ("%" G_GINT64_FORMAT, in->case_id);
  g_autofree char *version = g_strdup_printf (_("version %d"), in->plan_version);
  g_autofree char *aligners = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *start = NULL, *end = NULL;
  guint interval = in->interval_days ? in->interval_days : OP_SCHEDULE_DEFAULT_INTERVAL_DAYS;
  guint n = op_schedule_n_aligners (r->plan);
  GDate sd, ed;

  set_font (r, 20, TRUE);
  r->y += 14;
  text_at (r, MARGIN, r->y, _("Treatment report"));
  set_font (r, 12, TRUE);
  cairo_set_source_rgb (r->cr, r->final ? 0.05 : 0.75, r->final ? 0.45 : 0.1, 0.1);
  text_right (r, r->width - MARGIN, r->y, r->final ? _("FINAL — approved plan") : _("DRAFT, not approved"));
  cairo_set_source_rgb (r->cr, 0, 0, 0);
  r->y += 8;

  heading (r, _("Patient and practice"));
  field (r, _("Patient"), r->patient_name);
  field (r, _("Date of birth"), dob);
  field (r, _("Chart number"), p->chart_number);
  field (r, _("Case"), case_text);
  field (r, _("Practice"), in->practice_name);
  field (r, _("Location"), in->location_name);
  field (r, _("Provider"), in->provider_name);
  field (r, _("Report date"), in->generated_at);

  heading (r, _("Plan"));
  field (r, _("Plan"), version);
  field (r, _("Plan created"), in->plan_created_at);
  field (r, _("Plan SHA-256"), in->plan_sha256);
  aligners = g_strdup_printf (_("%u (upper %u, lower %u)"), n, op_schedule_arch_aligners (r->plan, TRUE),
                              op_schedule_arch_aligners (r->plan, FALSE));
  field (r, _("Aligners"), aligners);
  duration = g_strdup_printf (_("%u days (%u weeks), one aligner every %u days"),
                              op_schedule_days (n, interval), op_schedule_days (n, interval) / 7, interval);
  field (r, _("Expected duration"), duration);
  if (in->start_date && op_schedule_parse_date (in->start_date, &sd) &&
      op_schedule_aligner_date (&sd, interval, n + 1, &ed))
    {
      start = format_date (&sd);
      end = format_date (&ed);
    }
  field (r, _("Start"), start ? start : _("not scheduled"));
  field (r, _("Expected end"), end ? end : _("not scheduled"));

  heading (r, _("Approval"));
  if (in->approval)
    {
      const OpApproval *a = in->approval;
      g_autofree char *signer = g_strdup_printf ("%s (%s)", a->signer_name, a->signer_login);
      g_autofree char *approved_version = g_strdup_printf (_("version %u"), a->plan_version);

      field (r, _("Signed by"), signer);
      field (r, _("NPI"), a->signer_npi);
      field (r, _("Signed at"), a->signed_at);
      field (r, _("Meaning"), a->meaning);
      field (r, _("Approved plan"), approved_version);
      field (r, _("Key fingerprint"), a->fingerprint);
      field (r, _("Signature"), r->final ? _("verified against the stored plan bytes")
                                         : _("does NOT verify for this plan"));
      if (!r->final && in->approval_problem)
        paragraph (r, in->approval_problem, BODY_SIZE, FALSE);
    }
  else
    field (r, _("Status"), _("not approved: no provider has signed this plan"));
}

static cairo_surface_t *
picture_surface (const OpReportPicture *pic)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, pic->width, pic->height);
  guint8 *dst = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);

  cairo_surface_flush (s);
  for (int y = 0; y < pic->height; y++)
    {
      guint32 *out = (guint32 *) (dst + (gsize) y * stride);
      const guint8 *src = pic->rgba + (gsize) y * pic->width * 4;

      for (int x = 0; x < pic->width; x++)
        {
          guint a = src[4 * x + 3];

          out[x] = (a << 24) | ((src[4 * x] * a / 255) << 16) | ((src[4 * x + 1] * a / 255) << 8) |
                   (src[4 * x + 2] * a / 255);
        }
    }
  cairo_surface_mark_dirty (s);
  return s;
}

static void
block_pictures (Report *r, const char *title, const OpReportPicture *pics, guint n)
{
  double col_w = (r->width - 2 * MARGIN - 12) / 2;

  if (n == 0)
    return;
  heading (r, title);
  for (guint i = 0; i < n; i += 2)
    {
      double h = 0;

      for (guint k = i; k < MIN (n, i + 2); k++)
        h = MAX (h, col_w * pics[k].height / MAX (1, pics[k].width));
      need (r, h + 22);
      for (guint k = i; k < MIN (n, i + 2); k++)
        {
          const OpReportPicture *pic = &pics[k];
          double x = MARGIN + (k - i) * (col_w + 12);
          double scale = col_w / MAX (1, pic->width);
          cairo_surface_t *s;

          if (pic->rgba == NULL || pic->width <= 0 || pic->height <= 0)
            continue;
          s = picture_surface (pic);
          cairo_save (r->cr);
          cairo_translate (r->cr, x, r->y + 4);
          cairo_scale (r->cr, scale, scale);
          cairo_set_source_surface (r->cr, s, 0, 0);
          cairo_paint (r->cr);
          cairo_restore (r->cr);
          cairo_surface_destroy (s);
          set_font (r, 8.5, FALSE);
          text_at (r, x, r->y + 4 + pic->height * scale + 11, pic->caption ? pic->caption : "");
        }
      r->y += h + 20;
    }
}

static void
block_movements (Report *r)
{
  g_autoptr(GArray) rows = op_plan_movement_table (r->plan);
  static const double cols[] = { 0, 50, 115, 180, 245, 310, 375, 440, 500 };
  static const gboolean right[] = { FALSE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, FALSE };
  const char *head[] = { _("Tooth"), _("M-D mm"), _("B-L mm"), _("Vert. mm"), _("Rot. °"), _("Tip °"),
                         _("Torque °"), _("Note") };

  heading (r, _("Movement table (target, relative to the start)"));
  paragraph (r, _("Positive: mesial, buccal, extrusion, mesio-buccal rotation, mesial crown tip, buccal "
                  "crown torque. An asterisk marks a movement beyond the provider's comfort threshold."),
             8.5, FALSE);
  row (r, head, cols, right, G_N_ELEMENTS (head), TRUE);
  for (guint i = 0; i < rows->len; i++)
    {
      const OpMovementRow *m = &g_array_index (rows, OpMovementRow, i);
      char cells[8][32];
      const char *ptrs[8];

      g_snprintf (cells[0], sizeof cells[0], "%d", m->fdi);
      for (guint c = 0; c < OP_N_COMPONENTS; c++)
        {
          char num[G_ASCII_DTOSTR_BUF_SIZE];

          g_ascii_formatd (num, sizeof num, c < OP_COMPONENT_ROT ? "%.2f" : "%.1f",
                           op_movement_get (&m->total, c));
          g_snprintf (cells[c + 1], sizeof cells[c + 1], "%s%s", num, (m->flagged & (1u << c)) ? "*" : "");
        }
      g_strlcpy (cells[7], m->flagged ? _("check") : "", sizeof cells[7]);
      for (guint k = 0; k < 8; k++)
        ptrs[k] = cells[k];
      row (r, ptrs, cols, right, 8, FALSE);
    }
}

/* The teeth of one arch from the patient's right to left, as a chart
 * draws them. */
static guint
arch_order (gboolean upper, int out[16])
{
  guint n = 0;
  int right_q = upper ? 1 : 4, left_q = upper ? 2 : 3;

  for (int u = 8; u >= 1; u--)
    out[n++] = right_q * 10 + u;
  for (int u = 1; u <= 8; u++)
    out[n++] = left_q * 10 + u;
  return n;
}

/* A row of tooth boxes for each arch with, between neighbours, the IPR
 * amounts (@ipr) or, on the teeth, the attachments. */
static void
tooth_chart (Report *r, gboolean ipr)
{
  double w = (r->width - 2 * MARGIN) / 16.0;

  for (int a = 0; a < 2; a++)
    {
      gboolean upper = a == 0;
      int order[16];
      guint n = arch_order (upper, order);

      need (r, 70);
      set_font (r, 8.5, TRUE);
      r->y += 12;
      text_at (r, MARGIN, r->y, upper ? _("Upper arch (patient's right on the left)") : _("Lower arch"));
      r->y += 6;
      for (guint i = 0; i < n; i++)
        {
          int fdi = order[i];
          double x = MARGIN + i * w;
          gboolean present = op_plan_find_tooth (r->plan, fdi) >= 0;
          char label[8];

          cairo_rectangle (r->cr, x + 2, r->y, w - 4, 24);
          if (!present)
            cairo_set_source_rgb (r->cr, 0.93, 0.93, 0.93);
          else
            cairo_set_source_rgb (r->cr, 0.98, 0.97, 0.92);
          if (!ipr)
            for (guint k = 0; k < r->plan->attachments->len; k++)
              if (g_array_index (r->plan->attachments, OpPlanAttachment, k).fdi == fdi)
                cairo_set_source_rgb (r->cr, 0.62, 0.80, 0.98);
          cairo_fill_preserve (r->cr);
          cairo_set_source_rgb (r->cr, 0.4, 0.4, 0.45);
          cairo_set_line_width (r->cr, 0.6);
          cairo_stroke (r->cr);
          set_font (r, 8, FALSE);
          g_snprintf (label, sizeof label, "%d", fdi);
          text_at (r, x + w / 2 - text_width (r, label) / 2, r->y + 15, label);
        }
      set_font (r, 7, TRUE);
      for (guint i = 0; i < n; i++)
        {
          double x = MARGIN + i * w;

          if (ipr && i + 1 < n)
            for (guint k = 0; k < r->plan->ipr->len; k++)
              {
                const OpIpr *p = &g_array_index (r->plan->ipr, OpIpr, k);
                int lo = MIN (order[i], order[i + 1]), hi = MAX (order[i], order[i + 1]);
                char text[32];

                if (p->fdi_a != lo || p->fdi_b != hi)
                  continue;
                g_snprintf (text, sizeof text, "%.2f", p->amount_mm);
                cairo_set_source_rgb (r->cr, 0.75, 0.1, 0.1);
                cairo_move_to (r->cr, x + w, r->y - 2);
                cairo_line_to (r->cr, x + w, r->y + 26);
                cairo_stroke (r->cr);
                text_at (r, x + w - text_width (r, text) / 2, r->y + 36, text);
                cairo_set_source_rgb (r->cr, 0, 0, 0);
              }
          if (!ipr)
            for (guint k = 0; k < r->plan->attachments->len; k++)
              {
                const OpPlanAttachment *att = &g_array_index (r->plan->attachments, OpPlanAttachment, k);
                const char *t = att->type == OP_ATTACH_RECT_VERTICAL ? "V"
                              : att->type == OP_ATTACH_RECT_HORIZONTAL ? "H" : "PR";

                if (att->fdi == order[i])
                  text_at (r, x + w / 2 - text_width (r, t) / 2, r->y + 36, t);
              }
        }
      cairo_set_source_rgb (r->cr, 0, 0, 0);
      r->y += 40;
    }
}

static void
block_ipr (Report *r)
{
  static const double cols[] = { 0, 90, 170, 300, 420 };
  static const gboolean right[] = { FALSE, TRUE, FALSE, FALSE };
  const char *head[] = { _("Contact"), _("Amount mm"), _("Before aligner"), _("Visit date") };
  guint interval = r->in->interval_days ? r->in->interval_days : OP_SCHEDULE_DEFAULT_INTERVAL_DAYS;
  GDate start;
  gboolean dated = r->in->start_date && op_schedule_parse_date (r->in->start_date, &start);

  heading (r, _("Interproximal reduction (IPR)"));
  if (r->plan->ipr->len == 0)
    {
      paragraph (r, _("No IPR in this plan."), BODY_SIZE, FALSE);
      return;
    }
  paragraph (r, _("Both surfaces of the contact together. Red marks on the chart show where, with the amount in mm."),
             8.5, FALSE);
  tooth_chart (r, TRUE);
  row (r, head, cols, right, G_N_ELEMENTS (head), TRUE);
  for (guint i = 0; i < r->plan->ipr->len; i++)
    {
      const OpIpr *p = &g_array_index (r->plan->ipr, OpIpr, i);
      char contact[16], amount[G_ASCII_DTOSTR_BUF_SIZE], aligner[16];
      g_autofree char *date = NULL;
      GDate d;
      const char *cells[4];

      g_snprintf (contact, sizeof contact, "%d–%d", p->fdi_a, p->fdi_b);
      g_ascii_formatd (amount, sizeof amount, "%.2f", p->amount_mm);
      g_snprintf (aligner, sizeof aligner, "%u", p->stage + 1);
      if (dated && op_schedule_aligner_date (&start, interval, p->stage + 1, &d))
        date = format_date (&d);
      cells[0] = contact;
      cells[1] = amount;
      cells[2] = aligner;
      cells[3] = date ? date : "—";
      row (r, cells, cols, right, 4, FALSE);
    }
}

static void
block_attachments (Report *r)
{
  static const double cols[] = { 0, 50, 160, 290, 400 };
  const char *head[] = { _("Tooth"), _("Type"), _("Size mm (L × W × D)"), _("Bond before aligner") };

  heading (r, _("Attachments"));
  if (r->plan->attachments->len == 0)
    {
      paragraph (r, _("No attachments in this plan."), BODY_SIZE, FALSE);
      return;
    }
  paragraph (r, _("Blue teeth carry an attachment: V vertical rectangle, H horizontal rectangle, PR power ridge."),
             8.5, FALSE);
  tooth_chart (r, FALSE);
  row (r, head, cols, NULL, G_N_ELEMENTS (head), TRUE);
  for (guint i = 0; i < r->plan->attachments->len; i++)
    {
      const OpPlanAttachment *a = &g_array_index (r->plan->attachments, OpPlanAttachment, i);
      char tooth[8], size[64], aligner[16];
      const char *cells[4];

      g_snprintf (tooth, sizeof tooth, "%d", a->fdi);
      g_snprintf (size, sizeof size, "%.1f × %.1f × %.2f", a->length_mm, a->width_mm, a->depth_mm);
      g_snprintf (aligner, sizeof aligner, "%u", a->stage + 1);
      cells[0] = tooth;
      cells[1] = op_plan_attachment_type_to_string (a->type);
      cells[2] = size;
      cells[3] = aligner;
      row (r, cells, cols, NULL, 4, FALSE);
    }
}

static void
block_schedule (Report *r)
{
  static const double cols[] = { 0, 60, 160, 440 };
  const char *head[] = { _("Aligner"), _("From"), _("At this visit") };
  guint interval = r->in->interval_days ? r->in->interval_days : OP_SCHEDULE_DEFAULT_INTERVAL_DAYS;
  guint n = op_schedule_n_aligners (r->plan);
  GDate start;
  gboolean dated = r->in->start_date && op_schedule_parse_date (r->in->start_date, &start);
  g_autofree char *intro = g_strdup_printf (
    g_dngettext (GETTEXT_PACKAGE, "%u aligner, each worn %u days.", "%u aligners, each worn %u days.", n),
    n, interval);

  heading (r, _("Schedule"));
  paragraph (r, intro, BODY_SIZE, FALSE);
  if (!dated)
    paragraph (r, _("No start date was given: the dates are counted in days from the first aligner."),
               8.5, FALSE);
  row (r, head, cols, NULL, G_N_ELEMENTS (head), TRUE);
  for (guint k = 1; k <= n; k++)
    {
      char num[16];
      g_autofree char *when = NULL;
      g_autoptr(GString) what = g_string_new (NULL);
      const char *cells[3];
      GDate d;

      g_snprintf (num, sizeof num, "%u", k);
      if (dated && op_schedule_aligner_date (&start, interval, k, &d))
        when = format_date (&d);
      else
        when = g_strdup_printf (_("day %u"), (k - 1) * interval);
      for (guint i = 0; i < r->plan->ipr->len; i++)
        {
          const OpIpr *p = &g_array_index (r->plan->ipr, OpIpr, i);

          if (p->stage + 1 == k)
            g_string_append_printf (what, "%sIPR %d–%d %.2f mm", what->len ? "; " : "", p->fdi_a, p->fdi_b,
                                    p->amount_mm);
        }
      for (guint i = 0; i < r->plan->attachments->len; i++)
        {
          const OpPlanAttachment *a = &g_array_index (r->plan->attachments, OpPlanAttachment, i);

          if (a->stage + 1 == k)
            g_string_append_printf (what, "%s%s %d", what->len ? "; " : "", _("bond attachment"), a->fdi);
        }
      cells[0] = num;
      cells[1] = when;
      cells[2] = what->str;
      row (r, cells, cols, NULL, 3, FALSE);
    }
}

static void
block_warnings (Report *r)
{
  heading (r, _("Warnings"));
  if (r->plan->warnings->len == 0)
    {
      paragraph (r, _("The planner raised no warnings."), BODY_SIZE, FALSE);
      return;
    }
  for (guint i = 0; i < r->plan->warnings->len; i++)
    {
      const OpPlanWarning *w = &g_array_index (r->plan->warnings, OpPlanWarning, i);
      g_autofree char *text = g_strdup_printf ("• [%s] %s", w->code, w->message);

      paragraph (r, text, BODY_SIZE, FALSE);
    }
}

static cairo_status_t
write_to_array (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

typedef struct {
  const guint8 *data;
  gsize         len;
  gsize         pos;
} PngReader;

static cairo_status_t
read_from_bytes (void *closure, unsigned char *data, unsigned int length)
{
  PngReader *reader = closure;

  if (length > reader->len - reader->pos)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, reader->data + reader->pos, length);
  reader->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

/* The logo as a cairo surface.  Read once, before any page is drawn, so
 * that a bad logo stops the report before anything is written; painted on
 * every page from the same surface, so the PDF holds it once. */
static cairo_surface_t *
load_logo (const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  const char *mime = NULL;
  cairo_surface_t *s;
  PngReader reader = { 0 };
  cairo_status_t status;

  bytes = op_export_logo_read (path, &mime, error);
  if (bytes == NULL)
    return NULL;
  /* cairo reads PNG with no help; JPEG or SVG would need gdk-pixbuf or
   * librsvg, which io/ does not link, so the report takes PNG alone and
   * says so rather than leave the logo out without a word. */
  if (g_strcmp0 (mime, "image/png") != 0)
    {
      const char *kind = g_str_equal (mime, "image/jpeg") ? "JPEG"
                         : g_str_equal (mime, "image/gif") ? "GIF"
                         : g_str_equal (mime, "image/webp") ? "WebP" : "SVG";

      g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_LOGO,
                   _("logo %s: the treatment report takes a PNG logo, not a %s picture; "
                     "save the logo as PNG (the patient simulation takes it as it is)"), path, kind);
      return NULL;
    }
  reader.data = g_bytes_get_data (bytes, &reader.len);
  s = cairo_image_surface_create_from_png_stream (read_from_bytes, &reader);
  status = cairo_surface_status (s);
  if (status != CAIRO_STATUS_SUCCESS || cairo_image_surface_get_width (s) <= 0 ||
      cairo_image_surface_get_height (s) <= 0)
    {
      g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_LOGO, _("logo %s: not a readable PNG picture (%s)"), path,
                   cairo_status_to_string (status));
      cairo_surface_destroy (s);
      return NULL;
    }
  return s;
}

GBytes *
op_report_build_pdf (const OpPlan        *plan,
                     const OpReportInput *in,
                     GError             **error)
{
  g_autoptr(GByteArray) out = NULL;
  Report r = { 0 };
  GDate check;
  cairo_status_t status;

  g_return_val_if_fail (plan != NULL && in != NULL, NULL);

  if (in->patient == NULL || in->patient->family_name == NULL)
    {
      g_set_error_literal (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_INPUT, _("report: the patient is missing"));
      return NULL;
    }
  if (in->plan_version < 1)
    {
      g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_INPUT,
                   _("report: plan version %d is not a stored version"), in->plan_version);
      return NULL;
    }
  if (in->generated_at == NULL || *in->generated_at == '\0')
    {
      g_set_error_literal (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_INPUT, _("report: the report date is missing"));
      return NULL;
    }
  if (in->start_date && !op_schedule_parse_date (in->start_date, &check))
    {
      g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_INPUT,
                   _("report: start date “%s” is not a YYYY-MM-DD date"), in->start_date);
      return NULL;
    }

  if (in->logo_path && *in->logo_path)
    {
      r.logo = load_logo (in->logo_path, error);
      if (r.logo == NULL)
        return NULL;
    }

  out = g_byte_array_new ();
  r.in = in;
  r.plan = plan;
  r.final = op_report_is_final (in);
  r.patient_name = g_strdup_printf ("%s, %s", in->patient->family_name,
                                    in->patient->given_name ? in->patient->given_name : "");
  /* ISO 216 A4 and US Letter, in points. */
  r.width = in->paper == OP_PAPER_LETTER ? 612 : 595.276;
  r.height = in->paper == OP_PAPER_LETTER ? 792 : 841.89;
  r.surface = cairo_pdf_surface_create_for_stream (write_to_array, out, r.width, r.height);
  /* The report's own date, not the time of writing, so the same input
   * gives the same bytes. */
  cairo_pdf_surface_set_metadata (r.surface, CAIRO_PDF_METADATA_TITLE, _("Treatment report"));
  cairo_pdf_surface_set_metadata (r.surface, CAIRO_PDF_METADATA_CREATOR, "Orthoplan " PACKAGE_VERSION);
  cairo_pdf_surface_set_metadata (r.surface, CAIRO_PDF_METADATA_CREATE_DATE, in->generated_at);
  r.cr = cairo_create (r.surface);

  begin_page (&r);
  block_record (&r);
  new_page (&r);
  block_pictures (&r, _("Initial position"), in->initial, in->n_initial);
  new_page (&r);
  block_pictures (&r, _("Final position (planned)"), in->final_pictures, in->n_final);
  new_page (&r);
  block_movements (&r);
  new_page (&r);
  block_ipr (&r);
  block_attachments (&r);
  new_page (&r);
  block_schedule (&r);
  block_warnings (&r);
  cairo_show_page (r.cr);

  cairo_destroy (r.cr);
  cairo_surface_finish (r.surface);
  status = cairo_surface_status (r.surface);
  cairo_surface_destroy (r.surface);
  g_clear_pointer (&r.logo, cairo_surface_destroy);
  g_free (r.patient_name);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_WRITE, _("report: cairo could not draw the PDF (%s)"),
                   cairo_status_to_string (status));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
op_report_check_logo (const char  *path,
                      GError     **error)
{
  cairo_surface_t *logo;

  g_return_val_if_fail (path != NULL, FALSE);

  logo = load_logo (path, error);
  if (logo == NULL)
    return FALSE;
  cairo_surface_destroy (logo);
  return TRUE;
}

gboolean
op_report_write_pdf (const OpPlan        *plan,
                     const OpReportInput *input,
                     const char          *path,
                     GError             **error)
{
  g_autoptr(GBytes) pdf = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  pdf = op_report_build_pdf (plan, input, error);
  if (pdf == NULL)
    return FALSE;
  return op_export_write_file (path, pdf, error);
}
