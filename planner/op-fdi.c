/* op-fdi.c: FDI, Universal and Palmer tooth numbers. */
#include "op-fdi.h"

gboolean
op_fdi_is_primary (int fdi)
{
  int q = fdi / 10, t = fdi % 10;

  return q >= 5 && q <= 8 && t >= 1 && t <= 5;
}

gboolean
op_fdi_is_valid (int fdi)
{
  int q = fdi / 10, t = fdi % 10;

  return (q >= 1 && q <= 4 && t >= 1 && t <= 8) || op_fdi_is_primary (fdi);
}

int
op_fdi_quadrant (int fdi)
{
  int q = fdi / 10;

  return q > 4 ? q - 4 : q;
}

gboolean
op_fdi_is_upper (int fdi)
{
  int q = op_fdi_quadrant (fdi);

  return q == 1 || q == 2;
}

gboolean
op_fdi_is_left (int fdi)
{
  int q = op_fdi_quadrant (fdi);

  return q == 2 || q == 3;
}

OpToothType
op_fdi_type (int fdi)
{
  return (OpToothType) (fdi % 10);
}

gboolean
op_fdi_is_anterior (int fdi)
{
  return fdi % 10 >= 1 && fdi % 10 <= 3;
}

gboolean
op_fdi_is_molar (int fdi)
{
  /* Primary teeth 4 and 5 are molars; permanent 6-8. */
  return op_fdi_is_primary (fdi) ? fdi % 10 >= 4 : fdi % 10 >= 6;
}

int
op_fdi_mesial_neighbour (int fdi)
{
  int q = fdi / 10, t = fdi % 10;

  if (!op_fdi_is_valid (fdi))
    return 0;
  if (t > 1)
    return fdi - 1;

  /* A central incisor's mesial neighbour is the other central incisor. */
  switch (q)
    {
    case 1: return 21;
    case 2: return 11;
    case 3: return 41;
    case 4: return 31;
    case 5: return 61;
    case 6: return 51;
    case 7: return 81;
    case 8: return 71;
    default: return 0;
    }
}

int
op_fdi_distal_neighbour (int fdi)
{
  int max = op_fdi_is_primary (fdi) ? 5 : 8;

  if (!op_fdi_is_valid (fdi) || fdi % 10 >= max)
    return 0;
  return fdi + 1;
}

int
op_fdi_antagonist (int fdi)
{
  static const int across[] = { 0, 4, 3, 2, 1, 8, 7, 6, 5 };

  if (!op_fdi_is_valid (fdi))
    return 0;
  return across[fdi / 10] * 10 + fdi % 10;
}

int
op_fdi_to_universal (int fdi)
{
  int q = fdi / 10, t = fdi % 10;

  if (q < 1 || q > 4 || t < 1 || t > 8)
    return 0;
  switch (q)
    {
    case 1: return 9 - t;    /* 18 -> 1, 11 -> 8 */
    case 2: return 8 + t;    /* 21 -> 9, 28 -> 16 */
    case 3: return 25 - t;   /* 38 -> 17, 31 -> 24 */
    default: return 24 + t;  /* 41 -> 25, 48 -> 32 */
    }
}

int
op_fdi_from_universal (int u)
{
  if (u >= 1 && u <= 8)
    return 10 + (9 - u);
  if (u >= 9 && u <= 16)
    return 20 + (u - 8);
  if (u >= 17 && u <= 24)
    return 30 + (25 - u);
  if (u >= 25 && u <= 32)
    return 40 + (u - 24);
  return 0;
}

char *
op_fdi_format (int         fdi,
               OpNumbering numbering)
{
  static const char *palmer_quadrant[] = { "", "UR", "UL", "LL", "LR" };

  if (!op_fdi_is_valid (fdi))
    return g_strdup ("?");

  switch (numbering)
    {
    case OP_NUMBERING_UNIVERSAL:
      if (op_fdi_is_primary (fdi))
        {
          /* Primary teeth are lettered A-T in the Universal system:
           * A upper right second molar ... J upper left, K lower left
           * second molar ... T lower right. */
          int q = fdi / 10, t = fdi % 10;
          int idx = q == 5 ? 5 - t : q == 6 ? 4 + t : q == 7 ? 15 - t : 14 + t;
          return g_strdup_printf ("%c", 'A' + idx);
        }
      return g_strdup_printf ("%d", op_fdi_to_universal (fdi));

    case OP_NUMBERING_PALMER:
      if (op_fdi_is_primary (fdi))
        return g_strdup_printf ("%s%c", palmer_quadrant[op_fdi_quadrant (fdi)], 'A' + fdi % 10 - 1);
      return g_strdup_printf ("%s%d", palmer_quadrant[op_fdi_quadrant (fdi)], fdi % 10);

    case OP_NUMBERING_FDI:
    default:
      return g_strdup_printf ("%d", fdi);
    }
}

gboolean
op_numbering_from_string (const char  *str,
                          OpNumbering *out)
{
  if (g_strcmp0 (str, "fdi") == 0)
    *out = OP_NUMBERING_FDI;
  else if (g_strcmp0 (str, "universal") == 0)
    *out = OP_NUMBERING_UNIVERSAL;
  else if (g_strcmp0 (str, "palmer") == 0)
    *out = OP_NUMBERING_PALMER;
  else
    return FALSE;
  return TRUE;
}

int
op_fdi_arch_position (int fdi)
{
  int t = fdi % 10;

  return op_fdi_is_left (fdi) ? t : -t;
}
