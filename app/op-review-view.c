/* op-review-view.c: the Plan page: loading, edits, undo, recalculation,
 * versions and comparison.  The 3D scene is op-review-scene.c.
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

G_DEFINE_FINAL_TYPE (OpReviewView, op_review_view, ADW_TYPE_BIN)

enum {
  SIGNAL_LOADED,
  SIGNAL_RECALCULATED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

/* Spin button ranges: beyond these no aligner plan is sensible, and the
 * planner's own checks refuse far less. */
static const double target_range[OP_N_COMPONENTS] = { 8.0, 8.0, 5.0, 60.0, 30.0, 30.0 };
static const char *const component_labels[OP_N_COMPONENTS] = {
  N_("Mesial mm"), N_("Buccal mm"), N_("Extrusion mm"), N_("Rotation °"), N_("Tip °"), N_("Torque °"),
};

/* ---- edits and the undo stack ---------------------------------------- */

static OpReviewEdits *
edits_new (void)
{
  OpReviewEdits *e = g_new0 (OpReviewEdits, 1);

  e->overrides = g_array_new (FALSE, TRUE, sizeof (OpToothOverride));
  e->locked = g_array_new (FALSE, TRUE, sizeof (int));
  op_plan_default_limits (&e->limits);
  return e;
}

static OpReviewEdits *
edits_copy (const OpReviewEdits *src)
{
  OpReviewEdits *e = edits_new ();

  g_array_append_vals (e->overrides, src->overrides->data, src->overrides->len);
  g_array_append_vals (e->locked, src->locked->data, src->locked->len);
  e->limits = src->limits;
  e->strategy = src->strategy;
  return e;
}

static void
edits_free (gpointer data)
{
  OpReviewEdits *e = data;

  if (e == NULL)
    return;
  g_array_unref (e->overrides);
  g_array_unref (e->locked);
  g_free (e);
}

static OpToothOverride *
edits_find_override (OpReviewEdits *e,
                     int            fdi)
{
  for (guint i = 0; i < e->overrides->len; i++)
    if (g_array_index (e->overrides, OpToothOverride, i).fdi == fdi)
      return &g_array_index (e->overrides, OpToothOverride, i);
  return NULL;
}

static gboolean
edits_is_locked (OpReviewEdits *e,
                 int            fdi)
{
  for (guint i = 0; i < e->locked->len; i++)
    if (g_array_index (e->locked, int, i) == fdi)
      return TRUE;
  return FALSE;
}

/* Edits start from the plan shown: its limits, strategy and locks. */
static void
op_review_view_reset_edits (OpReviewView *self)
{
  g_clear_pointer (&self->edits, edits_free);
  self->edits = edits_new ();
  if (self->plan != NULL)
    {
      self->edits->limits = self->plan->limits;
      self->edits->strategy = self->plan->strategy;
      for (guint i = 0; i < self->plan->n_teeth; i++)
        if (self->plan->teeth[i].locked)
          g_array_append_val (self->edits->locked, self->plan->teeth[i].fdi);
    }
  g_ptr_array_set_size (self->undo, 0);
  g_ptr_array_set_size (self->redo, 0);
}

static void op_review_view_sync_editor (OpReviewView *self);
static void op_review_view_sync_actions (OpReviewView *self);

static void
op_review_view_push_undo (OpReviewView *self)
{
  g_ptr_array_add (self->undo, edits_copy (self->edits));
  g_ptr_array_set_size (self->redo, 0);
}

/* ---- showing a plan ---------------------------------------------------- */

