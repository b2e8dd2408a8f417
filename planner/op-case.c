/* op-case.c: case workflow rules: states, roles and who may move a case.
 *
 * Everything here is pure data and decisions: no files, no database.  The
 * store (io/op-store) asks these functions before it writes a state change,
 * so a rule changed here is enforced everywhere at once.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "op-case.h"

/* String tables indexed by the enums.  The strings are stored in the
 * database and printed by the CLI's JSON output, so they never change once
 * released; the labels are for people and go through gettext. */
static const char * const jaw_names[] = {
  [OP_JAW_UPPER] = "upper",
  [OP_JAW_LOWER] = "lower",
  [OP_JAW_BITE]  = "bite",
};

static const char * const state_names[OP_CASE_N_STATES] = {
  [OP_CASE_STATE_SUBMITTED]         = "submitted",
  [OP_CASE_STATE_SEGMENTED]         = "segmented",
  [OP_CASE_STATE_PLANNED]           = "planned",
  [OP_CASE_STATE_IN_REVIEW]         = "in-review",
  [OP_CASE_STATE_CHANGES_REQUESTED] = "changes-requested",
  [OP_CASE_STATE_APPROVED]          = "approved",
  [OP_CASE_STATE_POSTED]            = "posted",
  [OP_CASE_STATE_ARCHIVED]          = "archived",
};

static const char * const state_labels[OP_CASE_N_STATES] = {
  [OP_CASE_STATE_SUBMITTED]         = N_("Submitted"),
  [OP_CASE_STATE_SEGMENTED]         = N_("Segmented"),
  [OP_CASE_STATE_PLANNED]           = N_("Planned"),
  [OP_CASE_STATE_IN_REVIEW]         = N_("In review"),
  [OP_CASE_STATE_CHANGES_REQUESTED] = N_("Changes requested"),
  [OP_CASE_STATE_APPROVED]          = N_("Approved"),
  [OP_CASE_STATE_POSTED]            = N_("Posted"),
  [OP_CASE_STATE_ARCHIVED]          = N_("Archived"),
};

#define OP_N_ROLES (OP_ROLE_ASSISTANT + 1)

static const char * const role_names[OP_N_ROLES] = {
  [OP_ROLE_ADMINISTRATOR] = "administrator",
  [OP_ROLE_PROVIDER]      = "provider",
  [OP_ROLE_COORDINATOR]   = "coordinator",
  [OP_ROLE_ASSISTANT]     = "assistant",
};

static const char * const role_labels[OP_N_ROLES] = {
  [OP_ROLE_ADMINISTRATOR] = N_("Administrator"),
  [OP_ROLE_PROVIDER]      = N_("Provider"),
  [OP_ROLE_COORDINATOR]   = N_("Treatment coordinator"),
  [OP_ROLE_ASSISTANT]     = N_("Assistant"),
};

