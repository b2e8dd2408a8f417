/* op-slice-view.c: three slice panes over one volume.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each pane keeps the grey pixels of the slice it shows and rebuilds them
 * only when the slice, the window or the volume changes; pointer motion and
 * the crosshair only redraw.  Pixels are square and the same size in every
 * pane (the volume's finest spacing), so a millimetre is as long in the
 * coronal pane as in the axial one.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "op-slice-view.h"

#define N_PANES 3

/* How far the pointer may move, in pixels, for a press to count as a
 * click (which moves the crosshair) rather than a drag (which windows). */
#define CLICK_SLOP 3.0
/* Hounsfield units per pixel of drag. */
#define WIDTH_PER_PX 4.0
#define LEVEL_PER_PX 2.0

typedef struct {
  OpSliceView     *view;        /* borrowed */
  GtkDrawingArea  *area;        /* template child */
  OpPlane          plane;
  /* The cached slice. */
  guint8          *grey;
  cairo_surface_t *surface;
  int              width, height;
  int              index;       /* the slice the cache holds, -1 for none */
  gboolean         dirty;
  guint            draw_count;
  /* Where the image landed at the last draw. */
  double           ox, oy, scale;
  /* Drag state. */
  double           start_x, start_y;
  OpWindowLevel    start_window;
  gboolean         dragging;
  gboolean         moves_crosshair;
  double           scroll_acc;
} Pane;

struct _OpSliceView
{
  GtkWidget        parent_instance;

  /* Template widgets */
  GtkWidget       *box;
  GtkDropDown     *preset_dropdown;
  GtkLabel        *window_label;
  GtkLabel        *readout_label;
  GtkDrawingArea  *axial_area;
  GtkDrawingArea  *coronal_area;
  GtkDrawingArea  *sagittal_area;

  /* Owned */
  OpVolumeRef     *ref;
  Pane             panes[N_PANES];
  OpWindowLevel    window;
  int              crosshair[3];
  double           pixel_mm;
  char            *readout;
  gboolean         setting_preset;
};

G_DEFINE_FINAL_TYPE (OpSliceView, op_slice_view, GTK_TYPE_WIDGET)

enum {
  CROSSHAIR_CHANGED,
  WINDOW_CHANGED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

/* The colours radiology viewers give the three planes (3D Slicer's
 * convention): red axial, green coronal, yellow sagittal. */
static const double plane_rgb[N_PANES][3] = {
  { 0.93, 0.33, 0.30 },
  { 0.43, 0.78, 0.36 },
  { 0.95, 0.80, 0.27 },
};

/* The volume axes a pane shows: @u across (left to right), @v down, @w
 * through the screen; @flip_v when the image's top row is the highest
 * index.  This is the same layout op_volume_render_slice() draws:
 * patient's right on the left, anterior or superior up. */
static void
pane_axes (OpPlane   plane,
           int      *u,
           int      *v,
           int      *w,
           gboolean *flip_v)
{
  switch (plane)
    {
    case OP_PLANE_AXIAL:
      *u = 0, *v = 1, *w = 2, *flip_v = FALSE;
      break;
    case OP_PLANE_CORONAL:
      *u = 0, *v = 2, *w = 1, *flip_v = TRUE;
      break;
    case OP_PLANE_SAGITTAL:
    default:
      *u = 1, *v = 2, *w = 0, *flip_v = TRUE;
      break;
    }
}

static const char *
plane_title (OpPlane plane)
{
  switch (plane)
    {
    case OP_PLANE_AXIAL:
      return _("Axial");
    case OP_PLANE_CORONAL:
      return _("Coronal");
    case OP_PLANE_SAGITTAL:
    default:
      return _("Sagittal");
    }
}

static const OpVolume *
volume_of (OpSliceView *self)
{
  return self->ref != NULL ? self->ref->volume : NULL;
}

static void
pane_clear (Pane *pane)
{
  g_clear_pointer (&pane->surface, cairo_surface_destroy);
  g_clear_pointer (&pane->grey, g_free);
  pane->width = pane->height = 0;
  pane->index = -1;
  pane->dirty = TRUE;
}

static void
op_slice_view_invalidate (OpSliceView *self)
{
  for (guint p = 0; p < N_PANES; p++)
    {
      self->panes[p].dirty = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (self->panes[p].area));
    }
}

