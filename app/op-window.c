/* op-window.c: the main window.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "op-case-row.h"
#include "op-case-view.h"
#include "op-new-case-dialog.h"
#include "op-review-view.h"
#include "op-window-private.h"

G_DEFINE_FINAL_TYPE (OpWindow, op_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
case_list_header_func (GtkListBoxRow *row,
                       GtkListBoxRow *before,
                       gpointer       user_data)
{
  OpCaseState state = op_case_row_get_state (OP_CASE_ROW (row));
  GtkWidget *header;

  if (before != NULL && op_case_row_get_state (OP_CASE_ROW (before)) == state)
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }

  header = gtk_label_new (op_case_state_to_label (state));
  gtk_label_set_xalign (GTK_LABEL (header), 0);
  gtk_widget_add_css_class (header, "heading");
  gtk_widget_add_css_class (header, "dim-label");
  gtk_widget_add_css_class (header, "op-case-group");
  gtk_list_box_row_set_header (row, header);
}

void
op_window_update_header (OpWindow                *self,
                         const OpCaseSummary     *summary)
{
  g_autofree char *subtitle = NULL;
  g_autofree char *state_class = NULL;

  if (summary == NULL)
    {
      adw_window_title_set_title (self->case_title, _("Orthoplan"));
      adw_window_title_set_subtitle (self->case_title, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->state_badge), FALSE);
      gtk_window_set_title (GTK_WINDOW (self), _("Orthoplan"));
      return;
    }

  if (summary->chart_number != NULL && summary->chart_number[0] != '\0')
    subtitle = g_strdup_printf (_("Born %s · Chart %s"), summary->birth_date, summary->chart_number);
  else
    subtitle = g_strdup_printf (_("Born %s"), summary->birth_date);

  adw_window_title_set_title (self->case_title, summary->title);
  adw_window_title_set_subtitle (self->case_title, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), summary->title);

  state_class = g_strdup_printf ("state-%s", op_case_state_to_string (summary->state));
  gtk_label_set_text (self->state_badge, op_case_state_to_label (summary->state));
  gtk_widget_set_css_classes (GTK_WIDGET (self->state_badge),
                              (const char *[]) { "op-state-badge", state_class, NULL });
  gtk_widget_set_visible (GTK_WIDGET (self->state_badge), TRUE);
}

static void
op_window_select_current_row (OpWindow *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->case_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (OP_IS_CASE_ROW (child) && op_case_row_get_case_id (OP_CASE_ROW (child)) == self->case_id)
        {
          gtk_list_box_select_row (self->case_list, GTK_LIST_BOX_ROW (child));
          return;
        }
    }

  gtk_list_box_unselect_all (self->case_list);
}

void
op_window_reload_cases (OpWindow *self)
{
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GError) error = NULL;
  const char *search;
  GtkWidget *child;

  g_return_if_fail (OP_IS_WINDOW (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->case_list))) != NULL)
    gtk_list_box_remove (self->case_list, child);

  if (self->store == NULL)
    {
      gtk_stack_set_visible_child_name (self->sidebar_stack, "unavailable");
      return;
    }

  /* Patients' names stay out of the widget tree until someone signs in. */
  if (self->user == NULL)
    return;

  search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  if (search != NULL && search[0] == '\0')
    search = NULL;

  if (!(cases = op_store_list_cases (self->store, search, &error)))
    {
      op_window_show_error (self, _("Could Not List Cases"), error->message);
      return;
    }

  /* Grouped by state in workflow order; the store gives the newest first
   * and each group keeps that order. */
  for (guint state = 0; state < OP_CASE_N_STATES; state++)
    {
      for (guint i = 0; i < cases->len; i++)
        {
          const OpCaseSummary *summary = g_ptr_array_index (cases, i);

          if (summary->state == state)
            gtk_list_box_append (self->case_list, op_case_row_new (summary));
        }
    }

  if (cases->len > 0)
    gtk_stack_set_visible_child_name (self->sidebar_stack, "list");
  else if (search != NULL)
    gtk_stack_set_visible_child_name (self->sidebar_stack, "no-results");
  else
    gtk_stack_set_visible_child_name (self->sidebar_stack, "empty");

  op_window_select_current_row (self);
}

