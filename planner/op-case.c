/* op-case.c: case workflow rules: states, roles and who may move a case.
 *
 * Everything here is pure data and decisions: no files, no database.  The
 * store (io/op-store) asks these functions before it writes a state change,
 * so a rule changed here is enforced everywhere at once.
 */
#include "config.h"

#include <string.h>

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

const char *
op_jaw_to_label (OpJaw jaw)
{
  switch (jaw)
    {
    case OP_JAW_UPPER:
      return _("Upper arch");
    case OP_JAW_LOWER:
      return _("Lower arch");
    case OP_JAW_BITE:
      return _("Bite");
    default:
      return _("Scan");
    }
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

/* Accounts, sign-in and signatures. */

G_DEFINE_QUARK (op-case-error-quark, op_case_error)

/* Passwords at least 12 characters long that still appear near the top of
 * every leaked-password list, so a guesser tries them first.  Compared
 * case-insensitively.  The list is short on purpose: it catches the
 * obvious choices without pretending to be a breach database. */
static const char * const common_passwords[] = {
  "password1234", "password12345", "password123456", "passwordpassword",
  "123456789012", "1234567890123", "12345678901234", "qwertyuiopasdfgh",
  "qwerty123456", "qwertyuiop123", "1q2w3e4r5t6y", "iloveyou1234",
  "letmein12345", "welcome12345", "administrator", "administrator1",
  "orthodontics", "orthodontist", "orthoplan123", "changeme1234",
};

/* Rows of a US keyboard and the alphabet and digits, for spotting runs
 * such as "asdfghjkl;'" or "abcdefghijklm" typed forwards or backwards. */
static const char * const runs[] = {
  "`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./",
  "abcdefghijklmnopqrstuvwxyz", "01234567890",
};

static gboolean
is_run (const char *lower)
{
  gsize len = strlen (lower);

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autofree char *reversed = g_strreverse (g_strdup (runs[i]));

      if (len <= strlen (runs[i]) && (strstr (runs[i], lower) != NULL || strstr (reversed, lower) != NULL))
        return TRUE;
    }
  return FALSE;
}

/* Whether @s is a shorter piece repeated ("abcabcabcabc", "aaaaaaaaaaaa"). */
static gboolean
is_repetition (const char *s)
{
  gsize len = strlen (s);

  for (gsize period = 1; period <= len / 2; period++)
    {
      gboolean repeats = (len % period) == 0;

      for (gsize i = period; repeats && i < len; i++)
        repeats = s[i] == s[i - period];
      if (repeats)
        return TRUE;
    }
  return FALSE;
}

