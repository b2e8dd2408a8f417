/* Tests for the patient simulation page (io/op-export-html.c) on the real
 * 31-tooth dentition with generated 30-stage plans, and of the page
 * itself in headless Chromium with the network off. */
#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "op-export-html.h"
#include "op-image.h"
#include "op-schedule.h"
#include "test-export-util.h"

static char *tmpdir;

/* The browser window of the screenshots. */
#define SHOT_W 1000
#define SHOT_H 700
static OpDentition *real_teeth;

static void
rm_rf (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static gboolean
need_real_teeth (void)
{
  if (real_teeth == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return FALSE;
    }
  return TRUE;
}

static gboolean
bytes_contain (GBytes *bytes, const char *needle)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return g_strstr_len (data, (gssize) len, needle) != NULL;
}

/* The typical case stays under 10 MB, holds no address to fetch, and the
 * same inputs give the same bytes. */
static void
test_size (void)
{
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) full = NULL;
  g_autoptr(GError) error = NULL;
  OpHtmlOptions o = { .practice_name = "Bright Smiles", .given_name = "Anna" };
  OpHtmlOptions all = o;

  if (!need_real_teeth ())
    return;
  plan = test_export_plan (real_teeth, 31, FALSE);
  page = op_export_html_build (real_teeth, plan, &o, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (page);
  g_test_message ("page: %" G_GSIZE_FORMAT " bytes", g_bytes_get_size (page));
  g_assert_cmpuint (g_bytes_get_size (page), <, OP_HTML_TYPICAL_LIMIT_BYTES);
  /* A page of 31 teeth is not a few bytes of template either. */
  g_assert_cmpuint (g_bytes_get_size (page), >, 500 * 1024);

  again = op_export_html_build (real_teeth, plan, &o, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (page, again));

  /* Nothing the browser could go and fetch. */
  g_assert_false (bytes_contain (page, "http://"));
  g_assert_false (bytes_contain (page, "https://"));
  g_assert_false (bytes_contain (page, " src=\""));
  g_assert_false (bytes_contain (page, "{{OP_"));
  g_assert_true (bytes_contain (page, "DecompressionStream"));
  g_assert_true (bytes_contain (page, "\"aligners\":30"));
  g_assert_true (bytes_contain (page, "\"days\":420"));

  /* Even every triangle of every tooth stays under the limit. */
  all.max_triangles = G_MAXUINT;
  full = op_export_html_build (real_teeth, plan, &all, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("full resolution page: %" G_GSIZE_FORMAT " bytes", g_bytes_get_size (full));
  g_assert_cmpuint (g_bytes_get_size (full), >, g_bytes_get_size (page));
  g_assert_cmpuint (g_bytes_get_size (full), <, OP_HTML_TYPICAL_LIMIT_BYTES);
}

/* First name only unless asked; names and practice never become markup. */
static void
test_names (void)
{
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GBytes) full = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *n1 = NULL, *n2 = NULL;
  OpHtmlOptions o = { .practice_name = "Smiles </script><b>bold</b>", .given_name = " Zoë ",
                      .family_name = "Quixotic-Surname" };

  n1 = op_export_html_display_name (&o);
  g_assert_cmpstr (n1, ==, "Zoë");
  o.show_full_name = TRUE;
  n2 = op_export_html_display_name (&o);
  g_assert_cmpstr (n2, ==, "Zoë Quixotic-Surname");
  o.show_full_name = FALSE;

  if (!need_real_teeth ())
    return;
  plan = test_export_plan (real_teeth, 4, FALSE);
  page = op_export_html_build (real_teeth, plan, &o, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (bytes_contain (page, "Zoë"));
  g_assert_false (bytes_contain (page, "Quixotic"));
  g_assert_false (bytes_contain (page, "</script><b>"));
  g_assert_true (bytes_contain (page, "Smiles \\u003c/script\\u003e\\u003cb\\u003ebold"));

  o.show_full_name = TRUE;
  full = op_export_html_build (real_teeth, plan, &o, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (bytes_contain (full, "Quixotic-Surname"));
}

static void
test_logo (void)
{
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *png = g_build_filename (tmpdir, "logo.png", NULL);
  g_autofree char *txt = g_build_filename (tmpdir, "logo.txt", NULL);
  g_autofree char *missing = g_build_filename (tmpdir, "no-such-logo.png", NULL);
  g_autofree char *uri = NULL;
  guint8 rgba[4 * 8 * 8];
  OpHtmlOptions o = { .practice_name = "Bright Smiles" };

  for (guint i = 0; i < sizeof rgba; i++)
    rgba[i] = (guint8) (i * 7);
  g_assert_true (op_image_save_png (rgba, 8, 8, png, NULL));
  g_assert_true (g_file_set_contents (txt, "just words", -1, NULL));

  uri = op_export_logo_data_uri (png, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (uri, "data:image/png;base64,iVBORw0KGgo"));

  g_assert_null (op_export_logo_data_uri (missing, &error));
  g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_LOGO);
  g_assert_nonnull (strstr (error->message, "no-such-logo.png"));
  g_assert_nonnull (strstr (error->message, "no such file"));
  g_clear_error (&error);

  g_assert_null (op_export_logo_data_uri (txt, &error));
  g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_LOGO);
  g_assert_nonnull (strstr (error->message, "not a PNG"));
  g_clear_error (&error);

  if (!need_real_teeth ())
    return;
  plan = test_export_plan (real_teeth, 3, FALSE);
  o.logo_path = missing;
  g_assert_null (op_export_html_build (real_teeth, plan, &o, NULL, &error));
  g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_LOGO);
  g_clear_error (&error);
  o.logo_path = png;
  page = op_export_html_build (real_teeth, plan, &o, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (bytes_contain (page, uri));
}

