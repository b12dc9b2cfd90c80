/* test_ring_hotpath.c — the ring's steady state makes no system call and no allocation
 * (STYLE §4: "no malloc, no syscall except the futex wait").  With records always
 * there and room always free, a child runs claim/commit, tc_ring_write, poll/release
 * for two required consumers, an observer's copies, heartbeats and the stages' idle
 * strategy under a seccomp filter that traps every system call but exit and the
 * clock's (the vDSO's fallback where the clocksource has no vDSO path), while the
 * malloc family is counted.  The trap names the system call, so a regression says what
 * it added.  Every record is checked on the way, so the loop cannot pass by doing
 * nothing.  Each wait kind and each store kind of the producer is covered: the futex
 * ring must not wake anyone when nobody sleeps, and auto stores measure their epochs
 * with the clock only. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "shm/idle.h"
#include "shm/ring.h"
#include "tests/common/alloc_count.h"
#include "tests/common/ring_fixture.h"

#if TC_COUNT_ALLOCS
TC_TEST_ALLOC_COUNTER(counting, n_alloc)
#endif

#if defined(__x86_64__)
#define ARCH_NR AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH_NR AUDIT_ARCH_AARCH64
#endif

typedef tc_test_rec_t rec_t;

enum { ROUNDS = 20000, BATCH = 64, CAPACITY = 1024 };
/* the child's exit codes */
enum { OK = 0, NO_SECCOMP = 20, TRAPPED = 21, ALLOCATED = 22, WRONG = 23, SETUP = 24 };

typedef struct report {
    int syscall_nr; /* the trapped system call */
    int seccomp_errno;
    long allocs;
    uint64_t delivered;
    char what[160];
} report_t;

static report_t *rep; /* shared with the child */

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    rep->syscall_nr = si->si_syscall;
    syscall(SYS_exit_group, TRAPPED);
}

#ifdef ARCH_NR
/* From here on any system call but exit, exit_group and clock_gettime raises SIGSYS. */
static int forbid_syscalls(void)
{
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH_NR, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clock_gettime, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof f / sizeof f[0], .filter = f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
        return -errno;
    return 0;
}
#endif

static uint64_t check_of(uint64_t seq) { return seq * 0x9e3779b97f4a7c15ull ^ 0x5bd1e995u; }

static int fail(const char *what, uint64_t seq)
{
    /* snprintf makes no system call */
    snprintf(rep->what, sizeof rep->what, "%s at record %llu", what, (unsigned long long)seq);
    return WRONG;
}

/* Takes n records off a required consumer, checking each; 0 or WRONG. */
static int consume(tc_ring_t *c, uint32_t n, uint64_t *next)
{
    while (n > 0) {
        if (tc_ring_wait(c, 0) != 1)
            return fail("a consumer found no records", *next);
        const void *q;
        int got = tc_ring_poll(c, n, &q);
        if (got <= 0)
            return fail("poll returned nothing", *next);
        const rec_t *x = q;
        for (int k = 0; k < got; k++, (*next)++)
            if (x[k].seq != *next || x[k].check != check_of(*next))
                return fail("a record arrived wrong", *next);
        tc_ring_release(c, (uint32_t)got);
        n -= (uint32_t)got;
    }
    return 0;
}

/* One round: a claimed batch and a written one, both consumers take them, the observer
 * copies, everyone beats, the idle strategy sees work. */
static int round_trip(tc_ring_t *p, tc_ring_t *c1, tc_ring_t *c2, tc_ring_t *obs, tc_idle_t *idle,
                      uint64_t *sent, uint64_t *got1, uint64_t *got2)
{
    for (uint32_t left = BATCH; left > 0;) { /* a claim stops at the wrap */
        void *slot;
        int n = tc_ring_claim_wait(p, left, &slot, 0, NULL);
        if (n <= 0)
            return fail("the producer found no room", *sent);
        rec_t *x = slot;
        for (int k = 0; k < n; k++, (*sent)++) {
            x[k].seq = *sent;
            x[k].check = check_of(*sent);
        }
        tc_ring_commit(p, (uint32_t)n);
        left -= (uint32_t)n;
    }
    rec_t buf[BATCH / 2];
    for (int k = 0; k < BATCH / 2; k++, (*sent)++) {
        memset(&buf[k], 0, sizeof buf[k]);
        buf[k].seq = *sent;
        buf[k].check = check_of(*sent);
    }
    if (tc_ring_write(p, buf, BATCH / 2, 0, NULL) != BATCH / 2)
        return fail("tc_ring_write found no room", *sent);
    int r = consume(c1, BATCH + BATCH / 2, got1);
    if (r == 0)
        r = consume(c2, BATCH / 2, got2); /* c2 in two pieces, so a release leaves some */
    if (r == 0)
        r = consume(c2, BATCH, got2);
    if (r)
        return r;
    int lapped;
    if (tc_ring_observe(obs, buf, BATCH / 2, &lapped) < 0)
        return fail("observe failed", *sent);
    tc_ring_heartbeat(c1, 1);
    tc_ring_heartbeat(p, 1);
    tc_idle_idle(idle, BATCH);
    return 0;
}

