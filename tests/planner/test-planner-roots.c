/* test-planner-roots: template roots by tooth type, roots grown in a
 * CBCT-like volume made from the real teeth of open-full-jaw-p26, and the
 * root checks on plans (proximity, leaving the bone, with and without a
 * CBCT). */
#include <math.h>
#include <string.h>

#include "op-bvh.h"
#include "op-marching.h"
#include "op-pose.h"
#include "op-roots.h"
#include "op-voxelize.h"
#include "test-cbct-data.h"

/* The real teeth with their roots cut off 3 mm under the crown centre, as
 * a scan's crowns are, with the dataset's frames; the full teeth in
 * @full when not NULL. */
static OpDentition *
load_crowns (OpDentition **full)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpDentition) teeth = cbct_load_teeth (&error);
  OpDentition *crowns;

  if (teeth == NULL)
    {
      g_test_skip (error->message);
      return NULL;
    }
  crowns = op_dentition_new ();
  for (guint t = 0; t < teeth->teeth->len; t++)
    {
      const OpTooth *src = g_ptr_array_index (teeth->teeth, t);
      OpTooth *tooth = op_tooth_new (src->fdi, cbct_cut_crown (src, 3.0));

      tooth->has_frame = TRUE;
      tooth->frame = src->frame;
      op_dentition_add (crowns, tooth);
    }
  if (full != NULL)
    *full = g_steal_pointer (&teeth);
  return crowns;
}

/* Depth of the deepest point of @mesh under the cervical line of @crown
 * (the crown's lowest point along the long axis), mm. */
static double
depth_below_cervical (const OpTooth *crown, const OpMesh *mesh)
{
  const OpFrame *f = &crown->frame;
  double hc = G_MAXDOUBLE, deepest = 0;

  for (gsize v = 0; v < crown->crown->n_vertices; v++)
    {
      double h = 0;

      for (int a = 0; a < 3; a++)
        h += (crown->crown->positions[v * 3 + a] - f->origin[a]) * f->occlusal[a];
      hc = MIN (hc, h);
    }
  for (gsize v = 0; v < mesh->n_vertices; v++)
    {
      double h = 0;

      for (int a = 0; a < 3; a++)
        h += (mesh->positions[v * 3 + a] - f->origin[a]) * f->occlusal[a];
      deepest = MAX (deepest, hc - h);
    }
  return deepest;
}

static gboolean
is_closed (const OpMesh *mesh)
{
  g_autoptr(OpBvh) bvh = op_bvh_new_for_mesh (mesh);

  return bvh != NULL && op_bvh_is_closed (bvh);
}

static void
test_template_lengths (void)
{
  g_autoptr(OpDentition) d = load_crowns (NULL);
  const struct { int fdi; double mm; guint roots; } table[] = {
    { 11, 13, 1 }, { 12, 13, 1 }, { 13, 17, 1 }, { 14, 14, 1 }, { 15, 14, 1 }, { 16, 12.5, 3 },
    { 31, 12.5, 1 }, { 32, 14, 1 }, { 33, 16, 1 }, { 34, 14, 1 }, { 35, 14, 1 }, { 36, 13, 2 },
  };

  if (d == NULL)
    return;
  for (guint k = 0; k < G_N_ELEMENTS (table); k++)
    {
      const OpTooth *tooth = op_dentition_get (d, table[k].fdi);
      g_autoptr(OpMesh) root = NULL;
      g_autoptr(GError) error = NULL;
      double len;

      g_assert_nonnull (tooth);
      if (tooth == NULL)
        continue;
      g_assert_cmpfloat_with_epsilon (op_roots_template_length (table[k].fdi), table[k].mm, 1e-9);
      g_assert_cmpuint (op_roots_template_count (table[k].fdi), ==, table[k].roots);
      root = op_roots_template (tooth, &error);
      g_assert_no_error (error);
      g_assert_nonnull (root);
      if (root == NULL)
        continue;
      len = depth_below_cervical (tooth, root);
      g_test_message ("tooth %d: template root %.2f mm (table %.1f)", table[k].fdi, len, table[k].mm);
      g_assert_cmpfloat (fabs (len - table[k].mm), <=, 0.1 * table[k].mm);
      g_assert_true (is_closed (root));
      g_assert_cmpfloat (op_mesh_volume (root), >, 20);
    }

  /* Every tooth gets one, the left side too (left-handed frames). */
  g_assert_true (op_roots_build (d, NULL, NULL, NULL));
  for (guint t = 0; t < d->teeth->len; t++)
    {
      const OpTooth *tooth = g_ptr_array_index (d->teeth, t);

      g_assert_nonnull (tooth->root);
      g_assert_cmpfloat (op_mesh_volume (tooth->root), >, 20);
    }
}

