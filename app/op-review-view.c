/* op-review-view.c: the Plan page: the widget, its layout, loading a
 * case, the warnings list and the actions.  The target editor, undo and
 * recalculation are op-review-edit.c, versions and comparison are
 * op-review-versions.c and the 3D scene is op-review-scene.c.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "op-app-settings.h"
#include "op-plan-json.h"
#include "op-review-private.h"

G_DEFINE_FINAL_TYPE (OpReviewView, op_review_view, ADW_TYPE_BIN)

enum {
  SIGNAL_LOADED,
  SIGNAL_RECALCULATED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];



/* The signal ids are this file's; the recalculation worker in
 * op-review-edit.c announces its result through here. */
void
op__review_emit_recalculated (OpReviewView *self,
                              int           version)
{
  g_signal_emit (self, signals [SIGNAL_RECALCULATED], 0, version);
}

/* ---- showing a plan ---------------------------------------------------- */

char *
op__review_tooth_name (OpReviewView *self,
                       int           fdi)
{
  g_autofree char *n = op_fdi_format (fdi, self->numbering);

  return g_strdup (n);
}

static void
op_review_view_fill_warnings (OpReviewView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->warnings_list))) != NULL)
    gtk_list_box_remove (self->warnings_list, child);

  if (self->plan == NULL || self->plan->warnings->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No warnings"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("The planner found nothing to point out."));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("emblem-ok-symbolic"));
      gtk_list_box_append (self->warnings_list, row);
      return;
    }

  for (guint i = 0; i < self->plan->warnings->len; i++)
    {
      const OpPlanWarning *w = &g_array_index (self->plan->warnings, OpPlanWarning, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = NULL;
      g_autofree char *a = w->fdi_a ? op__review_tooth_name (self, w->fdi_a) : NULL;
      g_autofree char *b = w->fdi_b ? op__review_tooth_name (self, w->fdi_b) : NULL;
      g_autofree char *escaped = g_markup_escape_text (w->message, -1);

      if (a && b)
        title = g_strdup_printf (_("Teeth %s and %s"), a, b);
      else if (a)
        title = g_strdup_printf (_("Tooth %s"), a);
      else
        title = g_strdup (_("Plan"));
      if (w->stage >= 0)
        {
          char *t = g_strdup_printf (_("%s · stage %d"), title, w->stage);
          g_free (title);
          title = t;
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
      gtk_widget_add_css_class (row, "op-warning-row");
      /* Activating a warning about a tooth selects that tooth. */
      if (w->fdi_a)
        {
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          g_object_set_data (G_OBJECT (row), "op-fdi", GINT_TO_POINTER (w->fdi_a));
        }
      gtk_list_box_append (self->warnings_list, row);
    }
}


/* Shows self->plan everywhere. */
void
op__review_show_plan (OpReviewView *self)
{
  g_autofree char *caption = NULL;
  guint flagged;

  op_stage_timeline_set_n_stages (self->timeline, self->plan ? self->plan->n_stages : 0);
  op_movement_table_set_plan (self->table, self->plan, self->numbering);
  op__review_scene_set_plan (self);
  op_review_view_fill_warnings (self);
  op__review_fill_changes (self);
  op__review_fill_versions (self);

  flagged = op_movement_table_count_flagged (self->table);
  if (self->plan != NULL)
    caption = g_strdup_printf (g_dngettext (NULL, "%u teeth, %u aligners, %u value above your comfort thresholds",
                                            "%u teeth, %u aligners, %u values above your comfort thresholds",
                                            flagged),
                               self->plan->n_teeth, self->plan->n_stages - 1, flagged);
  gtk_label_set_text (self->table_caption, caption ? caption : "");

  if (self->plan != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Warnings (%u)"), self->plan->warnings->len);

      g_object_set (gtk_stack_get_page (self->side_stack,
                                        gtk_stack_get_child_by_name (self->side_stack, "warnings")),
                    "title", title, NULL);
    }

  op__review_scene_update (self);
  op__review_sync_editor (self);
  op__review_sync_actions (self);
}



void
op__review_sync_actions (OpReviewView *self)
{
  gboolean ready = self->plan != NULL || self->dentition != NULL;

  gboolean edit = !self->busy && self->editable;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.undo", edit && self->undo->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.redo", edit && self->redo->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.recalculate", edit && ready);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->recalculate_button),
                               self->editable || self->not_editable_why == NULL
                               ? _("Plan again with your edits and store a new version (Ctrl+R)")
                               : self->not_editable_why);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.cancel", self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->version_dropdown), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->compare_dropdown), !self->busy);
}


