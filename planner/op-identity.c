/* op-identity.c: matching a DICOM patient against the case's patient. */
#include "op-identity.h"

#include <string.h>

/* Lower case, no accents, no surrounding spaces: "  Müller " -> "muller". */
static char *
fold (const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));
  g_autofree char *decomposed = g_utf8_normalize (stripped, -1, G_NORMALIZE_ALL);
  g_autofree char *folded = NULL;
  GString *out;

  if (decomposed == NULL)
    return g_ascii_strdown (stripped, -1);
  folded = g_utf8_casefold (decomposed, -1);
  out = g_string_new (NULL);
  for (const char *p = folded; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_combining_class (c) == 0)
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static gboolean
blank (const char *s)
{
  for (; s && *s; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

/* Names that anonymisers leave behind. */
static gboolean
anonymous_name (const char *folded)
{
  static const char * const names[] = { "", "anonymous", "anonymized", "anonymised", "removed", "anon", "unknown" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (folded, names[i]))
      return TRUE;
  return FALSE;
}

OpIdentityResult
op_identity_compare (const char  *dicom_name,
                     const char  *dicom_birth_date,
                     const char  *dicom_id,
                     const char  *family_name,
                     const char  *given_name,
                     const char  *birth_date,
                     const char  *chart_number,
                     char       **message)
{
  OpIdentityResult result = OP_IDENTITY_MATCH;
  g_autofree char *name = fold (dicom_name);
  gboolean compared = FALSE;

  if (message)
    *message = NULL;

  if (!anonymous_name (name))
    {
      g_auto(GStrv) parts = g_strsplit (name, "^", -1);
      g_autofree char *fam = fold (family_name);
      g_autofree char *giv = fold (given_name);
      g_autofree char *dfam = g_strstrip (g_strdup (parts[0] ? parts[0] : ""));
      g_autofree char *dgiv = g_strstrip (g_strdup (parts[0] && parts[1] ? parts[1] : ""));

      compared = TRUE;
      /* The given name in DICOM may carry a middle name after a space
       * ("Anne Marie"); the case's first word must match its first word. */
      if (!g_str_equal (dfam, fam))
        result |= OP_IDENTITY_NAME_MISMATCH;
      else if (*dgiv && *giv)
        {
          g_auto(GStrv) dg = g_strsplit (dgiv, " ", 2);
          g_auto(GStrv) cg = g_strsplit (giv, " ", 2);

          if (!g_str_equal (dg[0], cg[0]))
            result |= OP_IDENTITY_NAME_MISMATCH;
        }
    }
  if (!blank (dicom_birth_date) && !blank (birth_date))
    {
      compared = TRUE;
      if (strcmp (dicom_birth_date, birth_date) != 0)
        result |= OP_IDENTITY_BIRTH_DATE_MISMATCH;
    }
  if (!blank (dicom_id) && !blank (chart_number))
    {
      g_autofree char *a = fold (dicom_id);
      g_autofree char *b = fold (chart_number);

      compared = TRUE;
      if (!g_str_equal (a, b) && !anonymous_name (a))
        result |= OP_IDENTITY_ID_MISMATCH;
    }
  if (!compared)
    result |= OP_IDENTITY_ANONYMOUS;

  if (message && (result & ~OP_IDENTITY_ANONYMOUS))
    {
      g_autoptr(GPtrArray) fields = g_ptr_array_new ();

      if (result & OP_IDENTITY_NAME_MISMATCH)
        g_ptr_array_add (fields, (char *) "name");
      if (result & OP_IDENTITY_BIRTH_DATE_MISMATCH)
        g_ptr_array_add (fields, (char *) "birth date");
      if (result & OP_IDENTITY_ID_MISMATCH)
        g_ptr_array_add (fields, (char *) "id");
      g_ptr_array_add (fields, NULL);
      {
        g_autofree char *list = g_strjoinv (", ", (char **) fields->pdata);

        *message = g_strdup_printf ("the CBCT is of %s (born %s, id %s) but the case is %s, %s (born %s, chart %s): "
                                    "%s differ%s",
                                    dicom_name ? dicom_name : "?", dicom_birth_date ? dicom_birth_date : "?",
                                    dicom_id ? dicom_id : "?", family_name ? family_name : "?",
                                    given_name ? given_name : "?", birth_date ? birth_date : "?",
                                    chart_number ? chart_number : "?", list, fields->len > 2 ? "" : "s");
      }
    }
  else if (message && (result & OP_IDENTITY_ANONYMOUS))
    *message = g_strdup ("the CBCT headers carry no patient identity (anonymised); check it is this patient's scan");
  return result;
}
