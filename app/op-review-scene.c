/* op-review-scene.c: the review screen's 3D scene.
 *
 * Every tooth is uploaded once per case, as a coloured mesh and as a ghost;
 * moving through the stages only changes model matrices, colours and
 * visibility, so stepping costs one frame and no upload.  Markers (IPR
 * discs, attachment boxes) are small meshes made per plan.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "op-review-private.h"
#include "op-roots.h"

/* The colour ramp, sRGB: enamel for a tooth that hardly moves, amber at
 * half the comfort threshold, a clinical red at or above it. */
static const float ramp[3][3] = {
  { 0.93f, 0.90f, 0.82f },
  { 0.97f, 0.73f, 0.30f },
  { 0.86f, 0.26f, 0.20f },
};
static const float enamel[4] = { 0.93f, 0.90f, 0.82f, 1.f };
static const float selected_colour[4] = { 0.36f, 0.62f, 0.96f, 1.f };
static const float ipr_colour[4] = { 0.16f, 0.52f, 0.92f, 1.f };
static const float attachment_colour[4] = { 0.40f, 0.78f, 0.72f, 1.f };
static const float initial_ghost[4] = { 0.85f, 0.88f, 0.95f, 0.28f };
static const float compare_ghost[4] = { 0.25f, 0.85f, 0.95f, 0.38f };
static const float root_colour[4] = { 0.93f, 0.80f, 0.62f, 0.55f };

static void
ramp_colour (double t,
             float  out[4])
{
  double s;
  int i;

  t = CLAMP (t, 0.0, 1.0);
  i = t < 0.5 ? 0 : 1;
  s = (t - 0.5 * i) / 0.5;
  for (int k = 0; k < 3; k++)
    out[k] = (float) (ramp[i][k] + s * (ramp[i + 1][k] - ramp[i][k]));
  out[3] = 1.f;
}

OpReviewTooth *
op__review_find_tooth (OpReviewView *self,
                       int           fdi)
{
  for (guint i = 0; self->teeth != NULL && i < self->teeth->len; i++)
    {
      OpReviewTooth *t = &g_array_index (self->teeth, OpReviewTooth, i);

      if (t->fdi == fdi)
        return t;
    }
  return NULL;
}

static void
marker_clear (gpointer data)
{
  OpReviewMarker *m = data;

  if (m->label != NULL)
    gtk_fixed_remove (GTK_FIXED (gtk_widget_get_parent (m->label)), m->label);
  m->label = NULL;
}

static void
op__review_remove_markers (OpReviewView *self)
{
  for (guint i = 0; i < self->markers->len; i++)
    {
      OpReviewMarker *m = &g_array_index (self->markers, OpReviewMarker, i);

      op_viewer_remove_mesh (self->viewer, m->handle);
      marker_clear (m);
    }
  g_array_set_size (self->markers, 0);
}

void
op__review_scene_clear (OpReviewView *self)
{
  op__review_remove_markers (self);
  op_viewer_clear (self->viewer);
  g_array_set_size (self->teeth, 0);
}

void
op__review_scene_build (OpReviewView *self)
{
  op__review_scene_clear (self);
  if (self->dentition == NULL)
    return;

  for (guint i = 0; i < self->dentition->teeth->len; i++)
    {
      OpTooth *tooth = g_ptr_array_index (self->dentition->teeth, i);
      OpReviewTooth t = { .fdi = tooth->fdi, .plan_index = -1 };
      OpMesh *mesh = op_mesh_copy (tooth->crown);
      OpMesh *ghost;

      if (mesh->normals == NULL)
        op_mesh_compute_normals (mesh);
      op_mesh_compute_bounds (mesh);
      ghost = op_mesh_copy (mesh);
      t.mesh = op_viewer_add_mesh (self->viewer, mesh, OP_MATERIAL_COLOR);
      t.ghost = op_viewer_add_mesh (self->viewer, ghost, OP_MATERIAL_GHOST);
      memcpy (t.colour, enamel, sizeof t.colour);
      g_array_append_val (self->teeth, t);
    }
  op__review_scene_set_roots (self);
  op_viewer_set_view (self->viewer, OP_VIEW_FRONT);
}

