/* test-planner-case.c: the case state machine and the role rules. */
#include <string.h>

#include <glib.h>

#include "op-case.h"

#define S(name) OP_CASE_STATE_##name

typedef struct {
  OpCaseState from;
  OpCaseState to;
} Step;

/* Every edge of the state machine in DESIGN.md, archiving included. */
static const Step allowed_steps[] = {
  { S (SUBMITTED),         S (SEGMENTED) },
  { S (SEGMENTED),         S (PLANNED) },
  { S (PLANNED),           S (IN_REVIEW) },
  { S (IN_REVIEW),         S (APPROVED) },
  { S (APPROVED),          S (POSTED) },
  { S (IN_REVIEW),         S (CHANGES_REQUESTED) },
  { S (CHANGES_REQUESTED), S (PLANNED) },
  { S (SUBMITTED),         S (ARCHIVED) },
  { S (SEGMENTED),         S (ARCHIVED) },
  { S (PLANNED),           S (ARCHIVED) },
  { S (IN_REVIEW),         S (ARCHIVED) },
  { S (CHANGES_REQUESTED), S (ARCHIVED) },
  { S (APPROVED),          S (ARCHIVED) },
  { S (POSTED),            S (ARCHIVED) },
};

static gboolean
is_allowed_step (OpCaseState from,
                 OpCaseState to)
{
  for (guint i = 0; i < G_N_ELEMENTS (allowed_steps); i++)
    if (allowed_steps[i].from == from && allowed_steps[i].to == to)
      return TRUE;
  return FALSE;
}

static void
test_strings_jaw (void)
{
  static const char * const names[] = { "upper", "lower", "bite" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      OpJaw jaw = 99;

      g_assert_cmpstr (op_jaw_to_string ((OpJaw) i), ==, names[i]);
      g_assert_true (op_jaw_from_string (names[i], &jaw));
      g_assert_cmpint (jaw, ==, i);
    }

  /* Labels for people (untranslated here: the test runs without a
   * catalogue). */
  g_assert_cmpstr (op_jaw_to_label (OP_JAW_UPPER), ==, "Upper arch");
  g_assert_cmpstr (op_jaw_to_label (OP_JAW_LOWER), ==, "Lower arch");
  g_assert_cmpstr (op_jaw_to_label (OP_JAW_BITE), ==, "Bite");

  g_assert_false (op_jaw_from_string ("Upper", NULL));
  g_assert_false (op_jaw_from_string ("", NULL));
  g_assert_false (op_jaw_from_string (NULL, NULL));
}

static void
test_strings_state (void)
{
  static const char * const names[] = {
    "submitted", "segmented", "planned", "in-review",
    "changes-requested", "approved", "posted", "archived",
  };

  g_assert_cmpint (G_N_ELEMENTS (names), ==, OP_CASE_N_STATES);

  for (guint i = 0; i < OP_CASE_N_STATES; i++)
    {
      OpCaseState state = 99;
      const char *label;

      g_assert_cmpstr (op_case_state_to_string ((OpCaseState) i), ==, names[i]);
      g_assert_true (op_case_state_from_string (names[i], &state));
      g_assert_cmpint (state, ==, i);

      label = op_case_state_to_label ((OpCaseState) i);
      g_assert_nonnull (label);
      g_assert_cmpuint (strlen (label), >, 0);
    }

  g_assert_cmpstr (op_case_state_to_label (S (IN_REVIEW)), ==, "In review");
  g_assert_false (op_case_state_from_string ("in_review", NULL));
  g_assert_false (op_case_state_from_string ("In review", NULL));
  g_assert_false (op_case_state_from_string (NULL, NULL));
}

static void
test_strings_role (void)
{
  static const char * const names[] = { "administrator", "provider", "coordinator", "assistant" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      OpRole role = 99;

      g_assert_cmpstr (op_role_to_string ((OpRole) i), ==, names[i]);
      g_assert_true (op_role_from_string (names[i], &role));
      g_assert_cmpint (role, ==, i);
      g_assert_nonnull (op_role_to_label ((OpRole) i));
    }

  g_assert_false (op_role_from_string ("admin", NULL));
  g_assert_false (op_role_from_string (NULL, NULL));
}

