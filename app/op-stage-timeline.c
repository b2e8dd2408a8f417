/* op-stage-timeline.c: the stage slider with play, pause and step.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "op-stage-timeline.h"

/* One aligner per 0.4 s: slow enough to follow one tooth, fast enough to
 * see a whole 30-stage plan in about ten seconds. */
#define PLAY_INTERVAL_MS 400

struct _OpStageTimeline
{
  GtkWidget  parent_instance;

  /* Owned children */
  GtkWidget *box;
  GtkButton *play_button;
  GtkScale  *scale;
  GtkLabel  *label;

  guint      n_stages;
  guint      stage;
  guint      play_source;
  gboolean   updating;
  char      *text;
};

G_DEFINE_FINAL_TYPE (OpStageTimeline, op_stage_timeline, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STAGE,
  PROP_N_STAGES,
  PROP_PLAYING,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
op_stage_timeline_sync (OpStageTimeline *self)
{
  g_free (self->text);
  /* People count aligners from 1; stage 0 is the teeth as they are now. */
  if (self->stage == 0)
    self->text = g_strdup_printf (_("Initial (of %u stages)"), MAX (self->n_stages, 1) - 1);
  else
    self->text = g_strdup_printf (_("Stage %u of %u"), self->stage, MAX (self->n_stages, 1) - 1);
  gtk_label_set_text (self->label, self->text);

  self->updating = TRUE;
  gtk_range_set_range (GTK_RANGE (self->scale), 0, MAX (self->n_stages, 2) - 1);
  gtk_range_set_value (GTK_RANGE (self->scale), self->stage);
  self->updating = FALSE;

  gtk_widget_set_sensitive (GTK_WIDGET (self->scale), self->n_stages > 1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->play_button), self->n_stages > 1);
  gtk_button_set_icon_name (self->play_button, self->play_source ? "media-playback-pause-symbolic"
                                                                 : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button),
                               self->play_source ? _("Pause (Space)") : _("Play the stages (Space)"));
}

static void
op_stage_timeline_stop (OpStageTimeline *self)
{
  if (self->play_source == 0)
    return;
  g_clear_handle_id (&self->play_source, g_source_remove);
  op_stage_timeline_sync (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PLAYING]);
}

static void
op_stage_timeline_set_stage_internal (OpStageTimeline *self,
                                      guint            stage)
{
  stage = MIN (stage, MAX (self->n_stages, 1) - 1);
  if (stage == self->stage)
    return;
  self->stage = stage;
  op_stage_timeline_sync (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STAGE]);
}

static gboolean
on_play_tick (gpointer data)
{
  OpStageTimeline *self = data;

  if (self->stage + 1 >= self->n_stages)
    {
      self->play_source = 0;
      op_stage_timeline_sync (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PLAYING]);
      return G_SOURCE_REMOVE;
    }
  op_stage_timeline_set_stage_internal (self, self->stage + 1);
  return G_SOURCE_CONTINUE;
}

static void
on_value_changed (GtkRange        *range,
                  OpStageTimeline *self)
{
  if (self->updating)
    return;
  op_stage_timeline_set_stage_internal (self, (guint) lround (MAX (gtk_range_get_value (range), 0.0)));
}

static void
on_play_clicked (OpStageTimeline *self)
{
  op_stage_timeline_toggle_play (self);
}

static void
op_stage_timeline_dispose (GObject *object)
{
  OpStageTimeline *self = OP_STAGE_TIMELINE (object);

  g_clear_handle_id (&self->play_source, g_source_remove);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (op_stage_timeline_parent_class)->dispose (object);
}

static void
op_stage_timeline_finalize (GObject *object)
{
  OpStageTimeline *self = OP_STAGE_TIMELINE (object);

  g_free (self->text);

  G_OBJECT_CLASS (op_stage_timeline_parent_class)->finalize (object);
}

