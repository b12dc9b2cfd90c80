/* test_tickdir.c — directories of tick files: rolling by UTC day and by size, append
 * across reopen, and the time-merged replay of files with different symbol tables,
 * checked against a naive reference (concatenate, stable sort by event time). */
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "ingest/tickdir.h"
#include "tickgen.h"

#include <criterion/criterion.h>
#include <time.h>

static char dir[256];

static void setup(void)
{
    cr_assert(tickgen_tmpdir(dir, sizeof dir), "mkdtemp");
    tc_log_set_level(TC_LOG_ERR);
}
static void teardown(void) { tickgen_rmdir(dir); }

TestSuite(tickdir, .init = setup, .fini = teardown);

#define DAY_NS (86400LL * 1000000000LL)
#define T_MIDNIGHT 1700006400000000000LL /* 2023-11-15T00:00:00Z */

/* Tick i of a 3-day feed: one every 67 s from 2023-11-14T20:00Z. */
static void feed(tc_tick_t *t, uint64_t i)
{
    tickgen(t, i, 3);
    t->ts_event = T_MIDNIGHT - 4 * 3600LL * 1000000000LL + (int64_t)i * 67000000000LL;
}

static void read_all(tc_tickdir_t *td, tc_tick_t *out, int cap, int *ret_n)
{
    int n = 0, r;
    while ((r = tc_tickdir_read(td, out + n, cap - n > 333 ? 333 : cap - n)) > 0)
        n += r;
    cr_assert_eq(r, 0, "%s", tc_err_msg());
    *ret_n = n;
}

Test(tickdir, rolls_by_utc_day_and_replays_in_order)
{
    enum { N = 3000 }; /* 3000 * 67 s = 55.8 h: Nov 14 (4 h), 15, 16, 17 */
    tc_tickdir_opts_t o = {.roll_daily = 1, .file.block_ticks = 100};
    tc_tickdir_t *td = tc_tickdir_open(dir, TC_TICKFILE_APPEND, &o);
    cr_assert(td, "%s", tc_err_msg());
    for (int k = 0; k < 3; k++) {
        tc_symbol_t s;
        tickgen_symbol(&s, k);
        cr_assert_eq(tc_tickdir_symbol_add(td, &s), k);
    }
    static tc_tick_t in[N], out[N + 10];
    for (int i = 0; i < N; i++)
        feed(&in[i], (uint64_t)i);
    for (int i = 0; i < N; i += 250)
        cr_assert_eq(tc_tickdir_append(td, in + i, N - i < 250 ? N - i : 250), 0, "%s", tc_err_msg());
    cr_assert_eq(tc_tickdir_sync(td), 0);
    cr_assert_eq(tc_tickdir_file_count(td), 4);
    cr_assert_eq(tc_tickdir_close(td), 0);

    char **paths;
    int nf = tc_tickdir_list(dir, &paths);
    cr_assert_eq(nf, 4);
    const char *days[] = {"20231114", "20231115", "20231116", "20231117"};
    for (int f = 0; f < nf; f++) {
        cr_assert(strstr(paths[f], days[f]), "%s", paths[f]);
        /* every tick of a file is in the file's UTC day */
        tc_tickfile_t *tf = tc_tickfile_open(paths[f], TC_TICKFILE_READ, NULL);
        const tc_tickfile_stats_t *st = tc_tickfile_stats(tf);
        int64_t day0 = T_MIDNIGHT + (f - 1) * DAY_NS;
        cr_assert_geq(st->ts_first, day0);
        cr_assert_lt(st->ts_last, day0 + DAY_NS);
        int ns;
        tc_tickfile_symbols(tf, &ns);
        cr_assert_eq(ns, 3, "each file carries the symbol table");
        tc_tickfile_close(tf);
        free(paths[f]);
    }
    free(paths);

    td = tc_tickdir_open(dir, TC_TICKFILE_READ, NULL);
    cr_assert(td, "%s", tc_err_msg());
    int n;
    read_all(td, out, N + 10, &n);
    cr_assert_eq(n, N);
    for (int i = 0; i < N; i++)
        cr_assert(memcmp(&out[i], &in[i], 64) == 0, "tick %d", i);
    tc_tickdir_close(td);
}

