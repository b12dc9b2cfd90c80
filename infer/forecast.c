/* forecast.c — running a model over a dataset and scoring it (forecast.h).
 *
 * Two ways to predict, both from the same scaled rows: the window forward that training
 * optimises (zero state, T rows), and the streaming step the inference stage runs.  The
 * streaming step with zero state over the same T rows gives the window forward's numbers
 * (tests/infer/test_rnn.c checks the kernels agree); with state carried from a symbol's
 * first row it is what live inference publishes.  Scores accumulate in double.
 */
#include "infer/forecast.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "features/ta.h"

static const char *const bar_type_names[] = {"time", "tick", "volume", "dollar"};

int tc_forecast_bar_type_parse(int *ret, const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, bar_type_names[i]) == 0) {
            *ret = i;
            return 0;
        }
    return TC_ERR(-EINVAL, "bar type \"%s\" is not time, tick, volume or dollar", s);
}

const char *tc_forecast_bar_type_name(int type)
{
    return type >= 0 && type < 4 ? bar_type_names[type] : "?";
}

int tc_forecast_feature_known(const char *name, void *ctx)
{
    (void)ctx;
    char base[96];
    size_t len = strcspn(name, "([~");
    if (len == 0 || len >= sizeof base)
        return 0;
    memcpy(base, name, len);
    base[len] = '\0';
    /* A catalog function, or a bar feature (a bare name that parses); the full spec is
     * parsed again when the dataset is built. */
    if (tc_ta_find(base))
        return 1;
    tc_featset_t *fs = malloc(sizeof *fs);
    if (!fs)
        return 0;
    int ok = tc_featset_parse(fs, base, TC_TA_MODE_TALIB) == 0;
    free(fs);
    tc_err_clear();
    return ok;
}

int tc_forecast_model_load(tc_model_t **ret, const char *path, int max_batch)
{
    tc_model_t *m = NULL;
    tc_model_load_opts_t lo = {.max_batch = max_batch, .max_steps = 1,
                               .feature_known = tc_forecast_feature_known};
    /* A first load learns the sequence length; the network is then sized for it. */
    int r = tc_model_load(&m, path, &lo);
    if (r < 0)
        return r;
    const char *why = NULL;
    if (m->sequence_length < 1)
        why = "no sequence_length";
    else if (!m->scaler_mean || !m->scaler_std)
        why = "no scaler (scaler_mean, scaler_std)";
    else if (m->n_features != m->net->cfg.input)
        why = "no feature list";
    else if (!tc_model_meta_get(m, TC_FORECAST_META_BAR_TYPE) ||
             !tc_model_meta_get(m, TC_FORECAST_META_BAR_SIZE))
        why = "no bar settings (bar_type, bar_size)";
    else if (m->net->cfg.horizon > TC_FORECAST_MAX_HORIZON)
        why = "a horizon above 128, more than evaluation handles";
    if (why) {
        tc_model_destroy(m);
        return TC_ERR(-EPROTO, "%s: the model has %s: it cannot run over tick data", path, why);
    }
    int T = m->sequence_length;
    tc_model_destroy(m);
    lo.max_steps = T;
    if ((r = tc_model_load(&m, path, &lo)) < 0)
        return r;
    *ret = m;
    return 0;
}

