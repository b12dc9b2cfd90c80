/* ring.c — the SPMC ring of ring.h.
 *
 * Ordering edges (each acquire/release names its partner):
 *   R1 commit stores prod_pos (release)         → A1 poll/observe/wait load it (acquire)
 *   R2 release stores a consumer cursor (release) → A2 refresh_limit loads it (acquire)
 *   F1 commit: fence then load cons_waiters  ⟷  F2 wait: store cons_waiters (seq_cst),
 *      heavy fence, then load prod_pos: Dekker, so a sleeping consumer is always woken.
 *   F3 release: fence then load prod_waiting ⟷ F4 claim_wait: store prod_waiting
 *      (seq_cst), heavy fence, then refresh: the same for a sleeping producer.
 *      The waker clears the flag before its wake-up call, so a sleeper woken but not yet
 *      running costs one futex_wake, not one per commit or release; a sleeper sets the
 *      flag again each time it is about to sleep.
 *      The fences are asymmetric ("fences" below): F1 and F3, on every commit and
 *      release, are compiler barriers when the process could register for
 *      membarrier(2), and the sleeper's heavy fence makes every running registered
 *      thread execute a full barrier; otherwise both are seq_cst fences.
 *   S1 streaming commit: the records' non-temporal stores, then sfence, then R1.
 *   J1 join: store kind=REQUIRED (seq_cst), re-read prod_pos (seq_cst) ⟷ J2 refresh
 *      loads kinds (seq_cst): a limit computed without the joiner only lets the
 *      producer overwrite positions below the head the joiner re-read.
 *   O1 observe: copy, fence(acquire), re-read prod_pos: a seqlock-style check that the
 *      producer (writing at most max_batch past its committed position) did not reach
 *      the slots copied.
 */
#include "shm/ring.h"
#include "shm/futex.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "daemon/runtime/proc.h"

#include <linux/membarrier.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* Asks for the line at p in the state a write needs (PREFETCHW; a no-op hint where the
 * CPU lacks it). */
static inline void prefetch_for_write(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("prefetchw %0" : : "m"(*(const char *)p));
#else
    __builtin_prefetch(p, 1);
#endif
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

void tc_ring_wait_opts_default(tc_ring_wait_opts_t *w)
{
    w->spins = 2000;
    w->yields = 50;
    w->futex_timeout_ns = 100 * TC_NS_PER_MS;
    w->dead_after_ns = 10 * TC_NS_PER_S;
    w->store = TC_STORE_AUTO;
}

/* ---- fences ------------------------------------------------------------------------
 * A futex ring must never let a consumer sleep through a commit (or the producer
 * through a release): each side stores, then loads the other's flag, with a full
 * barrier between (Dekker).  That barrier on every commit and every release waits
 * for the store buffer to drain, including the cross-core transfer of the line just
 * written: about a fifth of batched throughput.  Sleeping is rare and slow anyway, so
 * the cost is moved there: a process registered for MEMBARRIER_CMD_GLOBAL_EXPEDITED
 * needs only a compiler barrier on its hot side, because the side about to sleep calls
 * membarrier(), which runs a full barrier on every CPU now running a registered
 * thread (a thread that is not running passed one when it was switched out).  The
 * barrier lands either before the hot side's store, so its load then sees the
 * sleeper's flag, or after it, so the sleeper's own load sees the store. */

static int membarrier(int cmd) { return (int)syscall(SYS_membarrier, cmd, 0u, 0); }

/* A full barrier.  ThreadSanitizer does not model fences, so its build uses a seq_cst
 * read-modify-write, which it does (and which is a full barrier on x86 as well). */
static inline void fence_full(void)
{
#if defined(__SANITIZE_THREAD__)
    static _Atomic int fence_word;
    atomic_fetch_add_explicit(&fence_word, 0, memory_order_seq_cst);
#else
    atomic_thread_fence(memory_order_seq_cst);
#endif
}

/* 1 when this process is registered, so its hot side may skip the barrier. */
static int fences_light(void)
{
    static _Atomic int state; /* 0 not tried, 1 registered, -1 unavailable */
    int st = atomic_load_explicit(&state, memory_order_acquire);
    if (st == 0) {
        int q = membarrier(MEMBARRIER_CMD_QUERY);
        int need = MEMBARRIER_CMD_GLOBAL_EXPEDITED | MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED;
        st = q >= 0 && (q & need) == need && membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) == 0
                 ? 1 : -1;
        atomic_store_explicit(&state, st, memory_order_release);
    }
    return st > 0;
}

/* The hot side's barrier (F1, F3). */
static inline void fence_light(const tc_ring_t *r)
{
    if (r->light_fences)
        atomic_signal_fence(memory_order_seq_cst);
    else
        fence_full();
}

