/* op-planner.c: the pipeline of op-planner.h. */
#include "op-planner-private.h"

#include <math.h>
#include <string.h>

#include "op-attach.h"
#include "op-frame.h"
#include "op-roots.h"

G_DEFINE_QUARK (op-planner-error-quark, op_planner_error)

/* Rounds of re-sequencing before a collision is declared unresolved: each
 * round delays one tooth of every pair IPR cannot fix. */
#define MAX_ROUNDS 6

static gboolean
is_locked (const OpPlannerOptions *o, int fdi)
{
  for (guint i = 0; i < o->n_locked; i++)
    if (o->locked[i] == fdi)
      return TRUE;
  return FALSE;
}

static const OpToothOverride *
find_override (const OpPlannerOptions *o, int fdi)
{
  for (guint i = 0; i < o->n_overrides; i++)
    if (o->overrides[i].fdi == fdi)
      return &o->overrides[i];
  return NULL;
}

/* Teeth without a frame get one from op-frame; what still has none is
 * refused by number. */
static OpDentition *
framed_dentition (const OpDentition *dentition, GError **error)
{
  g_autoptr(OpDentition) copy = op_dentition_copy (dentition);
  gboolean missing = FALSE;

  for (guint i = 0; i < copy->teeth->len; i++)
    missing |= !((OpTooth *) g_ptr_array_index (copy->teeth, i))->has_frame;
  if (missing)
    {
      g_autoptr(OpDentition) estimated = op_dentition_copy (dentition);
      g_autoptr(GError) local = NULL;

      /* op-frame estimates every tooth; frames that came with the teeth
       * (an axes file, or the segmentation) are kept, and only the
       * missing ones are taken from the estimate. */
      if (!op_frame_estimate_dentition (estimated, &local))
        for (guint i = 0; i < copy->teeth->len; i++)
          {
            OpTooth *t = g_ptr_array_index (copy->teeth, i);

            if (!t->has_frame)
              {
                g_set_error (error, OP_PLANNER_ERROR, OP_PLANNER_ERROR_NO_FRAME,
                             "tooth %d has no frame, and none could be estimated (%s)", t->fdi, local->message);
                return NULL;
              }
          }
      for (guint i = 0; i < copy->teeth->len; i++)
        {
          OpTooth *t = g_ptr_array_index (copy->teeth, i);
          const OpTooth *e = op_dentition_get (estimated, t->fdi);

          if (!t->has_frame && e != NULL && e->has_frame)
            {
              t->frame = e->frame;
              t->width = e->width;
              t->has_frame = TRUE;
            }
        }
    }
  for (guint i = 0; i < copy->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (copy->teeth, i);

      if (!t->has_frame)
        {
          g_set_error (error, OP_PLANNER_ERROR, OP_PLANNER_ERROR_NO_FRAME, "tooth %d has no frame", t->fdi);
          return NULL;
        }
      /* A frame given with the files (an axes file) comes without a
       * width, which the setup needs: measure the crown along the mesial
       * axis, from 2 mm below the crown centre up, so that the narrower
       * root of a crown-and-root mesh does not count. */
      if (!(t->width > 0.0f) && t->crown != NULL)
        t->width = op_frame_extent_along (t->crown, &t->frame, t->frame.mesial, -2.0f);
    }
  return g_steal_pointer (&copy);
}