static void
op_slice_view_update_window_label (OpSliceView *self)
{
  /* Translators: window width and level in Hounsfield units */
  g_autofree char *text = g_strdup_printf (_("W %.0f  L %.0f"), self->window.width, self->window.level);

  gtk_label_set_text (self->window_label, text);
}

/* Rebuilds the pane's grey pixels and the cairo surface over them when
 * the slice or the window changed. */
static void
pane_ensure_image (Pane *pane)
{
  OpSliceView *self = pane->view;
  const OpVolume *volume = volume_of (self);
  int index, u, v, w, width, height, stride;
  gboolean flip;
  guint8 *data;

  pane_axes (pane->plane, &u, &v, &w, &flip);
  index = self->crosshair[w];

  if (!pane->dirty && pane->index == index && pane->surface != NULL)
    return;

  op_volume_slice_size (volume, pane->plane, self->pixel_mm, &width, &height);
  if (width != pane->width || height != pane->height)
    {
      pane_clear (pane);
      pane->grey = g_malloc ((gsize) width * height);
      pane->surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
      pane->width = width;
      pane->height = height;
    }

  op_volume_render_slice (volume, pane->plane, index, self->window, self->pixel_mm,
                          pane->grey, width, height);

  /* Cairo has no grey format that it scales smoothly, so spread each grey
   * level over the three channels of RGB24. */
  cairo_surface_flush (pane->surface);
  data = cairo_image_surface_get_data (pane->surface);
  stride = cairo_image_surface_get_stride (pane->surface);
  for (int y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (data + (gsize) y * stride);
      const guint8 *src = pane->grey + (gsize) y * width;

      for (int x = 0; x < width; x++)
        row[x] = 0xff000000u | ((guint32) src[x] << 16) | ((guint32) src[x] << 8) | src[x];
    }
  cairo_surface_mark_dirty (pane->surface);

  pane->index = index;
  pane->dirty = FALSE;
}

/* Image pixel (centre) of a voxel's u and v indices. */
static void
pane_voxel_to_image (Pane   *pane,
                     double  iu,
                     double  iv,
                     double *px,
                     double *py)
{
  const OpVolume *volume = volume_of (pane->view);
  int u, v, w;
  gboolean flip;

  pane_axes (pane->plane, &u, &v, &w, &flip);
  if (flip)
    iv = (volume->dims[v] - 1) - iv;
  *px = iu * volume->spacing[u] / pane->view->pixel_mm;
  *py = iv * volume->spacing[v] / pane->view->pixel_mm;
}

/* The voxel under a point of the pane, in the pane's slice; FALSE outside
 * the image. */
static gboolean
pane_point_to_voxel (Pane   *pane,
                     double  x,
                     double  y,
                     int     ijk[3])
{
  OpSliceView *self = pane->view;
  const OpVolume *volume = volume_of (self);
  int u, v, w;
  gboolean flip;
  double px, py, fu, fv;

  if (volume == NULL || pane->scale <= 0)
    return FALSE;

  pane_axes (pane->plane, &u, &v, &w, &flip);
  px = (x - pane->ox) / pane->scale - 0.5;
  py = (y - pane->oy) / pane->scale - 0.5;
  fu = px * self->pixel_mm / volume->spacing[u];
  fv = py * self->pixel_mm / volume->spacing[v];
  if (flip)
    fv = (volume->dims[v] - 1) - fv;

  if (fu < -0.5 || fv < -0.5 || fu > volume->dims[u] - 0.5 || fv > volume->dims[v] - 0.5)
    return FALSE;

  ijk[u] = CLAMP ((int) lround (fu), 0, volume->dims[u] - 1);
  ijk[v] = CLAMP ((int) lround (fv), 0, volume->dims[v] - 1);
  ijk[w] = self->crosshair[w];
  return TRUE;
}