/* The sleeper's barrier (F2, F4).  Returns 0, or -1 when membarrier() failed: the other
 * side may then miss the flag, so the caller sleeps briefly instead of for long. */
static int fence_heavy(void)
{
    fence_full();
    return membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) == 0 ? 0 : -1;
}

#define FENCE_FALLBACK_SLEEP_NS (1 * TC_NS_PER_MS)

/* ---- stores ------------------------------------------------------------------------
 * A record the producer writes with ordinary stores is fetched into its cache first
 * (the line was last read by a consumer), then fetched again by the consumer: when the
 * two cores share a cache that is cheap, but across this machine class's slower
 * interconnect (the VM's "slow" cross-core mode) it is two transfers of a line per
 * record.  Streaming (non-temporal) stores write whole lines without fetching them and
 * leave nothing to probe in the producer's cache: batched throughput across the slow
 * interconnect goes from about 75 to about 190 M ticks/s, but across a shared cache it
 * loses to ordinary stores (190 against 600).  Which one wins is decided by measuring:
 * the producer times epochs of STORE_EPOCH records, and every STORE_EXPLORE-th epoch
 * is a short one (STORE_PROBE records) with the other kind; streaming is kept only
 * while it was clearly faster (STORE_MARGIN).  A ring that is not busy sees equal
 * rates and keeps cached stores, which deliver a single record soonest.  Streaming
 * claims are filled in the handle's staging area and copied out at commit (S1); a
 * claim of less than STREAM_MIN_BYTES is written in place all the same, because the
 * sfence each commit then needs costs more than the stores save. */
#define STORE_EPOCH (1u << 18)
#define STORE_PROBE (1u << 15)
#define STORE_EXPLORE 16
#define STORE_MARGIN 1.15
#define STREAM_MIN_BYTES 1024

static int can_stream(const tc_ring_t *r)
{
#if defined(__x86_64__)
    return r->rec_size % 64 == 0 && r->rec_size <= TC_RING_STAGING_BYTES;
#else
    (void)r;
    return 0;
#endif
}

static inline unsigned char *staging(tc_ring_t *r)
{
    return (unsigned char *)(((uintptr_t)r->staging + 63) & ~(uintptr_t)63);
}

static void stream_copy(unsigned char *dst, const unsigned char *src, size_t bytes)
{
#if defined(__x86_64__)
    for (size_t i = 0; i < bytes; i += 64) {
        __m128i a = _mm_load_si128((const __m128i *)(src + i));
        __m128i b = _mm_load_si128((const __m128i *)(src + i + 16));
        __m128i c = _mm_load_si128((const __m128i *)(src + i + 32));
        __m128i d = _mm_load_si128((const __m128i *)(src + i + 48));
        _mm_stream_si128((__m128i *)(dst + i), a);
        _mm_stream_si128((__m128i *)(dst + i + 16), b);
        _mm_stream_si128((__m128i *)(dst + i + 32), c);
        _mm_stream_si128((__m128i *)(dst + i + 48), d);
    }
    _mm_sfence(); /* S1 */
#else
    memcpy(dst, src, bytes);
#endif
}

/* Ends a measurement epoch: records its rate and picks the kind for the next. */
static void store_epoch_end(tc_ring_t *r)
{
    int64_t now = tc_clock_mono_ns();
    if (now > r->epoch_ns)
        r->epoch_rate[r->streaming] = (double)(r->pos - r->epoch_pos) * 1e9 / (double)(now - r->epoch_ns);
    if (r->exploring) {
        r->exploring = 0;
        r->streaming = r->epoch_rate[1] > r->epoch_rate[0] * STORE_MARGIN;
    } else if (++r->epoch % STORE_EXPLORE == 2) { /* the first try soon after attach */
        r->exploring = 1;
        r->streaming = !r->streaming;
    }
    r->epoch_pos = r->pos;
    r->epoch_ns = now;
    r->epoch_len = r->exploring ? STORE_PROBE : STORE_EPOCH;
}

int tc_ring_store_kind(const tc_ring_t *r)
{
    return r->streaming ? TC_STORE_STREAMING : TC_STORE_CACHED;
}

