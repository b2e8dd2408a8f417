/* test-model-data.c: real teeth and a moving plan for the model tests. */
#include "test-model-data.h"

#include "op-teeth-folder.h"

gboolean
model_data_load (guint n_stages, OpDentition **teeth, OpPlan **plan)
{
  const char *root = g_getenv ("OP_SHARED_DATA");
  g_autofree char *up = NULL, *lo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpDentition) all = NULL;
  g_autoptr(GArray) pt = g_array_new (FALSE, TRUE, sizeof (OpPlanTooth));
  OpDentition *framed;
  OpPlan *p;
  const char *dirs[3];

  if (root == NULL)
    return FALSE;
  up = g_build_filename (root, "open-full-jaw-p26", "maxilla", NULL);
  lo = g_build_filename (root, "open-full-jaw-p26", "mandible", NULL);
  if (!g_file_test (up, G_FILE_TEST_IS_DIR))
    return FALSE;
  dirs[0] = up;
  dirs[1] = lo;
  dirs[2] = NULL;
  all = op_teeth_folder_load (dirs, OP_NUMBERING_UNIVERSAL, NULL, NULL, &error);
  g_assert_no_error (error);
  if (all == NULL)
    return FALSE;

  /* Only framed teeth can be posed by a plan. */
  framed = op_dentition_new ();
  for (guint i = 0; i < all->teeth->len; i++)
    {
      const OpTooth *t = g_ptr_array_index (all->teeth, i);
      OpPlanTooth ptooth = { 0 };

      if (!t->has_frame)
        continue;
      op_dentition_add (framed, op_tooth_copy (t));
      ptooth.fdi = t->fdi;
      ptooth.frame = t->frame;
      g_array_append_val (pt, ptooth);
    }
  p = op_plan_new ((OpPlanTooth *) pt->data, pt->len, n_stages);
  for (guint s = 0; s < n_stages; s++)
    {
      int i11 = op_plan_find_tooth (p, 11), i36 = op_plan_find_tooth (p, 36);
      if (i11 >= 0)
        {
          op_plan_pose (p, s, i11)->md = 0.2 * s;
          op_plan_pose (p, s, i11)->rot = 1.5 * s;
        }
      if (i36 >= 0)
        op_plan_pose (p, s, i36)->vert = -0.1 * s;
    }
  {
    OpPlanAttachment a = { .fdi = 11, .type = OP_ATTACH_RECT_VERTICAL, .length_mm = 3.0,
                           .width_mm = 2.0, .depth_mm = 1.0, .position = { 0, 3.5, 0 }, .stage = 2 };
    op_plan_add_attachment (p, &a);
    a.fdi = 36;
    a.type = OP_ATTACH_RECT_HORIZONTAL;
    a.length_mm = 2.0;
    a.width_mm = 3.0;
    a.position[1] = 5.0;
    op_plan_add_attachment (p, &a);
  }
  op_plan_sort (p);
  *teeth = framed;
  *plan = p;
  return TRUE;
}