/* A plan tooth with no mesh, an unwritable target, a full disk. */
static void
test_bad_input (void)
{
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(OpDentition) fewer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *nodir = g_build_filename (tmpdir, "no-such-folder", "page.html", NULL);
  g_autofree char *isdir = g_build_filename (tmpdir, "a-folder", NULL);
  g_autofree char *good = g_build_filename (tmpdir, "good.html", NULL);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("<html></html>", 13);
  g_autoptr(GFile) full = g_file_new_for_path ("/dev/full");
  g_autoptr(GFileOutputStream) stream = NULL;

  if (!need_real_teeth ())
    return;
  plan = test_export_plan (real_teeth, 3, FALSE);
  fewer = op_dentition_copy (real_teeth);
  g_ptr_array_remove_index (fewer->teeth, 5);
  g_assert_false (op_export_html (fewer, plan, NULL, good, NULL, &error));
  g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_INPUT);
  g_assert_nonnull (strstr (error->message, "no mesh"));
  g_assert_false (g_file_test (good, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_false (op_export_html (real_teeth, plan, NULL, nodir, NULL, &error));
  g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "does not exist"));
  g_clear_error (&error);

  g_assert_cmpint (g_mkdir (isdir, 0755), ==, 0);
  g_assert_false (op_export_write_file (isdir, bytes, &error));
  g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "a-folder"));
  g_clear_error (&error);

  /* /dev/full answers every write with ENOSPC, as a full disk does. */
  stream = g_file_append_to (full, G_FILE_CREATE_NONE, NULL, &error);
  if (stream == NULL)
    {
      g_test_message ("no /dev/full here: %s", error->message);
      g_clear_error (&error);
    }
  else
    {
      g_autoptr(GBytes) big = g_bytes_new_take (g_malloc0 (1 << 20), 1 << 20);

      g_assert_false (op_export_write_stream (G_OUTPUT_STREAM (stream), "page.html", big, NULL, &error));
      g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_DISK_FULL);
      g_assert_nonnull (strstr (error->message, "disk is full"));
      g_clear_error (&error);
    }

  g_assert_true (op_export_html (real_teeth, plan, NULL, good, NULL, &error));
  g_assert_no_error (error);
  /* Written through a temporary file: nothing else is left beside it. */
  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)))
      g_assert_false (g_str_has_prefix (name, "good.html."));
  }
}

/* ---- the page in a real browser ---- */

typedef struct {
  char       *viewport;   /* "WxH" in CSS pixels */
  char       *state;
  char       *error;
  int         stage;
  int         canvas[4];
  JsonObject *boxes;      /* fdi -> [x0, y0, x1, y1] */
} PageStatus;

static void
page_status_clear (PageStatus *s)
{
  g_free (s->viewport);
  g_free (s->state);
  g_free (s->error);
  if (s->boxes)
    json_object_unref (s->boxes);
}

