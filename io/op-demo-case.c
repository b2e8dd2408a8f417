/* op-demo-case.c: builds the demo case through the ordinary store path. */
#include "op-demo-case.h"

#include <glib/gstdio.h>

#include "op-demo.h"

/* Tessellation of the demo arches: about 50k triangles each, enough to
 * look like a scan and small enough to build in a blink. */
#define DEMO_DETAIL 4

/* Saves @mesh as PLY (which keeps colours and labels) and returns the
 * file's bytes, as if a lab had sent them. */
static GBytes *
demo_arch_bytes (OpJaw    jaw,
                 gsize   *n_vertices,
                 gsize   *n_triangles,
                 GError **error)
{
  g_autoptr(OpMesh) mesh = op_demo_arch_new (jaw, DEMO_DETAIL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  gboolean ok;

  dir = g_dir_make_tmp ("orthoplan-demo-XXXXXX", error);
  if (dir == NULL)
    return NULL;
  path = g_build_filename (dir, "arch.ply", NULL);
  ok = op_mesh_save (mesh, path, OP_MESH_FORMAT_PLY, error) &&
       g_file_get_contents (path, &contents, &len, error);
  g_unlink (path);
  g_rmdir (dir);
  if (!ok)
    return NULL;

  *n_vertices = mesh->n_vertices;
  *n_triangles = mesh->n_triangles;
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

gint64
op_demo_case_ensure (OpStore  *self,
                     GError  **error)
{
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GBytes) upper = NULL;
  g_autoptr(GBytes) lower = NULL;
  OpScanInput scans[2] = { { 0 } };
  OpPatient patient = {
    .family_name = (char *) OP_DEMO_FAMILY_NAME,
    .given_name = (char *) OP_DEMO_GIVEN_NAME,
    .birth_date = (char *) OP_DEMO_BIRTH_DATE,
    .chart_number = (char *) OP_DEMO_CHART,
  };

  g_return_val_if_fail (OP_IS_STORE (self), 0);

  cases = op_store_list_cases (self, OP_DEMO_CHART, error);
  if (cases == NULL)
    return 0;
  for (guint i = 0; i < cases->len; i++)
    {
      OpCaseSummary *c = g_ptr_array_index (cases, i);

      if (g_strcmp0 (c->chart_number, OP_DEMO_CHART) == 0 && c->n_scans >= 2)
        return c->id;
    }

  upper = demo_arch_bytes (OP_JAW_UPPER, &scans[0].n_vertices, &scans[0].n_triangles, error);
  if (upper == NULL)
    return 0;
  lower = demo_arch_bytes (OP_JAW_LOWER, &scans[1].n_vertices, &scans[1].n_triangles, error);
  if (lower == NULL)
    return 0;

  scans[0].jaw = OP_JAW_UPPER;
  scans[0].filename = "demo-upper.ply";
  scans[0].format = OP_MESH_FORMAT_PLY;
  scans[0].bytes = upper;
  scans[1].jaw = OP_JAW_LOWER;
  scans[1].filename = "demo-lower.ply";
  scans[1].format = OP_MESH_FORMAT_PLY;
  scans[1].bytes = lower;

  return op_store_create_case (self, &patient, "Demo practice", scans, G_N_ELEMENTS (scans), error);
}
