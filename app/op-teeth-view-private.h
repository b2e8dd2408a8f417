/* op-teeth-view-private.h: what the op-teeth-*.c files share. */
#pragma once

#include "op-fdi.h"
#include "op-seg-edit.h"
#include "op-teeth-view.h"

G_BEGIN_DECLS

struct _OpTeethView
{
  AdwBin                parent_instance;

  /* template widgets */
  GtkStack             *main_stack;
  AdwStatusPage        *empty_page;
  GtkWidget            *segment_button;
  OpViewer             *viewer;
  GtkFixed             *label_layer;
  GtkDropDown          *scan_dropdown;
  AdwActionRow         *version_row;
  AdwActionRow         *tooth_row;
  GtkSpinButton        *number_spin;
  GtkSpinButton        *radius_spin;
  GtkToggleButton      *select_toggle;
  GtkToggleButton      *paint_toggle;
  GtkToggleButton      *erase_toggle;
  GtkToggleButton      *split_toggle;
  GtkLabel             *status_label;

  /* owned */
  OpStore              *store;
  GCancellable         *cancellable;
  GPtrArray            *scans;        /* OpScanRecord*, upper and lower arches only */
  OpMesh               *mesh;         /* the scan shown, with normals */
  gint32               *base;         /* the labels of the version loaded */
  OpSegmentationRecord *record;
  OpSegEdits           *edits;
  OpSegAdjacency       *adjacency;    /* of mesh, made at the first brush or split */
  OpTeethTool           tool;
  guint32               split_seed;   /* the first click of a split, or G_MAXUINT32 */
  GArray               *handles;      /* ToothHandle, one per piece drawn */
  float                 label_camera[8]; /* the camera the labels were placed for */
  int                   label_size[2];
  char                 *last_error;
  gint64                case_id;
  gint64                scan_id;
  int                   selected;
  gboolean              busy;
  gboolean              populating;   /* filling the drop-down: ignore its notify */
  gboolean              framed;       /* the camera was framed on this scan */
  gboolean              disposed;     /* a worker that ends later touches no widget */
  OpNumbering           numbering;    /* how numbers are shown; stored numbers are FDI */
};

typedef struct {
  guint      handle;
  int        fdi;
  float      centre[3];   /* of the piece's vertices: where its number goes */
  GtkWidget *label;       /* the number, in label_layer; NULL for the gingiva */
} ToothHandle;

/* Draws the pieces of the labels as they are now and their numbers. */
void op__teeth_view_rebuild_scene (OpTeethView *self);
/* Updates the side panel and the actions from the state. */
void op__teeth_view_sync          (OpTeethView *self);
/* Remembers @message (NULL clears) and shows it as a toast and below the
 * buttons. */
void op__teeth_view_set_error     (OpTeethView *self,
                                   const char  *message);
void op__teeth_view_emit_saved    (OpTeethView *self,
                                   int          version);
/* Loads scan @scan_id (0: the first with labels) in a worker. */
void op__teeth_view_start_load    (OpTeethView *self,
                                   gint64       scan_id);

G_END_DECLS
