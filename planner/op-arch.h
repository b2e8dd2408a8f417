/* op-arch.h: arch form, arch space and Bolton analysis.
 *
 * The arch form is the curve y = a x^6 + b x^2 in the arch's own plane:
 * x across (towards the patient's left), y from the incisors backwards
 * (posterior), origin at the midline point of the incisors.  It passes
 * through the mesial contacts of both first molars (intermolar width w at
 * depth d), so b follows from a; a is fitted by least squares to the other
 * teeth's contact points and kept where the curve runs monotonically
 * backwards.  Lengths and widths in mm.
 */
#pragma once

#include "op-tooth.h"

G_BEGIN_DECLS

#define OP_ARCH_ERROR (op_arch_error_quark ())
GQuark op_arch_error_quark (void);

typedef enum {
  OP_ARCH_ERROR_MISSING_TEETH,   /* a tooth the analysis needs is absent */
  OP_ARCH_ERROR_NO_FRAME,        /* a tooth has no frame or width */
  OP_ARCH_ERROR_DEGENERATE,
} OpArchError;

typedef struct {
  gboolean upper;
  double   a, b;              /* y = a x^6 + b x^2, mm */
  double   intermolar_width;  /* between the first molars' mesial contacts, mm */
  double   depth;             /* from the incisors to that line, mm */
  double   rms_residual;      /* of the fit to the contact points, mm */
  /* The arch plane in the patient frame. */
  float    origin[3];         /* midline point at the incisors */
  float    x_axis[3];         /* towards the patient's left */
  float    y_axis[3];         /* posterior */
  float    normal[3];         /* occlusal normal, root to crown of this arch */
} OpArchForm;

/* Fits the form to the teeth of one arch of @dentition (frames and widths
 * needed; both first molars and the four incisors at least). */
gboolean   op_arch_form_fit        (const OpDentition *dentition,
                                    gboolean           upper,
                                    OpArchForm        *out,
                                    GError           **error);

/* Depth y at across-position @x, and the arc length from the midline
 * (x = 0) to @x (negative for x < 0). */
double     op_arch_form_y          (const OpArchForm *form,
                                    double            x);
double     op_arch_form_length     (const OpArchForm *form,
                                    double            x);
/* The across-position at signed arc length @s from the midline (s > 0 to
 * the patient's left); inverse of op_arch_form_length(). */
double     op_arch_form_x_at_length (const OpArchForm *form,
                                     double            s);
/* Point (patient frame, on the arch plane) and unit tangent (towards +s)
 * at signed arc length @s. */
void       op_arch_form_eval       (const OpArchForm *form,
                                    double            s,
                                    float             out_point[3],
                                    float             out_tangent[3]);
/* A copy widened by @expansion mm of intermolar width and deepened by
 * @advance mm of incisor advance (both may be negative). */
void       op_arch_form_adjust     (const OpArchForm *form,
                                    double            expansion,
                                    double            advance,
                                    OpArchForm       *out);

typedef struct {
  double available;    /* arc length between the first molars' mesial contacts */
  double required;     /* sum of the widths of the teeth between them */
  double discrepancy;  /* required - available: > 0 crowding, < 0 spacing */
} OpArchSpace;

/* Space of one arch along @form (which may be an adjusted copy). */
gboolean   op_arch_space           (const OpDentition *dentition,
                                    const OpArchForm  *form,
                                    OpArchSpace       *out,
                                    GError           **error);

#define OP_BOLTON_OVERALL_NORM  91.3
#define OP_BOLTON_ANTERIOR_NORM 77.2

typedef struct {
  gboolean overall_valid;     /* all 24 first molar to first molar teeth present */
  gboolean anterior_valid;    /* all 12 canine to canine teeth present */
  double   overall_ratio;     /* sum lower 12 / sum upper 12 x 100 */
  double   anterior_ratio;    /* sum lower 6 / sum upper 6 x 100 */
  /* Tooth width in excess against the norm, mm: > 0 too much in the lower
   * arch, < 0 too much in the upper arch. */
  double   overall_excess;
  double   anterior_excess;
  double   upper_sum_12, lower_sum_12, upper_sum_6, lower_sum_6;
} OpBolton;

/* Uses each tooth's width.  Never fails: the _valid flags say what could
 * be computed. */
void       op_bolton               (const OpDentition *dentition,
                                    OpBolton          *out);

G_END_DECLS
