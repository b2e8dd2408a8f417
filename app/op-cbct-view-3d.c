/* op-cbct-view-3d.c: the CBCT in the 3D view: its isosurface, built in a
 * worker at an adjustable threshold, the crosshair marker and the clip
 * plane through the crosshair.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "op-cbct-view-private.h"

/* ---- the 3D view ------------------------------------------------------- */

void
op__cbct_view_remove_mesh (OpCbctView *self,
                    guint      *handle)
{
  if (*handle != 0 && self->viewer != NULL)
    op_viewer_remove_mesh (self->viewer, *handle);
  *handle = 0;
}

/* A box from @a to @b, @half_mm thick, with flat normals, appended to
 * @mesh's arrays from vertex @v and triangle @t on. */
static void
add_bar (OpMesh       *mesh,
         gsize        *v,
         gsize        *t,
         const double  centre[3],
         const double  axis[3],
         const double  side1[3],
         const double  side2[3],
         double        half_len,
         double        half_mm,
         const guint8  rgba[4])
{
  /* Six faces, each a quad with its own four vertices so that the
   * normals stay flat. */
  for (int f = 0; f < 6; f++)
    {
      const double *n = f < 2 ? axis : f < 4 ? side1 : side2;
      const double *a = f < 2 ? side1 : f < 4 ? side2 : axis;
      const double *b = f < 2 ? side2 : f < 4 ? axis : side1;
      double sign = (f % 2 == 0) ? 1.0 : -1.0;
      double ln = f < 2 ? half_len : half_mm;
      double la = f < 2 ? half_mm : f < 4 ? half_mm : half_len;
      double lb = f < 2 ? half_mm : f < 4 ? half_len : half_mm;
      static const double corners[4][2] = { { -1, -1 }, { 1, -1 }, { 1, 1 }, { -1, 1 } };
      gsize base = *v;

      for (int c = 0; c < 4; c++)
        {
          /* Corners go round counter-clockwise seen along +n for a
           * right-handed (a, b, n); flip the order on the -n face. */
          double ca = corners[sign > 0 ? c : 3 - c][0], cb = corners[sign > 0 ? c : 3 - c][1];

          for (int k = 0; k < 3; k++)
            {
              mesh->positions[*v * 3 + k] = (float) (centre[k] + sign * ln * n[k] + ca * la * a[k] + cb * lb * b[k]);
              mesh->normals[*v * 3 + k] = (float) (sign * n[k]);
            }
          memcpy (mesh->colors + *v * 4, rgba, 4);
          (*v)++;
        }

      mesh->indices[(*t) * 3 + 0] = (guint32) base;
      mesh->indices[(*t) * 3 + 1] = (guint32) base + 1;
      mesh->indices[(*t) * 3 + 2] = (guint32) base + 2;
      (*t)++;
      mesh->indices[(*t) * 3 + 0] = (guint32) base;
      mesh->indices[(*t) * 3 + 1] = (guint32) base + 2;
      mesh->indices[(*t) * 3 + 2] = (guint32) base + 3;
      (*t)++;
    }
}

/* The crosshair in 3D: three thin bars through the point along the
 * volume's axes, each in the colour of the slice plane it is normal to,
 * as in the slice panes. */
static OpMesh *
build_marker (const OpVolume *volume,
              const double    point[3])
{
  static const guint8 colours[3][4] = {
    { 242, 204, 69, 255 },   /* along i: the sagittal plane's normal, yellow */
    { 110, 199, 92, 255 },   /* along j: coronal, green */
    { 237, 84, 77, 255 },    /* along k: axial, red */
  };
  OpMesh *mesh = op_mesh_new (3 * 24, 3 * 12, OP_MESH_ATTR_NORMALS | OP_MESH_ATTR_COLORS);
  double axes[3][3];
  gsize v = 0, t = 0;

  for (int a = 0; a < 3; a++)
    {
      double len = 0;

      for (int k = 0; k < 3; k++)
        {
          axes[a][k] = volume->transform[a * 4 + k];
          len += axes[a][k] * axes[a][k];
        }
      len = sqrt (len);
      for (int k = 0; k < 3; k++)
        axes[a][k] /= len > 0 ? len : 1;
    }

  for (int a = 0; a < 3; a++)
    add_bar (mesh, &v, &t, point, axes[a], axes[(a + 1) % 3], axes[(a + 2) % 3],
             15.0, 0.4, colours[a]);

  op_mesh_compute_bounds (mesh);
  return mesh;
}

