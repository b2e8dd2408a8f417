/* test-export-util.c: see test-export-util.h. */
#include "test-export-util.h"

#include "op-frame.h"
#include "op-teeth-folder.h"

static char *
real_dir (const char *arch)
{
  const char *root = g_getenv ("OP_SHARED_DATA");
  char *dir = root ? g_build_filename (root, "open-full-jaw-p26", arch, NULL) : NULL;

  if (dir && !g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_clear_pointer (&dir, g_free);
  return dir;
}

OpDentition *
test_export_load_real (void)
{
  g_autofree char *up = real_dir ("maxilla");
  g_autofree char *lo = real_dir ("mandible");
  g_autoptr(GError) error = NULL;
  g_autoptr(OpDentition) d = NULL;
  g_autoptr(OpDentition) estimated = NULL;
  const char *dirs[3] = { up, lo, NULL };

  if (up == NULL || lo == NULL)
    return NULL;
  d = op_teeth_folder_load (dirs, OP_NUMBERING_UNIVERSAL, NULL, NULL, &error);
  g_assert_no_error (error);
  if (d == NULL)
    return NULL;
  /* Two teeth come without axes: estimate frames on a copy and take only
   * theirs, keeping the given frames of the others. */
  estimated = op_dentition_copy (d);
  if (!op_frame_estimate_dentition (estimated, &error))
    g_error ("estimating frames of the real teeth: %s", error->message);
  for (guint i = 0; i < d->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (d->teeth, i);

      if (!t->has_frame)
        {
          t->frame = op_dentition_get (estimated, t->fdi)->frame;
          t->has_frame = TRUE;
        }
    }
  return g_steal_pointer (&d);
}

OpPlan *
test_export_plan (const OpDentition *d,
                  guint              n_stages,
                  gboolean           upper_incisors_only)
{
  g_autofree OpPlanTooth *teeth = g_new0 (OpPlanTooth, d->teeth->len);
  OpPlan *plan;
  OpPlanAttachment att = { 0 };

  for (guint i = 0; i < d->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (d->teeth, i);

      teeth[i].fdi = t->fdi;
      teeth[i].frame = t->frame;
    }
  plan = op_plan_new (teeth, d->teeth->len, n_stages);
  for (guint t = 0; t < plan->n_teeth; t++)
    {
      int fdi = plan->teeth[t].fdi;
      int unit = fdi % 10;
      gboolean incisor = (fdi / 10 == 1 || fdi / 10 == 2) && unit <= 2;
      OpMovement target = { 0 };

      if (upper_incisors_only)
        {
          if (incisor)
            {
              target.bl = 2.0;
              target.rot = unit == 1 ? 12.0 : -10.0;
              target.tip = 3.0;
            }
        }
      else
        {
          /* Small, varied movements, different on each tooth. */
          target.md = 0.05 * (unit - 4);
          target.bl = 0.1 * ((fdi % 3) - 1);
          target.vert = 0.02 * (fdi % 5);
          target.rot = 0.5 * (unit % 4);
          target.tip = 0.25 * ((fdi % 7) - 3);
          target.torque = 0.2 * ((fdi % 4) - 2);
        }
      op_movement_quantize (&target);
      plan->teeth[t].target = target;
      for (guint s = 0; s < plan->n_stages; s++)
        {
          double f = plan->n_stages > 1 ? (double) s / (plan->n_stages - 1) : 1.0;
          OpMovement *m = op_plan_pose (plan, s, t);

          for (guint c = 0; c < OP_N_COMPONENTS; c++)
            op_movement_set (m, c, op_movement_get (&target, c) * f);
          op_movement_quantize (m);
        }
      /* The last stage must equal the target exactly. */
      *op_plan_pose (plan, plan->n_stages - 1, t) = target;
    }
  op_plan_add_ipr (plan, 11, 21, 0.3, 2);
  op_plan_add_ipr (plan, 41, 42, 0.2, MIN (5, n_stages - 1));
  att.fdi = 13;
  att.type = OP_ATTACH_RECT_VERTICAL;
  att.length_mm = 3.0;
  att.width_mm = 2.0;
  att.depth_mm = 1.0;
  att.stage = 1;
  op_plan_add_attachment (plan, &att);
  att.fdi = 44;
  att.type = OP_ATTACH_RECT_HORIZONTAL;
  op_plan_add_attachment (plan, &att);
  op_plan_add_warning (plan, "comfort", 11, 0, -1, "Tooth 11 rotates 12.0° in total, more than the 10° comfort threshold.");
  op_plan_sort (plan);
  return plan;
}