/* The wake-up line (spin and yield rings only).  A consumer spinning on prod_pos while
 * only the producer writes it sees each commit two cache-line transfers late: the
 * producer's store first takes the line back from the spinning reader, then the reader
 * fetches it again.  Where a line is read and then written by each side in turn, the
 * coherence protocol of this machine class hands it over with write permission on the
 * read (AMD's migratory sharing), so the store finds it already owned and only the
 * reader's fetch is left, as in a bare ping-pong.  Hence: a required consumer that has
 * polled an empty ring WAKE_LINE_SPINS times writes its position into prod_pos's line
 * (cons_wait_pos, read by nobody for its value); the producer reads that line when it
 * claims, before it fills the records; and after each commit the producer asks for the
 * next slot with write intent (PREFETCHW), so the record's store does not wait for its
 * line either.  Only the three together helped (BENCHMARKS.md, "Rings": busy-spin p50
 * from 1.9-2.0x the ping-pong to 1.0x in the slow cross-core mode).  They cost single-
 * record throughput in the fast mode (about half), so the futex rings, the default and
 * the throughput path, do none of it. */
#define WAKE_LINE_SPINS 32

static int ring_bind(tc_ring_t *r, const tc_shm_t *s, const char *ring,
                     const tc_ring_wait_opts_t *w)
{
    tc_ring_ctl_t *c = tc_shm_ring_ctl(s, ring);
    if (!c)
        return TC_ERR(-ENOENT, "no ring '%s' in /dev/shm%s", ring, s->path);
    memset(r, 0, sizeof *r);
    r->ctl = c;
    r->data = tc_shm_ring_data(s, c);
    r->capacity = c->capacity;
    r->mask = c->capacity - 1;
    r->rec_size = c->rec_size;
    r->max_batch = c->max_batch;
    r->slot = -1;
    r->slow_slot = -1;
    r->wait_kind = c->wait_kind;
    if (w)
        r->wait = *w;
    else
        tc_ring_wait_opts_default(&r->wait);
    r->spin_budget = r->wait.spins;
    r->yield_budget = r->wait.yields;
    return 0;
}

/* Yield and futex rings spin adaptively (tc_spin_adapt); busy-spin rings always spin. */
static inline uint32_t spin_limit(const tc_ring_t *r)
{
    if (r->wait_kind == TC_WAIT_SPIN)
        return UINT32_MAX;
    return r->spin_budget < r->wait.spins ? r->spin_budget : r->wait.spins;
}

/* Futex rings also yield adaptively (tc_yield_adapt); yield rings yield until done. */
static inline uint32_t yield_limit(const tc_ring_t *r)
{
    return r->yield_budget < r->wait.yields ? r->yield_budget : r->wait.yields;
}

/* After a wait that ended on its rounds-th poll, with these spin and yield limits. */
static inline void wait_adapt(tc_ring_t *r, uint32_t rounds, uint32_t spins, uint32_t yields)
{
    if (r->wait_kind == TC_WAIT_SPIN)
        return;
    tc_spin_adapt(&r->spin_budget, r->wait.spins, rounds, spins);
    if (r->wait_kind == TC_WAIT_FUTEX)
        tc_yield_adapt(&r->yield_budget, r->wait.yields, rounds, spins, yields);
}

/* ---- producer ---------------------------------------------------------------------- */

/* Recomputes the write limit from the required cursors (J2, A2). */
static uint64_t refresh_limit(tc_ring_t *r)
{
    uint64_t min = r->pos;
    for (int i = 0; i < TC_RING_CONSUMERS_MAX; i++) {
        tc_ring_consumer_slot_t *c = &r->ctl->consumers[i];
        if (atomic_load_explicit(&c->kind, memory_order_seq_cst) != TC_RING_REQUIRED)
            continue;
        uint64_t cur = atomic_load_explicit(&c->cursor, memory_order_acquire);
        if (cur < min)
            min = cur;
    }
    r->limit = min + r->capacity;
    atomic_store_explicit(&r->ctl->prod_limit, r->limit, memory_order_relaxed);
    return r->limit;
}

int tc_ring_producer_attach(tc_ring_t *r, tc_shm_t *s, const char *ring,
                            const tc_ring_wait_opts_t *w)
{
    int ret = ring_bind(r, s, ring, w);
    if (ret < 0)
        return ret;
    int32_t me = getpid();
    int32_t cur = atomic_load_explicit(&r->ctl->prod_pid, memory_order_acquire);
    for (;;) {
        if (cur != 0 && cur != me && tc_pid_alive(cur))
            return TC_ERR(-EBUSY, "ring %s already has a producer (pid %d)", ring, cur);
        if (atomic_compare_exchange_strong(&r->ctl->prod_pid, &cur, me))
            break;
    }
    r->role = TC_ROLE_PRODUCER;
    r->light_fences = fences_light();
    r->streaming = r->wait.store == TC_STORE_STREAMING && can_stream(r);
    r->store_auto = r->wait.store == TC_STORE_AUTO && can_stream(r);
    r->pos = atomic_load_explicit(&r->ctl->prod_pos, memory_order_acquire);
    r->epoch_pos = r->pos;
    r->epoch_ns = tc_clock_mono_ns();
    r->epoch_len = STORE_EPOCH;
    atomic_store_explicit(&r->ctl->prod_state, TC_PRODUCER_OPEN, memory_order_release);
    atomic_store_explicit(&r->ctl->prod_heartbeat_ns, tc_clock_mono_ns(), memory_order_relaxed);
    refresh_limit(r);
    return 0;
}

