/* test_cleanset.c — cleaning in the ingest stage: a native file with known bad ticks
 * replayed by tickcast-ingest under tickcastd.  The ticks ring must hold exactly the
 * ticks the rules accept (a naive list written here), flagged as the rules say, with
 * every hit counted by reason; a per-symbol rule applies to its symbol only; a bad rule
 * is refused with the item named. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "ingest/cleanset.h"
#include "ingest/tickfile.h"
#include "shm/ring.h"
#include "tests/common/daemon_run.h"

#define N 12

/* Symbol 0 (AAA) and 1 (BBB), trades every second; the bad ones are marked. */
static int make_ticks(tc_tick_t *t)
{
    memset(t, 0, N * sizeof *t);
    for (int i = 0; i < N; i++) {
        t[i].kind = TC_TICK_TRADE;
        t[i].sym = (uint16_t)(i % 2);
        t[i].ts_event = t[i].ts_recv = 1700000000000000000LL + (int64_t)i * 1000000000LL;
        t[i].trade.price = 10000 + i;
        t[i].trade.size = 5;
        t[i].px_exp = -2;
    }
    t[4].trade.price = 0;                      /* AAA: non-positive price: dropped */
    t[6].ts_event = t[2].ts_event - 1;         /* AAA: out of order: dropped */
    t[6].ts_recv = t[6].ts_event;
    t[7].trade.size = 0;                       /* BBB: zero size: flagged (dropped with the BBB rule) */
    t[8].trade.size = 0;                       /* AAA: zero size: flagged */
    t[9].kind = TC_TICK_QUOTE;                 /* BBB: crossed quote: dropped (crossed_policy) */
    t[9].quote.bid = 10100;
    t[9].quote.ask = 10050;
    t[9].quote.bid_size = t[9].quote.ask_size = 1;
    return N;
}

static void write_file(const char *path, const tc_tick_t *t)
{
    unlink(path);
    tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_CREATE, NULL);
    cr_assert_not_null(tf, "%s", tc_err_msg());
    tc_symbol_t a = {.name = "AAA", .tz = "UTC", .px_exp = -2}, b = {.name = "BBB", .tz = "UTC", .px_exp = -2};
    cr_assert_eq(tc_tickfile_symbol_add(tf, &a), 0);
    cr_assert_eq(tc_tickfile_symbol_add(tf, &b), 1);
    cr_assert_eq(tc_tickfile_append(tf, t, N), 0);
    cr_assert_eq(tc_tickfile_close(tf), 0);
}

Test(cleanset, ingest_publishes_what_the_rules_accept_and_counts_every_hit, .timeout = 60,
     .fini = tc_test_daemon_kill)
{
    char inst[64], conf[128], tck[128];
    snprintf(inst, sizeof inst, "tcclean-%d", getpid());
    snprintf(conf, sizeof conf, "/tmp/%s.conf", inst);
    snprintf(tck, sizeof tck, "/tmp/%s.tck", inst);
    tc_shm_unlink(inst);
    tc_tick_t t[N];
    make_ticks(t);
    write_file(tck, t);
    FILE *f = fopen(conf, "w");
    fprintf(f, "[tickcastd]\ninstance = %s\nstages = ingest\nbin_dir = %s\nconsumers =\n"
               "log_level = warning\n[ingest]\nsource = file\npath = %s\n"
               "clean = BBB:zero_size=drop\n", inst, TC_BIN_DIR, tck);
    fclose(f);
    pid_t d = tc_test_daemon_start(conf);
    tc_shm_t s;
    cr_assert_eq(tc_test_shm_wait(&s, inst), 0, "segment: %s", tc_err_msg());
    cr_assert(tc_test_ring_wait_closed(&s, "ticks", 30), "ingest finished the file");

    /* the naive expectation: drop 4, 6, 9 (and 7: BBB's zero sizes are dropped), flag 8 */
    int keep[N] = {1, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1}, want = 0;
    for (int i = 0; i < N; i++)
        want += keep[i];
    tc_ring_t r;
    cr_assert_eq(tc_ring_observer_attach_anon(&r, &s, "ticks"), 0);
    r.pos = 0;
    tc_tick_t got[N];
    int n = tc_ring_observe(&r, got, N, NULL);
    cr_assert_eq(n, want, "%d ticks published, %d accepted", n, want);
    for (int i = 0, j = 0; i < N; i++) {
        if (!keep[i])
            continue;
        cr_assert_eq(got[j].ts_event, t[i].ts_event, "tick %d is source tick %d", j, i);
        cr_assert_eq(got[j].trade.price, t[i].trade.price);
        cr_assert_eq((got[j].flags & TC_TICK_NO_VOLUME) != 0, i == 8, "tick %d flags %#x", i, got[j].flags);
        j++;
    }
    cr_assert_eq(tc_test_counter(&s, "ingest.clean_nonpos_price"), 1);
    cr_assert_eq(tc_test_counter(&s, "ingest.clean_out_of_order"), 1);
    cr_assert_eq(tc_test_counter(&s, "ingest.clean_zero_size"), 2);
    cr_assert_eq(tc_test_counter(&s, "ingest.clean_crossed"), 1);
    cr_assert_eq(tc_test_counter(&s, "ingest.clean_dropped"), 4);
    tc_shm_detach(&s);
    int st = tc_test_daemon_stop(d);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tickcastd exit status %d", st);
    tc_shm_unlink(inst);
    unlink(conf);
    unlink(tck);
}

Test(cleanset, a_bad_rule_is_refused_naming_it)
{
    tc_clean_cfg_t base;
    tc_config_t c;
    tc_config_defaults(&c);
    tc_cleanset_cfg_from_config(&base, &c.ingest);
    cr_assert_null(tc_cleanset_create(&base, "zero_size=drop;BBB:outlier=maybe", NULL, NULL));
    cr_assert(strstr(tc_err_msg(), "outlier") && strstr(tc_err_msg(), "ingest.clean"), "%s", tc_err_msg());
    tc_cleanset_t *cs = tc_cleanset_create(&base, "BBB:window=50,k=8", NULL, NULL);
    cr_assert_not_null(cs, "%s", tc_err_msg());
    tc_cleanset_destroy(cs);
}
