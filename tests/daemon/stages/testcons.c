/* testcons.c — a test sink stage: a required consumer of the ticks ring that checks
 * every tick's trade.id equals its ring position (so a loss or a repeat across
 * restarts is counted in testcons.gaps) and publishes its cursor, the number of ticks
 * it has consumed, in testcons.records. */
#include "daemon/runtime/err.h"
#include "daemon/stage_cli.h"

#include <stdlib.h>

typedef struct cons {
    tc_ring_t in;
    _Atomic uint64_t *records, *gaps;
} cons_t;

static int cons_init(tc_stage_t *stg, void **ret)
{
    cons_t *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    int r = tc_ring_consumer_attach(&c->in, tc_stage_shm(stg), "ticks", "testcons", TC_ROLE_REQUIRED,
                                    &tc_stage_env(stg)->wait);
    if (r < 0) {
        free(c);
        return r;
    }
    c->records = tc_stage_counter(stg, "records");
    c->gaps = tc_stage_counter(stg, "gaps");
    tc_stage_wait_on(stg, &c->in);
    *ret = c;
    return 0;
}

static int cons_work(void *st)
{
    cons_t *c = st;
    const void *p;
    int n = tc_ring_poll(&c->in, 256, &p);
    if (n == 0)
        return 0;
    const tc_tick_t *t = p;
    uint64_t gaps = 0;
    for (int i = 0; i < n; i++)
        gaps += (uint64_t)t[i].trade.id != c->in.pos + (uint64_t)i;
    tc_ring_release(&c->in, (uint32_t)n);
    atomic_store_explicit(c->records, c->in.pos, memory_order_relaxed);
    if (gaps)
        atomic_fetch_add_explicit(c->gaps, gaps, memory_order_relaxed);
    return n;
}

static int cons_drained(void *st) { return tc_ring_drained(&((cons_t *)st)->in); }
static void cons_fini(void *st) { free(st); }

static const tc_stage_ops_t testcons = {"testcons", cons_init, cons_work, cons_drained, cons_fini};

int main(int argc, char **argv) { return tc_stage_main(&testcons, argc, argv); }
