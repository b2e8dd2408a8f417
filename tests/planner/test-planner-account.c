/* test-planner-account.c: password, login and NPI rules, sign-in delays,
 * the approval meaning, the lock time and role rights. */
#include <string.h>

#include <glib.h>

#include "op-case.h"

static void
test_password_accepts (void)
{
  static const char * const good[] = {
    "correct horse battery staple",
    "Tr0ub4dor&3-plus",
    "mint tea at 7 on Fridays",
    "ÄÖÜ sind zwölf Zeichen",   /* 22 characters, more bytes */
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (op_password_check (good[i], "jsmith", "Jane Smith", &error));
      g_assert_no_error (error);
    }
}

static void
check_refused (const char *password,
               const char *login,
               const char *name,
               const char *expect_in_message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (op_password_check (password, login, name, &error));
  g_assert_error (error, OP_CASE_ERROR, OP_CASE_ERROR_WEAK_PASSWORD);
  if (error != NULL)
    {
      g_assert_true (g_str_has_prefix (error->message, "password: "));
      g_assert_nonnull (strstr (error->message, expect_in_message));
      /* The message never echoes the password back. */
      if (password != NULL && password[0] != '\0')
        g_assert_null (strstr (error->message, password));
    }
}

static void
test_password_refuses (void)
{
  check_refused (NULL, "jsmith", NULL, "empty");
  check_refused ("", "jsmith", NULL, "empty");
  check_refused ("short pass1", "jsmith", NULL, "is 11 characters long; it must be at least 12");
  /* Twelve bytes but eleven characters: characters count, not bytes. */
  check_refused ("zwölf zeich", "jsmith", NULL, "is 11 characters");
  check_refused ("my jsmith password", "jsmith", NULL, "login name");
  check_refused ("my JSMITH password", "jsmith", NULL, "login name");
  check_refused ("I am Jane Smithers!", "jdoe", "Jane Smithers", "own name");
  check_refused ("aaaaaaaaaaaaaaaa", "jsmith", NULL, "repeated");
  check_refused ("abcabcabcabcabc", "jsmith", NULL, "repeated");
  check_refused ("abcdefghijklmn", "jsmith", NULL, "run of keys");
  check_refused ("qwertyuiop[]", "jsmith", NULL, "run of keys");
  check_refused ("0987654321`", "jsmith", NULL, "11 characters");
  check_refused ("Password1234", "jsmith", NULL, "most common");
  check_refused ("line one\nline two", "jsmith", NULL, "control character");
  check_refused ("\xff\xfe not utf-8 at all", "jsmith", NULL, "UTF-8");

  {
    g_autofree char *longer = g_strnfill (OP_PASSWORD_MAX_LENGTH + 1, 'x');
    g_autoptr(GError) error = NULL;

    longer[3] = 'y';  /* not a pure repetition, so the length rule speaks */
    g_assert_false (op_password_check (longer, "jsmith", NULL, &error));
    g_assert_error (error, OP_CASE_ERROR, OP_CASE_ERROR_WEAK_PASSWORD);
    if (error)
      g_assert_nonnull (strstr (error->message, "at most 256"));
  }
}

