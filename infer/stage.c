/* stage.c — tickcast-infer on the stage framework (stage.h).
 *
 * One round: write nothing until the predictions ring has room (claim first, so a full
 * ring is back-pressure and not a reason to drop), then run the polled feature records
 * through the engine until the claimed slots are used, commit, release the inputs that
 * were handled.  Records that give no prediction (lookback, NaN inputs, no model) are
 * released and counted.  On restart the stage skips the feature records whose
 * predictions are already in the ring (src_pos of the last one); recurrent state is not
 * kept across a restart, so each symbol starts a new sequence.
 */
#include "infer/stage.h"
#include "daemon/pub.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/config.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "infer/engine.h"
#include "infer/forecast.h"
#include "infer/modelsrc.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 64

typedef struct istage {
    tc_stage_t *stg;
    const tc_config_t *cfg;
    tc_ring_t in, out;
    tc_featset_t fs;
    tc_pub_t pub;
    tc_modelsrc_t src;
    tc_infer_engine_t *eng; /* NULL: no model to serve */
    uint32_t version;
    tc_modelsrc_info_t served; /* the model of eng */
    int64_t next_poll;
    int closed;
    _Atomic uint64_t *n_features, *n_preds, *n_not_ready, *n_nonfinite, *n_unserved,
        *n_swaps, *n_refused, *n_pub_dropped;
} istage_t;

/* ---- the `model` topic ------------------------------------------------------------ */

static void announce(istage_t *s, const char *event, const tc_modelsrc_info_t *info,
                     uint32_t prev, const char *reason)
{
    if (!tc_pub_on(&s->pub))
        return;
    msgpack_packer *pk = tc_pub_begin(&s->pub);
    int n = 5 + (info != NULL) * 3 + (reason != NULL);
    msgpack_pack_map(pk, (size_t)n);
    tc_pk_kv_uint(pk, "v", 1);
    tc_pk_kv_str(pk, "event", event);
    tc_pk_kv_int(pk, "ts", tc_clock_real_ns());
    tc_pk_kv_uint(pk, "prev", prev);
    tc_pk_kv_str(pk, "alias", s->cfg->infer.model_alias);
    if (info) {
        tc_pk_kv_str(pk, "model", info->name);
        tc_pk_kv_uint(pk, "ver", info->version);
        tc_pk_kv_str(pk, "sha256", info->sha256);
    }
    if (reason)
        tc_pk_kv_str(pk, "reason", reason);
    tc_pub_send(&s->pub, "model");
}

/* A model trained on other bars than the features stage builds would be fed numbers
 * of another meaning: its recorded bar settings must be the stage's (a model that
 * records none, e.g. one made in PyTorch, is taken as it is). */
static int check_bars(const istage_t *s, const tc_model_t *m)
{
    const tc_config_features_t *fc = &s->cfg->features;
    const char *bt = tc_model_meta_get(m, TC_FORECAST_META_BAR_TYPE);
    const char *bs = tc_model_meta_get(m, TC_FORECAST_META_BAR_SIZE);
    const char *mode = tc_model_meta_get(m, TC_FORECAST_META_MODE);
    int type;
    if (bt && (tc_forecast_bar_type_parse(&type, bt) < 0 || type != fc->bar_type))
        return TC_ERR(-EPROTO, "trained on %s bars; features.bar_type is %s", bt,
                      tc_forecast_bar_type_name(fc->bar_type));
    if (bs && strtod(bs, NULL) != fc->bar_size)
        return TC_ERR(-EPROTO, "trained on bars of size %s; features.bar_size is %g", bs,
                      fc->bar_size);
    int precise = fc->mode == TC_CONFIG_MODE_PRECISE;
    if (mode && (strcmp(mode, "precise") == 0) != precise)
        return TC_ERR(-EPROTO, "trained with feature_mode %s; features.mode is %s", mode,
                      precise ? "precise" : "talib");
    return 0;
}

/* Loads what the source now names and switches to it; keeps the old model when the new
 * one is refused. */