static void
op_stage_timeline_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  OpStageTimeline *self = OP_STAGE_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_STAGE:
      g_value_set_uint (value, self->stage);
      break;
    case PROP_N_STAGES:
      g_value_set_uint (value, self->n_stages);
      break;
    case PROP_PLAYING:
      g_value_set_boolean (value, self->play_source != 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
op_stage_timeline_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  OpStageTimeline *self = OP_STAGE_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_STAGE:
      op_stage_timeline_set_stage (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
op_stage_timeline_class_init (OpStageTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = op_stage_timeline_dispose;
  object_class->finalize = op_stage_timeline_finalize;
  object_class->get_property = op_stage_timeline_get_property;
  object_class->set_property = op_stage_timeline_set_property;

  properties [PROP_STAGE] =
    g_param_spec_uint ("stage", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties [PROP_N_STAGES] =
    g_param_spec_uint ("n-stages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties [PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "opstagetimeline");
}

static void
op_stage_timeline_init (OpStageTimeline *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_add_css_class (self->box, "op-stage-timeline");

  self->play_button = GTK_BUTTON (gtk_button_new_from_icon_name ("media-playback-start-symbolic"));
  gtk_widget_add_css_class (GTK_WIDGET (self->play_button), "circular");
  gtk_widget_set_valign (GTK_WIDGET (self->play_button), GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->play_button, "clicked", G_CALLBACK (on_play_clicked), self);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->play_button));

  self->scale = GTK_SCALE (gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 1));
  gtk_scale_set_draw_value (self->scale, FALSE);
  gtk_range_set_round_digits (GTK_RANGE (self->scale), 0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->scale), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->scale), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->scale),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Stage"), -1);
  g_signal_connect (self->scale, "value-changed", G_CALLBACK (on_value_changed), self);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->scale));

  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_width_chars (self->label, 16);
  gtk_label_set_xalign (self->label, 1.f);
  gtk_widget_add_css_class (GTK_WIDGET (self->label), "numeric");
  gtk_widget_add_css_class (GTK_WIDGET (self->label), "heading");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->label));

  op_stage_timeline_sync (self);
}

GtkWidget *
op_stage_timeline_new (void)
{
  return g_object_new (OP_TYPE_STAGE_TIMELINE, NULL);
}

void
op_stage_timeline_set_n_stages (OpStageTimeline *self,
                                guint            n_stages)
{
  g_return_if_fail (OP_IS_STAGE_TIMELINE (self));

  op_stage_timeline_stop (self);
  self->n_stages = n_stages;
  if (self->stage >= MAX (n_stages, 1))
    {
      self->stage = MAX (n_stages, 1) - 1;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STAGE]);
    }
  op_stage_timeline_sync (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_STAGES]);
}

guint
op_stage_timeline_get_n_stages (OpStageTimeline *self)
{
  g_return_val_if_fail (OP_IS_STAGE_TIMELINE (self), 0);
  return self->n_stages;
}

void
op_stage_timeline_set_stage (OpStageTimeline *self,
                             guint            stage)
{
  g_return_if_fail (OP_IS_STAGE_TIMELINE (self));
  op_stage_timeline_set_stage_internal (self, stage);
}

guint
op_stage_timeline_get_stage (OpStageTimeline *self)
{
  g_return_val_if_fail (OP_IS_STAGE_TIMELINE (self), 0);
  return self->stage;
}

void
op_stage_timeline_step (OpStageTimeline *self,
                        int              delta)
{
  gint64 stage;

  g_return_if_fail (OP_IS_STAGE_TIMELINE (self));

  op_stage_timeline_stop (self);
  stage = CLAMP ((gint64) self->stage + delta, 0, (gint64) MAX (self->n_stages, 1) - 1);
  op_stage_timeline_set_stage_internal (self, (guint) stage);
}

void
op_stage_timeline_toggle_play (OpStageTimeline *self)
{
  g_return_if_fail (OP_IS_STAGE_TIMELINE (self));

  if (self->play_source != 0)
    {
      op_stage_timeline_stop (self);
      return;
    }
  if (self->n_stages < 2)
    return;
  /* Playing from the end would show nothing: start over. */
  if (self->stage + 1 >= self->n_stages)
    op_stage_timeline_set_stage_internal (self, 0);
  self->play_source = g_timeout_add (PLAY_INTERVAL_MS, on_play_tick, self);
  op_stage_timeline_sync (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PLAYING]);
}

gboolean
op_stage_timeline_get_playing (OpStageTimeline *self)
{
  g_return_val_if_fail (OP_IS_STAGE_TIMELINE (self), FALSE);
  return self->play_source != 0;
}

GtkRange *
op_stage_timeline_get_scale (OpStageTimeline *self)
{
  g_return_val_if_fail (OP_IS_STAGE_TIMELINE (self), NULL);
  return GTK_RANGE (self->scale);
}

const char *
op_stage_timeline_get_text (OpStageTimeline *self)
{
  g_return_val_if_fail (OP_IS_STAGE_TIMELINE (self), NULL);
  return self->text;
}