static void wake_consumers(tc_ring_t *r)
{
    /* F1: pairs with F2 in tc_ring_wait. */
    fence_light(r);
    if (atomic_load_explicit(&r->ctl->cons_waiters, memory_order_relaxed)) {
        atomic_store_explicit(&r->ctl->cons_waiters, 0, memory_order_relaxed);
        tc_futex_wake(tc_futex_low32(&r->ctl->prod_pos));
    }
}

void tc_ring_producer_close(tc_ring_t *r)
{
    atomic_store_explicit(&r->ctl->prod_state, TC_PRODUCER_CLOSED, memory_order_release);
    atomic_store_explicit(&r->ctl->prod_pid, 0, memory_order_release);
    wake_consumers(r);
}

int tc_ring_close_abandoned(tc_ring_t *r)
{
    if (atomic_load_explicit(&r->ctl->prod_state, memory_order_acquire) == TC_PRODUCER_CLOSED)
        return 0;
    int32_t pid = atomic_load_explicit(&r->ctl->prod_pid, memory_order_acquire);
    if (pid != 0 && tc_pid_alive(pid))
        return 0;
    atomic_store_explicit(&r->ctl->prod_state, TC_PRODUCER_CLOSED, memory_order_release);
    wake_consumers(r);
    return 1;
}

int tc_ring_claim(tc_ring_t *r, uint32_t want, void **ret_recs)
{
    if (r->wait_kind != TC_WAIT_FUTEX) /* the wake-up line: see below */
        (void)atomic_load_explicit(&r->ctl->cons_wait_pos, memory_order_relaxed);
    uint64_t idx = r->pos & r->mask;
    uint64_t n = want;
    if (n > r->max_batch)
        n = r->max_batch;
    if (n > r->capacity - idx)
        n = r->capacity - idx;
    if (r->streaming && n > TC_RING_STAGING_BYTES / r->rec_size)
        n = TC_RING_STAGING_BYTES / r->rec_size;
    if (r->pos + n > r->limit && r->pos + n > refresh_limit(r)) {
        n = r->limit > r->pos ? r->limit - r->pos : 0;
        if (n == 0) {
            atomic_fetch_add_explicit(&r->ctl->prod_full_waits, 1, memory_order_relaxed);
            return -EAGAIN;
        }
    }
    r->claimed = (uint32_t)n;
    r->claim_staged = r->streaming && n * r->rec_size >= STREAM_MIN_BYTES;
    *ret_recs = r->claim_staged ? staging(r) : r->data + idx * r->rec_size;
    return (int)n;
}

void tc_ring_commit(tc_ring_t *r, uint32_t n)
{
    int staged = r->claim_staged;
    if (staged)
        stream_copy(r->data + (r->pos & r->mask) * r->rec_size, staging(r), (size_t)n * r->rec_size);
    r->claim_staged = 0;
    r->pos += n;
    r->claimed = 0;
    /* R1: publishes the records; pairs with A1 in poll/observe/wait. */
    atomic_store_explicit(&r->ctl->prod_pos, r->pos, memory_order_release);
    if (r->wait_kind == TC_WAIT_FUTEX)
        wake_consumers(r);
    else if (r->pos < r->limit && !staged) /* spin and yield rings: the next slot, ready
                                             * to write */
        prefetch_for_write(r->data + (r->pos & r->mask) * r->rec_size);
    if (r->store_auto && r->pos - r->epoch_pos >= r->epoch_len)
        store_epoch_end(r);
}

/* The required consumer holding the producer back, or -1. */
static int slowest_slot(tc_ring_t *r, uint64_t *ret_cursor)
{
    int slow = -1;
    uint64_t min = UINT64_MAX;
    for (int i = 0; i < TC_RING_CONSUMERS_MAX; i++) {
        tc_ring_consumer_slot_t *c = &r->ctl->consumers[i];
        if (atomic_load_explicit(&c->kind, memory_order_acquire) != TC_RING_REQUIRED)
            continue;
        uint64_t cur = atomic_load_explicit(&c->cursor, memory_order_acquire);
        if (cur < min) {
            min = cur;
            slow = i;
        }
    }
    *ret_cursor = min;
    return slow;
}