/* The plane through the crosshair normal to one of the volume's axes, in
 * world mm, keeping the side a person wants to look into: below an axial
 * cut, behind a coronal one, the patient's left of a sagittal one. */
void
op__cbct_view_update_clip (OpCbctView *self)
{
  const OpVolume *volume = self->ref != NULL ? self->ref->volume : NULL;
  guint selected = adw_combo_row_get_selected (self->clip_row);
  double point[3], n[3], len = 0, d = 0;
  float plane[4];
  int axis;

  if (self->viewer == NULL)
    return;

  if (volume == NULL || selected == 0 || selected > 3 ||
      !op_slice_view_get_point (self->slice_view, point))
    {
      op_viewer_set_clip_plane (self->viewer, NULL);
      return;
    }

  /* Axial cuts along k, coronal along j, sagittal along i. */
  axis = selected == 1 ? 2 : selected == 2 ? 1 : 0;
  for (int k = 0; k < 3; k++)
    {
      n[k] = volume->transform[axis * 4 + k];
      len += n[k] * n[k];
    }
  len = sqrt (len);
  for (int k = 0; k < 3; k++)
    {
      n[k] /= len > 0 ? len : 1;
      if (axis == 2)
        n[k] = -n[k];
      d -= n[k] * point[k];
    }

  for (int k = 0; k < 3; k++)
    plane[k] = (float) n[k];
  plane[3] = (float) d;
  op_viewer_set_clip_plane (self->viewer, plane);
}

void
op__cbct_view_update_marker (OpCbctView *self)
{
  double point[3];

  op__cbct_view_remove_mesh (self, &self->marker_handle);

  if (self->viewer == NULL || self->ref == NULL || self->surface_handle == 0 ||
      !gtk_switch_get_active (self->marker_switch) ||
      !op_slice_view_get_point (self->slice_view, point))
    return;

  self->marker_handle = op_viewer_add_mesh (self->viewer,
                                            build_marker (self->ref->volume, point),
                                            OP_MATERIAL_VERTEX_COLOR);
}

static void
on_crosshair_changed (OpSliceView *slice_view,
                      OpCbctView  *self)
{
  op__cbct_view_update_marker (self);
  op__cbct_view_update_clip (self);
}

static void
on_clip_selected (AdwComboRow *row,
                  GParamSpec  *pspec,
                  OpCbctView  *self)
{
  op__cbct_view_update_clip (self);
}

static void
on_marker_switch (GtkSwitch  *toggle,
                  GParamSpec *pspec,
                  OpCbctView *self)
{
  op__cbct_view_update_marker (self);
}

static void
on_surface_switch (GtkSwitch  *toggle,
                   GParamSpec *pspec,
                   OpCbctView *self)
{
  if (self->viewer != NULL && self->surface_handle != 0)
    op_viewer_set_mesh_visible (self->viewer, self->surface_handle,
                                gtk_switch_get_active (toggle));
}

void
op__cbct_view_update_threshold_row (OpCbctView *self)
{
  g_autofree char *subtitle = NULL;

  if (self->surface_triangles > 0)
    /* Translators: the threshold, the automatic one, and the surface's
     * triangle count */
    subtitle = g_strdup_printf (_("%.0f HU (automatic %.0f HU) · %'lu triangles"),
                                self->threshold_hu, self->auto_threshold_hu,
                                (unsigned long) self->surface_triangles);
  else
    subtitle = g_strdup_printf (_("%.0f HU (automatic %.0f HU)"),
                                self->threshold_hu, self->auto_threshold_hu);

  adw_action_row_set_subtitle (self->threshold_row, subtitle);
}

