/* op-match.c: patient matching between Orthoplan and a practice system. */
#include "config.h"

#include <string.h>

#include "op-match.h"

const char *
op_match_verdict_to_string (OpMatchVerdict verdict)
{
  switch (verdict)
    {
    case OP_MATCH_ONE: return "one";
    case OP_MATCH_ASK: return "ask";
    case OP_MATCH_NONE:
    default:           return "none";
    }
}

char *
op_match_normalize_name (const char *name)
{
  g_autofree char *decomposed = NULL;
  GString *out = g_string_new (NULL);
  gboolean pending_space = FALSE;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return g_string_free (out, FALSE);

  /* NFKD splits "ü" into "u" and a combining mark, and "ﬁ" into "fi"; the
   * marks are then dropped below, which removes accents without a table. */
  decomposed = g_utf8_normalize (name, -1, G_NORMALIZE_NFKD);
  for (const char *p = decomposed; p != NULL && *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_SPACING_MARK ||
          type == G_UNICODE_ENCLOSING_MARK)
        continue;
      /* An apostrophe joins the parts of one name (O'Brien, D'Angelo). */
      if (c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC || c == '`')
        continue;
      if (g_unichar_isalnum (c))
        {
          if (pending_space && out->len > 0)
            g_string_append_c (out, ' ');
          pending_space = FALSE;
          g_string_append_unichar (out, g_unichar_tolower (c));
        }
      else
        pending_space = TRUE;   /* spaces, hyphens, dots, commas */
    }
  return g_string_free (out, FALSE);
}

double
op_match_jaro_winkler (const char *a,
                       const char *b)
{
  g_autofree gunichar *ua = NULL;
  g_autofree gunichar *ub = NULL;
  g_autofree gboolean *ma = NULL;
  g_autofree gboolean *mb = NULL;
  glong la = 0, lb = 0, window, matches = 0, transpositions = 0, prefix = 0;
  double jaro;

  ua = g_utf8_to_ucs4 (a ? a : "", -1, NULL, &la, NULL);
  ub = g_utf8_to_ucs4 (b ? b : "", -1, NULL, &lb, NULL);
  if (ua == NULL || ub == NULL)
    return 0;
  if (la == 0 && lb == 0)
    return 1;
  if (la == 0 || lb == 0)
    return 0;

  window = MAX (la, lb) / 2 - 1;
  if (window < 0)
    window = 0;
  ma = g_new0 (gboolean, la);
  mb = g_new0 (gboolean, lb);
  for (glong i = 0; i < la; i++)
    {
      glong lo = MAX (0, i - window), hi = MIN (lb - 1, i + window);

      for (glong j = lo; j <= hi; j++)
        if (!mb[j] && ua[i] == ub[j])
          {
            ma[i] = mb[j] = TRUE;
            matches++;
            break;
          }
    }
  if (matches == 0)
    return 0;
  for (glong i = 0, k = 0; i < la; i++)
    if (ma[i])
      {
        while (!mb[k])
          k++;
        if (ua[i] != ub[k])
          transpositions++;
        k++;
      }
  jaro = ((double) matches / la + (double) matches / lb +
          (double) (matches - transpositions / 2) / matches) / 3.0;
  while (prefix < MIN (4, MIN (la, lb)) && ua[prefix] == ub[prefix])
    prefix++;
  return jaro + prefix * 0.1 * (1.0 - jaro);
}

static gboolean
is_blank (const char *s)
{
  if (s == NULL)
    return TRUE;
  while (*s && g_ascii_isspace (*s))
    s++;
  return *s == '\0';
}

/* Chart numbers compare without case and surrounding spaces: "c-77 " is
 * "C-77" typed another way, not another patient. */
static gboolean
same_chart (const char *a,
            const char *b)
{
  g_autofree char *x = g_strstrip (g_ascii_strdown (a, -1));
  g_autofree char *y = g_strstrip (g_ascii_strdown (b, -1));

  return strcmp (x, y) == 0;
}

/* The similarity of two names: the whole normalised strings, or for a
 * given name also its first word (a middle name in one system only). */