static void
draw_label (cairo_t    *cr,
            const char *text,
            double      x,
            double      y,
            double      align_x,
            double      align_y,
            const double rgb[3])
{
  cairo_text_extents_t ext;

  cairo_text_extents (cr, text, &ext);
  x -= align_x * ext.width + ext.x_bearing;
  y -= align_y * ext.height + ext.y_bearing;

  /* A dark halo keeps the letters readable over bright bone. */
  cairo_set_source_rgba (cr, 0, 0, 0, 0.7);
  for (int dx = -1; dx <= 1; dx++)
    for (int dy = -1; dy <= 1; dy++)
      if (dx != 0 || dy != 0)
        {
          cairo_move_to (cr, x + dx, y + dy);
          cairo_show_text (cr, text);
        }
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_move_to (cr, x, y);
  cairo_show_text (cr, text);
}

static void
pane_draw (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        user_data)
{
  static const double text_rgb[3] = { 0.86, 0.88, 0.90 };
  static const char * const sides[N_PANES][4] = {
    /* left, right, top, bottom */
    { N_("R"), N_("L"), N_("A"), N_("P") },
    { N_("R"), N_("L"), N_("S"), N_("I") },
    { N_("A"), N_("P"), N_("S"), N_("I") },
  };
  Pane *pane = user_data;
  OpSliceView *self = pane->view;
  const OpVolume *volume = volume_of (self);
  const double *rgb = plane_rgb[pane->plane];
  int u, v, w;
  gboolean flip;
  double cx, cy, x0, y0, x1, y1;
  g_autofree char *count = NULL;

  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_paint (cr);

  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, 12);

  if (volume == NULL)
    {
      draw_label (cr, plane_title (pane->plane), 8, 8, 0, 0, rgb);
      return;
    }

  pane_ensure_image (pane);
  pane_axes (pane->plane, &u, &v, &w, &flip);

  /* Fit the image, keeping its proportions, with room for the labels. */
  pane->scale = MIN ((width - 16.0) / pane->width, (height - 16.0) / pane->height);
  pane->scale = MAX (pane->scale, 1e-3);
  pane->ox = (width - pane->width * pane->scale) / 2.0;
  pane->oy = (height - pane->height * pane->scale) / 2.0;

  cairo_save (cr);
  cairo_translate (cr, pane->ox, pane->oy);
  cairo_scale (cr, pane->scale, pane->scale);
  cairo_set_source_surface (cr, pane->surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr),
                            pane->scale >= 1.0 ? CAIRO_FILTER_BILINEAR : CAIRO_FILTER_GOOD);
  cairo_rectangle (cr, 0, 0, pane->width, pane->height);
  cairo_fill (cr);
  cairo_restore (cr);
  pane->draw_count++;

  /* The crosshair: each line is another pane's plane, in its colour, with
   * a gap at the point itself so that what it marks stays visible. */
  pane_voxel_to_image (pane, self->crosshair[u], self->crosshair[v], &cx, &cy);
  cx = pane->ox + (cx + 0.5) * pane->scale;
  cy = pane->oy + (cy + 0.5) * pane->scale;
  x0 = pane->ox;
  y0 = pane->oy;
  x1 = pane->ox + pane->width * pane->scale;
  y1 = pane->oy + pane->height * pane->scale;

  cairo_set_line_width (cr, 1.0);
  {
    /* The vertical line is the plane of axis u held fixed, the
     * horizontal one the plane of axis v; plane of axis a is the pane
     * whose w is a: i -> sagittal, j -> coronal, k -> axial. */
    static const OpPlane plane_of_axis[3] = { OP_PLANE_SAGITTAL, OP_PLANE_CORONAL, OP_PLANE_AXIAL };
    const double *vrgb = plane_rgb[plane_of_axis[u]];
    const double *hrgb = plane_rgb[plane_of_axis[v]];
    const double gap = 10.0;

    cairo_set_source_rgba (cr, vrgb[0], vrgb[1], vrgb[2], 0.8);
    cairo_move_to (cr, floor (cx) + 0.5, y0);
    cairo_line_to (cr, floor (cx) + 0.5, MAX (y0, cy - gap));
    cairo_move_to (cr, floor (cx) + 0.5, MIN (y1, cy + gap));
    cairo_line_to (cr, floor (cx) + 0.5, y1);
    cairo_stroke (cr);

    cairo_set_source_rgba (cr, hrgb[0], hrgb[1], hrgb[2], 0.8);
    cairo_move_to (cr, x0, floor (cy) + 0.5);
    cairo_line_to (cr, MAX (x0, cx - gap), floor (cy) + 0.5);
    cairo_move_to (cr, MIN (x1, cx + gap), floor (cy) + 0.5);
    cairo_line_to (cr, x1, floor (cy) + 0.5);
    cairo_stroke (cr);
  }

  /* The pane's frame in its plane's colour, as in the other panes'
   * crosshair lines. */
  cairo_set_source_rgba (cr, rgb[0], rgb[1], rgb[2], 0.9);
  cairo_set_line_width (cr, 2.0);
  cairo_rectangle (cr, 1, 1, width - 2, height - 2);
  cairo_stroke (cr);

  /* Labels: the plane and the slice at the top, the patient's directions
   * at the edges' midpoints, the window at the bottom. */
  count = g_strdup_printf ("%d / %d", self->crosshair[w] + 1, volume->dims[w]);
  draw_label (cr, plane_title (pane->plane), 8, 8, 0, 0, rgb);
  draw_label (cr, count, width - 8, 8, 1, 0, text_rgb);

  cairo_set_font_size (cr, 13);
  draw_label (cr, _(sides[pane->plane][0]), x0 + 6, (y0 + y1) / 2, 0, 0.5, text_rgb);
  draw_label (cr, _(sides[pane->plane][1]), x1 - 6, (y0 + y1) / 2, 1, 0.5, text_rgb);
  draw_label (cr, _(sides[pane->plane][2]), (x0 + x1) / 2, MAX (y0 + 4, 24), 0.5, 0, text_rgb);
  draw_label (cr, _(sides[pane->plane][3]), (x0 + x1) / 2, MIN (y1 - 4, height - 8), 0.5, 1, text_rgb);

  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 11);
  {
    g_autofree char *wl = g_strdup_printf (_("W %.0f  L %.0f"), self->window.width, self->window.level);
    g_autofree char *mm = g_strdup_printf (_("%.2f mm"), volume->spacing[w]);

    draw_label (cr, wl, 8, height - 8, 0, 1, text_rgb);
    draw_label (cr, mm, width - 8, height - 8, 1, 1, text_rgb);
  }
}