static void follow_model(istage_t *s, int first)
{
    tc_modelsrc_info_t info;
    tc_model_t *m = NULL;
    int r = tc_modelsrc_poll(&s->src, &info, &m);
    if (r == 0)
        return; /* nothing new */
    uint32_t prev = s->version;
    if (r < 0) {
        atomic_fetch_add_explicit(s->n_refused, 1, memory_order_relaxed);
        TC_LOG(TC_LOG_ERR, "infer: %s%s", tc_err_msg(),
               s->eng ? "; still serving the previous model" : "; serving no model");
        announce(s, "refused", NULL, prev, tc_err_msg());
        return;
    }
    tc_infer_engine_t *e = NULL;
    if (check_bars(s, m) < 0)
        tc_model_destroy(m);
    else
        e = tc_infer_engine_create(m, &s->fs);
    if (!e) {
        atomic_fetch_add_explicit(s->n_refused, 1, memory_order_relaxed);
        TC_LOG(TC_LOG_ERR, "infer: model %s version %u refused: %s%s", info.name, info.version,
               tc_err_msg(), s->eng ? "; still serving the previous model" : "");
        announce(s, "refused", &info, prev, tc_err_msg());
        return;
    }
    tc_infer_engine_destroy(s->eng);
    s->eng = e;
    s->version = info.version;
    s->served = info;
    if (!first)
        atomic_fetch_add_explicit(s->n_swaps, 1, memory_order_relaxed);
    TC_LOG(TC_LOG_NOTICE, "infer: serving %s version %u (%s)%s", info.name, info.version,
           info.path, first ? "" : ", switched between two records");
    announce(s, first ? "load" : "swap", &info, prev, NULL);
}

/* ---- predictions out ---------------------------------------------------------------- */

/* The bar close as an exact decimal: the symbol's price exponent, or up to two more
 * digits when the close is a mid between two ticks. */
static void price_decimal(double px, int pe0, int64_t *ret_m, int *ret_e)
{
    int e = pe0;
    double m = px * pow(10.0, -e);
    for (int k = 0; k < 3 && fabs(m - nearbyint(m)) > 1e-6 * fmax(1.0, fabs(m)); k++) {
        e--;
        m = px * pow(10.0, -e);
    }
    *ret_m = fabs(m) < 9e18 ? (int64_t)llround(m) : 0;
    *ret_e = e;
}

static void publish(istage_t *s, const tc_pred_t *p)
{
    uint32_t n_sym;
    const tc_symbol_t *tab = tc_shm_symbols(tc_stage_shm(s->stg), &n_sym);
    if (p->sym >= n_sym)
        return;
    const tc_symbol_t *sy = &tab[p->sym];
    char topic[8 + TC_SYMBOL_NAME_MAX];
    snprintf(topic, sizeof topic, "pred.%s", sy->name);
    int64_t pm;
    int pe;
    price_decimal(p->price, sy->px_exp, &pm, &pe);
    msgpack_packer *pk = tc_pub_begin(&s->pub);
    msgpack_pack_map(pk, 10);
    tc_pk_kv_uint(pk, "v", 1);
    tc_pk_kv_str(pk, "sym", sy->name);
    tc_pk_kv_int(pk, "ts", p->ts_event);
    tc_pk_kv_int(pk, "tp", p->ts_pred);
    tc_pk_kv_int(pk, "px", pm);
    tc_pk_kv_int(pk, "pe", pe);
    tc_pk_kv_str(pk, "model", s->served.name);
    tc_pk_kv_uint(pk, "ver", p->model_version);
    tc_pk_str(pk, "yhat");
    msgpack_pack_array(pk, p->horizon);
    for (int k = 0; k < p->horizon; k++)
        msgpack_pack_double(pk, p->yhat[k]);
    tc_pk_kv_int(pk, "lat", (int64_t)p->latency_ns);
    if (!tc_pub_send(&s->pub, topic))
        atomic_fetch_add_explicit(s->n_pub_dropped, 1, memory_order_relaxed);
}

/* ---- stage callbacks ---------------------------------------------------------------- */

static void istage_fini(void *st);
static int istage_drained(void *st);