/* ---- workers ----------------------------------------------------------- */

typedef struct {
  OpStore     *store;
  gint64       case_id;
  OpDentition *dentition;
  OpPlan      *plan;
  GPtrArray   *records;
  int          version;
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *d = data;

  g_clear_object (&d->store);
  g_clear_pointer (&d->dentition, op_dentition_free);
  g_clear_pointer (&d->plan, op_plan_free);
  g_clear_pointer (&d->records, g_ptr_array_unref);
  g_free (d);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *d = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(OpPlanRecord) record = NULL;
  gint64 n = op_store_count_teeth (d->store, d->case_id, &error);

  if (n < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (n == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  d->dentition = op_store_load_teeth (d->store, d->case_id, NULL, cancellable, &error);
  if (d->dentition == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  d->records = op_store_list_plans (d->store, d->case_id, &error);
  if (d->records == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (d->records->len > 0)
    {
      bytes = op_store_get_plan (d->store, d->case_id, 0, &record, &error);
      if (bytes != NULL)
        {
          gsize len;
          const char *data = g_bytes_get_data (bytes, &len);
          g_autofree char *name = g_strdup_printf ("plan v%d", record->version);

          d->plan = op_plan_decode (data, len, name, &error);
          d->version = record->version;
        }
      if (d->plan == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

void
op__review_set_error (OpReviewView *self,
                      const char   *message)
{
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  if (message != NULL)
    {
      GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

      g_debug ("review: %s", message);
      if (overlay != NULL)
        adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
    }
}

static void
on_load_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  OpReviewView *self = user_data;
  GTask *task = G_TASK (result);
  LoadData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (task, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          op__review_set_busy (self, FALSE, NULL);
          op__review_set_error (self, error->message);
          adw_status_page_set_title (self->empty_page, _("The Plan Could Not Be Loaded"));
          adw_status_page_set_description (self->empty_page, error->message);
          gtk_stack_set_visible_child_name (self->main_stack, "empty");
        }
      g_object_unref (self);
      return;
    }

  op__review_set_busy (self, FALSE, NULL);
  self->has_teeth = d->dentition != NULL;
  self->dentition = g_steal_pointer (&d->dentition);
  self->roots_grown = FALSE;
  self->plan = g_steal_pointer (&d->plan);
  self->records = g_steal_pointer (&d->records);
  self->version = d->version;
  op__review_reset_edits (self);

  if (self->dentition == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("No Teeth to Plan"));
      adw_status_page_set_description (self->empty_page,
                                       _("The review screen works on teeth imported one by one. Import them with "
                                         "“orthoplan-cli case import-teeth”, or segment the scans."));
      gtk_widget_set_visible (GTK_WIDGET (self->plan_button), FALSE);
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
    }
  else if (self->plan == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("No Plan Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("The case has its teeth. Make a first plan to review it here."));
      gtk_widget_set_visible (GTK_WIDGET (self->plan_button), TRUE);
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
      op__review_scene_build (self);
    }
  else
    {
      gtk_stack_set_visible_child_name (self->main_stack, "review");
      op__review_scene_build (self);
      op_stage_timeline_set_stage (self->timeline, 0);
      op__review_show_plan (self);
      op_stage_timeline_set_stage (self->timeline, self->plan->n_stages - 1);
    }
  op__review_sync_actions (self);
  g_signal_emit (self, signals [SIGNAL_LOADED], 0);
  g_object_unref (self);
}


static gboolean
on_pulse (gpointer data)
{
  gtk_progress_bar_pulse (GTK_PROGRESS_BAR (data));
  return G_SOURCE_CONTINUE;
}

void
op__review_set_busy (OpReviewView *self,
                     gboolean      busy,
                     const char   *what)
{
  self->busy = busy;
  gtk_revealer_set_reveal_child (self->progress_revealer, busy && what != NULL);
  if (what != NULL)
    gtk_label_set_text (self->progress_label, what);
  g_clear_handle_id (&self->pulse_source, g_source_remove);
  /* The planner reports no fraction done, so the bar pulses rather than
   * pretending to know. */
  if (busy)
    self->pulse_source = g_timeout_add (120, on_pulse, self->progress_bar);
  op__review_sync_actions (self);
}

/* ---- actions ----------------------------------------------------------- */

static void
action_undo (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  op_review_view_undo (OP_REVIEW_VIEW (widget));
}

static void
action_redo (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  op_review_view_redo (OP_REVIEW_VIEW (widget));
}

static void
action_recalculate (GtkWidget  *widget,
                    const char *name,
                    GVariant   *param)
{
  op_review_view_recalculate (OP_REVIEW_VIEW (widget));
}

static void
action_cancel (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  OpReviewView *self = OP_REVIEW_VIEW (widget);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
}

static void
action_play (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  op_stage_timeline_toggle_play (OP_REVIEW_VIEW (widget)->timeline);
}

static void
action_step (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  op_stage_timeline_step (OP_REVIEW_VIEW (widget)->timeline, g_variant_get_int32 (param));
}

/* ---- signals from the widgets ------------------------------------------ */

static void
on_stage_changed (OpStageTimeline *timeline,
                  GParamSpec      *pspec,
                  OpReviewView    *self)
{
  op__review_scene_update (self);
}

static void
on_display_toggled (GtkToggleButton *button,
                    OpReviewView    *self)
{
  op__review_scene_update (self);
}

static void
on_per_stage_toggled (GtkToggleButton *button,
                      OpReviewView    *self)
{
  op_movement_table_set_per_stage (self->table, gtk_toggle_button_get_active (button));
}

static void
on_table_tooth_selected (OpMovementTable *table,
                         int              fdi,
                         OpReviewView    *self)
{
  op_review_view_select_tooth (self, fdi);
}

static void
on_warning_activated (GtkListBox    *box,
                      GtkListBoxRow *row,
                      OpReviewView  *self)
{
  int fdi = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "op-fdi"));

  if (fdi != 0)
    op_review_view_select_tooth (self, fdi);
}

static void
on_viewer_click (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 OpReviewView    *self)
{
  int fdi;

  if (n_press != 1)
    return;
  fdi = op_review_view_pick (self, x, y);
  /* A click on the background keeps the selection: it is too easy to
   * miss a tooth by a pixel and lose one's place. */
  if (fdi != 0)
    op_review_view_select_tooth (self, fdi);
}


/* After each frame of the 3D view: the camera may have moved, so the IPR
 * labels follow their discs.  Hooking the frame rather than a tick
 * callback keeps the frame clock idle while nothing changes. */
static gboolean
on_viewer_rendered (GtkGLArea    *area,
                    GdkGLContext *context,
                    OpReviewView *self)
{
  if (self->markers->len > 0)
    op__review_scene_place_labels (self, FALSE);
  return FALSE;
}

/* ---- GObject ----------------------------------------------------------- */

static void
op_review_view_dispose (GObject *object)
{
  OpReviewView *self = OP_REVIEW_VIEW (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->pulse_source, g_source_remove);
  /* AdwBin unparents its child (the whole template) itself. */

  G_OBJECT_CLASS (op_review_view_parent_class)->dispose (object);
}

static void
op_review_view_finalize (GObject *object)
{
  OpReviewView *self = OP_REVIEW_VIEW (object);

  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->dentition, op_dentition_free);
  g_clear_pointer (&self->collider, op_planner_collider_free);
  g_clear_pointer (&self->cbct, op_case_cbct_free);
  g_clear_pointer (&self->plan, op_plan_free);
  g_clear_pointer (&self->compare, op_plan_free);
  g_clear_pointer (&self->records, g_ptr_array_unref);
  g_clear_pointer (&self->teeth, g_array_unref);
  g_clear_pointer (&self->markers, g_array_unref);
  g_clear_pointer (&self->edits, op_plan_request_free);
  g_clear_pointer (&self->undo, g_ptr_array_unref);
  g_clear_pointer (&self->redo, g_ptr_array_unref);
  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->not_editable_why, g_free);
  g_clear_weak_pointer (&self->stored_toast);

  G_OBJECT_CLASS (op_review_view_parent_class)->finalize (object);
}

static void
op_review_view_class_init (OpReviewViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = op_review_view_dispose;
  object_class->finalize = op_review_view_finalize;

  signals [SIGNAL_LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* (int version): the new version, or 0 when it failed or was cancelled. */
  signals [SIGNAL_RECALCULATED] =
    g_signal_new ("recalculated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);

  g_type_ensure (OP_TYPE_VIEWER);
  g_type_ensure (OP_TYPE_STAGE_TIMELINE);
  g_type_ensure (OP_TYPE_MOVEMENT_TABLE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/orthoplan/Orthoplan/ui/op-review-view.ui");
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, main_stack);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, plan_button);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, version_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, compare_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, ghost_toggle);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, color_toggle);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, roots_toggle);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, options_grid);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, strategy_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, recalculate_button);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, progress_label);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, viewer_overlay);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, viewer);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, label_layer);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, legend);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, legend_ramp);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, legend_markers);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, timeline);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, tooth_title);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, tooth_subtitle);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, lock_switch);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, target_grid);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, side_stack);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, table_caption);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, per_stage_toggle);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, table);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, warnings_list);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, changes_caption);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, changes_list);
  gtk_widget_class_bind_template_child (widget_class, OpReviewView, approval_box);

  gtk_widget_class_install_action (widget_class, "review.undo", NULL, action_undo);
  gtk_widget_class_install_action (widget_class, "review.redo", NULL, action_redo);
  gtk_widget_class_install_action (widget_class, "review.recalculate", NULL, action_recalculate);
  gtk_widget_class_install_action (widget_class, "review.cancel", NULL, action_cancel);
  gtk_widget_class_install_action (widget_class, "review.play", NULL, action_play);
  gtk_widget_class_install_action (widget_class, "review.step", "i", action_step);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "review.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "review.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "review.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "review.recalculate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "review.play", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "review.step", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "review.step", "i", 1);
}

