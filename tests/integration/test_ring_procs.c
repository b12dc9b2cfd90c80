/* test_ring_procs.c — rings across real processes over a real segment:
 *  - one producer, two required consumers and a deliberately slow observer, 10 million
 *    records: both required consumers see every record in order (count and checksum),
 *    the observer is lapped and reports it, and the producer is never held back by it;
 *  - kill -9 of a required consumer in mid-stream, then a restart: it resumes from its
 *    cursor (reconciling with what it already wrote downstream), so the downstream ring
 *    holds every sequence number exactly once, in order; the producer waited while it
 *    was down and finished after the restart. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "shm/ring.h"

typedef struct rec {
    alignas(64) uint64_t seq;
    uint64_t src_pos;  /* downstream records: the input position they came from */
    uint64_t mix;      /* seq * golden ratio: a stale or torn record shows */
    uint8_t pad[40];
} rec_t;
_Static_assert(sizeof(rec_t) == 64, "test record");

typedef struct result {
    _Atomic uint64_t count, sum, errors, laps, lost, done;
    _Atomic uint64_t full_waits;
} result_t;

#define MIX(s) ((s) * 0x9E3779B97F4A7C15ull)

static char inst[64];

static result_t *shared_results(int n)
{
    void *p = mmap(NULL, sizeof(result_t) * (size_t)n, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(p, MAP_FAILED);
    memset(p, 0, sizeof(result_t) * (size_t)n);
    return p;
}

static int attach(tc_shm_t *s)
{
    return tc_shm_attach(s, inst, 0);
}

static void produce(uint64_t n, result_t *res)
{
    tc_shm_t s;
    tc_ring_t r;
    if (attach(&s) < 0 || tc_ring_producer_attach(&r, &s, "in", NULL) < 0)
        _exit(10);
    for (uint64_t seq = 0; seq < n;) {
        void *p;
        uint32_t want = n - seq < 64 ? (uint32_t)(n - seq) : 64;
        int got = tc_ring_claim_wait(&r, want, &p, -1, NULL);
        if (got < 0)
            _exit(11);
        rec_t *x = p;
        for (int i = 0; i < got; i++, seq++) {
            x[i].seq = seq;
            x[i].mix = MIX(seq);
        }
        tc_ring_commit(&r, (uint32_t)got);
    }
    atomic_store(&res->full_waits, atomic_load(&r.ctl->prod_full_waits));
    atomic_store(&res->done, 1);
    tc_ring_producer_close(&r);
    _exit(0);
}

static void consume(const char *ring, const char *name, result_t *res)
{
    tc_shm_t s;
    tc_ring_t r;
    if (attach(&s) < 0 || tc_ring_consumer_attach(&r, &s, ring, name, TC_ROLE_REQUIRED, NULL) < 0)
        _exit(10);
    uint64_t next = 0;
    for (;;) {
        const void *p;
        int n = tc_ring_poll(&r, 256, &p);
        if (n == 0) {
            if (tc_ring_drained(&r))
                break;
            tc_ring_wait(&r, 100 * TC_NS_PER_MS);
            continue;
        }
        const rec_t *x = p;
        uint64_t sum = 0, bad = 0;
        for (int i = 0; i < n; i++, next++) {
            bad += x[i].seq != next || x[i].mix != MIX(x[i].seq);
            sum += x[i].seq;
        }
        tc_ring_release(&r, (uint32_t)n);
        atomic_fetch_add_explicit(&res->count, (uint64_t)n, memory_order_relaxed);
        atomic_fetch_add_explicit(&res->sum, sum, memory_order_relaxed);
        atomic_fetch_add_explicit(&res->errors, bad, memory_order_relaxed);
    }
    _exit(0);
}

static void observe(result_t *res)
{
    tc_shm_t s;
    tc_ring_t r;
    if (attach(&s) < 0 || tc_ring_consumer_attach(&r, &s, "in", "obs", TC_ROLE_OBSERVER, NULL) < 0)
        _exit(10);
    rec_t buf[32];
    uint64_t last = 0;
    int any = 0;
    for (;;) {
        int lapped;
        int n = tc_ring_observe(&r, buf, 32, &lapped);
        for (int i = 0; i < n; i++) {
            if ((any && buf[i].seq <= last) || buf[i].mix != MIX(buf[i].seq))
                atomic_fetch_add(&res->errors, 1);
            last = buf[i].seq;
            any = 1;
        }
        atomic_fetch_add(&res->count, (uint64_t)n);
        if (n == 0 && !lapped) {
            if (tc_ring_drained(&r))
                break;
            tc_ring_wait(&r, 100 * TC_NS_PER_MS);
        }
        struct timespec ts = {0, 200000}; /* slow: 0.2 ms per batch */
        nanosleep(&ts, NULL);
    }
    atomic_store(&res->laps, atomic_load(&r.me->laps));
    atomic_store(&res->lost, atomic_load(&r.me->lost));
    _exit(0);
}

static pid_t spawn(void (*fn)(void))
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0)
        fn();
    return pid;
}

