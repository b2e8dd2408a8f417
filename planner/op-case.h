/* op-case.h: case workflow rules: states, roles and who may move a case.
 *
 * The rules live here so that every layer (store, CLI, UI) asks the same
 * question and gets the same answer; io/ enforces them in the store.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  OP_JAW_UPPER,
  OP_JAW_LOWER,
  OP_JAW_BITE,
} OpJaw;

const char *op_jaw_to_string   (OpJaw        jaw);     /* "upper", "lower", "bite" */
const char *op_jaw_to_label    (OpJaw        jaw);     /* translated: "Upper arch" */
gboolean    op_jaw_from_string (const char  *str,
                                OpJaw       *out_jaw);

typedef enum {
  OP_CASE_STATE_SUBMITTED,
  OP_CASE_STATE_SEGMENTED,
  OP_CASE_STATE_PLANNED,
  OP_CASE_STATE_IN_REVIEW,
  OP_CASE_STATE_CHANGES_REQUESTED,
  OP_CASE_STATE_APPROVED,
  OP_CASE_STATE_POSTED,
  OP_CASE_STATE_ARCHIVED,
} OpCaseState;

#define OP_CASE_N_STATES (OP_CASE_STATE_ARCHIVED + 1)

const char *op_case_state_to_string   (OpCaseState  state);  /* "submitted", "in-review", ... */
const char *op_case_state_to_label    (OpCaseState  state);  /* translated, for people */
gboolean    op_case_state_from_string (const char  *str,
                                       OpCaseState *out_state);

typedef enum {
  OP_ROLE_ADMINISTRATOR,
  OP_ROLE_PROVIDER,
  OP_ROLE_COORDINATOR,
  OP_ROLE_ASSISTANT,
} OpRole;

const char *op_role_to_string   (OpRole       role);  /* "administrator", "provider", "coordinator", "assistant" */
const char *op_role_to_label    (OpRole       role);  /* translated, for people */
gboolean    op_role_from_string (const char  *str,
                                 OpRole      *out_role);

/* Whether the state machine allows @from -> @to at all. */
gboolean    op_case_transition_allowed (OpCaseState from,
                                        OpCaseState to);

/* Whether @role may move a case from @from to @to.  When not, @why (if not
 * NULL) receives a sentence a person can read. */
gboolean    op_case_role_may_transition (OpRole       role,
                                         OpCaseState  from,
                                         OpCaseState  to,
                                         const char **why);

/* Whether scans may still be added to a case in @state: before review
 * and while changes are requested, never once a plan is under review,
 * approved, posted or archived (a new scan would change what was approved). */
gboolean    op_case_state_accepts_scans (OpCaseState state);

/* Whether a new plan version may be stored for a case in @state: never
 * once it is approved, posted or archived (an approval signs one version;
 * a change needs a new approval, so a new case).  In review a provider's
 * edit makes a new version that is then reviewed. */
gboolean    op_case_state_accepts_plans (OpCaseState state);

/* Whether @role may create cases and import scans (provider, coordinator). */
gboolean    op_role_may_import          (OpRole role);
/* Whether @role may see cases at all (every role). */
gboolean    op_role_may_view            (OpRole role);
/* Whether @role may sign an approval (provider only). */
gboolean    op_role_may_approve         (OpRole role);
/* Whether @role may manage users, locations and settings (administrator). */
gboolean    op_role_may_manage          (OpRole role);

/* Accounts, sign-in and signatures.  These are the practice's security
 * rules (CLINICAL.md, "Security settings" and "Electronic signature");
 * io/op-store enforces them and the UI only shows them. */

#define OP_CASE_ERROR (op_case_error_quark ())
GQuark op_case_error_quark (void);

