/* op-match.h: is this patient in the practice system the one in Orthoplan?
 *
 * Posting a procedure to the wrong patient bills the wrong person and puts
 * a treatment in the wrong chart, so the rule is strict: a candidate is
 * taken automatically only when it is the one and only candidate whose
 * date of birth is exactly the same, whose names agree after normalising
 * (case, accents, punctuation, hyphens) with a Jaro-Winkler similarity of
 * at least OP_MATCH_NAME_MIN for each name, and whose chart number does
 * not contradict ours.  With several such candidates, with candidates that
 * only nearly agree, or without a date of birth, the answer is "ask a
 * person", with the candidates worth showing.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A person as both systems describe one.  Any field may be NULL. */
typedef struct {
  const char *family_name;
  const char *given_name;
  const char *birth_date;     /* YYYY-MM-DD */
  const char *chart_number;
} OpMatchPerson;

typedef enum {
  OP_MATCH_NONE,   /* no candidate is this patient */
  OP_MATCH_ONE,    /* exactly one is, by the rule above: take it */
  OP_MATCH_ASK,    /* a person must choose among the flagged candidates */
} OpMatchVerdict;

const char *op_match_verdict_to_string (OpMatchVerdict verdict);  /* "none", "one", "ask" */

/* Each name must reach this similarity (after normalising). */
#define OP_MATCH_NAME_MIN     0.92
/* Candidates with the same birth date whose names each reach this
 * similarity are shown to a person even when they fall short of the rule
 * (a maiden name, a nickname, a typo in one system). */
#define OP_MATCH_POSSIBLE_MIN 0.70

/* Lower case ASCII letters and digits with single spaces between words:
 * accents removed ("Müller" -> "muller"), hyphens and other punctuation
 * turned into word breaks ("Smith-Jones" -> "smith jones"), apostrophes
 * dropped ("O'Brien" -> "obrien").  Never NULL; "" for NULL. */
char       *op_match_normalize_name    (const char *name);

/* Jaro-Winkler similarity in [0, 1] of two strings, by Unicode character
 * (prefix scale 0.1, prefix at most 4). */
double      op_match_jaro_winkler      (const char *a,
                                        const char *b);

/* Decides among @n candidates for @patient.  @out_scores (n entries,
 * caller-owned, may be NULL) receives each candidate's name score, 0 for
 * a candidate ruled out by its birth date or chart number.  @out_flagged
 * (n entries, may be NULL) is set TRUE for the candidates a person should
 * see (with OP_MATCH_ASK) or for the one chosen (OP_MATCH_ONE).
 * @out_index receives the chosen candidate, or -1.  @out_reason (may be
 * NULL) receives a static English sentence saying why. */
OpMatchVerdict op_match_patient        (const OpMatchPerson *patient,
                                        const OpMatchPerson *candidates,
                                        guint                n_candidates,
                                        double              *out_scores,
                                        gboolean            *out_flagged,
                                        int                 *out_index,
                                        const char         **out_reason);

G_END_DECLS