static gboolean
lookup (const char * const *names,
        guint               n_names,
        const char         *str,
        guint              *out_index)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < n_names; i++)
    {
      if (g_strcmp0 (names[i], str) == 0)
        {
          if (out_index != NULL)
            *out_index = i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
op_jaw_to_string (OpJaw jaw)
{
  g_return_val_if_fail ((guint) jaw < G_N_ELEMENTS (jaw_names), NULL);

  return jaw_names[jaw];
}

gboolean
op_jaw_from_string (const char *str,
                    OpJaw      *out_jaw)
{
  guint i;

  if (!lookup (jaw_names, G_N_ELEMENTS (jaw_names), str, &i))
    return FALSE;
  if (out_jaw != NULL)
    *out_jaw = (OpJaw) i;
  return TRUE;
}

const char *
op_case_state_to_string (OpCaseState state)
{
  g_return_val_if_fail ((guint) state < OP_CASE_N_STATES, NULL);

  return state_names[state];
}

const char *
op_case_state_to_label (OpCaseState state)
{
  g_return_val_if_fail ((guint) state < OP_CASE_N_STATES, NULL);

  return _(state_labels[state]);
}

gboolean
op_case_state_from_string (const char  *str,
                           OpCaseState *out_state)
{
  guint i;

  if (!lookup (state_names, OP_CASE_N_STATES, str, &i))
    return FALSE;
  if (out_state != NULL)
    *out_state = (OpCaseState) i;
  return TRUE;
}

const char *
op_role_to_string (OpRole role)
{
  g_return_val_if_fail ((guint) role < OP_N_ROLES, NULL);

  return role_names[role];
}

const char *
op_role_to_label (OpRole role)
{
  g_return_val_if_fail ((guint) role < OP_N_ROLES, NULL);

  return _(role_labels[role]);
}

gboolean
op_role_from_string (const char *str,
                     OpRole     *out_role)
{
  guint i;

  if (!lookup (role_names, OP_N_ROLES, str, &i))
    return FALSE;
  if (out_role != NULL)
    *out_role = (OpRole) i;
  return TRUE;
}

gboolean
op_case_transition_allowed (OpCaseState from,
                            OpCaseState to)
{
  g_return_val_if_fail ((guint) from < OP_CASE_N_STATES, FALSE);
  g_return_val_if_fail ((guint) to < OP_CASE_N_STATES, FALSE);

  /* Archiving is the one way out of every live state.  An archived case
   * stays archived: bringing it back would silently revive an old plan, so
   * a new case is opened instead. */
  if (to == OP_CASE_STATE_ARCHIVED)
    return from != OP_CASE_STATE_ARCHIVED;

  switch (from)
    {
    case OP_CASE_STATE_SUBMITTED:
      return to == OP_CASE_STATE_SEGMENTED;
    case OP_CASE_STATE_SEGMENTED:
      return to == OP_CASE_STATE_PLANNED;
    case OP_CASE_STATE_PLANNED:
      return to == OP_CASE_STATE_IN_REVIEW;
    case OP_CASE_STATE_IN_REVIEW:
      return to == OP_CASE_STATE_APPROVED ||
             to == OP_CASE_STATE_CHANGES_REQUESTED;
    case OP_CASE_STATE_CHANGES_REQUESTED:
      return to == OP_CASE_STATE_PLANNED;
    case OP_CASE_STATE_APPROVED:
      return to == OP_CASE_STATE_POSTED;
    case OP_CASE_STATE_POSTED:
    case OP_CASE_STATE_ARCHIVED:
    default:
      return FALSE;
    }
}

/* Which roles may take each step.  The rules, from CLINICAL.md:
 *
 *  - A provider decides everything clinical: segmentation, planning,
 *    sending for review, approving or requesting changes, and posting.
 *  - A treatment coordinator imports and submits: besides creating cases
 *    (op_role_may_import), the coordinator may submit a plan for the
 *    provider's review and post an approved plan to the practice system,
 *    which is front-office work.  A coordinator never approves and never
 *    makes clinical changes.
 *  - An administrator manages the practice: archiving cases, users and
 *    locations, but never approves and makes no clinical decisions.
 *  - An assistant only views.
 */
static gboolean
role_may_step (OpRole      role,
               OpCaseState from,
               OpCaseState to)
{
  switch (role)
    {
    case OP_ROLE_PROVIDER:
      return TRUE;
    case OP_ROLE_COORDINATOR:
      return (from == OP_CASE_STATE_PLANNED && to == OP_CASE_STATE_IN_REVIEW) ||
             (from == OP_CASE_STATE_APPROVED && to == OP_CASE_STATE_POSTED);
    case OP_ROLE_ADMINISTRATOR:
      return to == OP_CASE_STATE_ARCHIVED;
    case OP_ROLE_ASSISTANT:
    default:
      return FALSE;
    }
}

static const char *
refusal (OpRole      role,
         OpCaseState from,
         OpCaseState to)
{
  if (role == OP_ROLE_ASSISTANT)
    return _("An assistant may view cases but not change them.");

  if (to == OP_CASE_STATE_APPROVED)
    {
      if (role == OP_ROLE_ADMINISTRATOR)
        return _("Only a provider may approve a treatment plan; an administrator manages the practice but does not approve.");
      return _("Only a provider may approve a treatment plan; a treatment coordinator never approves.");
    }

  if (to == OP_CASE_STATE_CHANGES_REQUESTED)
    return _("Only a provider may request changes to a plan under review.");

  if (to == OP_CASE_STATE_ARCHIVED)
    return _("Only a provider or an administrator may archive a case.");

  if (to == OP_CASE_STATE_POSTED)
    return _("Only a provider or a treatment coordinator may post an approved plan to the practice system.");

  if (to == OP_CASE_STATE_IN_REVIEW)
    return _("Only a provider or a treatment coordinator may send a plan for review.");

  if (role == OP_ROLE_ADMINISTRATOR)
    return _("Segmenting and planning are clinical work for a provider; an administrator may only archive cases.");

  return _("Segmenting and planning are clinical work for a provider.");
}

static const char *
unreachable_why (OpCaseState from,
                 OpCaseState to)
{
  if (from == OP_CASE_STATE_ARCHIVED)
    return _("The case is archived; archived cases cannot change. Open a new case instead.");
  if (from == OP_CASE_STATE_POSTED)
    return _("The plan has already been posted; the only step left is to archive the case.");
  if (from == to)
    return _("The case is already in that state.");

  switch (from)
    {
    case OP_CASE_STATE_SUBMITTED:
      return _("A submitted case must be segmented first.");
    case OP_CASE_STATE_SEGMENTED:
      return _("A segmented case must be planned next.");
    case OP_CASE_STATE_PLANNED:
      return _("A planned case must be sent for review next.");
    case OP_CASE_STATE_IN_REVIEW:
      return _("A case in review can only be approved or sent back with changes requested.");
    case OP_CASE_STATE_CHANGES_REQUESTED:
      return _("A case with changes requested must be planned again first.");
    case OP_CASE_STATE_APPROVED:
      return _("An approved case can only be posted to the practice system next.");
    case OP_CASE_STATE_POSTED:
    case OP_CASE_STATE_ARCHIVED:
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

gboolean
op_case_role_may_transition (OpRole       role,
                             OpCaseState  from,
                             OpCaseState  to,
                             const char **why)
{
  g_return_val_if_fail ((guint) role < OP_N_ROLES, FALSE);
  g_return_val_if_fail ((guint) from < OP_CASE_N_STATES, FALSE);
  g_return_val_if_fail ((guint) to < OP_CASE_N_STATES, FALSE);

  if (why != NULL)
    *why = NULL;

  /* The state machine speaks first: telling a provider "you may not" for a
   * step nobody may take would send them looking for someone else. */
  if (!op_case_transition_allowed (from, to))
    {
      if (why != NULL)
        *why = unreachable_why (from, to);
      return FALSE;
    }

  if (!role_may_step (role, from, to))
    {
      if (why != NULL)
        *why = refusal (role, from, to);
      return FALSE;
    }

  return TRUE;
}

gboolean
op_case_state_accepts_scans (OpCaseState state)
{
  g_return_val_if_fail ((guint) state < OP_CASE_N_STATES, FALSE);

  switch (state)
    {
    case OP_CASE_STATE_SUBMITTED:
    case OP_CASE_STATE_SEGMENTED:
    case OP_CASE_STATE_PLANNED:
    case OP_CASE_STATE_CHANGES_REQUESTED:
      return TRUE;
    case OP_CASE_STATE_IN_REVIEW:
    case OP_CASE_STATE_APPROVED:
    case OP_CASE_STATE_POSTED:
    case OP_CASE_STATE_ARCHIVED:
    default:
      return FALSE;
    }
}

gboolean
op_role_may_import (OpRole role)
{
  g_return_val_if_fail ((guint) role < OP_N_ROLES, FALSE);

  return role == OP_ROLE_PROVIDER || role == OP_ROLE_COORDINATOR;
}

gboolean
op_role_may_view (OpRole role)
{
  g_return_val_if_fail ((guint) role < OP_N_ROLES, FALSE);

  /* Every role sees the cases of its location; what differs is what it
   * may change. */
  return TRUE;
}

gboolean
op_role_may_approve (OpRole role)
{
  g_return_val_if_fail ((guint) role < OP_N_ROLES, FALSE);

  return role == OP_ROLE_PROVIDER;
}

gboolean
op_role_may_manage (OpRole role)
{
  g_return_val_if_fail ((guint) role < OP_N_ROLES, FALSE);

  return role == OP_ROLE_ADMINISTRATOR;
}