/* Evicts the gating consumer once it has been dead or silent for dead_after. */
static void check_gating_consumer(tc_ring_t *r, int slot, int64_t now)
{
    tc_ring_consumer_slot_t *c = &r->ctl->consumers[slot];
    int32_t pid = atomic_load_explicit(&c->pid, memory_order_relaxed);
    int64_t hb = atomic_load_explicit(&c->heartbeat_ns, memory_order_relaxed);
    int dead = !tc_pid_alive(pid) || (hb && now - hb > r->wait.dead_after_ns);
    if (!dead) {
        r->slow_slot = -1;
        return;
    }
    if (r->slow_slot != slot) {
        r->slow_slot = slot;
        r->slow_since_ns = now;
        TC_LOG(TC_LOG_WARN, "ring %s: required consumer %s (pid %d) looks dead; evicting it in "
               "%.1f s unless it comes back", r->ctl->name, c->name, pid,
               (double)r->wait.dead_after_ns / TC_NS_PER_S);
        return;
    }
    if (now - r->slow_since_ns < r->wait.dead_after_ns)
        return;
    uint32_t expect = TC_RING_REQUIRED;
    if (atomic_compare_exchange_strong(&c->kind, &expect, TC_RING_EVICTED)) {
        atomic_fetch_add_explicit(&r->ctl->evictions, 1, memory_order_relaxed);
        TC_LOG(TC_LOG_ERR, "ring %s: evicted required consumer %s (pid %d): dead for %.1f s; "
               "it will resume at the head and count what it missed", r->ctl->name, c->name, pid,
               (double)(now - r->slow_since_ns) / TC_NS_PER_S);
    }
    r->slow_slot = -1;
}

int tc_ring_claim_wait(tc_ring_t *r, uint32_t want, void **ret_recs, int64_t timeout_ns,
                       const volatile int *stop)
{
    int n = tc_ring_claim(r, want, ret_recs);
    if (n != -EAGAIN)
        return n;
    int64_t start = tc_clock_mono_ns(), now = start;
    uint32_t spins = spin_limit(r), yields = yield_limit(r);
    for (uint32_t spin = 0;; spin++) {
        if (stop && *stop)
            return -EINTR;
        if (timeout_ns >= 0 && now - start >= timeout_ns)
            return -EAGAIN;
        if (spin < spins) {
            cpu_relax();
        } else if (r->wait_kind == TC_WAIT_YIELD || spin < spins + yields) {
            sched_yield();
        } else {
            uint64_t cur;
            int slow = slowest_slot(r, &cur);
            if (slow >= 0) {
                /* F4: pairs with F3 in tc_ring_release; the flag names the cursor slept on */
                atomic_store_explicit(&r->ctl->prod_waiting, (uint32_t)slow + 1, memory_order_seq_cst);
                int heavy = fence_heavy();
                if (r->pos + 1 > refresh_limit(r)) {
                    int64_t t = heavy < 0 ? FENCE_FALLBACK_SLEEP_NS : r->wait.futex_timeout_ns;
                    if (timeout_ns >= 0 && timeout_ns - (now - start) < t)
                        t = timeout_ns - (now - start);
                    tc_futex_wait(tc_futex_low32(&r->ctl->consumers[slow].cursor), (uint32_t)cur,
                                  t > 0 ? t : 1);
                }
                atomic_store_explicit(&r->ctl->prod_waiting, 0, memory_order_relaxed);
            }
        }
        if ((spin & 63) == 0 || spin >= spins) {
            now = tc_clock_mono_ns();
            uint64_t cur;
            int slow = slowest_slot(r, &cur);
            if (slow >= 0 && r->pos + 1 > cur + r->capacity)
                check_gating_consumer(r, slow, now);
            atomic_store_explicit(&r->ctl->prod_heartbeat_ns, now, memory_order_relaxed);
        }
        n = tc_ring_claim(r, want, ret_recs);
        if (n != -EAGAIN) {
            wait_adapt(r, spin, spins, yields);
            return n;
        }
    }
}

int tc_ring_write(tc_ring_t *r, const void *recs, uint32_t n, int64_t timeout_ns,
                  const volatile int *stop)
{
    const unsigned char *src = recs;
    uint32_t done = 0;
    while (done < n) {
        void *dst;
        int got = tc_ring_claim_wait(r, n - done, &dst, timeout_ns, stop);
        if (got < 0)
            return got;
        memcpy(dst, src + (size_t)done * r->rec_size, (size_t)got * r->rec_size);
        tc_ring_commit(r, (uint32_t)got);
        done += (uint32_t)got;
    }
    return (int)n;
}

/* ---- consumers --------------------------------------------------------------------- */

