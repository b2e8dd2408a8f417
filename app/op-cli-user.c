/* op-cli-user.c: orthoplan-cli user | approve | request-changes | verify | audit.
 *
 * A command that acts as a person takes --user NAME and reads the password
 * from --password-file PATH; without that option it asks on the terminal
 * with echo off, and refuses when there is no terminal, so a script never
 * hangs waiting for a password nobody will type.  Every decision (roles,
 * states, password rules) is the store's, which asks planner/.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "op-cli-private.h"

static void
wipe_free (char *secret)
{
  if (secret != NULL)
    {
      explicit_bzero (secret, strlen (secret));
      g_free (secret);
    }
}

typedef char OpSecret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpSecret, wipe_free)

/* Reads a password from @path (one line: a final newline is not part of
 * it), or from the terminal when @path is NULL. */
static char *
read_password (const char  *path,
               const char  *option,
               const char  *prompt,
               GError     **error)
{
  if (path != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      char *contents = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &contents, &len, &local_error))
        {
          g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED, "%s %s: %s", option, path, local_error->message);
          return NULL;
        }
      if (strlen (contents) != len)
        {
          wipe_free (contents);
          g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED,
                       _("%s %s: the file holds a NUL byte; write the password as one line of text"), option, path);
          return NULL;
        }
      if (len > 0 && contents[len - 1] == '\n')
        contents[--len] = '\0';
      if (len > 0 && contents[len - 1] == '\r')
        contents[--len] = '\0';
      return contents;
    }

  if (!isatty (STDIN_FILENO))
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                   _("%s PATH is needed: there is no terminal to ask for the password"), option);
      return NULL;
    }

  {
    struct termios old, quiet;
    char line[1024];
    gboolean restored;
    char *got;

    if (tcgetattr (STDIN_FILENO, &old) != 0)
      {
        g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED,
                     _("Could not turn off echo on the terminal: %s"), g_strerror (errno));
        return NULL;
      }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t) ECHO;
    fprintf (stderr, "%s", prompt);
    fflush (stderr);
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    got = fgets (line, sizeof line, stdin);
    restored = tcsetattr (STDIN_FILENO, TCSAFLUSH, &old) == 0;
    fprintf (stderr, "\n");
    if (!restored)
      g_warning ("Could not turn echo back on; run “stty echo”");
    if (got == NULL)
      {
        g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED, _("No password was typed"));
        return NULL;
      }
    line[strcspn (line, "\r\n")] = '\0';
    got = g_strdup (line);
    explicit_bzero (line, sizeof line);
    return got;
  }
}

static gboolean
parse_case_id (const char  *command,
               int          argc,
               char       **argv,
               gint64      *out_id,
               GError     **error)
{
  char *end = NULL;
  gint64 id;

  if (argc != 2)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("%s: name exactly one case number"), command);
      return FALSE;
    }
  id = g_ascii_strtoll (argv[1], &end, 10);
  if (end == argv[1] || *end != '\0' || id <= 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("%s: “%s” is not a case number"), command, argv[1]);
      return FALSE;
    }
  *out_id = id;
  return TRUE;
}

static gboolean
need_user (const char  *command,
           const char  *user,
           GError     **error)
{
  if (user == NULL || user[0] == '\0')
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("%s: --user NAME is required"), command);
      return FALSE;
    }
  return TRUE;
}

static void
add_user_members (JsonBuilder  *b,
                  const OpUser *u)
{
  json_builder_set_member_name (b, "login");
  json_builder_add_string_value (b, u->login);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, u->name);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, op_role_to_string (u->role));
  json_builder_set_member_name (b, "npi");
  if (u->npi)
    json_builder_add_string_value (b, u->npi);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "fingerprint");
  if (u->fingerprint)
    json_builder_add_string_value (b, u->fingerprint);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, u->created_at);
  json_builder_set_member_name (b, "failed_attempts");
  json_builder_add_int_value (b, u->failed_attempts);
}