static char *
attribute (const char *element, const char *name)
{
  g_autofree char *key = g_strdup_printf (" %s=\"", name);
  const char *start = strstr (element, key);
  const char *end;
  g_autofree char *raw = NULL;
  GString *out;

  if (start == NULL)
    return NULL;
  start += strlen (key);
  end = strchr (start, '"');
  if (end == NULL)
    return NULL;
  raw = g_strndup (start, end - start);
  out = g_string_new (NULL);
  for (const char *p = raw; *p; p++)
    {
      if (g_str_has_prefix (p, "&quot;"))
        g_string_append_c (out, '"'), p += 5;
      else if (g_str_has_prefix (p, "&amp;"))
        g_string_append_c (out, '&'), p += 4;
      else if (g_str_has_prefix (p, "&lt;"))
        g_string_append_c (out, '<'), p += 3;
      else if (g_str_has_prefix (p, "&gt;"))
        g_string_append_c (out, '>'), p += 3;
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* Runs headless Chromium on @url with the network shut off (no proxy that
 * answers, no name that resolves) and returns its stdout; the browser's
 * console messages, which it logs on stderr, go to @console (one per
 * line). */
static char *
chromium (const char *url, const char *mode, int width, int height, GString *console)
{
  g_autofree char *size_arg = g_strdup_printf ("--window-size=%d,%d", width, height);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *profile = g_build_filename (tmpdir, "chromium-profile", NULL);
  g_autofree char *profile_arg = g_strdup_printf ("--user-data-dir=%s", profile);
  g_auto(GStrv) lines = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           "timeout", "120", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                           "--enable-unsafe-swiftshader", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", "--no-first-run",
                           "--disable-extensions", "--proxy-server=127.0.0.1:9",
                           "--host-resolver-rules=MAP * ~NOTFOUND", profile_arg, size_arg,
                           "--hide-scrollbars", "--virtual-time-budget=15000", "--enable-logging=stderr",
                           "--v=0", mode, url, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  lines = g_strsplit (err ? err : "", "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (strstr (lines[i], ":CONSOLE"))
      g_string_append_printf (console, "%s\n", lines[i]);
  return g_steal_pointer (&out);
}

/* Headless Chromium lays a page out in the window size less some
 * emulated browser frame when it dumps the DOM, but in the full window
 * size when it takes a screenshot.  So the status of a page as the
 * screenshot sees it is read with a window made taller by the difference,
 * measured on the first call and checked on every one. */
static int dom_extra_height = -1;

static void
read_status (const char *url, PageStatus *st, GString *console)
{
  g_autofree char *dom = NULL;
  g_autofree char *want = g_strdup_printf ("%dx%d", SHOT_W, SHOT_H);

  if (dom_extra_height < 0)
    {
      g_autofree char *probe = chromium (url, "--dump-dom", SHOT_W, SHOT_H, console);
      const char *el = strstr (probe, "id=\"op-status\"");
      g_autofree char *element = el ? g_strndup (el, strchr (el, '>') - el) : NULL;
      g_autofree char *vp = element ? attribute (element, "data-viewport") : NULL;
      int h = vp && strchr (vp, 'x') ? atoi (strchr (vp, 'x') + 1) : SHOT_H;

      dom_extra_height = MAX (0, SHOT_H - h);
    }
  dom = chromium (url, "--dump-dom", SHOT_W, SHOT_H + dom_extra_height, console);
  const char *el = strstr (dom, "id=\"op-status\"");
  g_autofree char *element = NULL;
  g_autofree char *stage = NULL, *canvas = NULL, *boxes = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  memset (st, 0, sizeof *st);
  g_assert_nonnull (el);
  if (el == NULL)
    return;
  element = g_strndup (el, strchr (el, '>') - el);
  st->state = attribute (element, "data-state");
  st->viewport = attribute (element, "data-viewport");
  st->error = attribute (element, "data-error");
  stage = attribute (element, "data-stage");
  canvas = attribute (element, "data-canvas");
  boxes = attribute (element, "data-boxes");
  st->stage = stage ? atoi (stage) : -1;
  if (g_strcmp0 (st->state, "ready") != 0)
    return;
  g_assert_cmpstr (st->viewport, ==, want);
  g_assert_nonnull (canvas);
  g_assert_nonnull (boxes);
  if (canvas == NULL || boxes == NULL)
    return;
  parts = g_strsplit (canvas, ",", 4);
  g_assert_cmpuint (g_strv_length (parts), ==, 4);
  for (guint i = 0; i < 4 && parts[i]; i++)
    st->canvas[i] = atoi (parts[i]);
  json_parser_load_from_data (parser, boxes, -1, &error);
  g_assert_no_error (error);
  st->boxes = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
union_box (JsonObject *boxes, int fdi, int box[4])
{
  char key[8];
  JsonArray *a;

  g_snprintf (key, sizeof key, "%d", fdi);
  g_assert_true (json_object_has_member (boxes, key));
  if (!json_object_has_member (boxes, key))
    return;
  a = json_object_get_array_member (boxes, key);
  box[0] = MIN (box[0], (int) json_array_get_int_element (a, 0));
  box[1] = MIN (box[1], (int) json_array_get_int_element (a, 1));
  box[2] = MAX (box[2], (int) json_array_get_int_element (a, 2));
  box[3] = MAX (box[3], (int) json_array_get_int_element (a, 3));
}

static void
test_chromium (void)
{
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "simulation.html", NULL);
  g_autofree char *first_png = g_build_filename (tmpdir, "stage-first.png", NULL);
  g_autofree char *last_png = g_build_filename (tmpdir, "stage-last.png", NULL);
  g_autofree char *uri = NULL, *url_first = NULL, *url_last = NULL, *url_bad = NULL;
  g_autofree char *shot_first = NULL, *shot_last = NULL;
  g_autofree guint8 *a = NULL, *b = NULL, *diff_img = NULL;
  g_autoptr(GString) console = g_string_new (NULL);
  PageStatus s0 = { 0 }, s1 = { 0 }, sb = { 0 };
  OpHtmlOptions o = { .practice_name = "Bright Smiles Orthodontics", .given_name = "Anna",
                      .family_name = "Example" };
  int moving[] = { 11, 12, 21, 22 };
  int box[4] = { G_MAXINT, G_MAXINT, G_MININT, G_MININT };
  int wa, ha, wb, hb;
  gsize diff_total = 0, diff_moving = 0, canvas_px = 0, outside_px = 0;
  char *program;

  if (!need_real_teeth ())
    return;
  program = g_find_program_in_path ("chromium");
  if (program == NULL)
    {
      g_test_skip ("chromium is not installed (apt-get install chromium), so the page cannot be tried in a browser");
      return;
    }
  g_free (program);

  plan = test_export_plan (real_teeth, 31, TRUE);
  g_assert_true (op_export_html (real_teeth, plan, &o, path, NULL, &error));
  g_assert_no_error (error);
  uri = g_filename_to_uri (path, NULL, &error);
  g_assert_no_error (error);
  url_first = g_strdup_printf ("%s#stage=0", uri);
  url_last = g_strdup_printf ("%s#stage=30", uri);

  /* The page says it is ready, at the stage asked for, with no error and
   * nothing on the console. */
  read_status (url_first, &s0, console);
  read_status (url_last, &s1, console);
  g_assert_cmpstr (s0.state, ==, "ready");
  g_assert_cmpstr (s1.state, ==, "ready");
  g_assert_null (s0.error);
  g_assert_null (s1.error);
  g_assert_cmpint (s0.stage, ==, 0);
  g_assert_cmpint (s1.stage, ==, 30);

  shot_first = g_strdup_printf ("--screenshot=%s", first_png);
  shot_last = g_strdup_printf ("--screenshot=%s", last_png);
  g_free (chromium (url_first, shot_first, SHOT_W, SHOT_H, console));
  g_free (chromium (url_last, shot_last, SHOT_W, SHOT_H, console));

  /* Chromium's own notes about its software GL are not the page's; any
   * other console line (an exception, a log, a refused fetch) is. */
  {
    g_auto(GStrv) lines = g_strsplit (console->str, "\n", -1);

    for (guint i = 0; lines[i]; i++)
      if (*lines[i] && !strstr (lines[i], "GL Driver Message (OpenGL, Performance"))
        {
          g_test_message ("console: %s", lines[i]);
          g_test_fail ();
        }
  }

  a = op_image_load_png (first_png, &wa, &ha, &error);
  g_assert_no_error (error);
  b = op_image_load_png (last_png, &wb, &hb, &error);
  g_assert_no_error (error);
  if (a == NULL || b == NULL || s0.boxes == NULL || s1.boxes == NULL)
    goto out;
  g_assert_cmpint (wa, ==, wb);
  g_assert_cmpint (ha, ==, hb);
  g_assert_cmpint (wa, ==, SHOT_W);
  g_assert_cmpint (ha, ==, SHOT_H);

  /* Where the moving teeth are at either stage, with a margin for the
   * antialiased edge. */
  for (guint i = 0; i < G_N_ELEMENTS (moving); i++)
    {
      union_box (s0.boxes, moving[i], box);
      union_box (s1.boxes, moving[i], box);
    }
  box[0] -= 3, box[1] -= 3, box[2] += 3, box[3] += 3;

  diff_img = g_malloc0 ((gsize) wa * ha * 4);
  for (int y = MAX (0, s0.canvas[1]); y < MIN (ha, s0.canvas[3]); y++)
    for (int x = MAX (0, s0.canvas[0]); x < MIN (wa, s0.canvas[2]); x++)
      {
        const guint8 *pa = a + 4 * ((gsize) y * wa + x), *pb = b + 4 * ((gsize) y * wa + x);
        gboolean inside = x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];
        int d = MAX (abs (pa[0] - pb[0]), MAX (abs (pa[1] - pb[1]), abs (pa[2] - pb[2])));

        canvas_px++;
        outside_px += !inside;
        diff_img[4 * ((gsize) y * wa + x) + 3] = 255;
        diff_img[4 * ((gsize) y * wa + x) + 1] = inside ? 60 : 0;
        if (d > 24)
          {
            diff_img[4 * ((gsize) y * wa + x)] = 255;
            diff_total++;
            diff_moving += inside;
          }
      }
  g_test_message ("canvas %zu px, %zu differ, %zu of them where the incisors move (box %d,%d-%d,%d)",
                  canvas_px, diff_total, diff_moving, box[0], box[1], box[2], box[3]);
  if (g_getenv ("OP_TEST_KEEP"))
    {
      g_autofree char *diff_png = g_build_filename (tmpdir, "stage-diff.png", NULL);

      op_image_save_png (diff_img, wa, ha, diff_png, NULL);
    }
  /* The incisors moved 2 mm and turned: a visible change ... */
  g_assert_cmpuint (diff_moving, >, canvas_px / 500);
  /* ... and only there: the other 27 teeth stand still. */
  g_assert_cmpuint (diff_total - diff_moving, <, outside_px / 2000 + 1);

  /* A damaged page says so instead of showing nothing. */
  {
    g_autofree char *text = NULL;
    g_autofree char *bad = g_build_filename (tmpdir, "damaged.html", NULL);
    g_autofree char *bad_uri = NULL;
    gsize len;
    char *geo;
    g_autoptr(GString) bad_console = g_string_new (NULL);

    g_assert_true (g_file_get_contents (path, &text, &len, NULL));
    geo = strstr (text, "id=\"op-geometry\"");
    g_assert_nonnull (geo);
    /* Cut the compressed geometry short. */
    geo = strchr (geo, '>') + 1;
    memmove (geo + 200, strstr (geo, "</script>"), strlen (strstr (geo, "</script>")) + 1);
    g_assert_true (g_file_set_contents (bad, text, -1, NULL));
    bad_uri = g_filename_to_uri (bad, NULL, NULL);
    url_bad = g_strdup_printf ("%s#stage=1", bad_uri);
    read_status (url_bad, &sb, bad_console);
    g_assert_cmpstr (sb.state, ==, "error");
    g_assert_nonnull (sb.error);
    g_test_message ("damaged page: %s", sb.error ? sb.error : "(none)");
  }

out:
  page_status_clear (&s0);
  page_status_clear (&s1);
  page_status_clear (&sb);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  tmpdir = g_dir_make_tmp ("op-export-html-XXXXXX", NULL);
  real_teeth = test_export_load_real ();

  g_test_add_func ("/io/export-html/size", test_size);
  g_test_add_func ("/io/export-html/names", test_names);
  g_test_add_func ("/io/export-html/logo", test_logo);
  g_test_add_func ("/io/export-html/bad-input", test_bad_input);
  g_test_add_func ("/io/export-html/chromium", test_chromium);
  status = g_test_run ();

  g_clear_pointer (&real_teeth, op_dentition_free);
  /* OP_TEST_KEEP keeps the pages and screenshots to look at. */
  if (g_getenv ("OP_TEST_KEEP") == NULL)
    rm_rf (tmpdir);
  else
    g_printerr ("kept %s\n", tmpdir);
  g_free (tmpdir);
  return status;
}