static gboolean
compute_targets (const OpDentition      *d,
                 const OpPlannerOptions *o,
                 OpPlan                 *plan,
                 OpMovement             *targets,
                 GArray                 *setup_ipr,
                 OpPlannerCollider      *collider,
                 GError                **error)
{
  gboolean need_setup = FALSE;

  for (guint t = 0; t < plan->n_teeth; t++)
    {
      const OpToothOverride *ov = find_override (o, plan->teeth[t].fdi);
      gboolean locked = is_locked (o, plan->teeth[t].fdi);
      int prev = locked && o->previous ? op_plan_find_tooth (o->previous, plan->teeth[t].fdi) : -1;

      if (locked && prev < 0 && (ov == NULL || ov->mask != OP_TOOTH_OVERRIDE_ALL))
        {
          g_set_error (error, OP_PLANNER_ERROR, OP_PLANNER_ERROR_INVALID,
                       "tooth %d is locked, but there is no previous plan with its target and no full override",
                       plan->teeth[t].fdi);
          return FALSE;
        }
      if (prev < 0 && (ov == NULL || ov->mask != OP_TOOTH_OVERRIDE_ALL))
        need_setup = TRUE;
    }

  if (need_setup)
    {
      g_autoptr(OpSetup) own = NULL;
      g_autoptr(GError) local = NULL;
      g_autoptr(GBytes) key = collider ? op__planner_setup_key (d, o->setup) : NULL;
      const OpSetup *setup;

      /* The setup is a pure function of the teeth and its options. */
      if (collider != NULL && collider->setup != NULL && g_bytes_equal (key, collider->setup_key))
        setup = collider->setup;
      else
        {
          own = op_setup_compute (d, o->setup, &local);
          if (own == NULL)
            {
              g_set_error (error, OP_PLANNER_ERROR, OP_PLANNER_ERROR_SETUP, "target setup: %s", local->message);
              return FALSE;
            }
          if (collider != NULL)
            {
              g_clear_pointer (&collider->setup, op_setup_free);
              g_clear_pointer (&collider->setup_key, g_bytes_unref);
              collider->setup = g_steal_pointer (&own);
              collider->setup_key = g_steal_pointer (&key);
              setup = collider->setup;
            }
          else
            setup = own;
        }
      for (guint k = 0; k < setup->n_teeth; k++)
        {
          int t = op_plan_find_tooth (plan, setup->fdi[k]);

          if (t >= 0)
            targets[t] = setup->target[k];
        }
      g_array_append_vals (setup_ipr, setup->ipr, setup->n_ipr);
      g_free (plan->explanation);
      plan->explanation = g_strdup (setup->explanation);
    }

  for (guint t = 0; t < plan->n_teeth; t++)
    {
      const OpToothOverride *ov = find_override (o, plan->teeth[t].fdi);

      if (ov != NULL)
        for (guint c = 0; c < OP_N_COMPONENTS; c++)
          if (ov->mask & (1u << c))
            op_movement_set (&targets[t], c, op_movement_get (&ov->target, c));
      if (is_locked (o, plan->teeth[t].fdi))
        {
          int prev = o->previous ? op_plan_find_tooth (o->previous, plan->teeth[t].fdi) : -1;

          /* A locked tooth keeps exactly the target the provider saw. */
          if (prev >= 0)
            targets[t] = o->previous->teeth[prev].target;
          plan->teeth[t].locked = TRUE;
        }
    }
  return TRUE;
}

/* The first stage at which pair @p overlaps beyond @threshold, or -1. */
static int
first_over (const double *depth, guint n_stages, guint n_pairs, guint p, double threshold)
{
  for (guint s = 0; s < n_stages; s++)
    if (depth[(gsize) s * n_pairs + p] > threshold)
      return (int) s;
  return -1;
}