static void
op_slice_view_set_readout (OpSliceView *self,
                           const char  *text)
{
  if (g_strcmp0 (self->readout, text) == 0)
    return;

  g_free (self->readout);
  self->readout = g_strdup (text);
  gtk_label_set_text (self->readout_label, text ? text : "");
}

/* "Axial 18/37 · −12.3, 45.0, 80.2 mm · 1034 HU" for the voxel under the
 * pointer. */
static void
pane_update_readout (Pane   *pane,
                     double  x,
                     double  y)
{
  OpSliceView *self = pane->view;
  const OpVolume *volume = volume_of (self);
  g_autofree char *text = NULL;
  int ijk[3], u, v, w;
  gboolean flip;
  double index[3], xyz[3], hu;
  gsize offset;

  if (volume == NULL || !pane_point_to_voxel (pane, x, y, ijk))
    {
      op_slice_view_set_readout (self, NULL);
      return;
    }

  pane_axes (pane->plane, &u, &v, &w, &flip);
  for (int a = 0; a < 3; a++)
    index[a] = ijk[a];
  op_volume_voxel_to_world (volume, index, xyz);
  offset = (gsize) ijk[0] + (gsize) volume->dims[0] * ((gsize) ijk[1] + (gsize) volume->dims[1] * ijk[2]);
  hu = op_volume_raw_to_hu (volume, volume->voxels[offset]);

  /* Translators: the pane, its slice, the pointer's position in the
   * patient frame and the Hounsfield value there */
  text = g_strdup_printf (_("%s %d/%d · %.1f, %.1f, %.1f mm · %.0f HU"),
                          plane_title (pane->plane), ijk[w] + 1, volume->dims[w],
                          xyz[0], xyz[1], xyz[2], hu);
  op_slice_view_set_readout (self, text);
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           Pane                     *pane)
{
  pane_update_readout (pane, x, y);
}