Test(tickdir, rolls_by_size_and_appends_after_reopen)
{
    enum { N = 5000 };
    tc_tickdir_opts_t o = {.roll_bytes = 20000, .file.block_ticks = 64, .prefix = "j"};
    static tc_tick_t in[N], out[N + 10];
    for (int i = 0; i < N; i++)
        tickgen(&in[i], (uint64_t)i, 3);
    for (int round = 0; round < 2; round++) {
        tc_tickdir_t *td = tc_tickdir_open(dir, TC_TICKFILE_APPEND, &o);
        cr_assert(td, "%s", tc_err_msg());
        int ns;
        tc_tickdir_symbols(td, &ns);
        cr_assert_eq(ns, round ? 2 : 0, "reopen finds the table");
        for (int k = 0; k < 2 + round; k++) {
            tc_symbol_t s;
            tickgen_symbol(&s, k);
            cr_assert_eq(tc_tickdir_symbol_add(td, &s), k);
        }
        int from = round ? 3000 : 0, to = round ? N : 3000;
        for (int i = from; i < to; i++) {
            if (!round)
                in[i].sym %= 2; /* the first writer knows two symbols */
            cr_assert_eq(tc_tickdir_append(td, &in[i], 1), 0, "%s", tc_err_msg());
        }
        cr_assert_eq(tc_tickdir_close(td), 0);
    }
    char **paths;
    int nf = tc_tickdir_list(dir, &paths);
    /* 64 ticks = 4160 bytes a block: a file rolls after 5 blocks (20,928 bytes) */
    cr_assert_geq(nf, N / 320, "%d files", nf);
    for (int f = 0; f < nf; f++) {
        cr_assert(strstr(paths[f], "/j-"), "%s", paths[f]);
        free(paths[f]);
    }
    free(paths);
    tc_tickdir_t *td = tc_tickdir_open(dir, TC_TICKFILE_READ, NULL);
    int n;
    read_all(td, out, N + 10, &n);
    cr_assert_eq(n, N);
    for (int i = 0; i < N; i++)
        cr_assert(memcmp(&out[i], &in[i], 64) == 0, "tick %d", i);
    int ns;
    tc_tickdir_symbols(td, &ns);
    cr_assert_eq(ns, 3);
    tc_tickdir_close(td);
}

typedef struct ref {
    tc_tick_t t;
    int file;
    int seq;
    char name[32];
} ref_t;

static int ref_cmp(const void *a, const void *b)
{
    const ref_t *x = a, *y = b;
    if (x->t.ts_event != y->t.ts_event)
        return x->t.ts_event < y->t.ts_event ? -1 : 1;
    if (x->file != y->file)
        return x->file - y->file;
    return x->seq - y->seq;
}

/* Independent files (as if from several importers) with overlapping times, equal
 * timestamps across files, and symbol tables in different orders: the merge must
 * equal a stable sort of their concatenation by (time, file name, position), with
 * symbols renumbered into the directory's table by name. */
Test(tickdir, merges_overlapping_files_like_a_stable_sort)
{
    enum { F = 4, PER = 1500 };
    static ref_t ref[F * PER];
    int nref = 0;
    for (int f = 0; f < F; f++) {
        char p[300];
        snprintf(p, sizeof p, "%s/src%d.tck", dir, f);
        tc_tickfile_t *tf = tc_tickfile_open(p, TC_TICKFILE_CREATE, &(tc_tickfile_opts_t){.block_ticks = 100,
                                                                                          .codec = f % 2});
        cr_assert(tf);
        /* file f knows symbols f, f+1 (mod 5), in reverse order for odd f */
        int ids[2] = {f % 5, (f + 1) % 5};
        if (f % 2) {
            int t = ids[0];
            ids[0] = ids[1];
            ids[1] = t;
        }
        for (int k = 0; k < 2; k++) {
            tc_symbol_t s;
            tickgen_symbol(&s, ids[k]);
            tc_tickfile_symbol_add(tf, &s);
        }
        int64_t ts = TICKGEN_T0 + f * 7;
        for (int i = 0; i < PER; i++) {
            tc_tick_t t;
            tickgen(&t, (uint64_t)(f * PER + i), 2);
            ts += (int64_t)(tickgen_mix((uint64_t)(f * 100000 + i)) % 40); /* steps of 0..39 ns: ties happen */
            t.ts_event = ts;
            cr_assert_eq(tc_tickfile_append(tf, &t, 1), 0);
            ref_t *r = &ref[nref++];
            r->t = t;
            r->file = f;
            r->seq = i;
            tc_symbol_t s;
            tickgen_symbol(&s, ids[t.sym]);
            memcpy(r->name, s.name, sizeof r->name);
        }
        tc_tickfile_close(tf);
    }
    qsort(ref, (size_t)nref, sizeof *ref, ref_cmp);

    tc_tickdir_t *td = tc_tickdir_open(dir, TC_TICKFILE_READ, NULL);
    cr_assert(td, "%s", tc_err_msg());
    cr_assert_eq(tc_tickdir_file_count(td), F);
    int ns;
    const tc_symbol_t *syms = tc_tickdir_symbols(td, &ns);
    cr_assert_eq(ns, 5, "union of the tables by name");
    static tc_tick_t out[F * PER + 10];
    int n;
    read_all(td, out, F * PER + 10, &n);
    cr_assert_eq(n, nref);
    int ties = 0;
    for (int i = 0; i < n; i++) {
        cr_assert_str_eq(syms[out[i].sym].name, ref[i].name, "tick %d symbol", i);
        tc_tick_t a = out[i], b = ref[i].t;
        a.sym = b.sym = 0;
        cr_assert(memcmp(&a, &b, 64) == 0, "tick %d differs from the reference merge", i);
        ties += i > 0 && out[i].ts_event == out[i - 1].ts_event;
    }
    cr_assert_gt(ties, 10, "the data must contain equal timestamps for the tie rule to be tested");
    tc_tickdir_close(td);
}