OpPlan *
op_planner_plan (const OpDentition      *dentition,
                 const OpPlannerOptions *options,
                 GError                **error)
{
  static const OpPlannerOptions no_options = { 0 };
  static const OpMovement zero = { 0 };
  g_autoptr(OpDentition) d = NULL;
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(OpPlannerCollider) collider = NULL;
  g_autoptr(GArray) setup_ipr = g_array_new (FALSE, TRUE, sizeof (OpIprContact));
  g_autofree OpPlanTooth *teeth = NULL;
  g_autofree OpMovement *targets = NULL;
  g_autofree guint *min_start = NULL;
  g_autofree guint *start = NULL;
  g_autofree guint *count = NULL;
  g_autofree char *why = NULL;
  OpStageOptions stage_opts = { 0 };
  OpIprLimits ipr_limits;
  OpMovement limits;

  g_return_val_if_fail (dentition != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options == NULL)
    options = &no_options;
  if (memcmp (&options->limits, &zero, sizeof zero) == 0)
    op_plan_default_limits (&limits);
  else
    limits = options->limits;
  if (!op_plan_limits_valid (&limits, &why))
    {
      g_set_error (error, OP_PLANNER_ERROR, OP_PLANNER_ERROR_LIMITS, "%s", why);
      return NULL;
    }
  if (dentition->teeth->len == 0)
    {
      g_set_error (error, OP_PLANNER_ERROR, OP_PLANNER_ERROR_INVALID, "there are no teeth to plan");
      return NULL;
    }
  d = framed_dentition (dentition, error);
  if (d == NULL)
    return NULL;

  teeth = g_new0 (OpPlanTooth, d->teeth->len);
  for (guint i = 0; i < d->teeth->len; i++)
    {
      const OpTooth *t = g_ptr_array_index (d->teeth, i);

      teeth[i].fdi = t->fdi;
      teeth[i].frame = t->frame;
    }
  plan = op_plan_new (teeth, d->teeth->len, 1);
  if (memcmp (&options->comfort, &zero, sizeof zero) != 0)
    plan->comfort = options->comfort;
  /* The start must be sound before anything moves: neighbours already
   * deep inside each other mean the segmentation or the files are wrong,
   * and no plan built on them would be true. */
  if (!options->no_collisions)
    {
      g_autofree int *pairs = NULL;
      g_autofree double *depth = NULL;
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      guint n_pairs = 0;

      if (options->collider == NULL)
        collider = op_planner_collider_new (d);
      pairs = op_planner_measure (options->collider ? options->collider : collider, plan, FALSE,
                                  &n_pairs, &depth, NULL);
      for (guint p = 0; p < n_pairs; p++)
        if (depth[p] > OP_PLAN_OVERLAP_COLLISION)
          {
            g_set_error (error, OP_PLANNER_ERROR, OP_PLANNER_ERROR_INITIAL_OVERLAP,
                         "teeth %d and %d already overlap by %s mm before any movement (more than 0.3 mm); "
                         "check the segmentation or the tooth files", pairs[2 * p], pairs[2 * p + 1],
                         g_ascii_formatd (buf, sizeof buf, "%.2f", depth[p]));
            return NULL;
          }
    }

  targets = g_new0 (OpMovement, plan->n_teeth);
  if (!compute_targets (d, options, plan, targets, setup_ipr,
                        options->no_collisions ? NULL : options->collider ? options->collider : collider, error))
    return NULL;

  if (options->setup)
    ipr_limits = options->setup->ipr;
  else
    op_ipr_limits_init (&ipr_limits);

  stage_opts.limits = limits;
  stage_opts.strategy = options->strategy;
  min_start = g_new0 (guint, plan->n_teeth);
  start = g_new0 (guint, plan->n_teeth);
  count = g_new0 (guint, plan->n_teeth);
  stage_opts.min_start = min_start;
  if (!op_stage_plan (plan, targets, &stage_opts, start, count, error))
    return NULL;

  if (!options->no_collisions)
    {
      g_autofree int *pairs = NULL;
      g_autofree double *depth = NULL;
      g_autofree OpIprContact *contacts = NULL;
      guint n_pairs = 0, n_contacts = 0;
      gboolean resolved = FALSE;
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      /* Pairs (waiting tooth, tooth it waits for), plan indices. */
      g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));

      for (guint round = 0; round <= MAX_ROUNDS && !resolved; round++)
        {
          guint n_bad = 0;

          g_clear_pointer (&pairs, g_free);
          g_clear_pointer (&depth, g_free);
          pairs = op_planner_measure (options->collider ? options->collider : collider, plan, FALSE,
                                      &n_pairs, &depth, NULL);

          /* What IPR could do at each contact: the setup's planned amounts
           * plus whatever the stages' overlaps need. */
          g_clear_pointer (&contacts, g_free);
          contacts = g_new0 (OpIprContact, MAX (n_pairs, 1));
          n_contacts = 0;
          for (guint p = 0; p < n_pairs; p++)
            {
              OpIprContact *c = &contacts[p];

              c->fdi_a = pairs[2 * p];
              c->fdi_b = pairs[2 * p + 1];
              c->stage = -1;
              for (guint k = 0; k < setup_ipr->len; k++)
                {
                  const OpIprContact *sc = &g_array_index (setup_ipr, OpIprContact, k);

                  if (MIN (sc->fdi_a, sc->fdi_b) == MIN (c->fdi_a, c->fdi_b) &&
                      MAX (sc->fdi_a, sc->fdi_b) == MAX (c->fdi_a, c->fdi_b))
                    c->amount = sc->amount;
                }
            }
          n_contacts = n_pairs;
          op_ipr_schedule (depth, plan->n_stages, n_contacts, OP_PLAN_OVERLAP_COLLISION, &ipr_limits, contacts);

          /* Pairs IPR cannot fix (not a contact, or over its limits): the
           * tooth that starts later (or the one with the shorter move)
           * waits until the other has finished. */
          for (guint p = 0; p < n_pairs; p++)
            {
              int s = first_over (depth, plan->n_stages, n_pairs, p, OP_PLAN_OVERLAP_COLLISION);
              double last = depth[(gsize) (plan->n_stages - 1) * n_pairs + p];
              /* IPR makes room that the target needs; an overlap that is
               * gone by the last stage is a matter of order, so the teeth
               * are re-sequenced first and enamel is taken only when the
               * order cannot be fixed. */
              gboolean fixable = op_ipr_is_contact (contacts[p].fdi_a, contacts[p].fdi_b) && contacts[p].sufficient &&
                                 (last > OP_PLAN_OVERLAP_COLLISION || round >= MAX_ROUNDS / 2);
              int ia, ib, wait, go;

              if (s < 0 || fixable)
                continue;
              n_bad++;
              ia = op_plan_find_tooth (plan, pairs[2 * p]);
              ib = op_plan_find_tooth (plan, pairs[2 * p + 1]);
              /* The tooth that has come nearer the other by the first
               * colliding stage is running into it: it waits until the
               * other has moved out of the way. */
              {
                float ma[16], mb[16];
                const float *oa = plan->teeth[ia].frame.origin, *ob = plan->teeth[ib].frame.origin;
                double approach_a = 0, approach_b = 0;

                op_plan_stage_matrix (plan, (guint) s, ia, ma);
                op_plan_stage_matrix (plan, (guint) s, ib, mb);
                for (int k = 0; k < 3; k++)
                  {
                    double da = ma[k] * oa[0] + ma[4 + k] * oa[1] + ma[8 + k] * oa[2] + ma[12 + k] - oa[k];
                    double db = mb[k] * ob[0] + mb[4 + k] * ob[1] + mb[8 + k] * ob[2] + mb[12 + k] - ob[k];

                    approach_a += da * (ob[k] - oa[k]);
                    approach_b += db * (oa[k] - ob[k]);
                  }
                wait = approach_a >= approach_b ? ia : ib;
              }
              go = wait == ia ? ib : ia;
              {
                gboolean known = FALSE, reverse = FALSE;

                for (guint k = 0; k < order->len; k += 2)
                  {
                    int w = g_array_index (order, int, k), g = g_array_index (order, int, k + 1);

                    known |= w == wait && g == go;
                    reverse |= w == go && g == wait;
                  }
                /* The opposite order was tried already: waiting cannot fix
                 * this pair, so leave it to IPR. */
                if (!known && !reverse)
                  {
                    g_array_append_val (order, wait);
                    g_array_append_val (order, go);
                  }
              }
            }

          if (n_bad == 0)
            {
              resolved = TRUE;
              break;
            }
          if (round == MAX_ROUNDS)
            break;
          /* Every "wait for" so far holds at once: stage, push each waiting
           * tooth past the end of the one it waits for, and again until
           * nothing moves (a chain of n teeth settles in n passes). */
          for (guint pass = 0; pass <= plan->n_teeth + 1; pass++)
            {
              gboolean changed = FALSE;

              if (!op_stage_plan (plan, targets, &stage_opts, start, count, error))
                return NULL;
              for (guint k = 0; k < order->len; k += 2)
                {
                  int w = g_array_index (order, int, k), g = g_array_index (order, int, k + 1);
                  guint need = start[g] + count[g];

                  if (count[w] > 0 && count[g] > 0 && min_start[w] < need)
                    {
                      min_start[w] = need;
                      changed = TRUE;
                    }
                }
              if (!changed)
                break;
            }
        }

      if (!resolved)
        {
          for (guint p = 0; p < n_pairs; p++)
            {
              int s = first_over (depth, plan->n_stages, n_pairs, p, OP_PLAN_OVERLAP_COLLISION);

              if (s >= 0 && !(op_ipr_is_contact (contacts[p].fdi_a, contacts[p].fdi_b) && contacts[p].sufficient))
                {
                  g_set_error (error, OP_PLANNER_ERROR, OP_PLANNER_ERROR_UNRESOLVED,
                               "teeth %d and %d would overlap by %s mm at stage %d, and neither re-sequencing "
                               "nor IPR within its limits resolves it; change the targets of these teeth",
                               pairs[2 * p], pairs[2 * p + 1],
                               g_ascii_formatd (buf, sizeof buf, "%.2f",
                                                depth[(gsize) s * n_pairs + p]), s);
                  return NULL;
                }
            }
        }

      for (guint p = 0; p < n_contacts; p++)
        if (contacts[p].amount > 0 && op_ipr_is_contact (contacts[p].fdi_a, contacts[p].fdi_b))
          op_plan_add_ipr (plan, contacts[p].fdi_a, contacts[p].fdi_b, contacts[p].amount,
                           (guint) MAX (contacts[p].stage, 0));

      /* Warnings: contacts between 0.05 and 0.3 mm, and upper against
       * lower overlaps. */
      for (guint p = 0; p < n_pairs; p++)
        {
          int s = first_over (depth, plan->n_stages, n_pairs, p, OP_PLAN_OVERLAP_WARNING);

          if (s > 0 && first_over (depth, 1, n_pairs, p, OP_PLAN_OVERLAP_WARNING) < 0)
            {
              double worst = 0;

              for (guint k = 0; k < plan->n_stages; k++)
                worst = MAX (worst, depth[(gsize) k * n_pairs + p]);
              op_plan_add_warning (plan, "contact", pairs[2 * p], pairs[2 * p + 1], s,
                                   "Teeth %d and %d press together by up to %s mm from stage %d; "
                                   "check the contact.", pairs[2 * p], pairs[2 * p + 1],
                                   g_ascii_formatd (buf, sizeof buf, "%.2f", worst), s);
            }
        }
      {
        g_autofree int *occ = NULL;
        g_autofree double *occ_depth = NULL;
        guint n_occ = 0;

        occ = op_planner_measure (options->collider ? options->collider : collider, plan, TRUE,
                                  &n_occ, &occ_depth, NULL);
        for (guint p = 0; p < n_occ; p++)
          {
            int s = first_over (occ_depth, plan->n_stages, n_occ, p, OP_PLAN_OVERLAP_COLLISION);

            if (s > 0)
              op_plan_add_warning (plan, "occlusal-interference", occ[2 * p], occ[2 * p + 1], s,
                                   "Upper tooth %d meets lower tooth %d by %s mm at stage %d; the aligners "
                                   "separate the arches, but watch the bite there.", occ[2 * p], occ[2 * p + 1],
                                   g_ascii_formatd (buf, sizeof buf, "%.2f",
                                                    occ_depth[(gsize) s * n_occ + p]), s);
          }
      }
    }

  /* Attachments, by op-attach's rules, positions into each tooth's frame. */
  {
    g_autofree const OpTooth **tp = g_new0 (const OpTooth *, plan->n_teeth);
    g_autofree OpAttachment *att = g_new0 (OpAttachment, 2 * plan->n_teeth);
    guint n_att;

    for (guint t = 0; t < plan->n_teeth; t++)
      tp[t] = op_dentition_get (d, plan->teeth[t].fdi);
    n_att = op_attach_propose ((const OpTooth *const *) tp, targets, plan->n_teeth, NULL, att);
    for (guint i = 0; i < n_att; i++)
      {
        int t = op_plan_find_tooth (plan, att[i].fdi);
        const OpFrame *f = &plan->teeth[t].frame;
        OpPlanAttachment pa = { 0 };
        double rel[3];

        pa.fdi = att[i].fdi;
        pa.type = att[i].type;
        pa.length_mm = att[i].length;
        pa.width_mm = att[i].width;
        pa.depth_mm = att[i].type == OP_ATTACH_POWER_RIDGE ? 0.0 : att[i].depth;
        for (int k = 0; k < 3; k++)
          rel[k] = att[i].position[k] - f->origin[k];
        pa.position[0] = rel[0] * f->mesial[0] + rel[1] * f->mesial[1] + rel[2] * f->mesial[2];
        pa.position[1] = rel[0] * f->buccal[0] + rel[1] * f->buccal[1] + rel[2] * f->buccal[2];
        pa.position[2] = rel[0] * f->occlusal[0] + rel[1] * f->occlusal[1] + rel[2] * f->occlusal[2];
        pa.stage = (guint) CLAMP (att[i].stage, 0, (int) plan->n_stages - 1);
        op_plan_add_attachment (plan, &pa);
      }
  }

  /* Comfort: a warning per flagged tooth, so the provider sees it. */
  {
    g_autoptr(GArray) table = op_plan_movement_table (plan);

    for (guint t = 0; t < table->len; t++)
      {
        const OpMovementRow *row = &g_array_index (table, OpMovementRow, t);
        char b1[G_ASCII_DTOSTR_BUF_SIZE], b2[G_ASCII_DTOSTR_BUF_SIZE];

        for (guint c = 0; c < OP_N_COMPONENTS; c++)
          if (row->flagged & (1u << c))
            op_plan_add_warning (plan, "comfort", row->fdi, 0, -1,
                                 "Tooth %d moves %s %s %s in total, beyond the comfort threshold of %s %s.",
                                 row->fdi, op_component_to_string (c),
                                 g_ascii_formatd (b1, sizeof b1, "%.2f", op_movement_get (&row->total, c)),
                                 c < OP_COMPONENT_ROT ? "mm" : "degrees",
                                 g_ascii_formatd (b2, sizeof b2, "%.2f", op_movement_get (&plan->comfort, c)),
                                 c < OP_COMPONENT_ROT ? "mm" : "degrees");
      }
  }

  /* Roots: a crown-only plan cannot see a root pushed into its neighbour
   * or out of the bone.  Teeth that came with a root (grown in a CBCT)
   * keep it; the others get the template for their type.  The planner is
   * given no CBCT, so the bone check is op-roots.h's cortical-plate
   * rule.  This belongs with step 5, and no_collisions skips it too. */
  if (!options->no_collisions)
    {
      g_autoptr(GPtrArray) root_warnings = g_ptr_array_new_with_free_func ((GDestroyNotify) op_root_warning_free);

      for (guint t = 0; t < d->teeth->len; t++)
        {
          OpTooth *tooth = g_ptr_array_index (d->teeth, t);
          g_autoptr(GError) local = NULL;

          /* A whole tooth (crown and root, as from a CBCT) is its own
           * root: a template under it would hang below the real apex. */
          if (tooth->root != NULL || op_roots_crown_has_root (tooth))
            continue;
          tooth->root = op_roots_template (tooth, &local);
          /* Every tooth here has a frame, so only a tooth without a crown
           * mesh has no template; the provider is told its roots were not
           * checked rather than left to assume they were. */
          if (tooth->root == NULL)
            op_plan_add_warning (plan, "root-unchecked", tooth->fdi, 0, -1,
                                 "The root of %d was not checked against its neighbours and the bone: %s.",
                                 tooth->fdi, local->message);
        }
      {
        OpPlannerCollider *c = options->collider ? options->collider : collider;

        GByteArray *b = g_byte_array_new ();
        g_autoptr(GBytes) stamp = NULL;

        op__planner_stamp (b, d);
        stamp = g_byte_array_free_to_bytes (b);
        if (c->roots == NULL || !g_bytes_equal (stamp, c->roots_stamp))
          {
            g_clear_pointer (&c->roots, op_root_set_free);
            g_clear_pointer (&c->roots_stamp, g_bytes_unref);
            c->roots = op_root_set_new (d);
            c->roots_stamp = g_steal_pointer (&stamp);
          }
        op_root_set_check_plan_jaws (c->roots, plan, options->bone[0], options->bone[1], NULL, root_warnings);
      }
      op_roots_add_warnings (plan, root_warnings);
    }

  op_plan_sort (plan);
  return g_steal_pointer (&plan);
}
