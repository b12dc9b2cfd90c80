/* ring_bench.h — the cross-process ring benchmark behind `tickcast bench ring` and
 * `make bench` (BENCHMARKS.md): tickcast's ring for each wait strategy beside ZeroMQ
 * PUB/SUB over ipc://, a bare SPSC ring written only for the benchmark, a bare
 * cache-line ping-pong (the physical floor) and a bare futex wake, all between the
 * same two pinned processes in one run. */
#ifndef TC_BENCH_RING_H
#define TC_BENCH_RING_H

#include <stdint.h>
#include <stdio.h>

typedef struct tc_ring_bench_opts {
    uint64_t records;      /* per throughput run (default 20 M) */
    uint32_t batch;        /* batched runs (default 64) */
    uint32_t lat_samples;  /* per latency run (default 20,000) */
    int repeats;           /* best of (default 3) */
    int json;
    int latency_only;      /* skip the throughput rows */
    int throughput_only;   /* skip the latency rows */
    int cpu;               /* each process of the batched futex runs reports its CPU time */
    int scaling;           /* only the two-consumer bar's rows, this many rounds */
} tc_ring_bench_opts_t;

/* Runs everything and prints a report (text or JSON) to out.  Returns 0 or -errno. */
int tc_ring_bench_run(const tc_ring_bench_opts_t *o, FILE *out);

#endif
