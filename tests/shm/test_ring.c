/* test_ring.c — unit tests of the SPMC ring and the segment (shm/ring.h, segment.h):
 * positions and wrap, back-pressure, batching, resume from the cursor in the segment,
 * observers and laps, eviction of a dead required consumer, and attach refusing bad
 * segments with a clear reason. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "shm/ring.h"
#include "tests/common/ring_fixture.h"

typedef tc_test_rec_t rec_t;

static char inst[64];
static tc_shm_t seg;

static void make_segment(uint64_t cap, int wait)
{
    cr_assert_eq(tc_test_ring_segment(&seg, inst, sizeof inst, "test-ring", cap, 0, wait), 0, "create: %s",
                 tc_err_msg());
}

static void drop_segment(void) { tc_test_ring_segment_drop(&seg, inst); }

static void put(tc_ring_t *p, uint64_t seq)
{
    void *slot;
    int n = tc_ring_claim(p, 1, &slot);
    cr_assert_eq(n, 1, "claim at %llu", (unsigned long long)seq);
    rec_t *x = slot;
    x->seq = seq;
    x->check = seq * 2654435761u;
    tc_ring_commit(p, 1);
}

static uint64_t take(tc_ring_t *c)
{
    const void *p;
    int n = tc_ring_poll(c, 1, &p);
    cr_assert_eq(n, 1);
    const rec_t *x = p;
    cr_assert_eq(x->check, x->seq * 2654435761u);
    uint64_t s = x->seq;
    tc_ring_release(c, 1);
    return s;
}

Test(ring, records_arrive_in_order_across_wrap)
{
    make_segment(16, TC_WAIT_FUTEX);
    tc_ring_t p, c;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "c1", TC_ROLE_REQUIRED, NULL), 0);
    for (uint64_t i = 0; i < 100; i++) {
        put(&p, i);
        cr_assert_eq(take(&c), i);
    }
    cr_assert_eq(tc_ring_head(&c), 100);
    drop_segment();
}

Test(ring, required_consumer_gates_the_producer)
{
    make_segment(16, TC_WAIT_FUTEX);
    tc_ring_t p, c;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "c1", TC_ROLE_REQUIRED, NULL), 0);
    for (uint64_t i = 0; i < 16; i++)
        put(&p, i);
    void *slot;
    cr_assert_eq(tc_ring_claim(&p, 1, &slot), -EAGAIN, "a full ring refuses a claim");
    cr_assert_eq(take(&c), 0);
    cr_assert_eq(tc_ring_claim(&p, 4, &slot), 1, "one slot freed, one granted");
    tc_ring_commit(&p, 0);
    int r = tc_ring_claim_wait(&p, 1, &slot, 20 * TC_NS_PER_MS, NULL);
    cr_assert_eq(r, 1);
    tc_ring_commit(&p, 0);
    cr_assert_eq(atomic_load(&seg.hdr->n_rings), 1);
    cr_assert_gt(atomic_load(&p.ctl->prod_full_waits), 0, "full waits are counted");
    drop_segment();
}

Test(ring, batches_stop_at_the_wrap_and_max_batch)
{
    make_segment(64, TC_WAIT_SPIN);
    tc_ring_t p, c;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "c1", TC_ROLE_REQUIRED, NULL), 0);
    void *slot;
    cr_assert_eq(tc_ring_claim(&p, 1000, &slot), 8, "max_batch defaults to capacity/8");
    tc_ring_commit(&p, 8);
    const void *in;
    cr_assert_eq(tc_ring_poll(&c, 100, &in), 8);
    tc_ring_release(&c, 8);
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(tc_ring_claim(&p, 8, &slot), 8);
        tc_ring_commit(&p, 8);
    }
    cr_assert_eq(tc_ring_claim(&p, 8, &slot), 8); /* positions 56..63: up to the wrap */
    tc_ring_commit(&p, 8);
    cr_assert_eq(tc_ring_poll(&c, 100, &in), 56, "poll stops at the wrap");
    tc_ring_release(&c, 56);
    cr_assert_eq(tc_ring_claim(&p, 8, &slot), 8);
    cr_assert_eq((char *)slot, (char *)p.data, "after the wrap the claim starts at slot 0");
    drop_segment();
}