static char *
tooth_name (OpReviewView *self,
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
      g_autofree char *a = w->fdi_a ? tooth_name (self, w->fdi_a) : NULL;
      g_autofree char *b = w->fdi_b ? tooth_name (self, w->fdi_b) : NULL;
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

static void
op_review_view_fill_changes (OpReviewView *self)
{
  GtkWidget *child;
  guint n = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->changes_list))) != NULL)
    gtk_list_box_remove (self->changes_list, child);

  if (self->compare == NULL || self->plan == NULL)
    {
      gtk_label_set_text (self->changes_caption, _("Choose a version under “Compare with” to see what changed."));
      gtk_widget_set_visible (GTK_WIDGET (self->changes_list), FALSE);
      return;
    }

  for (guint i = 0; i < self->plan->n_teeth; i++)
    {
      int fdi = self->plan->teeth[i].fdi;
      int j = op_plan_find_tooth (self->compare, fdi);
      const OpMovement *mine = op_plan_target (self->plan, i);
      GString *text = g_string_new (NULL);

      if (j < 0)
        g_string_append (text, _("only in this version"));
      else
        {
          const OpMovement *theirs = op_plan_target (self->compare, (guint) j);

          for (int c = 0; c < OP_N_COMPONENTS; c++)
            {
              double a = op_movement_get (theirs, c), b = op_movement_get (mine, c);

              if (op_plan_units (a) == op_plan_units (b))
                continue;
              g_string_append_printf (text, "%s%s %+.2f → %+.2f %s", text->len ? ", " : "",
                                      op_component_to_string (c), a, b, c < 3 ? "mm" : "°");
            }
        }
      if (text->len > 0)
        {
          GtkWidget *row = adw_action_row_new ();
          g_autofree char *name = tooth_name (self, fdi);
          g_autofree char *title = g_strdup_printf (_("Tooth %s"), name);

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text->str);
          adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
          gtk_list_box_append (self->changes_list, row);
          n++;
        }
      g_string_free (text, TRUE);
    }

  {
    g_autofree char *caption =
      g_strdup_printf (g_dngettext (NULL, "v%d against v%d: %u tooth has a different target; stages %u → %u.",
                                    "v%d against v%d: %u teeth have different targets; stages %u → %u.", n),
                       self->version, self->compare_version, n,
                       self->compare->n_stages - 1, self->plan->n_stages - 1);

    gtk_label_set_text (self->changes_caption, caption);
  }
  gtk_widget_set_visible (GTK_WIDGET (self->changes_list), n > 0);
}

static void
op_review_view_fill_versions (OpReviewView *self)
{
  g_autoptr(GtkStringList) versions = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) others = gtk_string_list_new (NULL);
  guint selected = GTK_INVALID_LIST_POSITION, compare = 0;

  gtk_string_list_append (others, _("Nothing"));
  for (guint i = 0; self->records && i < self->records->len; i++)
    {
      OpPlanRecord *r = g_ptr_array_index (self->records, i);
      g_autofree char *when = g_strndup (r->created_at ? r->created_at : "", 16);
      g_autofree char *text = NULL;

      g_strdelimit (when, "T", ' ');
      text = g_strdup_printf (_("v%d · %s · %s"), r->version, when,
                              r->author && r->author[0] ? r->author : _("planner"));
      gtk_string_list_append (versions, text);
      gtk_string_list_append (others, text);
      if (r->version == self->version)
        selected = i;
      if (r->version == self->compare_version)
        compare = i + 1;
    }

  self->updating = TRUE;
  gtk_drop_down_set_model (self->version_dropdown, G_LIST_MODEL (versions));
  gtk_drop_down_set_selected (self->version_dropdown, selected);
  gtk_drop_down_set_model (self->compare_dropdown, G_LIST_MODEL (others));
  gtk_drop_down_set_selected (self->compare_dropdown, compare);
  self->updating = FALSE;
}

/* Shows self->plan everywhere. */
static void
op_review_view_show_plan (OpReviewView *self)
{
  g_autofree char *caption = NULL;
  guint flagged;

  op_stage_timeline_set_n_stages (self->timeline, self->plan ? self->plan->n_stages : 0);
  op_movement_table_set_plan (self->table, self->plan, self->numbering);
  op__review_scene_set_plan (self);
  op_review_view_fill_warnings (self);
  op_review_view_fill_changes (self);
  op_review_view_fill_versions (self);

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
  op_review_view_sync_editor (self);
  op_review_view_sync_actions (self);
}

