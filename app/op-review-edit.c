/* op-review-edit.c: the review view's target editor: edits and their
 * undo and redo history, the editor panel, and the worker that plans
 * again with the edits and stores the result as a new version.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "op-plan-json.h"
#include "op-review-private.h"

/* Spin button ranges: beyond these no aligner plan is sensible, and the
 * planner's own checks refuse far less. */
static const double target_range[OP_N_COMPONENTS] = { 8.0, 8.0, 5.0, 60.0, 30.0, 30.0 };
static const char *const component_labels[OP_N_COMPONENTS] = {
  N_("Mesial mm"), N_("Buccal mm"), N_("Extrusion mm"), N_("Rotation °"), N_("Tip °"), N_("Torque °"),
};

/* ---- edits and the undo stack ---------------------------------------- */

/* Edits start from what the version shown was asked: its stored
 * parameters bring back the provider's targets, so that a later
 * recalculation keeps them.  A version whose parameters cannot be read
 * (none stored, or written by hand) starts from the plan's limits,
 * strategy and locks, and says so. */
void
op__review_reset_edits (OpReviewView *self)
{
  OpPlanRequest *request = NULL;

  g_clear_pointer (&self->edits, op_plan_request_free);
  for (guint i = 0; self->plan != NULL && self->records != NULL && i < self->records->len; i++)
    {
      OpPlanRecord *record = g_ptr_array_index (self->records, i);
      g_autofree char *name = NULL;
      g_autoptr(GError) error = NULL;

      if (record->version != self->version || record->parameters == NULL)
        continue;
      name = g_strdup_printf (_("plan v%d parameters"), record->version);
      request = op_plan_request_decode (record->parameters, name, &error);
      if (request == NULL)
        g_message ("%s; its targets start from the plan", error->message);
      break;
    }
  self->edits = request != NULL ? request : op_plan_request_new ();
  if (self->plan != NULL)
    {
      self->edits->limits = self->plan->limits;
      self->edits->strategy = self->plan->strategy;
      for (guint i = 0; i < self->plan->n_teeth; i++)
        if (self->plan->teeth[i].locked)
          op_plan_request_set_locked (self->edits, self->plan->teeth[i].fdi, TRUE);
    }
  g_ptr_array_set_size (self->undo, 0);
  g_ptr_array_set_size (self->redo, 0);
}


void
op__review_push_undo (OpReviewView *self)
{
  g_ptr_array_add (self->undo, op_plan_request_copy (self->edits));
  g_ptr_array_set_size (self->redo, 0);
}

/* ---- the editor -------------------------------------------------------- */

void
op__review_sync_editor (OpReviewView *self)
{
  int i = self->plan && self->selected ? op_plan_find_tooth (self->plan, self->selected) : -1;
  gboolean have = i >= 0;

  self->updating = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->target_grid), have && self->editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->lock_switch), have && self->editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->strategy_dropdown), self->editable);
  for (int c = 0; c < OP_N_COMPONENTS; c++)
    gtk_widget_set_sensitive (GTK_WIDGET (self->limit_spins[c]), self->editable);
  if (have)
    {
      g_autofree char *name = op__review_tooth_name (self, self->selected);
      g_autofree char *title = g_strdup_printf (_("Tooth %s"), name);
      OpToothOverride *ov = op_plan_request_find_override (self->edits, self->selected);
      gboolean locked = op_plan_request_is_locked (self->edits, self->selected);

      gtk_label_set_text (self->tooth_title, title);
      gtk_label_set_text (self->tooth_subtitle,
                          ov ? _("Target set by hand: every recalculation keeps it.")
                             : locked ? _("Locked: keeps this target when the plan is recalculated.")
                                      : _("Target from the setup, relative to where the tooth is now."));
      for (int c = 0; c < OP_N_COMPONENTS; c++)
        gtk_spin_button_set_value (self->target_spins[c], op_review_view_get_target (self, self->selected, c));
      gtk_switch_set_active (self->lock_switch, locked);
    }
  else
    {
      gtk_label_set_text (self->tooth_title, _("No tooth selected"));
      gtk_label_set_text (self->tooth_subtitle,
                          _("Click a tooth in the 3D view or a row in the table to adjust its target."));
      for (int c = 0; c < OP_N_COMPONENTS; c++)
        gtk_spin_button_set_value (self->target_spins[c], 0.0);
      gtk_switch_set_active (self->lock_switch, FALSE);
    }
  gtk_drop_down_set_selected (self->strategy_dropdown, self->edits->strategy);
  for (int c = 0; c < OP_N_COMPONENTS; c++)
    gtk_spin_button_set_value (self->limit_spins[c], op_movement_get (&self->edits->limits, c));
  self->updating = FALSE;
}

