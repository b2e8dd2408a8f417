/* op-fdi.h: tooth numbers.
 *
 * FDI (ISO 3950) is the one number stored anywhere: quadrant 1 upper
 * right, 2 upper left, 3 lower left, 4 lower right (5-8 for primary
 * teeth), then 1 central incisor ... 8 third molar.  Universal and Palmer
 * are converted at the edge, for display and for files that use them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  OP_NUMBERING_FDI,
  OP_NUMBERING_UNIVERSAL,
  OP_NUMBERING_PALMER,
} OpNumbering;

typedef enum {
  OP_TOOTH_CENTRAL_INCISOR = 1,
  OP_TOOTH_LATERAL_INCISOR,
  OP_TOOTH_CANINE,
  OP_TOOTH_FIRST_PREMOLAR,
  OP_TOOTH_SECOND_PREMOLAR,
  OP_TOOTH_FIRST_MOLAR,
  OP_TOOTH_SECOND_MOLAR,
  OP_TOOTH_THIRD_MOLAR,
} OpToothType;

/* Whether @fdi names a permanent (11-48) or primary (51-85) tooth. */
gboolean    op_fdi_is_valid      (int fdi);
gboolean    op_fdi_is_primary    (int fdi);
int         op_fdi_quadrant      (int fdi);   /* 1-4, primary mapped onto 1-4 */
gboolean    op_fdi_is_upper      (int fdi);
/* The patient's left (quadrants 2 and 3), at +x in the patient frame. */
gboolean    op_fdi_is_left       (int fdi);
OpToothType op_fdi_type          (int fdi);   /* 1-8 */
gboolean    op_fdi_is_anterior   (int fdi);   /* incisors and canines */
gboolean    op_fdi_is_molar      (int fdi);
/* The neighbour towards the midline, or across it for central incisors;
 * 0 when there is none (not a valid tooth). */
int         op_fdi_mesial_neighbour (int fdi);
int         op_fdi_distal_neighbour (int fdi);   /* 0 after the third molar */
/* The tooth in the opposing arch with the same position. */
int         op_fdi_antagonist    (int fdi);

/* Universal (permanent 1-32): 1 upper right third molar ... 16 upper left
 * third molar, 17 lower left third molar ... 32 lower right third molar.
 * 0 when there is no such number. */
int         op_fdi_to_universal  (int fdi);
int         op_fdi_from_universal (int universal);

/* Formats @fdi for a person in @numbering: "11", "8", "UR1". */
char       *op_fdi_format        (int         fdi,
                                  OpNumbering numbering);
gboolean    op_numbering_from_string (const char  *str,
                                      OpNumbering *out);

/* Position along the arch counted from the midline: 1..8 on the
 * patient's left, -1..-8 on the right.  Sorting by it orders the teeth of
 * one arch from the patient's right to left. */
int         op_fdi_arch_position (int fdi);

G_END_DECLS
