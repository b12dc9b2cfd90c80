/* bench_replay.c — replay speed of native tick files from the page cache, next to a
 * plain memcpy of the same 64-byte records, in one run (BENCHMARKS.md).
 *
 *     bench_replay [CSV [BLOCK_TICKS [DEPTH]]]   (defaults: the shared SPY trades file,
 *                                                2048 ticks a block, 4 reads in flight)
 *
 * Imports CSV with the regular importer into a raw and a zstd native file in a
 * temporary directory (under $TC_BENCH_DIR, default /var/tmp), reads each once to warm the cache,
 * then times, best of 5 runs of PASSES replays each:
 *   memcpy      the decoded records copied batch by batch into a 4096-tick buffer
 *   raw  read   tc_replay_read into the same buffer (io_uring, CRC32C, one copy)
 *   raw  next   tc_replay_next, zero-copy blocks (CRC32C only)
 *   zstd read   tc_replay_read (io_uring, CRC32C, decompression)
 * and prints ticks/s and the file sizes against the CSV.
 */
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "ingest/import.h"
#include "ingest/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PASSES 10
#define RUNS 5
#define BATCH 4096

static uint64_t sink; /* keeps the copies observable */

static uint32_t block_ticks;
static int depth;

static int import_to(const char *csv, const char *out, int codec, tc_tick_t **ret_all, size_t *ret_n)
{
    tc_import_t *im = tc_import_open(csv, NULL);
    if (!im)
        return -1;
    tc_tickfile_opts_t o = {.codec = codec, .block_ticks = block_ticks};
    tc_tickfile_t *tf = tc_tickfile_open(out, TC_TICKFILE_CREATE, &o);
    if (!tf) {
        tc_import_close(im);
        return -1;
    }
    tc_tickfile_symbol_add(tf, tc_import_symbol(im));
    size_t cap = 1 << 16, n = 0;
    tc_tick_t *all = NULL;
    if (posix_memalign((void **)&all, 64, cap * sizeof *all))
        return -1;
    int r;
    while ((r = tc_import_read(im, all + n, BATCH)) > 0) {
        if (tc_tickfile_append(tf, all + n, r) < 0)
            return -1;
        n += (size_t)r;
        if (n + BATCH > cap) {
            cap *= 2;
            all = realloc(all, cap * sizeof *all); /* alignment of 64 not needed for memcpy timing */
        }
    }
    tc_import_close(im);
    if (tc_tickfile_close(tf) < 0)
        return -1;
    if (ret_all)
        *ret_all = all;
    else
        free(all);
    if (ret_n)
        *ret_n = n;
    return 0;
}

static double time_memcpy(const tc_tick_t *all, size_t n, tc_tick_t *buf)
{
    int64_t t0 = tc_clock_mono_ns();
    for (int p = 0; p < PASSES; p++)
        for (size_t i = 0; i < n; i += BATCH) {
            size_t k = n - i < BATCH ? n - i : BATCH;
            memcpy(buf, all + i, k * sizeof *buf);
            sink += (uint64_t)buf[k - 1].ts_event;
        }
    return (double)(tc_clock_mono_ns() - t0) / 1e9;
}

static double time_replay(const char *path, int zero_copy, tc_tick_t *buf, size_t want, int force_pread)
{
    int64_t t0 = tc_clock_mono_ns();
    for (int p = 0; p < PASSES; p++) {
        tc_replay_t *rp = tc_replay_open(path, &(tc_replay_opts_t){.force_pread = force_pread, .depth = depth});
        if (!rp) {
            fprintf(stderr, "bench_replay: %s\n", tc_err_msg());
            exit(1);
        }
        size_t got = 0;
        int r;
        if (zero_copy) {
            const tc_tick_t *b;
            while ((r = tc_replay_next(rp, &b)) > 0) {
                sink += (uint64_t)b[r - 1].ts_event;
                got += (size_t)r;
            }
        } else {
            while ((r = tc_replay_read(rp, buf, BATCH)) > 0) {
                sink += (uint64_t)buf[r - 1].ts_event;
                got += (size_t)r;
            }
        }
        if (r < 0 || got != want) {
            fprintf(stderr, "bench_replay: %s: %zu of %zu ticks: %s\n", path, got, want, tc_err_msg());
            exit(1);
        }
        tc_replay_close(rp);
    }
    return (double)(tc_clock_mono_ns() - t0) / 1e9;
}

