/* Shared helpers for the orthoplan-cli tests: every test spawns the real
 * binary the same way, so the way it is spawned lives in one place. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What one run of a program left behind: its exit status and everything it
 * wrote. The status is the program's own exit code (1 for a failure, 2 for a
 * usage error in orthoplan-cli), or 128 plus the signal number when a signal
 * ended it, so that a crash can never pass for an ordinary failure. */
typedef struct {
  int   status;
  char *out;
  char *err;
} TestCliRun;

/* Sets where every later run happens: @cwd is the working directory of the
 * spawned program and @env_db the value of ORTHOPLAN_DB in its environment.
 * With @env_db NULL, ORTHOPLAN_DB is removed, so that a test can never touch
 * the person's own database; such tests pass --db themselves. */
void        test_cli_setup      (const char *cwd,
                                 const char *env_db);

/* Runs a NULL-terminated @args (program first, looked up in PATH) with no
 * terminal on stdin, as a script would, in the C.UTF-8 locale. */
void        test_cli_spawn      (TestCliRun        *r,
                                 const char *const *args);

/* Runs $OP_CLI with a NULL-terminated list of arguments. */
void        test_cli_run        (TestCliRun *r,
                                 const char *first,
                                 ...) G_GNUC_NULL_TERMINATED;

/* Frees what a run captured, so that @r can be used for the next run. */
void        test_cli_run_clear  (TestCliRun *r);

/* The number of newline characters in @s (0 for NULL). */
int         test_cli_count_lines (const char *s);

/* Parses @text (NULL reads as empty) as JSON; a parse error fails the test
 * and returns a null node, so callers never see NULL. Free with
 * json_node_unref(). */
JsonNode   *test_cli_parse_json (const char *text);

/* @name inside the directory given to test_cli_setup(). */
char       *test_cli_tmp_path   (const char *name);

/* $OP_SHARED_DATA/open-full-jaw-p26/@arch, or NULL where the real data is
 * missing so that the caller can skip. */
char       *test_cli_real_dir   (const char *arch);

/* Removes @path and everything under it. */
void        test_cli_rm_rf      (const char *path);

G_END_DECLS