static void
on_target_spin_changed (GtkSpinButton *spin,
                        OpReviewView  *self)
{
  int c = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (spin), "op-component"));

  if (self->updating || self->selected == 0)
    return;
  op_review_view_set_target (self, self->selected, c, gtk_spin_button_get_value (spin));
}

static void
on_limit_spin_changed (GtkSpinButton *spin,
                       OpReviewView  *self)
{
  int c = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (spin), "op-component"));
  double v = gtk_spin_button_get_value (spin);

  if (self->updating || v == op_movement_get (&self->edits->limits, c))
    return;
  op__review_push_undo (self);
  op_movement_set (&self->edits->limits, c, v);
  op__review_sync_actions (self);
}

static void
on_strategy_changed (GtkDropDown  *dropdown,
                     GParamSpec   *pspec,
                     OpReviewView *self)
{
  guint s = gtk_drop_down_get_selected (dropdown);

  if (self->updating || s >= OP_STAGE_N_STRATEGIES || s == (guint) self->edits->strategy)
    return;
  op__review_push_undo (self);
  self->edits->strategy = (OpStageStrategy) s;
  op__review_sync_actions (self);
}

static void
on_lock_changed (GtkSwitch    *sw,
                 GParamSpec   *pspec,
                 OpReviewView *self)
{
  if (self->updating || self->selected == 0)
    return;
  op_review_view_set_locked (self, self->selected, gtk_switch_get_active (sw));
}

/* The target and limit spin buttons, made here rather than in the
 * template so that each knows its component. */
void
op__review_editor_init (OpReviewView *self)
{
  for (int c = 0; c < OP_N_COMPONENTS; c++)
    {
      GtkWidget *label = gtk_label_new (_(component_labels[c]));
      GtkWidget *spin = gtk_spin_button_new_with_range (-target_range[c], target_range[c], c < 3 ? 0.05 : 0.5);
      GtkWidget *limit_label = gtk_label_new (_(component_labels[c]));
      GtkWidget *limit = gtk_spin_button_new_with_range (c < 3 ? 0.05 : 0.25, c < 3 ? 1.0 : 5.0, c < 3 ? 0.05 : 0.25);

      gtk_label_set_xalign (GTK_LABEL (label), 0.f);
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), c < 3 ? 2 : 1);
      gtk_widget_add_css_class (spin, "numeric");
      g_object_set_data (G_OBJECT (spin), "op-component", GINT_TO_POINTER (c));
      g_signal_connect (spin, "value-changed", G_CALLBACK (on_target_spin_changed), self);
      gtk_grid_attach (self->target_grid, label, c % 3, (c / 3) * 2, 1, 1);
      gtk_grid_attach (self->target_grid, spin, c % 3, (c / 3) * 2 + 1, 1, 1);
      self->target_spins[c] = GTK_SPIN_BUTTON (spin);
      gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(component_labels[c]), -1);

      gtk_label_set_xalign (GTK_LABEL (limit_label), 0.f);
      gtk_spin_button_set_digits (GTK_SPIN_BUTTON (limit), 2);
      g_object_set_data (G_OBJECT (limit), "op-component", GINT_TO_POINTER (c));
      g_signal_connect (limit, "value-changed", G_CALLBACK (on_limit_spin_changed), self);
      gtk_grid_attach (self->options_grid, limit_label, 0, 2 + c, 1, 1);
      gtk_grid_attach (self->options_grid, limit, 1, 2 + c, 1, 1);
      self->limit_spins[c] = GTK_SPIN_BUTTON (limit);
    }

  g_signal_connect (self->strategy_dropdown, "notify::selected", G_CALLBACK (on_strategy_changed), self);
  g_signal_connect (self->lock_switch, "notify::active", G_CALLBACK (on_lock_changed), self);
}

/* ---- recalculation --------------------------------------------------- */

