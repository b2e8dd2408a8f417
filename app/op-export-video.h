/* op-export-video.h: the simulation as a WebM video, for messaging apps.
 *
 * Frames are drawn offscreen (op-stage-render.h: render/ over EGL) and
 * encoded with GStreamer (appsrc ! videoconvert ! vp8enc ! webmmux), all
 * from Debian (gstreamer1.0-plugins-good); H.264 is not in Debian's free
 * plugins, VP8 in WebM plays in every current browser and in WhatsApp,
 * Signal and Telegram.  The film: the initial teeth turning gently, the
 * stages one after another while they keep turning, then the result.
 * The file is written under a temporary name and renamed when complete.
 */
#pragma once

#include <gio/gio.h>

#include "op-export.h"
#include "op-plan.h"
#include "op-tooth.h"

G_BEGIN_DECLS

/* Zero-initialise, then set what you need. */
typedef struct {
  int    width;              /* 0: 1280 */
  int    height;             /* 0: 720 */
  int    fps;                /* 0: 25 */
  double seconds_per_stage;  /* 0: 0.2 */
  double hold_seconds;       /* before and after the stages; 0: 1.5, < 0: none */
  double swing_deg;          /* how far the turntable turns each way; 0: 25 */
  guint  max_triangles;      /* per tooth drawn; 0: 6000 */
} OpVideoOptions;

/* The number of frames @options give for @plan. */
guint     op_export_video_n_frames (const OpPlan         *plan,
                                    const OpVideoOptions *options);

/* Renders and encodes the video to @path.  @progress (may be NULL) is
 * called after each frame with the fraction done.  Cancelling
 * @cancellable stops at the next frame with OP_EXPORT_ERROR_CANCELLED and
 * leaves no file behind; a missing encoder fails with
 * OP_EXPORT_ERROR_ENCODE naming the Debian package. */
gboolean  op_export_video          (const OpDentition    *dentition,
                                    const OpPlan         *plan,
                                    const OpVideoOptions *options,
                                    const char           *path,
                                    OpExportProgress      progress,
                                    gpointer              progress_data,
                                    GCancellable         *cancellable,
                                    GError              **error);

G_END_DECLS
