/* stage.c — the stage loop of stage.h: attach to the instance segment, register the
 * stage slot, run do_work under the idle strategy with a heartbeat, and on a stop
 * drain the rings before fini.  One of these runs per stage process; the in-process
 * backtester drives the same do_work functions directly. */
#include "daemon/stage.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t tc_stage_stop_requested;

struct tc_stage {
    const tc_stage_ops_t *ops;
    const tc_stage_env_t *env;
    tc_shm_t shm;
    tc_stage_slot_t *slot;
    tc_idle_t idle;
    _Atomic uint64_t spare_counter;
};

static void on_stop(int sig)
{
    (void)sig;
    tc_stage_stop_requested = 1;
}

void tc_stage_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* tickcastd starts stages with SIGTERM/SIGINT blocked, so a stop that arrives while
     * the process is still starting waits for the handler instead of killing it */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_UNBLOCK, &stop, NULL);
}

tc_shm_t *tc_stage_shm(tc_stage_t *stg) { return &stg->shm; }
const tc_stage_env_t *tc_stage_env(tc_stage_t *stg) { return stg->env; }
const char *tc_stage_name(tc_stage_t *stg) { return stg->ops->name; }
void tc_stage_wait_on(tc_stage_t *stg, tc_ring_t *ring) { tc_idle_wait_on(&stg->idle, ring); }
int tc_stage_stopping(const tc_stage_t *stg) { return tc_stage_stop_requested != 0; }

const volatile int *tc_stage_stop_flag(const tc_stage_t *stg)
{
    _Static_assert(sizeof(sig_atomic_t) == sizeof(int), "sig_atomic_t is an int here");
    return (const volatile int *)&tc_stage_stop_requested;
}

_Atomic uint64_t *tc_stage_counter(tc_stage_t *stg, const char *what)
{
    char name[56];
    snprintf(name, sizeof name, "%s.%s", stg->ops->name, what);
    _Atomic uint64_t *c = tc_shm_counter(&stg->shm, name);
    if (!c) {
        TC_LOG(TC_LOG_WARN, "%s: counters area full; '%s' is not exported", stg->ops->name, name);
        c = &stg->spare_counter;
    }
    return c;
}

static int loop(tc_stage_t *stg, void *st, int draining, int64_t deadline)
{
    const tc_stage_ops_t *ops = stg->ops;
    int64_t next_beat = 0;
    uint64_t work = 0;
    for (;;) {
        if (!draining && tc_stage_stop_requested)
            return 0;
        if (draining && (!ops->drained || ops->drained(st)))
            return 0;
        int w = ops->do_work(st);
        if (w < 0)
            return w;
        work += (uint64_t)w;
        tc_idle_idle(&stg->idle, w);
        if (w == 0 || (work & 1023) == 0) {
            int64_t now = tc_clock_mono_ns();
            if (now >= next_beat) {
                atomic_store_explicit(&stg->slot->heartbeat_ns, now, memory_order_relaxed);
                atomic_store_explicit(&stg->slot->work, work, memory_order_relaxed);
                if (stg->idle.wait_ring)
                    tc_ring_heartbeat(stg->idle.wait_ring, now);
                next_beat = now + stg->env->heartbeat_interval_ns;
            }
            if (draining && now > deadline)
                return TC_ERR(-ETIMEDOUT, "%s: drain did not finish within %.1f s", ops->name,
                              (double)stg->env->drain_timeout_ns / TC_NS_PER_S);
        }
    }
}

int tc_stage_run(const tc_stage_ops_t *ops, const tc_stage_env_t *env)
{
    tc_stage_t stg;
    memset(&stg, 0, sizeof stg);
    stg.ops = ops;
    stg.env = env;
    int r = tc_shm_attach(&stg.shm, env->instance, 0);
    if (r < 0)
        return TC_ERR_APPEND(r, "%s", ops->name);
    stg.slot = tc_shm_stage(&stg.shm, ops->name);
    if (!stg.slot) {
        tc_shm_detach(&stg.shm);
        return TC_ERR(-ENOSPC, "%s: the stage table is full", ops->name);
    }
    atomic_store(&stg.slot->pid, getpid());
    atomic_store(&stg.slot->started_ns, tc_clock_real_ns());
    atomic_store(&stg.slot->heartbeat_ns, tc_clock_mono_ns());
    tc_idle_init(&stg.idle, env->wait_kind, env->wait.spins, env->wait.yields,
                 env->wait.futex_timeout_ns);

    void *st = NULL;
    r = ops->init(&stg, &st);
    if (r < 0) {
        TC_ERR_APPEND(r, "%s: init", ops->name);
        goto out;
    }
    atomic_store(&stg.slot->state, TC_STAGE_RUNNING);
    TC_LOG(TC_LOG_INFO, "%s: running on instance %s", ops->name, env->instance);
    r = loop(&stg, st, 0, 0);
    if (r == 0) {
        atomic_store(&stg.slot->state, TC_STAGE_DRAINING);
        TC_LOG(TC_LOG_INFO, "%s: stop requested, draining", ops->name);
        r = loop(&stg, st, 1, tc_clock_mono_ns() + env->drain_timeout_ns);
    }
    ops->fini(st);
out:
    atomic_store(&stg.slot->state, r == 0 ? TC_STAGE_EXITED : TC_STAGE_FAILED);
    if (r == 0)
        TC_LOG(TC_LOG_INFO, "%s: drained, exiting", ops->name);
    tc_shm_detach(&stg.shm);
    return r;
}