gboolean
op_password_check (const char  *password,
                   const char  *login,
                   const char  *name,
                   GError     **error)
{
  g_autofree char *lower = NULL;
  glong n_chars;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (password == NULL || password[0] == '\0')
    {
      g_set_error (error, OP_CASE_ERROR, OP_CASE_ERROR_WEAK_PASSWORD,
                   _("password: must not be empty; choose at least %d characters"), OP_PASSWORD_MIN_LENGTH);
      return FALSE;
    }

  if (!g_utf8_validate (password, -1, NULL))
    {
      g_set_error_literal (error, OP_CASE_ERROR, OP_CASE_ERROR_WEAK_PASSWORD,
                           _("password: is not valid UTF-8 text; type it again"));
      return FALSE;
    }

  for (const char *p = password; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        /* A newline or tab usually comes from a password file with an
         * extra line, and a person could never type it at the sign-in
         * screen. */
        g_set_error_literal (error, OP_CASE_ERROR, OP_CASE_ERROR_WEAK_PASSWORD,
                             _("password: contains a control character such as a newline or tab; "
                               "use letters, digits, spaces and punctuation only"));
        return FALSE;
      }

  n_chars = g_utf8_strlen (password, -1);
  if (n_chars < OP_PASSWORD_MIN_LENGTH)
    {
      g_set_error (error, OP_CASE_ERROR, OP_CASE_ERROR_WEAK_PASSWORD,
                   _("password: is %ld characters long; it must be at least %d (a short sentence is easy to remember)"),
                   n_chars, OP_PASSWORD_MIN_LENGTH);
      return FALSE;
    }
  if (n_chars > OP_PASSWORD_MAX_LENGTH)
    {
      g_set_error (error, OP_CASE_ERROR, OP_CASE_ERROR_WEAK_PASSWORD,
                   _("password: is %ld characters long; it may be at most %d"),
                   n_chars, OP_PASSWORD_MAX_LENGTH);
      return FALSE;
    }

  lower = g_utf8_casefold (password, -1);

  if (login != NULL && login[0] != '\0')
    {
      g_autofree char *login_lower = g_utf8_casefold (login, -1);

      if (strstr (lower, login_lower) != NULL)
        {
          g_set_error_literal (error, OP_CASE_ERROR, OP_CASE_ERROR_WEAK_PASSWORD,
                               _("password: must not contain the login name; anyone who knows the login would try it first"));
          return FALSE;
        }
    }

  if (name != NULL)
    {
      g_autofree char *name_lower = g_utf8_casefold (name, -1);
      g_auto(GStrv) parts = g_strsplit_set (name_lower, " ,.-'", -1);

      /* Parts shorter than four letters ("Li", "de") would refuse too many
       * good passwords by chance. */
      for (guint i = 0; parts[i] != NULL; i++)
        if (g_utf8_strlen (parts[i], -1) >= 4 && strstr (lower, parts[i]) != NULL)
          {
            g_set_error_literal (error, OP_CASE_ERROR, OP_CASE_ERROR_WEAK_PASSWORD,
                                 _("password: must not contain the person's own name"));
            return FALSE;
          }
    }

  if (is_repetition (lower))
    {
      g_set_error_literal (error, OP_CASE_ERROR, OP_CASE_ERROR_WEAK_PASSWORD,
                           _("password: is one character or a short piece repeated; choose something less regular"));
      return FALSE;
    }

  if (is_run (lower))
    {
      g_set_error_literal (error, OP_CASE_ERROR, OP_CASE_ERROR_WEAK_PASSWORD,
                           _("password: is a run of keys or letters in order; choose something less regular"));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (common_passwords); i++)
    if (g_str_equal (lower, common_passwords[i]))
      {
        g_set_error_literal (error, OP_CASE_ERROR, OP_CASE_ERROR_WEAK_PASSWORD,
                             _("password: is one of the most common passwords, which attackers try first; choose another"));
        return FALSE;
      }

  return TRUE;
}

gboolean
op_login_check (const char  *login,
                GError     **error)
{
  gsize len;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (login == NULL || login[0] == '\0')
    {
      g_set_error_literal (error, OP_CASE_ERROR, OP_CASE_ERROR_INVALID_LOGIN,
                           _("login: must not be empty"));
      return FALSE;
    }

  len = strlen (login);
  if (len > 64)
    {
      g_set_error (error, OP_CASE_ERROR, OP_CASE_ERROR_INVALID_LOGIN,
                   _("login: is %lu characters long; it may be at most 64"), (unsigned long) len);
      return FALSE;
    }

  /* Plain ASCII keeps logins unambiguous on every keyboard and in the
   * audit log: no look-alike letters from other scripts. */
  if (!g_ascii_isalnum (login[0]))
    {
      g_set_error_literal (error, OP_CASE_ERROR, OP_CASE_ERROR_INVALID_LOGIN,
                           _("login: must start with a letter or a digit"));
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (login[i]) && login[i] != '.' && login[i] != '_' && login[i] != '-')
      {
        g_set_error (error, OP_CASE_ERROR, OP_CASE_ERROR_INVALID_LOGIN,
                     _("login: may hold only letters, digits, '.', '_' and '-' (character %lu is not one)"),
                     (unsigned long) (i + 1));
        return FALSE;
      }

  return TRUE;
}

