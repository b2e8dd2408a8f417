/* op-audit-view.c: the administrator's audit log window.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "op-audit-view.h"

/* One row of the list: a GObject around an OpAuditEntry, which is what
 * GListModel wants. */
#define OP_TYPE_AUDIT_ITEM (op_audit_item_get_type ())
G_DECLARE_FINAL_TYPE (OpAuditItem, op_audit_item, OP, AUDIT_ITEM, GObject)

struct _OpAuditItem
{
  GObject       parent_instance;
  OpAuditEntry *entry;   /* owned */
  char         *local_time;
};

G_DEFINE_FINAL_TYPE (OpAuditItem, op_audit_item, G_TYPE_OBJECT)

static void
op_audit_item_finalize (GObject *object)
{
  OpAuditItem *self = (OpAuditItem *)object;

  g_clear_pointer (&self->entry, op_audit_entry_free);
  g_clear_pointer (&self->local_time, g_free);

  G_OBJECT_CLASS (op_audit_item_parent_class)->finalize (object);
}

static void
op_audit_item_class_init (OpAuditItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = op_audit_item_finalize;
}

static void
op_audit_item_init (OpAuditItem *self)
{
}

static OpAuditItem *
op_audit_item_new (OpAuditEntry *entry)
{
  OpAuditItem *self = g_object_new (OP_TYPE_AUDIT_ITEM, NULL);
  g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (entry->time, NULL);

  self->entry = entry;
  if (utc != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (utc);

      self->local_time = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
    }
  else
    self->local_time = g_strdup (entry->time);

  return self;
}

typedef enum {
  COLUMN_SEQ,
  COLUMN_TIME,
  COLUMN_ACTOR,
  COLUMN_ACTION,
  COLUMN_OBJECT,
  COLUMN_DETAIL,
} Column;

struct _OpAuditView
{
  AdwWindow       parent_instance;

  /* Template widgets */
  GtkDropDown    *user_dropdown;
  GtkDropDown    *action_dropdown;
  GtkDropDown    *case_dropdown;
  GtkEntry       *from_entry;
  GtkEntry       *to_entry;
  GtkColumnView  *column_view;
  GtkStack       *list_stack;
  AdwStatusPage  *empty_page;
  GtkLabel       *count_label;
  GtkRevealer    *verify_revealer;
  GtkImage       *verify_icon;
  GtkLabel       *verify_label;

  /* Owned */
  OpStore        *store;
  GListStore     *entries;
  GPtrArray      *user_values;    /* login per dropdown position; NULL for any */
  GPtrArray      *action_values;
  GArray         *case_values;    /* gint64 */
  char           *user;
  char           *action;
  gint64          case_id;
  char           *since;          /* UTC bounds derived from the local days */
  char           *until;
  char           *error;
  char           *verify_message;
  gboolean        filling;        /* the dropdowns are being filled or set */
};

G_DEFINE_FINAL_TYPE (OpAuditView, op_audit_view, ADW_TYPE_WINDOW)

/* At most this many entries are listed at once; the filters narrow a
 * larger log down.  Years of a practice's log would not fit a list
 * anyone reads. */
#define MAX_ROWS 5000

static void
op_audit_view_set_error (OpAuditView *self,
                         const char  *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
}