static OpPlan *
op_review_view_read_version (OpReviewView  *self,
                             int            version,
                             GError       **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = g_strdup_printf ("plan v%d", version);
  gsize len;
  const char *data;

  bytes = op_store_get_plan (self->store, self->case_id, version, NULL, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  return op_plan_decode (data, len, name, error);
}

/* ---- the editor -------------------------------------------------------- */

static void
op_review_view_sync_editor (OpReviewView *self)
{
  int i = self->plan && self->selected ? op_plan_find_tooth (self->plan, self->selected) : -1;
  gboolean have = i >= 0;

  self->updating = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->target_grid), have);
  gtk_widget_set_sensitive (GTK_WIDGET (self->lock_switch), have);
  if (have)
    {
      g_autofree char *name = tooth_name (self, self->selected);
      g_autofree char *title = g_strdup_printf (_("Tooth %s"), name);
      OpToothOverride *ov = edits_find_override (self->edits, self->selected);
      gboolean locked = edits_is_locked (self->edits, self->selected);

      gtk_label_set_text (self->tooth_title, title);
      gtk_label_set_text (self->tooth_subtitle,
                          ov ? _("Target edited: Recalculate to make a new version with it.")
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
op_review_view_sync_actions (OpReviewView *self)
{
  gboolean ready = self->plan != NULL || self->dentition != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.undo", !self->busy && self->undo->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.redo", !self->busy && self->redo->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.recalculate", !self->busy && ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.cancel", self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->version_dropdown), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->compare_dropdown), !self->busy);
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
  op_review_view_push_undo (self);
  op_movement_set (&self->edits->limits, c, v);
  op_review_view_sync_actions (self);
}

static void
on_strategy_changed (GtkDropDown  *dropdown,
                     GParamSpec   *pspec,
                     OpReviewView *self)
{
  guint s = gtk_drop_down_get_selected (dropdown);

  if (self->updating || s >= OP_STAGE_N_STRATEGIES || s == (guint) self->edits->strategy)
    return;
  op_review_view_push_undo (self);
  self->edits->strategy = (OpStageStrategy) s;
  op_review_view_sync_actions (self);
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

static void
op_review_view_set_busy (OpReviewView *self,
                         gboolean      busy,
                         const char   *what);

static void
op_review_view_set_error (OpReviewView *self,
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
          op_review_view_set_busy (self, FALSE, NULL);
          op_review_view_set_error (self, error->message);
          adw_status_page_set_title (self->empty_page, _("The Plan Could Not Be Loaded"));
          adw_status_page_set_description (self->empty_page, error->message);
          gtk_stack_set_visible_child_name (self->main_stack, "empty");
        }
      g_object_unref (self);
      return;
    }

  op_review_view_set_busy (self, FALSE, NULL);
  self->has_teeth = d->dentition != NULL;
  self->dentition = g_steal_pointer (&d->dentition);
  self->plan = g_steal_pointer (&d->plan);
  self->records = g_steal_pointer (&d->records);
  self->version = d->version;
  op_review_view_reset_edits (self);

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
      op_review_view_show_plan (self);
      op_stage_timeline_set_stage (self->timeline, self->plan->n_stages - 1);
    }
  op_review_view_sync_actions (self);
  g_signal_emit (self, signals [SIGNAL_LOADED], 0);
  g_object_unref (self);
}

typedef struct {
  OpStore         *store;
  gint64           case_id;
  OpDentition     *dentition;   /* a copy: the worker owns it */
  OpPlan          *previous;    /* a copy, or NULL */
  int              parent;
  OpReviewEdits   *edits;
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
  g_clear_pointer (&d->edits, edits_free);
  g_clear_pointer (&d->plan, op_plan_free);
  g_free (d);
}

