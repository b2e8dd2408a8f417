/* op-task-progress.h: progress reports from a GTask thread to the UI.
 *
 * Every slow job of the app (scan import, case loading, CBCT loading and
 * its surface) runs in a GTask thread and tells the view how far it got.
 * The report has to cross to the thread that started the task and must
 * keep the view alive until it arrives; this is that one piece of code,
 * shared by op-scan-loader and op-volume-loader.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Called on the main context of the task's caller with a fraction in 0..1
 * (or a negative one for "busy, unknown how long") and what is being
 * done.  @source_object is the task's source object. */
typedef void (*OpTaskProgressFunc) (gpointer    source_object,
                                    double      fraction,
                                    const char *stage);

/* From the worker thread: queues @func (@fraction, @stage) on the task's
 * main context.  Does nothing when @func is NULL or the task has no source
 * object; the source object is held until the report has run. */
void op_task_report_progress (GTask              *task,
                              OpTaskProgressFunc  func,
                              double              fraction,
                              const char         *stage);

G_END_DECLS
