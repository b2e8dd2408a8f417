/* The provider's part of the planner's options: its text forms, edits
 * kept sorted, and a parameters text that depends only on the request. */
#include <glib.h>
#include <string.h>

#include "op-plan-request.h"

static void
test_movement_parse (void)
{
  OpMovement m = { 0 };
  guint mask = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (op_movement_parse ("--limits", "md=0.2, rot = 1.5", &m, &mask, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (op_movement_get (&m, OP_COMPONENT_MD), ==, 0.2);
  g_assert_cmpfloat (op_movement_get (&m, OP_COMPONENT_ROT), ==, 1.5);
  g_assert_cmpuint (mask, ==, (1u << OP_COMPONENT_MD) | (1u << OP_COMPONENT_ROT));

  /* An empty text asks for nothing and changes nothing. */
  mask = 0;
  g_assert_true (op_movement_parse ("--limits", "", &m, &mask, &error));
  g_assert_cmpuint (mask, ==, 0);

  /* Errors name the field and the piece that is wrong. */
  g_assert_false (op_movement_parse ("--limits", "md=0.2,spin=3", &m, NULL, &error));
  g_assert_error (error, OP_PLAN_REQUEST_ERROR, OP_PLAN_REQUEST_ERROR_SYNTAX);
  g_assert_nonnull (error && strstr (error->message, "--limits") && strstr (error->message, "spin=3") ? error : NULL);
  g_clear_error (&error);
  g_assert_false (op_movement_parse ("limits", "rot=fast", &m, NULL, &error));
  g_assert_nonnull (error && strstr (error->message, "“fast” is not a number") ? error : NULL);
  g_clear_error (&error);
  g_assert_false (op_movement_parse ("limits", "rot=nan", &m, NULL, &error));
  g_assert_error (error, OP_PLAN_REQUEST_ERROR, OP_PLAN_REQUEST_ERROR_SYNTAX);
}

static void
test_texts (void)
{
  g_autoptr(OpPlanRequest) r = op_plan_request_new ();
  g_autoptr(GError) error = NULL;
  OpToothOverride *ov;

  g_assert_true (op_plan_request_add_target_text (r, "--target", "21:rot=5,md=0.5", &error));
  g_assert_true (op_plan_request_add_target_text (r, "--target", "11:tip=-2", &error));
  /* A second text for the same tooth adds to its override. */
  g_assert_true (op_plan_request_add_target_text (r, "--target", "21:torque=3", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r->overrides->len, ==, 2);
  g_assert_cmpint (g_array_index (r->overrides, OpToothOverride, 0).fdi, ==, 11);
  ov = op_plan_request_find_override (r, 21);
  g_assert_nonnull (ov);
  if (ov != NULL)
    {
      g_assert_cmpuint (ov->mask, ==, (1u << OP_COMPONENT_ROT) | (1u << OP_COMPONENT_MD) | (1u << OP_COMPONENT_TORQUE));
      g_assert_cmpfloat (ov->target.rot, ==, 5.0);
      g_assert_cmpfloat (ov->target.torque, ==, 3.0);
    }

  /* A bad text is refused whole: nothing of it is kept. */
  g_assert_false (op_plan_request_add_target_text (r, "--target", "31:rot=1,tip=x", &error));
  g_assert_error (error, OP_PLAN_REQUEST_ERROR, OP_PLAN_REQUEST_ERROR_SYNTAX);
  g_clear_error (&error);
  g_assert_null (op_plan_request_find_override (r, 31));
  g_assert_false (op_plan_request_add_target_text (r, "--target", "19:rot=1", &error));
  g_assert_nonnull (error && strstr (error->message, "19:rot=1") ? error : NULL);
  g_clear_error (&error);
  g_assert_false (op_plan_request_add_target_text (r, "--target", "rot=1", &error));
  g_clear_error (&error);

  g_assert_true (op_plan_request_add_lock_text (r, "--lock", "21, 11,21", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r->locked->len, ==, 2);
  g_assert_cmpint (g_array_index (r->locked, int, 0), ==, 11);
  g_assert_true (op_plan_request_is_locked (r, 21));
  g_assert_false (op_plan_request_add_lock_text (r, "--lock", "11,1a", &error));
  g_assert_nonnull (error && strstr (error->message, "“1a” is not an FDI tooth number") ? error : NULL);
  g_clear_error (&error);
  g_assert_cmpuint (r->locked->len, ==, 2);
  op_plan_request_set_locked (r, 11, FALSE);
  g_assert_false (op_plan_request_is_locked (r, 11));
  g_assert_cmpuint (r->locked->len, ==, 1);

  g_assert_true (op_plan_request_set_strategy_text (r, "--strategy", "anterior-first", &error));
  g_assert_cmpint (r->strategy, ==, OP_STAGE_STRATEGY_ANTERIOR_FIRST);
  g_assert_false (op_plan_request_set_strategy_text (r, "--strategy", "fastest", &error));
  g_assert_nonnull (error && strstr (error->message, "fastest") ? error : NULL);
}

/* The same edits, made in another order, give the same bytes; a copy
 * is equal and independent. */
static void
test_encode (void)
{
  g_autoptr(OpPlanRequest) a = op_plan_request_new ();
  g_autoptr(OpPlanRequest) b = op_plan_request_new ();
  g_autoptr(OpPlanRequest) c = NULL;
  g_autofree char *ta = NULL, *tb = NULL, *tc = NULL;
  OpPlannerOptions options = { 0 };

  op_plan_request_set_target (a, 21, OP_COMPONENT_ROT, 4.5);
  op_plan_request_set_target (a, 11, OP_COMPONENT_MD, -0.25);
  op_plan_request_set_locked (a, 36, TRUE);
  op_plan_request_set_locked (a, 16, TRUE);

  op_plan_request_set_locked (b, 16, TRUE);
  op_plan_request_set_target (b, 11, OP_COMPONENT_MD, -0.25);
  op_plan_request_set_locked (b, 36, TRUE);
  op_plan_request_set_target (b, 21, OP_COMPONENT_ROT, 4.5);

  ta = op_plan_request_encode (a, "review");
  tb = op_plan_request_encode (b, "review");
  g_assert_cmpstr (ta, ==, tb);
  g_assert_nonnull (strstr (ta, "\"lock\": \"16,36\""));
  g_assert_nonnull (strstr (ta, "\"targets\": [\"11:md=-0.2500\", \"21:rot=4.5000\"]"));
  g_assert_nonnull (strstr (ta, "\"source\": \"review\""));

  c = op_plan_request_copy (a);
  tc = op_plan_request_encode (c, "review");
  g_assert_cmpstr (tc, ==, ta);
  op_plan_request_set_target (c, 21, OP_COMPONENT_ROT, 1.0);
  g_assert_cmpfloat (op_plan_request_find_override (a, 21)->target.rot, ==, 4.5);

  op_plan_request_apply (a, &options);
  g_assert_cmpuint (options.n_overrides, ==, 2);
  g_assert_cmpuint (options.n_locked, ==, 2);
  g_assert_cmpint (options.overrides[1].fdi, ==, 21);
  g_assert_cmpfloat (options.limits.md, ==, a->limits.md);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/planner/plan-request/movement", test_movement_parse);
  g_test_add_func ("/planner/plan-request/texts", test_texts);
  g_test_add_func ("/planner/plan-request/encode", test_encode);
  return g_test_run ();
}