static char *
recalc_parameters (const RecalcData *d)
{
  GString *s = g_string_new ("{");
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* The same keys as "orthoplan-cli plan", so a version says what it was
   * asked whichever tool made it. */
  g_string_append_printf (s, "\"strategy\": \"%s\", \"limits\": \"", op_stage_strategy_to_string (d->edits->strategy));
  for (int c = 0; c < OP_N_COMPONENTS; c++)
    g_string_append_printf (s, "%s%s=%s", c ? "," : "", op_component_to_string (c),
                            g_ascii_formatd (buf, sizeof buf, "%.4f", op_movement_get (&d->edits->limits, c)));
  g_string_append (s, "\", \"lock\": \"");
  for (guint i = 0; i < d->edits->locked->len; i++)
    g_string_append_printf (s, "%s%d", i ? "," : "", g_array_index (d->edits->locked, int, i));
  g_string_append (s, "\", \"targets\": [");
  for (guint i = 0; i < d->edits->overrides->len; i++)
    {
      const OpToothOverride *ov = &g_array_index (d->edits->overrides, OpToothOverride, i);
      gboolean first = TRUE;

      g_string_append_printf (s, "%s\"%d:", i ? ", " : "", ov->fdi);
      for (int c = 0; c < OP_N_COMPONENTS; c++)
        if (ov->mask & (1u << c))
          {
            g_string_append_printf (s, "%s%s=%s", first ? "" : ",", op_component_to_string (c),
                                    g_ascii_formatd (buf, sizeof buf, "%.4f", op_movement_get (&ov->target, c)));
            first = FALSE;
          }
      g_string_append_c (s, '"');
    }
  g_string_append (s, "], \"source\": \"review\"}");
  return g_string_free (s, FALSE);
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

  options.limits = d->edits->limits;
  options.strategy = d->edits->strategy;
  options.overrides = (const OpToothOverride *) d->edits->overrides->data;
  options.n_overrides = d->edits->overrides->len;
  options.locked = (const int *) d->edits->locked->data;
  options.n_locked = d->edits->locked->len;
  options.previous = d->previous;

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
  params = recalc_parameters (d);
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

  op_review_view_set_busy (self, FALSE, NULL);
  if (!g_task_propagate_boolean (task, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        op_review_view_set_error (self, _("Recalculation cancelled; no version was stored."));
      else
        op_review_view_set_error (self, error->message);
      op_review_view_sync_actions (self);
      g_signal_emit (self, signals [SIGNAL_RECALCULATED], 0, 0);
      g_object_unref (self);
      return;
    }

  g_clear_pointer (&self->plan, op_plan_free);
  self->plan = g_steal_pointer (&d->plan);
  self->version = d->version;
  g_clear_pointer (&self->records, g_ptr_array_unref);
  self->records = op_store_list_plans (self->store, self->case_id, NULL);
  op_review_view_set_error (self, NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "review") != 0)
    {
      gtk_stack_set_visible_child_name (self->main_stack, "review");
      op_review_view_show_plan (self);
      op_stage_timeline_set_stage (self->timeline, self->plan->n_stages - 1);
    }
  else
    op_review_view_show_plan (self);

  {
    GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
    g_autofree char *text = g_strdup_printf (_("Stored plan v%d: %u aligners, planned in %.1f s"),
                                             self->version, self->plan->n_stages - 1, d->seconds);

    if (overlay != NULL)
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
  }
  g_signal_emit (self, signals [SIGNAL_RECALCULATED], 0, self->version);
  g_object_unref (self);
}

static gboolean
on_pulse (gpointer data)
{
  gtk_progress_bar_pulse (GTK_PROGRESS_BAR (data));
  return G_SOURCE_CONTINUE;
}

static void
op_review_view_set_busy (OpReviewView *self,
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
  op_review_view_sync_actions (self);
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

static void
on_version_selected (GtkDropDown  *dropdown,
                     GParamSpec   *pspec,
                     OpReviewView *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);
  g_autoptr(GError) error = NULL;

  if (self->updating || self->records == NULL || i >= self->records->len)
    return;
  if (!op_review_view_show_version (self, ((OpPlanRecord *) g_ptr_array_index (self->records, i))->version, &error))
    op_review_view_set_error (self, error->message);
}

static void
on_compare_selected (GtkDropDown  *dropdown,
                     GParamSpec   *pspec,
                     OpReviewView *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);
  g_autoptr(GError) error = NULL;
  int version = 0;

  if (self->updating || self->records == NULL)
    return;
  if (i > 0 && i <= self->records->len)
    version = ((OpPlanRecord *) g_ptr_array_index (self->records, i - 1))->version;
  if (!op_review_view_compare_with (self, version, &error))
    op_review_view_set_error (self, error->message);
}