/* ---- the surface job --------------------------------------------------- */

static void
on_surface_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  OpCbctView *self = OP_CBCT_VIEW (object);
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(OpMesh) mesh = NULL;
  g_autoptr(GError) error = NULL;

  mesh = op_volume_surface_finish (result, &error);

  if (self->disposed || generation != self->generation)
    return;

  if (mesh == NULL)
    {
      if (!op__cbct_view_is_cancelled (error))
        op__cbct_view_report_error (self, _("Could Not Build the 3D Surface"), error->message);
    }
  else if (!self->surface_wanted)
    {
      op__cbct_view_remove_mesh (self, &self->surface_handle);
      self->surface_triangles = mesh->n_triangles;

      if (self->viewer != NULL)
        {
          self->surface_handle = op_viewer_add_mesh (self->viewer, g_steal_pointer (&mesh),
                                                     OP_MATERIAL_VERTEX_COLOR);
          op_viewer_set_mesh_visible (self->viewer, self->surface_handle,
                                      gtk_switch_get_active (self->surface_switch));
          if (!self->framed)
            op_viewer_frame_all (self->viewer);
          self->framed = TRUE;
        }

      op__cbct_view_update_marker (self);
      op__cbct_view_update_clip (self);
      op__cbct_view_update_threshold_row (self);
    }

  op__cbct_view_finish_job (self);
}

void
op__cbct_view_start_surface (OpCbctView *self)
{
  const OpVolume *volume = self->ref->volume;

  self->surface_wanted = FALSE;
  self->cancellable = g_cancellable_new ();
  op__cbct_view_set_stage (self, STAGE_SURFACE);
  op__cbct_view_progress (self, -1, _("Building the 3D surface…"));

  op_volume_surface_async (self, self->ref,
                           op_volume_hu_to_raw (volume, self->threshold_hu),
                           self->cancellable, op__cbct_view_progress, on_surface_done,
                           GUINT_TO_POINTER (self->generation));
}

/* A new threshold: rebuild now, or once the running job has ended. */
void
op__cbct_view_request_surface (OpCbctView *self)
{
  if (self->ref == NULL)
    return;

  self->surface_wanted = TRUE;

  if (self->stage == STAGE_IDLE)
    op__cbct_view_start_surface (self);
  else if (self->stage == STAGE_SURFACE)
    /* The old threshold's surface is no longer wanted; finish_job starts
     * the new one as soon as the worker lets go. */
    g_cancellable_cancel (self->cancellable);
}

static gboolean
on_threshold_timeout (gpointer data)
{
  OpCbctView *self = data;

  self->threshold_timeout = 0;
  op__cbct_view_request_surface (self);

  return G_SOURCE_REMOVE;
}

static void
on_threshold_changed (GtkRange   *range,
                      OpCbctView *self)
{
  if (self->setting_scale)
    return;

  self->threshold_hu = round (gtk_range_get_value (range));
  op__cbct_view_update_threshold_row (self);

  /* A slider sends many values while it moves; build the surface for the
   * one it rests on. */
  g_clear_handle_id (&self->threshold_timeout, g_source_remove);
  self->threshold_timeout = g_timeout_add (300, on_threshold_timeout, self);
}

void
op__cbct_view_init_3d (OpCbctView *self)
{
  g_signal_connect_object (self->slice_view, "crosshair-changed",
                           G_CALLBACK (on_crosshair_changed), self, 0);
  g_signal_connect_object (self->threshold_scale, "value-changed",
                           G_CALLBACK (on_threshold_changed), self, 0);
  g_signal_connect_object (self->clip_row, "notify::selected",
                           G_CALLBACK (on_clip_selected), self, 0);
  g_signal_connect_object (self->marker_switch, "notify::active",
                           G_CALLBACK (on_marker_switch), self, 0);
  g_signal_connect_object (self->surface_switch, "notify::active",
                           G_CALLBACK (on_surface_switch), self, 0);
}
