/* op-identity.h: does a DICOM header describe the case's patient?
 *
 * A CBCT of the wrong patient attached to a plan is a safety problem, so
 * the comparison is a rule of its own, made here and shown by the CLI and
 * the app alike.  Names are compared without case or accents, the DICOM
 * "Family^Given^Middle" form against the case's family and given names;
 * a field missing on either side is not compared.  Headers that were
 * anonymised carry no identity to check, and say so.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  OP_IDENTITY_MATCH              = 0,
  OP_IDENTITY_NAME_MISMATCH      = 1 << 0,
  OP_IDENTITY_BIRTH_DATE_MISMATCH = 1 << 1,
  OP_IDENTITY_ID_MISMATCH        = 1 << 2,
  OP_IDENTITY_ANONYMOUS          = 1 << 3,   /* nothing to compare: not a mismatch */
} OpIdentityResult;

/* Compares the header's name (DICOM PN), birth date (YYYY-MM-DD) and
 * patient id with the case's patient.  Any argument may be NULL.  When
 * @message is not NULL it receives a sentence for people ("the CBCT is of
 * DOE^JOHN, born 1980-02-03; the case is Roe, Richard, born 1975-06-30"),
 * or NULL on a match. */
OpIdentityResult op_identity_compare (const char  *dicom_name,
                                      const char  *dicom_birth_date,
                                      const char  *dicom_id,
                                      const char  *family_name,
                                      const char  *given_name,
                                      const char  *birth_date,
                                      const char  *chart_number,
                                      char       **message);

G_END_DECLS
