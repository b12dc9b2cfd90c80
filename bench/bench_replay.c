/* bench_replay.c — replay speed of native tick files from the page cache, from the file
 * into memory and from the file into a shared-memory ring with one required consumer
 * in another process, each beside a plain memcpy of the same 64-byte records, in one run
 * (BENCHMARKS.md).
 *
 *     bench_replay [CSV [COPIES [BLOCK_TICKS [DEPTH]]]]
 *         defaults: the shared SPY trades file, 8 copies, 2048 ticks a block, 4 reads
 *         in flight
 *
 * The CSV is imported once with the regular importer; COPIES copies of its ticks, each
 * shifted one day later so the file stays in time order, are written as a raw and a zstd
 * native file in a temporary directory (under $TC_BENCH_DIR, default /var/tmp): one day
 * of SPY is only 16 MB of records, too little to time.  Both files are read once to warm
 * the page cache.  Then, best of RUNS runs of PASSES replays each:
 *
 *   in memory   memcpy of the decoded records batch by batch into a 4096-tick buffer (the
 *               reference); tc_replay_read into that buffer (io_uring, CRC32C, one copy or
 *               one decompression); tc_replay_next (zero-copy blocks); pread instead of
 *               io_uring.
 *   into a ring a real instance segment with the standard rings at their default sizes
 *               (the ticks ring holds 1 M records, spin-then-futex waits), this process as
 *               the ticks ring's producer pinned to CPU 0, and one required consumer
 *               process pinned to CPU 1 that polls batches of up to 4096, reads two fields
 *               of every record into a checksum and releases them.  The clock runs from the
 *               first claim to the consumer's release of the last record.  Rows: memcpy of
 *               the in-memory records into claimed slots (the reference for the ring);
 *               tc_replay_read straight into claimed slots of 8192 (the loop of
 *               `tickcast replay`); `tickcast replay FILE --instance` itself, one process
 *               per pass, so its start-up and first lap over a fresh mapping of the ring
 *               are in the figure; and the earlier way, a 1024-tick buffer then
 *               tc_ring_write.
 * The consumer's count and checksum are compared with the file's after every run.
 *
 * Environment: TC_BENCH_DIR (where the files go), TC_BIN_DIR (where `tickcast` is),
 * TC_BENCH_RING_CAP (ticks ring capacity, default 1 M), TC_BENCH_RING_ONLY=1 (skip the
 * in-memory rows, for profiling the ring rows).
 */
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "ingest/import.h"
#include "ingest/replay.h"
#include "shm/ring.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PASSES 2
#define RUNS 5
#define BATCH 4096
#define DAY_NS (86400LL * 1000000000LL)

static uint64_t sink; /* keeps the copies observable */

static uint32_t block_ticks;
static int depth;

/* ---- the files ------------------------------------------------------------------------- */

/* The CSV's ticks, copies times, each copy a day after the previous one. */
static tc_tick_t *load_copies(const char *csv, int copies, size_t *ret_n, tc_symbol_t *ret_sym)
{
    tc_import_t *im = tc_import_open(csv, NULL);
    if (!im)
        return NULL;
    *ret_sym = *tc_import_symbol(im);
    size_t cap = 1 << 16, n = 0;
    tc_tick_t *one = malloc(cap * sizeof *one);
    int r = 0;
    while (one && (r = tc_import_read(im, one + n, BATCH)) > 0) {
        n += (size_t)r;
        if (n + BATCH > cap) {
            tc_tick_t *more = realloc(one, (cap *= 2) * sizeof *one);
            if (!more)
                free(one);
            one = more;
        }
    }
    tc_import_close(im);
    tc_tick_t *all = NULL;
    if (!one || r < 0 || posix_memalign((void **)&all, 64, n * (size_t)copies * sizeof *all)) {
        free(one);
        TC_ERR(-ENOMEM, "%s: cannot hold %d copies of its ticks", csv, copies);
        return NULL;
    }
    for (int c = 0; c < copies; c++)
        for (size_t i = 0; i < n; i++) {
            tc_tick_t t = one[i];
            t.ts_event += c * DAY_NS;
            t.ts_recv += c * DAY_NS;
            all[(size_t)c * n + i] = t;
        }
    free(one);
    *ret_n = n * (size_t)copies;
    return all;
}