/* user add NAME --role ROLE [--npi N] [--full-name TEXT] --new-password-file PATH */
static gboolean
user_add (OpCliGlobals  *globals,
          int            argc,
          char         **argv,
          GError       **error)
{
  g_autofree char *role_text = NULL, *npi = NULL, *full_name = NULL;
  g_autofree char *new_password_file = NULL, *user = NULL, *password_file = NULL;
  g_autoptr(OpSecret) new_password = NULL;
  g_autoptr(OpStore) store = NULL;
  OpUserInput input = { 0 };
  gint64 n_users;
  gint64 id;
  GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_text, N_("administrator, provider, coordinator or assistant"), N_("ROLE") },
    { "npi", 0, 0, G_OPTION_ARG_STRING, &npi, N_("National Provider Identifier (providers)"), N_("N") },
    { "full-name", 0, 0, G_OPTION_ARG_STRING, &full_name, N_("Printed name, as on a signature (default: NAME)"), N_("TEXT") },
    { "new-password-file", 0, 0, G_OPTION_ARG_FILENAME, &new_password_file, N_("File holding the new user's password"), N_("PATH") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("The administrator adding the user (not for the first user)"), N_("NAME") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("File holding that administrator's password"), N_("PATH") },
    { NULL }
  };

  if (!op_cli_parse (_("NAME — add a user"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("user add: name exactly one login NAME"));
      return FALSE;
    }
  if (role_text == NULL || !op_role_from_string (role_text, &input.role))
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                   _("user add: --role must be administrator, provider, coordinator or assistant (got “%s”)"),
                   role_text ? role_text : "");
      return FALSE;
    }
  if (new_password_file == NULL && !isatty (STDIN_FILENO))
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                           _("user add: --new-password-file PATH is needed: there is no terminal to ask for the password"));
      return FALSE;
    }

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;

  /* The first user needs no one signed in; after that the store asks
   * for an administrator, so sign in first when there are users. */
  n_users = op_store_count_users (store, error);
  if (n_users < 0)
    return FALSE;
  if (n_users > 0)
    {
      g_autoptr(OpSecret) password = NULL;
      g_autoptr(OpUser) me = NULL;

      if (!need_user ("user add", user, error))
        return FALSE;
      password = read_password (password_file, "--password-file", _("Your password: "), error);
      if (password == NULL)
        return FALSE;
      me = op_store_sign_in (store, user, password, error);
      if (me == NULL)
        return FALSE;
    }

  new_password = read_password (new_password_file, "--new-password-file", _("New user's password: "), error);
  if (new_password == NULL)
    return FALSE;

  input.login = argv[1];
  input.name = full_name ? full_name : argv[1];
  input.npi = npi;
  input.password = new_password;
  id = op_store_add_user (store, &input, error);
  op_store_sign_out (store);
  if (id == 0)
    return FALSE;

  g_print (_("Added %s (%s), user %lld.\n"), argv[1], op_role_to_string (input.role), (long long) id);
  return TRUE;
}

static gboolean
user_list (OpCliGlobals  *globals,
           int            argc,
           char         **argv,
           GError       **error)
{
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GPtrArray) users = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array"), NULL },
    { NULL }
  };

  if (!op_cli_parse (_("— list the users"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("user list: unexpected argument “%s”"), argv[1]);
      return FALSE;
    }
  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  users = op_store_list_users (store, error);
  if (users == NULL)
    return FALSE;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < users->len; i++)
        {
          json_builder_begin_object (b);
          add_user_members (b, g_ptr_array_index (users, i));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      op_cli_print_json (json_builder_get_root (b));
      return TRUE;
    }

  for (guint i = 0; i < users->len; i++)
    {
      OpUser *u = g_ptr_array_index (users, i);

      g_print ("%-16s %-14s %-10s %-16s %s\n", u->login, op_role_to_string (u->role),
               u->npi ? u->npi : "-", u->fingerprint ? u->fingerprint : "-", u->name);
    }
  return TRUE;
}

gboolean
op_cli_user (OpCliGlobals  *globals,
             int            argc,
             char         **argv,
             GError       **error)
{
  if (argc >= 2 && g_str_equal (argv[1], "add"))
    return user_add (globals, argc - 1, argv + 1, error);
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return user_list (globals, argc - 1, argv + 1, error);

  g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                       _("user: say “add” or “list”; run “orthoplan-cli user add --help”"));
  return FALSE;
}

static void
add_approval_members (JsonBuilder      *b,
                      const OpApproval *a)
{
  json_builder_set_member_name (b, "plan_version");
  json_builder_add_int_value (b, a->plan_version);
  json_builder_set_member_name (b, "signer");
  json_builder_add_string_value (b, a->signer_login);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, a->signer_name);
  json_builder_set_member_name (b, "npi");
  if (a->signer_npi)
    json_builder_add_string_value (b, a->signer_npi);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "meaning");
  json_builder_add_string_value (b, a->meaning);
  json_builder_set_member_name (b, "signed_at");
  json_builder_add_string_value (b, a->signed_at);
  json_builder_set_member_name (b, "plan_sha256");
  json_builder_add_string_value (b, a->plan_sha256);
  json_builder_set_member_name (b, "fingerprint");
  json_builder_add_string_value (b, a->fingerprint);
}

static void
print_approval (const OpApproval *a)
{
  g_print (_("Signed by:   %s (%s), NPI %s\n"), a->signer_name, a->signer_login, a->signer_npi ? a->signer_npi : "-");
  g_print (_("Signed at:   %s\n"), a->signed_at);
  g_print (_("Meaning:     %s\n"), a->meaning);
  g_print (_("Plan SHA-256: %s\n"), a->plan_sha256);
  g_print (_("Key:         %s\n"), a->fingerprint);
}

