/* op-sign-in.h: the page that covers the window until someone signs in.
 *
 * Three faces of one page:
 *  - first run: the database has no users, so the page creates the
 *    administrator (the store's rule: the first user must be one) and
 *    signs them in;
 *  - sign in: a login name and a password;
 *  - locked: the same person's password again, after the window locked
 *    itself; what was on screen underneath is kept.
 *
 * Passwords are checked by the store in a worker thread (Argon2id takes a
 * noticeable moment); the store's refusals, including how long to wait
 * after repeated wrong passwords, are shown as the store words them.
 */
#pragma once

#include <adwaita.h>

#include "op-store.h"

G_BEGIN_DECLS

typedef enum {
  OP_SIGN_IN_MODE_FIRST_RUN,
  OP_SIGN_IN_MODE_SIGN_IN,
  OP_SIGN_IN_MODE_LOCKED,
} OpSignInMode;

#define OP_TYPE_SIGN_IN (op_sign_in_get_type ())
G_DECLARE_FINAL_TYPE (OpSignIn, op_sign_in, OP, SIGN_IN, AdwBin)

GtkWidget    *op_sign_in_new          (void);

/* Sets the store and shows the first-run or the sign-in face, whichever
 * the store's user count calls for. */
void          op_sign_in_set_store    (OpSignIn     *self,
                                       OpStore      *store);
/* Back to a blank first-run or sign-in face (after a sign-out). */
void          op_sign_in_reset        (OpSignIn     *self);
/* The locked face for @user (copied), who must type the password again. */
void          op_sign_in_lock         (OpSignIn     *self,
                                       const OpUser *user);
OpSignInMode  op_sign_in_get_mode     (OpSignIn     *self);

/* What a person would type, for tests and for the command line: the login
 * (ignored when locked) and the password. */
void          op_sign_in_fill         (OpSignIn     *self,
                                       const char   *login,
                                       const char   *password);
/* The first-run form: printed name, login, password and its repetition. */
void          op_sign_in_fill_first_run (OpSignIn   *self,
                                         const char *name,
                                         const char *login,
                                         const char *password,
                                         const char *confirm);
/* Presses the page's button: starts the check in a worker thread unless
 * the form is incomplete (then the reason shows, see get_error). */
void          op_sign_in_submit       (OpSignIn     *self);

/* Whether a check is running. */
gboolean      op_sign_in_get_busy     (OpSignIn     *self);
/* The message on the page: the store's refusal, or what the first-run
 * form still needs; NULL when there is none. */
const char   *op_sign_in_get_error    (OpSignIn     *self);
/* Whether the first-run form is complete and within the password policy. */
gboolean      op_sign_in_get_can_create (OpSignIn   *self);

G_END_DECLS