static void reap(pid_t pid, const char *who)
{
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s exited with status %d", who, st);
}

static void make_segment(tc_shm_t *seg, int rings, uint64_t cap)
{
    snprintf(inst, sizeof inst, "test-procs-%d", getpid());
    tc_shm_unlink(inst);
    tc_ring_spec_t spec[2] = {{"in", sizeof(rec_t), cap, 0}, {"out", sizeof(rec_t), cap, 0}};
    cr_assert_eq(tc_shm_create(seg, inst, spec, rings, TC_WAIT_FUTEX), 0, "%s", tc_err_msg());
}

/* ---- 10 M records, two required consumers and a slow observer ---- */

#define BIG 10000000ull
static result_t *R;
static void p_big(void) { produce(BIG, &R[0]); }
static void c1_big(void) { consume("in", "c1", &R[1]); }
static void c2_big(void) { consume("in", "c2", &R[2]); }
static void o_big(void) { observe(&R[3]); }

Test(ring_procs, ten_million_records_two_required_one_slow_observer, .timeout = 600)
{
    tc_shm_t seg;
    make_segment(&seg, 1, 65536);
    R = shared_results(4);
    /* Consumers attach before the producer starts so they see position 0. */
    tc_ring_t pre[3];
    cr_assert_eq(tc_ring_consumer_attach(&pre[0], &seg, "in", "c1", TC_ROLE_REQUIRED, NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&pre[1], &seg, "in", "c2", TC_ROLE_REQUIRED, NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&pre[2], &seg, "in", "obs", TC_ROLE_OBSERVER, NULL), 0);
    for (int i = 0; i < 3; i++)
        atomic_store(&pre[i].me->pid, 0); /* hand the slots to the children */
    int64_t t0 = tc_clock_mono_ns();
    pid_t c1 = spawn(c1_big), c2 = spawn(c2_big), ob = spawn(o_big);
    pid_t pr = spawn(p_big);
    reap(pr, "producer");
    int64_t t_prod = tc_clock_mono_ns() - t0;
    reap(c1, "consumer 1");
    reap(c2, "consumer 2");
    reap(ob, "observer");
    uint64_t want_sum = BIG * (BIG - 1) / 2;
    for (int i = 1; i <= 2; i++) {
        cr_assert_eq(atomic_load(&R[i].errors), 0, "consumer %d saw bad records", i);
        cr_assert_eq(atomic_load(&R[i].count), BIG, "consumer %d count", i);
        cr_assert_eq(atomic_load(&R[i].sum), want_sum, "consumer %d checksum", i);
    }
    cr_assert_eq(atomic_load(&R[3].errors), 0, "observer saw torn or reordered records");
    cr_assert_gt(atomic_load(&R[3].laps), 0, "the slow observer was lapped");
    cr_assert_eq(atomic_load(&R[3].count) + atomic_load(&R[3].lost), BIG,
                 "observer: seen + lost accounts for every record");
    printf("ring_procs: 10M records in %.2f s; observer saw %llu, lapped %llu times, lost %llu\n",
           (double)t_prod / 1e9, (unsigned long long)atomic_load(&R[3].count),
           (unsigned long long)atomic_load(&R[3].laps), (unsigned long long)atomic_load(&R[3].lost));
    tc_shm_detach(&seg);
    tc_shm_unlink(inst);
}

