/* stage.h — the framework every pipeline process runs in (ingest, features, infer,
 * strategy, monitor), and the backtester calls directly.
 *
 * A stage is init / do_work / drained / fini over a shared context:
 *
 *     while (!stopping) idle(do_work(st));          // running
 *     while (!drained(st)) idle(do_work(st));       // after SIGTERM: finish the rings
 *     fini(st);
 *
 * do_work returns how many records it handled (0 = nothing to do) or a negative errno
 * (fatal: the stage exits non-zero and the supervisor restarts it).  drained returns 1
 * once the stage's input producer has closed and everything read has been written
 * on; a source stage (ingest) is drained as soon as it stops reading.  Stages never
 * sleep by themselves: waiting belongs to the idle strategy, which sleeps on the ring
 * the stage named with tc_stage_wait_on.
 */
#ifndef TC_DAEMON_STAGE_H
#define TC_DAEMON_STAGE_H

#include <signal.h>
#include <stdint.h>

#include "shm/idle.h"
#include "shm/ring.h"
#include "shm/segment.h"

typedef struct tc_stage tc_stage_t;

typedef struct tc_stage_ops {
    const char *name; /* "features": the stage slot and consumer names */
    /* Builds the stage's state (allocations happen here); 0 or -errno with TC_ERR. */
    int (*init)(tc_stage_t *stg, void **ret_state);
    int (*do_work)(void *state);
    int (*drained)(void *state); /* NULL: drained as soon as stop is asked */
    void (*fini)(void *state);
} tc_stage_ops_t;

/* Settings a stage runs with (filled from the config by the stage's main). */
typedef struct tc_stage_env {
    const char *instance;
    int wait_kind;                 /* enum tc_ring_wait_kind */
    tc_ring_wait_opts_t wait;
    int64_t heartbeat_interval_ns;
    int64_t drain_timeout_ns;
    const void *config;            /* the process's tc_config_t, for init */
} tc_stage_env_t;

/* Runs ops in this process attached to the instance's segment until a stop is asked
 * (SIGTERM/SIGINT, or *stop set), then drains.  Returns 0 after a clean drain, or the
 * negative errno that ended it (with TC_ERR). */
int tc_stage_run(const tc_stage_ops_t *ops, const tc_stage_env_t *env);

/* ---- for the stage's callbacks ---- */
tc_shm_t *tc_stage_shm(tc_stage_t *stg);
const tc_stage_env_t *tc_stage_env(tc_stage_t *stg);
const char *tc_stage_name(tc_stage_t *stg);
/* The ring whose new records should end an idle wait. */
void tc_stage_wait_on(tc_stage_t *stg, tc_ring_t *ring);
/* A counter in the segment named "<stage>.<what>" (never NULL: a private fallback
 * when the counters area is full). */
_Atomic uint64_t *tc_stage_counter(tc_stage_t *stg, const char *what);
/* Nonzero once a stop was asked: the stage should finish its current work and stop
 * pulling new input (sources), but keep writing what it already has. */
int tc_stage_stopping(const tc_stage_t *stg);
/* The stop flag itself (for tc_ring_claim_wait's stop argument). */
const volatile int *tc_stage_stop_flag(const tc_stage_t *stg);

/* ---- signals of stage processes (STYLE §8: the only global flags) ---- */
extern volatile sig_atomic_t tc_stage_stop_requested;
/* SIGTERM/SIGINT set the stop flag (no SA_RESTART, so waits wake). */
void tc_stage_signals_install(void);

#endif
