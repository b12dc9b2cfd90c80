/* test_ring_paths.c — the ring's fast paths (shm/ring.c, "stores", "fences" and
 * adaptive spinning): streaming stores deliver exactly what cached ones do, across
 * wraps, partial commits and observers; auto mode measures both kinds and never loses
 * a record while switching; a consumer reads the producer's position only when out
 * of records; the spin and yield budgets double and halve within their bounds, in the
 * ring waits and in the stages' idle strategy; and with the
 * asymmetric fences a sleeping consumer or producer is always woken (the futex
 * timeouts are an hour, so a lost wake-up would hang the test instead of being
 * hidden by a timeout). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "shm/idle.h"
#include "shm/ring.h"
#include "tests/common/ring_fixture.h"

typedef tc_test_rec_t rec_t;

static char inst[64];
static tc_shm_t seg;

static void make_segment(uint64_t cap, uint32_t max_batch, int wait)
{
    cr_assert_eq(tc_test_ring_segment(&seg, inst, sizeof inst, "test-paths", cap, max_batch, wait), 0, "create: %s",
                 tc_err_msg());
}

static void drop_segment(void) { tc_test_ring_segment_drop(&seg, inst); }

static uint64_t check_of(uint64_t seq) { return seq * 0x9e3779b97f4a7c15ull ^ 0x5bd1e995u; }

static void fill(rec_t *x, uint64_t seq)
{
    x->seq = seq;
    x->check = check_of(seq);
    for (size_t i = 0; i < sizeof x->pad; i++)
        x->pad[i] = (uint8_t)(seq + i);
}

static void expect(const rec_t *x, uint64_t seq)
{
    cr_assert_eq(x->seq, seq, "record %llu arrived as %llu", (unsigned long long)seq,
                 (unsigned long long)x->seq);
    cr_assert_eq(x->check, check_of(seq));
    for (size_t i = 0; i < sizeof x->pad; i++)
        cr_assert_eq(x->pad[i], (uint8_t)(seq + i), "record %llu byte %zu", (unsigned long long)seq, i);
}

/* Claims want, fills and commits keep of them; returns the count committed. */
static uint32_t produce(tc_ring_t *p, uint32_t want, uint32_t keep, uint64_t *next)
{
    void *slot;
    int n = tc_ring_claim(p, want, &slot);
    if (n <= 0)
        return 0;
    uint32_t k = keep < (uint32_t)n ? keep : (uint32_t)n;
    for (int i = 0; i < n; i++)
        fill((rec_t *)slot + i, *next + (uint64_t)i); /* fills all it claimed, commits k */
    tc_ring_commit(p, k);
    *next += k;
    return k;
}

static void drain(tc_ring_t *c, uint32_t max, uint64_t *next)
{
    const void *q;
    int n;
    while ((n = tc_ring_poll(c, max, &q)) > 0) {
        for (int i = 0; i < n; i++)
            expect((const rec_t *)q + i, *next + (uint64_t)i);
        tc_ring_release(c, (uint32_t)n);
        *next += (uint64_t)n;
    }
}

Test(stores, streaming_stores_deliver_every_record_across_wraps_and_partial_commits)
{
    make_segment(256, 128, TC_WAIT_FUTEX);
    tc_ring_wait_opts_t w;
    tc_ring_wait_opts_default(&w);
    w.store = TC_STORE_STREAMING;
    tc_ring_t p, c, o;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", &w), 0);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "c", TC_ROLE_REQUIRED, NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&o, &seg, "t", "o", TC_ROLE_OBSERVER, NULL), 0);
    cr_assert_eq(tc_ring_store_kind(&p), TC_STORE_STREAMING);

    void *slot;
    cr_assert_eq(tc_ring_claim(&p, 128, &slot), TC_RING_STAGING_BYTES / (int)sizeof(rec_t),
                 "a streaming claim takes at most the staging area");
    tc_ring_commit(&p, 0);

    uint64_t sent = 0, got = 0, seen = 0;
    rec_t obs[64];
    for (uint32_t round = 0; sent < 20000; round++) {
        /* claim sizes 1..70 (small ones are written in place), commit all or part */
        uint32_t want = 1 + round * 7 % 70, keep = round % 3 ? want : want / 2;
        produce(&p, want, keep, &sent);
        int m = tc_ring_observe(&o, obs, 64, NULL);
        for (int i = 0; i < m; i++)
            expect(&obs[i], seen++);
        drain(&c, 1 + round % 50, &got);
    }
    cr_assert_eq(got, sent, "the consumer got every record");
    cr_assert_gt(seen, 0, "the observer copied records written by streaming stores");
    drop_segment();
}

