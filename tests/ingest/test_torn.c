/* test_torn.c — crash safety of the native tick file / journal.
 *
 * A writer child appends the deterministic tick sequence of tickgen.h, syncs now and
 * then and reports each synced count on a pipe; the parent kills it with SIGKILL at a
 * seeded random moment.  On reopen every acknowledged tick must be there, every record
 * returned must be the writer's own record at that position (no byte of a partial
 * block as data), and an append-open must cut the tear and continue the sequence.
 * Small blocks and writes split into small pieces make the kill land inside a block
 * write often, so the torn path is exercised, not just the clean one.
 */
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "ingest/tickfile.h"
#include "tickgen.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRIALS 220
#define NSYMS 3

static char dir[256];

static void setup(void)
{
    cr_assert(tickgen_tmpdir(dir, sizeof dir), "mkdtemp");
    tc_log_set_level(TC_LOG_ERR);
}
static void teardown(void) { tickgen_rmdir(dir); }

TestSuite(torn, .init = setup, .fini = teardown);

/* The child: appends from `from` on, forever, acknowledging synced counts on fd. */
static void writer_child(const char *path, uint64_t seed, uint64_t from, int ackfd)
{
    tc_tickfile_opts_t o = {
        .block_ticks = 16 + (uint32_t)(tickgen_mix(seed) % 64),
        .codec = (int)(seed % 2),
        .max_write = 16 + tickgen_mix(seed + 1) % 700,
    };
    tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_APPEND, &o);
    if (!tf)
        _exit(3);
    uint64_t ready = from;
    if (write(ackfd, &ready, sizeof ready) != sizeof ready)
        _exit(7);
    for (int k = 0; k < NSYMS; k++) {
        tc_symbol_t s;
        tickgen_symbol(&s, k);
        if (tc_tickfile_symbol_add(tf, &s) != k)
            _exit(4);
    }
    tc_tick_t batch[100];
    uint64_t i = from, s = seed * 7919;
    for (uint64_t round = 0; round < 200000; round++) {
        int n = 1 + (int)(tickgen_mix(s++) % 100);
        for (int k = 0; k < n; k++)
            tickgen(&batch[k], i + (uint64_t)k, NSYMS);
        if (tc_tickfile_append(tf, batch, n) < 0)
            _exit(5);
        i += (uint64_t)n;
        if (tickgen_mix(s++) % 4 == 0) {
            if (tc_tickfile_sync(tf) < 0)
                _exit(6);
            if (write(ackfd, &i, sizeof i) != sizeof i)
                _exit(7);
        }
    }
    _exit(0);
}

/* Reads the file; checks every record against the sequence.  Returns the count. */
static uint64_t check_file(const char *path, int mode, uint64_t *ret_torn)
{
    tc_tickfile_t *tf = tc_tickfile_open(path, mode, NULL);
    cr_assert(tf, "reopen %s: %s", path, tc_err_msg());
    static tc_tick_t buf[4096];
    tc_tick_t want;
    uint64_t i = 0;
    int r;
    while ((r = tc_tickfile_read(tf, buf, 4096)) > 0) {
        for (int k = 0; k < r; k++, i++) {
            tickgen(&want, i, NSYMS);
            cr_assert(memcmp(&buf[k], &want, sizeof want) == 0, "%s: record %llu is not the writer's", path,
                      (unsigned long long)i);
        }
    }
    cr_assert_eq(r, 0, "%s: %s", path, tc_err_msg());
    *ret_torn = tc_tickfile_stats(tf)->torn_tails;
    cr_assert_eq(tc_tickfile_stats(tf)->damaged_blocks, 0, "a crash makes a tear, never mid-file damage");
    cr_assert_eq(tc_tickfile_close(tf), 0);
    return i;
}

/* Runs a writer from `from`, kills it after delay_us; returns the last acknowledged
 * count (from when nothing was acknowledged). */
static uint64_t run_and_kill(const char *path, uint64_t seed, uint64_t from, long delay_us)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        writer_child(path, seed, from, p[1]);
    }
    close(p[1]);
    /* The delay counts from the writer's first acknowledgement (the file is open), so
     * process start-up does not eat the window. */
    uint64_t v, acked = from;
    cr_assert_eq(read(p[0], &v, sizeof v), (ssize_t)sizeof v, "writer did not start");
    struct timespec ts = {.tv_sec = 0, .tv_nsec = delay_us * 1000};
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0), "writer failed early: %d",
              WEXITSTATUS(status));
    while (read(p[0], &v, sizeof v) == sizeof v)
        acked = v;
    close(p[0]);
    return acked;
}

Test(torn, sigkill_at_random_points)
{
    int torn = 0, appended = 0;
    uint64_t total_acked = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
        uint64_t seed = 0x70a1u + (uint64_t)trial;
        char path[300];
        snprintf(path, sizeof path, "%s/j%d.tck", dir, trial);
        long delay = (long)(tickgen_mix(seed ^ 0xdead) % 2000);
        uint64_t acked = run_and_kill(path, seed, 0, delay);
        total_acked += acked;

        /* Two trials in three read as they are; every third append-opens (cutting the
         * tear) and lets a second writer continue the sequence, then die too. */
        uint64_t t;
        if (trial % 3 != 2) {
            uint64_t got = check_file(path, TC_TICKFILE_READ, &t);
            cr_assert_geq(got, acked, "trial %d: %llu ticks back, %llu acknowledged", trial,
                          (unsigned long long)got, (unsigned long long)acked);
            torn += (int)t;
        } else {
            uint64_t got = check_file(path, TC_TICKFILE_APPEND, &t);
            cr_assert_geq(got, acked);
            torn += (int)t;
            uint64_t acked2 = run_and_kill(path, seed + 1000000, got, delay / 2);
            uint64_t got2 = check_file(path, TC_TICKFILE_READ, &t);
            cr_assert_geq(got2, acked2, "trial %d (second writer)", trial);
            cr_assert_geq(got2, got);
            torn += (int)t;
            appended += got2 > got;
        }
        unlink(path);
    }
    /* The suite is only meaningful if kills really landed inside block writes. */
    cr_log_info("torn tails: %d of %d reopens; %d trials appended after a cut; %llu ticks acknowledged", torn,
                TRIALS + TRIALS / 3, appended, (unsigned long long)total_acked);
    cr_assert_geq(torn, TRIALS / 10, "only %d torn tails in %d trials", torn, TRIALS);
    cr_assert_geq(appended, TRIALS / 15);
    cr_assert_gt(total_acked, 0);
}