typedef struct {
  OpStore         *store;
  gint64           case_id;
  OpDentition     *dentition;   /* a copy: the worker owns it */
  gboolean         grow_roots;  /* roots from the CBCT not yet built */
  OpPlannerCollider *collider;  /* lent by the view for this plan, or NULL */
  OpCaseCbct      *cbct;        /* lent by the view, or read by the worker; NULL: none */
  OpPlan          *previous;    /* a copy, or NULL */
  int              parent;
  OpPlanRequest   *edits;
  OpPlan          *plan;        /* out */
  int              version;     /* out */
  double           seconds;     /* out */
} RecalcData;

static void
recalc_data_free (gpointer data)
{
  RecalcData *d = data;

  g_clear_object (&d->store);
  g_clear_pointer (&d->dentition, op_dentition_free);
  g_clear_pointer (&d->previous, op_plan_free);
  g_clear_pointer (&d->edits, op_plan_request_free);
  g_clear_pointer (&d->plan, op_plan_free);
  g_clear_pointer (&d->collider, op_planner_collider_free);
  g_clear_pointer (&d->cbct, op_case_cbct_free);
  g_free (d);
}

static void
recalc_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RecalcData *d = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *params = NULL;
  OpPlannerOptions options = { 0 };
  gint64 start = g_get_monotonic_time ();

  op_plan_request_apply (d->edits, &options);
  options.previous = d->previous;

  /* The first recalculation reads the case's CBCT, where its scans were
   * registered, and grows the roots from it; the dentition and the
   * volume then come back to the view so that later ones do not read
   * the volume again. */
  if (d->grow_roots)
    {
      d->cbct = op_store_load_case_cbct (d->store, d->case_id, &error);
      if (error != NULL ||
          (d->cbct != NULL && !op_case_cbct_grow_roots (d->cbct, d->dentition, NULL, &error)))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  op_case_cbct_apply (d->cbct, &options);

  /* The collider keeps the teeth's trees and what earlier plans of this
   * case measured, so a re-plan after one edit measures only what the
   * edit changed; the plan's bytes are the same either way. */
  if (d->collider == NULL)
    d->collider = op_planner_collider_new (d->dentition);
  options.collider = d->collider;

  d->plan = op_planner_plan (d->dentition, &options, &error);
  if (d->plan == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  d->seconds = (g_get_monotonic_time () - start) / 1e6;

  /* The planner cannot be stopped part way; Cancel means its result is
   * not stored, which is checked here, before anything is written. */
  if (g_task_return_error_if_cancelled (task))
    return;

  bytes = op_plan_encode (d->plan);
  params = op_plan_request_encode (d->edits, "review");
  d->version = op_store_add_plan (d->store, d->case_id, d->parent, params, bytes, &error);
  if (d->version == 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_recalc_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  OpReviewView *self = user_data;
  GTask *task = G_TASK (result);
  RecalcData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  op__review_set_busy (self, FALSE, NULL);
  if (!g_task_propagate_boolean (task, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        op__review_set_error (self, _("Recalculation cancelled; no version was stored."));
      else
        op__review_set_error (self, error->message);
      op__review_sync_actions (self);
      op__review_emit_recalculated (self, 0);
      g_object_unref (self);
      return;
    }

  if (d->case_id == self->case_id && self->collider == NULL)
    self->collider = g_steal_pointer (&d->collider);
  if (d->case_id == self->case_id && self->cbct == NULL)
    self->cbct = g_steal_pointer (&d->cbct);
  g_clear_pointer (&self->plan, op_plan_free);
  self->plan = g_steal_pointer (&d->plan);
  self->version = d->version;
  if (d->grow_roots)
    {
      g_clear_pointer (&self->dentition, op_dentition_free);
      self->dentition = g_steal_pointer (&d->dentition);
      self->roots_grown = TRUE;
      op__review_scene_set_roots (self);
    }
  g_clear_pointer (&self->records, g_ptr_array_unref);
  self->records = op_store_list_plans (self->store, self->case_id, NULL);
  op__review_set_error (self, NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "review") != 0)
    {
      gtk_stack_set_visible_child_name (self->main_stack, "review");
      op__review_show_plan (self);
      op_stage_timeline_set_stage (self->timeline, self->plan->n_stages - 1);
    }
  else
    op__review_show_plan (self);

  {
    GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
    g_autofree char *text = g_strdup_printf (_("Stored plan v%d: %u aligners, planned in %.1f s"),
                                             self->version, self->plan->n_stages - 1, d->seconds);

    /* The overlay queues toasts, so one about an older version could
     * show after this one and name the wrong version: a toast still
     * waiting or showing takes the new text instead.  (Dismissing it
     * while its animation runs crashes libadwaita 1.2.) */
    if (self->stored_toast != NULL)
      adw_toast_set_title (self->stored_toast, text);
    else if (overlay != NULL)
      {
        AdwToast *toast = adw_toast_new (text);

        g_set_weak_pointer (&self->stored_toast, toast);
        adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
      }
  }
  op__review_emit_recalculated (self, self->version);
  g_object_unref (self);
}

/* ---- public API -------------------------------------------------------- */

double
op_review_view_get_target (OpReviewView *self,
                           int           fdi,
                           OpComponent   component)
{
  OpToothOverride *ov;
  int i;

  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), 0.0);

  if ((ov = op_plan_request_find_override (self->edits, fdi)) != NULL && (ov->mask & (1u << component)))
    return op_movement_get (&ov->target, component);
  if (self->plan == NULL || (i = op_plan_find_tooth (self->plan, fdi)) < 0)
    return 0.0;
  return op_movement_get (op_plan_target (self->plan, (guint) i), component);
}

