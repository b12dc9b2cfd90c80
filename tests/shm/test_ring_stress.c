/* test_ring_stress.c — the ring under real concurrency: one producer thread, two
 * required consumer threads and an observer thread over one segment.  Both required
 * consumers must see every record, in order, with intact contents; the observer must
 * only ever see records in increasing order and must not hold the producer back.
 * Built twice: normally and under ThreadSanitizer (tests/shm/extra.cmake). */
#ifdef STRESS_STANDALONE
/* The TSan build runs without criterion, whose process arena cannot coexist with
 * TSan's shadow memory: the same assertions, as a plain program ctest runs. */
#include <stdlib.h>
#define cr_assert_fail_(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), exit(1))
#define cr_assert_eq(a, b, ...) ((a) == (b) ? (void)0 : (void)cr_assert_fail_("%s:%d: " #a " != " #b, __FILE__, __LINE__))
#define cr_assert_lt(a, b, ...) ((a) < (b) ? (void)0 : (void)cr_assert_fail_("%s:%d: " #a " >= " #b, __FILE__, __LINE__))
#define cr_assert_gt(a, b, ...) ((a) > (b) ? (void)0 : (void)cr_assert_fail_("%s:%d: " #a " <= " #b, __FILE__, __LINE__))
#define Test(suite, name, ...) static void suite##_##name(void)
#else
#include <criterion/criterion.h>
#endif
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "shm/ring.h"

#ifndef STRESS_RECORDS
#define STRESS_RECORDS 2000000ULL
#endif

typedef struct rec {
    alignas(64) uint64_t seq;
    uint64_t words[7]; /* seq * (i+1): a torn or stale record shows */
} rec_t;

typedef struct job {
    tc_shm_t *seg;
    const char *name;
    int role;
    int wait_kind;
    uint64_t seen, errors, sum, laps;
    int ready;
} job_t;

static _Atomic int started;

static void *producer(void *arg)
{
    job_t *j = arg;
    tc_ring_t r;
    if (tc_ring_producer_attach(&r, j->seg, "t", NULL) < 0) {
        j->errors++;
        return NULL;
    }
    while (atomic_load(&started) < 3)
        ;
    uint64_t seq = 0;
    while (seq < STRESS_RECORDS) {
        void *p;
        uint32_t want = (uint32_t)(1 + seq % 37);
        if (want > STRESS_RECORDS - seq)
            want = (uint32_t)(STRESS_RECORDS - seq);
        int n = tc_ring_claim_wait(&r, want, &p, -1, NULL);
        if (n < 0) {
            j->errors++;
            break;
        }
        rec_t *x = p;
        for (int i = 0; i < n; i++, seq++) {
            x[i].seq = seq;
            for (int k = 0; k < 7; k++)
                x[i].words[k] = seq * (uint64_t)(k + 1);
        }
        tc_ring_commit(&r, (uint32_t)n);
    }
    j->seen = seq;
    tc_ring_producer_close(&r);
    return NULL;
}

static int check(const rec_t *x, uint64_t want)
{
    if (x->seq != want)
        return 0;
    for (int k = 0; k < 7; k++)
        if (x->words[k] != want * (uint64_t)(k + 1))
            return 0;
    return 1;
}

static void *consumer(void *arg)
{
    job_t *j = arg;
    tc_ring_t r;
    if (tc_ring_consumer_attach(&r, j->seg, "t", j->name, j->role, NULL) < 0) {
        j->errors++;
        atomic_fetch_add(&started, 1);
        return NULL;
    }
    atomic_fetch_add(&started, 1);
    if (j->role == TC_ROLE_REQUIRED) {
        for (;;) {
            const void *p;
            int n = tc_ring_poll(&r, 64, &p);
            if (n == 0) {
                if (tc_ring_drained(&r))
                    break;
                tc_ring_wait(&r, 50 * TC_NS_PER_MS);
                continue;
            }
            const rec_t *x = p;
            for (int i = 0; i < n; i++) {
                j->errors += !check(&x[i], j->seen);
                j->sum += x[i].seq;
                j->seen++;
            }
            tc_ring_release(&r, (uint32_t)n);
        }
    } else {
        rec_t buf[16];
        uint64_t last = 0;
        int any = 0;
        for (;;) {
            int lapped;
            int n = tc_ring_observe(&r, buf, 16, &lapped);
            j->laps += (uint64_t)lapped;
            for (int i = 0; i < n; i++) {
                j->errors += !check(&buf[i], buf[i].seq);
                j->errors += any && buf[i].seq <= last;
                last = buf[i].seq;
                any = 1;
                j->seen++;
            }
            if (n == 0 && !lapped) {
                if (tc_ring_drained(&r))
                    break;
                tc_ring_wait(&r, 50 * TC_NS_PER_MS);
            }
            if (j->seen % 1024 == 0)
                usleep(50); /* a deliberately slow observer */
        }
    }
    return NULL;
}

static void run(int wait_kind)
{
    char inst[64];
    snprintf(inst, sizeof inst, "test-stress-%d-%d", getpid(), wait_kind);
    tc_shm_unlink(inst);
    tc_ring_spec_t spec = {"t", sizeof(rec_t), 1024, 64};
    tc_shm_t seg;
    cr_assert_eq(tc_shm_create(&seg, inst, &spec, 1, wait_kind), 0, "%s", tc_err_msg());
    atomic_store(&started, 0);
    job_t jobs[4] = {
        {.seg = &seg, .name = "p"},
        {.seg = &seg, .name = "c1", .role = TC_ROLE_REQUIRED},
        {.seg = &seg, .name = "c2", .role = TC_ROLE_REQUIRED},
        {.seg = &seg, .name = "obs", .role = TC_ROLE_OBSERVER},
    };
    pthread_t th[4];
    for (int i = 1; i < 4; i++)
        pthread_create(&th[i], NULL, consumer, &jobs[i]);
    pthread_create(&th[0], NULL, producer, &jobs[0]);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    uint64_t want_sum = STRESS_RECORDS * (STRESS_RECORDS - 1) / 2;
    cr_assert_eq(jobs[0].errors, 0);
    cr_assert_eq(jobs[0].seen, STRESS_RECORDS);
    for (int i = 1; i <= 2; i++) {
        cr_assert_eq(jobs[i].errors, 0, "%s: %llu bad records", jobs[i].name,
                     (unsigned long long)jobs[i].errors);
        cr_assert_eq(jobs[i].seen, STRESS_RECORDS, "%s saw %llu", jobs[i].name,
                     (unsigned long long)jobs[i].seen);
        cr_assert_eq(jobs[i].sum, want_sum);
    }
    cr_assert_eq(jobs[3].errors, 0, "observer saw torn or out-of-order records");
    cr_assert_lt(jobs[3].seen, STRESS_RECORDS, "the slow observer was lapped, not waited for");
    cr_assert_gt(jobs[3].laps, 0);
    printf("stress wait=%d: %llu records to 2 required consumers; observer saw %llu, lapped %llu times\n",
           wait_kind, (unsigned long long)STRESS_RECORDS, (unsigned long long)jobs[3].seen,
           (unsigned long long)jobs[3].laps);
    tc_shm_detach(&seg);
    tc_shm_unlink(inst);
}

Test(ring_stress, futex, .timeout = 600) { run(TC_WAIT_FUTEX); }
Test(ring_stress, yield, .timeout = 600) { run(TC_WAIT_YIELD); }

#ifdef STRESS_STANDALONE
int main(void)
{
    ring_stress_futex();
    ring_stress_yield();
    printf("1 passed, 0 failed\n");
    return 0;
}
#endif
