/* idle.h — idle strategies for stage loops (after Aeron's IdleStrategy).
 *
 *     while (!stopping) tc_idle_idle(&idle, tc_features_do_work(st));
 *
 * Work > 0 resets the strategy; each empty round escalates: busy-spin (up to an
 * adaptive budget, tc_spin_adapt), then sched_yield (spin-then-yield; before a sleep up
 * to an adaptive budget too, tc_yield_adapt), then a futex sleep on the stage's input
 * ring (spin-then-futex, the default), bounded by a timeout so stop flags and heartbeats
 * are still seen.  Stage code never sleeps by itself; waiting belongs here.
 */
#ifndef TC_SHM_IDLE_H
#define TC_SHM_IDLE_H

#include <stdint.h>

#include "shm/ring.h"

typedef struct tc_idle {
    int kind;              /* enum tc_ring_wait_kind */
    uint32_t spins, yields;
    uint32_t budget;       /* spins of the next wait, adapted (tc_spin_adapt) */
    uint32_t yield_budget; /* yields of the next wait, adapted (tc_yield_adapt) */
    int64_t sleep_ns;      /* longest sleep */
    tc_ring_t *wait_ring;  /* input ring to sleep on; NULL: a timed sleep */
    uint32_t rounds;       /* empty rounds since the last work */
    uint64_t sleeps;       /* times it slept (for status) */
} tc_idle_t;

/* kind: TC_WAIT_SPIN, TC_WAIT_YIELD or TC_WAIT_FUTEX. This function can't fail. */
void tc_idle_init(tc_idle_t *idle, int kind, uint32_t spins, uint32_t yields, int64_t sleep_ns);
/* The ring whose records end the wait (a consumer handle); NULL for none. */
void tc_idle_wait_on(tc_idle_t *idle, tc_ring_t *ring);
/* Called with the work done by one do_work round. */
void tc_idle_idle(tc_idle_t *idle, int work);

#endif
