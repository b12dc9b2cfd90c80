/* stage.c — the ingest stage (stage.h) on the stage framework.
 *
 * The synthetic source is deterministic, so a restarted ingest fast-forwards the
 * generator by the ring's committed position and carries on: the ticks ring holds one
 * continuous stream across restarts, nothing repeated.  Pacing: ingest.synthetic_rate
 * ticks per second of wall time (0 = as fast as the consumers take them).
 *
 * The live ZeroMQ source (ingest.source = zmq, docs/PROTOCOL.md "Live tick feed")
 * receives straight into claimed ring slots and commits what arrived; new symbols go
 * into the instance table on first sight.  A live feed cannot be rewound: a restarted
 * ingest carries on with what the publisher sends next, and what it missed shows as
 * sequence gaps (counter feed_gaps, beside feed_rejects).
 */
#include "ingest/stage.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/config.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "ingest/synth.h"
#include "ingest/zmqfeed.h"

#include <stdlib.h>
#include <string.h>

#define BATCH 256

typedef struct ingest {
    tc_stage_t *stg;
    const tc_config_t *cfg;
    tc_ring_t out;
    tc_synth_t *synth;
    tc_zmqfeed_t *feed;
    _Atomic uint64_t *feed_rejects, *feed_gaps;
    uint16_t sym_map[TC_SYNTH_SYMBOLS_MAX]; /* source symbol -> instance symbol id */
    int64_t t0;
    uint64_t pos0;
    int closed;
    _Atomic uint64_t *ticks;
} ingest_t;

static int open_synth(ingest_t *g)
{
    const tc_config_ingest_t *c = &g->cfg->ingest;
    char names[TC_SYNTH_SYMBOLS_MAX][TC_CONFIG_NAME_MAX];
    int n = tc_config_list_split(c->synthetic_symbols, names, TC_SYNTH_SYMBOLS_MAX);
    if (n < 1 || n > TC_SYNTH_SYMBOLS_MAX)
        return TC_ERR(-EINVAL, "ingest.synthetic_symbols: %d symbols (1..%d)", n,
                      TC_SYNTH_SYMBOLS_MAX);
    tc_synth_opts_t o = {.seed = (uint64_t)c->synthetic_seed, .n_symbols = n};
    for (int i = 0; i < n; i++)
        o.symbols[i] = names[i];
    g->synth = tc_synth_create(&o);
    if (!g->synth)
        return tc_err_code();
    for (int i = 0; i < n; i++) {
        int id = tc_shm_symbol_add(tc_stage_shm(g->stg), tc_synth_symbol(g->synth, i));
        if (id < 0) {
            tc_synth_destroy(g->synth);
            return id;
        }
        g->sym_map[i] = (uint16_t)id;
    }
    /* resume: regenerate and drop what the ring already holds */
    tc_tick_t skip[BATCH];
    for (uint64_t left = g->out.pos; left > 0;) {
        int k = left > BATCH ? BATCH : (int)left;
        tc_synth_next(g->synth, skip, k);
        left -= (uint64_t)k;
    }
    if (g->out.pos)
        TC_LOG(TC_LOG_NOTICE, "ingest: resuming the synthetic market at tick %llu",
               (unsigned long long)g->out.pos);
    return 0;
}

/* The feed's symbol callback: the instance table gives the id. */
static int feed_symbol(void *ctx, const tc_symbol_t *sym)
{
    ingest_t *g = ctx;
    return tc_shm_symbol_add(tc_stage_shm(g->stg), sym);
}

static int open_feed(ingest_t *g)
{
    const tc_config_ingest_t *c = &g->cfg->ingest;
    const char *topics[2] = {c->zmq_subscribe[0] ? c->zmq_subscribe : NULL, NULL};
    tc_zmqfeed_opts_t o = {.endpoint = c->zmq_endpoint, .topics = topics,
                           .symbol_fn = feed_symbol, .symbol_ctx = g};
    g->feed = tc_zmqfeed_open(&o);
    if (!g->feed)
        return tc_err_code();
    g->feed_rejects = tc_stage_counter(g->stg, "feed_rejects");
    g->feed_gaps = tc_stage_counter(g->stg, "feed_gaps");
    TC_LOG(TC_LOG_NOTICE, "ingest: live feed %s, topics %s", c->zmq_endpoint,
           topics[0] ? topics[0] : TC_MSGPACK_TICK_TOPIC);
    return 0;
}

