/* bench-util: see bench-util.h. */
#include <stdlib.h>
#include <sys/resource.h>

#include "bench-util.h"

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
op_bench_median (double *v,
                 int     n)
{
  qsort (v, n, sizeof *v, compare_double);
  return v[n / 2];
}

double
op_bench_now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

double
op_bench_cpu_ms (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000.0 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000.0;
}