gboolean
op_npi_check (const char  *npi,
              GError     **error)
{
  /* The NPI check digit is the Luhn digit of the nine digits prefixed with
   * the card issuer prefix 80840, whose digits contribute a constant 24
   * to the sum. */
  guint sum = 24;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (npi == NULL || strlen (npi) != 10)
    {
      g_set_error (error, OP_CASE_ERROR, OP_CASE_ERROR_INVALID_NPI,
                   _("NPI: “%s” is not 10 digits"), npi ? npi : "");
      return FALSE;
    }
  for (guint i = 0; i < 10; i++)
    if (!g_ascii_isdigit (npi[i]))
      {
        g_set_error (error, OP_CASE_ERROR, OP_CASE_ERROR_INVALID_NPI,
                     _("NPI: “%s” holds a character that is not a digit"), npi);
        return FALSE;
      }

  /* Double every other digit from the right of the nine, starting with
   * the rightmost. */
  for (guint i = 0; i < 9; i++)
    {
      guint d = (guint) (npi[8 - i] - '0');

      if (i % 2 == 0)
        {
          d *= 2;
          if (d > 9)
            d -= 9;
        }
      sum += d;
    }

  if ((10 - sum % 10) % 10 != (guint) (npi[9] - '0'))
    {
      g_set_error (error, OP_CASE_ERROR, OP_CASE_ERROR_INVALID_NPI,
                   _("NPI: %s has a wrong check digit; check it against the NPI registry"), npi);
      return FALSE;
    }

  return TRUE;
}

gboolean
op_role_needs_npi (OpRole role)
{
  g_return_val_if_fail ((guint) role < OP_N_ROLES, FALSE);

  return role == OP_ROLE_PROVIDER;
}

guint
op_sign_in_delay_seconds (guint n_failures)
{
  guint shift;

  if (n_failures <= OP_SIGN_IN_FREE_FAILURES)
    return 0;

  /* 2, 4, 8, ... seconds: slow enough that guessing a 12-character
   * password from the sign-in screen is hopeless, short enough that a
   * person who mistyped a few times is not locked out for the day. */
  shift = n_failures - OP_SIGN_IN_FREE_FAILURES;
  if (shift >= 9)
    return OP_SIGN_IN_MAX_DELAY_S;
  return MIN ((guint) OP_SIGN_IN_MAX_DELAY_S, 1u << shift);
}

char *
op_approval_meaning (guint plan_version)
{
  g_return_val_if_fail (plan_version >= 1, NULL);

  return g_strdup_printf ("approved treatment plan v%u for production", plan_version);
}

guint
op_lock_timeout_minutes (int minutes)
{
  if (minutes <= 0)
    return OP_LOCK_TIMEOUT_DEFAULT_MIN;
  return (guint) CLAMP (minutes, OP_LOCK_TIMEOUT_MIN_MIN, OP_LOCK_TIMEOUT_MAX_MIN);
}

gboolean
op_role_has_right (OpRole       role,
                   OpRight      right,
                   const char **why)
{
  const char *reason = NULL;

  g_return_val_if_fail ((guint) role < OP_N_ROLES, FALSE);

  switch (right)
    {
    case OP_RIGHT_VIEW:
      break;
    case OP_RIGHT_IMPORT:
      if (!op_role_may_import (role))
        reason = role == OP_ROLE_ADMINISTRATOR
          ? _("Only a provider or a treatment coordinator may create cases and import scans; an administrator manages the practice.")
          : _("An assistant may view cases but not import scans.");
      break;
    case OP_RIGHT_PLAN:
      if (role != OP_ROLE_PROVIDER)
        reason = _("Segmenting, planning and editing teeth are clinical work for a provider.");
      break;
    case OP_RIGHT_APPROVE:
      if (!op_role_may_approve (role))
        reason = role == OP_ROLE_COORDINATOR
          ? _("Only a provider may approve a treatment plan; a treatment coordinator never approves.")
          : role == OP_ROLE_ADMINISTRATOR
          ? _("Only a provider may approve a treatment plan; an administrator manages the practice but does not approve.")
          : _("Only a provider may approve a treatment plan; an assistant may view cases only.");
      break;
    case OP_RIGHT_MANAGE:
      if (!op_role_may_manage (role))
        reason = _("Only an administrator may manage users, locations and settings.");
      break;
    default:
      g_return_val_if_reached (FALSE);
    }

  if (why != NULL)
    *why = reason;
  return reason == NULL;
}

gboolean
op_case_state_accepts_plans (OpCaseState state)
{
  g_return_val_if_fail ((guint) state < OP_CASE_N_STATES, FALSE);

  return state != OP_CASE_STATE_APPROVED &&
         state != OP_CASE_STATE_POSTED &&
         state != OP_CASE_STATE_ARCHIVED;
}