void
op_window_show_case (OpWindow *self,
                     gint64    case_id)
{
  g_autoptr(OpCaseSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (OP_IS_WINDOW (self));
  g_return_if_fail (self->store != NULL);

  if (!(summary = op_store_get_case (self->store, case_id, &error)))
    {
      op_window_show_error (self, _("Could Not Open Case"), error->message);
      return;
    }

  self->case_id = case_id;
  op_window_update_header (self, summary);
  op_window_update_case_actions (self, summary);
  op_approval_panel_load_case (self->approval_panel, case_id);
  op_case_view_load_case (self->case_view, case_id);
  op_review_view_load_case (self->review_view, case_id);
  op_teeth_view_load_case (self->teeth_view, case_id);
  op_exports_view_load_case (self->exports_view, case_id);
  gtk_stack_set_visible_child_name (self->content_stack, "case");
  op_window_select_current_row (self);
  adw_leaflet_set_visible_child (self->leaflet, self->content);
  op_window_update_actions (self);
}

OpReviewView *
op_window_get_review_view (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return self->review_view;
}

OpTeethView *
op_window_get_teeth_view (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return self->teeth_view;
}

OpExportsView *
op_window_get_exports_view (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return self->exports_view;
}

gint64
op_window_get_case_id (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), 0);

  return self->case_id;
}

static void
on_case_row_activated (OpWindow      *self,
                       GtkListBoxRow *row,
                       GtkListBox    *list)
{
  if (OP_IS_CASE_ROW (row))
    op_window_show_case (self, op_case_row_get_case_id (OP_CASE_ROW (row)));
}

static void
on_search_changed (OpWindow       *self,
                   GtkSearchEntry *entry)
{
  op_window_reload_cases (self);
}

static void
on_back_clicked (OpWindow  *self,
                 GtkButton *button)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_scans_changed (OpWindow   *self,
                  OpCaseView *view)
{
  /* Scan counts show in the list. */
  op_window_reload_cases (self);
  /* A new scan can be segmented on the Teeth page; unsaved corrections
   * there are not thrown away for it. */
  if (self->case_id != 0 && op_teeth_view_get_n_unsaved (self->teeth_view) == 0)
    op_teeth_view_load_case (self->teeth_view, self->case_id);
}

static void
on_case_created (OpNewCaseDialog *dialog,
                 gint64           case_id,
                 OpWindow        *self)
{
  g_autoptr(OpCaseSummary) summary = op_store_get_case (self->store, case_id, NULL);

  op_window_reload_cases (self);
  op_window_show_case (self, case_id);

  if (summary != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Case created for %s"), summary->title);
      op_window_add_toast (self, adw_toast_new (title));
    }
}

GtkWidget *
op_window_new_case (OpWindow *self)
{
  GtkWidget *dialog;

  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);
  g_return_val_if_fail (self->store != NULL, NULL);

  dialog = op_new_case_dialog_new (GTK_WINDOW (self), self->store);
  g_signal_connect_object (dialog, "case-created", G_CALLBACK (on_case_created), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return dialog;
}

static void
new_case_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  op_window_new_case (OP_WINDOW (widget));
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  OpWindow *self = OP_WINDOW (widget);

  if (self->case_id > 0)
    op_case_view_choose_scan (self->case_view, op_case_view_get_missing_jaw (self->case_view));
}