static double
name_similarity (const char *ours,
                 const char *theirs,
                 gboolean    first_word)
{
  g_autofree char *a = op_match_normalize_name (ours);
  g_autofree char *b = op_match_normalize_name (theirs);
  double s;

  if (a[0] == '\0' || b[0] == '\0')
    return 0;
  s = op_match_jaro_winkler (a, b);
  if (first_word)
    {
      char *sa = strchr (a, ' '), *sb = strchr (b, ' ');

      if (sa != NULL)
        *sa = '\0';
      if (sb != NULL)
        *sb = '\0';
      s = MAX (s, op_match_jaro_winkler (a, b));
    }
  return s;
}

OpMatchVerdict
op_match_patient (const OpMatchPerson *patient,
                  const OpMatchPerson *candidates,
                  guint                n_candidates,
                  double              *out_scores,
                  gboolean            *out_flagged,
                  int                 *out_index,
                  const char         **out_reason)
{
  guint n_strong = 0, n_possible = 0;
  int strong = -1;
  gboolean no_dob;

  g_return_val_if_fail (patient != NULL, OP_MATCH_NONE);
  g_return_val_if_fail (candidates != NULL || n_candidates == 0, OP_MATCH_NONE);

  if (out_index != NULL)
    *out_index = -1;
  no_dob = is_blank (patient->birth_date);

  for (guint i = 0; i < n_candidates; i++)
    {
      const OpMatchPerson *c = &candidates[i];
      double fam, giv, score;
      gboolean chart_agrees = FALSE;

      if (out_flagged != NULL)
        out_flagged[i] = FALSE;
      if (out_scores != NULL)
        out_scores[i] = 0;

      /* A different chart number in both systems is a different patient,
       * whatever the names say (twins share a birth date and a surname). */
      if (!is_blank (patient->chart_number) && !is_blank (c->chart_number))
        {
          if (!same_chart (patient->chart_number, c->chart_number))
            continue;
          chart_agrees = TRUE;
        }
      if (!no_dob)
        {
          g_autofree char *ours = g_strstrip (g_strdup (patient->birth_date));
          g_autofree char *theirs = g_strstrip (g_strdup (c->birth_date ? c->birth_date : ""));

          if (strcmp (ours, theirs) != 0)
            continue;
        }

      fam = name_similarity (patient->family_name, c->family_name, FALSE);
      giv = name_similarity (patient->given_name, c->given_name, TRUE);
      score = (fam + giv) / 2;
      if (out_scores != NULL)
        out_scores[i] = score;

      if (!no_dob && fam >= OP_MATCH_NAME_MIN && giv >= OP_MATCH_NAME_MIN)
        {
          n_strong++;
          strong = (int) i;
          if (out_flagged != NULL)
            out_flagged[i] = TRUE;
        }
      else if (MIN (fam, giv) >= OP_MATCH_POSSIBLE_MIN || chart_agrees)
        {
          n_possible++;
          if (out_flagged != NULL)
            out_flagged[i] = TRUE;
        }
    }

#define REASON(s) G_STMT_START { if (out_reason != NULL) *out_reason = (s); } G_STMT_END

  if (no_dob)
    {
      if (n_possible == 0)
        {
          REASON ("No candidate's names are close to the patient's, and the patient has no date of birth to match on");
          return OP_MATCH_NONE;
        }
      REASON ("The patient has no date of birth, so a match cannot be made automatically: confirm the right one");
      return OP_MATCH_ASK;
    }
  if (n_strong == 1 && n_possible == 0)
    {
      if (out_index != NULL)
        *out_index = strong;
      REASON ("Exactly one patient has the same date of birth and names, and no chart number that differs");
      return OP_MATCH_ONE;
    }
  if (n_strong > 1)
    {
      REASON ("Several patients have the same date of birth and names: confirm the right one");
      return OP_MATCH_ASK;
    }
  if (n_strong + n_possible > 0)
    {
      REASON ("Patients with the same date of birth have similar but not the same names: confirm the right one");
      return OP_MATCH_ASK;
    }
  REASON ("No patient in the practice system has this date of birth and similar names");
  return OP_MATCH_NONE;

#undef REASON
}