int tc_forecast_dataset_opts(tc_dataset_opts_t *o, char *list, size_t len, const tc_model_t *m)
{
    memset(o, 0, sizeof *o);
    int r = tc_forecast_bar_type_parse(&o->bar_type, tc_model_meta_get(m, TC_FORECAST_META_BAR_TYPE));
    if (r < 0)
        return TC_ERR_APPEND(-EPROTO, "metadata bar_type");
    char *end;
    const char *bs = tc_model_meta_get(m, TC_FORECAST_META_BAR_SIZE);
    o->bar_size = strtod(bs, &end);
    if (end == bs || *end || !(o->bar_size > 0))
        return TC_ERR(-EPROTO, "metadata bar_size \"%s\" is not a positive number", bs);
    const char *mode = tc_model_meta_get(m, TC_FORECAST_META_MODE);
    o->mode = mode && strcmp(mode, "precise") == 0 ? TC_TA_MODE_PRECISE : TC_TA_MODE_TALIB;
    o->horizon = m->net->cfg.horizon;
    size_t used = 0;
    for (int i = 0; i < m->n_features; i++) {
        size_t n = strlen(m->features[i]);
        if (used + n + 2 > len)
            return TC_ERR(-EPROTO, "the feature list is longer than %zu bytes", len);
        if (i)
            list[used++] = ',';
        memcpy(list + used, m->features[i], n);
        used += n;
    }
    list[used] = '\0';
    tc_featset_t *fs = malloc(sizeof *fs);
    if (!fs)
        return TC_ERR(-ENOMEM, "out of memory");
    r = tc_featset_parse(fs, list, o->mode);
    if (r < 0) {
        free(fs);
        return TC_ERR_APPEND(-EPROTO, "metadata features");
    }
    r = 0;
    if (fs->n != m->n_features)
        r = TC_ERR(-EPROTO, "metadata features: %d specs parse to %d features", m->n_features, fs->n);
    for (int i = 0; r == 0 && i < fs->n; i++)
        if (strcmp(fs->spec[i].name, m->features[i]) != 0)
            r = TC_ERR(-EPROTO, "metadata features: feature %d \"%s\" is \"%s\" in this build", i,
                       m->features[i], fs->spec[i].name);
    free(fs);
    o->feature_list = list;
    return r;
}

void tc_forecast_scale_all(float *xs, const tc_dataset_t *ds, const float *mean, const float *std)
{
    for (int i = 0; i < ds->n; i++)
        tc_dataset_row_scale(xs + (size_t)i * ds->C, ds, i, mean, std);
}

int tc_forecast_windows(float *yhat, tc_rnn_t *net, const float *xs, const tc_dataset_t *ds,
                        const int *ends, int n, int T)
{
    const int C = ds->C, K = net->cfg.horizon, Bmax = net->max_batch;
    float *xb = malloc((size_t)Bmax * T * C * sizeof *xb);
    if (!xb)
        return TC_ERR(-ENOMEM, "out of memory");
    for (int j = 0; j < n; j += Bmax) {
        int B = n - j < Bmax ? n - j : Bmax;
        for (int b = 0; b < B; b++)
            memcpy(xb + (size_t)b * T * C, xs + (size_t)(ends[j + b] - T + 1) * C,
                   (size_t)T * C * sizeof *xb);
        tc_rnn_forward(&net->acts, xb, &net->params, &net->cfg, B, T, net->path);
        for (int b = 0; b < B; b++)
            memcpy(yhat + (size_t)ends[j + b] * K, net->acts.out + (size_t)b * K,
                   (size_t)K * sizeof *yhat);
    }
    free(xb);
    return 0;
}

int tc_forecast_stream(float *yhat, const tc_rnn_t *net, const float *xs, const tc_dataset_t *ds,
                       int T, int carry)
{
    const tc_rnn_config_t *cfg = &net->cfg;
    const int C = ds->C, K = cfg->horizon;
    const size_t ns = tc_rnn_state_size(cfg);
    float *state = malloc(ns * sizeof *state);
    float *scratch = malloc(tc_rnn_step_scratch_size(cfg) * sizeof *scratch);
    if (!state || !scratch) {
        free(state), free(scratch);
        return TC_ERR(-ENOMEM, "out of memory");
    }
    for (int s = 0; s < ds->n_syms; s++) {
        const tc_dataset_sym_t *e = &ds->syms[s];
        memset(state, 0, ns * sizeof *state);
        for (int i = e->begin; i < e->end; i++) {
            float *out = yhat + (size_t)i * K;
            if (carry) {
                tc_rnn_step(out, state, scratch, xs + (size_t)i * C, &net->packed, cfg);
                continue;
            }
            if (i - (T - 1) < e->begin) {
                for (int k = 0; k < K; k++)
                    out[k] = NAN;
                continue;
            }
            memset(state, 0, ns * sizeof *state);
            for (int t = i - T + 1; t <= i; t++)
                tc_rnn_step(out, state, scratch, xs + (size_t)t * C, &net->packed, cfg);
        }
    }
    free(state), free(scratch);
    return 0;
}