static void
test_template_bad (void)
{
  g_autoptr(OpTooth) no_frame = op_tooth_new (11, op_mesh_new (3, 1, OP_MESH_ATTR_NONE));
  g_autoptr(OpTooth) no_crown = op_tooth_new (11, op_mesh_new (0, 0, OP_MESH_ATTR_NONE));
  g_autoptr(GError) e1 = NULL, e2 = NULL;

  no_crown->has_frame = TRUE;
  g_assert_null (op_roots_template (no_frame, &e1));
  g_assert_error (e1, OP_ROOTS_ERROR, OP_ROOTS_ERROR_NO_FRAME);
  g_assert_null (op_roots_template (no_crown, &e2));
  g_assert_error (e2, OP_ROOTS_ERROR, OP_ROOTS_ERROR_EMPTY);
}

static OpPlan *
plan_for (const OpDentition *d, guint n_stages)
{
  g_autofree OpPlanTooth *pt = g_new0 (OpPlanTooth, d->teeth->len);

  for (guint t = 0; t < d->teeth->len; t++)
    {
      const OpTooth *tooth = g_ptr_array_index (d->teeth, t);

      pt[t].fdi = tooth->fdi;
      pt[t].frame = tooth->frame;
    }
  return op_plan_new (pt, d->teeth->len, n_stages);
}

/* Moves tooth @fdi from zero to @target over the plan's stages. */
static void
ramp (OpPlan *plan, int fdi, const OpMovement *target)
{
  int t = op_plan_find_tooth (plan, fdi);

  g_assert_cmpint (t, >=, 0);
  for (guint s = 0; s < plan->n_stages; s++)
    {
      OpMovement *m = op_plan_pose (plan, s, t);
      double f = (double) s / (plan->n_stages - 1);

      m->md = f * target->md;
      m->bl = f * target->bl;
      m->vert = f * target->vert;
      m->rot = f * target->rot;
      m->tip = f * target->tip;
      m->torque = f * target->torque;
    }
  plan->teeth[t].target = *target;
}

static const OpRootWarning *
find_warning (GPtrArray *w, const char *code, int a, int b)
{
  for (guint k = 0; k < w->len; k++)
    {
      const OpRootWarning *x = g_ptr_array_index (w, k);

      if (strcmp (x->code, code) == 0 && ((x->fdi_a == a && x->fdi_b == b) || (x->fdi_a == b && x->fdi_b == a)))
        return x;
    }
  return NULL;
}

