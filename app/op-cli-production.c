/* op-cli-production.c: orthoplan-cli export CASE --production DIR
 * [--arch upper|lower|both] [--stages A-B].
 *
 * Writes models, attachment templates and trim lines.  Parses the options and hands the case to io/op-production.h, which
 * checks the approval, writes the folder and audits; this file makes no
 * decision of its own.  Files written go to stdout, one per line, and
 * progress to stderr.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "op-cli-private.h"
#include "op-production.h"

static void
print_progress (guint done, guint total, gpointer data)
{
  g_printerr (_("production: %u of %u files\n"), done, total);
}

static gboolean
parse_stages (const char *text, guint *first, guint *last, GError **error)
{
  char *end = NULL;
  guint64 a, b;

  a = g_ascii_strtoull (text, &end, 10);
  if (end == text)
    goto bad;
  b = a;
  if (*end == '-')
    {
      const char *second = end + 1;
      b = g_ascii_strtoull (second, &end, 10);
      if (end == second)
        goto bad;
    }
  if (*end != '\0' || b < a || b > 999)
    goto bad;
  *first = (guint) a;
  *last = (guint) b;
  return TRUE;
bad:
  g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
               _("--stages: “%s” is not a stage range such as 0-12 or 5"), text);
  return FALSE;
}

gboolean
op_cli_export_production (OpCliGlobals  *globals,
                          const char    *case_text,
                          const char    *dir,
                          const char    *arch,
                          const char    *stages,
                          GError       **error)
{
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpProductionResult) res = NULL;
  OpProductionOptions o;
  gint64 case_id;

  op_production_options_init (&o);
  if (!op_cli_parse_case_id (case_text, &case_id, error))
    return FALSE;
  if (arch == NULL || g_strcmp0 (arch, "both") == 0)
    ;
  else if (g_strcmp0 (arch, "upper") == 0)
    o.lower = FALSE;
  else if (g_strcmp0 (arch, "lower") == 0)
    o.upper = FALSE;
  else
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("--arch: “%s” is not upper, lower or both"), arch);
      return FALSE;
    }
  if (stages && !parse_stages (stages, &o.first_stage, &o.last_stage, error))
    return FALSE;
  /* The lab cuts each aligner along its trim line; it is cheap, so the
   * CLI always writes it, 1 mm above the margin. */
  o.trim_lines = TRUE;
  o.progress = print_progress;
  o.cancellable = globals->cancellable;

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  res = op_production_export_case (store, case_id, dir, &o, error);
  if (res == NULL)
    return FALSE;
  for (guint i = 0; i < res->files->len; i++)
    {
      const OpProductionFile *f = g_ptr_array_index (res->files, i);
      g_autofree char *path = g_build_filename (dir, f->name, NULL);
      g_print ("%s\n", path);
    }
  {
    g_autofree char *m = g_build_filename (dir, "manifest.json", NULL);
    g_autofree char *c = g_build_filename (dir, "manifest.csv", NULL);
    g_print ("%s\n%s\n", c, m);
  }
  return TRUE;
}
