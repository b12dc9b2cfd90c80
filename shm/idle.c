/* idle.c — the idle strategies of idle.h. */
#include "shm/idle.h"

#include <sched.h>
#include <time.h>

void tc_idle_init(tc_idle_t *idle, int kind, uint32_t spins, uint32_t yields, int64_t sleep_ns)
{
    *idle = (tc_idle_t){.kind = kind, .spins = spins, .yields = yields, .sleep_ns = sleep_ns,
                        .budget = spins, .yield_budget = yields};
}

void tc_idle_wait_on(tc_idle_t *idle, tc_ring_t *ring) { idle->wait_ring = ring; }

void tc_idle_idle(tc_idle_t *idle, int work)
{
    uint32_t spins = idle->budget < idle->spins ? idle->budget : idle->spins;
    uint32_t yields = idle->yield_budget < idle->yields ? idle->yield_budget : idle->yields;
    if (work > 0) {
        if (idle->rounds && idle->kind != TC_WAIT_SPIN)
            tc_spin_adapt(&idle->budget, idle->spins, idle->rounds - 1, spins);
        if (idle->rounds && idle->kind == TC_WAIT_FUTEX)
            tc_yield_adapt(&idle->yield_budget, idle->yields, idle->rounds - 1, spins, yields);
        idle->rounds = 0;
        return;
    }
    uint32_t n = idle->rounds++;
    if (idle->kind == TC_WAIT_SPIN || n < spins) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        return;
    }
    if (idle->kind == TC_WAIT_YIELD || n < spins + yields) {
        sched_yield();
        return;
    }
    idle->sleeps++;
    /* A closed ring ends waits at once; sleeping on it would spin. */
    if (idle->wait_ring && atomic_load_explicit(&idle->wait_ring->ctl->prod_state,
                                                memory_order_acquire) != TC_PRODUCER_CLOSED) {
        /* The ring's own wait does the futex protocol; skip its spin phase, done here. */
        tc_ring_wait_opts_t saved = idle->wait_ring->wait;
        idle->wait_ring->wait.spins = 0;
        idle->wait_ring->wait.yields = 0;
        idle->wait_ring->wait.futex_timeout_ns = idle->sleep_ns;
        tc_ring_wait(idle->wait_ring, idle->sleep_ns);
        idle->wait_ring->wait = saved;
    } else {
        struct timespec ts = {idle->sleep_ns / 1000000000, idle->sleep_ns % 1000000000};
        nanosleep(&ts, NULL);
    }
}