static void
test_proximity_tip (void)
{
  g_autoptr(OpDentition) all = load_crowns (NULL);
  g_autoptr(OpDentition) d = op_dentition_new ();
  g_autoptr(OpPlan) still = NULL, tipped = NULL;
  g_autoptr(GPtrArray) w0 = g_ptr_array_new_with_free_func ((GDestroyNotify) op_root_warning_free);
  g_autoptr(GPtrArray) w1 = g_ptr_array_new_with_free_func ((GDestroyNotify) op_root_warning_free);
  OpMovement tip = { 0 };
  const OpRootWarning *hit;

  if (all == NULL)
    return;
  for (int fdi = 11; fdi <= 15; fdi++)
    op_dentition_add (d, op_tooth_copy (op_dentition_get (all, fdi)));
  g_assert_true (op_roots_build (d, NULL, NULL, NULL));

  still = plan_for (d, 6);
  op_roots_check_plan (d, still, NULL, NULL, w0);
  for (guint k = 0; k < w0->len; k++)
    g_test_message ("still: %s", ((OpRootWarning *) g_ptr_array_index (w0, k))->message);
  g_assert_null (find_warning (w0, "root-proximity", 12, 13));

  /* The canine tipped 15 degrees so that its root swings towards the
   * lateral incisor's: the sign that brings its apex nearer to 12. */
  {
    const OpTooth *c = op_dentition_get (d, 13), *l = op_dentition_get (d, 12);
    float apex[3], near[2];

    for (int a = 0; a < 3; a++)
      apex[a] = c->frame.origin[a] - 15 * c->frame.occlusal[a];
    for (int sign = 0; sign < 2; sign++)
      {
        OpMovement m = { 0 };
        float mat[16], p[3];

        m.tip = sign ? -15 : 15;
        op_movement_to_matrix (&m, &c->frame, mat);
        for (int r = 0; r < 3; r++)
          p[r] = mat[r] * apex[0] + mat[4 + r] * apex[1] + mat[8 + r] * apex[2] + mat[12 + r];
        near[sign] = 0;
        for (int a = 0; a < 3; a++)
          near[sign] += (p[a] - l->frame.origin[a]) * (p[a] - l->frame.origin[a]);
      }
    tip.tip = near[0] < near[1] ? 15 : -15;
    g_test_message ("tip %+.0f brings the canine's apex towards 12", tip.tip);
  }
  tipped = plan_for (d, 6);
  ramp (tipped, 13, &tip);
  op_roots_check_plan (d, tipped, NULL, NULL, w1);
  for (guint k = 0; k < w1->len; k++)
    g_test_message ("tipped: %s", ((OpRootWarning *) g_ptr_array_index (w1, k))->message);
  hit = find_warning (w1, "root-proximity", 12, 13);
  g_assert_nonnull (hit);
  if (hit != NULL)
    {
      g_assert_cmpfloat (hit->value, <, 0.5);
      g_assert_cmpint (hit->stage, >, 0);
      g_assert_nonnull (strstr (hit->message, "13 and 12"));
    }
}

static void
test_bone (void)
{
  g_autoptr(OpDentition) all = load_crowns (NULL);
  g_autoptr(OpDentition) d = op_dentition_new ();
  g_autoptr(OpVolume) v = NULL;
  g_autoptr(OpPlan) still = NULL, moved = NULL;
  OpMovement out = { 0 };

  if (all == NULL)
    return;
  for (int fdi = 11; fdi <= 13; fdi++)
    op_dentition_add (d, op_tooth_copy (op_dentition_get (all, fdi)));
  for (int fdi = 21; fdi <= 22; fdi++)
    op_dentition_add (d, op_tooth_copy (op_dentition_get (all, fdi)));
  g_assert_true (op_roots_build (d, NULL, NULL, NULL));
  v = cbct_bone_block_volume (d, 1.5);

  still = plan_for (d, 8);
  /* The central incisor carried 3 mm labially, root and all: out of a
   * bone block 1.5 mm thick. */
  moved = plan_for (d, 8);
  out.bl = 3.0;
  ramp (moved, 11, &out);

  for (int with_cbct = 1; with_cbct >= 0; with_cbct--)
    {
      g_autoptr(GPtrArray) w0 = g_ptr_array_new_with_free_func ((GDestroyNotify) op_root_warning_free);
      g_autoptr(GPtrArray) w1 = g_ptr_array_new_with_free_func ((GDestroyNotify) op_root_warning_free);
      const OpVolume *vol = with_cbct ? v : NULL;
      const OpRootWarning *hit;

      op_roots_check_plan (d, still, vol, NULL, w0);
      for (guint k = 0; k < w0->len; k++)
        g_test_message ("still (%s): %s", with_cbct ? "CBCT" : "envelope", ((OpRootWarning *) g_ptr_array_index (w0, k))->message);
      for (int fdi = 11; fdi <= 22; fdi++)
        g_assert_null (find_warning (w0, "root-bone", fdi, 0));

      op_roots_check_plan (d, moved, vol, NULL, w1);
      for (guint k = 0; k < w1->len; k++)
        g_test_message ("moved (%s): %s", with_cbct ? "CBCT" : "envelope", ((OpRootWarning *) g_ptr_array_index (w1, k))->message);
      hit = find_warning (w1, "root-bone", 11, 0);
      g_assert_nonnull (hit);
      if (hit != NULL)
        {
          g_assert_cmpint (hit->stage, >, 0);
          g_assert_cmpfloat (hit->value, <, with_cbct ? 0.8 : 0.9);
          g_assert_nonnull (strstr (hit->message, with_cbct ? "from the CBCT" : "no CBCT"));
        }
      /* The teeth that stay put stay in their bone. */
      g_assert_null (find_warning (w1, "root-bone", 21, 0));
      g_assert_null (find_warning (w1, "root-bone", 13, 0));
    }

  /* And into the plan's own warnings. */
  {
    g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func ((GDestroyNotify) op_root_warning_free);
    guint before = moved->warnings->len;

    op_roots_check_plan (d, moved, v, NULL, w);
    op_roots_add_warnings (moved, w);
    g_assert_cmpuint (moved->warnings->len, ==, before + w->len);
  }
}

