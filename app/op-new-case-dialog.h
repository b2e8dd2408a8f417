/* op-new-case-dialog.h: asks for the patient and files a new case.
 *
 * The store validates what was typed (names, the date of birth); its
 * message, which names the field, is shown in the dialog and nothing is
 * stored.  On success the dialog emits "case-created" with the new case's
 * id and closes.
 */
#pragma once

#include <adwaita.h>

#include "op-store.h"

G_BEGIN_DECLS

#define OP_TYPE_NEW_CASE_DIALOG (op_new_case_dialog_get_type ())
G_DECLARE_FINAL_TYPE (OpNewCaseDialog, op_new_case_dialog, OP, NEW_CASE_DIALOG, AdwWindow)

GtkWidget  *op_new_case_dialog_new       (GtkWindow       *parent,
                                          OpStore         *store);

/* Fills the form as a person would type it; any argument may be NULL to
 * leave that field alone.  For tests and for pre-filling from a search. */
void        op_new_case_dialog_fill      (OpNewCaseDialog *self,
                                          const char      *family_name,
                                          const char      *given_name,
                                          const char      *birth_date,
                                          const char      *chart_number,
                                          const char      *location);

/* Tries to create the case, as the Create button does.  Returns the new
 * case id, or 0 when the store refused (the reason is shown). */
gint64      op_new_case_dialog_create    (OpNewCaseDialog *self);

/* The message shown for the last refusal, or NULL. */
const char *op_new_case_dialog_get_error (OpNewCaseDialog *self);

G_END_DECLS
