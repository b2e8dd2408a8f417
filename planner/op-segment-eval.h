/* op-segment-eval.h: how well one labelling matches another.
 *
 * The measures of the Teeth3DS challenge, over vertices:
 *  - per tooth, IoU and F1 (Dice) of the vertex sets labelled with its
 *    number in the truth and in the prediction;
 *  - TSA, the mean F1 over every tooth number present in either labelling
 *    (a tooth predicted where the truth has none counts with F1 = 0);
 *  - TIR, the share of the truth's teeth whose vertex set is matched with
 *    IoU >= 0.5 by the prediction's vertices of the same number.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int    fdi;
  gsize  n_truth;       /* vertices with this number in the truth */
  gsize  n_pred;        /* and in the prediction */
  gsize  n_both;
  double iou;
  double f1;
} OpSegmentToothScore;

typedef struct {
  double               tsa;
  double               tir;
  guint                n_teeth;     /* numbers present in either */
  guint                n_truth_teeth;
  OpSegmentToothScore *teeth;       /* n_teeth, sorted by FDI */
} OpSegmentScore;

#define OP_SEGMENT_EVAL_ERROR (op_segment_eval_error_quark ())
GQuark op_segment_eval_error_quark (void);

typedef enum {
  OP_SEGMENT_EVAL_ERROR_SIZE,      /* the two labellings differ in length */
  OP_SEGMENT_EVAL_ERROR_LABEL,     /* a label is neither 0 nor an FDI number */
  OP_SEGMENT_EVAL_ERROR_NO_TEETH,  /* the truth has no tooth at all */
} OpSegmentEvalError;

/* Scores @pred against @truth (both @n labels: 0 or FDI).  Fills @out;
 * free its teeth with op_segment_score_clear(). */
gboolean op_segment_evaluate    (const gint32    *truth,
                                 const gint32    *pred,
                                 gsize            n,
                                 OpSegmentScore  *out,
                                 GError         **error);
void     op_segment_score_clear (OpSegmentScore  *score);

G_END_DECLS