void
op_audit_view_reload (OpAuditView *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  OpAuditFilter filter = {
    .actor = self->user,
    .action = self->action,
    .case_id = self->case_id,
    .since = self->since,
    .until = self->until,
    .limit = MAX_ROWS,
  };
  g_autofree char *count = NULL;

  g_return_if_fail (OP_IS_AUDIT_VIEW (self));

  g_list_store_remove_all (self->entries);

  if (self->error != NULL && g_str_has_prefix (self->error, "date:"))
    return;

  if (!(entries = op_store_list_audit (self->store, &filter, &error)))
    {
      op_audit_view_set_error (self, error->message);
      adw_status_page_set_icon_name (self->empty_page, "dialog-error-symbolic");
      adw_status_page_set_title (self->empty_page, _("Audit Log Unavailable"));
      adw_status_page_set_description (self->empty_page, error->message);
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
      gtk_label_set_text (self->count_label, "");
      return;
    }
  op_audit_view_set_error (self, NULL);

  /* The array gives up its entries to the items, which free them. */
  g_ptr_array_set_free_func (entries, NULL);
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (items, op_audit_item_new (g_ptr_array_index (entries, i)));
  g_list_store_splice (self->entries, 0, 0, items->pdata, items->len);

  if (entries->len >= MAX_ROWS)
    count = g_strdup_printf (_("The newest %u entries; narrow the filters to see older ones"), MAX_ROWS);
  else
    count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u entry", "%u entries", entries->len),
                             entries->len);
  gtk_label_set_text (self->count_label, count);

  if (entries->len > 0)
    gtk_stack_set_visible_child_name (self->list_stack, "list");
  else
    {
      adw_status_page_set_icon_name (self->empty_page, "edit-find-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Matching Entries"));
      adw_status_page_set_description (self->empty_page, _("Widen the dates or choose “Everyone” and “All actions”."));
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
    }
}

/* Fills the dropdowns' choices from the log and the case list. */
static void
op_audit_view_fill_choices (OpAuditView *self)
{
  g_auto(GStrv) actors = op_store_list_audit_actors (self->store, NULL);
  g_auto(GStrv) actions = op_store_list_audit_actions (self->store, NULL);
  g_autoptr(GPtrArray) cases = op_store_list_cases (self->store, NULL, NULL);
  g_autoptr(GtkStringList) users = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) action_list = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) case_list = gtk_string_list_new (NULL);
  const char *family = NULL;
  gint64 any_case = 0;

  self->filling = TRUE;

  g_ptr_array_set_size (self->user_values, 0);
  gtk_string_list_append (users, _("Everyone"));
  g_ptr_array_add (self->user_values, NULL);
  for (guint i = 0; actors != NULL && actors[i] != NULL; i++)
    {
      gtk_string_list_append (users, actors[i]);
      g_ptr_array_add (self->user_values, g_strdup (actors[i]));
    }
  gtk_drop_down_set_model (self->user_dropdown, G_LIST_MODEL (users));

  /* Each family ("user.", "case.") comes first as a choice of its own, so
   * that "every sign-in, sign-out and failure" is one pick. */
  g_ptr_array_set_size (self->action_values, 0);
  gtk_string_list_append (action_list, _("All actions"));
  g_ptr_array_add (self->action_values, NULL);
  for (guint i = 0; actions != NULL && actions[i] != NULL; i++)
    {
      const char *dot = strchr (actions[i], '.');

      if (dot != NULL && (family == NULL || strncmp (family, actions[i], (gsize) (dot - actions[i] + 1)) != 0))
        {
          g_autofree char *prefix = g_strndup (actions[i], (gsize) (dot - actions[i] + 1));
          /* Translators: a family of audit actions, e.g. "user.* (all)". */
          g_autofree char *label = g_strdup_printf (_("%s* (all)"), prefix);

          gtk_string_list_append (action_list, label);
          g_ptr_array_add (self->action_values, g_strdup (prefix));
          family = actions[i];
        }
      gtk_string_list_append (action_list, actions[i]);
      g_ptr_array_add (self->action_values, g_strdup (actions[i]));
    }
  gtk_drop_down_set_model (self->action_dropdown, G_LIST_MODEL (action_list));

  g_array_set_size (self->case_values, 0);
  gtk_string_list_append (case_list, _("All cases"));
  g_array_append_val (self->case_values, any_case);
  for (guint i = 0; cases != NULL && i < cases->len; i++)
    {
      const OpCaseSummary *summary = g_ptr_array_index (cases, i);
      /* Translators: a case's title and its number. */
      g_autofree char *label = g_strdup_printf (_("%s (case %" G_GINT64_FORMAT ")"), summary->title, summary->id);

      gtk_string_list_append (case_list, label);
      g_array_append_val (self->case_values, summary->id);
    }
  gtk_drop_down_set_model (self->case_dropdown, G_LIST_MODEL (case_list));

  self->filling = FALSE;
}

