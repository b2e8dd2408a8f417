/* A stored version's parameters read back into a request: what the
 * review screen does when it reopens a version. */
#include <string.h>

#include "op-plan-json.h"

/* Encoding, decoding and encoding again gives the same text. */
static void
test_round_trip (void)
{
  g_autoptr(OpPlanRequest) r = op_plan_request_new ();
  g_autoptr(OpPlanRequest) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL, *again = NULL;

  r->strategy = OP_STAGE_STRATEGY_POSTERIOR_FIRST;
  r->limits.rot = 1.25;
  op_plan_request_set_target (r, 23, OP_COMPONENT_VERT, 0.75);
  op_plan_request_set_target (r, 23, OP_COMPONENT_TORQUE, -4.0);
  op_plan_request_set_target (r, 41, OP_COMPONENT_BL, 0.1);
  op_plan_request_set_locked (r, 46, TRUE);
  text = op_plan_request_encode (r, "review");

  back = op_plan_request_decode (text, "plan v2 parameters", &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  if (back == NULL)
    return;
  again = op_plan_request_encode (back, "review");
  g_assert_cmpstr (again, ==, text);
  g_assert_cmpint (back->strategy, ==, OP_STAGE_STRATEGY_POSTERIOR_FIRST);
  g_assert_cmpfloat (back->limits.rot, ==, 1.25);
  g_assert_cmpuint (back->overrides->len, ==, 2);
  g_assert_cmpfloat (op_plan_request_find_override (back, 23)->target.torque, ==, -4.0);
  g_assert_true (op_plan_request_is_locked (back, 46));
}

/* What `orthoplan-cli plan` stored before requests had one encoder:
 * limits as typed (some components only), a lock list, targets as
 * typed.  The missing components keep the defaults. */
static void
test_older_cli_text (void)
{
  const char *text = "{\"strategy\": \"together\", \"limits\": \"md=0.3\", \"lock\": \"\", "
                     "\"targets\": [\"11:rot=5,md=0.5\"]}";
  g_autoptr(OpPlanRequest) defaults = op_plan_request_new ();
  g_autoptr(OpPlanRequest) r = NULL;
  g_autoptr(GError) error = NULL;

  r = op_plan_request_decode (text, "plan v1 parameters", &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  if (r == NULL)
    return;
  g_assert_cmpfloat (r->limits.md, ==, 0.3);
  g_assert_cmpfloat (r->limits.rot, ==, defaults->limits.rot);
  g_assert_cmpuint (r->locked->len, ==, 0);
  g_assert_cmpuint (r->overrides->len, ==, 1);
  g_assert_cmpfloat (op_plan_request_find_override (r, 11)->target.md, ==, 0.5);

  /* Nothing at all is a request for the defaults. */
  g_clear_pointer (&r, op_plan_request_free);
  r = op_plan_request_decode ("{}", "plan v1 parameters", &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_cmpuint (r ? r->overrides->len : 99, ==, 0);
}

/* Each bad text names the version and the member. */
static void
test_bad (void)
{
  static const struct { const char *text; const char *says; } cases[] = {
    { "not json", "plan v7 parameters" },
    { "[1, 2]", "not a JSON object" },
    { "{\"limits\": 3}", "limits is not a string" },
    { "{\"targets\": \"11:rot=1\"}", "targets is not a list" },
    { "{\"targets\": [\"11:rot=1\", 5]}", "targets[1] is not a string" },
    { "{\"targets\": [\"11:rot=1\", \"52:tip=2\", \"19:rot=1\"]}", "targets[2]" },
    { "{\"lock\": \"11,x\"}", "“x” is not an FDI tooth number" },
    { "{\"strategy\": \"sideways\"}", "sideways" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OpPlanRequest) r = op_plan_request_decode (cases[i].text, "plan v7 parameters", &error);

      g_test_message ("%s -> %s", cases[i].text, error ? error->message : "(no error)");
      g_assert_null (r);
      g_assert_nonnull (error);
      if (error == NULL)
        continue;
      g_assert_true (g_str_has_prefix (error->message, "plan v7 parameters: "));
      g_assert_nonnull (strstr (error->message, cases[i].says));
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/io/plan-request/round-trip", test_round_trip);
  g_test_add_func ("/io/plan-request/older-cli-text", test_older_cli_text);
  g_test_add_func ("/io/plan-request/bad", test_bad);
  return g_test_run ();
}