/* The root each tooth is planned with: grown from the CBCT when the case
 * has one registered (the dentition then carries it), else the template
 * of its type that the planner uses.  A tooth whose mesh is the whole
 * tooth shows its own root already and gets none. */
void
op__review_scene_set_roots (OpReviewView *self)
{
  for (guint i = 0; i < self->teeth->len && self->dentition != NULL; i++)
    {
      OpReviewTooth *t = &g_array_index (self->teeth, OpReviewTooth, i);
      const OpTooth *tooth = op_dentition_get (self->dentition, t->fdi);
      OpMesh *root = NULL;

      if (t->root != 0)
        op_viewer_remove_mesh (self->viewer, t->root);
      t->root = 0;
      if (tooth == NULL || !tooth->has_frame)
        continue;
      if (tooth->root != NULL)
        root = op_mesh_copy (tooth->root);
      else if (!op_roots_crown_has_root (tooth))
        root = op_roots_template (tooth, NULL);
      if (root == NULL)
        continue;
      if (root->normals == NULL)
        op_mesh_compute_normals (root);
      op_mesh_compute_bounds (root);
      t->root = op_viewer_add_mesh (self->viewer, root, OP_MATERIAL_GHOST);
      op_viewer_set_mesh_color (self->viewer, t->root, root_colour);
      op_viewer_set_mesh_visible (self->viewer, t->root, FALSE);
    }
}

/* A closed box of @size (along @ax, @ay, @az, unit vectors) around @c,
 * with flat faces. */
static OpMesh *
make_box (const float c[3],
          const float ax[3],
          const float ay[3],
          const float az[3],
          const float size[3])
{
  OpMesh *mesh = op_mesh_new (24, 12, OP_MESH_ATTR_NORMALS);
  const float *axes[3] = { ax, ay, az };
  gsize v = 0, t = 0;

  for (int f = 0; f < 6; f++)
    {
      int n = f / 2;                     /* the face's normal axis */
      float sign = (f % 2) ? -1.f : 1.f;
      int u = (n + 1) % 3, w = (n + 2) % 3;
      /* With (n, u, w) cyclic, u x w = n: counter-clockwise from outside
       * for the + face; the - face walks the other way. */
      static const float corners[4][2] = { { -1, -1 }, { 1, -1 }, { 1, 1 }, { -1, 1 } };

      for (int k = 0; k < 4; k++)
        {
          float cu = corners[k][0], cw = corners[k][1] * sign;

          for (int d = 0; d < 3; d++)
            {
              mesh->positions[3 * (v + k) + d] = c[d] + sign * 0.5f * size[n] * axes[n][d] +
                                                 cu * 0.5f * size[u] * axes[u][d] +
                                                 cw * 0.5f * size[w] * axes[w][d];
              mesh->normals[3 * (v + k) + d] = sign * axes[n][d];
            }
        }
      mesh->indices[t++] = (guint32) v;
      mesh->indices[t++] = (guint32) v + 1;
      mesh->indices[t++] = (guint32) v + 2;
      mesh->indices[t++] = (guint32) v;
      mesh->indices[t++] = (guint32) v + 2;
      mesh->indices[t++] = (guint32) v + 3;
      v += 4;
    }
  op_mesh_compute_bounds (mesh);
  return mesh;
}

/* A closed disc (short cylinder) of @radius and @thickness around @c with
 * its axis along @axis. */