static void
on_side_page_changed (GtkStack     *stack,
                      GParamSpec   *pspec,
                      OpReviewView *self)
{
  /* The approval may have been made or refused from the header since the
   * page was last shown: verify again whenever it comes into view. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "approval") == 0 && self->store && self->case_id)
    op_approval_panel_load_case (self->approval_panel, self->case_id);
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
  g_clear_pointer (&self->plan, op_plan_free);
  g_clear_pointer (&self->compare, op_plan_free);
  g_clear_pointer (&self->records, g_ptr_array_unref);
  g_clear_pointer (&self->teeth, g_array_unref);
  g_clear_pointer (&self->markers, g_array_unref);
  g_clear_pointer (&self->edits, edits_free);
  g_clear_pointer (&self->undo, g_ptr_array_unref);
  g_clear_pointer (&self->redo, g_ptr_array_unref);
  g_clear_pointer (&self->last_error, g_free);

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
  self->undo = g_ptr_array_new_with_free_func (edits_free);
  self->redo = g_ptr_array_new_with_free_func (edits_free);
  self->edits = edits_new ();
  self->numbering = OP_NUMBERING_FDI;

  gtk_widget_init_template (GTK_WIDGET (self));

  {
    g_autoptr(GSettingsSchema) schema = NULL;
    GSettingsSchemaSource *source = g_settings_schema_source_get_default ();

    /* The location's numbering, when the schema is installed (it is not
     * in every test). */
    if (source && (schema = g_settings_schema_source_lookup (source, "org.orthoplan.Orthoplan", TRUE)) != NULL &&
        g_settings_schema_has_key (schema, "numbering"))
      {
        g_autoptr(GSettings) settings = g_settings_new ("org.orthoplan.Orthoplan");
        g_autofree char *n = g_settings_get_string (settings, "numbering");

        op_numbering_from_string (n, &self->numbering);
      }
  }

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
  g_signal_connect (self->timeline, "notify::stage", G_CALLBACK (on_stage_changed), self);
  g_signal_connect (self->ghost_toggle, "toggled", G_CALLBACK (on_display_toggled), self);
  g_signal_connect (self->color_toggle, "toggled", G_CALLBACK (on_display_toggled), self);
  g_signal_connect (self->per_stage_toggle, "toggled", G_CALLBACK (on_per_stage_toggled), self);
  g_signal_connect (self->table, "tooth-selected", G_CALLBACK (on_table_tooth_selected), self);
  g_signal_connect (self->warnings_list, "row-activated", G_CALLBACK (on_warning_activated), self);
  g_signal_connect (self->version_dropdown, "notify::selected", G_CALLBACK (on_version_selected), self);
  g_signal_connect (self->compare_dropdown, "notify::selected", G_CALLBACK (on_compare_selected), self);

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
                                       "can no longer change."));

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
    self->approval_panel = OP_APPROVAL_PANEL (op_approval_panel_new ());
    gtk_box_append (self->approval_box, note);
    gtk_box_append (self->approval_box, buttons);
    gtk_box_append (self->approval_box, GTK_WIDGET (self->approval_panel));
    g_signal_connect (self->side_stack, "notify::visible-child", G_CALLBACK (on_side_page_changed), self);
  }

  op__review_scene_fill_legend (self);
  op_review_view_sync_editor (self);
  op_review_view_sync_actions (self);
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
  op_approval_panel_set_store (self->approval_panel, store);
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
  g_clear_pointer (&self->plan, op_plan_free);
  g_clear_pointer (&self->compare, op_plan_free);
  g_clear_pointer (&self->records, g_ptr_array_unref);
  self->case_id = case_id;
  self->version = 0;
  self->compare_version = 0;
  self->selected = 0;
  self->has_teeth = FALSE;
  op_review_view_reset_edits (self);
  op_review_view_set_error (self, NULL);

  if (self->store != NULL)
    op_approval_panel_load_case (self->approval_panel, case_id);
  if (case_id == 0 || self->store == NULL)
    {
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
      op_review_view_set_busy (self, FALSE, NULL);
      return;
    }

  gtk_stack_set_visible_child_name (self->main_stack, "loading");
  op_review_view_set_busy (self, TRUE, NULL);
  self->cancellable = g_cancellable_new ();
  d = g_new0 (LoadData, 1);
  d->store = g_object_ref (self->store);
  d->case_id = case_id;
  task = g_task_new (self, self->cancellable, on_load_done, g_object_ref (self));
  g_task_set_task_data (task, d, load_data_free);
  g_task_run_in_thread (task, load_thread);
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

gboolean
op_review_view_show_version (OpReviewView  *self,
                             int            version,
                             GError       **error)
{
  OpPlan *plan;

  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), FALSE);

  plan = op_review_view_read_version (self, version, error);
  if (plan == NULL)
    return FALSE;
  g_clear_pointer (&self->plan, op_plan_free);
  self->plan = plan;
  self->version = version;
  op_review_view_reset_edits (self);
  op_review_view_show_plan (self);
  return TRUE;
}