int tc_ring_consumer_attach(tc_ring_t *r, tc_shm_t *s, const char *ring, const char *name,
                            int role, const tc_ring_wait_opts_t *w)
{
    int ret = ring_bind(r, s, ring, w);
    if (ret < 0)
        return ret;
    if (!name || !*name || strlen(name) >= TC_RING_CONSUMER_NAME_MAX)
        return TC_ERR(-EINVAL, "ring %s: consumer name must have 1-%d characters", ring,
                      TC_RING_CONSUMER_NAME_MAX - 1);
    tc_ring_ctl_t *c = r->ctl;
    int32_t me = getpid();
    int slot = -1, fresh = 0;
    /* Slots are claimed by CAS on pid (0 → me) so two attaching processes never share one. */
    for (int i = 0; i < TC_RING_CONSUMERS_MAX && slot < 0; i++) {
        tc_ring_consumer_slot_t *cs = &c->consumers[i];
        if (atomic_load_explicit(&cs->kind, memory_order_acquire) == TC_RING_FREE ||
            strncmp(cs->name, name, sizeof cs->name) != 0)
            continue;
        int32_t pid = atomic_load_explicit(&cs->pid, memory_order_acquire);
        if (pid != 0 && pid != me && tc_pid_alive(pid))
            return TC_ERR(-EBUSY, "ring %s: consumer %s is attached by live pid %d", ring, name, pid);
        if (!atomic_compare_exchange_strong(&cs->pid, &pid, me))
            return TC_ERR(-EBUSY, "ring %s: consumer %s is being attached by another process",
                          ring, name);
        slot = i;
    }
    for (int i = 0; i < TC_RING_CONSUMERS_MAX && slot < 0; i++) {
        tc_ring_consumer_slot_t *cs = &c->consumers[i];
        int32_t zero = 0;
        if (atomic_load_explicit(&cs->kind, memory_order_acquire) != TC_RING_FREE)
            continue;
        if (!atomic_compare_exchange_strong(&cs->pid, &zero, me))
            continue;
        if (atomic_load_explicit(&cs->kind, memory_order_acquire) != TC_RING_FREE) {
            atomic_store(&cs->pid, 0);
            continue;
        }
        snprintf(cs->name, sizeof cs->name, "%s", name);
        slot = i;
        fresh = 1;
    }
    if (slot < 0)
        return TC_ERR(-ENOSPC, "ring %s: all %d consumer slots are taken", ring,
                      TC_RING_CONSUMERS_MAX);
    tc_ring_consumer_slot_t *cs = &c->consumers[slot];
    uint32_t kind = atomic_load_explicit(&cs->kind, memory_order_acquire);
    uint32_t want = role == TC_ROLE_REQUIRED ? TC_RING_REQUIRED : TC_RING_OBSERVER;
    if (fresh || kind == TC_RING_EVICTED || kind != want) {
        /* Join at the head (J1): a new consumer, an evicted one, or a role change. */
        uint64_t saved = atomic_load_explicit(&cs->cursor, memory_order_relaxed);
        uint64_t head = atomic_load_explicit(&c->prod_pos, memory_order_seq_cst);
        atomic_store_explicit(&cs->cursor, head, memory_order_seq_cst);
        atomic_store_explicit(&cs->kind, want, memory_order_seq_cst);
        head = atomic_load_explicit(&c->prod_pos, memory_order_seq_cst);
        atomic_store_explicit(&cs->cursor, head, memory_order_release);
        if (!fresh && kind == TC_RING_EVICTED && head > saved) {
            atomic_fetch_add_explicit(&cs->lost, head - saved, memory_order_relaxed);
            TC_LOG(TC_LOG_ERR, "ring %s: consumer %s was evicted; resuming at the head, %llu "
                   "records lost", ring, name, (unsigned long long)(head - saved));
        }
    }
    r->role = role;
    r->slot = slot;
    r->me = cs;
    r->light_fences = fences_light();
    r->pos = atomic_load_explicit(&cs->cursor, memory_order_acquire);
    r->head = r->pos;
    atomic_fetch_add_explicit(&cs->attaches, 1, memory_order_relaxed);
    atomic_store_explicit(&cs->heartbeat_ns, tc_clock_mono_ns(), memory_order_relaxed);
    return 0;
}

