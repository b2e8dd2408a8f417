/* op-exports-view-private.h: the Exports page's state, shared by
 * op-exports-view.c (exports, posting) and op-exports-logo.c (the practice
 * logo row).
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "op-exports-view.h"
#include "op-window.h"

G_BEGIN_DECLS

struct _OpExportsView
{
  AdwBin          parent_instance;

  /* Template widgets */
  GtkRevealer    *progress_revealer;
  GtkLabel       *progress_label;
  GtkProgressBar *progress_bar;
  GtkWidget      *html_button;
  GtkWidget      *pdf_button;
  GtkWidget      *video_button;
  GtkSwitch      *first_name_switch;
  AdwComboRow    *paper_row;
  AdwActionRow   *logo_row;
  AdwActionRow   *posting_row;
  GtkImage       *posting_icon;
  GtkWidget      *retry_button;

  /* Owned */
  OpStore        *store;
  GSettings      *settings;
  GCancellable   *cancellable;     /* the running export or posting */
  GtkNativeDialog *chooser;        /* the open save dialog, or NULL */
  GtkNativeDialog *logo_chooser;   /* the open logo dialog, or NULL */
  char           *logo_summary;
  GFile          *last_file;
  char           *last_error;
  char           *posting_title;
  char           *posting_detail;
  gint64          case_id;
  gint64          outbox_id;       /* the case's newest outbox row, or 0 */
  OpOutboxState   outbox_state;
  gboolean        has_approval;
  gboolean        has_plan;
  gboolean        busy;
  gboolean        disposed;
};

OpWindow *op__exports_get_window  (OpExportsView *self);
/* Shows @message as a toast and keeps it as the last error. */
void      op__exports_toast_error (OpExportsView *self,
                                   const char    *message);

/* op-exports-logo.c */
void      op__exports_logo_class_init (GtkWidgetClass *widget_class);
void      op__exports_logo_init       (OpExportsView  *self);
void      op__exports_logo_sync       (OpExportsView  *self);
void      op__exports_logo_dispose    (OpExportsView  *self);

G_END_DECLS