/* Without a CBCT, on the whole real teeth (crown and root, as the
 * dataset has them): they are their own roots, an unchanged or mildly
 * moved dentition stays in its bone, and a tooth pushed through the
 * labial or the lingual plate is flagged, alone. */
static void
test_bone_envelope_real (void)
{
  g_autoptr(OpDentition) full = NULL;
  g_autoptr(OpDentition) crowns = load_crowns (&full);
  g_autoptr(OpRootSet) set = NULL;
  g_autoptr(OpPlan) still = NULL, mild = NULL, pushed = NULL;
  g_autoptr(GPtrArray) w0 = g_ptr_array_new_with_free_func ((GDestroyNotify) op_root_warning_free);
  g_autoptr(GPtrArray) w1 = g_ptr_array_new_with_free_func ((GDestroyNotify) op_root_warning_free);
  g_autoptr(GPtrArray) w2 = g_ptr_array_new_with_free_func ((GDestroyNotify) op_root_warning_free);
  g_autoptr(GPtrArray) w3 = g_ptr_array_new_with_free_func ((GDestroyNotify) op_root_warning_free);
  OpMovement labial = { 0 }, lingual = { 0 };
  guint n_bone = 0;

  if (crowns == NULL)
    return;
  /* Whole teeth carry their roots; crowns cut under the crown centre do
   * not, and get templates. */
  g_assert_cmpuint (full->teeth->len, >=, 28);
  for (guint t = 0; t < full->teeth->len; t++)
    {
      const OpTooth *tooth = g_ptr_array_index (full->teeth, t);

      g_assert_true (op_roots_crown_has_root (tooth));
      g_assert_false (op_roots_crown_has_root (op_dentition_get (crowns, tooth->fdi)));
    }

  set = op_root_set_new (full);
  still = plan_for (full, 8);
  op_root_set_check_plan (set, still, NULL, NULL, w0);
  for (guint k = 0; k < w0->len; k++)
    g_test_message ("still: %s", ((OpRootWarning *) g_ptr_array_index (w0, k))->message);
  for (guint k = 0; k < w0->len; k++)
    n_bone += strcmp (((OpRootWarning *) g_ptr_array_index (w0, k))->code, "root-bone") == 0;
  g_assert_cmpuint (n_bone, ==, 0);

  /* Every tooth moved mildly, a few aligners' worth in every component,
   * the signs alternating from tooth to tooth. */
  mild = plan_for (full, 8);
  for (guint t = 0; t < full->teeth->len; t++)
    {
      const OpTooth *tooth = g_ptr_array_index (full->teeth, t);
      double sign = t % 2 ? -1 : 1;
      OpMovement m = { 0.5 * sign, 0.4 * sign, 0.3 * sign, 4 * sign, 4 * sign, 1.5 * sign };

      ramp (mild, tooth->fdi, &m);
    }
  op_root_set_check_plan (set, mild, NULL, NULL, w1);
  for (guint k = 0; k < w1->len; k++)
    g_test_message ("mild: %s", ((OpRootWarning *) g_ptr_array_index (w1, k))->message);
  for (guint t = 0; t < full->teeth->len; t++)
    g_assert_null (find_warning (w1, "root-bone", ((OpTooth *) g_ptr_array_index (full->teeth, t))->fdi, 0));

  /* 11 carried 3 mm labially and 31 3 mm lingually, root and all: through
   * the plates, which are about a millimetre thick there. */
  pushed = plan_for (full, 8);
  labial.bl = 3.0;
  lingual.bl = -3.0;
  ramp (pushed, 11, &labial);
  ramp (pushed, 31, &lingual);
  op_root_set_check_plan (set, pushed, NULL, NULL, w2);
  for (guint k = 0; k < w2->len; k++)
    g_test_message ("pushed: %s", ((OpRootWarning *) g_ptr_array_index (w2, k))->message);
  for (int k = 0; k < 2; k++)
    {
      const OpRootWarning *hit = find_warning (w2, "root-bone", k ? 31 : 11, 0);

      g_assert_nonnull (hit);
      if (hit == NULL)
        continue;
      g_assert_cmpint (hit->stage, >, 0);
      g_assert_cmpfloat (hit->value, <, 0.9);
      g_assert_nonnull (strstr (hit->message, "no CBCT"));
    }
  for (guint k = 0; k < w2->len; k++)
    {
      const OpRootWarning *x = g_ptr_array_index (w2, k);

      if (strcmp (x->code, "root-bone") == 0)
        g_assert_true (x->fdi_a == 11 || x->fdi_a == 31);
    }

  /* The set's memo gives the same warnings as a fresh check. */
  op_roots_check_plan (full, pushed, NULL, NULL, w3);
  g_assert_cmpuint (w3->len, ==, w2->len);
  for (guint k = 0; k < MIN (w2->len, w3->len); k++)
    g_assert_cmpstr (((OpRootWarning *) g_ptr_array_index (w2, k))->message, ==,
                     ((OpRootWarning *) g_ptr_array_index (w3, k))->message);
}