typedef enum {
  OP_CASE_ERROR_WEAK_PASSWORD,  /* the password breaks op_password_check's rules */
  OP_CASE_ERROR_INVALID_LOGIN,  /* the login name is empty or has odd characters */
  OP_CASE_ERROR_INVALID_NPI,    /* not a 10-digit NPI with a valid check digit */
} OpCaseError;

/* Passwords are at least this many characters (Unicode characters, not
 * bytes) and at most OP_PASSWORD_MAX_LENGTH. */
#define OP_PASSWORD_MIN_LENGTH 12
#define OP_PASSWORD_MAX_LENGTH 256

/* Whether @password may be set for the user @login (and, when not NULL, the
 * person called @name): long enough, valid UTF-8 with no control
 * characters, not containing the login name or a part of the person's
 * name, not one character or a short pattern repeated, not a keyboard or
 * alphabet run and not one of the passwords every attacker tries first.
 * On FALSE, @error (OP_CASE_ERROR_WEAK_PASSWORD) says what to change in a
 * sentence a person can act on; it never repeats the password. */
gboolean    op_password_check           (const char  *password,
                                         const char  *login,
                                         const char  *name,
                                         GError     **error);

/* Whether @login may name a user: 1 to 64 characters, ASCII letters,
 * digits, '.', '_' and '-', starting with a letter or digit. */
gboolean    op_login_check              (const char  *login,
                                         GError     **error);

/* Whether @npi is a National Provider Identifier: 10 digits whose last is
 * the Luhn check digit computed over "80840" and the first nine (the rule
 * CMS publishes).  A provider must have one to sign. */
gboolean    op_npi_check                (const char  *npi,
                                         GError     **error);

/* Whether @role must carry an NPI (provider). */
gboolean    op_role_needs_npi           (OpRole       role);

/* Sign-in throttling: after @n_failures wrong passwords in a row, the next
 * attempt for that user is refused until this many seconds after the last
 * failure.  The first two mistakes cost nothing (people mistype), then the
 * wait doubles from 2 s up to OP_SIGN_IN_MAX_DELAY_S.  A success resets
 * the count. */
#define OP_SIGN_IN_FREE_FAILURES 2
#define OP_SIGN_IN_MAX_DELAY_S   300
guint       op_sign_in_delay_seconds    (guint        n_failures);

/* The meaning of an approval signature, as the record shows it and the
 * signature covers: "approved treatment plan v3 for production".  Not
 * translated: it is part of the signed record and must read the same in
 * every language.  @plan_version is 1 or more. */
char       *op_approval_meaning         (guint        plan_version);

/* Idle time before the app locks back to the sign-in screen.  CLINICAL.md:
 * 15 to 30 minutes in DSO deployments, default 15; a practice may choose
 * a shorter time, never a longer one. */
#define OP_LOCK_TIMEOUT_DEFAULT_MIN 15
#define OP_LOCK_TIMEOUT_MIN_MIN     1
#define OP_LOCK_TIMEOUT_MAX_MIN     30
/* The lock time in force for a setting of @minutes: the default for 0 or
 * less, otherwise clamped to [OP_LOCK_TIMEOUT_MIN_MIN, OP_LOCK_TIMEOUT_MAX_MIN]. */
guint       op_lock_timeout_minutes     (int          minutes);

/* What a role may do, asked by the UI to make an action insensitive and
 * explain why, and by the store before it writes. */
typedef enum {
  OP_RIGHT_VIEW,            /* see cases */
  OP_RIGHT_IMPORT,          /* create cases, import scans */
  OP_RIGHT_PLAN,            /* segment, plan, edit teeth, recalculate */
  OP_RIGHT_APPROVE,         /* sign an approval or request changes */
  OP_RIGHT_MANAGE,          /* users, locations, settings, audit view */
} OpRight;

/* Whether @role has @right; when not, @why (if not NULL) receives a
 * translated sentence for a tooltip or an error message. */
gboolean    op_role_has_right           (OpRole       role,
                                         OpRight      right,
                                         const char **why);

G_END_DECLS
