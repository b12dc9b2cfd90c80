/* engine.c — many-symbol streaming inference (engine.h).
 *
 * Per symbol the engine keeps the network state (L, 2, H) floats; the table covers
 * every symbol id a features pipeline can emit, allocated once at create.
 */
#include "infer/engine.h"
#include "daemon/runtime/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tc_infer_engine {
    tc_model_t *m;
    int n_in, horizon;
    int col[TC_FEAT_MAX];     /* model input j reads feature record column col[j] */
    float mean[TC_FEAT_MAX], std[TC_FEAT_MAX];
    size_t state_floats;
    float *state;             /* (TC_SYMBOLS_MAX_FEATURES, state_floats) */
    uint8_t *started;         /* per symbol: state holds a sequence */
    float *scratch, x[TC_FEAT_MAX], y[TC_RNN_MAX_HORIZON];
};

/* The canonical text of one feature spec, as the features library writes it. */
static int canonical(const char *spec, char *buf, size_t n)
{
    tc_featset_t one;
    if (tc_featset_parse(&one, spec, TC_TA_MODE_TALIB) < 0 || one.n != 1)
        return TC_ERR(-EPROTO, "model feature '%s' is not one feature this build knows", spec);
    snprintf(buf, n, "%s", one.spec[0].name);
    return 0;
}

static int map_inputs(tc_infer_engine_t *e, const tc_featset_t *fs)
{
    const tc_model_t *m = e->m;
    if (m->n_features != e->n_in || !m->features)
        return TC_ERR(-EPROTO, "the model records no feature list, so its inputs cannot be "
                               "matched to the features stage's columns");
    if (!m->scaler_mean || !m->scaler_std)
        return TC_ERR(-EPROTO, "the model carries no scaler (scaler_mean, scaler_std)");
    for (int j = 0; j < e->n_in; j++) {
        char want[sizeof fs->spec[0].name];
        int r = canonical(m->features[j], want, sizeof want);
        if (r < 0)
            return r;
        e->col[j] = -1;
        for (int i = 0; i < fs->n && e->col[j] < 0; i++)
            if (!strcmp(fs->spec[i].name, want))
                e->col[j] = i;
        if (e->col[j] < 0)
            return TC_ERR(-EPROTO, "model input %d '%s' is not computed by the features stage "
                                   "(add it to features.feature_set)", j, want);
        if (!(m->scaler_std[j] > 0) || !isfinite(m->scaler_std[j]) || !isfinite(m->scaler_mean[j]))
            return TC_ERR(-EPROTO, "model scaler column %d is not usable (std %g)", j,
                          (double)m->scaler_std[j]);
        e->mean[j] = m->scaler_mean[j];
        e->std[j] = m->scaler_std[j];
    }
    return 0;
}

tc_infer_engine_t *tc_infer_engine_create(tc_model_t *m, const tc_featset_t *fs)
{
    tc_infer_engine_t *e = calloc(1, sizeof *e);
    if (!e) {
        tc_model_destroy(m);
        TC_ERR(-ENOMEM, "inference engine: out of memory");
        return NULL;
    }
    e->m = m;
    const tc_rnn_config_t *cfg = &m->net->cfg;
    e->n_in = cfg->input;
    e->horizon = cfg->horizon;
    if (e->n_in > TC_FEAT_MAX) {
        TC_ERR(-EPROTO, "the model has %d inputs; a feature record holds at most %d", e->n_in,
               TC_FEAT_MAX);
        goto fail;
    }
    if (e->horizon > TC_PRED_HORIZON_MAX) {
        TC_ERR(-EPROTO, "the model's horizon %d exceeds the %d steps of a prediction record",
               e->horizon, TC_PRED_HORIZON_MAX);
        goto fail;
    }
    if (map_inputs(e, fs) < 0)
        goto fail;
    e->state_floats = tc_rnn_state_size(cfg);
    e->state = calloc(TC_SYMBOLS_MAX_FEATURES * e->state_floats, sizeof(float));
    e->started = calloc(TC_SYMBOLS_MAX_FEATURES, 1);
    e->scratch = calloc(tc_rnn_step_scratch_size(cfg), sizeof(float));
    if (!e->state || !e->started || !e->scratch) {
        TC_ERR(-ENOMEM, "inference engine: out of memory for %d symbols' state",
               TC_SYMBOLS_MAX_FEATURES);
        goto fail;
    }
    return e;
fail:
    tc_infer_engine_destroy(e);
    return NULL;
}

void tc_infer_engine_destroy(tc_infer_engine_t *e)
{
    if (!e)
        return;
    tc_model_destroy(e->m);
    free(e->state);
    free(e->started);
    free(e->scratch);
    free(e);
}

const tc_model_t *tc_infer_engine_model(const tc_infer_engine_t *e) { return e->m; }

void tc_infer_engine_reset(tc_infer_engine_t *e, int sym)
{
    if (sym < 0) {
        memset(e->started, 0, TC_SYMBOLS_MAX_FEATURES);
        return;
    }
    if (sym < TC_SYMBOLS_MAX_FEATURES)
        e->started[sym] = 0;
}

int tc_infer_engine_step(tc_infer_engine_t *e, const tc_feat_t *f, uint64_t pos,
                         uint32_t version, tc_pred_t *out)
{
    if (f->sym >= TC_SYMBOLS_MAX_FEATURES)
        return TC_INFER_BAD_SYMBOL;
    /* A symbol starts at its first bar whose inputs of this model are all past their
     * lookback (NaN until then), not when every column of the feature set is: that is
     * where the trainer's rows start too. */
    for (int j = 0; j < e->n_in; j++) {
        float v = ((float)f->f[e->col[j]] - e->mean[j]) / e->std[j]; /* tc_train_scaler_apply */
        if (!isfinite(v))
            return e->started[f->sym] ? TC_INFER_NONFINITE : TC_INFER_NOT_READY;
        e->x[j] = v;
    }
    float *st = e->state + (size_t)f->sym * e->state_floats;
    if (!e->started[f->sym]) {
        memset(st, 0, e->state_floats * sizeof *st);
        e->started[f->sym] = 1;
    }
    tc_rnn_step(e->y, st, e->scratch, e->x, &e->m->net->packed, &e->m->net->cfg);
    memset(out, 0, sizeof *out);
    out->ts_event = f->ts_close;
    out->src_pos = pos;
    out->sym = f->sym;
    out->horizon = (uint8_t)e->horizon;
    out->model_version = version;
    out->price = f->close;
    for (int k = 0; k < e->horizon; k++)
        out->yhat[k] = e->y[k];
    return TC_INFER_PREDICTED;
}
