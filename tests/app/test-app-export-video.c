/* Tests for the video export (app/op-export-video.c), which links no GTK:
 * progress, cancelling with nothing left behind, and a target that cannot
 * be written, on the real teeth with a short generated plan. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "op-export-video.h"
#include "test-export-util.h"

static char *tmpdir;
static OpDentition *teeth;

typedef struct {
  double        last;
  guint         calls;
  gboolean      monotonic;
  guint         cancel_after;
  GCancellable *cancellable;
} Progress;

static void
on_progress (double fraction, gpointer data)
{
  Progress *p = data;

  p->monotonic = p->monotonic && fraction > p->last;
  p->last = fraction;
  p->calls++;
  if (p->cancel_after && p->calls == p->cancel_after)
    g_cancellable_cancel (p->cancellable);
}

static guint
count_entries (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
  guint n = 0;

  while (dir && g_dir_read_name (dir))
    n++;
  return n;
}

static void
small (OpVideoOptions *o)
{
  memset (o, 0, sizeof *o);
  o->width = 96;
  o->height = 64;
  o->fps = 5;
  o->hold_seconds = 0.4;
  o->seconds_per_stage = 0.2;
}

static void
test_progress (void)
{
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "small.webm", NULL);
  Progress p = { .monotonic = TRUE };
  OpVideoOptions o;
  GStatBuf st;

  if (teeth == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  plan = test_export_plan (teeth, 6, TRUE);
  small (&o);
  /* 2 holds of 2 frames, 5 aligners of 1 frame, and the last frame. */
  g_assert_cmpuint (op_export_video_n_frames (plan, &o), ==, 10);
  g_assert_true (op_export_video (teeth, plan, &o, path, on_progress, &p, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (p.calls, ==, 10);
  g_assert_true (p.monotonic);
  g_assert_cmpfloat (p.last, ==, 1.0);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);
  /* A WebM file starts with the EBML magic. */
  {
    g_autofree char *data = NULL;
    gsize len = 0;

    g_assert_true (g_file_get_contents (path, &data, &len, NULL));
    g_assert_cmpuint (len, >, 1000);
    g_assert_cmpint (memcmp (data, "\x1a\x45\xdf\xa3", 4), ==, 0);
  }
  g_unlink (path);
}

static void
test_cancel (void)
{
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *path = g_build_filename (tmpdir, "cancelled.webm", NULL);
  Progress p = { .monotonic = TRUE, .cancel_after = 3 };
  OpVideoOptions o;
  guint before;

  if (teeth == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  before = count_entries ();
  p.cancellable = cancellable;
  plan = test_export_plan (teeth, 6, TRUE);
  small (&o);
  g_assert_false (op_export_video (teeth, plan, &o, path, on_progress, &p, cancellable, &error));
  g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_CANCELLED);
  g_assert_cmpuint (p.calls, ==, 3);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  /* Not even the temporary file is left. */
  g_assert_cmpuint (count_entries (), ==, before);
}

static void
test_unwritable (void)
{
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "no-such-folder", "v.webm", NULL);
  OpVideoOptions o;

  if (teeth == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  plan = test_export_plan (teeth, 3, TRUE);
  small (&o);
  g_assert_false (op_export_video (teeth, plan, &o, path, NULL, NULL, NULL, &error));
  g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_WRITE);
  g_assert_nonnull (error ? strstr (error->message, "does not exist") : NULL);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("op-export-video-XXXXXX", NULL);
  teeth = test_export_load_real ();
  g_test_add_func ("/app/export-video/progress", test_progress);
  g_test_add_func ("/app/export-video/cancel", test_cancel);
  g_test_add_func ("/app/export-video/unwritable", test_unwritable);
  status = g_test_run ();
  g_clear_pointer (&teeth, op_dentition_free);
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return status;
}
