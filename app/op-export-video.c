/* op-export-video.c: the simulation video (op-export-video.h). */
#include "config.h"

#include "op-export-video.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <math.h>
#include <unistd.h>

#include "op-schedule.h"
#include "op-stage-render.h"

typedef struct {
  int    width, height, fps;
  double per_stage, hold, swing;
  guint  max_triangles;
} Settings;

static void
settings_from (const OpVideoOptions *o, Settings *s)
{
  OpVideoOptions zero = { 0 };

  if (o == NULL)
    o = &zero;
  s->width = o->width > 0 ? o->width : 1280;
  s->height = o->height > 0 ? o->height : 720;
  /* VP8 and most players want even sizes. */
  s->width += s->width & 1;
  s->height += s->height & 1;
  s->fps = o->fps > 0 ? o->fps : 25;
  s->per_stage = o->seconds_per_stage > 0 ? o->seconds_per_stage : 0.2;
  s->hold = o->hold_seconds > 0 ? o->hold_seconds : o->hold_seconds < 0 ? 0 : 1.5;
  s->swing = o->swing_deg != 0 ? o->swing_deg : 25;
  s->max_triangles = o->max_triangles ? o->max_triangles : 6000;
}

static guint
frames_of (const OpPlan *plan, const Settings *s, guint *hold_frames, guint *stage_frames)
{
  *hold_frames = (guint) lround (s->hold * s->fps);
  *stage_frames = MAX (1u, (guint) lround (s->per_stage * s->fps * op_schedule_n_aligners (plan)));
  return 2 * *hold_frames + *stage_frames + 1;
}

guint
op_export_video_n_frames (const OpPlan         *plan,
                          const OpVideoOptions *options)
{
  Settings s;
  guint hold, stages;

  g_return_val_if_fail (plan != NULL, 0);
  settings_from (options, &s);
  return frames_of (plan, &s, &hold, &stages);
}

/* Waits for the end of the stream or an error on @pipeline's bus. */
static gboolean
wait_eos (GstElement *pipeline, GError **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
                                                          GST_MESSAGE_EOS | GST_MESSAGE_ERROR);

  if (msg == NULL)
    {
      g_set_error_literal (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_ENCODE,
                           _("video: the encoder did not finish within two minutes"));
      return FALSE;
    }
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) gerr = NULL;
      g_autofree char *debug = NULL;

      gst_message_parse_error (msg, &gerr, &debug);
      g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_ENCODE, _("video: the encoder failed (%s)"),
                   gerr ? gerr->message : "unknown");
      return FALSE;
    }
  return TRUE;
}

gboolean
op_export_video (const OpDentition    *dentition,
                 const OpPlan         *plan,
                 const OpVideoOptions *options,
                 const char           *path,
                 OpExportProgress      progress,
                 gpointer              progress_data,
                 GCancellable         *cancellable,
                 GError              **error)
{
  g_autoptr(OpStageRender) render = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  GstElement *src, *sink;
  GError *local = NULL;
  Settings s;
  guint n_frames, hold, stage_frames, last;
  gboolean ok = FALSE;
  int fd;

  g_return_val_if_fail (dentition != NULL && plan != NULL && path != NULL, FALSE);

  settings_from (options, &s);
  n_frames = frames_of (plan, &s, &hold, &stage_frames);
  last = op_schedule_n_aligners (plan);

  if (!gst_init_check (NULL, NULL, &local))
    {
      g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_ENCODE, _("video: GStreamer does not start (%s)"),
                   local->message);
      g_error_free (local);
      return FALSE;
    }
  pipeline = gst_parse_launch ("appsrc name=src format=time is-live=false block=true ! videoconvert ! "
                               "vp8enc deadline=1 cpu-used=8 threads=2 target-bitrate=2500000 "
                               "keyframe-max-dist=50 ! webmmux ! filesink name=sink", &local);
  if (pipeline == NULL || local != NULL)
    {
      g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_ENCODE,
                   _("video: no VP8/WebM encoder (install gstreamer1.0-plugins-good): %s"),
                   local ? local->message : "");
      g_clear_error (&local);
      return FALSE;
    }
  gst_object_ref_sink (pipeline);

  /* A temporary name in the target's folder, so the rename is atomic and
   * nothing named @path exists until the film is complete. */
  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  fd = g_mkstemp (tmp);
  if (fd < 0)
    {
      int saved = errno;

      op_export_propagate_write_error (error, g_error_new (G_FILE_ERROR, g_file_error_from_errno (saved),
                                                           "%s", g_strerror (saved)), path);
      return FALSE;
    }
  close (fd);

  render = op_stage_render_new (dentition, plan, s.width, s.height, s.max_triangles, error);
  if (render == NULL)
    goto out;

  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (sink, "location", tmp, NULL);
  {
    g_autoptr(GstCaps) caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGBA",
                                                   "width", G_TYPE_INT, s.width, "height", G_TYPE_INT, s.height,
                                                   "framerate", GST_TYPE_FRACTION, s.fps, 1, NULL);
    g_object_set (src, "caps", caps, NULL);
  }
  gst_object_unref (sink);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_WRITE, _("%s: the video cannot be written there"), path);
      gst_object_unref (src);
      goto out;
    }

  for (guint i = 0; i < n_frames; i++)
    {
      double t = (double) i / s.fps;
      double stage;
      float yaw;
      guint8 *pixels;
      GstBuffer *buffer;
      gsize size = (gsize) s.width * s.height * 4;

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_CANCELLED, _("%s: the video was cancelled"), path);
          gst_object_unref (src);
          goto out;
        }
      if (i < hold)
        stage = 0;
      else if (i < hold + stage_frames)
        stage = (double) (i - hold) / stage_frames * last;
      else
        stage = last;
      /* A slow swing from side to side, one period over the whole film, so
       * the teeth show their depth without ever turning their back. */
      yaw = (float) (s.swing * sin (2 * G_PI * t / MAX (1.0, (double) n_frames / s.fps)));
      pixels = op_stage_render_draw (render, stage, OP_VIEW_FRONT, yaw);
      buffer = gst_buffer_new_wrapped (pixels, size);
      GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (i, GST_SECOND, s.fps);
      GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (1, GST_SECOND, s.fps);
      if (gst_app_src_push_buffer (GST_APP_SRC (src), buffer) != GST_FLOW_OK)
        {
          g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
          g_autoptr(GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
          g_autoptr(GError) gerr = NULL;

          if (msg)
            gst_message_parse_error (msg, &gerr, NULL);
          if (gerr && g_error_matches (gerr, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT))
            g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_DISK_FULL,
                         _("%s: the disk is full; free some space or choose another place"), path);
          else
            g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_ENCODE, _("%s: the encoder stopped (%s)"), path,
                         gerr ? gerr->message : _("unknown reason"));
          gst_object_unref (src);
          goto out;
        }
      if (progress)
        progress ((double) (i + 1) / n_frames, progress_data);
    }
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  gst_object_unref (src);
  if (!wait_eos (pipeline, error))
    goto out;
  gst_element_set_state (pipeline, GST_STATE_NULL);
  /* mkstemp made the file private; a video is meant to be shared. */
  g_chmod (tmp, 0644);
  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;

      op_export_propagate_write_error (error, g_error_new (G_FILE_ERROR, g_file_error_from_errno (saved),
                                                           "%s", g_strerror (saved)), path);
      goto out;
    }
  ok = TRUE;

out:
  if (pipeline)
    gst_element_set_state (pipeline, GST_STATE_NULL);
  if (!ok)
    g_unlink (tmp);
  return ok;
}