int tc_forecast_run_open(tc_forecast_run_t *run, const char *model, const char *data,
                         const char *const *symbols, int n_symbols, int64_t from_ns,
                         int64_t to_ns, tc_forecast_method_t method)
{
    memset(run, 0, sizeof *run);
    char *list = malloc(TC_FEAT_MAX * 100);
    int *ends = NULL, r;
    if (!list)
        return TC_ERR(-ENOMEM, "out of memory");
    if ((r = tc_forecast_model_load(&run->m, model, 256)) < 0)
        goto fail;
    tc_dataset_opts_t o;
    if ((r = tc_forecast_dataset_opts(&o, list, TC_FEAT_MAX * 100, run->m)) < 0) {
        TC_ERR_APPEND(r, "%s", model);
        goto fail;
    }
    o.symbols = symbols;
    o.n_symbols = n_symbols;
    o.from_ns = from_ns;
    o.to_ns = to_ns;
    if ((r = tc_dataset_load(&run->ds, data, &o)) < 0)
        goto fail;
    const tc_dataset_t *ds = run->ds;
    run->T = run->m->sequence_length;
    run->K = ds->K;
    run->xs = malloc((size_t)ds->n * ds->C * sizeof *run->xs);
    run->yhat = malloc((size_t)ds->n * ds->K * sizeof *run->yhat);
    ends = malloc((size_t)ds->n * sizeof *ends);
    if (!run->xs || !run->yhat || !ends) {
        r = TC_ERR(-ENOMEM, "out of memory");
        goto fail;
    }
    tc_forecast_scale_all(run->xs, ds, run->m->scaler_mean, run->m->scaler_std);
    for (size_t i = 0; i < (size_t)ds->n * ds->K; i++)
        run->yhat[i] = NAN;
    if (method == TC_FORECAST_BATCH) {
        int n = 0;
        for (int i = 0; i < ds->n; i++)
            if (tc_dataset_window_ok(ds, i, run->T, 0))
                ends[n++] = i;
        r = tc_forecast_windows(run->yhat, run->m->net, run->xs, ds, ends, n, run->T);
    } else {
        r = tc_forecast_stream(run->yhat, run->m->net, run->xs, ds, run->T,
                               method == TC_FORECAST_CARRY);
    }
    if (r < 0)
        goto fail;
    free(ends);
    free(list);
    return 0;
fail:
    free(ends);
    free(list);
    tc_forecast_run_close(run);
    return r;
}

void tc_forecast_run_close(tc_forecast_run_t *run)
{
    tc_model_destroy(run->m);
    tc_dataset_destroy(run->ds);
    free(run->xs);
    free(run->yhat);
    memset(run, 0, sizeof *run);
}

/* ---- scores ---------------------------------------------------------------------- */

void tc_forecast_score_init(tc_forecast_score_t *s, int K)
{
    memset(s, 0, sizeof *s);
    s->K = K;
}

static int sign(double v) { return (v > 0) - (v < 0); }

int tc_forecast_score_row(tc_forecast_score_t *s, const tc_dataset_t *ds, int i,
                          const float *yhat_row)
{
    const int K = s->K;
    const float *y = ds->y + (size_t)i * ds->K;
    for (int k = 0; k < K; k++)
        if (!isfinite(yhat_row[k]) || !isfinite(y[k]))
            return 0;
    double last = log(ds->close[i] / ds->prev_close[i]);
    if (!isfinite(last))
        return 0; /* the symbol's first bar: no last return to repeat */
    for (int k = 0; k < K; k++) {
        double pred[TC_FC_N] = {yhat_row[k], 0.0, (k + 1) * last};
        for (int p = 0; p < TC_FC_N; p++) {
            double e = pred[p] - (double)y[k];
            s->sse[p][k] += e * e;
            s->sae[p][k] += fabs(e);
            s->hit[p][k] += sign(pred[p]) == sign(y[k]);
        }
    }
    s->n++;
    return 1;
}