gboolean
op_cli_approve (OpCliGlobals  *globals,
                int            argc,
                char         **argv,
                GError       **error)
{
  g_autofree char *user = NULL, *password_file = NULL;
  g_autoptr(OpSecret) password = NULL;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpApproval) a = NULL;
  gboolean json = FALSE;
  gint64 case_id;
  GOptionEntry entries[] = {
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("The provider signing"), N_("NAME") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("File holding the provider's password"), N_("PATH") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the signed record as JSON"), NULL },
    { NULL }
  };

  if (!op_cli_parse (_("CASE — sign the case's latest plan for production"), NULL, entries, &argc, &argv, error) ||
      !parse_case_id ("approve", argc, argv, &case_id, error) ||
      !need_user ("approve", user, error))
    return FALSE;

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  password = read_password (password_file, "--password-file", _("Password (to sign): "), error);
  if (password == NULL)
    return FALSE;

  a = op_store_approve (store, case_id, user, password, error);
  if (a == NULL)
    return FALSE;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "case");
      json_builder_add_int_value (b, case_id);
      add_approval_members (b, a);
      json_builder_end_object (b);
      op_cli_print_json (json_builder_get_root (b));
    }
  else
    {
      g_print (_("Case %lld approved.\n"), (long long) case_id);
      print_approval (a);
    }
  return TRUE;
}

gboolean
op_cli_request_changes (OpCliGlobals  *globals,
                        int            argc,
                        char         **argv,
                        GError       **error)
{
  g_autofree char *user = NULL, *password_file = NULL, *note = NULL;
  g_autoptr(OpSecret) password = NULL;
  g_autoptr(OpStore) store = NULL;
  gint64 case_id;
  GOptionEntry entries[] = {
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("The provider asking"), N_("NAME") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("File holding the provider's password"), N_("PATH") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("What should change"), N_("TEXT") },
    { NULL }
  };

  if (!op_cli_parse (_("CASE — send the plan back to planning with a note"), NULL, entries, &argc, &argv, error) ||
      !parse_case_id ("request-changes", argc, argv, &case_id, error) ||
      !need_user ("request-changes", user, error))
    return FALSE;
  if (note == NULL)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("request-changes: --note TEXT is required"));
      return FALSE;
    }

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  password = read_password (password_file, "--password-file", _("Password: "), error);
  if (password == NULL)
    return FALSE;
  if (!op_store_request_changes (store, case_id, user, password, note, error))
    return FALSE;

  g_print (_("Case %lld sent back to planning with your note.\n"), (long long) case_id);
  return TRUE;
}

gboolean
op_cli_verify (OpCliGlobals  *globals,
               int            argc,
               char         **argv,
               GError       **error)
{
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpApproval) a = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean json = FALSE;
  gboolean valid;
  gint64 case_id;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { NULL }
  };

  if (!op_cli_parse (_("CASE — check the latest approval against the stored plan"), NULL, entries, &argc, &argv, error) ||
      !parse_case_id ("verify", argc, argv, &case_id, error))
    return FALSE;

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;

  valid = op_store_verify_approval (store, case_id, &a, &local_error);
  if (!valid && a == NULL && !g_error_matches (local_error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND) &&
      !g_error_matches (local_error, OP_STORE_ERROR, OP_STORE_ERROR_BAD_SIGNATURE))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* Checking an approval is looking at the case: the log says who did. */
  {
    g_autofree char *object = g_strdup_printf ("case:%lld", (long long) case_id);

    if (!op_store_audit (store, "case.verify", object, valid ? "valid" : local_error->message, error))
      return FALSE;
  }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "case");
      json_builder_add_int_value (b, case_id);
      json_builder_set_member_name (b, "valid");
      json_builder_add_boolean_value (b, valid);
      if (a != NULL)
        add_approval_members (b, a);
      json_builder_set_member_name (b, "error");
      if (valid)
        json_builder_add_null_value (b);
      else
        json_builder_add_string_value (b, local_error->message);
      json_builder_end_object (b);
      op_cli_print_json (json_builder_get_root (b));
    }
  else if (a != NULL)
    {
      g_print (valid ? _("Case %lld: the approval is valid for the stored plan.\n")
                     : _("Case %lld: the approval is NOT valid.\n"), (long long) case_id);
      print_approval (a);
    }

  if (!valid)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
op_cli_audit (OpCliGlobals  *globals,
              int            argc,
              char         **argv,
              GError       **error)
{
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean json = FALSE;
  gint64 n_good = 0, first_broken = 0;
  gboolean valid;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { NULL }
  };

  if (argc < 2 || !g_str_equal (argv[1], "verify"))
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("audit: say “verify”"));
      return FALSE;
    }
  argc--, argv++;
  if (!op_cli_parse (_("— check the audit log's hash chain"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("audit verify: unexpected argument “%s”"), argv[1]);
      return FALSE;
    }

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;

  valid = op_store_verify_audit_report (store, &n_good, &first_broken, &local_error);
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "valid");
      json_builder_add_boolean_value (b, valid);
      json_builder_set_member_name (b, "entries_verified");
      json_builder_add_int_value (b, n_good);
      json_builder_set_member_name (b, "first_broken");
      if (valid)
        json_builder_add_null_value (b);
      else
        json_builder_add_int_value (b, first_broken);
      json_builder_set_member_name (b, "error");
      if (valid)
        json_builder_add_null_value (b);
      else
        json_builder_add_string_value (b, local_error->message);
      json_builder_end_object (b);
      op_cli_print_json (json_builder_get_root (b));
    }
  else if (valid)
    g_print (_("The audit log is intact: %lld entries, each linked to the one before.\n"), (long long) n_good);

  if (!valid)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}
