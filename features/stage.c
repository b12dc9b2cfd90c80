/* stage.c — tickcast-features on the stage framework (stage.h).
 *
 * Closed bars first go to a pending queue and are written from there, so a full
 * features ring (back-pressure) never loses a record nor stalls in the middle of a
 * batch: the next round flushes the queue before it reads more ticks.  On start the
 * stage reconciles its input cursor with the last record it wrote (src_pos), so a
 * crash between writing records and releasing ticks repeats nothing.  Indicator state
 * is rebuilt from the ticks that follow a restart: records are flagged ready again once
 * every feature is past its lookback.
 */
#include "features/stage.h"
#include "daemon/runtime/config.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"

#include <stdlib.h>
#include <string.h>

#define IN_BATCH 256

typedef struct fstage {
    tc_stage_t *stg;
    tc_ring_t in, out;
    tc_features_t *x;
    tc_feat_t *pending; /* queue of records not yet in the ring */
    int n_pending, head, cap;
    int flushed, closed;
    uint32_t n_symbols_seen;
    _Atomic uint64_t *ticks, *bars;
} fstage_t;

static void set_price_sources(fstage_t *s)
{
    uint32_t n;
    const tc_symbol_t *tab = tc_shm_symbols(tc_stage_shm(s->stg), &n);
    for (uint32_t i = s->n_symbols_seen; i < n; i++)
        tc_features_symbol_price(s->x, (uint16_t)i,
                                 tab[i].asset_class == TC_ASSET_FX || tab[i].asset_class == TC_ASSET_CFD
                                     ? TC_BAR_PRICE_MID : TC_BAR_PRICE_TRADE);
    s->n_symbols_seen = n;
}

static int fstage_init(tc_stage_t *stg, void **ret)
{
    const tc_config_t *cfg = tc_stage_env(stg)->config;
    fstage_t *s = calloc(1, sizeof *s);
    if (!s)
        return TC_ERR(-ENOMEM, "features: out of memory");
    s->stg = stg;
    tc_features_opts_t o = {
        .bar_type = cfg->features.bar_type, .bar_size = cfg->features.bar_size,
        .feature_list = cfg->features.feature_set,
        .mode = cfg->features.mode == TC_CONFIG_MODE_PRECISE ? TC_TA_MODE_PRECISE : TC_TA_MODE_TALIB,
    };
    int r;
    s->x = tc_features_create(&o);
    if (!s->x) {
        r = TC_ERR_APPEND(tc_err_code() ? tc_err_code() : -EINVAL, "features.feature_set");
        goto fail;
    }
    s->cap = IN_BATCH + tc_features_max_out(s->x);
    s->pending = calloc((size_t)s->cap, sizeof *s->pending);
    if (!s->pending) {
        r = TC_ERR(-ENOMEM, "features: out of memory");
        goto fail;
    }
    const tc_ring_wait_opts_t *w = &tc_stage_env(stg)->wait;
    if ((r = tc_ring_consumer_attach(&s->in, tc_stage_shm(stg), "ticks", "features",
                                     TC_ROLE_REQUIRED, w)) < 0 ||
        (r = tc_ring_producer_attach(&s->out, tc_stage_shm(stg), "features", w)) < 0)
        goto fail;
    tc_feat_t last;
    if (tc_ring_last(&s->out, &last) == 0 && last.src_pos + 1 > s->in.pos) {
        TC_LOG(TC_LOG_NOTICE, "features: resuming after tick %llu (already written)",
               (unsigned long long)last.src_pos);
        tc_ring_seek(&s->in, last.src_pos + 1);
    }
    s->ticks = tc_stage_counter(stg, "ticks");
    s->bars = tc_stage_counter(stg, "bars");
    tc_stage_wait_on(stg, &s->in);
    *ret = s;
    return 0;
fail:
    tc_features_destroy(s->x);
    free(s->pending);
    free(s);
    return r;
}

/* Writes queued records; returns how many went out. */
static int flush_pending(fstage_t *s)
{
    int done = 0;
    while (s->n_pending > 0) {
        void *slot;
        uint32_t want = (uint32_t)(s->n_pending < s->cap - s->head ? s->n_pending : s->cap - s->head);
        int n = tc_ring_claim(&s->out, want, &slot);
        if (n <= 0)
            break;
        memcpy(slot, &s->pending[s->head], (size_t)n * sizeof(tc_feat_t));
        tc_ring_commit(&s->out, (uint32_t)n);
        s->head = (s->head + n) % s->cap;
        s->n_pending -= n;
        done += n;
    }
    if (s->n_pending == 0)
        s->head = 0;
    return done;
}

static int queue_room(const fstage_t *s) { return s->cap - s->n_pending; }

static tc_feat_t *queue_tail(fstage_t *s) { return &s->pending[(s->head + s->n_pending) % s->cap]; }

static int fstage_drained(void *st);

static int fstage_work(void *st)
{
    fstage_t *s = st;
    int work = flush_pending(s);
    if (s->n_pending > 0)
        return work; /* downstream is full: read nothing more until it drains */
    const void *p;
    int n = tc_ring_poll(&s->in, IN_BATCH, &p);
    if (n == 0) {
        /* the source finished (a finite replay): close the last bars and pass the end on */
        if (!s->closed && tc_ring_drained(&s->in))
            fstage_drained(s);
        return work;
    }
    set_price_sources(s);
    const tc_tick_t *t = p;
    int used = 0;
    tc_feat_t tmp[64];
    for (; used < n; used++) {
        /* leave room for the most records one tick can close */
        if (queue_room(s) < tc_features_max_out(s->x))
            break;
        int k = tc_features_tick(s->x, &t[used], s->in.pos + (uint64_t)used, tmp, 64);
        for (int i = 0; i < k; i++) {
            *queue_tail(s) = tmp[i];
            s->n_pending++;
        }
        if (k)
            atomic_fetch_add_explicit(s->bars, (uint64_t)k, memory_order_relaxed);
    }
    flush_pending(s);
    tc_ring_release(&s->in, (uint32_t)used);
    atomic_fetch_add_explicit(s->ticks, (uint64_t)used, memory_order_relaxed);
    return work + used;
}

static int fstage_drained(void *st)
{
    fstage_t *s = st;
    if (!tc_ring_drained(&s->in))
        return 0;
    if (!s->flushed) {
        /* end of the stream: close the bars in progress */
        tc_feat_t tmp[64];
        int k;
        while (queue_room(s) >= 64 && (k = tc_features_flush(s->x, s->in.pos, tmp, 64)) > 0)
            for (int i = 0; i < k; i++) {
                *queue_tail(s) = tmp[i];
                s->n_pending++;
            }
        s->flushed = 1;
    }
    flush_pending(s);
    if (s->n_pending)
        return 0;
    if (!s->closed) {
        tc_ring_producer_close(&s->out);
        s->closed = 1;
    }
    return 1;
}

static void fstage_fini(void *st)
{
    fstage_t *s = st;
    tc_features_destroy(s->x);
    free(s->pending);
    free(s);
}

const tc_stage_ops_t tc_features_stage = {"features", fstage_init, fstage_work, fstage_drained,
                                          fstage_fini};
