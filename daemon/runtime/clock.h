/* clock.h — the two clocks every process uses.  Times in records are int64 ns since the
 * Unix epoch, UTC (tc_clock_real_ns); intervals and heartbeats use CLOCK_MONOTONIC. */
#ifndef TC_RUNTIME_CLOCK_H
#define TC_RUNTIME_CLOCK_H

#include <stdint.h>
#include <time.h>

#define TC_NS_PER_US 1000LL
#define TC_NS_PER_MS 1000000LL
#define TC_NS_PER_S 1000000000LL

static inline int64_t tc_clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * TC_NS_PER_S + ts.tv_nsec;
}

static inline int64_t tc_clock_real_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * TC_NS_PER_S + ts.tv_nsec;
}

#endif
