/* op-review-private.h: the review view's state, shared by op-review-view.c
 * (widget, layout, loading), op-review-edit.c (target edits, undo and the
 * recalculation worker), op-review-versions.c (versions and comparison)
 * and op-review-scene.c (the 3D scene). */
#pragma once

#include "op-plan.h"
#include "op-plan-request.h"
#include "op-review-view.h"

G_BEGIN_DECLS

typedef struct {
  int    fdi;
  int    plan_index;     /* in plan->teeth, -1 when the plan lacks it */
  guint  mesh;           /* viewer handles */
  guint  ghost;
  guint  root;           /* 0 when the tooth's mesh is the whole tooth */
  float  colour[4];      /* by movement, for the plan shown */
} OpReviewTooth;

typedef enum {
  OP_REVIEW_MARKER_IPR,
  OP_REVIEW_MARKER_ATTACHMENT,
} OpReviewMarkerKind;

typedef struct {
  OpReviewMarkerKind kind;
  guint              handle;
  int                fdi_a;       /* the tooth it moves with */
  int                fdi_b;       /* the other side of an IPR contact */
  guint              stage;       /* shown from this stage on */
  float              anchor[3];   /* initial world position, mm */
  GtkWidget         *label;       /* IPR amount, in the label layer */
} OpReviewMarker;


struct _OpReviewView
{
  AdwBin              parent_instance;

  /* Template widgets */
  GtkStack           *main_stack;
  AdwStatusPage      *empty_page;
  GtkButton          *plan_button;
  GtkDropDown        *version_dropdown;
  GtkDropDown        *compare_dropdown;
  GtkToggleButton    *ghost_toggle;
  GtkToggleButton    *color_toggle;
  GtkToggleButton    *roots_toggle;
  GtkGrid            *options_grid;
  GtkDropDown        *strategy_dropdown;
  GtkButton          *recalculate_button;
  GtkRevealer        *progress_revealer;
  GtkLabel           *progress_label;
  GtkProgressBar     *progress_bar;
  GtkOverlay         *viewer_overlay;
  OpViewer           *viewer;
  GtkFixed           *label_layer;
  GtkBox             *legend;
  GtkBox             *legend_ramp;
  GtkLabel           *legend_markers;
  OpStageTimeline    *timeline;
  GtkLabel           *tooth_title;
  GtkLabel           *tooth_subtitle;
  GtkSwitch          *lock_switch;
  GtkGrid            *target_grid;
  GtkStack           *side_stack;
  GtkLabel           *table_caption;
  GtkToggleButton    *per_stage_toggle;
  OpMovementTable    *table;
  GtkListBox         *warnings_list;
  GtkLabel           *changes_caption;
  GtkListBox         *changes_list;
  GtkBox             *approval_box;

  /* Made in init */
  GtkSpinButton      *target_spins[OP_N_COMPONENTS];
  GtkSpinButton      *limit_spins[OP_N_COMPONENTS];

  /* Owned */
  OpStore            *store;
  gint64              case_id;
  OpDentition        *dentition;
  OpPlan             *plan;
  int                 version;
  GPtrArray          *records;       /* OpPlanRecord, oldest first */
  OpPlan             *compare;
  int                 compare_version;
  GArray             *teeth;         /* OpReviewTooth, by fdi */
  GArray             *markers;       /* OpReviewMarker */
  OpPlanRequest      *edits;
  GPtrArray          *undo;          /* OpPlanRequest, one per step */
  GPtrArray          *redo;
  GCancellable       *cancellable;
  char               *last_error;
  OpNumbering         numbering;
  int                 selected;
  guint               pulse_source;
  gboolean            busy;
  AdwToast           *stored_toast;  /* weak: the last "Stored plan" toast */
  gboolean            editable;
  gboolean            roots_grown;   /* the dentition has its CBCT roots */
  OpPlannerCollider  *collider;      /* kept between recalculations of a case */
  OpCaseCbct         *cbct;          /* the case's registered CBCT, once read */      /* role and case state allow new versions */
  char               *not_editable_why;
  gboolean            updating;
  gboolean            has_teeth;
  float               label_camera[8];  /* camera the labels were placed for */
  int                 label_size[2];
};

/* op-review-view.c */
char *op__review_tooth_name        (OpReviewView *self,
                                    int           fdi);
/* Shows self->plan everywhere. */
void  op__review_show_plan         (OpReviewView *self);
void  op__review_sync_actions      (OpReviewView *self);
void  op__review_set_busy          (OpReviewView *self,
                                    gboolean      busy,
                                    const char   *what);
void  op__review_set_error         (OpReviewView *self,
                                    const char   *message);
void  op__review_emit_recalculated (OpReviewView *self,
                                    int           version);

/* op-review-edit.c */
/* Edits start from the plan shown: its limits, strategy and locks. */
void  op__review_reset_edits       (OpReviewView *self);
void  op__review_push_undo         (OpReviewView *self);
/* The roots drawn again from the dentition (after CBCT roots grew). */
void  op__review_scene_set_roots    (OpReviewView *self);
void  op__review_sync_editor       (OpReviewView *self);
void  op__review_editor_init       (OpReviewView *self);

/* op-review-versions.c */
void  op__review_fill_changes      (OpReviewView *self);
void  op__review_fill_versions     (OpReviewView *self);
void  op__review_versions_connect  (OpReviewView *self);

/* op-review-scene.c */
void  op__review_scene_clear    (OpReviewView *self);
/* Tooth meshes and their ghosts, once per case. */
void  op__review_scene_build    (OpReviewView *self);
/* Plan indices, colours and markers for the plan shown. */
void  op__review_scene_set_plan (OpReviewView *self);
/* Transforms, colours and visibility for the stage on the timeline. */
void  op__review_scene_update   (OpReviewView *self);
/* Keeps the IPR labels over their discs as the camera moves. */
void  op__review_scene_place_labels (OpReviewView *self,
                                     gboolean      force);
void  op__review_scene_fill_legend  (OpReviewView *self);
OpReviewTooth *op__review_find_tooth (OpReviewView *self,
                                      int           fdi);
/* The tooth's crown centre at the stage shown. */
gboolean op__review_tooth_centre (OpReviewView *self,
                                  int           fdi,
                                  float         out[3]);

G_END_DECLS
