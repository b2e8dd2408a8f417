/* op-approval-panel.c: the signature record of a case.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "op-approval-panel.h"

struct _OpApprovalPanel
{
  AdwBin             parent_instance;

  /* Template widgets */
  AdwExpanderRow    *signature_row;
  GtkImage          *signature_icon;
  AdwActionRow      *meaning_row;
  AdwActionRow      *signer_row;
  AdwActionRow      *time_row;
  AdwActionRow      *hash_row;
  AdwActionRow      *fingerprint_row;
  AdwActionRow      *result_row;
  AdwExpanderRow    *requests_row;

  /* Owned */
  OpStore           *store;
  GPtrArray         *request_rows;   /* rows added under requests_row */
  char              *summary;
  OpSignatureStatus  status;
};

G_DEFINE_FINAL_TYPE (OpApprovalPanel, op_approval_panel, ADW_TYPE_BIN)

/* "2026-03-12T14:05:09Z" as a person's local date and time; the stored
 * text when it does not parse, so that nothing is hidden. */
static char *
local_time (const char *iso)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (iso, NULL);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup (iso);
  local = g_date_time_to_local (utc);
  /* Translators: a date and time as strftime writes it; keep the zone. */
  return g_date_time_format (local, _("%e %B %Y at %H:%M:%S %Z"));
}

static void
clear_requests (OpApprovalPanel *self)
{
  for (guint i = 0; i < self->request_rows->len; i++)
    adw_expander_row_remove (self->requests_row, g_ptr_array_index (self->request_rows, i));
  g_ptr_array_set_size (self->request_rows, 0);
}

static void
show_approval (OpApprovalPanel  *self,
               const OpApproval *approval,
               gboolean          valid,
               const char       *why)
{
  g_autofree char *when = local_time (approval->signed_at);
  g_autofree char *signer = NULL;
  g_autofree char *subtitle = NULL;
  const char *title;

  signer = approval->signer_npi != NULL && approval->signer_npi[0] != '\0'
         /* Translators: a signer's printed name and National Provider Identifier. */
         ? g_strdup_printf (_("%s · NPI %s"), approval->signer_name, approval->signer_npi)
         : g_strdup (approval->signer_name);

  title = valid ? _("Signature Valid") : _("Signature Invalid");
  /* Translators: who signed, then when. */
  subtitle = g_strdup_printf (_("%s, %s"), signer, when);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->signature_row), title);
  adw_expander_row_set_subtitle (self->signature_row, subtitle);
  gtk_image_set_from_icon_name (self->signature_icon,
                                valid ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  gtk_widget_set_css_classes (GTK_WIDGET (self->signature_icon),
                              (const char *[]) { valid ? "success" : "error", NULL });

  adw_action_row_set_subtitle (self->meaning_row, approval->meaning);
  adw_action_row_set_subtitle (self->signer_row, signer);
  adw_action_row_set_subtitle (self->time_row, when);
  adw_action_row_set_subtitle (self->hash_row, approval->plan_sha256);
  adw_action_row_set_subtitle (self->fingerprint_row, approval->fingerprint);
  adw_action_row_set_subtitle (self->result_row,
                               valid ? _("The signature verifies with the signer’s key over the plan bytes stored now.")
                                     : why);
  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (self->result_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->result_row), "error");

  /* An invalid signature is opened at once: it must not be missed. */
  adw_expander_row_set_expanded (self->signature_row, !valid);
  gtk_widget_set_visible (GTK_WIDGET (self->signature_row), TRUE);

  self->summary = g_strdup_printf ("%s: %s, %s: %s", title, signer, when, approval->meaning);
}

