/* bench-util: the timing helpers every benchmark here needs, so that each
 * program times and summarises its runs the same way. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sorts @v (@n values) in place and returns its middle value: the
 * median for odd @n, the upper of the two middle values for even @n. */
double op_bench_median (double *v,
                        int     n);

/* The monotonic clock in milliseconds. */
double op_bench_now_ms (void);

/* The process's processor time (user + system, all threads) in ms: on a
 * machine shared with other work the wall clock swings by a factor of
 * three from run to run, the processor time much less. */
double op_bench_cpu_ms (void);

G_END_DECLS