static int ingest_init(tc_stage_t *stg, void **ret)
{
    ingest_t *g = calloc(1, sizeof *g);
    if (!g)
        return TC_ERR(-ENOMEM, "ingest: out of memory");
    g->stg = stg;
    g->cfg = tc_stage_env(stg)->config;
    int r = tc_ring_producer_attach(&g->out, tc_stage_shm(stg), "ticks", &tc_stage_env(stg)->wait);
    if (r < 0)
        goto fail;
    if (g->cfg->ingest.source == TC_CONFIG_SOURCE_ZMQ)
        r = open_feed(g);
    else if (g->cfg->ingest.source == TC_CONFIG_SOURCE_SYNTHETIC)
        r = open_synth(g);
    else
        r = TC_ERR(-ENOTSUP, "ingest.source: 'file' is not wired into the stage so far");
    if (r < 0)
        goto fail;
    g->ticks = tc_stage_counter(stg, "ticks");
    g->t0 = tc_clock_mono_ns();
    g->pos0 = g->out.pos;
    *ret = g;
    return 0;
fail:
    free(g);
    return r;
}

static void close_out(ingest_t *g)
{
    if (!g->closed) {
        tc_ring_producer_close(&g->out);
        g->closed = 1;
    }
}

/* Receives what the feed has queued straight into claimed slots (no waiting: the idle
 * strategy does that). */
static int feed_work(ingest_t *g)
{
    void *slot;
    int n = tc_ring_claim_wait(&g->out, BATCH, &slot, 10 * TC_NS_PER_MS, tc_stage_stop_flag(g->stg));
    if (n == -EAGAIN || n == -EINTR)
        return 0;
    if (n < 0)
        return n;
    int k = tc_zmqfeed_poll(g->feed, slot, n, 0);
    if (k == -EINTR)
        return 0;
    if (k < 0)
        return k;
    if (k > 0) {
        tc_ring_commit(&g->out, (uint32_t)k);
        atomic_fetch_add_explicit(g->ticks, (uint64_t)k, memory_order_relaxed);
    }
    const tc_zmqfeed_stats_t *fs = tc_zmqfeed_stats(g->feed);
    if (g->feed_rejects)
        atomic_store_explicit(g->feed_rejects, fs->rejected, memory_order_relaxed);
    if (g->feed_gaps)
        atomic_store_explicit(g->feed_gaps, fs->seq_missing, memory_order_relaxed);
    return k;
}

static int ingest_work(void *st)
{
    ingest_t *g = st;
    if (tc_stage_stopping(g->stg)) {
        close_out(g);
        return 0;
    }
    if (g->feed)
        return feed_work(g);
    uint64_t want = BATCH;
    uint64_t limit = (uint64_t)g->cfg->ingest.synthetic_ticks;
    if (limit) {
        if (g->out.pos >= limit) {
            close_out(g); /* a finite run: downstream drains and sees the end */
            return 0;
        }
        if (limit - g->out.pos < want)
            want = limit - g->out.pos;
    }
    double rate = g->cfg->ingest.synthetic_rate;
    if (rate > 0) {
        double due = rate * (double)(tc_clock_mono_ns() - g->t0) / TC_NS_PER_S;
        double done = (double)(g->out.pos - g->pos0);
        if (done >= due)
            return 0;
        if (due - done < (double)want)
            want = (uint64_t)(due - done) + 1;
    }
    void *slot;
    int n = tc_ring_claim_wait(&g->out, (uint32_t)want, &slot, 10 * TC_NS_PER_MS,
                               tc_stage_stop_flag(g->stg));
    if (n == -EAGAIN || n == -EINTR)
        return 0;
    if (n < 0)
        return n;
    tc_tick_t *t = slot;
    tc_synth_next(g->synth, t, n);
    for (int i = 0; i < n; i++)
        t[i].sym = g->sym_map[t[i].sym];
    tc_ring_commit(&g->out, (uint32_t)n);
    atomic_fetch_add_explicit(g->ticks, (uint64_t)n, memory_order_relaxed);
    return n;
}

static int ingest_drained(void *st)
{
    close_out(st);
    return 1;
}

static void ingest_fini(void *st)
{
    ingest_t *g = st;
    tc_synth_destroy(g->synth);
    tc_zmqfeed_close(g->feed);
    free(g);
}

const tc_stage_ops_t tc_ingest_stage = {"ingest", ingest_init, ingest_work, ingest_drained,
                                        ingest_fini};