static void
op_review_view_init (OpReviewView *self)
{
  GtkGesture *click;

  self->teeth = g_array_new (FALSE, TRUE, sizeof (OpReviewTooth));
  self->markers = g_array_new (FALSE, TRUE, sizeof (OpReviewMarker));
  self->undo = g_ptr_array_new_with_free_func ((GDestroyNotify) op_plan_request_free);
  self->redo = g_ptr_array_new_with_free_func ((GDestroyNotify) op_plan_request_free);
  self->edits = op_plan_request_new ();
  self->editable = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The location's numbering. */
  self->numbering = op_app_settings_get_numbering ();

  op__review_editor_init (self);
  g_signal_connect (self->timeline, "notify::stage", G_CALLBACK (on_stage_changed), self);
  g_signal_connect (self->ghost_toggle, "toggled", G_CALLBACK (on_display_toggled), self);
  g_signal_connect (self->color_toggle, "toggled", G_CALLBACK (on_display_toggled), self);
  g_signal_connect (self->roots_toggle, "toggled", G_CALLBACK (on_display_toggled), self);
  g_signal_connect (self->per_stage_toggle, "toggled", G_CALLBACK (on_per_stage_toggled), self);
  g_signal_connect (self->table, "tooth-selected", G_CALLBACK (on_table_tooth_selected), self);
  g_signal_connect (self->warnings_list, "row-activated", G_CALLBACK (on_warning_activated), self);
  op__review_versions_connect (self);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (on_viewer_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self->viewer), GTK_EVENT_CONTROLLER (click));
  g_signal_connect_after (self->viewer, "render", G_CALLBACK (on_viewer_rendered), self);

  /* The approval panel (the signature record, verified on load) and the
   * window's own Approve… and Request Changes… actions, which re-ask the
   * password and sign through the store: this page offers no path of its
   * own to approve. */
  {
    GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
    GtkWidget *approve = gtk_button_new_with_mnemonic (_("_Approve…"));
    GtkWidget *changes = gtk_button_new_with_mnemonic (_("_Request Changes…"));
    GtkWidget *note = gtk_label_new (_("Approving signs the plan version shown with your key after you enter "
                                       "your password again; the case then moves to approved and its plan "
                                       "can no longer change. The signature record and any change requests "
                                       "are shown above the case's pages."));

    gtk_label_set_wrap (GTK_LABEL (note), TRUE);
    gtk_label_set_xalign (GTK_LABEL (note), 0.f);
    gtk_widget_add_css_class (note, "dim-label");
    gtk_actionable_set_action_name (GTK_ACTIONABLE (approve), "win.approve");
    gtk_actionable_set_action_name (GTK_ACTIONABLE (changes), "win.request-changes");
    gtk_widget_add_css_class (approve, "suggested-action");
    gtk_widget_add_css_class (approve, "pill");
    gtk_widget_add_css_class (changes, "pill");
    gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
    gtk_box_append (GTK_BOX (buttons), changes);
    gtk_box_append (GTK_BOX (buttons), approve);
    gtk_box_append (self->approval_box, note);
    gtk_box_append (self->approval_box, buttons);
  }

  op__review_scene_fill_legend (self);
  op__review_sync_editor (self);
  op__review_sync_actions (self);
}

