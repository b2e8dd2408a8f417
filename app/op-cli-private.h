/* op-cli-private.h: shared pieces of orthoplan-cli's subcommands. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "op-camera.h"
#include "op-mesh.h"
#include "op-store.h"

G_BEGIN_DECLS

#define OP_CLI_ERROR (op_cli_error_quark ())
GQuark op_cli_error_quark (void);

typedef enum {
  OP_CLI_ERROR_USAGE,
  OP_CLI_ERROR_FAILED,
} OpCliError;

typedef struct {
  const char *db_path;   /* --db, or NULL for the default */
  GCancellable *cancellable;
} OpCliGlobals;

typedef gboolean (*OpCliCommand) (OpCliGlobals  *globals,
                                  int            argc,
                                  char         **argv,
                                  GError       **error);

/* Parses @argv with @entries; reports unknown options as usage errors. */
gboolean  op_cli_parse          (const char    *usage,
                                 const char    *summary,
                                 GOptionEntry  *entries,
                                 int           *argc,
                                 char        ***argv,
                                 GError       **error);
OpStore  *op_cli_open_store     (OpCliGlobals  *globals,
                                 GError       **error);
void      op_cli_print_json     (JsonNode      *node);

/* Renders @meshes together offscreen from @view and writes a PNG. */
gboolean  op_cli_render_png     (OpMesh       **meshes,
                                 guint          n_meshes,
                                 OpView         view,
                                 int            width,
                                 int            height,
                                 const char    *path,
                                 GError       **error);

gboolean  op_cli_case           (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);

gboolean  op_cli_segment        (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);
gboolean  op_cli_segment_eval   (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);
/* segment versions | segment edit (op-cli-segment-edit.c). */
gboolean  op_cli_segment_versions (OpCliGlobals  *globals,
                                   int            argc,
                                   char         **argv,
                                   GError       **error);
gboolean  op_cli_segment_edit   (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);
/* A positive case number from @text (NULL when the argument is missing);
 * every command that names a case parses it here. */
/* --patient "Family, Given" split into its two names (usage error when
 * there is no comma). */
gboolean  op_cli_split_patient_name (const char  *text,
                                     char       **family,
                                     char       **given,
                                     GError     **error);
gboolean  op_cli_parse_case_id  (const char    *text,
                                 gint64        *out,
                                 GError       **error);
/* The store, for a command on the case numbered @case_text (its number
 * in @out_case_id); NULL with @error set when either fails. */
OpStore  *op_cli_open_case      (OpCliGlobals  *globals,
                                 const char    *case_text,
                                 gint64        *out_case_id,
                                 GError       **error);
/* The scan of case @case_id named by @which: its number, or "upper" or
 * "lower" for the first scan of that jaw. */
OpScanRecord *op_cli_find_scan  (OpStore       *store,
                                 gint64         case_id,
                                 const char    *which,
                                 GError       **error);

/* op-cli-user.c */
gboolean  op_cli_user           (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);
gboolean  op_cli_approve        (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);
gboolean  op_cli_request_changes (OpCliGlobals *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);
gboolean  op_cli_verify         (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);
gboolean  op_cli_audit          (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);

gboolean  op_cli_dicom          (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);
gboolean  op_cli_render_slice   (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);
/* op-cli-register.c */
gboolean  op_cli_register       (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);

/* op-cli-plan.c */
gboolean  op_cli_case_import_teeth (OpCliGlobals  *globals,
                                    int            argc,
                                    char         **argv,
                                    GError       **error);
gboolean  op_cli_plan           (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);
gboolean  op_cli_plan_check     (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);

/* op-cli-pms.c */
gboolean  op_cli_outbox         (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);
gboolean  op_cli_pms            (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);

/* op-cli-export.c */
gboolean  op_cli_export         (OpCliGlobals  *globals,
                                 int            argc,
                                 char         **argv,
                                 GError       **error);
/* export CASE --production DIR (op-cli-production.c). */
gboolean  op_cli_export_production (OpCliGlobals  *globals,
                                    const char    *case_text,
                                    const char    *dir,
                                    const char    *arch,
                                    const char    *stages,
                                    GError       **error);

G_END_DECLS