static int child(int wait_kind, int store)
{
    char inst[64];
    tc_shm_t seg;
    if (tc_test_ring_segment(&seg, inst, sizeof inst, "test-hotpath", CAPACITY, 0, wait_kind) < 0) {
        snprintf(rep->what, sizeof rep->what, "segment: %s", tc_err_msg());
        return SETUP;
    }
    tc_ring_wait_opts_t w;
    tc_ring_wait_opts_default(&w);
    w.store = store;
    tc_ring_t p, c1, c2, obs;
    if (tc_ring_producer_attach(&p, &seg, "t", &w) < 0 ||
        tc_ring_consumer_attach(&c1, &seg, "t", "c1", TC_ROLE_REQUIRED, &w) < 0 ||
        tc_ring_consumer_attach(&c2, &seg, "t", "c2", TC_ROLE_REQUIRED, &w) < 0 ||
        tc_ring_consumer_attach(&obs, &seg, "t", "obs", TC_ROLE_OBSERVER, &w) < 0) {
        snprintf(rep->what, sizeof rep->what, "attach: %s", tc_err_msg());
        tc_test_ring_segment_drop(&seg, inst);
        return SETUP;
    }
    tc_idle_t idle;
    tc_idle_init(&idle, wait_kind, w.spins, w.yields, w.futex_timeout_ns);
    tc_idle_wait_on(&idle, &c1);
    uint64_t sent = 0, got1 = 0, got2 = 0;
    int r = 0;
    for (int i = 0; i < 16 && r == 0; i++) /* warm: lazy binding, first touches */
        r = round_trip(&p, &c1, &c2, &obs, &idle, &sent, &got1, &got2);
    /* the segment is unlinked now: after the filter nothing could */
    tc_shm_unlink(inst);
    if (r)
        return r;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSYS, &sa, NULL);
#ifdef ARCH_NR
    int e = forbid_syscalls();
#else
    int e = -ENOSYS;
#endif
    if (e < 0) {
        rep->seccomp_errno = -e;
        return NO_SECCOMP;
    }
#if TC_COUNT_ALLOCS
    counting = 1;
#endif
    for (int i = 0; i < ROUNDS && r == 0; i++)
        r = round_trip(&p, &c1, &c2, &obs, &idle, &sent, &got1, &got2);
#if TC_COUNT_ALLOCS
    counting = 0;
    rep->allocs = n_alloc;
#endif
    rep->delivered = got1 < got2 ? got1 : got2;
    if (r)
        return r;
    if (got1 != sent || got2 != sent)
        return fail("records went missing", got2);
    return rep->allocs ? ALLOCATED : OK;
}

static void run(int wait_kind, int store, const char *name)
{
#if !TC_COUNT_ALLOCS
    cr_skip_test("sanitizer builds interpose malloc and make system calls of their own");
#endif
    rep = mmap(NULL, sizeof *rep, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(rep, MAP_FAILED);
    memset(rep, 0, sizeof *rep);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0)
        syscall(SYS_exit_group, child(wait_kind, store));
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st), "%s: the child died by signal %d", name, WTERMSIG(st));
    int code = WEXITSTATUS(st);
    if (code == NO_SECCOMP)
        cr_skip_test("%s: seccomp filters are not available here: %s", name, strerror(rep->seccomp_errno));
    cr_assert_neq(code, TRAPPED, "%s: the steady state made system call %d", name, rep->syscall_nr);
    cr_assert_neq(code, ALLOCATED, "%s: the steady state allocated %ld times", name, rep->allocs);
    cr_assert_eq(code, OK, "%s: exit %d: %s", name, code, rep->what);
    cr_assert_geq(rep->delivered, (uint64_t)ROUNDS * (BATCH + BATCH / 2), "%s: every round delivered", name);
    munmap(rep, sizeof *rep);
}

Test(ring_hotpath, futex_ring_auto_stores) { run(TC_WAIT_FUTEX, TC_STORE_AUTO, "futex, auto stores"); }
Test(ring_hotpath, futex_ring_streaming_stores) { run(TC_WAIT_FUTEX, TC_STORE_STREAMING, "futex, streaming"); }
Test(ring_hotpath, futex_ring_cached_stores) { run(TC_WAIT_FUTEX, TC_STORE_CACHED, "futex, cached"); }
Test(ring_hotpath, spin_ring) { run(TC_WAIT_SPIN, TC_STORE_AUTO, "spin"); }
Test(ring_hotpath, yield_ring) { run(TC_WAIT_YIELD, TC_STORE_AUTO, "yield"); }