void
op_window_add_toast (OpWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (OP_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
op_window_show_error (OpWindow   *self,
                      const char *heading,
                      const char *body)
{
  GtkWidget *dialog;

  g_return_if_fail (OP_IS_WINDOW (self));

  g_free (self->last_error);
  self->last_error = g_strdup (body);

  /* One error at a time: a newer one replaces an older one still open. */
  if (self->error_dialog != NULL)
    gtk_window_destroy (self->error_dialog);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");

  self->error_dialog = GTK_WINDOW (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->error_dialog);

  gtk_window_present (GTK_WINDOW (dialog));
}

const char *
op_window_get_last_error (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return self->last_error;
}

GtkWindow *
op_window_get_error_dialog (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return self->error_dialog;
}

void
op_window_set_store_error (OpWindow   *self,
                           const char *message)
{
  g_return_if_fail (OP_IS_WINDOW (self));

  adw_status_page_set_description (self->unavailable_page, message);
  gtk_stack_set_visible_child_name (self->sidebar_stack, "unavailable");
}

OpStore *
op_window_get_store (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return self->store;
}

OpCaseView *
op_window_get_case_view (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return self->case_view;
}

GtkListBox *
op_window_get_case_list (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return self->case_list;
}

GtkWidget *
op_window_get_search_entry (OpWindow *self)
{
  g_return_val_if_fail (OP_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->search_entry);
}

static void
op_window_save_size (OpWindow *self)
{
  int width, height;

  /* The default size follows the window's size while it is not maximized,
   * so it is the size to restore next time. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);

  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
op_window_close_request (GtkWindow *window)
{
  op_window_save_size (OP_WINDOW (window));

  return GTK_WINDOW_CLASS (op_window_parent_class)->close_request (window);
}

static void
op_window_constructed (GObject *object)
{
  OpWindow *self = (OpWindow *)object;

  G_OBJECT_CLASS (op_window_parent_class)->constructed (object);

  op_case_view_set_store (self->case_view, self->store);
  op_review_view_set_store (self->review_view, self->store);
  op_teeth_view_set_store (self->teeth_view, self->store);
  op_exports_view_set_store (self->exports_view, self->store);
  op__window_session_constructed (self);

  op_window_reload_cases (self);
  op_window_update_actions (self);
}

static void
op_window_dispose (GObject *object)
{
  OpWindow *self = (OpWindow *)object;

  if (self->error_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->error_dialog), (gpointer *) &self->error_dialog);
      self->error_dialog = NULL;
    }

  op__window_session_dispose (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), OP_TYPE_WINDOW);

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->last_error, g_free);

  G_OBJECT_CLASS (op_window_parent_class)->dispose (object);
}

static void
op_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  OpWindow *self = OP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
op_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  OpWindow *self = OP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
op_window_class_init (OpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = op_window_constructed;
  object_class->dispose = op_window_dispose;
  object_class->get_property = op_window_get_property;
  object_class->set_property = op_window_set_property;

  window_class->close_request = op_window_close_request;

  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         OP_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (OP_TYPE_CASE_VIEW);
  g_type_ensure (OP_TYPE_EXPORTS_VIEW);
  g_type_ensure (OP_TYPE_REVIEW_VIEW);
  g_type_ensure (OP_TYPE_TEETH_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/orthoplan/Orthoplan/ui/op-window.ui");
  gtk_widget_class_bind_template_child (widget_class, OpWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, content);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, case_list);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, unavailable_page);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, case_title);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, state_badge);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, case_view);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, case_pages);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, review_view);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, teeth_view);
  gtk_widget_class_bind_template_child (widget_class, OpWindow, exports_view);
  gtk_widget_class_bind_template_callback (widget_class, on_case_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_scans_changed);

  gtk_widget_class_install_action (widget_class, "win.new-case", NULL, new_case_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  op__window_session_class_init (klass);
}

static void
op_window_init (OpWindow *self)
{
  int width, height;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_list_box_set_header_func (self->case_list, case_list_header_func, NULL, NULL);

  self->settings = g_settings_new (APP_ID);
  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  op__window_session_init (self);
}

OpWindow *
op_window_new (AdwApplication *application,
               OpStore        *store)
{
  g_return_val_if_fail (ADW_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (store == NULL || OP_IS_STORE (store), NULL);

  return g_object_new (OP_TYPE_WINDOW,
                       "application", application,
                       "store", store,
                       NULL);
}