static int write_file(const char *out, int codec, const tc_symbol_t *sym, const tc_tick_t *all, size_t n)
{
    tc_tickfile_opts_t o = {.codec = codec, .block_ticks = block_ticks};
    tc_tickfile_t *tf = tc_tickfile_open(out, TC_TICKFILE_CREATE, &o);
    if (!tf)
        return -1;
    int r = tc_tickfile_symbol_add(tf, sym);
    for (size_t i = 0; r >= 0 && i < n; i += BATCH)
        r = tc_tickfile_append(tf, all + i, (int)(n - i < BATCH ? n - i : BATCH));
    int c = tc_tickfile_close(tf);
    return r < 0 ? r : c;
}

/* ---- in memory ------------------------------------------------------------------------- */

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

static tc_replay_t *open_or_die(const char *path, int force_pread)
{
    tc_replay_t *rp = tc_replay_open(path, &(tc_replay_opts_t){.force_pread = force_pread, .depth = depth});
    if (!rp) {
        fprintf(stderr, "bench_replay: %s\n", tc_err_msg());
        exit(1);
    }
    return rp;
}

static void check_count(const char *path, int r, size_t got, size_t want)
{
    if (r < 0 || got != want) {
        fprintf(stderr, "bench_replay: %s: %zu of %zu ticks: %s\n", path, got, want, tc_err_msg());
        exit(1);
    }
}

static double time_replay(const char *path, int zero_copy, tc_tick_t *buf, size_t want, int force_pread)
{
    int64_t t0 = tc_clock_mono_ns();
    for (int p = 0; p < PASSES; p++) {
        tc_replay_t *rp = open_or_die(path, force_pread);
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
        check_count(path, r, got, want);
        tc_replay_close(rp);
    }
    return (double)(tc_clock_mono_ns() - t0) / 1e9;
}

/* ---- into a ring ----------------------------------------------------------------------- */

/* Shared with the consumer process (an anonymous shared mapping made before the fork). */
typedef struct cshared {
    alignas(64) _Atomic uint64_t consumed; /* records released so far (release) */
    _Atomic int64_t done_ns;               /* when the last of them was released */
    _Atomic uint64_t sum;                  /* checksum of everything consumed */
    _Atomic int ready, quit, failed;
} cshared_t;

static cshared_t *cs;

/* What the consumer adds per record: two fields, so every record's line is read. */
static inline uint64_t tick_sum(const tc_tick_t *t) { return (uint64_t)t->ts_event ^ (uint64_t)t->v[0]; }

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu % (int)sysconf(_SC_NPROCESSORS_ONLN), &set);
    sched_setaffinity(0, sizeof set, &set);
}

static void consumer_main(const char *inst)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the benchmark */
    if (getppid() == 1)
        _exit(1);
    pin(1);
    tc_shm_t s;
    tc_ring_t r;
    if (tc_shm_attach(&s, inst, 0) < 0 ||
        tc_ring_consumer_attach(&r, &s, "ticks", "features", TC_ROLE_REQUIRED, NULL) < 0) {
        fprintf(stderr, "bench_replay consumer: %s\n", tc_err_msg());
        atomic_store(&cs->failed, 1);
        atomic_store(&cs->ready, 1);
        _exit(1);
    }
    atomic_store(&cs->ready, 1);
    uint64_t consumed = 0, sum = 0;
    for (;;) {
        const void *p;
        int n = tc_ring_poll(&r, BATCH, &p);
        if (n == 0) {
            if (atomic_load_explicit(&cs->quit, memory_order_acquire))
                break;
            tc_ring_wait(&r, 10 * TC_NS_PER_MS);
            continue;
        }
        const tc_tick_t *t = p;
        for (int i = 0; i < n; i++)
            sum += tick_sum(&t[i]);
        tc_ring_release(&r, (uint32_t)n);
        consumed += (uint64_t)n;
        atomic_store_explicit(&cs->sum, sum, memory_order_relaxed);
        int64_t now = tc_clock_mono_ns();
        tc_ring_heartbeat(&r, now);
        atomic_store_explicit(&cs->done_ns, now, memory_order_relaxed);
        atomic_store_explicit(&cs->consumed, consumed, memory_order_release);
    }
    tc_shm_detach(&s);
    _exit(0);
}