static void
test_transitions_allowed (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (allowed_steps); i++)
    {
      const Step *s = &allowed_steps[i];

      if (!op_case_transition_allowed (s->from, s->to))
        g_test_message ("%s -> %s should be allowed",
                        op_case_state_to_string (s->from), op_case_state_to_string (s->to));
      g_assert_true (op_case_transition_allowed (s->from, s->to));
    }
}

static void
test_transitions_forbidden (void)
{
  guint n_forbidden = 0;

  /* Every pair not in the table is refused: skipping review, going back,
   * staying put, and leaving the archive. */
  for (guint from = 0; from < OP_CASE_N_STATES; from++)
    for (guint to = 0; to < OP_CASE_N_STATES; to++)
      {
        if (is_allowed_step (from, to))
          continue;
        if (op_case_transition_allowed (from, to))
          g_test_message ("%s -> %s should be refused",
                          op_case_state_to_string (from), op_case_state_to_string (to));
        g_assert_false (op_case_transition_allowed (from, to));
        n_forbidden++;
      }

  g_assert_cmpuint (n_forbidden, ==, OP_CASE_N_STATES * OP_CASE_N_STATES - G_N_ELEMENTS (allowed_steps));

  /* A few that matter clinically, spelled out. */
  g_assert_false (op_case_transition_allowed (S (PLANNED), S (APPROVED)));
  g_assert_false (op_case_transition_allowed (S (SUBMITTED), S (APPROVED)));
  g_assert_false (op_case_transition_allowed (S (CHANGES_REQUESTED), S (APPROVED)));
  g_assert_false (op_case_transition_allowed (S (IN_REVIEW), S (POSTED)));
  g_assert_false (op_case_transition_allowed (S (POSTED), S (APPROVED)));
  g_assert_false (op_case_transition_allowed (S (ARCHIVED), S (SUBMITTED)));
  g_assert_false (op_case_transition_allowed (S (ARCHIVED), S (ARCHIVED)));
}

/* The provider may take every step of the state machine. */
static void
test_role_provider (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (allowed_steps); i++)
    {
      const char *why = "unset";

      g_assert_true (op_case_role_may_transition (OP_ROLE_PROVIDER, allowed_steps[i].from,
                                                  allowed_steps[i].to, &why));
      g_assert_null (why);
    }

  g_assert_true (op_role_may_import (OP_ROLE_PROVIDER));
  g_assert_true (op_role_may_view (OP_ROLE_PROVIDER));
  g_assert_true (op_role_may_approve (OP_ROLE_PROVIDER));
  g_assert_false (op_role_may_manage (OP_ROLE_PROVIDER));
}

static void
test_role_coordinator (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (allowed_steps); i++)
    {
      const Step *s = &allowed_steps[i];
      const char *why = NULL;
      gboolean expected = (s->from == S (PLANNED) && s->to == S (IN_REVIEW)) ||
                          (s->from == S (APPROVED) && s->to == S (POSTED));
      gboolean got = op_case_role_may_transition (OP_ROLE_COORDINATOR, s->from, s->to, &why);

      g_assert_cmpint (got, ==, expected);
      if (got)
        g_assert_null (why);
      else
        g_assert_nonnull (why);
    }

  {
    const char *why = NULL;

    g_assert_false (op_case_role_may_transition (OP_ROLE_COORDINATOR, S (IN_REVIEW), S (APPROVED), &why));
    g_assert_nonnull (why);
    g_assert_nonnull (strstr (why, "provider"));
    g_assert_nonnull (strstr (why, "never approves"));
  }

  g_assert_true (op_role_may_import (OP_ROLE_COORDINATOR));
  g_assert_true (op_role_may_view (OP_ROLE_COORDINATOR));
  g_assert_false (op_role_may_approve (OP_ROLE_COORDINATOR));
  g_assert_false (op_role_may_manage (OP_ROLE_COORDINATOR));
}