/* Runs n records through in batches of 64 with the producer's store option; returns
 * which kinds it used (seen[TC_STORE_CACHED], seen[TC_STORE_STREAMING]). */
static void pump(int store, uint64_t n, int seen[3], double rates[2])
{
    make_segment(1024, 64, TC_WAIT_FUTEX);
    tc_ring_wait_opts_t w;
    tc_ring_wait_opts_default(&w);
    w.store = store;
    tc_ring_t p, c;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", &w), 0);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "c", TC_ROLE_REQUIRED, NULL), 0);
    cr_assert_eq(tc_ring_store_kind(&p), store == TC_STORE_STREAMING ? TC_STORE_STREAMING : TC_STORE_CACHED);
    uint64_t sent = 0, got = 0;
    while (sent < n) {
        produce(&p, 64, 64, &sent);
        seen[tc_ring_store_kind(&p)] = 1;
        drain(&c, 64, &got);
    }
    cr_assert_eq(got, sent, "every record arrived, in order");
    rates[0] = p.epoch_rate[0];
    rates[1] = p.epoch_rate[1];
    drop_segment();
}

Test(stores, cached_stores_stay_cached)
{
    int seen[3] = {0, 0, 0};
    double rates[2];
    pump(TC_STORE_CACHED, 1u << 20, seen, rates);
    cr_assert(seen[TC_STORE_CACHED] && !seen[TC_STORE_STREAMING]);
}

Test(stores, auto_mode_tries_both_kinds_and_loses_nothing_switching)
{
    int seen[3] = {0, 0, 0};
    double rates[2];
    /* past the first probe of the other kind (the third epoch) and the switch back */
    pump(TC_STORE_AUTO, 4u << 20, seen, rates);
#if defined(__x86_64__)
    cr_assert(seen[TC_STORE_CACHED] && seen[TC_STORE_STREAMING], "auto mode measured both kinds");
    cr_assert(rates[0] > 0.0 && rates[1] > 0.0, "and has a rate for each");
#endif
}

Test(stores, a_consumer_reads_the_head_only_when_out_of_records)
{
    make_segment(64, 16, TC_WAIT_FUTEX);
    tc_ring_t p, c;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "c", TC_ROLE_REQUIRED, NULL), 0);
    uint64_t sent = 0, got = 0;
    produce(&p, 10, 10, &sent);
    const void *q;
    cr_assert_eq(tc_ring_poll(&c, 4, &q), 4);
    expect(q, 0);
    tc_ring_release(&c, 4);
    got = 4;
    produce(&p, 5, 5, &sent); /* 15 committed; the consumer knows of 10 */
    cr_assert_eq(tc_ring_poll(&c, 100, &q), 6, "the records known to be there first");
    expect(q, 4);
    tc_ring_release(&c, 6);
    cr_assert_eq(tc_ring_poll(&c, 100, &q), 5, "then the head is read again");
    expect(q, 10);
    tc_ring_release(&c, 5);
    got += 11;
    cr_assert_eq(tc_ring_poll(&c, 100, &q), 0, "and nothing is left");
    cr_assert_eq(got, sent);
    drop_segment();
}