enum { VIA_MEMCPY, VIA_SLOTS, VIA_WRITE, VIA_COMMAND };

#define CLAIM 8192 /* as tools/cmd_replay.c claims */

static char tickcast_bin[512];
static const char *instance;

/* `tickcast replay path --instance I` in its own process (it inherits this process's CPU
 * pinning); the ring's producer role is handed over for the run and taken back after. */
static size_t run_command(tc_ring_t *ring, tc_shm_t *seg, const char *path, size_t n)
{
    tc_ring_producer_close(ring);
    fflush(NULL); /* or the child's freopen flushes our buffered output again */
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(126);
        execl(tickcast_bin, "tickcast", "replay", path, "--instance", instance, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench_replay: %s replay %s --instance %s failed (status %d)\n", tickcast_bin, path,
                instance, st);
        exit(1);
    }
    if (tc_ring_producer_attach(ring, seg, "ticks", NULL) < 0) {
        fprintf(stderr, "bench_replay: %s\n", tc_err_msg());
        exit(1);
    }
    return n;
}


/* One file (or the in-memory records) into the ring, the way `via` says.  Returns the
 * ticks written. */
static size_t produce(tc_ring_t *ring, tc_shm_t *seg, int via, const char *path, const tc_tick_t *all, size_t n)
{
    size_t done = 0;
    if (via == VIA_COMMAND)
        return run_command(ring, seg, path, n);
    if (via == VIA_MEMCPY) {
        while (done < n) {
            void *slot;
            uint32_t want = n - done < BATCH ? (uint32_t)(n - done) : BATCH;
            int got = tc_ring_claim_wait(ring, want, &slot, -1, NULL);
            if (got < 0)
                break;
            memcpy(slot, all + done, (size_t)got * sizeof *all);
            tc_ring_commit(ring, (uint32_t)got);
            done += (size_t)got;
        }
        return done;
    }
    tc_replay_t *rp = open_or_die(path, 0);
    int r;
    if (via == VIA_SLOTS) {
        for (;;) {
            void *slot;
            int got = tc_ring_claim_wait(ring, CLAIM, &slot, -1, NULL);
            if (got < 0) {
                r = got;
                break;
            }
            if ((r = tc_replay_read(rp, slot, got)) <= 0)
                break;
            tc_ring_commit(ring, (uint32_t)r);
            done += (size_t)r;
        }
    } else {
        static tc_tick_t buf[1024];
        while ((r = tc_replay_read(rp, buf, 1024)) > 0) {
            if (tc_ring_write(ring, buf, (uint32_t)r, -1, NULL) < 0)
                break;
            done += (size_t)r;
        }
    }
    check_count(path, r, done, n);
    tc_replay_close(rp);
    return done;
}

/* PASSES replays into the ring; seconds from the first claim to the consumer's last
 * release.  Exits if the consumer's count or checksum disagrees with the file's. */
static double time_ring(tc_ring_t *ring, tc_shm_t *seg, int via, const char *path, const tc_tick_t *all,
                        size_t n, uint64_t file_sum)
{
    uint64_t c0 = atomic_load_explicit(&cs->consumed, memory_order_acquire);
    uint64_t s0 = atomic_load_explicit(&cs->sum, memory_order_relaxed);
    int64_t t0 = tc_clock_mono_ns();
    for (int p = 0; p < PASSES; p++)
        produce(ring, seg, via, path, all, n);
    uint64_t target = c0 + (uint64_t)PASSES * n;
    while (atomic_load_explicit(&cs->consumed, memory_order_acquire) < target)
        if (atomic_load(&cs->failed))
            break;
    uint64_t got = atomic_load_explicit(&cs->consumed, memory_order_acquire) - c0;
    uint64_t sum = atomic_load_explicit(&cs->sum, memory_order_relaxed) - s0;
    if (got != (uint64_t)PASSES * n || sum != (uint64_t)PASSES * file_sum) {
        fprintf(stderr, "bench_replay: the consumer got %llu of %llu ticks (checksum %s)\n",
                (unsigned long long)got, (unsigned long long)PASSES * n, sum == (uint64_t)PASSES * file_sum ? "agrees" : "differs");
        exit(1);
    }
    return (double)(atomic_load_explicit(&cs->done_ns, memory_order_relaxed) - t0) / 1e9;
}