static int child_consume(const char *name, uint64_t first, int count)
{
    tc_ring_t c;
    if (tc_ring_consumer_attach(&c, &seg, "t", name, TC_ROLE_REQUIRED, NULL) < 0)
        return 10;
    for (int i = 0; i < count; i++) {
        const void *in;
        if (tc_ring_poll(&c, 1, &in) != 1 || ((const rec_t *)in)->seq != first + (uint64_t)i)
            return 11;
        tc_ring_release(&c, 1);
    }
    return 0;
}

static void run_child(const char *name, uint64_t first, int count)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(child_consume(name, first, count));
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "consumer from %llu: status %d",
              (unsigned long long)first, st);
}

Test(ring, a_restarted_consumer_resumes_from_its_cursor)
{
    make_segment(64, TC_WAIT_FUTEX);
    tc_ring_t p;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", NULL), 0);
    run_child("feat", 0, 0); /* joins at the head (0) and exits */
    for (uint64_t i = 0; i < 40; i++)
        put(&p, i);
    run_child("feat", 0, 15);  /* first life: takes 0..14, then its process ends */
    run_child("feat", 15, 25); /* second life: resumes at 15, nothing lost or repeated */
    cr_assert_eq(atomic_load(&p.ctl->consumers[0].attaches), 3);
    cr_assert_eq(atomic_load(&p.ctl->consumers[0].cursor), 40);
    drop_segment();
}

Test(ring, a_live_name_cannot_be_attached_twice)
{
    make_segment(64, TC_WAIT_FUTEX);
    tc_ring_t p, c;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", NULL), 0);
    pid_t pid = fork();
    if (pid == 0) {
        tc_ring_t p2;
        tc_shm_t s2;
        if (tc_shm_attach(&s2, inst, 0) < 0)
            _exit(10);
        int r = tc_ring_producer_attach(&p2, &s2, "t", NULL);
        _exit(r == -EBUSY && strstr(tc_err_msg(), "already has a producer") ? 0 : 11);
    }
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "second producer refused (status %d)", st);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "c1", TC_ROLE_REQUIRED, NULL), 0);
    drop_segment();
}

/* A process that died holds nothing, even while it is a zombie nobody reaped yet (its
 * parent died too: a stage whose tickcastd was killed): its consumer name and the
 * producer role are free, and the cursor it left is kept. */
Test(ring, a_zombie_holds_no_name)
{
    make_segment(64, TC_WAIT_FUTEX);
    tc_ring_t p, c;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", NULL), 0);
    cr_assert_eq(tc_ring_consumer_reserve(&seg, "t", "c1"), 0);
    put(&p, 0);
    put(&p, 1);
    pid_t pid = fork();
    if (pid == 0) {
        tc_ring_t cc;
        tc_shm_t s2;
        if (tc_shm_attach(&s2, inst, 0) < 0 ||
            tc_ring_consumer_attach(&cc, &s2, "t", "c1", TC_ROLE_REQUIRED, NULL) < 0)
            _exit(10);
        if (take(&cc) != 0) /* consumes one record and releases it */
            _exit(11);
        _exit(0);
    }
    /* not reaped: a zombie until waitpid below */
    char path[64], buf[512] = "";
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 500 && !strstr(buf, ") Z"); i++) {
        FILE *f = fopen(path, "r");
        if (f) {
            size_t n = fread(buf, 1, sizeof buf - 1, f);
            buf[n] = '\0';
            fclose(f);
        }
        usleep(10000);
    }
    cr_assert(strstr(buf, ") Z"), "the child is a zombie: %s", buf);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "c1", TC_ROLE_REQUIRED, NULL), 0,
                 "a zombie's name is free: %s", tc_err_msg());
    cr_assert_eq(take(&c), 1, "resumed after the record the child released");
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
    drop_segment();
}