static OpMesh *
make_disc (const float c[3],
           const float axis[3],
           float       radius,
           float       thickness)
{
  const int n = 32;
  OpMesh *mesh = op_mesh_new ((gsize) 4 * n + 2, (gsize) 4 * n, OP_MESH_ATTR_NORMALS);
  float u[3], w[3], a[3];
  float len;
  gsize t = 0;

  memcpy (a, axis, sizeof a);
  /* Any vector not along the axis gives the disc's plane. */
  u[0] = fabsf (a[2]) < 0.9f ? -a[1] : 1.f;
  u[1] = fabsf (a[2]) < 0.9f ? a[0] : 0.f;
  u[2] = 0.f;
  len = sqrtf (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
  for (int d = 0; d < 3; d++)
    u[d] /= len;
  w[0] = a[1] * u[2] - a[2] * u[1];
  w[1] = a[2] * u[0] - a[0] * u[2];
  w[2] = a[0] * u[1] - a[1] * u[0];

  for (int side = 0; side < 2; side++)
    {
      float s = side ? 1.f : -1.f;

      for (int i = 0; i < n; i++)
        {
          double ang = 2.0 * G_PI * i / n;
          float cs = (float) cos (ang), sn = (float) sin (ang);
          gsize rim = (gsize) side * n + i, cap = (gsize) 2 * n + side * n + i;

          for (int d = 0; d < 3; d++)
            {
              float p = c[d] + s * 0.5f * thickness * a[d] + radius * (cs * u[d] + sn * w[d]);

              mesh->positions[3 * rim + d] = p;
              mesh->normals[3 * rim + d] = cs * u[d] + sn * w[d];
              mesh->positions[3 * cap + d] = p;
              mesh->normals[3 * cap + d] = s * a[d];
            }
        }
      for (int d = 0; d < 3; d++)
        {
          mesh->positions[3 * (4 * n + side) + d] = c[d] + s * 0.5f * thickness * a[d];
          mesh->normals[3 * (4 * n + side) + d] = s * a[d];
        }
    }

  for (int i = 0; i < n; i++)
    {
      guint32 i0 = (guint32) i, i1 = (guint32) ((i + 1) % n);

      /* The rim: (u, w, a) is right-handed, so going round with u then w
       * faces outwards when the + side comes second. */
      mesh->indices[t++] = i0;
      mesh->indices[t++] = i1;
      mesh->indices[t++] = (guint32) n + i1;
      mesh->indices[t++] = i0;
      mesh->indices[t++] = (guint32) n + i1;
      mesh->indices[t++] = (guint32) n + i0;
      /* The caps. */
      mesh->indices[t++] = (guint32) (4 * n + 1);
      mesh->indices[t++] = (guint32) (3 * n) + i0;
      mesh->indices[t++] = (guint32) (3 * n) + i1;
      mesh->indices[t++] = (guint32) (4 * n);
      mesh->indices[t++] = (guint32) (2 * n) + i1;
      mesh->indices[t++] = (guint32) (2 * n) + i0;
    }
  op_mesh_compute_bounds (mesh);
  return mesh;
}

/* World position of @fdi's crown centre at @stage of @plan. */
static gboolean
tooth_centre_at (const OpPlan *plan,
                 int           fdi,
                 guint         stage,
                 float         out[3])
{
  int i = op_plan_find_tooth (plan, fdi);
  float m[16];
  const float *o;

  if (i < 0)
    return FALSE;
  o = plan->teeth[i].frame.origin;
  op_plan_stage_matrix (plan, MIN (stage, plan->n_stages - 1), (guint) i, m);
  for (int d = 0; d < 3; d++)
    out[d] = m[d] * o[0] + m[4 + d] * o[1] + m[8 + d] * o[2] + m[12 + d];
  return TRUE;
}

gboolean
op__review_tooth_centre (OpReviewView *self,
                         int           fdi,
                         float         out[3])
{
  if (self->plan == NULL)
    return FALSE;
  return tooth_centre_at (self->plan, fdi, op_stage_timeline_get_stage (self->timeline), out);
}

static void
op__review_add_markers (OpReviewView *self)
{
  const OpPlan *plan = self->plan;

  for (guint i = 0; i < plan->ipr->len; i++)
    {
      const OpIpr *ipr = &g_array_index (plan->ipr, OpIpr, i);
      OpReviewMarker m = { .kind = OP_REVIEW_MARKER_IPR, .fdi_a = ipr->fdi_a, .fdi_b = ipr->fdi_b,
                           .stage = ipr->stage };
      float a[3], b[3], axis[3], len = 0.f;
      g_autofree char *text = NULL;

      if (!tooth_centre_at (plan, ipr->fdi_a, 0, a) || !tooth_centre_at (plan, ipr->fdi_b, 0, b))
        continue;
      for (int d = 0; d < 3; d++)
        {
          m.anchor[d] = 0.5f * (a[d] + b[d]);
          axis[d] = b[d] - a[d];
          len += axis[d] * axis[d];
        }
      len = sqrtf (MAX (len, 1e-6f));
      for (int d = 0; d < 3; d++)
        axis[d] /= len;
      /* A disc a little wider than a contact and as thick as the enamel
       * taken, but never thinner than can be seen. */
      m.handle = op_viewer_add_mesh (self->viewer,
                                     make_disc (m.anchor, axis, 1.8f, MAX ((float) ipr->amount_mm, 0.25f)),
                                     OP_MATERIAL_COLOR);
      op_viewer_set_mesh_color (self->viewer, m.handle, ipr_colour);

      text = g_strdup_printf (_("%.2f mm"), ipr->amount_mm);
      m.label = gtk_label_new (text);
      gtk_widget_add_css_class (m.label, "op-ipr-label");
      gtk_widget_add_css_class (m.label, "caption-heading");
      gtk_fixed_put (self->label_layer, m.label, 0, 0);
      g_array_append_val (self->markers, m);
    }

  for (guint i = 0; i < plan->attachments->len; i++)
    {
      const OpPlanAttachment *att = &g_array_index (plan->attachments, OpPlanAttachment, i);
      OpReviewMarker m = { .kind = OP_REVIEW_MARKER_ATTACHMENT, .fdi_a = att->fdi, .stage = att->stage };
      int k = op_plan_find_tooth (plan, att->fdi);
      const OpFrame *f;
      float size[3];

      if (k < 0)
        continue;
      f = &plan->teeth[k].frame;
      for (int d = 0; d < 3; d++)
        m.anchor[d] = f->origin[d] + (float) att->position[0] * f->mesial[d] +
                      (float) att->position[1] * f->buccal[d] + (float) att->position[2] * f->occlusal[d];
      /* Width along mesial, depth out of the surface, length along the
       * long axis: the attachment as it is bonded. */
      size[0] = (float) att->width_mm;
      size[1] = (float) att->depth_mm;
      size[2] = (float) att->length_mm;
      m.handle = op_viewer_add_mesh (self->viewer, make_box (m.anchor, f->mesial, f->buccal, f->occlusal, size),
                                     OP_MATERIAL_COLOR);
      op_viewer_set_mesh_color (self->viewer, m.handle, attachment_colour);
      g_array_append_val (self->markers, m);
    }
}

void
op__review_scene_set_plan (OpReviewView *self)
{
  g_autoptr(GArray) rows = NULL;

  op__review_remove_markers (self);
  if (self->plan == NULL)
    return;

  rows = op_plan_movement_table (self->plan);
  for (guint i = 0; i < self->teeth->len; i++)
    {
      OpReviewTooth *t = &g_array_index (self->teeth, OpReviewTooth, i);

      t->plan_index = op_plan_find_tooth (self->plan, t->fdi);
      memcpy (t->colour, enamel, sizeof t->colour);
      if (t->plan_index < 0)
        continue;

      /* The tooth's colour is its largest movement as a share of the
       * comfort threshold of that component, so a tooth that reaches any
       * threshold reads red whatever the component. */
      {
        const OpMovementRow *row = &g_array_index (rows, OpMovementRow, t->plan_index);
        double score = 0.0;

        for (int c = 0; c < OP_N_COMPONENTS; c++)
          {
            double comfort = op_movement_get (&self->plan->comfort, c);

            if (comfort > 0)
              score = MAX (score, fabs (op_movement_get (&row->total, c)) / comfort);
          }
        ramp_colour (score, t->colour);
      }
    }

  op__review_add_markers (self);
}

void
op__review_scene_update (OpReviewView *self)
{
  guint stage = op_stage_timeline_get_stage (self->timeline);
  gboolean colours = gtk_toggle_button_get_active (self->color_toggle);
  gboolean ghosts = gtk_toggle_button_get_active (self->ghost_toggle);
  gboolean roots = gtk_toggle_button_get_active (self->roots_toggle);
  guint n_ipr = 0, n_att = 0;

  if (self->plan == NULL)
    return;

  for (guint i = 0; i < self->teeth->len; i++)
    {
      OpReviewTooth *t = &g_array_index (self->teeth, OpReviewTooth, i);
      float m[16];
      int ci;

      op_viewer_set_mesh_visible (self->viewer, t->mesh, t->plan_index >= 0);
      if (t->root != 0)
        op_viewer_set_mesh_visible (self->viewer, t->root, roots && t->plan_index >= 0);
      if (t->plan_index < 0)
        {
          op_viewer_set_mesh_visible (self->viewer, t->ghost, FALSE);
          continue;
        }
      op_plan_stage_matrix (self->plan, MIN (stage, self->plan->n_stages - 1), (guint) t->plan_index, m);
      op_viewer_set_mesh_transform (self->viewer, t->mesh, m);
      /* Roots move with their crowns: the same matrix. */
      if (t->root != 0)
        op_viewer_set_mesh_transform (self->viewer, t->root, m);
      op_viewer_set_mesh_color (self->viewer, t->mesh,
                                t->fdi == self->selected ? selected_colour : colours ? t->colour : enamel);

      /* Ghosts: another version's final teeth when comparing, else the
       * initial teeth when asked for. */
      if (self->compare != NULL && (ci = op_plan_find_tooth (self->compare, t->fdi)) >= 0)
        {
          op_plan_stage_matrix (self->compare, self->compare->n_stages - 1, (guint) ci, m);
          op_viewer_set_mesh_transform (self->viewer, t->ghost, m);
          op_viewer_set_mesh_color (self->viewer, t->ghost, compare_ghost);
          op_viewer_set_mesh_visible (self->viewer, t->ghost, TRUE);
        }
      else
        {
          op_viewer_set_mesh_transform (self->viewer, t->ghost, NULL);
          op_viewer_set_mesh_color (self->viewer, t->ghost, initial_ghost);
          op_viewer_set_mesh_visible (self->viewer, t->ghost, ghosts && self->compare == NULL && stage > 0);
        }
    }

  for (guint i = 0; i < self->markers->len; i++)
    {
      OpReviewMarker *mk = &g_array_index (self->markers, OpReviewMarker, i);
      gboolean shown = stage >= mk->stage;
      float m[16];

      op_viewer_set_mesh_visible (self->viewer, mk->handle, shown);
      if (mk->kind == OP_REVIEW_MARKER_ATTACHMENT)
        {
          int k = op_plan_find_tooth (self->plan, mk->fdi_a);

          n_att += shown;
          op_plan_stage_matrix (self->plan, MIN (stage, self->plan->n_stages - 1), (guint) k, m);
          op_viewer_set_mesh_transform (self->viewer, mk->handle, m);
        }
      else
        {
          float a[3], b[3];

          n_ipr += shown;
          /* The disc stays between the two teeth as both move. */
          memset (m, 0, sizeof m);
          m[0] = m[5] = m[10] = m[15] = 1.f;
          if (tooth_centre_at (self->plan, mk->fdi_a, stage, a) && tooth_centre_at (self->plan, mk->fdi_b, stage, b))
            for (int d = 0; d < 3; d++)
              m[12 + d] = 0.5f * (a[d] + b[d]) - mk->anchor[d];
          op_viewer_set_mesh_transform (self->viewer, mk->handle, m);
          gtk_widget_set_visible (mk->label, shown);
        }
    }

  {
    g_autofree char *text =
      g_strdup_printf (_("<span foreground=\"#3b8bea\">●</span> IPR done by this stage: %u    "
                         "<span foreground=\"#66c7b8\">■</span> attachments bonded: %u"), n_ipr, n_att);

    gtk_label_set_markup (self->legend_markers, text);
  }
  op__review_scene_place_labels (self, TRUE);
}

void
op__review_scene_place_labels (OpReviewView *self,
                               gboolean      force)
{
  const OpCamera *camera = op_viewer_get_camera (self->viewer);
  float key[8] = { camera->target[0], camera->target[1], camera->target[2], camera->distance,
                   camera->yaw, camera->pitch, camera->fovy, 0.f };
  int size[2] = { gtk_widget_get_width (GTK_WIDGET (self->viewer)),
                  gtk_widget_get_height (GTK_WIDGET (self->viewer)) };
  guint stage = op_stage_timeline_get_stage (self->timeline);

  if (!force && memcmp (key, self->label_camera, sizeof key) == 0 &&
      memcmp (size, self->label_size, sizeof size) == 0)
    return;
  memcpy (self->label_camera, key, sizeof key);
  memcpy (self->label_size, size, sizeof size);

  for (guint i = 0; i < self->markers->len; i++)
    {
      OpReviewMarker *mk = &g_array_index (self->markers, OpReviewMarker, i);
      float a[3], b[3], mid[3];
      double x, y;
      int nat_w = 0, nat_h = 0;

      if (mk->label == NULL || self->plan == NULL)
        continue;
      if (!tooth_centre_at (self->plan, mk->fdi_a, stage, a) || !tooth_centre_at (self->plan, mk->fdi_b, stage, b))
        continue;
      for (int d = 0; d < 3; d++)
        mid[d] = 0.5f * (a[d] + b[d]);
      if (!op_viewer_project (self->viewer, mid, &x, &y))
        {
          gtk_widget_set_visible (mk->label, FALSE);
          continue;
        }
      gtk_widget_set_visible (mk->label, stage >= mk->stage);
      gtk_widget_measure (mk->label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat_w, NULL, NULL);
      gtk_widget_measure (mk->label, GTK_ORIENTATION_VERTICAL, -1, NULL, &nat_h, NULL, NULL);
      /* Beside the disc, not over it, so the disc stays visible. */
      gtk_fixed_move (self->label_layer, mk->label, x - nat_w / 2.0, y - nat_h - 14.0);
    }
}

void
op__review_scene_fill_legend (OpReviewView *self)
{
  for (int i = 0; i < 12; i++)
    {
      GtkWidget *swatch = gtk_drawing_area_new ();
      float c[4];
      g_autofree char *css_class = g_strdup_printf ("op-ramp-%d", i);

      ramp_colour (i / 11.0, c);
      gtk_widget_set_size_request (swatch, 18, 10);
      gtk_widget_add_css_class (swatch, css_class);
      gtk_box_append (self->legend_ramp, swatch);
    }

  /* The swatches' colours come from the same ramp as the teeth, through
   * a style provider made here, so the legend cannot drift from it. */
  {
    g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
    GString *css = g_string_new (NULL);
    g_autofree char *text = NULL;

    for (int i = 0; i < 12; i++)
      {
        float c[4];

        ramp_colour (i / 11.0, c);
        g_string_append_printf (css, ".op-ramp-%d { background-color: rgb(%d,%d,%d); }\n", i,
                                (int) lroundf (c[0] * 255), (int) lroundf (c[1] * 255), (int) lroundf (c[2] * 255));
      }
    text = g_string_free (css, FALSE);
    gtk_css_provider_load_from_data (provider, text, -1);
    gtk_style_context_add_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                                GTK_STYLE_PROVIDER (provider),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
}