/* ---- public API -------------------------------------------------------- */

GtkWidget *
op_review_view_new (void)
{
  return g_object_new (OP_TYPE_REVIEW_VIEW, NULL);
}

void
op_review_view_set_store (OpReviewView *self,
                          OpStore      *store)
{
  g_return_if_fail (OP_IS_REVIEW_VIEW (self));

  g_set_object (&self->store, store);
}

void
op_review_view_load_case (OpReviewView *self,
                          gint64        case_id)
{
  g_autoptr(GTask) task = NULL;
  LoadData *d;

  g_return_if_fail (OP_IS_REVIEW_VIEW (self));

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  op__review_scene_clear (self);
  g_clear_pointer (&self->dentition, op_dentition_free);
  g_clear_pointer (&self->collider, op_planner_collider_free);
  g_clear_pointer (&self->cbct, op_case_cbct_free);
  g_clear_pointer (&self->plan, op_plan_free);
  g_clear_pointer (&self->compare, op_plan_free);
  g_clear_pointer (&self->records, g_ptr_array_unref);
  self->case_id = case_id;
  self->version = 0;
  self->compare_version = 0;
  self->selected = 0;
  self->has_teeth = FALSE;
  op__review_reset_edits (self);
  op__review_set_error (self, NULL);

  if (case_id == 0 || self->store == NULL)
    {
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
      op__review_set_busy (self, FALSE, NULL);
      return;
    }

  gtk_stack_set_visible_child_name (self->main_stack, "loading");
  op__review_set_busy (self, TRUE, NULL);
  self->cancellable = g_cancellable_new ();
  d = g_new0 (LoadData, 1);
  d->store = g_object_ref (self->store);
  d->case_id = case_id;
  task = g_task_new (self, self->cancellable, on_load_done, g_object_ref (self));
  g_task_set_task_data (task, d, load_data_free);
  g_task_run_in_thread (task, load_thread);
}

