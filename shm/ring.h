/* ring.h — single-producer, multi-consumer lock-free rings of fixed-size records in
 * the instance segment (segment.h).
 *
 * Positions are free-running 64-bit counters; a record's slot is pos & (capacity-1).
 * The producer claims a contiguous batch, fills it in place and commits it; a
 * required consumer polls a batch (zero-copy, borrowed), uses it and releases it; an
 * observer copies records out and detects when the producer lapped it.
 *
 *     producer:  n = tc_ring_claim(r, 64, &p);  fill p[0..n);  tc_ring_commit(r, n);
 *     consumer:  n = tc_ring_poll(r, 64, &p);   use p[0..n);   tc_ring_release(r, n);
 *     observer:  n = tc_ring_observe(r, buf, 64);
 *
 * Required consumers gate the producer (back-pressure, nothing lost).  Their cursors
 * live in the segment, so a consumer that restarts under the same name resumes exactly
 * where it stopped.  A required consumer whose process died, or whose heartbeat is
 * older than dead_after, is evicted after that long so the producer is never blocked
 * forever; when it comes back it resumes at the head and the skipped records are
 * counted as lost.
 *
 * Waiting (tc_ring_wait, tc_ring_claim_wait) follows the ring's wait kind: busy-spin,
 * spin-then-yield, or spin-then-futex (the default).
 */
#ifndef TC_SHM_RING_H
#define TC_SHM_RING_H

#include <stdint.h>

#include "shm/segment.h"

enum tc_ring_role { TC_ROLE_PRODUCER = 1, TC_ROLE_REQUIRED, TC_ROLE_OBSERVER };

/* How the producer writes records into the ring (see ring.c, "stores").  auto measures
 * both while the ring is busy and keeps the faster. */
enum tc_ring_store { TC_STORE_AUTO = 0, TC_STORE_CACHED = 1, TC_STORE_STREAMING = 2 };

/* Records a streaming claim can take: they are filled in the handle, then copied out. */
#define TC_RING_STAGING_BYTES 4096

typedef struct tc_ring_wait_opts {
    uint32_t spins;          /* busy polls before yielding or sleeping */
    uint32_t yields;         /* sched_yield rounds before sleeping (futex kind) */
    int64_t futex_timeout_ns; /* longest single sleep, so stop flags are seen */
    int64_t dead_after_ns;   /* evict a required consumer dead or silent this long */
    int store;               /* producer: enum tc_ring_store */
} tc_ring_wait_opts_t;

/* Process-local handle.  Caller-owned; filled by the attach calls. */
typedef struct tc_ring {
    tc_ring_ctl_t *ctl;
    unsigned char *data;
    uint64_t capacity, mask;
    uint32_t rec_size, max_batch;
    int role;
    int slot;                     /* consumer slot index, -1 for producer/anonymous */
    tc_ring_consumer_slot_t *me;  /* NULL for the producer and anonymous observers */
    uint64_t pos;                 /* producer: next position; consumer: its cursor */
    uint64_t head;                /* consumer: the producer position last read */
    uint64_t limit;               /* producer: cached write limit */
    uint32_t claimed;             /* producer: records claimed, not yet committed */
    uint32_t wait_kind;
    tc_ring_wait_opts_t wait;
    int64_t slow_since_ns;        /* producer: when the gating consumer looked dead */
    int slow_slot;
    int light_fences;             /* the futex wake-ups' fences are on the sleeper's side */
    uint32_t spin_budget;         /* polls before yielding, adapted (ring.c) */
    uint32_t yield_budget;        /* yields before sleeping, adapted (ring.c) */
    /* producer: the store kind (ring.c, "stores") */
    int streaming;                /* claims are staged here and streamed out at commit */
    int store_auto;               /* the kind is measured (shm.stores = auto, and it can stream) */
    int claim_staged;             /* the outstanding claim points at the staging area */
    int exploring;                /* this epoch tries the other kind */
    uint32_t epoch, epoch_len;
    uint64_t epoch_pos;
    int64_t epoch_ns;
    double epoch_rate[2];         /* records/s last measured with cached, streaming stores */
    unsigned char staging[TC_RING_STAGING_BYTES + 64];
} tc_ring_t;

/* Adaptive spinning, shared by the ring waits and the stage idle strategy: a wait
 * that may spin up to limit polls and ended after spun of them doubles *budget (up to
 * max) if it ended while spinning, and halves it (down to 16) if it had to yield or
 * sleep.  With a core per process records come while spinning and the budget stays
 * whole; with more busy processes than cores (two required consumers sharing one),
 * the process waited for usually cannot run until the waiter gives up its core. */
static inline void tc_spin_adapt(uint32_t *budget, uint32_t max, uint32_t spun, uint32_t limit)
{
    if (limit == 0)
        return;
    if (spun < limit)
        *budget = *budget * 2 > max ? max : *budget * 2;
    else if (*budget > 16)
        *budget = *budget / 2 > 16 ? *budget / 2 : 16;
}

/* Adaptive yielding, the same rule one phase later (spin-then-futex waits): a wait
 * that could spin up to spins polls and then yield up to yields times, and ended on its
 * rounds-th poll, doubles *budget (up to max) if it ended while yielding and halves it
 * (down to 1) if it had to sleep; one told not to yield teaches nothing.  A yield helps
 * only when the process waited for is queued on the waiter's own core; when it runs, or
 * waits for a core, elsewhere, the yields return at once and only a waiter that sleeps
 * leaves its core to others. */