static off_t fsize(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 ? sb.st_size : -1;
}

int main(int argc, char **argv)
{
    const char *csv = argc > 1 && argv[1][0] ? argv[1] : TC_SHARED_DIR "/data/ticks/equity_spy_trades_20131007.csv";
    if (argc > 2)
        block_ticks = (uint32_t)atoi(argv[2]);
    if (argc > 3)
        depth = atoi(argv[3]);
    /* A disk-backed file system by default: its page-cache reads complete inline in
     * io_uring, where tmpfs hands them to worker threads (TC_BENCH_DIR overrides). */
    char dir[512], dir2[] = "/tmp/tc-bench-XXXXXX";
    const char *base = getenv("TC_BENCH_DIR");
    snprintf(dir, sizeof dir, "%s/tc-bench-XXXXXX", base ? base : "/var/tmp");
    char *d = mkdtemp(dir);
    if (!d)
        d = mkdtemp(dir2);
    if (!d) {
        perror("mkdtemp");
        return 1;
    }
    char raw[300], zst[300];
    snprintf(raw, sizeof raw, "%s/raw.tck", d);
    snprintf(zst, sizeof zst, "%s/zstd.tck", d);
    tc_tick_t *all = NULL;
    size_t n = 0;
    if (import_to(csv, raw, TC_TICKFILE_CODEC_NONE, &all, &n) < 0 ||
        import_to(csv, zst, TC_TICKFILE_CODEC_ZSTD, NULL, NULL) < 0) {
        fprintf(stderr, "bench_replay: %s\n", tc_err_msg());
        return 1;
    }
    tc_tick_t *buf;
    if (posix_memalign((void **)&buf, 64, BATCH * sizeof *buf))
        return 1;
    tc_replay_t *probe = tc_replay_open(raw, NULL);
    int uring = probe && tc_replay_uses_uring(probe);
    tc_replay_close(probe);

    enum { NT = 6 };
    const char *names[NT] = {"memcpy (reference)",  "raw  tc_replay_read", "raw  tc_replay_next",
                             "zstd tc_replay_read", "raw  read, pread",    "zstd read, pread"};
    double best[NT];
    for (int i = 0; i < NT; i++)
        best[i] = 1e9;
    time_replay(raw, 0, buf, n, 0); /* warm the page cache and the code */
    time_replay(zst, 0, buf, n, 0);
    for (int run = 0; run < RUNS; run++) {
        double t[NT] = {time_memcpy(all, n, buf),       time_replay(raw, 0, buf, n, 0),
                        time_replay(raw, 1, buf, n, 0), time_replay(zst, 0, buf, n, 0),
                        time_replay(raw, 0, buf, n, 1), time_replay(zst, 0, buf, n, 1)};
        for (int i = 0; i < NT; i++)
            best[i] = t[i] < best[i] ? t[i] : best[i];
    }
    printf("input     %s (%zu ticks) in %s, blocks of %u ticks, %d reads in flight, best of %d runs of %d "
           "passes%s\n", csv, n, d, block_ticks ? block_ticks : TC_TICKFILE_BLOCK_TICKS_DEFAULT, depth ? depth : 4,
           RUNS, PASSES,
           uring ? "" : " (io_uring refused: every line is pread)");
    for (int i = 0; i < NT; i++)
        printf("%-22s %8.1f M ticks/s  %7.2f GB/s of records\n", names[i], (double)n * PASSES / best[i] / 1e6,
               (double)n * PASSES * 64 / best[i] / 1e9);
    off_t cs = fsize(csv), rs = fsize(raw), zs = fsize(zst);
    printf("size      CSV %lld B, native raw %lld B (%.3fx), native zstd %lld B (%.3fx)\n", (long long)cs,
           (long long)rs, (double)rs / (double)cs, (long long)zs, (double)zs / (double)cs);
    unlink(raw);
    unlink(zst);
    rmdir(d);
    free(all);
    free(buf);
    return sink == 42 ? 2 : 0;
}
