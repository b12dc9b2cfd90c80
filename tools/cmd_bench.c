/* cmd_bench.c — `tickcast bench <what>`: benchmarks that measure tickcast beside its
 * reference in the same run (BENCHMARKS.md). */
#include "tools/cli.h"
#include "bench/ring_bench.h"
#include "daemon/runtime/err.h"

#include <stdlib.h>
#include <string.h>

static int cmd_bench(int argc, char **argv)
{
    if (argc < 2)
        return TC_ERR(-EINVAL, "which benchmark? (ring)");
    if (strcmp(argv[1], "ring") == 0) {
        tc_ring_bench_opts_t o = {0};
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--json"))
                o.json = 1;
            else if (!strcmp(argv[i], "--latency"))
                o.latency_only = 1;
            else if (!strcmp(argv[i], "--throughput"))
                o.throughput_only = 1;
            else if (!strcmp(argv[i], "--cpu"))
                o.cpu = 1;
            else if (!strcmp(argv[i], "--scaling") && i + 1 < argc) {
                o.scaling = atoi(argv[++i]);
                if (o.scaling < 1)
                    return TC_ERR(-EINVAL, "bench ring: --scaling wants a count of rounds, got '%s'", argv[i]);
            }
            else if (!strcmp(argv[i], "--records") && i + 1 < argc)
                o.records = strtoull(argv[++i], NULL, 10);
            else if (!strcmp(argv[i], "--samples") && i + 1 < argc)
                o.lat_samples = (uint32_t)strtoul(argv[++i], NULL, 10);
            else if (!strcmp(argv[i], "--repeats") && i + 1 < argc)
                o.repeats = atoi(argv[++i]);
            else
                return TC_ERR(-EINVAL, "bench ring: unknown option '%s'", argv[i]);
        }
        return tc_ring_bench_run(&o, stdout);
    }
    return TC_ERR(-EINVAL, "unknown benchmark '%s' (ring)", argv[1]);
}

TC_CLI_COMMAND(bench, "run a benchmark beside its reference (ring)",
               "tickcast bench ring [--json] [--latency|--throughput] [--cpu] [--scaling ROUNDS]\n"
               "                   [--records N] [--samples N] [--repeats N]\n"
               "  ring   cross-process ring throughput and one-way latency per wait strategy,\n"
               "         beside ZeroMQ PUB/SUB ipc://, a bare SPSC ring, a bare cache-line\n"
               "         ping-pong and a bare futex wake, in one run\n"
               "  --latency     only the one-way latency rows\n"
               "  --throughput  only the throughput rows\n"
               "  --cpu         each process of the batched futex runs prints its CPU time\n"
               "                and context switches (to stderr)\n"
               "  --scaling R   only the rows of the two-consumer bar (bare ring, one\n"
               "                consumer, two required + observer), R rounds of them\n"
               "  --repeats N   throughput rows are the best of N runs; the two-consumer\n"
               "                bar is the median of 2N-1 back-to-back pairs (default 3)\n",
               cmd_bench);