void
op_review_view_set_target (OpReviewView *self,
                           int           fdi,
                           OpComponent   component,
                           double        value)
{
  g_return_if_fail (OP_IS_REVIEW_VIEW (self));
  g_return_if_fail ((guint) component < OP_N_COMPONENTS);

  if (self->plan == NULL || op_plan_find_tooth (self->plan, fdi) < 0 || !isfinite (value))
    return;
  value = op_plan_quantize (value);
  if (op_plan_units (value) == op_plan_units (op_review_view_get_target (self, fdi, component)))
    return;

  op__review_push_undo (self);
  op_plan_request_set_target (self->edits, fdi, component, value);
  if (fdi == self->selected)
    op__review_sync_editor (self);
  op__review_sync_actions (self);
}

void
op_review_view_set_locked (OpReviewView *self,
                           int           fdi,
                           gboolean      locked)
{
  g_return_if_fail (OP_IS_REVIEW_VIEW (self));

  if (!!locked == op_plan_request_is_locked (self->edits, fdi))
    return;
  op__review_push_undo (self);
  op_plan_request_set_locked (self->edits, fdi, locked);
  if (fdi == self->selected)
    op__review_sync_editor (self);
  op__review_sync_actions (self);
}

gboolean
op_review_view_undo (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), FALSE);

  if (self->undo->len == 0 || self->busy)
    return FALSE;
  g_ptr_array_add (self->redo, g_steal_pointer (&self->edits));
  self->edits = g_ptr_array_steal_index (self->undo, self->undo->len - 1);
  op__review_sync_editor (self);
  op__review_sync_actions (self);
  return TRUE;
}

gboolean
op_review_view_redo (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), FALSE);

  if (self->redo->len == 0 || self->busy)
    return FALSE;
  g_ptr_array_add (self->undo, g_steal_pointer (&self->edits));
  self->edits = g_ptr_array_steal_index (self->redo, self->redo->len - 1);
  op__review_sync_editor (self);
  op__review_sync_actions (self);
  return TRUE;
}

void
op_review_view_recalculate (OpReviewView *self)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *why = NULL;
  RecalcData *d;

  g_return_if_fail (OP_IS_REVIEW_VIEW (self));

  if (self->busy || self->dentition == NULL || self->store == NULL)
    return;
  if (!op_plan_limits_valid (&self->edits->limits, &why))
    {
      op__review_set_error (self, why);
      return;
    }

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  d = g_new0 (RecalcData, 1);
  d->store = g_object_ref (self->store);
  d->case_id = self->case_id;
  /* The worker gets its own copies, so that opening another case or
   * another version meanwhile cannot pull data from under it. */
  d->dentition = op_dentition_copy (self->dentition);
  d->grow_roots = !self->roots_grown;
  /* Lent, not shared: the worker owns it until it is done, and it comes
   * back only if the same case is still shown. */
  d->collider = g_steal_pointer (&self->collider);
  d->cbct = g_steal_pointer (&self->cbct);
  d->previous = self->plan ? op_plan_copy (self->plan) : NULL;
  d->parent = self->version;
  d->edits = op_plan_request_copy (self->edits);

  op__review_set_busy (self, TRUE, _("Planning: targets, staging, collisions and IPR…"));
  task = g_task_new (self, self->cancellable, on_recalc_done, g_object_ref (self));
  g_task_set_task_data (task, d, recalc_data_free);
  g_task_run_in_thread (task, recalc_thread);
}