Test(tickdir, missing_directory_is_an_error)
{
    char p[300];
    snprintf(p, sizeof p, "%s/nope", dir);
    cr_assert_null(tc_tickdir_open(p, TC_TICKFILE_READ, NULL));
    cr_assert_eq(tc_err_code(), -ENOENT);
    cr_assert(strstr(tc_err_msg(), p));
}

/* The last tick on disk: none in an empty directory; the last of the last full block
 * while later ticks wait in memory; after a roll that left the newest file without a
 * tick, the last of the file before; the tick that was last written, against the input. */
Test(tickdir, last_tick_on_disk)
{
    enum { N = 1000 };
    tc_tickdir_opts_t o = {.roll_bytes = 20000, .file.block_ticks = 64, .prefix = "j"};
    static tc_tick_t in[N];
    for (int i = 0; i < N; i++) {
        tickgen(&in[i], (uint64_t)i, 2);
        in[i].sym %= 2;
    }
    tc_tickdir_t *td = tc_tickdir_open(dir, TC_TICKFILE_APPEND, &o);
    cr_assert(td, "%s", tc_err_msg());
    for (int k = 0; k < 2; k++) {
        tc_symbol_t s;
        tickgen_symbol(&s, k);
        cr_assert_eq(tc_tickdir_symbol_add(td, &s), k);
    }
    tc_tick_t last;
    cr_assert_eq(tc_tickdir_last(td, &last), 0, "no tick yet");
    cr_assert_eq(tc_tickdir_append(td, in, 100), 0, "%s", tc_err_msg());
    /* one block of 64 written, 36 in memory */
    cr_assert_eq(tc_tickdir_last(td, &last), 1, "%s", tc_err_msg());
    cr_assert_eq(memcmp(&last, &in[63], sizeof last), 0, "the last of the written block");
    /* 64 ticks = 4160 bytes a block: a file rolls once its fifth block is written (320 ticks) */
    cr_assert_eq(tc_tickdir_append(td, in + 100, 220), 0, "%s", tc_err_msg());
    cr_assert_eq(tc_tickdir_file_count(td), 1, "rolled: the newest file is not started until a tick comes");
    cr_assert_eq(tc_tickdir_last(td, &last), 1);
    cr_assert_eq(memcmp(&last, &in[319], sizeof last), 0, "tick 319 closed the file");
    cr_assert_eq(tc_tickdir_append(td, in + 320, 10), 0, "%s", tc_err_msg());
    cr_assert_eq(tc_tickdir_file_count(td), 2);
    cr_assert_eq(tc_tickdir_last(td, &last), 1);
    cr_assert_eq(memcmp(&last, &in[319], sizeof last), 0, "the new file has no block on disk yet");
    cr_assert_eq(tc_tickdir_close(td), 0);
    /* reopened for append: the tail written by close is there */
    td = tc_tickdir_open(dir, TC_TICKFILE_APPEND, &o);
    cr_assert(td, "%s", tc_err_msg());
    cr_assert_eq(tc_tickdir_last(td, &last), 1);
    cr_assert_eq(memcmp(&last, &in[329], sizeof last), 0, "close flushed the partial block");
    tc_tickdir_close(td);
}