static guint
find_value (GPtrArray  *values,
            const char *value)
{
  for (guint i = 0; i < values->len; i++)
    if (g_strcmp0 (g_ptr_array_index (values, i), value) == 0)
      return i;
  return 0;
}

static void
on_filter_changed (OpAuditView *self)
{
  guint user = gtk_drop_down_get_selected (self->user_dropdown);
  guint action = gtk_drop_down_get_selected (self->action_dropdown);
  guint case_pos = gtk_drop_down_get_selected (self->case_dropdown);

  if (self->filling)
    return;

  g_free (self->user);
  self->user = user < self->user_values->len ? g_strdup (g_ptr_array_index (self->user_values, user)) : NULL;
  g_free (self->action);
  self->action = action < self->action_values->len ? g_strdup (g_ptr_array_index (self->action_values, action)) : NULL;
  self->case_id = case_pos < self->case_values->len ? g_array_index (self->case_values, gint64, case_pos) : 0;

  op_audit_view_reload (self);
}

/* A local day as the UTC time of its first second, or of the next day's
 * first second when @next; NULL (and an error) when it is not a date. */
static gboolean
local_day_to_utc (const char  *text,
                  gboolean     next,
                  char       **out_utc)
{
  int y, m, d;
  char tail;
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) utc = NULL;

  *out_utc = NULL;
  if (text == NULL || text[0] == '\0')
    return TRUE;
  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || !g_date_valid_dmy (d, m, y))
    return FALSE;

  local = g_date_time_new (zone, y, m, d, 0, 0, 0);
  if (local == NULL)
    return FALSE;
  if (next)
    {
      GDateTime *after = g_date_time_add_days (local, 1);

      g_date_time_unref (local);
      local = after;
    }
  utc = g_date_time_to_utc (local);
  *out_utc = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
  return TRUE;
}

static void
on_dates_changed (OpAuditView *self)
{
  const char *from = gtk_editable_get_text (GTK_EDITABLE (self->from_entry));
  const char *to = gtk_editable_get_text (GTK_EDITABLE (self->to_entry));
  g_autofree char *since = NULL;
  g_autofree char *until = NULL;
  gboolean from_ok = local_day_to_utc (from, FALSE, &since);
  gboolean to_ok = local_day_to_utc (to, TRUE, &until);

  /* A half-typed date marks its entry and keeps the list as it was
   * filtered last, rather than flashing an empty list at every key. */
  if (from_ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->from_entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->from_entry), "error");
  if (to_ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->to_entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->to_entry), "error");

  if (!from_ok || !to_ok)
    {
      g_autofree char *message = g_strdup_printf ("date: %s", !from_ok ? from : to);

      op_audit_view_set_error (self, message);
      return;
    }

  g_free (self->since);
  self->since = g_steal_pointer (&since);
  g_free (self->until);
  self->until = g_steal_pointer (&until);
  op_audit_view_set_error (self, NULL);
  op_audit_view_reload (self);
}

gboolean
op_audit_view_verify (OpAuditView  *self,
                      const char  **out_message)
{
  g_autoptr(GError) error = NULL;
  gint64 n_good = 0, first_broken = 0;
  gboolean ok;

  g_return_val_if_fail (OP_IS_AUDIT_VIEW (self), FALSE);

  ok = op_store_verify_audit_report (self->store, &n_good, &first_broken, &error);

  g_free (self->verify_message);
  if (ok)
    self->verify_message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                         "The audit chain is intact: %lld entry verified.",
                                                         "The audit chain is intact: all %lld entries verified.",
                                                         (gulong) n_good),
                                            (long long) n_good);
  else
    self->verify_message = g_strdup (error->message);

  gtk_label_set_text (self->verify_label, self->verify_message);
  gtk_image_set_from_icon_name (self->verify_icon, ok ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  gtk_widget_set_css_classes (GTK_WIDGET (self->verify_icon), (const char *[]) { ok ? "success" : "error", NULL });
  gtk_revealer_set_reveal_child (self->verify_revealer, TRUE);

  if (out_message != NULL)
    *out_message = self->verify_message;
  return ok;
}