int tc_ring_consumer_reserve(tc_shm_t *s, const char *ring, const char *name)
{
    tc_ring_ctl_t *c = tc_shm_ring_ctl(s, ring);
    if (!c)
        return TC_ERR(-ENOENT, "no ring '%s' in /dev/shm%s", ring, s->path);
    if (!name || !*name || strlen(name) >= TC_RING_CONSUMER_NAME_MAX)
        return TC_ERR(-EINVAL, "ring %s: consumer name must have 1-%d characters", ring,
                      TC_RING_CONSUMER_NAME_MAX - 1);
    for (int i = 0; i < TC_RING_CONSUMERS_MAX; i++)
        if (atomic_load(&c->consumers[i].kind) != TC_RING_FREE &&
            strncmp(c->consumers[i].name, name, sizeof c->consumers[i].name) == 0)
            return 0;
    for (int i = 0; i < TC_RING_CONSUMERS_MAX; i++) {
        tc_ring_consumer_slot_t *cs = &c->consumers[i];
        int32_t zero = 0;
        if (atomic_load(&cs->kind) != TC_RING_FREE || !atomic_compare_exchange_strong(&cs->pid, &zero, -1))
            continue;
        snprintf(cs->name, sizeof cs->name, "%s", name);
        atomic_store_explicit(&cs->cursor, atomic_load(&c->prod_pos), memory_order_relaxed);
        /* J1 (as a join): the slot gates from here on */
        atomic_store_explicit(&cs->kind, TC_RING_REQUIRED, memory_order_seq_cst);
        atomic_store_explicit(&cs->cursor, atomic_load_explicit(&c->prod_pos, memory_order_seq_cst),
                              memory_order_release);
        atomic_store_explicit(&cs->heartbeat_ns, tc_clock_mono_ns(), memory_order_relaxed);
        atomic_store(&cs->pid, 0);
        return 0;
    }
    return TC_ERR(-ENOSPC, "ring %s: all %d consumer slots are taken", ring, TC_RING_CONSUMERS_MAX);
}

int tc_ring_observer_attach_anon(tc_ring_t *r, const tc_shm_t *s, const char *ring)
{
    int ret = ring_bind(r, s, ring, NULL);
    if (ret < 0)
        return ret;
    r->role = TC_ROLE_OBSERVER;
    r->pos = atomic_load_explicit(&r->ctl->prod_pos, memory_order_acquire);
    r->head = r->pos;
    return 0;
}

void tc_ring_consumer_detach(tc_ring_t *r)
{
    if (!r->me)
        return;
    atomic_store_explicit(&r->me->kind, TC_RING_FREE, memory_order_seq_cst);
    atomic_store_explicit(&r->me->pid, 0, memory_order_release);
    r->me = NULL;
}

int tc_ring_poll(tc_ring_t *r, uint32_t max, const void **ret_recs)
{
    /* The producer's line is read only once the records known to be there are used up:
     * reading it on every poll costs a cross-core transfer per batch while the producer
     * is writing it. */
    uint64_t avail = r->head - r->pos;
    if (avail == 0) {
        /* A1: pairs with R1 in tc_ring_commit. */
        r->head = atomic_load_explicit(&r->ctl->prod_pos, memory_order_acquire);
        avail = r->head - r->pos;
        if (avail == 0)
            return 0;
    }
    uint64_t idx = r->pos & r->mask;
    if (avail > max)
        avail = max;
    if (avail > r->capacity - idx)
        avail = r->capacity - idx;
    *ret_recs = r->data + idx * r->rec_size;
    return (int)avail;
}

void tc_ring_release(tc_ring_t *r, uint32_t n)
{
    r->pos += n;
    /* R2: hands the slots back; pairs with A2 in refresh_limit. */
    atomic_store_explicit(&r->me->cursor, r->pos, memory_order_release);
    if (r->wait_kind == TC_WAIT_FUTEX) {
        /* F3: pairs with F4 in tc_ring_claim_wait. */
        fence_light(r);
        if (atomic_load_explicit(&r->ctl->prod_waiting, memory_order_relaxed) == (uint32_t)r->slot + 1) {
            atomic_store_explicit(&r->ctl->prod_waiting, 0, memory_order_relaxed);
            tc_futex_wake(tc_futex_low32(&r->me->cursor));
        }
    }
}

void tc_ring_seek(tc_ring_t *r, uint64_t pos)
{
    uint64_t head = atomic_load_explicit(&r->ctl->prod_pos, memory_order_acquire);
    if (pos > head)
        pos = head;
    if (pos <= r->pos)
        return;
    r->pos = pos;
    r->head = head;
    if (r->me)
        atomic_store_explicit(&r->me->cursor, pos, memory_order_release);
}