static void
on_leave (GtkEventControllerMotion *controller,
          Pane                     *pane)
{
  op_slice_view_set_readout (pane->view, NULL);
}

static void
pane_move_crosshair (Pane   *pane,
                     double  x,
                     double  y)
{
  int ijk[3];

  if (pane_point_to_voxel (pane, x, y, ijk))
    op_slice_view_set_crosshair (pane->view, ijk);
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               Pane           *pane)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  GdkModifierType state =
    gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  pane->start_x = x;
  pane->start_y = y;
  pane->start_window = pane->view->window;
  pane->dragging = FALSE;
  pane->moves_crosshair = button == GDK_BUTTON_SECONDARY || (state & GDK_SHIFT_MASK) != 0;

  gtk_widget_grab_focus (GTK_WIDGET (pane->area));

  if (pane->moves_crosshair)
    pane_move_crosshair (pane, x, y);
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          offset_x,
                double          offset_y,
                Pane           *pane)
{
  OpSliceView *self = pane->view;
  OpWindowLevel window;

  if (volume_of (self) == NULL)
    return;

  if (pane->moves_crosshair)
    {
      pane_move_crosshair (pane, pane->start_x + offset_x, pane->start_y + offset_y);
      return;
    }

  if (!pane->dragging && hypot (offset_x, offset_y) < CLICK_SLOP)
    return;
  pane->dragging = TRUE;

  /* Right widens the window, down raises the level (darkens), as in
   * most radiology viewers. */
  window.width = MAX (1.0, pane->start_window.width + offset_x * WIDTH_PER_PX);
  window.level = pane->start_window.level + offset_y * LEVEL_PER_PX;
  op_slice_view_set_window (self, window);
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          offset_x,
             double          offset_y,
             Pane           *pane)
{
  /* A press that hardly moved is a click: the crosshair goes there. */
  if (!pane->dragging && !pane->moves_crosshair)
    pane_move_crosshair (pane, pane->start_x + offset_x, pane->start_y + offset_y);

  pane->dragging = FALSE;
  pane->moves_crosshair = FALSE;
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           Pane                     *pane)
{
  OpSliceView *self = pane->view;
  int u, v, w, steps;
  gboolean flip;
  int ijk[3];

  if (volume_of (self) == NULL)
    return FALSE;

  /* Touchpads scroll in fractions of a step; collect them. */
  pane->scroll_acc += dy;
  steps = (int) trunc (pane->scroll_acc);
  if (steps == 0)
    return TRUE;
  pane->scroll_acc -= steps;

  /* Wheel down (positive dy) steps towards index 0 in every pane:
   * inferior in the axial pane, anterior in the coronal one, towards the
   * patient's right in the sagittal one.  One rule is easier to learn
   * than three. */
  pane_axes (pane->plane, &u, &v, &w, &flip);
  memcpy (ijk, self->crosshair, sizeof ijk);
  ijk[w] -= steps;
  op_slice_view_set_crosshair (self, ijk);

  return TRUE;
}

static void
on_preset_selected (GtkDropDown *dropdown,
                    GParamSpec  *pspec,
                    OpSliceView *self)
{
  static const OpWindowPreset presets[] = { OP_WINDOW_BONE, OP_WINDOW_TEETH, OP_WINDOW_SOFT_TISSUE };
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (self->setting_preset || selected >= G_N_ELEMENTS (presets))
    return;

  op_slice_view_set_window (self, op_window_preset (presets[selected]));
}

static void
op_slice_view_dispose (GObject *object)
{
  OpSliceView *self = (OpSliceView *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), OP_TYPE_SLICE_VIEW);

  for (guint p = 0; p < N_PANES; p++)
    pane_clear (&self->panes[p]);
  g_clear_pointer (&self->ref, op_volume_ref_release);
  g_clear_pointer (&self->readout, g_free);

  G_OBJECT_CLASS (op_slice_view_parent_class)->dispose (object);
}

