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

/* Whether @role may create cases and import scans (provider, coordinator). */
gboolean    op_role_may_import          (OpRole role);
/* Whether @role may see cases at all (every role). */
gboolean    op_role_may_view            (OpRole role);
/* Whether @role may sign an approval (provider only). */
gboolean    op_role_may_approve         (OpRole role);
/* Whether @role may manage users, locations and settings (administrator). */
gboolean    op_role_may_manage          (OpRole role);

G_END_DECLS
