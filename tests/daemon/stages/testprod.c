/* testprod.c — a test source stage for supervision tests: writes ticks whose trade.id
 * is their ring position, at ingest.synthetic_rate per second (0: as fast as the ring
 * allows) up to ingest.synthetic_ticks (0: forever).  Same stage framework as the real
 * stages: the supervisor cannot tell it apart. */
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "daemon/stage_cli.h"

#include <stdlib.h>
#include <string.h>

typedef struct prod {
    tc_stage_t *stg;
    tc_ring_t out;
    const tc_config_t *cfg;
    int64_t t0;
    uint64_t start_pos;
    int closed;
    _Atomic uint64_t *written;
} prod_t;

static int prod_init(tc_stage_t *stg, void **ret)
{
    prod_t *p = calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    p->stg = stg;
    p->cfg = tc_stage_env(stg)->config;
    int r = tc_ring_producer_attach(&p->out, tc_stage_shm(stg), "ticks", &tc_stage_env(stg)->wait);
    if (r < 0) {
        free(p);
        return r;
    }
    p->written = tc_stage_counter(stg, "written");
    p->t0 = tc_clock_mono_ns();
    p->start_pos = p->out.pos;
    *ret = p;
    return 0;
}

static int prod_work(void *st)
{
    prod_t *p = st;
    if (tc_stage_stopping(p->stg)) {
        if (!p->closed) {
            tc_ring_producer_close(&p->out);
            p->closed = 1;
        }
        return 0;
    }
    uint64_t limit = (uint64_t)p->cfg->ingest.synthetic_ticks;
    uint64_t want = 64;
    if (limit && p->out.pos >= limit)
        return 0;
    if (limit && limit - p->out.pos < want)
        want = limit - p->out.pos;
    double rate = p->cfg->ingest.synthetic_rate;
    if (rate > 0) {
        double due = rate * (double)(tc_clock_mono_ns() - p->t0) / TC_NS_PER_S;
        double have = (double)(p->out.pos - p->start_pos);
        if (due - have < rate / 1000 + 1)
            return 0; /* release in bursts of about a millisecond's worth, so idle can sleep */
        if (due - have < (double)want)
            want = (uint64_t)(due - have) + 1;
    }
    void *slot;
    int n = tc_ring_claim_wait(&p->out, (uint32_t)want, &slot, 10 * TC_NS_PER_MS,
                               tc_stage_stop_flag(p->stg));
    if (n == -EAGAIN || n == -EINTR)
        return 0;
    if (n < 0)
        return n;
    tc_tick_t *t = slot;
    for (int i = 0; i < n; i++) {
        memset(&t[i], 0, sizeof t[i]);
        t[i].ts_event = t[i].ts_recv = tc_clock_real_ns();
        t[i].kind = TC_TICK_TRADE;
        t[i].trade.id = (int64_t)(p->out.pos + (uint64_t)i);
        t[i].trade.price = 100000 + (int64_t)((p->out.pos + (uint64_t)i) % 100);
        t[i].trade.size = 1;
        t[i].px_exp = -3;
    }
    tc_ring_commit(&p->out, (uint32_t)n);
    atomic_fetch_add_explicit(p->written, (uint64_t)n, memory_order_relaxed);
    return n;
}

static int prod_drained(void *st)
{
    prod_t *p = st;
    if (!p->closed) {
        tc_ring_producer_close(&p->out);
        p->closed = 1;
    }
    return 1;
}

static void prod_fini(void *st) { free(st); }

static const tc_stage_ops_t testprod = {"testprod", prod_init, prod_work, prod_drained, prod_fini};

int main(int argc, char **argv) { return tc_stage_main(&testprod, argc, argv); }
