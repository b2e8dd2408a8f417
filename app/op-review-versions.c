/* op-review-versions.c: the review view's plan versions: the version and
 * compare lists, switching between stored versions and the list of what
 * changed against the version compared with.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "op-plan-json.h"
#include "op-review-private.h"

void
op__review_fill_changes (OpReviewView *self)
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
          g_autofree char *name = op__review_tooth_name (self, fdi);
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

void
op__review_fill_versions (OpReviewView *self)
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
    op__review_set_error (self, error->message);
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
    op__review_set_error (self, error->message);
}

void
op__review_versions_connect (OpReviewView *self)
{
  g_signal_connect (self->version_dropdown, "notify::selected", G_CALLBACK (on_version_selected), self);
  g_signal_connect (self->compare_dropdown, "notify::selected", G_CALLBACK (on_compare_selected), self);
}

/* ---- public API -------------------------------------------------------- */

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
  op__review_reset_edits (self);
  op__review_show_plan (self);
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
  op__review_fill_changes (self);
  op__review_fill_versions (self);
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
