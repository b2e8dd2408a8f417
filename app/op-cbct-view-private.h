/* op-cbct-view-private.h: what op-cbct-view.c (jobs, questions, the
 * widget) and op-cbct-view-3d.c (surface, marker, clip plane) share. */
#pragma once

#include "op-cbct-view.h"
#include "op-volume-loader.h"

G_BEGIN_DECLS

typedef enum {
  STAGE_IDLE,
  STAGE_LOADING,
  STAGE_ASKING,
  STAGE_STORING,
  STAGE_OPENING,
  STAGE_SURFACE,
} Stage;

struct _OpCbctView
{
  AdwBin            parent_instance;

  /* Template widgets */
  GtkStack         *stack;
  OpSliceView      *slice_view;
  AdwActionRow     *series_row;
  AdwActionRow     *size_row;
  AdwActionRow     *corrections_row;
  AdwActionRow     *identity_row;
  GtkImage         *identity_icon;
  GtkSwitch        *surface_switch;
  AdwActionRow     *threshold_row;
  GtkScale         *threshold_scale;
  AdwComboRow      *clip_row;
  GtkSwitch        *marker_switch;

  /* Borrowed */
  OpViewer         *viewer;        /* weak pointer */
  AdwMessageDialog *dialog;        /* weak pointer */

  /* Owned */
  OpStore          *store;
  GCancellable     *cancellable;
  OpVolumeRef      *ref;
  OpLoadedVolume   *asking;        /* loaded, waiting for the person's answer */
  GFile            *file;          /* what is being loaded */
  char             *last_error;
  char             *last_toast;
  gint64            case_id;
  gint64            volume_id;
  guint64           max_bytes;
  guint             generation;
  Stage             stage;
  guint             surface_handle;
  guint             marker_handle;
  gsize             surface_triangles;
  double            threshold_hu;
  double            auto_threshold_hu;
  guint             threshold_timeout;
  gboolean          surface_wanted;   /* rebuild once the running job ends */
  gboolean          framed;           /* the 3D view was framed on the surface */
  gboolean          setting_scale;
  gboolean          disposed;
};

/* op-cbct-view.c */
void     op__cbct_view_report_error (OpCbctView *self,
                                     const char *heading,
                                     const char *message);
gboolean op__cbct_view_is_cancelled (const GError *error);
void     op__cbct_view_finish_job   (OpCbctView *self);
void     op__cbct_view_progress     (gpointer    source_object,
                                     double      fraction,
                                     const char *stage);
void     op__cbct_view_set_stage    (OpCbctView *self,
                                     Stage       stage);

/* op-cbct-view-3d.c */
void     op__cbct_view_init_3d      (OpCbctView *self);
void     op__cbct_view_remove_mesh  (OpCbctView *self,
                                     guint      *handle);
void     op__cbct_view_update_clip  (OpCbctView *self);
void     op__cbct_view_update_marker (OpCbctView *self);
void     op__cbct_view_update_threshold_row (OpCbctView *self);
void     op__cbct_view_start_surface (OpCbctView *self);
void     op__cbct_view_request_surface (OpCbctView *self);

G_END_DECLS