static void
op_slice_view_class_init (OpSliceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = op_slice_view_dispose;

  /* The crosshair moved (a click, a drag, the wheel or a call). */
  signals [CROSSHAIR_CHANGED] =
    g_signal_new ("crosshair-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The window or level changed. */
  signals [WINDOW_CHANGED] =
    g_signal_new ("window-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/orthoplan/Orthoplan/ui/op-slice-view.ui");
  gtk_widget_class_bind_template_child (widget_class, OpSliceView, box);
  gtk_widget_class_bind_template_child (widget_class, OpSliceView, preset_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OpSliceView, window_label);
  gtk_widget_class_bind_template_child (widget_class, OpSliceView, readout_label);
  gtk_widget_class_bind_template_child (widget_class, OpSliceView, axial_area);
  gtk_widget_class_bind_template_child (widget_class, OpSliceView, coronal_area);
  gtk_widget_class_bind_template_child (widget_class, OpSliceView, sagittal_area);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "opsliceview");
}

static void
op_slice_view_init (OpSliceView *self)
{
  GtkDrawingArea *areas[N_PANES];

  gtk_widget_init_template (GTK_WIDGET (self));

  areas[OP_PLANE_AXIAL] = self->axial_area;
  areas[OP_PLANE_CORONAL] = self->coronal_area;
  areas[OP_PLANE_SAGITTAL] = self->sagittal_area;

  self->window = op_window_preset (OP_WINDOW_BONE);
  self->pixel_mm = 1.0;

  for (guint p = 0; p < N_PANES; p++)
    {
      Pane *pane = &self->panes[p];
      GtkEventController *controller;
      GtkGesture *drag;

      pane->view = self;
      pane->area = areas[p];
      pane->plane = (OpPlane) p;
      pane->index = -1;
      pane->dirty = TRUE;

      gtk_drawing_area_set_draw_func (pane->area, pane_draw, pane, NULL);

      drag = gtk_gesture_drag_new ();
      gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
      g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), pane);
      g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), pane);
      g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), pane);
      gtk_widget_add_controller (GTK_WIDGET (pane->area), GTK_EVENT_CONTROLLER (drag));

      controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
      g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), pane);
      gtk_widget_add_controller (GTK_WIDGET (pane->area), controller);

      controller = gtk_event_controller_motion_new ();
      g_signal_connect (controller, "motion", G_CALLBACK (on_motion), pane);
      g_signal_connect (controller, "leave", G_CALLBACK (on_leave), pane);
      gtk_widget_add_controller (GTK_WIDGET (pane->area), controller);
    }

  g_signal_connect (self->preset_dropdown, "notify::selected",
                    G_CALLBACK (on_preset_selected), self);
  op_slice_view_update_window_label (self);
}

GtkWidget *
op_slice_view_new (void)
{
  return g_object_new (OP_TYPE_SLICE_VIEW, NULL);
}

void
op_slice_view_set_volume (OpSliceView *self,
                          OpVolumeRef *ref)
{
  const OpVolume *volume;
  int centre[3];

  g_return_if_fail (OP_IS_SLICE_VIEW (self));

  for (guint p = 0; p < N_PANES; p++)
    pane_clear (&self->panes[p]);
  g_clear_pointer (&self->ref, op_volume_ref_release);

  if (ref != NULL)
    self->ref = op_volume_ref_acquire (ref);

  volume = volume_of (self);
  if (volume != NULL)
    {
      self->pixel_mm = MIN (volume->spacing[0], MIN (volume->spacing[1], volume->spacing[2]));
      for (int a = 0; a < 3; a++)
        centre[a] = volume->dims[a] / 2;
      memcpy (self->crosshair, centre, sizeof centre);
    }
  else
    memset (self->crosshair, 0, sizeof self->crosshair);

  op_slice_view_set_readout (self, NULL);
  op_slice_view_set_preset (self, OP_WINDOW_BONE);
  op_slice_view_invalidate (self);
  g_signal_emit (self, signals [CROSSHAIR_CHANGED], 0);
}

const OpVolume *
op_slice_view_get_volume (OpSliceView *self)
{
  g_return_val_if_fail (OP_IS_SLICE_VIEW (self), NULL);

  return volume_of (self);
}