Test(spin, the_budget_doubles_while_spinning_pays_and_halves_when_it_does_not)
{
    uint32_t b = 1000;
    tc_spin_adapt(&b, 1000, 999, 1000); /* ended while spinning: already whole */
    cr_assert_eq(b, 1000);
    tc_spin_adapt(&b, 1000, 1000, 1000); /* had to yield or sleep */
    cr_assert_eq(b, 500);
    for (int i = 0; i < 20; i++)
        tc_spin_adapt(&b, 1000, 600, 500);
    cr_assert_eq(b, 16, "halving stops at 16");
    tc_spin_adapt(&b, 1000, 3, 16);
    cr_assert_eq(b, 32);
    for (int i = 0; i < 20; i++)
        tc_spin_adapt(&b, 1000, 0, b);
    cr_assert_eq(b, 1000, "doubling stops at the configured spins");
    tc_spin_adapt(&b, 1000, 0, 0);
    cr_assert_eq(b, 1000, "a wait told not to spin teaches nothing");
}

Test(spin, the_yield_budget_doubles_when_yielding_pays_and_halves_after_a_sleep)
{
    uint32_t b = 50;
    tc_yield_adapt(&b, 50, 99, 100, 50); /* ended while spinning: says nothing of yields */
    cr_assert_eq(b, 50);
    tc_yield_adapt(&b, 50, 150, 100, 50); /* slept */
    cr_assert_eq(b, 25);
    for (int i = 0; i < 20; i++)
        tc_yield_adapt(&b, 50, 1000, 100, b);
    cr_assert_eq(b, 1, "halving stops at one yield");
    tc_yield_adapt(&b, 50, 100, 100, 1); /* the one yield was enough */
    cr_assert_eq(b, 2);
    for (int i = 0; i < 20; i++)
        tc_yield_adapt(&b, 50, 16, 16, b);
    cr_assert_eq(b, 50, "doubling stops at the configured yields");
    tc_yield_adapt(&b, 50, 1000, 100, 0);
    cr_assert_eq(b, 50, "a wait told not to yield teaches nothing");
}

Test(spin, the_idle_strategy_adapts_both_budgets)
{
    tc_idle_t idle;
    tc_idle_init(&idle, TC_WAIT_FUTEX, 64, 4, 1000); /* no ring: sleeps are 1 us naps */
    for (int i = 0; i < 64 + 4 + 1; i++)
        tc_idle_idle(&idle, 0);
    cr_assert_eq(idle.sleeps, 1);
    tc_idle_idle(&idle, 1);
    cr_assert_eq(idle.budget, 32, "slept: fewer spins");
    cr_assert_eq(idle.yield_budget, 2, "slept: fewer yields");
    for (int i = 0; i < 3; i++)
        tc_idle_idle(&idle, 0);
    tc_idle_idle(&idle, 1);
    cr_assert_eq(idle.budget, 64, "work came while spinning");
    cr_assert_eq(idle.yield_budget, 2, "spinning says nothing of yields");
    for (int i = 0; i < 64 + 1; i++)
        tc_idle_idle(&idle, 0);
    cr_assert_eq(idle.sleeps, 1, "the 65th round yields");
    tc_idle_idle(&idle, 1);
    cr_assert_eq(idle.budget, 32, "had to yield: fewer spins");
    cr_assert_eq(idle.yield_budget, 4, "work came while yielding");
    tc_idle_t spin;
    tc_idle_init(&spin, TC_WAIT_SPIN, 64, 4, 1000);
    for (int i = 0; i < 1000; i++)
        tc_idle_idle(&spin, 0);
    tc_idle_idle(&spin, 1);
    cr_assert_eq(spin.sleeps, 0, "busy-spin never sleeps");
    cr_assert_eq(spin.budget, 64);
    cr_assert_eq(spin.yield_budget, 4);
}