int tc_ring_wait(tc_ring_t *r, int64_t timeout_ns)
{
    _Atomic uint64_t *pp = &r->ctl->prod_pos;
    int64_t start = 0;
    uint32_t spins = spin_limit(r), yields = yield_limit(r);
    for (uint32_t spin = 0;; spin++) {
        uint64_t head = atomic_load_explicit(pp, memory_order_acquire);
        if (head != r->pos) {
            r->head = head; /* the next poll need not read it again */
            wait_adapt(r, spin, spins, yields);
            return 1;
        }
        if (atomic_load_explicit(&r->ctl->prod_state, memory_order_acquire) == TC_PRODUCER_CLOSED)
            return 0;
        if (spin == WAKE_LINE_SPINS && r->role == TC_ROLE_REQUIRED && r->wait_kind != TC_WAIT_FUTEX)
            atomic_store_explicit(&r->ctl->cons_wait_pos, r->pos, memory_order_relaxed);
        if (spin < spins) {
            cpu_relax();
        } else if (r->wait_kind == TC_WAIT_YIELD || spin < spins + yields) {
            sched_yield();
        } else {
            wait_adapt(r, spin, spins, yields);
            int64_t t = r->wait.futex_timeout_ns;
            /* F2: pairs with F1 in tc_ring_commit. */
            atomic_store_explicit(&r->ctl->cons_waiters, 1, memory_order_seq_cst);
            if (fence_heavy() < 0)
                t = FENCE_FALLBACK_SLEEP_NS;
            if (timeout_ns >= 0 && timeout_ns < t)
                t = timeout_ns;
            head = atomic_load_explicit(pp, memory_order_seq_cst);
            if (head == r->pos)
                tc_futex_wait(tc_futex_low32(pp), (uint32_t)head, t > 0 ? t : 1);
            head = atomic_load_explicit(pp, memory_order_acquire);
            r->head = head;
            return head != r->pos;
        }
        if (timeout_ns >= 0 && (spin & 255) == 255) {
            int64_t now = tc_clock_mono_ns();
            if (!start)
                start = now;
            else if (now - start >= timeout_ns)
                return 0;
        }
    }
}

/* The copy may race with the producer overwriting the slots; O1 detects it and the
 * copy is then discarded, so the sanitizer is told not to instrument it. */
__attribute__((no_sanitize("thread"))) static void racy_copy(void *dst, const void *src, size_t n)
{
    const unsigned char *s = src;
    unsigned char *d = dst;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v;
        __builtin_memcpy(&v, s + i, 8);
        __builtin_memcpy(d + i, &v, 8);
    }
}

int tc_ring_observe(tc_ring_t *r, void *out, uint32_t max, int *ret_lapped)
{
    uint64_t safe = r->capacity - r->max_batch;
    uint64_t head = atomic_load_explicit(&r->ctl->prod_pos, memory_order_acquire); /* A1 */
    if (ret_lapped)
        *ret_lapped = 0;
    if (head - r->pos > safe)
        goto lapped;
    uint64_t n = head - r->pos;
    if (n == 0)
        return 0;
    uint64_t idx = r->pos & r->mask;
    if (n > max)
        n = max;
    if (n > r->capacity - idx)
        n = r->capacity - idx;
    racy_copy(out, r->data + idx * r->rec_size, n * r->rec_size);
    /* O1: the copy happens before the re-read of the head. */
    atomic_thread_fence(memory_order_acquire);
    head = atomic_load_explicit(&r->ctl->prod_pos, memory_order_relaxed);
    if (head - r->pos > safe)
        goto lapped;
    r->pos += n;
    if (r->me)
        atomic_store_explicit(&r->me->cursor, r->pos, memory_order_relaxed);
    return (int)n;

lapped:
    if (r->me) {
        atomic_fetch_add_explicit(&r->me->laps, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&r->me->lost, head - r->pos, memory_order_relaxed);
        atomic_store_explicit(&r->me->cursor, head, memory_order_relaxed);
    }
    r->pos = head;
    if (ret_lapped)
        *ret_lapped = 1;
    return 0;
}

int tc_ring_last(const tc_ring_t *r, void *out)
{
    uint64_t head = atomic_load_explicit(&r->ctl->prod_pos, memory_order_acquire);
    if (head == 0)
        return -ENOENT;
    memcpy(out, r->data + ((head - 1) & r->mask) * r->rec_size, r->rec_size);
    return 0;
}

void tc_ring_heartbeat(tc_ring_t *r, int64_t mono_ns)
{
    if (r->me)
        atomic_store_explicit(&r->me->heartbeat_ns, mono_ns, memory_order_relaxed);
    else if (r->role == TC_ROLE_PRODUCER)
        atomic_store_explicit(&r->ctl->prod_heartbeat_ns, mono_ns, memory_order_relaxed);
}

int tc_ring_drained(const tc_ring_t *r)
{
    if (atomic_load_explicit(&r->ctl->prod_state, memory_order_acquire) != TC_PRODUCER_CLOSED)
        return 0;
    return atomic_load_explicit(&r->ctl->prod_pos, memory_order_acquire) == r->pos;
}

uint64_t tc_ring_head(const tc_ring_t *r)
{
    return atomic_load_explicit(&r->ctl->prod_pos, memory_order_acquire);
}