static void
test_login (void)
{
  static const char * const good[] = { "jsmith", "dr.jones", "a", "user_2-b", "0day" };
  static const char * const bad[] = { "", ".hidden", "with space", "émile", "semi;colon", "-dash" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (op_login_check (good[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (op_login_check (bad[i], &error));
      g_assert_error (error, OP_CASE_ERROR, OP_CASE_ERROR_INVALID_LOGIN);
    }

  {
    g_autofree char *longer = g_strnfill (65, 'a');
    g_autoptr(GError) error = NULL;

    g_assert_false (op_login_check (longer, &error));
    g_assert_error (error, OP_CASE_ERROR, OP_CASE_ERROR_INVALID_LOGIN);
    g_assert_false (op_login_check (NULL, NULL));
  }
}

static void
test_npi (void)
{
  /* 1234567893 is the example NPI in CMS's check digit note; the others
   * change one digit of it, so the Luhn sum fails. */
  static const char * const good[] = { "1234567893", "1245319599", "1003000126" };
  static const char * const bad[] = { "1234567890", "1234567839", "123456789", "12345678931", "12345a7893", "" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (op_npi_check (good[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (op_npi_check (bad[i], &error));
      g_assert_error (error, OP_CASE_ERROR, OP_CASE_ERROR_INVALID_NPI);
    }
  g_assert_false (op_npi_check (NULL, NULL));

  g_assert_true (op_role_needs_npi (OP_ROLE_PROVIDER));
  g_assert_false (op_role_needs_npi (OP_ROLE_COORDINATOR));
  g_assert_false (op_role_needs_npi (OP_ROLE_ADMINISTRATOR));
  g_assert_false (op_role_needs_npi (OP_ROLE_ASSISTANT));
}

static void
test_sign_in_delay (void)
{
  guint previous = 0;

  for (guint n = 0; n <= OP_SIGN_IN_FREE_FAILURES; n++)
    g_assert_cmpuint (op_sign_in_delay_seconds (n), ==, 0);

  g_assert_cmpuint (op_sign_in_delay_seconds (3), ==, 2);
  g_assert_cmpuint (op_sign_in_delay_seconds (4), ==, 4);
  g_assert_cmpuint (op_sign_in_delay_seconds (5), ==, 8);

  /* Never shrinks, grows until the cap and stays there, even for counts
   * that would overflow a shift. */
  for (guint n = 0; n < 100; n++)
    {
      guint d = op_sign_in_delay_seconds (n);

      g_assert_cmpuint (d, >=, previous);
      g_assert_cmpuint (d, <=, OP_SIGN_IN_MAX_DELAY_S);
      previous = d;
    }
  g_assert_cmpuint (op_sign_in_delay_seconds (50), ==, OP_SIGN_IN_MAX_DELAY_S);
  g_assert_cmpuint (op_sign_in_delay_seconds (G_MAXUINT), ==, OP_SIGN_IN_MAX_DELAY_S);
}

static void
test_meaning (void)
{
  g_autofree char *v3 = op_approval_meaning (3);
  g_autofree char *v12 = op_approval_meaning (12);

  g_assert_cmpstr (v3, ==, "approved treatment plan v3 for production");
  g_assert_cmpstr (v12, ==, "approved treatment plan v12 for production");
}

static void
test_lock_timeout (void)
{
  g_assert_cmpuint (op_lock_timeout_minutes (0), ==, 15);
  g_assert_cmpuint (op_lock_timeout_minutes (-4), ==, 15);
  g_assert_cmpuint (op_lock_timeout_minutes (15), ==, 15);
  g_assert_cmpuint (op_lock_timeout_minutes (5), ==, 5);
  g_assert_cmpuint (op_lock_timeout_minutes (30), ==, 30);
  g_assert_cmpuint (op_lock_timeout_minutes (240), ==, 30);
  g_assert_cmpuint (OP_LOCK_TIMEOUT_DEFAULT_MIN, ==, 15);
}

static void
test_rights (void)
{
  const char *why = "unset";

  g_assert_true (op_role_has_right (OP_ROLE_PROVIDER, OP_RIGHT_APPROVE, &why));
  g_assert_null (why);

  why = NULL;
  g_assert_false (op_role_has_right (OP_ROLE_COORDINATOR, OP_RIGHT_APPROVE, &why));
  g_assert_nonnull (why);
  if (why)
    g_assert_nonnull (strstr (why, "coordinator never approves"));

  for (OpRole r = OP_ROLE_ADMINISTRATOR; r <= OP_ROLE_ASSISTANT; r++)
    {
      g_assert_true (op_role_has_right (r, OP_RIGHT_VIEW, NULL));
      g_assert_cmpint (op_role_has_right (r, OP_RIGHT_APPROVE, NULL), ==, op_role_may_approve (r));
      g_assert_cmpint (op_role_has_right (r, OP_RIGHT_IMPORT, NULL), ==, op_role_may_import (r));
      g_assert_cmpint (op_role_has_right (r, OP_RIGHT_MANAGE, NULL), ==, op_role_may_manage (r));
      g_assert_cmpint (op_role_has_right (r, OP_RIGHT_PLAN, NULL), ==, r == OP_ROLE_PROVIDER);

      why = NULL;
      if (!op_role_has_right (r, OP_RIGHT_MANAGE, &why))
        g_assert_nonnull (why);
    }
}

static void
test_accepts_plans (void)
{
  g_assert_true (op_case_state_accepts_plans (OP_CASE_STATE_SEGMENTED));
  g_assert_true (op_case_state_accepts_plans (OP_CASE_STATE_PLANNED));
  g_assert_true (op_case_state_accepts_plans (OP_CASE_STATE_IN_REVIEW));
  g_assert_true (op_case_state_accepts_plans (OP_CASE_STATE_CHANGES_REQUESTED));
  g_assert_false (op_case_state_accepts_plans (OP_CASE_STATE_APPROVED));
  g_assert_false (op_case_state_accepts_plans (OP_CASE_STATE_POSTED));
  g_assert_false (op_case_state_accepts_plans (OP_CASE_STATE_ARCHIVED));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/planner/account/password/accepts", test_password_accepts);
  g_test_add_func ("/planner/account/password/refuses", test_password_refuses);
  g_test_add_func ("/planner/account/login", test_login);
  g_test_add_func ("/planner/account/npi", test_npi);
  g_test_add_func ("/planner/account/sign-in-delay", test_sign_in_delay);
  g_test_add_func ("/planner/account/meaning", test_meaning);
  g_test_add_func ("/planner/account/lock-timeout", test_lock_timeout);
  g_test_add_func ("/planner/account/rights", test_rights);
  g_test_add_func ("/planner/account/accepts-plans", test_accepts_plans);

  return g_test_run ();
}