/* Roots grown in a CBCT made from the real teeth, crowns and roots, in an
 * alveolar bone block: as long as the real roots, closed. */
static void
test_grow (void)
{
  g_autoptr(OpDentition) full = NULL;
  g_autoptr(OpDentition) crowns = load_crowns (&full);
  g_autoptr(OpDentition) real = op_dentition_new ();
  g_autoptr(OpDentition) d = op_dentition_new ();
  g_autoptr(OpVolume) v = NULL;
  g_autofree char *templated = NULL;
  const int fdis[] = { 11, 12, 13, 14, 21 };

  if (crowns == NULL)
    return;
  /* The volume holds the real teeth; their "roots" for the bone block are
   * the real teeth themselves. */
  for (guint k = 0; k < G_N_ELEMENTS (fdis); k++)
    {
      OpTooth *t = op_tooth_copy (op_dentition_get (full, fdis[k]));

      t->root = op_mesh_copy (t->crown);
      op_dentition_add (real, t);
      op_dentition_add (d, op_tooth_copy (op_dentition_get (crowns, fdis[k])));
    }
  v = cbct_bone_block_volume (real, 1.5);
  g_assert_true (op_roots_build (d, v, &templated, NULL));
  g_assert_null (templated);
  for (guint k = 0; k < G_N_ELEMENTS (fdis); k++)
    {
      const OpTooth *tooth = op_dentition_get (d, fdis[k]);
      double grown = depth_below_cervical (tooth, tooth->root);
      double truth = depth_below_cervical (tooth, op_dentition_get (full, fdis[k])->crown);

      g_test_message ("tooth %d: grown root %.2f mm, real root %.2f mm, %" G_GSIZE_FORMAT " triangles",
                      fdis[k], grown, truth, tooth->root->n_triangles);
      g_assert_cmpfloat (fabs (grown - truth), <, 1.0);
      g_assert_true (is_closed (tooth->root));
      g_assert_cmpfloat (op_mesh_volume (tooth->root), >, 50);
    }

  /* A crown away from the volume: a clear error. */
  {
    OpTooth *far = op_tooth_copy (op_dentition_get (crowns, 11));
    g_autoptr(GError) error = NULL;
    g_autoptr(OpMesh) none = NULL;

    float shift[16] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 500, 500, 500, 1 };

    for (int a = 0; a < 3; a++)
      far->frame.origin[a] += 500;
    op_mesh_transform (far->crown, shift);
    none = op_roots_grow (far, v, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, OP_ROOTS_ERROR, OP_ROOTS_ERROR_OUTSIDE);
    op_tooth_free (far);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/planner/roots/template-lengths", test_template_lengths);
  g_test_add_func ("/planner/roots/template-bad", test_template_bad);
  g_test_add_func ("/planner/roots/proximity-tip", test_proximity_tip);
  g_test_add_func ("/planner/roots/bone", test_bone);
  g_test_add_func ("/planner/roots/grow", test_grow);
  g_test_add_func ("/planner/roots/bone-envelope-real", test_bone_envelope_real);
  return g_test_run ();
}
