/* test-cli-util.c: the one copy of the helpers every orthoplan-cli test uses
 * to spawn the real binary and read what it printed (test-cli-util.h).
 * Keeping it in one place means a fix to how the CLI is run, such as the
 * database it may touch or how an exit status is read, reaches every test.
 */
#include <stdarg.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "test-cli-util.h"

static char *cli_cwd;
static char *cli_env_db;

void
test_cli_setup (const char *cwd,
                const char *env_db)
{
  g_free (cli_cwd);
  g_free (cli_env_db);
  cli_cwd = g_strdup (cwd);
  cli_env_db = g_strdup (env_db);
}

void
test_cli_spawn (TestCliRun        *r,
                const char *const *args)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  int wait_status = 0;

  /* Never let a test touch the person's own database. */
  if (cli_env_db != NULL)
    env = g_environ_setenv (env, "ORTHOPLAN_DB", cli_env_db, TRUE);
  else
    env = g_environ_unsetenv (env, "ORTHOPLAN_DB");
  /* Messages are compared as English text. */
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  r->out = r->err = NULL;
  r->status = 255;
  g_spawn_sync (cli_cwd, (char **) args, env, G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                &r->out, &r->err, &wait_status, &error);
  g_assert_no_error (error);
  if (error != NULL)
    return;
  if (WIFEXITED (wait_status))
    r->status = WEXITSTATUS (wait_status);
  else if (WIFSIGNALED (wait_status))
    r->status = 128 + WTERMSIG (wait_status);
}

void
test_cli_run (TestCliRun *r,
              const char *first,
              ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *cli = g_getenv ("OP_CLI");
  va_list ap;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) (cli ? cli : "orthoplan-cli"));
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  test_cli_spawn (r, (const char *const *) argv->pdata);
}

void
test_cli_run_clear (TestCliRun *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

int
test_cli_count_lines (const char *s)
{
  int n = 0;

  for (; s && *s; s++)
    n += *s == '\n';
  return n;
}

JsonNode *
test_cli_parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text ? text : "", -1, &error);
  g_assert_no_error (error);
  if (error != NULL || json_parser_get_root (parser) == NULL)
    return json_node_new (JSON_NODE_NULL);
  return json_node_copy (json_parser_get_root (parser));
}

char *
test_cli_tmp_path (const char *name)
{
  return g_build_filename (cli_cwd, name, NULL);
}

char *
test_cli_real_dir (const char *arch)
{
  const char *root = g_getenv ("OP_SHARED_DATA");
  char *dir = root ? g_build_filename (root, "open-full-jaw-p26", arch, NULL) : NULL;

  if (dir && !g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_clear_pointer (&dir, g_free);
  return dir;
}

void
test_cli_rm_rf (const char *path)
{
  g_autoptr(GDir) d = NULL;
  const char *n;

  /* A plain file (or a link) goes at once; only real folders are walked. */
  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_unlink (path);
      return;
    }
  d = g_dir_open (path, 0, NULL);
  while (d && (n = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (path, n, NULL);

      test_cli_rm_rf (p);
    }
  g_rmdir (path);
}