Test(ring, observer_detects_lap_and_never_gates)
{
    make_segment(64, TC_WAIT_FUTEX);
    tc_ring_t p, o;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&o, &seg, "t", "mon", TC_ROLE_OBSERVER, NULL), 0);
    rec_t buf[8];
    for (uint64_t i = 0; i < 4; i++)
        put(&p, i);
    int lapped;
    cr_assert_eq(tc_ring_observe(&o, buf, 8, &lapped), 4);
    cr_assert_eq(buf[3].seq, 3);
    for (uint64_t i = 4; i < 200; i++)
        put(&p, i); /* never -EAGAIN: the observer does not gate */
    cr_assert_eq(tc_ring_observe(&o, buf, 8, &lapped), 0);
    cr_assert_eq(lapped, 1);
    cr_assert_eq(atomic_load(&o.me->laps), 1);
    cr_assert_eq(atomic_load(&o.me->lost), 196);
    put(&p, 200);
    cr_assert_eq(tc_ring_observe(&o, buf, 8, &lapped), 1, "resynchronised at the head");
    cr_assert_eq(buf[0].seq, 200);
    drop_segment();
}

Test(ring, a_dead_required_consumer_is_evicted)
{
    make_segment(16, TC_WAIT_FUTEX);
    tc_ring_t p, c;
    tc_ring_wait_opts_t w;
    tc_ring_wait_opts_default(&w);
    w.dead_after_ns = 50 * TC_NS_PER_MS;
    w.futex_timeout_ns = 5 * TC_NS_PER_MS;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", &w), 0);
    pid_t pid = fork();
    if (pid == 0) {
        tc_ring_t c2;
        _exit(tc_ring_consumer_attach(&c2, &seg, "t", "gone", TC_ROLE_REQUIRED, NULL) < 0);
    }
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    for (uint64_t i = 0; i < 16; i++)
        put(&p, i);
    void *slot;
    int r = tc_ring_claim_wait(&p, 1, &slot, 5 * TC_NS_PER_S, NULL);
    cr_assert_eq(r, 1, "the producer got room once the dead consumer was evicted");
    cr_assert_eq(atomic_load(&p.ctl->evictions), 1);
    tc_ring_commit(&p, 1);
    /* It comes back: resumes at the head, and what it missed is counted. */
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "gone", TC_ROLE_REQUIRED, NULL), 0);
    cr_assert_eq(c.pos, 17);
    cr_assert_eq(atomic_load(&c.me->lost), 17);
    drop_segment();
}

Test(ring, wait_times_out_and_wakes_on_close)
{
    make_segment(64, TC_WAIT_FUTEX);
    tc_ring_t p, c;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "c", TC_ROLE_REQUIRED, NULL), 0);
    cr_assert_eq(tc_ring_wait(&c, 10 * TC_NS_PER_MS), 0);
    put(&p, 1);
    cr_assert_eq(tc_ring_wait(&c, 10 * TC_NS_PER_MS), 1);
    take(&c);
    cr_assert_eq(tc_ring_drained(&c), 0);
    tc_ring_producer_close(&p);
    cr_assert_eq(tc_ring_wait(&c, 10 * TC_NS_PER_S), 0, "close ends the wait at once");
    cr_assert_eq(tc_ring_drained(&c), 1);
    drop_segment();
}

Test(ring, last_record_and_seek_support_restart_reconciliation)
{
    make_segment(64, TC_WAIT_FUTEX);
    tc_ring_t p, c;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "c", TC_ROLE_REQUIRED, NULL), 0);
    rec_t last;
    cr_assert_eq(tc_ring_last(&p, &last), -ENOENT);
    for (uint64_t i = 0; i < 10; i++)
        put(&p, i);
    cr_assert_eq(tc_ring_last(&p, &last), 0);
    cr_assert_eq(last.seq, 9);
    tc_ring_seek(&c, 7);
    cr_assert_eq(take(&c), 7);
    tc_ring_seek(&c, 3); /* never backwards */
    cr_assert_eq(take(&c), 8);
    tc_ring_seek(&c, 1000); /* never past the head */
    cr_assert_eq(c.pos, 10);
    drop_segment();
}

/* ---- attach refuses what it cannot trust ---- */