static void
on_verify_clicked (OpAuditView *self)
{
  op_audit_view_verify (self, NULL);
}

static void
column_setup (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_SEQ ? 1.0f : 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column == COLUMN_SEQ || column == COLUMN_TIME)
    gtk_widget_add_css_class (label, "numeric");
  if (column == COLUMN_OBJECT || column == COLUMN_SEQ)
    gtk_widget_add_css_class (label, "dim-label");
  gtk_list_item_set_child (item, label);
}

static void
column_bind (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  OpAuditItem *audit = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *seq = NULL;
  const char *text = "";

  switch (column)
    {
    case COLUMN_SEQ:
      text = seq = g_strdup_printf ("%" G_GINT64_FORMAT, audit->entry->seq);
      break;
    case COLUMN_TIME:
      text = audit->local_time;
      break;
    case COLUMN_ACTOR:
      text = audit->entry->actor;
      break;
    case COLUMN_ACTION:
      text = audit->entry->action;
      break;
    case COLUMN_OBJECT:
      text = audit->entry->object;
      break;
    case COLUMN_DETAIL:
      text = audit->entry->detail;
      break;
    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (label, text);
  /* Long details (a change request's note) are cut in the row; the
   * tooltip shows them whole. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), column == COLUMN_DETAIL && text[0] != '\0' ? text : NULL);
}

static void
add_column (OpAuditView *self,
            const char  *title,
            Column       column,
            int          fixed_width,
            gboolean     expand)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (column_setup), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (column_bind), GINT_TO_POINTER (column));

  view_column = gtk_column_view_column_new (title, g_steal_pointer (&factory));
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_column_set_expand (view_column, expand);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (view_column, fixed_width);
  gtk_column_view_append_column (self->column_view, view_column);
}

void
op_audit_view_set_user (OpAuditView *self,
                        const char  *login)
{
  g_return_if_fail (OP_IS_AUDIT_VIEW (self));

  g_free (self->user);
  self->user = g_strdup (login);
  self->filling = TRUE;
  gtk_drop_down_set_selected (self->user_dropdown, find_value (self->user_values, login));
  self->filling = FALSE;
  op_audit_view_reload (self);
}

void
op_audit_view_set_action (OpAuditView *self,
                          const char  *action)
{
  g_return_if_fail (OP_IS_AUDIT_VIEW (self));

  g_free (self->action);
  self->action = g_strdup (action);
  self->filling = TRUE;
  gtk_drop_down_set_selected (self->action_dropdown, find_value (self->action_values, action));
  self->filling = FALSE;
  op_audit_view_reload (self);
}

void
op_audit_view_set_case (OpAuditView *self,
                        gint64       case_id)
{
  guint pos = 0;

  g_return_if_fail (OP_IS_AUDIT_VIEW (self));

  for (guint i = 0; i < self->case_values->len; i++)
    if (g_array_index (self->case_values, gint64, i) == case_id)
      pos = i;

  self->case_id = case_id;
  self->filling = TRUE;
  gtk_drop_down_set_selected (self->case_dropdown, pos);
  self->filling = FALSE;
  op_audit_view_reload (self);
}

void
op_audit_view_set_dates (OpAuditView *self,
                         const char  *from,
                         const char  *to)
{
  g_return_if_fail (OP_IS_AUDIT_VIEW (self));

  /* Through the entries, so that what is shown is what filters. */
  g_signal_handlers_block_by_func (self->from_entry, on_dates_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), from != NULL ? from : "");
  g_signal_handlers_unblock_by_func (self->from_entry, on_dates_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to != NULL ? to : "");
  on_dates_changed (self);
}

