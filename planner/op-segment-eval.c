/* op-segment-eval.c: TSA, TIR and per-tooth IoU. */
#include "op-segment-eval.h"

#include <string.h>

#include "op-fdi.h"

G_DEFINE_QUARK (op-segment-eval-error-quark, op_segment_eval_error)

gboolean
op_segment_evaluate (const gint32    *truth,
                     const gint32    *pred,
                     gsize            n,
                     OpSegmentScore  *out,
                     GError         **error)
{
  /* FDI numbers are below 100, so plain arrays indexed by number hold
   * the counts. */
  gsize nt[100] = { 0 }, np[100] = { 0 }, nb[100] = { 0 };
  double f1_sum = 0;
  guint identified = 0;

  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);
  g_return_val_if_fail (n == 0 || (truth != NULL && pred != NULL), FALSE);

  for (gsize v = 0; v < n; v++)
    {
      const gint32 *which = NULL;
      if (truth[v] != 0 && !op_fdi_is_valid (truth[v]))
        which = truth;
      else if (pred[v] != 0 && !op_fdi_is_valid (pred[v]))
        which = pred;
      if (which)
        {
          g_set_error (error, OP_SEGMENT_EVAL_ERROR, OP_SEGMENT_EVAL_ERROR_LABEL,
                       "%s label of vertex %" G_GSIZE_FORMAT " is %d, neither 0 nor an FDI tooth number",
                       which == truth ? "the truth's" : "the prediction's", v, which[v]);
          return FALSE;
        }
      nt[truth[v]]++;
      np[pred[v]]++;
      if (truth[v] == pred[v])
        nb[truth[v]]++;
    }

  for (int f = 11; f < 100; f++)
    if (nt[f] || np[f])
      {
        out->n_teeth++;
        if (nt[f])
          out->n_truth_teeth++;
      }
  if (out->n_truth_teeth == 0)
    {
      g_set_error_literal (error, OP_SEGMENT_EVAL_ERROR, OP_SEGMENT_EVAL_ERROR_NO_TEETH,
                           "the truth labels no tooth: there is nothing to score against");
      out->n_teeth = 0;
      return FALSE;
    }
  out->teeth = g_new0 (OpSegmentToothScore, out->n_teeth);
  for (int f = 11, i = 0; f < 100; f++)
    if (nt[f] || np[f])
      {
        OpSegmentToothScore *s = &out->teeth[i++];
        gsize uni = nt[f] + np[f] - nb[f];

        s->fdi = f;
        s->n_truth = nt[f];
        s->n_pred = np[f];
        s->n_both = nb[f];
        s->iou = uni ? (double) nb[f] / (double) uni : 0.0;
        s->f1 = (nt[f] + np[f]) ? 2.0 * (double) nb[f] / (double) (nt[f] + np[f]) : 0.0;
        f1_sum += s->f1;
        if (nt[f] && s->iou >= 0.5)
          identified++;
      }
  out->tsa = f1_sum / out->n_teeth;
  out->tir = (double) identified / out->n_truth_teeth;
  return TRUE;
}

void
op_segment_score_clear (OpSegmentScore *score)
{
  if (score == NULL)
    return;
  g_clear_pointer (&score->teeth, g_free);
  score->n_teeth = 0;
}