static void corrupt_and_expect(void (*corrupt)(tc_shm_header_t *h, int fd), int want,
                               const char *needle)
{
    make_segment(64, TC_WAIT_FUTEX);
    char path[128];
    snprintf(path, sizeof path, "/tickcast.%s", inst);
    int fd = shm_open(path, O_RDWR, 0);
    cr_assert_geq(fd, 0);
    corrupt(seg.hdr, fd);
    close(fd);
    tc_shm_t s2;
    tc_err_clear();
    int r = tc_shm_attach(&s2, inst, 0);
    cr_assert_eq(r, want, "attach returned %d: %s", r, tc_err_msg());
    cr_assert(strstr(tc_err_msg(), needle), "message '%s' names '%s'", tc_err_msg(), needle);
    cr_assert(strstr(tc_err_msg(), inst), "message '%s' names the segment", tc_err_msg());
    drop_segment();
}

static void bad_magic(tc_shm_header_t *h, int fd) { memcpy(h->magic, "NOTTICKS", 8); }
static void bad_version(tc_shm_header_t *h, int fd) { h->layout_version = 999; }
static void truncated(tc_shm_header_t *h, int fd) { cr_assert_eq(ftruncate(fd, 8192), 0); }
static void tiny(tc_shm_header_t *h, int fd) { cr_assert_eq(ftruncate(fd, 100), 0); }
static void bad_record_size(tc_shm_header_t *h, int fd) { h->tick_size = 48; }
static void bad_geometry(tc_shm_header_t *h, int fd)
{
    tc_ring_ctl_t *c = (tc_ring_ctl_t *)((char *)h + h->ring_ctl_offset[0]);
    c->capacity = 1000;
}

Test(segment, attach_refuses_wrong_magic) { corrupt_and_expect(bad_magic, -EPROTO, "bad magic"); }
Test(segment, attach_refuses_wrong_layout_version)
{
    corrupt_and_expect(bad_version, -ESTALE, "layout version 999");
}
Test(segment, attach_refuses_truncated_segment)
{
    corrupt_and_expect(truncated, -EPROTO, "truncated");
}
Test(segment, attach_refuses_segment_shorter_than_header)
{
    corrupt_and_expect(tiny, -EPROTO, "truncated");
}
Test(segment, attach_refuses_other_record_sizes)
{
    corrupt_and_expect(bad_record_size, -ESTALE, "record sizes");
}
Test(segment, attach_refuses_bad_ring_geometry)
{
    corrupt_and_expect(bad_geometry, -EPROTO, "bad geometry");
}

Test(segment, attach_to_missing_segment_says_so)
{
    tc_shm_t s;
    int r = tc_shm_attach(&s, "no-such-instance-xyz", 0);
    cr_assert_eq(r, -ENOENT);
    cr_assert(strstr(tc_err_msg(), "is the instance running"), "%s", tc_err_msg());
}

Test(segment, create_refuses_bad_geometry_and_existing)
{
    snprintf(inst, sizeof inst, "test-geo-%d", getpid());
    tc_ring_spec_t spec = {"t", 64, 1000, 0};
    tc_shm_t s;
    cr_assert_eq(tc_shm_create(&s, inst, &spec, 1, TC_WAIT_FUTEX), -EINVAL);
    cr_assert(strstr(tc_err_msg(), "power of two"), "%s", tc_err_msg());
    spec.capacity = 64;
    spec.rec_size = 40;
    cr_assert_eq(tc_shm_create(&s, inst, &spec, 1, TC_WAIT_FUTEX), -EINVAL);
    spec.rec_size = 64;
    cr_assert_eq(tc_shm_create(&s, inst, &spec, 1, TC_WAIT_FUTEX), 0);
    tc_shm_t s2;
    cr_assert_eq(tc_shm_create(&s2, inst, &spec, 1, TC_WAIT_FUTEX), -EEXIST);
    tc_shm_detach(&s);
    tc_shm_unlink(inst);
}