guint
op_audit_view_get_n_entries (OpAuditView *self)
{
  g_return_val_if_fail (OP_IS_AUDIT_VIEW (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->entries));
}

const OpAuditEntry *
op_audit_view_get_entry (OpAuditView *self,
                         guint        i)
{
  g_autoptr(OpAuditItem) item = NULL;

  g_return_val_if_fail (OP_IS_AUDIT_VIEW (self), NULL);

  /* The store keeps its own reference, so the entry outlives this one. */
  item = g_list_model_get_item (G_LIST_MODEL (self->entries), i);
  return item != NULL ? item->entry : NULL;
}

const char *
op_audit_view_get_error (OpAuditView *self)
{
  g_return_val_if_fail (OP_IS_AUDIT_VIEW (self), NULL);

  return self->error;
}

static void
op_audit_view_dispose (GObject *object)
{
  OpAuditView *self = (OpAuditView *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), OP_TYPE_AUDIT_VIEW);

  G_OBJECT_CLASS (op_audit_view_parent_class)->dispose (object);
}

static void
op_audit_view_finalize (GObject *object)
{
  OpAuditView *self = (OpAuditView *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->entries);
  g_clear_pointer (&self->user_values, g_ptr_array_unref);
  g_clear_pointer (&self->action_values, g_ptr_array_unref);
  g_clear_pointer (&self->case_values, g_array_unref);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->action, g_free);
  g_clear_pointer (&self->since, g_free);
  g_clear_pointer (&self->until, g_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->verify_message, g_free);

  G_OBJECT_CLASS (op_audit_view_parent_class)->finalize (object);
}

static void
op_audit_view_class_init (OpAuditViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = op_audit_view_dispose;
  object_class->finalize = op_audit_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/orthoplan/Orthoplan/ui/op-audit-view.ui");
  gtk_widget_class_bind_template_child (widget_class, OpAuditView, user_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OpAuditView, action_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OpAuditView, case_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OpAuditView, from_entry);
  gtk_widget_class_bind_template_child (widget_class, OpAuditView, to_entry);
  gtk_widget_class_bind_template_child (widget_class, OpAuditView, column_view);
  gtk_widget_class_bind_template_child (widget_class, OpAuditView, list_stack);
  gtk_widget_class_bind_template_child (widget_class, OpAuditView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, OpAuditView, count_label);
  gtk_widget_class_bind_template_child (widget_class, OpAuditView, verify_revealer);
  gtk_widget_class_bind_template_child (widget_class, OpAuditView, verify_icon);
  gtk_widget_class_bind_template_child (widget_class, OpAuditView, verify_label);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_dates_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_verify_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
op_audit_view_init (OpAuditView *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->entries = g_list_store_new (OP_TYPE_AUDIT_ITEM);
  self->user_values = g_ptr_array_new_with_free_func (g_free);
  self->action_values = g_ptr_array_new_with_free_func (g_free);
  self->case_values = g_array_new (FALSE, FALSE, sizeof (gint64));

  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->entries)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));

  add_column (self, _("#"), COLUMN_SEQ, 60, FALSE);
  add_column (self, _("Time"), COLUMN_TIME, 170, FALSE);
  add_column (self, _("User"), COLUMN_ACTOR, 110, FALSE);
  add_column (self, _("Action"), COLUMN_ACTION, 190, FALSE);
  add_column (self, _("Object"), COLUMN_OBJECT, 90, FALSE);
  add_column (self, _("Detail"), COLUMN_DETAIL, -1, TRUE);
}

GtkWidget *
op_audit_view_new (GtkWindow *parent,
                   OpStore   *store)
{
  OpAuditView *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (OP_IS_STORE (store), NULL);

  self = g_object_new (OP_TYPE_AUDIT_VIEW, "transient-for", parent, NULL);
  self->store = g_object_ref (store);

  op_audit_view_fill_choices (self);
  op_audit_view_reload (self);

  return GTK_WIDGET (self);
}
