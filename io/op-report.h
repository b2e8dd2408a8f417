/* op-report.h: the treatment report, a PDF drawn with cairo.
 *
 * What the practice files and prints for a plan: patient, provider and
 * dates; the plan version and its approval (signer, NPI, time, meaning and
 * the signing key's fingerprint); pictures of the initial and final
 * positions in the standard views; the movement table; an IPR chart; an
 * attachment chart; the aligner schedule; warnings.  A4 or Letter.
 *
 * Only a plan approved with a signature that verifies, for this very
 * version and these very bytes, gives a report marked final; any other
 * report carries "DRAFT, not approved" across every page.
 *
 * Pictures come from app/, which renders them with render/; io/ only
 * places the pixels.  The same input gives the same bytes.
 */
#pragma once

#include <gio/gio.h>

#include "op-export.h"
#include "op-plan.h"
#include "op-store.h"

G_BEGIN_DECLS

typedef enum {
  OP_PAPER_A4,
  OP_PAPER_LETTER,
} OpPaper;

/* "a4", "letter" (any case). */
gboolean    op_paper_from_string (const char *str,
                                  OpPaper    *out);
const char *op_paper_to_string   (OpPaper     paper);

typedef struct {
  const guint8 *rgba;      /* straight alpha, top row first, width * height * 4 */
  int           width;
  int           height;
  const char   *caption;   /* "Front", "Upper occlusal", ... */
} OpReportPicture;

/* Zero-initialise, then fill. */
typedef struct {
  OpPaper                paper;
  const char            *practice_name;     /* or NULL */
  const char            *location_name;     /* or NULL */
  const OpPatient       *patient;           /* required */
  const char            *provider_name;     /* or NULL */
  gint64                 case_id;
  int                    plan_version;      /* >= 1 */
  const char            *plan_sha256;       /* of the canonical plan bytes, or NULL */
  const char            *plan_created_at;   /* or NULL */
  /* The case's latest approval (NULL when none) and whether
   * op_store_verify_approval() accepted it; @approval_problem says why
   * not. */
  const OpApproval      *approval;
  gboolean               approval_valid;
  const char            *approval_problem;
  const char            *start_date;        /* "YYYY-MM-DD" aligner 1 is worn from, or NULL */
  guint                  interval_days;     /* 0 for 14 */
  const char            *generated_at;      /* shown as the report's date; required */
  const OpReportPicture *initial;           /* pictures of stage 0 */
  guint                  n_initial;
  const OpReportPicture *final_pictures;    /* pictures of the last stage */
  guint                  n_final;
  /* The practice logo drawn in every page's header: a PNG file, or NULL
   * or "" for none.  Only PNG, because cairo reads PNG itself and io/
   * takes no picture library for the other formats; the patient page
   * (op-export-html.h) takes JPEG, GIF, WebP and SVG as well. */
  const char            *logo_path;
} OpReportInput;

/* TRUE only when @input carries an approval that verified, for
 * @input->plan_version and (when given) the same plan hash. */
gboolean  op_report_is_final  (const OpReportInput *input);

/* The PDF's bytes.  Fails with OP_EXPORT_ERROR_INPUT naming the field when
 * the patient, the version or the date is missing or a start date is not
 * a date, and with OP_EXPORT_ERROR_LOGO naming the file when the logo is
 * missing, too big, not a PNG or a broken one. */
GBytes   *op_report_build_pdf (const OpPlan        *plan,
                               const OpReportInput *input,
                               GError             **error);

/* Reads the logo at @path as op_report_build_pdf() would, failing with
 * the same OP_EXPORT_ERROR_LOGO message, so that a caller can refuse a bad
 * logo before it spends time on the pictures. */
gboolean  op_report_check_logo (const char  *path,
                                GError     **error);

/* Builds the PDF and writes it to @path (op_export_write_file). */
gboolean  op_report_write_pdf (const OpPlan        *plan,
                               const OpReportInput *input,
                               const char          *path,
                               GError             **error);

G_END_DECLS
