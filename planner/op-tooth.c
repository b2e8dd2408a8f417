/* op-tooth.c: the tooth and dentition containers. */
#include "op-tooth.h"

OpTooth *
op_tooth_new (int     fdi,
              OpMesh *crown)
{
  OpTooth *tooth = g_new0 (OpTooth, 1);

  g_return_val_if_fail (op_fdi_is_valid (fdi), NULL);

  tooth->fdi = fdi;
  tooth->crown = crown;
  tooth->confidence = 1.f;
  return tooth;
}

OpTooth *
op_tooth_copy (const OpTooth *tooth)
{
  OpTooth *copy;

  g_return_val_if_fail (tooth != NULL, NULL);

  copy = g_memdup2 (tooth, sizeof *tooth);
  copy->crown = tooth->crown ? op_mesh_copy (tooth->crown) : NULL;
  copy->root = tooth->root ? op_mesh_copy (tooth->root) : NULL;
  return copy;
}

void
op_tooth_free (OpTooth *tooth)
{
  if (tooth == NULL)
    return;
  op_mesh_free (tooth->crown);
  op_mesh_free (tooth->root);
  g_free (tooth);
}

OpDentition *
op_dentition_new (void)
{
  OpDentition *d = g_new0 (OpDentition, 1);

  d->teeth = g_ptr_array_new_with_free_func ((GDestroyNotify) op_tooth_free);
  return d;
}

OpDentition *
op_dentition_copy (const OpDentition *dentition)
{
  OpDentition *d = op_dentition_new ();

  for (guint i = 0; i < dentition->teeth->len; i++)
    g_ptr_array_add (d->teeth, op_tooth_copy (g_ptr_array_index (dentition->teeth, i)));
  if (dentition->gingiva_upper)
    d->gingiva_upper = op_mesh_copy (dentition->gingiva_upper);
  if (dentition->gingiva_lower)
    d->gingiva_lower = op_mesh_copy (dentition->gingiva_lower);
  return d;
}

void
op_dentition_free (OpDentition *dentition)
{
  if (dentition == NULL)
    return;
  g_ptr_array_unref (dentition->teeth);
  op_mesh_free (dentition->gingiva_upper);
  op_mesh_free (dentition->gingiva_lower);
  g_free (dentition);
}

void
op_dentition_add (OpDentition *dentition,
                  OpTooth     *tooth)
{
  guint i;

  g_return_if_fail (dentition != NULL && tooth != NULL);

  for (i = 0; i < dentition->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (dentition->teeth, i);

      if (t->fdi == tooth->fdi)
        {
          op_tooth_free (g_ptr_array_steal_index (dentition->teeth, i));
          break;
        }
      if (t->fdi > tooth->fdi)
        break;
    }
  for (i = 0; i < dentition->teeth->len; i++)
    if (((OpTooth *) g_ptr_array_index (dentition->teeth, i))->fdi > tooth->fdi)
      break;
  g_ptr_array_insert (dentition->teeth, (int) i, tooth);
}

OpTooth *
op_dentition_get (const OpDentition *dentition,
                  int                fdi)
{
  for (guint i = 0; i < dentition->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (dentition->teeth, i);

      if (t->fdi == fdi)
        return t;
    }
  return NULL;
}

guint
op_dentition_count_arch (const OpDentition *dentition,
                         gboolean           upper)
{
  guint n = 0;

  for (guint i = 0; i < dentition->teeth->len; i++)
    if (op_fdi_is_upper (((OpTooth *) g_ptr_array_index (dentition->teeth, i))->fdi) == upper)
      n++;
  return n;
}