Test(spin, a_consumer_that_had_to_sleep_spins_less_next_time)
{
    make_segment(16, 4, TC_WAIT_FUTEX);
    tc_ring_wait_opts_t w;
    tc_ring_wait_opts_default(&w);
    w.spins = 256;
    w.yields = 8;
    tc_ring_t p, c;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "c", TC_ROLE_REQUIRED, &w), 0);
    cr_assert_eq(c.spin_budget, 256);
    cr_assert_eq(c.yield_budget, 8);
    cr_assert_eq(tc_ring_wait(&c, 1 * TC_NS_PER_MS), 0, "nothing came");
    cr_assert_eq(c.spin_budget, 128);
    cr_assert_eq(c.yield_budget, 4);
    cr_assert_eq(tc_ring_wait(&c, 1 * TC_NS_PER_MS), 0);
    cr_assert_eq(c.spin_budget, 64);
    cr_assert_eq(c.yield_budget, 2);
    uint64_t sent = 0;
    produce(&p, 1, 1, &sent);
    cr_assert_eq(tc_ring_wait(&c, 1 * TC_NS_PER_MS), 1, "a record is there");
    cr_assert_eq(c.spin_budget, 128, "found while spinning");
    cr_assert_eq(c.yield_budget, 2, "spinning says nothing of yields");
    drop_segment();
}

/* Producer and consumer in two processes, both sleeping often (no spinning, a ring of
 * 16), with hour-long futex sleeps: each record needs a wake-up in one direction or the
 * other, so a wake-up lost by the fences would stall the test past its timeout. */
static void sleepy_pair(uint64_t n, uint32_t seed, int full_fences)
{
    make_segment(16, 4, TC_WAIT_FUTEX);
    tc_ring_wait_opts_t w;
    tc_ring_wait_opts_default(&w);
    w.spins = 0;
    w.yields = 0;
    w.futex_timeout_ns = 3600 * TC_NS_PER_S;
    w.dead_after_ns = 7200 * TC_NS_PER_S;
    tc_ring_t c;
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "c", TC_ROLE_REQUIRED, &w), 0);
    if (full_fences) /* as in a process that could not register for membarrier() */
        c.light_fences = 0;
    pid_t pid = fork();
    if (pid == 0) {
        tc_shm_t s;
        tc_ring_t p;
        if (tc_shm_attach(&s, inst, 0) < 0 || tc_ring_producer_attach(&p, &s, "t", &w) < 0)
            _exit(2);
        if (full_fences)
            p.light_fences = 0;
        uint32_t x = seed;
        for (uint64_t i = 0; i < n;) {
            void *slot;
            x = x * 1103515245u + 12345u;
            int k = tc_ring_claim_wait(&p, 1 + (x >> 16) % 4, &slot, -1, NULL);
            if (k < 0)
                _exit(3);
            for (int j = 0; j < k; j++)
                fill((rec_t *)slot + j, i + (uint64_t)j);
            tc_ring_commit(&p, (uint32_t)k);
            i += (uint64_t)k;
            if ((x >> 8) % 8 == 0) /* now and then let the consumer catch up and sleep */
                usleep((x >> 20) % 50);
        }
        tc_ring_producer_close(&p);
        _exit(0);
    }
    uint64_t got = 0;
    uint32_t x = seed ^ 0xabcdu;
    while (got < n) {
        const void *q;
        int k = tc_ring_poll(&c, 4, &q);
        if (k == 0) {
            tc_ring_wait(&c, -1);
            continue;
        }
        for (int j = 0; j < k; j++)
            expect((const rec_t *)q + j, got + (uint64_t)j);
        tc_ring_release(&c, (uint32_t)k);
        got += (uint64_t)k;
        x = x * 1103515245u + 12345u;
        if ((x >> 8) % 8 == 0) /* and now and then let the ring fill, so the producer sleeps */
            usleep((x >> 20) % 50);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "producer exit status %d", st);
    cr_assert_eq(got, n);
    cr_assert_gt(atomic_load(&c.ctl->prod_full_waits), 0, "the producer found the ring full");
    drop_segment();
}

Test(fences, sleeping_consumers_and_producers_are_always_woken, .timeout = 120)
{
    sleepy_pair(50000, 12345u, 0);
}

Test(fences, and_with_full_fences_on_the_waking_side, .timeout = 120)
{
    sleepy_pair(50000, 54321u, 1);
}