gboolean
op_review_view_compare_with (OpReviewView  *self,
                             int            version,
                             GError       **error)
{
  OpPlan *plan = NULL;

  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), FALSE);

  if (version != 0 && (plan = op_review_view_read_version (self, version, error)) == NULL)
    return FALSE;
  g_clear_pointer (&self->compare, op_plan_free);
  self->compare = plan;
  self->compare_version = version;
  op_review_view_fill_changes (self);
  op_review_view_fill_versions (self);
  op__review_scene_update (self);
  if (plan != NULL)
    gtk_stack_set_visible_child_name (self->side_stack, "changes");
  return TRUE;
}

guint
op_review_view_get_n_changes (OpReviewView *self)
{
  guint n = 0;

  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), 0);

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->changes_list)); c; c = gtk_widget_get_next_sibling (c))
    n++;
  return n;
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
  op_review_view_sync_editor (self);
}

int
op_review_view_get_selected_tooth (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), 0);
  return self->selected;
}

double
op_review_view_get_target (OpReviewView *self,
                           int           fdi,
                           OpComponent   component)
{
  OpToothOverride *ov;
  int i;

  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), 0.0);

  if ((ov = edits_find_override (self->edits, fdi)) != NULL && (ov->mask & (1u << component)))
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
  OpToothOverride *ov;
  int i;

  g_return_if_fail (OP_IS_REVIEW_VIEW (self));
  g_return_if_fail ((guint) component < OP_N_COMPONENTS);

  if (self->plan == NULL || (i = op_plan_find_tooth (self->plan, fdi)) < 0 || !isfinite (value))
    return;
  value = op_plan_quantize (value);
  if (op_plan_units (value) == op_plan_units (op_review_view_get_target (self, fdi, component)))
    return;

  op_review_view_push_undo (self);
  if ((ov = edits_find_override (self->edits, fdi)) == NULL)
    {
      OpToothOverride fresh = { .fdi = fdi, .mask = 0, .target = *op_plan_target (self->plan, (guint) i) };

      g_array_append_val (self->edits->overrides, fresh);
      ov = &g_array_index (self->edits->overrides, OpToothOverride, self->edits->overrides->len - 1);
    }
  op_movement_set (&ov->target, component, value);
  ov->mask |= 1u << component;
  if (fdi == self->selected)
    op_review_view_sync_editor (self);
  op_review_view_sync_actions (self);
}

void
op_review_view_set_locked (OpReviewView *self,
                           int           fdi,
                           gboolean      locked)
{
  g_return_if_fail (OP_IS_REVIEW_VIEW (self));

  if (!!locked == edits_is_locked (self->edits, fdi))
    return;
  op_review_view_push_undo (self);
  if (locked)
    g_array_append_val (self->edits->locked, fdi);
  else
    for (guint i = 0; i < self->edits->locked->len; i++)
      if (g_array_index (self->edits->locked, int, i) == fdi)
        {
          g_array_remove_index (self->edits->locked, i);
          break;
        }
  if (fdi == self->selected)
    op_review_view_sync_editor (self);
  op_review_view_sync_actions (self);
}

gboolean
op_review_view_undo (OpReviewView *self)
{
  g_return_val_if_fail (OP_IS_REVIEW_VIEW (self), FALSE);

  if (self->undo->len == 0 || self->busy)
    return FALSE;
  g_ptr_array_add (self->redo, g_steal_pointer (&self->edits));
  self->edits = g_ptr_array_steal_index (self->undo, self->undo->len - 1);
  op_review_view_sync_editor (self);
  op_review_view_sync_actions (self);
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
  op_review_view_sync_editor (self);
  op_review_view_sync_actions (self);
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
      op_review_view_set_error (self, why);
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
  d->previous = self->plan ? op_plan_copy (self->plan) : NULL;
  d->parent = self->version;
  d->edits = edits_copy (self->edits);

  op_review_view_set_busy (self, TRUE, _("Planning: targets, staging, collisions and IPR…"));
  task = g_task_new (self, self->cancellable, on_recalc_done, g_object_ref (self));
  g_task_set_task_data (task, d, recalc_data_free);
  g_task_run_in_thread (task, recalc_thread);
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

  return op__review_tooth_centre (self, fdi, c) && op__review_project (self, c, out_x, out_y);
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