static void
test_role_administrator (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (allowed_steps); i++)
    {
      const Step *s = &allowed_steps[i];
      const char *why = NULL;
      gboolean got = op_case_role_may_transition (OP_ROLE_ADMINISTRATOR, s->from, s->to, &why);

      g_assert_cmpint (got, ==, s->to == S (ARCHIVED));
      if (!got)
        g_assert_nonnull (why);
    }

  {
    const char *why = NULL;

    g_assert_false (op_case_role_may_transition (OP_ROLE_ADMINISTRATOR, S (IN_REVIEW), S (APPROVED), &why));
    g_assert_nonnull (strstr (why, "administrator"));
    g_assert_nonnull (strstr (why, "does not approve"));
  }

  g_assert_false (op_role_may_import (OP_ROLE_ADMINISTRATOR));
  g_assert_true (op_role_may_view (OP_ROLE_ADMINISTRATOR));
  g_assert_false (op_role_may_approve (OP_ROLE_ADMINISTRATOR));
  g_assert_true (op_role_may_manage (OP_ROLE_ADMINISTRATOR));
}

static void
test_role_assistant (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (allowed_steps); i++)
    {
      const char *why = NULL;

      g_assert_false (op_case_role_may_transition (OP_ROLE_ASSISTANT, allowed_steps[i].from,
                                                   allowed_steps[i].to, &why));
      g_assert_nonnull (why);
      g_assert_nonnull (strstr (why, "view"));
    }

  g_assert_false (op_role_may_import (OP_ROLE_ASSISTANT));
  g_assert_true (op_role_may_view (OP_ROLE_ASSISTANT));
  g_assert_false (op_role_may_approve (OP_ROLE_ASSISTANT));
  g_assert_false (op_role_may_manage (OP_ROLE_ASSISTANT));
}

/* A step the machine forbids is refused for every role, provider
 * included, with a sentence about the case rather than about the role. */
static void
test_role_forbidden_step (void)
{
  for (guint role = OP_ROLE_ADMINISTRATOR; role <= OP_ROLE_ASSISTANT; role++)
    for (guint from = 0; from < OP_CASE_N_STATES; from++)
      for (guint to = 0; to < OP_CASE_N_STATES; to++)
        {
          const char *why = NULL;

          if (is_allowed_step (from, to))
            continue;
          g_assert_false (op_case_role_may_transition (role, from, to, &why));
          g_assert_nonnull (why);
          g_assert_cmpuint (strlen (why), >, 10);
        }

  {
    const char *why = NULL;

    g_assert_false (op_case_role_may_transition (OP_ROLE_PROVIDER, S (PLANNED), S (APPROVED), &why));
    g_assert_nonnull (strstr (why, "review"));

    g_assert_false (op_case_role_may_transition (OP_ROLE_PROVIDER, S (ARCHIVED), S (PLANNED), &why));
    g_assert_nonnull (strstr (why, "archived"));
  }

  /* why may be NULL. */
  g_assert_false (op_case_role_may_transition (OP_ROLE_ASSISTANT, S (SUBMITTED), S (SEGMENTED), NULL));
  g_assert_true (op_case_role_may_transition (OP_ROLE_PROVIDER, S (SUBMITTED), S (SEGMENTED), NULL));
}

static void
test_accepts_scans (void)
{
  g_assert_true (op_case_state_accepts_scans (S (SUBMITTED)));
  g_assert_true (op_case_state_accepts_scans (S (SEGMENTED)));
  g_assert_true (op_case_state_accepts_scans (S (PLANNED)));
  g_assert_true (op_case_state_accepts_scans (S (CHANGES_REQUESTED)));
  g_assert_false (op_case_state_accepts_scans (S (IN_REVIEW)));
  g_assert_false (op_case_state_accepts_scans (S (APPROVED)));
  g_assert_false (op_case_state_accepts_scans (S (POSTED)));
  g_assert_false (op_case_state_accepts_scans (S (ARCHIVED)));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/planner/case/strings/jaw", test_strings_jaw);
  g_test_add_func ("/planner/case/strings/state", test_strings_state);
  g_test_add_func ("/planner/case/strings/role", test_strings_role);
  g_test_add_func ("/planner/case/transitions/allowed", test_transitions_allowed);
  g_test_add_func ("/planner/case/transitions/forbidden", test_transitions_forbidden);
  g_test_add_func ("/planner/case/role/provider", test_role_provider);
  g_test_add_func ("/planner/case/role/coordinator", test_role_coordinator);
  g_test_add_func ("/planner/case/role/administrator", test_role_administrator);
  g_test_add_func ("/planner/case/role/assistant", test_role_assistant);
  g_test_add_func ("/planner/case/role/forbidden-step", test_role_forbidden_step);
  g_test_add_func ("/planner/case/accepts-scans", test_accepts_scans);

  return g_test_run ();
}