double tc_forecast_rmse(const tc_forecast_score_t *s, int p, int k)
{
    if (!s->n)
        return NAN;
    if (k >= 0)
        return sqrt(s->sse[p][k] / (double)s->n);
    double t = 0;
    for (int j = 0; j < s->K; j++)
        t += s->sse[p][j];
    return sqrt(t / ((double)s->n * s->K));
}

double tc_forecast_mae(const tc_forecast_score_t *s, int p, int k)
{
    if (!s->n)
        return NAN;
    if (k >= 0)
        return s->sae[p][k] / (double)s->n;
    double t = 0;
    for (int j = 0; j < s->K; j++)
        t += s->sae[p][j];
    return t / ((double)s->n * s->K);
}

double tc_forecast_direction(const tc_forecast_score_t *s, int p, int k)
{
    if (!s->n)
        return NAN;
    if (k >= 0)
        return (double)s->hit[p][k] / (double)s->n;
    long t = 0;
    for (int j = 0; j < s->K; j++)
        t += s->hit[p][j];
    return (double)t / ((double)s->n * s->K);
}

int tc_forecast_beats_zero(const tc_forecast_score_t *s)
{
    return s->n > 0 && tc_forecast_rmse(s, TC_FC_MODEL, -1) < tc_forecast_rmse(s, TC_FC_ZERO, -1);
}

static void json_num(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.17g", v); /* every digit: scripts recompute these figures */
    else
        fputs("null", out);
}

static void json_array(FILE *out, const tc_forecast_score_t *s, int p,
                       double (*fn)(const tc_forecast_score_t *, int, int))
{
    fputc('[', out);
    for (int k = 0; k < s->K; k++) {
        if (k)
            fputc(',', out);
        json_num(out, fn(s, p, k));
    }
    fputc(']', out);
}

void tc_forecast_score_json(FILE *out, const tc_forecast_score_t *s)
{
    static const char *const names[TC_FC_N] = {"model", "zero", "last"};
    fprintf(out, "{\"rows\":%ld", s->n);
    for (int p = 0; p < TC_FC_N; p++) {
        fprintf(out, ",\"%s\":{\"rmse\":", names[p]);
        json_array(out, s, p, tc_forecast_rmse);
        fputs(",\"mae\":", out);
        json_array(out, s, p, tc_forecast_mae);
        fputs(",\"direction\":", out);
        json_array(out, s, p, tc_forecast_direction);
        fputs(",\"rmse_all\":", out);
        json_num(out, tc_forecast_rmse(s, p, -1));
        fputs(",\"mae_all\":", out);
        json_num(out, tc_forecast_mae(s, p, -1));
        fputs(",\"direction_all\":", out);
        json_num(out, tc_forecast_direction(s, p, -1));
        fputc('}', out);
    }
    fprintf(out, ",\"beats_zero\":%s}", tc_forecast_beats_zero(s) ? "true" : "false");
}

void tc_forecast_score_text(FILE *out, const tc_forecast_score_t *s, const char *indent)
{
    static const char *const names[TC_FC_N] = {"model", "zero return", "last return"};
    fprintf(out, "%s%-12s %5s %12s %12s %9s\n", indent, "predictor", "step", "rmse", "mae",
            "direction");
    for (int p = 0; p < TC_FC_N; p++) {
        for (int k = 0; k < s->K; k++)
            fprintf(out, "%s%-12s %5d %12.6g %12.6g %8.2f%%\n", indent, names[p], k + 1,
                    tc_forecast_rmse(s, p, k), tc_forecast_mae(s, p, k),
                    100 * tc_forecast_direction(s, p, k));
        if (s->K > 1)
            fprintf(out, "%s%-12s %5s %12.6g %12.6g %8.2f%%\n", indent, names[p], "all",
                    tc_forecast_rmse(s, p, -1), tc_forecast_mae(s, p, -1),
                    100 * tc_forecast_direction(s, p, -1));
    }
    fprintf(out, "%s%s \"no change\": model RMSE %.6g vs %.6g over %ld rows\n", indent,
            tc_forecast_beats_zero(s) ? "beats" : "does not beat", tc_forecast_rmse(s, TC_FC_MODEL, -1),
            tc_forecast_rmse(s, TC_FC_ZERO, -1), s->n);
}