static int istage_init(tc_stage_t *stg, void **ret)
{
    const tc_config_t *cfg = tc_stage_env(stg)->config;
    istage_t *s = calloc(1, sizeof *s);
    if (!s)
        return TC_ERR(-ENOMEM, "infer: out of memory");
    s->stg = stg;
    s->cfg = cfg;
    int r;
    int mode = cfg->features.mode == TC_CONFIG_MODE_PRECISE ? TC_TA_MODE_PRECISE : TC_TA_MODE_TALIB;
    if ((r = tc_featset_parse(&s->fs, cfg->features.feature_set, mode)) < 0) {
        r = TC_ERR_APPEND(r, "features.feature_set");
        goto fail;
    }
    openblas_set_num_threads((int)cfg->infer.threads);
    if ((r = tc_modelsrc_open(&s->src, cfg)) < 0 ||
        (r = tc_pub_open(&s->pub, cfg->infer.zmq_pub)) < 0)
        goto fail;
    const tc_ring_wait_opts_t *w = &tc_stage_env(stg)->wait;
    if ((r = tc_ring_consumer_attach(&s->in, tc_stage_shm(stg), "features", "infer",
                                     TC_ROLE_REQUIRED, w)) < 0 ||
        (r = tc_ring_producer_attach(&s->out, tc_stage_shm(stg), "predictions", w)) < 0)
        goto fail;
    tc_pred_t last;
    if (tc_ring_last(&s->out, &last) == 0 && last.src_pos + 1 > s->in.pos) {
        TC_LOG(TC_LOG_NOTICE, "infer: resuming after feature record %llu (already predicted)",
               (unsigned long long)last.src_pos);
        tc_ring_seek(&s->in, last.src_pos + 1);
    }
    s->n_features = tc_stage_counter(stg, "features");
    s->n_preds = tc_stage_counter(stg, "predictions");
    s->n_not_ready = tc_stage_counter(stg, "not_ready");
    s->n_nonfinite = tc_stage_counter(stg, "nonfinite");
    s->n_unserved = tc_stage_counter(stg, "unserved");
    s->n_swaps = tc_stage_counter(stg, "model_swaps");
    s->n_refused = tc_stage_counter(stg, "model_refused");
    s->n_pub_dropped = tc_stage_counter(stg, "pub_dropped");
    follow_model(s, 1);
    if (!s->eng)
        TC_LOG(TC_LOG_WARN, "infer: no model to serve yet (%s); feature records are "
                               "consumed without predictions until one is available",
               tc_modelsrc_describe(&s->src));
    s->next_poll = tc_clock_mono_ns() + cfg->infer.model_poll;
    tc_stage_wait_on(stg, &s->in);
    *ret = s;
    return 0;
fail:
    istage_fini(s);
    return r;
}

static int istage_work(void *st)
{
    istage_t *s = st;
    int64_t now = tc_clock_mono_ns();
    if (now >= s->next_poll) {
        /* between two batches: the switch can never split a record */
        follow_model(s, s->eng == NULL && s->version == 0);
        s->next_poll = now + s->cfg->infer.model_poll;
    }
    const void *p;
    int n = tc_ring_poll(&s->in, BATCH, &p);
    if (n == 0) {
        /* the features stage finished (a finite replay): pass the end on */
        if (!s->closed && tc_ring_drained(&s->in))
            istage_drained(s);
        return 0;
    }
    now = tc_clock_mono_ns();
    void *slots;
    int room = tc_ring_claim(&s->out, (uint32_t)n, &slots);
    if (room <= 0)
        return 0; /* predictions ring full: leave the features where they are */
    const tc_feat_t *f = p;
    tc_pred_t *out = slots;
    int used = 0, made = 0, not_ready = 0, nonfinite = 0, unserved = 0;
    for (; used < n && made < room; used++) {
        if (!s->eng) {
            unserved++;
            continue;
        }
        int r = tc_infer_engine_step(s->eng, &f[used], s->in.pos + (uint64_t)used, s->version,
                                     &out[made]);
        if (r == TC_INFER_PREDICTED) {
            out[made].ts_pred = tc_clock_real_ns();
            out[made].latency_ns = (double)(tc_clock_mono_ns() - now);
            made++;
        } else if (r == TC_INFER_NOT_READY) {
            not_ready++;
        } else {
            nonfinite++;
        }
    }
    tc_ring_commit(&s->out, (uint32_t)made);
    tc_ring_release(&s->in, (uint32_t)used);
    if (tc_pub_on(&s->pub))
        for (int i = 0; i < made; i++)
            publish(s, &out[i]);
    atomic_fetch_add_explicit(s->n_features, (uint64_t)used, memory_order_relaxed);
    atomic_fetch_add_explicit(s->n_preds, (uint64_t)made, memory_order_relaxed);
    if (not_ready)
        atomic_fetch_add_explicit(s->n_not_ready, (uint64_t)not_ready, memory_order_relaxed);
    if (nonfinite)
        atomic_fetch_add_explicit(s->n_nonfinite, (uint64_t)nonfinite, memory_order_relaxed);
    if (unserved)
        atomic_fetch_add_explicit(s->n_unserved, (uint64_t)unserved, memory_order_relaxed);
    return used;
}

static int istage_drained(void *st)
{
    istage_t *s = st;
    if (!tc_ring_drained(&s->in))
        return 0;
    if (!s->closed) {
        tc_ring_producer_close(&s->out);
        s->closed = 1;
    }
    return 1;
}

static void istage_fini(void *st)
{
    istage_t *s = st;
    tc_infer_engine_destroy(s->eng);
    tc_modelsrc_close(&s->src);
    tc_pub_close(&s->pub);
    free(s);
}

const tc_stage_ops_t tc_infer_stage = {"infer", istage_init, istage_work, istage_drained,
                                       istage_fini};