void
op_slice_view_set_window (OpSliceView   *self,
                          OpWindowLevel  window)
{
  g_return_if_fail (OP_IS_SLICE_VIEW (self));

  window.width = MAX (1.0, window.width);
  if (window.width == self->window.width && window.level == self->window.level)
    return;

  self->window = window;
  op_slice_view_update_window_label (self);
  op_slice_view_invalidate (self);
  g_signal_emit (self, signals [WINDOW_CHANGED], 0);
}

OpWindowLevel
op_slice_view_get_window (OpSliceView *self)
{
  OpWindowLevel none = { 0, 0 };

  g_return_val_if_fail (OP_IS_SLICE_VIEW (self), none);

  return self->window;
}

void
op_slice_view_set_preset (OpSliceView    *self,
                          OpWindowPreset  preset)
{
  g_return_if_fail (OP_IS_SLICE_VIEW (self));

  /* The dropdown shows the preset without answering its own change. */
  self->setting_preset = TRUE;
  gtk_drop_down_set_selected (self->preset_dropdown, (guint) preset);
  self->setting_preset = FALSE;

  op_slice_view_set_window (self, op_window_preset (preset));
}

void
op_slice_view_set_crosshair (OpSliceView *self,
                             const int    ijk[3])
{
  const OpVolume *volume;
  int clamped[3];

  g_return_if_fail (OP_IS_SLICE_VIEW (self));
  g_return_if_fail (ijk != NULL);

  if ((volume = volume_of (self)) == NULL)
    return;

  for (int a = 0; a < 3; a++)
    clamped[a] = CLAMP (ijk[a], 0, volume->dims[a] - 1);

  if (memcmp (clamped, self->crosshair, sizeof clamped) == 0)
    return;

  memcpy (self->crosshair, clamped, sizeof clamped);

  /* Panes whose slice did not change only redraw the crosshair; the
   * cache notices which ones must resample. */
  for (guint p = 0; p < N_PANES; p++)
    gtk_widget_queue_draw (GTK_WIDGET (self->panes[p].area));

  g_signal_emit (self, signals [CROSSHAIR_CHANGED], 0);
}

void
op_slice_view_get_crosshair (OpSliceView *self,
                             int          out_ijk[3])
{
  g_return_if_fail (OP_IS_SLICE_VIEW (self));

  memcpy (out_ijk, self->crosshair, sizeof self->crosshair);
}

gboolean
op_slice_view_get_point (OpSliceView *self,
                         double       out_xyz[3])
{
  const OpVolume *volume;
  double index[3];

  g_return_val_if_fail (OP_IS_SLICE_VIEW (self), FALSE);

  if ((volume = volume_of (self)) == NULL)
    return FALSE;

  for (int a = 0; a < 3; a++)
    index[a] = self->crosshair[a];
  op_volume_voxel_to_world (volume, index, out_xyz);
  return TRUE;
}

int
op_slice_view_get_index (OpSliceView *self,
                         OpPlane      plane)
{
  int u, v, w;
  gboolean flip;

  g_return_val_if_fail (OP_IS_SLICE_VIEW (self), -1);
  g_return_val_if_fail (plane < N_PANES, -1);

  pane_axes (plane, &u, &v, &w, &flip);
  return self->crosshair[w];
}

GtkWidget *
op_slice_view_get_pane (OpSliceView *self,
                        OpPlane      plane)
{
  g_return_val_if_fail (OP_IS_SLICE_VIEW (self), NULL);
  g_return_val_if_fail (plane < N_PANES, NULL);

  return GTK_WIDGET (self->panes[plane].area);
}

guint
op_slice_view_get_draw_count (OpSliceView *self,
                              OpPlane      plane)
{
  g_return_val_if_fail (OP_IS_SLICE_VIEW (self), 0);
  g_return_val_if_fail (plane < N_PANES, 0);

  return self->panes[plane].draw_count;
}

const char *
op_slice_view_get_readout (OpSliceView *self)
{
  g_return_val_if_fail (OP_IS_SLICE_VIEW (self), NULL);

  return self->readout;
}
