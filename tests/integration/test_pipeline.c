/* test_pipeline.c — the real stages under tickcastd: ingest (synthetic market) and
 * features, as separate processes over the instance segment.  A finite synthetic run
 * must produce exactly the feature records that the same library code produces in one
 * process (the backtest path), bit for bit, and then drain and stop cleanly.  The
 * journal holds exactly the published stream, also when ingest is killed mid-run. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "features/stage.h"
#include "ingest/synth.h"
#include "ingest/tickdir.h"
#include "shm/ring.h"
#include "tests/common/daemon_run.h"

#define TICKS 120000
#define MAXREC 20000

static int in_process(tc_feat_t *out)
{
    tc_synth_opts_t so = {.seed = 77, .n_symbols = 3, .symbols = {"EURUSD", "BTCUSDT", "SYN"}};
    tc_synth_t *syn = tc_synth_create(&so);
    tc_features_opts_t fo = {.bar_type = TC_BAR_TIME, .bar_size = 5, .feature_list = "default"};
    tc_features_t *x = tc_features_create(&fo);
    cr_assert_not_null(x, "%s", tc_err_msg());
    tc_features_symbol_price(x, 0, TC_BAR_PRICE_MID); /* FX: mids, as the stage does */
    int n = 0;
    tc_tick_t t;
    for (uint64_t i = 0; i < TICKS; i++) {
        tc_synth_next(syn, &t, 1);
        n += tc_features_tick(x, &t, i, out + n, MAXREC - n);
    }
    n += tc_features_flush(x, TICKS, out + n, MAXREC - n);
    tc_features_destroy(x);
    tc_synth_destroy(syn);
    return n;
}

/* A run's names (instance tag-PID, its config and journal paths under /tmp), its config
 * file: ingest (the synthetic market of 3 symbols, seed, ticks, rate) and features,
 * then extra lines; and tickcastd started on it.  Fills s with the attached segment. */
typedef struct run {
    char inst[64], conf[128], journal[128];
} run_t;

static pid_t run_start(run_t *rn, const char *tag, const char *tickcastd_extra, int seed, int ticks,
                       int rate, const char *features, tc_shm_t *s)
{
    snprintf(rn->inst, sizeof rn->inst, "%s-%d", tag, getpid());
    snprintf(rn->conf, sizeof rn->conf, "/tmp/%s-%d.conf", tag, getpid());
    snprintf(rn->journal, sizeof rn->journal, "/tmp/%s-%d-journal", tag, getpid());
    tc_shm_unlink(rn->inst);
    FILE *f = fopen(rn->conf, "w");
    cr_assert_not_null(f);
    fprintf(f, "[tickcastd]\ninstance = %s\nstages = ingest,features\nbin_dir = %s\n%s"
               "[ingest]\nsynthetic_seed = %d\njournal_dir = %s\n"
               "synthetic_symbols = EURUSD,BTCUSDT,SYN\nsynthetic_ticks = %d\nsynthetic_rate = %d\n"
               "[features]\n%s",
            rn->inst, TC_BIN_DIR, tickcastd_extra, seed, rn->journal, ticks, rate, features);
    fclose(f);
    pid_t d = tc_test_daemon_start(rn->conf);
    cr_assert_eq(tc_test_shm_wait(s, rn->inst), 0, "segment: %s", tc_err_msg());
    return d;
}

/* Removes the run's config and journal. */
static void run_clean(const run_t *rn)
{
    unlink(rn->conf);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", rn->journal);
    cr_assert_eq(system(cmd), 0);
}

static void expect_journal(const char *dir, uint64_t seed, long want);