static inline void tc_yield_adapt(uint32_t *budget, uint32_t max, uint32_t rounds, uint32_t spins,
                                  uint32_t yields)
{
    if (yields == 0 || rounds < spins)
        return;
    if (rounds < spins + yields)
        *budget = *budget * 2 > max ? max : *budget * 2;
    else if (*budget > 1)
        *budget /= 2;
}

/* Defaults: 2000 spins, 50 yields, 100 ms futex sleeps, 10 s dead-after, auto stores. */
void tc_ring_wait_opts_default(tc_ring_wait_opts_t *w);

/* Becomes the ring's single producer.  -EBUSY if a live process already is; -ENOENT if
 * there is no such ring.  Resumes at the committed position. */
int tc_ring_producer_attach(tc_ring_t *r, tc_shm_t *s, const char *ring,
                            const tc_ring_wait_opts_t *w);
/* Marks the ring finished (consumers drain and see tc_ring_closed) and wakes sleepers. */
void tc_ring_producer_close(tc_ring_t *r);
/* The same for a ring whose producer is gone (it died, or there never was one), from
 * any handle (the supervisor's, when it drains): 1 if it closed the ring, 0 if the ring
 * was closed already or its producer lives. */
int tc_ring_close_abandoned(tc_ring_t *r);

/* Attaches a consumer named name as TC_ROLE_REQUIRED or TC_ROLE_OBSERVER.  A name seen
 * before gets its slot and cursor back (resume); a new name starts at the head.
 * -ENOSPC when every slot is taken; -EBUSY when a live process holds that name. */
int tc_ring_consumer_attach(tc_ring_t *r, tc_shm_t *s, const char *ring, const char *name,
                            int role, const tc_ring_wait_opts_t *w);
/* Registers a required consumer slot called name without attaching a process (the
 * supervisor does this at segment creation, before the stages start, so a consumer
 * cannot miss the first records).  Idempotent: an existing slot is left as it is.
 * -ENOSPC when full, -ENOENT for an unknown ring. */
int tc_ring_consumer_reserve(tc_shm_t *s, const char *ring, const char *name);
/* An observer without a slot (read-only views such as tickcast status). */
int tc_ring_observer_attach_anon(tc_ring_t *r, const tc_shm_t *s, const char *ring);
/* Gives the slot up (the cursor is forgotten).  A consumer that only exits keeps it. */
void tc_ring_consumer_detach(tc_ring_t *r);

/* Claims up to want contiguous records (at most max_batch, and not past the wrap; with
 * streaming stores at most TC_RING_STAGING_BYTES' worth, filled in the handle).
 * Returns the count granted with *ret_recs pointing at them, or -EAGAIN when the ring
 * is full (required consumers behind).  Producer only. */
int tc_ring_claim(tc_ring_t *r, uint32_t want, void **ret_recs);
/* Like tc_ring_claim, but waits up to timeout_ns (<0 forever) for room; evicts dead
 * consumers.  -EAGAIN on timeout, -EINTR if *stop became non-zero. */
int tc_ring_claim_wait(tc_ring_t *r, uint32_t want, void **ret_recs, int64_t timeout_ns,
                       const volatile int *stop);
/* Publishes the first n claimed records (n <= claimed).  The claimed pointer is
 * invalid afterwards. */
void tc_ring_commit(tc_ring_t *r, uint32_t n);
/* Copies n records in (claim_wait + memcpy + commit, in batches).  Returns n or the
 * error of tc_ring_claim_wait. */
int tc_ring_write(tc_ring_t *r, const void *recs, uint32_t n, int64_t timeout_ns,
                  const volatile int *stop);

/* Required consumer: up to max contiguous committed records, borrowed until the next
 * release.  Returns the count (0 when none). */
int tc_ring_poll(tc_ring_t *r, uint32_t max, const void **ret_recs);
/* Gives back the first n polled records; the producer may then overwrite them. */
void tc_ring_release(tc_ring_t *r, uint32_t n);
/* Moves a consumer's cursor forward to pos (restart reconciliation: skip records whose
 * effects are already downstream).  No-op if pos is not ahead. */
void tc_ring_seek(tc_ring_t *r, uint64_t pos);
/* Waits up to timeout_ns for records after the cursor (or for the ring to close).
 * Returns 1 when records are there, 0 on timeout.  Consumers and observers. */
int tc_ring_wait(tc_ring_t *r, int64_t timeout_ns);

/* Observer: copies up to max records into out.  On a lap it counts it, skips to the
 * head and returns 0; *ret_lapped (if not NULL) says so. */
int tc_ring_observe(tc_ring_t *r, void *out, uint32_t max, int *ret_lapped);

/* Copies the last committed record into out; 0, or -ENOENT if the ring is empty.
 * Used by a restarted stage to find how far its output got. */
int tc_ring_last(const tc_ring_t *r, void *out);

/* The producer's current store kind: TC_STORE_CACHED or TC_STORE_STREAMING. */
int tc_ring_store_kind(const tc_ring_t *r);

/* Records its owner is alive now (consumer slot or producer). */
void tc_ring_heartbeat(tc_ring_t *r, int64_t mono_ns);

/* 1 once the producer closed the ring and the caller has consumed everything. */
int tc_ring_drained(const tc_ring_t *r);
uint64_t tc_ring_head(const tc_ring_t *r); /* committed producer position */

#endif
