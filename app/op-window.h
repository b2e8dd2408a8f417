/* op-window.h: the main window: the case list beside the case view.
 *
 * The window borrows nothing it cannot live without: with no store (the
 * database failed to open) it shows why instead of the case list.
 */
#pragma once

#include <adwaita.h>

#include "op-case-view.h"
#include "op-store.h"

G_BEGIN_DECLS

#define OP_TYPE_WINDOW (op_window_get_type ())
G_DECLARE_FINAL_TYPE (OpWindow, op_window, OP, WINDOW, AdwApplicationWindow)

OpWindow   *op_window_new            (AdwApplication *application,
                                      OpStore        *store);
OpStore    *op_window_get_store      (OpWindow       *self);

/* Shows the reason the store could not be opened in place of the list. */
void        op_window_set_store_error (OpWindow      *self,
                                       const char    *message);

/* Rereads the case list from the store, keeping the search and the
 * selection. */
void        op_window_reload_cases   (OpWindow       *self);
/* Selects the case in the list and opens it in the case view. */
void        op_window_show_case      (OpWindow       *self,
                                      gint64          case_id);
gint64      op_window_get_case_id    (OpWindow       *self);

/* Opens the new-case dialog and returns it (owned by GTK). */
GtkWidget  *op_window_new_case       (OpWindow       *self);

/* Takes ownership of @toast. */
void        op_window_add_toast      (OpWindow       *self,
                                      AdwToast       *toast);
/* Shows an error dialog; the body is usually a GError message. */
void        op_window_show_error     (OpWindow       *self,
                                      const char     *heading,
                                      const char     *body);
/* The body of the last error shown, or NULL; for tests. */
const char *op_window_get_last_error (OpWindow       *self);
/* The error dialog on screen, or NULL; for tests. */
GtkWindow  *op_window_get_error_dialog (OpWindow     *self);

OpCaseView *op_window_get_case_view  (OpWindow       *self);
GtkListBox *op_window_get_case_list  (OpWindow       *self);
GtkWidget  *op_window_get_search_entry (OpWindow     *self);

G_END_DECLS
