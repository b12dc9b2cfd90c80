/* test_replay.c — `tickcast replay`: a shared tick file replayed to stdout gives the
 * importer's canonical text of every tick, and replayed into an instance's ticks ring
 * (back-pressured by a required consumer, the ring far smaller than the file) delivers
 * every tick unchanged and in order, then closes the ring; native tick files, raw and
 * zstd, do the same through the slots they are read into. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "ingest/import.h"
#include "ingest/tickfile.h"
#include "shm/ring.h"
#include "tests/common/csvtab.h"

#define FILE_REL "data/ticks/crypto_tardis_binancefutures_btcusdt_trades_20200222.csv"
#define N 9999

static int import_all(tc_tick_t *out)
{
    if (access(tc_shared_path(FILE_REL), R_OK) != 0)
        cr_skip_test("%s is missing: the shared data must sit beside the clone", tc_shared_path(FILE_REL));
    tc_import_opts_t o = {0};
    tc_import_t *im = tc_import_open(tc_shared_path(FILE_REL), &o);
    cr_assert_not_null(im, "%s", tc_err_msg());
    int n = 0, k;
    while ((k = tc_import_read(im, out + n, N + 1 - n)) > 0)
        n += k;
    tc_import_close(im);
    return n;
}

/* Runs `tickcast replay path --instance` into a fresh instance whose ticks ring (cap
 * records, claims of at most cap / 8) is smaller than the file, with a required consumer
 * here; every tick must arrive unchanged and in order. */
static void replay_into_ring(const char *path, const tc_tick_t *want, uint64_t cap)
{
    char inst[64];
    snprintf(inst, sizeof inst, "test-replay-%d", getpid());
    tc_shm_unlink(inst);
    tc_ring_spec_t specs[TC_RING_STANDARD];
    tc_shm_standard_specs(specs, cap, 64, 64, 64);
    tc_shm_t seg;
    cr_assert_eq(tc_shm_create(&seg, inst, specs, TC_RING_STANDARD, TC_WAIT_FUTEX), 0, "%s", tc_err_msg());
    tc_ring_t c;
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "ticks", "features", TC_ROLE_REQUIRED, NULL), 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s/tickcast replay %s --instance %s 2>/dev/null", TC_BIN_DIR,
             path, inst);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    int n = 0;
    while (!tc_ring_drained(&c)) {
        const void *q;
        int k = tc_ring_poll(&c, 256, &q);
        if (k == 0) {
            tc_ring_wait(&c, 100000000);
            continue;
        }
        const tc_tick_t *t = q;
        for (int i = 0; i < k; i++, n++) {
            cr_assert_lt(n, N);
            cr_assert_eq(memcmp(&t[i], &want[n], sizeof t[i]), 0, "tick %d differs", n);
        }
        tc_ring_release(&c, (uint32_t)k);
    }
    cr_assert_eq(pclose(p), 0, "replay exited non-zero");
    cr_assert_eq(n, N, "%d of %d ticks", n, N);
    uint32_t ns;
    const tc_symbol_t *sym = tc_shm_symbols(&seg, &ns);
    cr_assert_eq(ns, 1);
    cr_assert_str_eq(sym[0].name, "BTCUSDT");
    tc_shm_detach(&seg);
    tc_shm_unlink(inst);
}

Test(replay, to_stdout_is_the_canonical_text_of_every_tick, .timeout = 60)
{
    static tc_tick_t want[N + 1];
    cr_assert_eq(import_all(want), N);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s/tickcast replay %s", TC_BIN_DIR, tc_shared_path(FILE_REL));
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char line[512], expect[512];
    int n = 0;
    while (fgets(line, sizeof line, p)) {
        cr_assert_lt(n, N, "more lines than ticks");
        int len = tc_import_text_fmt(expect, sizeof expect, &want[n]);
        cr_assert_gt(len, 0);
        cr_assert_str_eq(line, expect, "line %d", n + 1);
        n++;
    }
    cr_assert_eq(pclose(p), 0);
    cr_assert_eq(n, N);
}

Test(replay, into_a_ring_delivers_every_tick_in_order, .timeout = 60)
{
    static tc_tick_t want[N + 1];
    cr_assert_eq(import_all(want), N);
    replay_into_ring(tc_shared_path(FILE_REL), want, 1024);
}

/* Native files go into the ring through claimed slots: uncompressed blocks read straight
 * into them, zstd blocks decompressed into them.  Claims of up to 512 records take
 * several 100-tick blocks at once, except near the ring's wrap and when the consumer is
 * behind, so the run moves between direct reads and the staged path. */
Test(replay, native_files_into_a_ring_raw_and_zstd, .timeout = 60)
{
    static tc_tick_t want[N + 1];
    cr_assert_eq(import_all(want), N);
    for (int codec = 0; codec < 2; codec++) {
        char path[128];
        snprintf(path, sizeof path, "/tmp/test-replay-%d-%d.tck", getpid(), codec);
        tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_CREATE,
                                             &(tc_tickfile_opts_t){.codec = codec, .block_ticks = 100});
        cr_assert_not_null(tf, "%s", tc_err_msg());
        tc_import_t *im = tc_import_open(tc_shared_path(FILE_REL), NULL);
        cr_assert_not_null(im, "%s", tc_err_msg());
        cr_assert_eq(tc_tickfile_symbol_add(tf, tc_import_symbol(im)), 0);
        tc_import_close(im);
        cr_assert_eq(tc_tickfile_append(tf, want, N), 0, "%s", tc_err_msg());
        cr_assert_eq(tc_tickfile_close(tf), 0, "%s", tc_err_msg());
        replay_into_ring(path, want, 4096);
        unlink(path);
    }
}
