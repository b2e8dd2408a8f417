/* test-app-util.h: helpers shared by the application tests under Xvfb.
 *
 * Every app test drives the real application in-process, so each needs
 * the same ways to let the main loop run until something happens, to wait
 * for common widget states, to save screenshots for a person to look at
 * and to remove its private data directory.  They live here once so that
 * a fix to, say, the screenshot retry reaches every test.
 */
#pragma once

#include <gtk/gtk.h>

#include "op-application.h"
#include "op-store.h"
#include "op-window.h"

G_BEGIN_DECLS

void     op_test_quiet_environment     (void);

/* A condition polled by op_test_wait_until(); @data is the caller's. */
typedef gboolean (*OpTestCond) (gpointer data);

gboolean op_test_wait_until            (OpTestCond  cond,
                                        gpointer    data,
                                        guint       timeout_ms);
void     op_test_settle                (guint       ms);

/* Ready-made conditions; the comment on each says what @data must be. */
gboolean op_test_cond_mapped           (gpointer    data);
/* Mapped and at least 200 x 200 pixels: laid out, not only mapped. */
gboolean op_test_cond_sized            (gpointer    data);
gboolean op_test_cond_sign_in_idle     (gpointer    data);
gboolean op_test_cond_case_view_idle   (gpointer    data);
gboolean op_test_cond_dialog_idle      (gpointer    data);

/* Waits for a viewer to have drawn @frames frames or to have failed. */
typedef struct {
  OpViewer *viewer;
  guint     frames;
} OpTestFrameWait;

gboolean op_test_cond_frames           (gpointer    data);

char    *op_test_build_path            (const char *name);
void     op_test_save_widget_png       (GtkWidget  *widget,
                                        const char *name);
void     op_test_remove_tree           (const char *path);

OpApplication *op_test_start_app       (const char  *tmpdir,
                                        OpWindow   **out_window);
void           op_test_stop_app        (OpApplication **app,
                                        OpWindow       *window);

/* The password every app test gives the administrator it creates. */
#define OP_TEST_ADMIN_PASSWORD "river stones and blue ink"

void     op_test_first_run_sign_in     (OpWindow          *window,
                                        OpStore           *store,
                                        const OpUserInput *user);

/* The provider the case tests sign in as, "drlee", and that provider's
 * password and NPI (a valid check digit). */
#define OP_TEST_PROVIDER_PASSWORD "seven swans over the lake"
#define OP_TEST_PROVIDER_NPI      "1234567893"

OpApplication *op_test_start_provider  (const char  *tmpdir_template,
                                        int          width,
                                        int          height,
                                        char       **out_tmpdir,
                                        OpWindow   **out_window);
gint64   op_test_open_demo             (OpApplication *app,
                                        OpWindow      *window);
void     op_test_show_page             (gpointer       page,
                                        const char    *name);
gboolean op_test_approve               (OpWindow      *window,
                                        const char    *password);

G_END_DECLS