/* ---- kill -9 of a required consumer, restart, nothing lost or repeated ---- */

#define KILLN 3000000ull

/* Copies "in" to "out" one batch at a time; on start, reconciles its input cursor with
 * the last record it wrote downstream, so a crash between the downstream commit and
 * the upstream release neither loses nor repeats a record. */
static void relay(void)
{
    tc_shm_t s;
    tc_ring_t in, out;
    if (attach(&s) < 0 || tc_ring_consumer_attach(&in, &s, "in", "relay", TC_ROLE_REQUIRED, NULL) < 0 ||
        tc_ring_producer_attach(&out, &s, "out", NULL) < 0)
        _exit(10);
    rec_t last;
    if (tc_ring_last(&out, &last) == 0)
        tc_ring_seek(&in, last.src_pos + 1);
    for (;;) {
        const void *p;
        int n = tc_ring_poll(&in, 64, &p);
        if (n == 0) {
            if (tc_ring_drained(&in))
                break;
            tc_ring_wait(&in, 100 * TC_NS_PER_MS);
            continue;
        }
        const rec_t *x = p;
        void *q;
        int m = tc_ring_claim_wait(&out, (uint32_t)n, &q, -1, NULL);
        if (m < 0)
            _exit(11);
        rec_t *y = q;
        for (int i = 0; i < m; i++) {
            y[i] = x[i];
            y[i].src_pos = in.pos + (uint64_t)i;
        }
        tc_ring_commit(&out, (uint32_t)m);
        tc_ring_release(&in, (uint32_t)m);
    }
    tc_ring_producer_close(&out);
    _exit(0);
}

static void p_kill(void) { produce(KILLN, &R[0]); }
static void v_kill(void) { consume("out", "verify", &R[1]); }

Test(ring_procs, kill9_required_consumer_resumes_without_loss_or_duplicates, .timeout = 600)
{
    tc_shm_t seg;
    make_segment(&seg, 2, 4096);
    R = shared_results(2);
    tc_ring_t pre[2];
    cr_assert_eq(tc_ring_consumer_attach(&pre[0], &seg, "in", "relay", TC_ROLE_REQUIRED, NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&pre[1], &seg, "out", "verify", TC_ROLE_REQUIRED, NULL), 0);
    atomic_store(&pre[0].me->pid, 0);
    atomic_store(&pre[1].me->pid, 0);
    tc_ring_t in_view;
    cr_assert_eq(tc_ring_observer_attach_anon(&in_view, &seg, "in"), 0);

    pid_t ver = spawn(v_kill);
    pid_t rel = spawn(relay);
    pid_t pro = spawn(p_kill);
    int kills = 0;
    for (uint64_t at = KILLN / 4; at < KILLN && kills < 3; at += KILLN / 4) {
        while (tc_ring_head(&in_view) < at && !atomic_load(&R[0].done))
            usleep(200);
        if (atomic_load(&R[0].done))
            break;
        kill(rel, SIGKILL);
        int st;
        waitpid(rel, &st, 0);
        cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
        kills++;
        /* While it is down the producer fills the ring and waits (back-pressure). */
        uint64_t h0 = tc_ring_head(&in_view);
        usleep(150000);
        uint64_t h1 = tc_ring_head(&in_view);
        cr_assert_leq(h1 - h0, 4096, "the producer did not run past the dead consumer");
        rel = spawn(relay);
    }
    cr_assert_geq(kills, 2, "the relay was killed in mid-stream");
    reap(pro, "producer");
    reap(rel, "relay");
    reap(ver, "verifier");
    cr_assert_eq(atomic_load(&R[1].errors), 0, "downstream records out of order or repeated");
    cr_assert_eq(atomic_load(&R[1].count), KILLN, "every record exactly once downstream");
    cr_assert_eq(atomic_load(&R[1].sum), KILLN * (KILLN - 1) / 2);
    cr_assert_gt(atomic_load(&R[0].full_waits), 0, "the producer waited while the consumer was down");
    printf("kill9: relay killed %d times; %llu records arrived once each, in order\n", kills,
           (unsigned long long)KILLN);
    tc_shm_detach(&seg);
    tc_shm_unlink(inst);
}
