/* op-ipr.h: interproximal reduction, within its limits and on time.
 *
 * An amount is per contact, both surfaces together, in mm.  CLINICAL.md's
 * limits: at most 0.5 mm between anterior teeth and 1.0 mm between
 * posterior teeth, never more than half the enamel the two surfaces hold
 * (about 0.6 mm per surface at incisors up to 1.5 mm at first molars), and
 * at most 0.75 mm in total across the four lower incisors.  A
 * contact counts as anterior when both teeth are incisors or canines.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OP_IPR_ERROR (op_ipr_error_quark ())
GQuark op_ipr_error_quark (void);

typedef enum {
  OP_IPR_ERROR_LIMIT,        /* an amount over a limit */
  OP_IPR_ERROR_NOT_CONTACT,  /* two teeth that do not touch */
  OP_IPR_ERROR_INVALID,      /* negative or non-finite amount, bad stage */
} OpIprError;

typedef struct {
  double anterior_max;          /* per contact, default 0.5 */
  double posterior_max;         /* per contact, default 1.0 */
  double enamel_fraction;       /* of the two surfaces' enamel, default 0.5 */
  /* Across the four lower incisors, default 0.75.  Every contact that
   * touches a lower incisor counts in full (43-42 to 32-33), since the
   * split of an amount between its two surfaces is not known in advance:
   * this way the incisors never lose more than the limit. */
  double lower_incisor_total;
} OpIprLimits;

/* Fills the CLINICAL.md defaults. */
void     op_ipr_limits_init      (OpIprLimits *limits);

/* Enamel thickness in mm of one proximal surface of @fdi: 0.6 at
 * incisors rising to 1.5 at first molars. */
double   op_ipr_enamel_thickness (int fdi);

/* Whether @a and @b are neighbours in one arch (across the midline for
 * the central incisors), in either order. */
gboolean op_ipr_is_contact       (int fdi_a,
                                  int fdi_b);

/* The most IPR allowed at the contact between @a and @b by the per-contact
 * and enamel limits (not the lower incisor total); 0 if not a contact. */
double   op_ipr_contact_max      (int                fdi_a,
                                  int                fdi_b,
                                  const OpIprLimits *limits);

/* Whether the contact touches a lower incisor (counts towards the lower
 * incisor total). */
gboolean op_ipr_is_lower_incisor_contact (int fdi_a,
                                          int fdi_b);

typedef struct {
  int    fdi_a, fdi_b;     /* fdi_a is the one to the patient's right */
  double amount;           /* mm, both surfaces together */
  int    stage;            /* done before aligner @stage + 1; -1 = not yet scheduled */
  double needed;           /* the deepest overlap it must make room for, mm */
  gboolean sufficient;     /* amount covers @needed within the limits */
} OpIprContact;

/* Spreads @needed mm over the contacts of one arch.  @fdi_order lists the
 * teeth of the arch present, sorted by op_fdi_arch_position() (right to
 * left); contacts are between consecutive entries that are neighbours.
 * Anterior contacts are used first (where crowding shows), then posterior,
 * each filled evenly up to its limit in steps of 0.05 mm (what strips and
 * gauges measure), never breaking the lower incisor total.  Writes one
 * entry per contact that gets IPR into @out (capacity @n_teeth - 1),
 * stage -1, and returns the amount placed (<= @needed rounded up to the
 * step); *@n_out gets the count. */
double   op_ipr_distribute       (const int         *fdi_order,
                                  guint              n_teeth,
                                  double             needed,
                                  const OpIprLimits *limits,
                                  OpIprContact      *out,
                                  guint             *n_out);

/* Schedules IPR from the overlaps a staged plan would have without it.
 * @overlap holds @n_stages rows of @n_contacts penetration depths in mm
 * (stage 0 = initial pose); @contacts the contacts in the same order, with
 * any amount the setup already planned (amount may be 0).  For each contact
 * whose overlap passes @threshold (mm; 0 means the 0.3 mm collision limit)
 * at some stage s: stage = max(s - 1, 0), needed = the largest overlap over
 * all stages, amount = max(planned, needed rounded up to 0.05) clipped to
 * the limits (lower incisor total included), sufficient = amount >= needed.
 * A contact that never passes keeps its planned amount and, if that is
 * > 0, is scheduled one stage before its overlap first grows beyond its
 * stage-0 value (stage 0 if it never does).  Returns how many contacts
 * cannot be made sufficient. */
guint    op_ipr_schedule         (const double      *overlap,
                                  guint              n_stages,
                                  guint              n_contacts,
                                  double             threshold,
                                  const OpIprLimits *limits,
                                  OpIprContact      *contacts);

/* Checks @n IPR entries against the limits; FALSE with an OP_IPR_ERROR
 * naming the first offending contact ("IPR 0.60 mm at 11-21 is over the
 * 0.50 mm anterior limit"). */
gboolean op_ipr_check            (const OpIprContact *ipr,
                                  guint               n,
                                  const OpIprLimits  *limits,
                                  GError            **error);

G_END_DECLS