Test(segment, counters_and_stage_slots_are_shared_by_name)
{
    make_segment(64, TC_WAIT_FUTEX);
    _Atomic uint64_t *a = tc_shm_counter(&seg, "ingest.rejected.crossed");
    _Atomic uint64_t *b = tc_shm_counter(&seg, "ingest.rejected.crossed");
    cr_assert_eq(a, b);
    atomic_fetch_add(a, 5);
    tc_shm_t s2;
    cr_assert_eq(tc_shm_attach(&s2, inst, 1), 0, "%s", tc_err_msg());
    uint32_t n;
    tc_counter_t *c = tc_shm_counters(&s2, &n);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(c[0].name, "ingest.rejected.crossed");
    cr_assert_eq(atomic_load(&c[0].value), 5);
    tc_stage_slot_t *st = tc_shm_stage(&seg, "features");
    cr_assert_eq(st, tc_shm_stage(&seg, "features"));
    cr_assert_neq(st, tc_shm_stage(&seg, "infer"));
    tc_symbol_t eur = {.name = "EURUSD", .px_exp = -5}, btc = {.name = "BTCUSDT"};
    cr_assert_eq(tc_shm_symbol_add(&seg, &eur), 0);
    cr_assert_eq(tc_shm_symbol_add(&seg, &btc), 1);
    cr_assert_eq(tc_shm_symbol_add(&seg, &eur), 0, "a known name keeps its id");
    const tc_symbol_t *tab = tc_shm_symbols(&s2, &n);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(tab[1].name, "BTCUSDT");
    cr_assert_eq(tab[0].px_exp, -5);
    tc_shm_detach(&s2);
    drop_segment();
}

Test(ring, a_reserved_consumer_misses_nothing_written_before_it_attached)
{
    make_segment(64, TC_WAIT_FUTEX);
    cr_assert_eq(tc_ring_consumer_reserve(&seg, "t", "late"), 0);
    cr_assert_eq(tc_ring_consumer_reserve(&seg, "t", "late"), 0, "idempotent");
    tc_ring_t p;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", NULL), 0);
    for (uint64_t i = 0; i < 64; i++)
        put(&p, i);
    void *slot;
    cr_assert_eq(tc_ring_claim(&p, 1, &slot), -EAGAIN, "the reserved slot gates the producer");
    run_child("late", 0, 64); /* attaches after the writes, still gets record 0 on */
    cr_assert_eq(tc_ring_consumer_reserve(&seg, "nope", "x"), -ENOENT);
    drop_segment();
}

/* A ring whose producer died is closed by whoever drains the instance: its consumer
 * takes what is there and then sees the end; a live producer's ring is left alone. */
Test(ring, a_ring_whose_producer_died_can_be_closed_for_its_consumers)
{
    make_segment(64, TC_WAIT_FUTEX);
    tc_ring_t c, any;
    cr_assert_eq(tc_ring_consumer_reserve(&seg, "t", "c1"), 0);
    pid_t pid = fork();
    if (pid == 0) {
        tc_ring_t p;
        tc_shm_t s2;
        if (tc_shm_attach(&s2, inst, 0) < 0 || tc_ring_producer_attach(&p, &s2, "t", NULL) < 0)
            _exit(10);
        for (uint64_t i = 0; i < 5; i++)
            put(&p, i);
        _exit(0); /* dies without closing */
    }
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "producer child status %d", st);
    cr_assert_eq(tc_ring_observer_attach_anon(&any, &seg, "t"), 0);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "t", "c1", TC_ROLE_REQUIRED, NULL), 0);
    cr_assert_eq(tc_ring_drained(&c), 0);
    cr_assert_eq(tc_ring_close_abandoned(&any), 1, "the dead producer's ring is closed");
    cr_assert_eq(tc_ring_close_abandoned(&any), 0, "once");
    for (uint64_t i = 0; i < 5; i++) {
        cr_assert_eq(tc_ring_drained(&c), 0, "records are left");
        cr_assert_eq(take(&c), i);
    }
    cr_assert_eq(tc_ring_drained(&c), 1, "then the end");
    drop_segment();

    make_segment(64, TC_WAIT_FUTEX);
    tc_ring_t p;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "t", NULL), 0);
    cr_assert_eq(tc_ring_observer_attach_anon(&any, &seg, "t"), 0);
    cr_assert_eq(tc_ring_close_abandoned(&any), 0, "a live producer's ring stays open");
    drop_segment();
}