void
op_approval_panel_load_case (OpApprovalPanel *self,
                             gint64           case_id)
{
  g_autoptr(OpApproval) approval = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) requests = NULL;
  gboolean valid = FALSE;

  g_return_if_fail (OP_IS_APPROVAL_PANEL (self));

  clear_requests (self);
  g_clear_pointer (&self->summary, g_free);
  self->status = OP_SIGNATURE_NONE;
  gtk_widget_set_visible (GTK_WIDGET (self->signature_row), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->requests_row), FALSE);

  if (self->store == NULL || case_id <= 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return;
    }

  /* An Ed25519 check over one plan takes well under a millisecond, so it
   * runs here rather than in a worker, and the record never shows before
   * its verdict. */
  valid = op_store_verify_approval (self->store, case_id, &approval, &error);
  if (approval != NULL)
    {
      g_autofree char *object = g_strdup_printf ("case:%" G_GINT64_FORMAT, case_id);
      g_autoptr(GError) audit_error = NULL;

      self->status = valid ? OP_SIGNATURE_VALID : OP_SIGNATURE_INVALID;
      show_approval (self, approval, valid, valid ? NULL : error->message);

      /* Seeing the record is a view of the case, and CLINICAL.md asks for
       * every view to be audited; the same entry as the CLI's "verify". */
      if (!op_store_audit (self->store, "case.verify", object,
                           valid ? "valid" : error->message, &audit_error))
        g_warning ("Recording the signature check failed: %s", audit_error->message);
    }
  else if (!g_error_matches (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND))
    {
      /* No record could be read at all: say so where the record would be. */
      self->status = OP_SIGNATURE_INVALID;
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->signature_row), _("Signature Unreadable"));
      adw_expander_row_set_subtitle (self->signature_row, error->message);
      gtk_image_set_from_icon_name (self->signature_icon, "dialog-warning-symbolic");
      gtk_widget_set_css_classes (GTK_WIDGET (self->signature_icon), (const char *[]) { "error", NULL });
      gtk_widget_set_visible (GTK_WIDGET (self->signature_row), TRUE);
      self->summary = g_strdup (error->message);
    }

  requests = op_store_list_change_requests (self->store, case_id, NULL);
  if (requests != NULL && requests[0] != NULL)
    {
      guint n = g_strv_length (requests);
      g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u request, the latest: %s",
                                                                "%u requests, the latest: %s", n),
                                                   n, requests[n - 1]);

      for (guint i = 0; i < n; i++)
        {
          GtkWidget *row = adw_action_row_new ();

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), requests[i]);
          adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Change request"));
          adw_expander_row_add_row (self->requests_row, row);
          g_ptr_array_add (self->request_rows, row);
        }
      adw_expander_row_set_subtitle (self->requests_row, subtitle);
      gtk_widget_set_visible (GTK_WIDGET (self->requests_row), TRUE);
    }

  gtk_widget_set_visible (GTK_WIDGET (self),
                          gtk_widget_get_visible (GTK_WIDGET (self->signature_row)) ||
                          gtk_widget_get_visible (GTK_WIDGET (self->requests_row)));
}

void
op_approval_panel_set_store (OpApprovalPanel *self,
                             OpStore         *store)
{
  g_return_if_fail (OP_IS_APPROVAL_PANEL (self));
  g_return_if_fail (store == NULL || OP_IS_STORE (store));

  g_set_object (&self->store, store);
}

OpSignatureStatus
op_approval_panel_get_status (OpApprovalPanel *self)
{
  g_return_val_if_fail (OP_IS_APPROVAL_PANEL (self), OP_SIGNATURE_NONE);

  return self->status;
}

const char *
op_approval_panel_get_summary (OpApprovalPanel *self)
{
  g_return_val_if_fail (OP_IS_APPROVAL_PANEL (self), NULL);

  return self->summary;
}

guint
op_approval_panel_get_n_requests (OpApprovalPanel *self)
{
  g_return_val_if_fail (OP_IS_APPROVAL_PANEL (self), 0);

  return self->request_rows->len;
}

static void
op_approval_panel_dispose (GObject *object)
{
  OpApprovalPanel *self = (OpApprovalPanel *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), OP_TYPE_APPROVAL_PANEL);

  G_OBJECT_CLASS (op_approval_panel_parent_class)->dispose (object);
}

static void
op_approval_panel_finalize (GObject *object)
{
  OpApprovalPanel *self = (OpApprovalPanel *)object;

  g_clear_object (&self->store);
  g_clear_pointer (&self->request_rows, g_ptr_array_unref);
  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (op_approval_panel_parent_class)->finalize (object);
}

static void
op_approval_panel_class_init (OpApprovalPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = op_approval_panel_dispose;
  object_class->finalize = op_approval_panel_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/orthoplan/Orthoplan/ui/op-approval-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, OpApprovalPanel, signature_row);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalPanel, signature_icon);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalPanel, meaning_row);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalPanel, signer_row);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalPanel, time_row);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalPanel, hash_row);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalPanel, fingerprint_row);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalPanel, result_row);
  gtk_widget_class_bind_template_child (widget_class, OpApprovalPanel, requests_row);
}

static void
op_approval_panel_init (OpApprovalPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The rows are owned by the expander row; this array only remembers
   * which ones to take out again. */
  self->request_rows = g_ptr_array_new ();
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
op_approval_panel_new (void)
{
  return g_object_new (OP_TYPE_APPROVAL_PANEL, NULL);
}
