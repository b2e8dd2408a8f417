/* test-planner-pms.c: procedure codes, patient matching and the retry
 * schedule.  The dentition comes from the real patient's tooth files in
 * $OP_SHARED_DATA (their Universal numbers converted to FDI). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "op-fdi.h"
#include "op-match.h"
#include "op-procedure.h"

/* The FDI numbers of the real teeth on disk, ascending; 0 when missing. */
static guint
real_teeth (int out[32])
{
  const char *root = g_getenv ("OP_SHARED_DATA");
  const char *jaws[] = { "maxilla", "mandible" };
  guint n = 0;

  if (root == NULL)
    return 0;
  for (guint j = 0; j < 2; j++)
    {
      g_autofree char *dir_path = g_build_filename (root, "open-full-jaw-p26", jaws[j], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      if (dir == NULL)
        continue;
      while ((name = g_dir_read_name (dir)) != NULL && n < 32)
        {
          int universal;

          if (sscanf (name, "tooth_%d.stl", &universal) == 1)
            out[n++] = op_fdi_from_universal (universal);
        }
    }
  return n;
}

static void
skip_without_data (void)
{
  g_test_skip ("OP_SHARED_DATA does not hold open-full-jaw-p26");
}

static void
test_stage_real (void)
{
  int fdi[32];
  guint n = real_teeth (fdi);
  int without_thirds[32];
  guint m = 0;

  if (n == 0)
    {
      skip_without_data ();
      return;
    }
  g_assert_cmpuint (n, ==, 31);
  /* 31 permanent teeth with third molars: an adult dentition. */
  g_assert_cmpint (op_dentition_stage (fdi, n), ==, OP_DENTITION_ADULT);

  /* The same patient without third molars still has second molars in both
   * arches: still adult (the code follows the teeth, not the age). */
  for (guint i = 0; i < n; i++)
    if (op_fdi_type (fdi[i]) != OP_TOOTH_THIRD_MOLAR)
      without_thirds[m++] = fdi[i];
  g_assert_cmpuint (m, <, n);
  g_assert_cmpint (op_dentition_stage (without_thirds, m), ==, OP_DENTITION_ADULT);

  /* Without second and third molars: an adolescent dentition. */
  m = 0;
  for (guint i = 0; i < n; i++)
    if (op_fdi_type (fdi[i]) < OP_TOOTH_SECOND_MOLAR)
      without_thirds[m++] = fdi[i];
  g_assert_cmpint (op_dentition_stage (without_thirds, m), ==, OP_DENTITION_ADOLESCENT);

  /* Upper second molars only, lower arch without: adolescent (the lower
   * arch shows none). */
  {
    int mixed[] = { 17, 16, 11, 21, 26, 27, 36, 31, 41, 46 };
    g_assert_cmpint (op_dentition_stage (mixed, G_N_ELEMENTS (mixed)), ==, OP_DENTITION_ADOLESCENT);
  }
}

static void
test_stage_primary_transitional (void)
{
  int primary[] = { 55, 54, 53, 52, 51, 61, 62, 63, 64, 65, 75, 74, 73, 72, 71, 81, 82, 83, 84, 85 };
  int mixed[] = { 16, 55, 54, 53, 12, 11, 21, 22, 63, 64, 65, 26, 36, 75, 74, 73, 32, 31, 41, 42, 83, 84, 85, 46 };
  int junk[] = { 0, 19, 99, -3 };

  g_assert_cmpint (op_dentition_stage (primary, G_N_ELEMENTS (primary)), ==, OP_DENTITION_PRIMARY);
  g_assert_cmpint (op_dentition_stage (mixed, G_N_ELEMENTS (mixed)), ==, OP_DENTITION_TRANSITIONAL);
  /* Invalid numbers are not teeth: they change nothing. */
  g_assert_cmpint (op_dentition_stage (junk, G_N_ELEMENTS (junk)), ==, OP_DENTITION_ADULT);
  g_assert_cmpstr (op_dentition_stage_to_string (OP_DENTITION_TRANSITIONAL), ==, "transitional");
}

static OpProcedureTooth
tooth (int    fdi,
       double md,
       double rot)
{
  OpProcedureTooth t = { 0 };

  t.fdi = fdi;
  t.total.md = md;
  t.total.rot = rot;
  return t;
}

static void
test_codes (void)
{
  int fdi[32];
  guint n = real_teeth (fdi);
  g_autofree OpProcedureTooth *teeth = NULL;
  OpProcedure out[OP_PROCEDURE_MAX];
  OpProcedureOptions retention = { TRUE };
  g_autoptr(GError) error = NULL;
  guint k;

  if (n == 0)
    {
      skip_without_data ();
      return;
    }
  teeth = g_new0 (OpProcedureTooth, n);
  for (guint i = 0; i < n; i++)
    teeth[i] = tooth (fdi[i], 0, 0);

  /* Nothing moves: nothing to post, and the message says why. */
  k = op_procedure_plan (teeth, n, NULL, out, &error);
  g_assert_cmpuint (k, ==, 0);
  g_assert_error (error, OP_PROCEDURE_ERROR, OP_PROCEDURE_ERROR_NO_MOVEMENT);
  g_clear_error (&error);

  /* Upper incisors only: limited, adult. */
  for (guint i = 0; i < n; i++)
    if (fdi[i] == 11 || fdi[i] == 21)
      teeth[i].total.rot = 6.0;
    else if (fdi[i] == 12)
      teeth[i].total.md = 0.05;   /* below the threshold: not a site */
  k = op_procedure_plan (teeth, n, NULL, out, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (k, ==, 1);
  g_assert_cmpstr (out[0].code, ==, "D8040");
  g_assert_cmpuint (out[0].n_sites, ==, 2);
  g_assert_cmpint (out[0].sites[0], ==, 11);
  g_assert_cmpint (out[0].sites[1], ==, 21);
  g_assert_nonnull (strstr (out[0].description, "limited"));

  /* Anterior teeth in both arches: still limited. */
  for (guint i = 0; i < n; i++)
    if (fdi[i] == 31 || fdi[i] == 43)
      teeth[i].total.md = -0.4;
  k = op_procedure_plan (teeth, n, &retention, out, &error);
  g_assert_cmpuint (k, ==, 2);
  g_assert_cmpstr (out[0].code, ==, "D8040");
  g_assert_cmpstr (out[1].code, ==, "D8680");
  g_assert_cmpuint (out[1].n_sites, ==, 4);

  /* Premolars and molars in both arches: comprehensive. */
  for (guint i = 0; i < n; i++)
    if (fdi[i] == 14 || fdi[i] == 36)
      teeth[i].total.md = 0.8;
  k = op_procedure_plan (teeth, n, NULL, out, &error);
  g_assert_cmpuint (k, ==, 1);
  g_assert_cmpstr (out[0].code, ==, "D8090");
  g_assert_cmpuint (out[0].n_sites, ==, 6);

  /* The same movement in an adolescent dentition (no second or third
   * molars): D8080; deterministic on a second call. */
  {
    g_autofree OpProcedureTooth *young = g_new0 (OpProcedureTooth, n);
    OpProcedure again[OP_PROCEDURE_MAX];
    guint m = 0;

    for (guint i = 0; i < n; i++)
      if (op_fdi_type (fdi[i]) < OP_TOOTH_SECOND_MOLAR)
        young[m++] = teeth[i];
    k = op_procedure_plan (young, m, NULL, out, NULL);
    g_assert_cmpuint (k, ==, 1);
    g_assert_cmpstr (out[0].code, ==, "D8080");
    g_assert_cmpuint (op_procedure_plan (young, m, NULL, again, NULL), ==, 1);
    g_assert_cmpint (memcmp (out[0].sites, again[0].sites, sizeof out[0].sites), ==, 0);
  }

  /* Primary dentition has no comprehensive code: D8010; mixed: D8070. */
  {
    OpProcedureTooth prim[] = { tooth (54, 0.5, 0), tooth (64, 0.5, 0), tooth (74, 0.5, 0), tooth (84, 0.5, 0) };
    OpProcedureTooth mixed[] = { tooth (16, 0.5, 0), tooth (54, 0, 0), tooth (36, 0.5, 0), tooth (84, 0, 0) };

    g_assert_cmpuint (op_procedure_plan (prim, 4, NULL, out, NULL), ==, 1);
    g_assert_cmpstr (out[0].code, ==, "D8010");
    g_assert_cmpuint (op_procedure_plan (mixed, 4, NULL, out, NULL), ==, 1);
    g_assert_cmpstr (out[0].code, ==, "D8070");
  }

  /* No valid tooth at all. */
  {
    OpProcedureTooth bad[] = { tooth (99, 1, 0) };

    g_assert_cmpuint (op_procedure_plan (bad, 1, NULL, out, &error), ==, 0);
    g_assert_error (error, OP_PROCEDURE_ERROR, OP_PROCEDURE_ERROR_NO_TEETH);
  }
}

static void
test_code_names (void)
{
  g_assert_true (op_procedure_code_valid ("D8090"));
  g_assert_false (op_procedure_code_valid ("D809"));
  g_assert_false (op_procedure_code_valid ("d8090"));
  g_assert_false (op_procedure_code_valid ("D80x0"));
  g_assert_false (op_procedure_code_valid (NULL));
  g_assert_nonnull (op_procedure_describe ("D8680"));
  g_assert_null (op_procedure_describe ("D0120"));
  g_assert_cmpstr (OP_PROCEDURE_STATUS, ==, "TP");
}

static void
test_normalize (void)
{
  const struct { const char *in, *out; } cases[] = {
    { "Müller", "muller" },
    { "  García-López ", "garcia lopez" },
    { "O'Brien", "obrien" },
    { "O’Brien", "obrien" },
    { "ST. JOHN", "st john" },
    { "Zoë", "zoe" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = op_match_normalize_name (cases[i].in);
      g_assert_cmpstr (got, ==, cases[i].out);
    }
  {
    g_autofree char *got = op_match_normalize_name (NULL);
    g_assert_cmpstr (got, ==, "");
  }
}

static void
test_jaro_winkler (void)
{
  /* The textbook values (Winkler 1990). */
  g_assert_cmpfloat_with_epsilon (op_match_jaro_winkler ("martha", "marhta"), 0.9611, 1e-4);
  g_assert_cmpfloat_with_epsilon (op_match_jaro_winkler ("dwayne", "duane"), 0.84, 1e-4);
  g_assert_cmpfloat_with_epsilon (op_match_jaro_winkler ("dixon", "dicksonx"), 0.8133, 1e-4);
  g_assert_cmpfloat (op_match_jaro_winkler ("abc", "abc"), ==, 1.0);
  g_assert_cmpfloat (op_match_jaro_winkler ("abc", "xyz"), ==, 0.0);
  g_assert_cmpfloat (op_match_jaro_winkler ("", "abc"), ==, 0.0);
  /* Symmetric. */
  g_assert_cmpfloat (op_match_jaro_winkler ("rivera", "riviera"), ==, op_match_jaro_winkler ("riviera", "rivera"));
}

static void
test_match (void)
{
  OpMatchPerson us = { "Rivera", "Sam", "1985-03-02", "C-77" };
  OpMatchPerson them[] = {
    { "RIVERA", "Sam", "1985-03-02", NULL },           /* the same person, typed in capitals */
    { "Rivera", "Sam", "1985-03-03", NULL },           /* another birth date */
    { "Rivera", "Sam", "1985-03-02", "C-99" },         /* another chart number */
    { "Nguyen", "Sam", "1985-03-02", NULL },           /* another family */
  };
  double scores[G_N_ELEMENTS (them)];
  gboolean flagged[G_N_ELEMENTS (them)];
  const char *reason = NULL;
  int index = -2;

  g_assert_cmpint (op_match_patient (&us, them, G_N_ELEMENTS (them), scores, flagged, &index, &reason), ==, OP_MATCH_ONE);
  g_assert_cmpint (index, ==, 0);
  g_assert_true (flagged[0]);
  g_assert_false (flagged[1] || flagged[2] || flagged[3]);
  g_assert_cmpfloat (scores[0], ==, 1.0);
  g_assert_cmpfloat (scores[1], ==, 0.0);
  g_assert_cmpfloat (scores[2], ==, 0.0);
  g_assert_nonnull (reason);

  /* Accents and hyphens in the other system still match. */
  {
    OpMatchPerson me = { "García-López", "José", "2001-07-15", NULL };
    OpMatchPerson pms[] = { { "Garcia Lopez", "Jose", "2001-07-15", "881" } };

    g_assert_cmpint (op_match_patient (&me, pms, 1, NULL, NULL, &index, NULL), ==, OP_MATCH_ONE);
    g_assert_cmpint (index, ==, 0);
  }

  /* Two equal candidates: ask, never choose. */
  {
    OpMatchPerson pms[] = { { "Rivera", "Sam", "1985-03-02", NULL }, { "Rivera", "Samuel", "1985-03-02", NULL },
                            { "Rivera", "Sam", "1985-03-02", NULL } };

    g_assert_cmpint (op_match_patient (&us, pms, 3, NULL, flagged, &index, &reason), ==, OP_MATCH_ASK);
    g_assert_cmpint (index, ==, -1);
    g_assert_true (flagged[0] && flagged[2]);
    g_assert_true (strstr (reason, "Several") != NULL);
  }

  /* No date of birth on our side: ask even for a perfect name match. */
  {
    OpMatchPerson nodob = { "Rivera", "Sam", NULL, NULL };
    OpMatchPerson pms[] = { { "Rivera", "Sam", "1985-03-02", NULL } };

    g_assert_cmpint (op_match_patient (&nodob, pms, 1, NULL, flagged, &index, NULL), ==, OP_MATCH_ASK);
    g_assert_cmpint (index, ==, -1);
    g_assert_true (flagged[0]);
  }

  /* A one-letter typo in the family name is still the same patient... */
  {
    OpMatchPerson pms[] = { { "Riviera", "Sam", "1985-03-02", NULL } };

    g_assert_cmpint (op_match_patient (&us, pms, 1, NULL, NULL, &index, NULL), ==, OP_MATCH_ONE);
  }

  /* ...but a nickname in one system is similar, not the same: ask. */
  {
    OpMatchPerson pms[] = { { "Rivera", "Samantha", "1985-03-02", NULL } };

    g_assert_cmpint (op_match_patient (&us, pms, 1, scores, flagged, &index, NULL), ==, OP_MATCH_ASK);
    g_assert_cmpfloat (scores[0], >, OP_MATCH_POSSIBLE_MIN);
    g_assert_cmpfloat (scores[0], <, 1.0);
  }

  /* Nobody: none. */
  g_assert_cmpint (op_match_patient (&us, them + 1, 1, NULL, NULL, &index, &reason), ==, OP_MATCH_NONE);
  g_assert_cmpint (op_match_patient (&us, NULL, 0, NULL, NULL, &index, &reason), ==, OP_MATCH_NONE);
}

static void
test_backoff (void)
{
  OpBackoff b;
  guint64 s1 = 42, s2 = 42, s3 = 7;
  double prev_hi = 0;

  op_backoff_default (&b);
  g_assert_cmpfloat (op_backoff_delay (&b, 0, &s1), ==, 0.0);
  s1 = 42;
  for (guint r = 1; r <= 12; r++)
    {
      double d1 = op_backoff_delay (&b, r, &s1);
      double d2 = op_backoff_delay (&b, r, &s2);
      double full = MIN (b.max_s, b.base_s * pow (b.factor, r - 1));

      /* Same seed, same waits; each within [d/2, d]. */
      g_assert_cmpfloat (d1, ==, d2);
      g_assert_cmpfloat (d1, >=, full / 2);
      g_assert_cmpfloat (d1, <=, full);
      /* The upper bound grows and then stays at the cap. */
      g_assert_cmpfloat (full, >=, prev_hi);
      prev_hi = full;
    }
  g_assert_cmpfloat (prev_hi, ==, b.max_s);

  /* Another seed gives other waits. */
  {
    guint64 a = 42;
    gboolean differs = FALSE;

    for (guint r = 1; r <= 6; r++)
      if (op_backoff_delay (&b, r, &a) != op_backoff_delay (&b, r, &s3))
        differs = TRUE;
    g_assert_true (differs);
  }

  /* The random source covers [0, 1) evenly enough: mean near 0.5. */
  {
    guint64 st = 1;
    double sum = 0, lo = 1, hi = 0;

    for (guint i = 0; i < 10000; i++)
      {
        double x = op_backoff_random (&st);

        sum += x;
        lo = MIN (lo, x);
        hi = MAX (hi, x);
      }
    g_assert_cmpfloat (fabs (sum / 10000 - 0.5), <, 0.02);
    g_assert_cmpfloat (lo, >=, 0.0);
    g_assert_cmpfloat (hi, <, 1.0);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/planner/procedure/stage-real", test_stage_real);
  g_test_add_func ("/planner/procedure/stage-primary-transitional", test_stage_primary_transitional);
  g_test_add_func ("/planner/procedure/codes", test_codes);
  g_test_add_func ("/planner/procedure/code-names", test_code_names);
  g_test_add_func ("/planner/match/normalize", test_normalize);
  g_test_add_func ("/planner/match/jaro-winkler", test_jaro_winkler);
  g_test_add_func ("/planner/match/patient", test_match);
  g_test_add_func ("/planner/backoff/schedule", test_backoff);
  return g_test_run ();
}