void
op_review_view_set_editable (OpReviewView *self,
                             gboolean      editable,
                             const char   *why_not)
{
  g_return_if_fail (OP_IS_REVIEW_VIEW (self));

  self->editable = editable;
  g_free (self->not_editable_why);
  self->not_editable_why = editable ? NULL : g_strdup (why_not);
  op__review_sync_editor (self);
  op__review_sync_actions (self);
}

void
op_review_view_set_show_roots (OpReviewView *self,
                               gboolean      show)
{
  g_return_if_fail (OP_IS_REVIEW_VIEW (self));

  gtk_toggle_button_set_active (self->roots_toggle, show);
}

gboolean
op_review_view_get_editable (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), FALSE);

  return self->editable;
}

gint64
op_review_view_get_case_id (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), 0);
  return self->case_id;
}

gboolean
op_review_view_has_teeth (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), FALSE);
  return self->has_teeth;
}

gboolean
op_review_view_get_busy (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), FALSE);
  return self->busy;
}

int
op_review_view_get_version (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), 0);
  return self->version;
}

guint
op_review_view_get_n_versions (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), 0);
  return self->records ? self->records->len : 0;
}


void
op_review_view_select_tooth (OpReviewView *self,
                             int           fdi)
{
  g_return_if_fail (OP_IS_REVIEW_VIEW (self));

  if (self->plan == NULL || (fdi != 0 && op_plan_find_tooth (self->plan, fdi) < 0))
    fdi = 0;
  self->selected = fdi;
  op_movement_table_select (self->table, fdi);
  op__review_scene_update (self);
  op__review_sync_editor (self);
}

int
op_review_view_get_selected_tooth (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), 0);
  return self->selected;
}


const char *
op_review_view_get_last_error (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), NULL);
  return self->last_error;
}

int
op_review_view_pick (OpReviewView *self,
                     double        x,
                     double        y)
{
  guint handle;

  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), 0);

  handle = op_viewer_pick (self->viewer, x, y);
  for (guint i = 0; handle != 0 && i < self->teeth->len; i++)
    {
      OpReviewTooth *t = &g_array_index (self->teeth, OpReviewTooth, i);

      if (t->mesh == handle)
        return t->fdi;
    }
  return 0;
}

gboolean
op_review_view_project_tooth (OpReviewView *self,
                              int           fdi,
                              double       *out_x,
                              double       *out_y)
{
  float c[3];

  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), FALSE);

  return op__review_tooth_centre (self, fdi, c) && op_viewer_project (self->viewer, c, out_x, out_y);
}

OpViewer *
op_review_view_get_viewer (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), NULL);
  return self->viewer;
}

OpStageTimeline *
op_review_view_get_timeline (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), NULL);
  return self->timeline;
}

OpMovementTable *
op_review_view_get_table (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), NULL);
  return self->table;
}

guint
op_review_view_get_n_markers (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), 0);
  return self->markers->len;
}

GtkBox *
op_review_view_get_approval_box (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), NULL);
  return self->approval_box;
}