/* ---- driver ------------------------------------------------------------------------------ */

static off_t fsize(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 ? sb.st_size : -1;
}

enum { T_MEMCPY, T_RAW_READ, T_RAW_NEXT, T_ZST_READ, T_RAW_PREAD, T_ZST_PREAD,
       T_RING_MEMCPY, T_RING_RAW, T_RING_ZST, T_CMD_RAW, T_CMD_ZST, T_RING_RAW_WRITE, T_RING_ZST_WRITE, NT };

static const char *const names[NT] = {
    "memcpy (reference)", "raw  tc_replay_read", "raw  tc_replay_next", "zstd tc_replay_read",
    "raw  read, pread", "zstd read, pread",
    "memcpy into the ring (reference)", "raw  into ring slots", "zstd into ring slots",
    "raw  `tickcast replay` (process)", "zstd `tickcast replay` (process)",
    "raw  1024 buffer + tc_ring_write", "zstd 1024 buffer + tc_ring_write",
};

int main(int argc, char **argv)
{
    const char *csv = argc > 1 && argv[1][0] ? argv[1] : TC_SHARED_DIR "/data/ticks/equity_spy_trades_20131007.csv";
    int copies = argc > 2 ? atoi(argv[2]) : 8;
    const char *cap_env = getenv("TC_BENCH_RING_CAP"), *only_env = getenv("TC_BENCH_RING_ONLY");
    uint64_t ring_cap = cap_env ? strtoull(cap_env, NULL, 0) : 1u << 20;
    int ring_only = only_env && *only_env == '1';
    if (argc > 3)
        block_ticks = (uint32_t)atoi(argv[3]);
    if (argc > 4)
        depth = atoi(argv[4]);
    if (copies < 1)
        copies = 1;
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
    size_t n = 0;
    tc_symbol_t sym;
    tc_tick_t *all = load_copies(csv, copies, &n, &sym);
    if (!all || write_file(raw, TC_TICKFILE_CODEC_NONE, &sym, all, n) < 0 ||
        write_file(zst, TC_TICKFILE_CODEC_ZSTD, &sym, all, n) < 0) {
        fprintf(stderr, "bench_replay: %s\n", tc_err_msg());
        return 1;
    }
    uint64_t file_sum = 0;
    for (size_t i = 0; i < n; i++)
        file_sum += tick_sum(&all[i]);
    tc_tick_t *buf;
    if (posix_memalign((void **)&buf, 64, BATCH * sizeof *buf))
        return 1;
    tc_replay_t *probe = open_or_die(raw, 0);
    int uring = tc_replay_uses_uring(probe);
    tc_replay_close(probe);

    /* The instance segment, as tickcastd makes it, and its consumer process. */
    char inst[64];
    snprintf(inst, sizeof inst, "bench-replay-%d", getpid());
    instance = inst;
    const char *bin = getenv("TC_BIN_DIR");
    snprintf(tickcast_bin, sizeof tickcast_bin, "%s/tickcast", bin ? bin : TC_BIN_DIR);
    tc_ring_spec_t specs[TC_RING_STANDARD];
    tc_shm_standard_specs(specs, ring_cap, 65536, 65536, 65536);
    tc_shm_t seg;
    tc_ring_t ring;
    cs = mmap(NULL, sizeof *cs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (cs == MAP_FAILED || tc_shm_create(&seg, inst, specs, TC_RING_STANDARD, TC_WAIT_FUTEX) < 0 ||
        tc_ring_consumer_reserve(&seg, "ticks", "features") < 0) {
        fprintf(stderr, "bench_replay: %s\n", cs == MAP_FAILED ? "cannot map the shared area" : tc_err_msg());
        return 1;
    }
    pid_t cons = fork();
    if (cons == 0)
        consumer_main(inst);
    while (!atomic_load(&cs->ready))
        usleep(1000);
    if (atomic_load(&cs->failed) || tc_ring_producer_attach(&ring, &seg, "ticks", NULL) < 0) {
        fprintf(stderr, "bench_replay: %s\n", tc_err_msg());
        kill(cons, SIGKILL);
        tc_shm_unlink(inst);
        return 1;
    }
    pin(0);

    double best[NT];
    for (int i = 0; i < NT; i++)
        best[i] = 1e9;
    time_replay(raw, 0, buf, n, 0); /* warm the page cache, the code and the ring's pages */
    time_replay(zst, 0, buf, n, 0);
    time_ring(&ring, &seg, VIA_MEMCPY, NULL, all, n, file_sum);
    for (int run = 0; run < RUNS; run++) {
        double t[NT] = {0};
        if (!ring_only) {
        t[T_MEMCPY] = time_memcpy(all, n, buf);
        t[T_RAW_READ] = time_replay(raw, 0, buf, n, 0);
        t[T_RAW_NEXT] = time_replay(raw, 1, buf, n, 0);
        t[T_ZST_READ] = time_replay(zst, 0, buf, n, 0);
        t[T_RAW_PREAD] = time_replay(raw, 0, buf, n, 1);
        t[T_ZST_PREAD] = time_replay(zst, 0, buf, n, 1);
        }
        t[T_RING_MEMCPY] = time_ring(&ring, &seg, VIA_MEMCPY, NULL, all, n, file_sum);
        t[T_RING_RAW] = time_ring(&ring, &seg, VIA_SLOTS, raw, all, n, file_sum);
        t[T_RING_ZST] = time_ring(&ring, &seg, VIA_SLOTS, zst, all, n, file_sum);
        t[T_CMD_RAW] = time_ring(&ring, &seg, VIA_COMMAND, raw, all, n, file_sum);
        t[T_CMD_ZST] = time_ring(&ring, &seg, VIA_COMMAND, zst, all, n, file_sum);
        t[T_RING_RAW_WRITE] = time_ring(&ring, &seg, VIA_WRITE, raw, all, n, file_sum);
        t[T_RING_ZST_WRITE] = time_ring(&ring, &seg, VIA_WRITE, zst, all, n, file_sum);
        for (int i = 0; i < NT; i++)
            best[i] = t[i] < best[i] ? t[i] : best[i];
    }
    atomic_store(&cs->quit, 1);
    tc_ring_producer_close(&ring);
    waitpid(cons, NULL, 0);
    tc_shm_detach(&seg);
    tc_shm_unlink(inst);

    printf("input     %s x %d copies (%zu ticks, one day apart) in %s\n"
           "          blocks of %u ticks, %d reads in flight, best of %d runs of %d passes%s\n",
           csv, copies, n, d, block_ticks ? block_ticks : TC_TICKFILE_BLOCK_TICKS_DEFAULT, depth ? depth : 4,
           RUNS, PASSES, uring ? "" : " (io_uring refused: every line is pread)");
    printf("ring      ticks ring of 1 M records (spin-then-futex), producer on CPU 0, one required\n"
           "          consumer process on CPU 1; count and checksum agree on every run\n");
    for (int i = 0; i < NT; i++) {
        if (i == T_RING_MEMCPY)
            printf("into the ring:\n");
        else if (i == 0)
            printf("in memory:\n");
        printf("  %-34s %8.1f M ticks/s  %7.2f GB/s of records\n", names[i], (double)n * PASSES / best[i] / 1e6,
               (double)n * PASSES * 64 / best[i] / 1e9);
    }
    off_t cs_ = fsize(csv), rs = fsize(raw), zs = fsize(zst);
    printf("size      one copy: CSV %lld B; %d copies: native raw %lld B (%.3fx the CSV's), zstd %lld B (%.3fx)\n",
           (long long)cs_, copies, (long long)rs, (double)rs / ((double)cs_ * copies), (long long)zs,
           (double)zs / ((double)cs_ * copies));
    printf("bars      into the ring: raw %.1f M ticks/s (bar >= 50), zstd %.1f M ticks/s (bar >= 15)\n",
           (double)n * PASSES / best[T_RING_RAW] / 1e6, (double)n * PASSES / best[T_RING_ZST] / 1e6);
    unlink(raw);
    unlink(zst);
    rmdir(d);
    free(all);
    free(buf);
    return sink == 42 ? 2 : 0;
}