Test(pipeline, multi_process_features_equal_in_process_bit_for_bit, .timeout = 120, .fini = tc_test_daemon_kill)
{
    run_t rn;
    tc_shm_t s;
    pid_t d = run_start(&rn, "tcpipe", "log_level = warning\n", 77, TICKS, 0,
                        "bar_type = time\nbar_size = 5\nfeature_set = default\n", &s);
    cr_assert(tc_test_ring_wait_closed(&s, "features", 60), "the features stage finished the run");

    static tc_feat_t want[MAXREC], got[MAXREC];
    int n = in_process(want);
    tc_ring_t r;
    cr_assert_eq(tc_ring_observer_attach_anon(&r, &s, "features"), 0);
    uint64_t head = tc_ring_head(&r);
    cr_assert_eq(head, (uint64_t)n, "records: %llu from the stages, %d in process",
                 (unsigned long long)head, n);
    r.pos = 0; /* read the whole run from the start (it fits in the ring) */
    int m = 0, k;
    while ((k = tc_ring_observe(&r, got + m, 64, NULL)) > 0)
        m += k;
    cr_assert_eq(m, n);
    for (int i = 0; i < n; i++)
        cr_assert_eq(memcmp(&got[i], &want[i], sizeof got[i]), 0,
                     "record %d (symbol %u, bar %u) differs", i, got[i].sym, got[i].bar_seq);
    uint32_t ns;
    const tc_symbol_t *sym = tc_shm_symbols(&s, &ns);
    cr_assert_eq(ns, 3);
    cr_assert_str_eq(sym[1].name, "BTCUSDT");
    printf("pipeline: %d feature records from %d ticks, identical across processes\n", n, TICKS);

    /* The journal holds every tick that was published, in order, exactly. */
    expect_journal(rn.journal, 77, TICKS);

    int st = tc_test_daemon_stop(d);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tickcastd exit status %d", st);
    tc_shm_detach(&s);
    run_clean(&rn);
}

/* The journal's contents against the seeded synthetic stream: exactly want ticks, in
 * order, byte for byte. */
static void expect_journal(const char *dir, uint64_t seed, long want)
{
    tc_tickdir_opts_t jo = {0};
    tc_tickdir_t *jd = tc_tickdir_open(dir, TC_TICKFILE_READ, &jo);
    cr_assert_not_null(jd, "journal: %s", tc_err_msg());
    tc_synth_opts_t so = {.seed = seed, .n_symbols = 3, .symbols = {"EURUSD", "BTCUSDT", "SYN"}};
    tc_synth_t *syn = tc_synth_create(&so);
    tc_tick_t jt[512], st_[512];
    long total = 0;
    int k;
    while ((k = tc_tickdir_read(jd, jt, 512)) > 0) {
        tc_synth_next(syn, st_, k);
        for (int i = 0; i < k; i++)
            cr_assert_eq(memcmp(&jt[i], &st_[i], sizeof jt[i]), 0,
                         "journal tick %ld is not the stream's (a tick lost or written twice)",
                         total + i);
        total += k;
    }
    cr_assert_eq(k, 0);
    cr_assert_eq(total, want, "journal holds %ld ticks, the stream %ld", total, want);
    tc_tickdir_close(jd);
    tc_synth_destroy(syn);
}

/* kill -9 of ingest keeps the end of its journal's last block off disk; the restarted
 * ingest appends it from the ticks ring, so the journal stays the published stream. */
Test(pipeline, the_journal_is_the_published_stream_across_ingest_crashes, .timeout = 120,
     .fini = tc_test_daemon_kill)
{
    enum { N = 200000, KILLS = 4 };
    run_t rn;
    tc_shm_t s;
    pid_t d = run_start(&rn, "tcjrnl", "log_level = notice\nrestart_backoff_min = 50ms\n", 78, N,
                        50000, "bar_size = 1\n", &s);
    tc_stage_slot_t *ingest = NULL; /* the segment is mapped read-only: look, don't register */
    for (int i = 0; i < 400 && !ingest; i++) {
        tc_stage_slot_t *all = tc_shm_stages(&s);
        for (int k = 0; k < TC_SHM_STAGES_MAX && !ingest; k++)
            if (!strcmp(all[k].name, "ingest"))
                ingest = &all[k];
        if (!ingest)
            usleep(10000);
    }
    cr_assert_not_null(ingest, "tickcastd registered the ingest stage");
    int kills = 0;
    for (int round = 0; round < KILLS; round++) {
        usleep(600000);
        pid_t pid = atomic_load(&ingest->pid);
        if (pid > 0 && atomic_load(&ingest->state) == TC_STAGE_RUNNING && kill(pid, SIGKILL) == 0)
            kills++;
    }
    cr_assert_geq(kills, 3, "ingest was killed mid-run (%d times)", kills);
    cr_assert(tc_test_ring_wait_closed(&s, "ticks", 60), "ingest finished the run");
    int st = tc_test_daemon_stop(d);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tickcastd exit status %d", st);
    tc_shm_detach(&s);
    expect_journal(rn.journal, 78, N);
    printf("pipeline: journal exact across %d kills of ingest\n", kills);
    run_clean(&rn);
}
