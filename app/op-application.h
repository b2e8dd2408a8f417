/* op-application.h: the Orthoplan application: options, actions, the store.
 *
 * Options: --db PATH picks the case database (else op_store_default_path(),
 * which honours $ORTHOPLAN_DB); --demo opens the bundled demo case.
 */
#pragma once

#include <adwaita.h>

#include "op-store.h"

G_BEGIN_DECLS

#define OP_TYPE_APPLICATION (op_application_get_type ())
G_DECLARE_FINAL_TYPE (OpApplication, op_application, OP, APPLICATION, AdwApplication)

OpApplication *op_application_new          (void);

/* What --db and --demo set; for embedding the application in tests. */
void           op_application_set_db_path  (OpApplication *self,
                                            const char    *path);
void           op_application_set_demo     (OpApplication *self,
                                            gboolean       demo);

/* The open store, or NULL before activation or when it failed to open. */
OpStore       *op_application_get_store    (OpApplication *self);

/* Ensures the demo case exists and shows it in @window. */
gboolean       op_application_show_demo    (OpApplication *self,
                                            GtkWindow     *window,
                                            GError       **error);

G_END_DECLS
