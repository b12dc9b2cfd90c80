/* trainer.c — the whole of `tickcast train` below the option parsing (trainer.h):
 * dataset, splits or walk-forward folds, train-only scaler, standardised targets,
 * tc_train_fit_ends, test scores, and the model file with its metadata
 * (docs/MODELS.md, "Training").
 *
 * Everything is a function of the data and the options: no clock, no host name, no
 * random state outside the seed reaches the model file, so two runs write the same bytes.
 */
#include "infer/trainer.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "infer/json.h"

void tc_trainer_opts_default(tc_trainer_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->ds.bar_type = TC_BAR_TIME;
    o->ds.bar_size = 60;
    o->ds.feature_list = "default";
    o->ds.mode = TC_TA_MODE_TALIB;
    o->ds.horizon = 1;
    o->cell = TC_RNN_LSTM;
    o->hidden = 32;
    o->layers = 1;
    o->sequence_length = 32;
    o->epochs = 20;
    o->batch = 64;
    o->patience = 5;
    o->lr = 1e-3f;
    o->huber_delta = 1.0f;
    o->loss = TC_LOSS_MSE;
    o->seed = 42;
    o->f_train = 0.7;
    o->f_val = 0.15;
    o->gap = -1;
}

void tc_trainer_result_free(tc_trainer_result_t *res)
{
    free(res->folds);
    memset(res, 0, sizeof *res);
}

typedef struct fold_ctx {
    const tc_trainer_opts_t *o;
    int fold;
} fold_ctx_t;

static void on_epoch(void *ctx, int epoch, float tl, float vl)
{
    fold_ctx_t *f = ctx;
    f->o->on_epoch(f->o->ctx, f->fold, epoch, f->o->epochs, tl, vl);
}

static void json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.9g", v);
    else
        fputs("null", f);
}

static void json_str(FILE *f, const char *s)
{
    char buf[2048];
    size_t len = 0;
    if (tc_json_quote(buf, sizeof buf, &len, s) == 0)
        fputs(buf, f);
    else
        fputs("\"\"", f);
}

/* Trains one fold into m (already created): fills fold.  xs, ys, xb, yb are scratch of
 * the dataset's and batch's sizes. */
static int train_fold(tc_model_t *m, tc_trainer_fold_t *fold, const tc_trainer_opts_t *o,
                      const tc_dataset_t *ds, const tc_dataset_split_t *tr,
                      const tc_dataset_split_t *va, const tc_dataset_split_t *te, float *mean,
                      float *std, float *xs, float *ys, float *xb, float *yb, int fold_no)
{
    const int T = o->sequence_length, K = ds->K;
    int r = tc_dataset_scaler_fit(mean, std, ds, tr->ends, tr->n, T);
    if (r < 0)
        return r;
    tc_forecast_scale_all(xs, ds, mean, std);
    /* Target scale: RMS of the training targets (1 if they are all zero). */
    double ss = 0;
    for (int j = 0; j < tr->n; j++)
        for (int k = 0; k < K; k++) {
            double v = ds->y[(size_t)tr->ends[j] * K + k];
            ss += v * v;
        }
    double rms = sqrt(ss / ((double)tr->n * K));
    float scale = rms > 0 && isfinite(rms) ? (float)rms : 1.0f;
    for (size_t i = 0; i < (size_t)ds->n * K; i++)
        ys[i] = ds->y[i] / scale;

    tc_rnn_t *net = m->net;
    tc_rnn_init_uniform(net, o->seed);
    fold_ctx_t fc = {o, fold_no};
    tc_train_config_t tc = {
        .sequence_length = T, .batch = o->batch, .epochs = o->epochs, .patience = o->patience,
        .loss = o->loss, .huber_delta = o->huber_delta,
        .optim = tc_optim_defaults(o->weight_decay > 0 ? TC_OPTIM_ADAMW : TC_OPTIM_ADAM, o->lr),
        .seed = o->seed, .on_epoch = o->on_epoch ? on_epoch : NULL, .on_epoch_ctx = &fc,
    };
    tc.optim.weight_decay = o->weight_decay;
    tc.optim.clip = o->clip;
    tc_train_data_t d = {.x = xs, .y = ys, .n = ds->n, .C = ds->C, .K = K};
    if ((r = tc_train_fit_ends(net, &d, tr->ends, tr->n, va->ends, va->n, &tc, &fold->report)) < 0)
        return r;
    fold->train_loss = tc_train_evaluate_ends(net, xb, yb, &d, tr->ends, tr->n, &tc);
    fold->val_loss = va->n ? tc_train_evaluate_ends(net, xb, yb, &d, va->ends, va->n, &tc) : NAN;
    fold->test_loss = te->n ? tc_train_evaluate_ends(net, xb, yb, &d, te->ends, te->n, &tc) : NAN;
    fold->target_scale = scale;
    fold->n_train = tr->n;
    fold->n_val = va->n;
    fold->n_test = te->n;
    fold->train_first_ns = INT64_MAX;
    fold->train_last_ns = INT64_MIN;
    for (int j = 0; j < tr->n; j++) {
        int64_t a = ds->ts[tr->ends[j] - T + 1], b = ds->ts[tr->ends[j]];
        fold->train_first_ns = a < fold->train_first_ns ? a : fold->train_first_ns;
        fold->train_last_ns = b > fold->train_last_ns ? b : fold->train_last_ns;
    }
    /* Fold the target scale into the head: the file predicts log returns. */
    const tc_rnn_config_t *c = &net->cfg;
    for (int i = 0; i < c->horizon * c->hidden; i++)
        net->params.head_w[i] *= scale;
    for (int k = 0; k < c->horizon; k++)
        net->params.head_b[k] *= scale;
    tc_rnn_pack(net);

    tc_forecast_score_init(&fold->test_score, K);
    if (te->n) {
        float *yhat = malloc((size_t)ds->n * K * sizeof *yhat);
        if (!yhat)
            return TC_ERR(-ENOMEM, "out of memory");
        r = tc_forecast_windows(yhat, net, xs, ds, te->ends, te->n, T);
        for (int j = 0; r == 0 && j < te->n; j++)
            tc_forecast_score_row(&fold->test_score, ds, te->ends[j], yhat + (size_t)te->ends[j] * K);
        free(yhat);
    }
    return r;
}

static char *hyper_json(const tc_trainer_opts_t *o, int gap)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fprintf(f, "{\"cell\":\"%s\",\"hidden\":%d,\"layers\":%d,\"sequence_length\":%d,\"horizon\":%d,"
               "\"epochs\":%d,\"batch\":%d,\"patience\":%d,\"lr\":%.7g,\"weight_decay\":%.7g,"
               "\"clip\":%.7g,\"loss\":\"%s\",\"huber_delta\":%.7g,\"optimizer\":\"%s\","
               "\"seed\":%llu,\"gap\":%d,",
            o->cell == TC_RNN_LSTM ? "lstm" : "gru", o->hidden, o->layers, o->sequence_length,
            o->ds.horizon, o->epochs, o->batch, o->patience, o->lr, o->weight_decay, o->clip,
            o->loss == TC_LOSS_HUBER ? "huber" : "mse", o->huber_delta,
            o->weight_decay > 0 ? "adamw" : "adam", o->seed, gap);
    if (o->wf_train > 0)
        fprintf(f, "\"walk_forward\":[%d,%d,%d,%d]", o->wf_train, o->wf_val, o->wf_test,
                o->wf_stride);
    else
        fprintf(f, "\"split\":[%.9g,%.9g]", o->f_train, o->f_val);
    fprintf(f, ",\"symbols\":[");
    for (int i = 0; o->ds.symbols && i < o->ds.n_symbols; i++) {
        fputs(i ? "," : "", f);
        json_str(f, o->ds.symbols[i]);
    }
    fputs("]}", f);
    fclose(f);
    return buf;
}

void tc_trainer_fold_json(FILE *f, const tc_trainer_fold_t *fd)
{
    fputs("{\"train_loss\":", f);
    json_num(f, fd->train_loss);
    fputs(",\"val_loss\":", f);
    json_num(f, fd->val_loss);
    fputs(",\"test_loss\":", f);
    json_num(f, fd->test_loss);
    fprintf(f, ",\"best_epoch\":%d,\"epochs_run\":%d,\"windows\":{\"train\":%d,\"val\":%d,"
               "\"test\":%d},\"target_scale\":%.9g,\"test\":",
            fd->report.best_epoch, fd->report.epochs_run, fd->n_train, fd->n_val, fd->n_test,
            fd->target_scale);
    tc_forecast_score_json(f, &fd->test_score);
    fputc('}', f);
}

static char *metrics_json(const tc_trainer_result_t *res)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    const tc_trainer_fold_t *last = &res->folds[res->n_folds - 1];
    tc_trainer_fold_json(f, last);
    if (res->n_folds > 1) { /* walk-forward: every fold, the file's model is the last */
        fseek(f, -1, SEEK_CUR);
        fputs(",\"folds\":[", f);
        for (int i = 0; i < res->n_folds; i++) {
            fputs(i ? "," : "", f);
            tc_trainer_fold_json(f, &res->folds[i]);
        }
        fputs("]}", f);
    }
    fclose(f);
    return buf;
}

static char *files_json(const tc_dataset_t *ds)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fputc('{', f);
    for (int i = 0; i < ds->n_files; i++) {
        char h[80];
        snprintf(h, sizeof h, "sha256:%s", ds->sha256[i]);
        fputs(i ? "," : "", f);
        json_str(f, ds->files[i]);
        fputc(':', f);
        json_str(f, h);
    }
    fputc('}', f);
    fclose(f);
    return buf;
}

static int write_model(tc_model_t *m, const tc_trainer_opts_t *o, const tc_dataset_t *ds,
                       const tc_trainer_result_t *res, const float *mean, const float *std,
                       int gap)
{
    const tc_trainer_fold_t *fd = &res->folds[res->n_folds - 1];
    const char *specs[TC_FEAT_MAX];
    for (int i = 0; i < ds->C; i++)
        specs[i] = ds->fs.spec[i].name;
    char num[64], a[48], b[48], range[128];
    char *hyper = hyper_json(o, gap), *metrics = metrics_json(res), *files = files_json(ds);
    int r = hyper && metrics && files ? 0 : TC_ERR(-ENOMEM, "out of memory");
    r = r < 0 ? r : tc_model_features_set(m, specs);
    r = r < 0 ? r : tc_model_scaler_set(m, mean, std);
    snprintf(num, sizeof num, "%d", o->sequence_length);
    r = r < 0 ? r : tc_model_meta_set(m, "sequence_length", num);
    r = r < 0 ? r : tc_model_meta_set(m, TC_FORECAST_META_BAR_TYPE,
                                       tc_forecast_bar_type_name(o->ds.bar_type));
    snprintf(num, sizeof num, "%.17g", o->ds.bar_size);
    r = r < 0 ? r : tc_model_meta_set(m, TC_FORECAST_META_BAR_SIZE, num);
    r = r < 0 ? r : tc_model_meta_set(m, TC_FORECAST_META_MODE,
                                       o->ds.mode == TC_TA_MODE_PRECISE ? "precise" : "talib");
    r = r < 0 ? r : tc_model_meta_set(m, "hyperparameters", hyper);
    tc_dataset_time_format(a, sizeof a, fd->train_first_ns);
    tc_dataset_time_format(b, sizeof b, fd->train_last_ns);
    snprintf(range, sizeof range, "%s/%s", a, b);
    r = r < 0 ? r : tc_model_meta_set(m, "train_range", range);
    snprintf(range, sizeof range, "[%lld, %lld]", (long long)fd->train_first_ns,
             (long long)fd->train_last_ns);
    r = r < 0 ? r : tc_model_meta_set(m, "train_range_ns", range);
    r = r < 0 ? r : tc_model_meta_set(m, "train_files", files);
    r = r < 0 ? r : tc_model_meta_set(m, "metrics", metrics);
    r = r < 0 ? r : tc_model_save(m, o->out);
    free(hyper), free(metrics), free(files);
    return r;
}

static int check_opts(const tc_trainer_opts_t *o)
{
    if (o->hidden < 1 || o->hidden > 1024)
        return TC_ERR(-EINVAL, "--hidden-dim %d out of range 1..1024", o->hidden);
    if (o->layers < 1 || o->layers > TC_RNN_MAX_LAYERS)
        return TC_ERR(-EINVAL, "--layers %d out of range 1..%d", o->layers, TC_RNN_MAX_LAYERS);
    if (o->sequence_length < 1 || o->sequence_length > 4096)
        return TC_ERR(-EINVAL, "--sequence-length %d out of range 1..4096", o->sequence_length);
    if (o->ds.horizon < 1 || o->ds.horizon > TC_FORECAST_MAX_HORIZON)
        return TC_ERR(-EINVAL, "--horizon %d out of range 1..%d", o->ds.horizon,
                      TC_FORECAST_MAX_HORIZON);
    if (o->epochs < 1 || o->epochs > TC_TRAIN_MAX_EPOCHS)
        return TC_ERR(-EINVAL, "--epochs %d out of range 1..%d", o->epochs, TC_TRAIN_MAX_EPOCHS);
    if (o->batch < 1 || o->batch > 1024)
        return TC_ERR(-EINVAL, "--batch %d out of range 1..1024", o->batch);
    if (!(o->lr > 0) || !isfinite(o->lr))
        return TC_ERR(-EINVAL, "--lr %g must be positive", o->lr);
    if (!(o->weight_decay >= 0) || !(o->clip >= 0) || !(o->huber_delta > 0))
        return TC_ERR(-EINVAL, "--weight-decay and --clip must be >= 0, the Huber delta > 0");
    if (o->wf_train <= 0 && (!(o->f_train > 0) || !(o->f_val >= 0) || o->f_train + o->f_val > 1))
        return TC_ERR(-EINVAL, "--split %g,%g: fractions must be > 0 and sum to at most 1",
                      o->f_train, o->f_val);
    if (o->wf_train > 0 && (o->wf_val < 0 || o->wf_test < 1 || o->wf_stride < 1))
        return TC_ERR(-EINVAL, "--walk-forward %d,%d,%d,%d: TRAIN, TEST, STRIDE >= 1, VAL >= 0",
                      o->wf_train, o->wf_val, o->wf_test, o->wf_stride);
    if (!o->data || !o->out)
        return TC_ERR(-EINVAL, "--data and -o are required");
    return 0;
}

int tc_trainer_run(const tc_trainer_opts_t *o, tc_trainer_result_t *res)
{
    int r = check_opts(o);
    if (r < 0)
        return r;
    if (o->threads > 0)
        openblas_set_num_threads(o->threads);
    memset(res, 0, sizeof *res);
    tc_dataset_t *ds = NULL;
    tc_model_t *m = NULL;
    int *w = NULL;
    float *xs = NULL, *ys = NULL, *xb = NULL, *yb = NULL, mean[TC_FEAT_MAX], std[TC_FEAT_MAX];
    tc_dataset_split_t tr = {0}, va = {0}, te = {0};
    if ((r = tc_dataset_load(&ds, o->data, &o->ds)) < 0)
        return r;
    const int T = o->sequence_length, K = ds->K, C = ds->C;
    const int gap = o->gap < 0 ? K : o->gap;
    int nw = tc_dataset_windows(ds, T, &w);
    if (nw < 0) {
        r = nw;
        goto out;
    }
    int max_folds = 1;
    if (o->wf_train > 0)
        max_folds = nw / o->wf_stride + 1;
    res->folds = calloc((size_t)max_folds, sizeof *res->folds);
    xs = malloc((size_t)ds->n * C * sizeof *xs);
    ys = malloc((size_t)ds->n * K * sizeof *ys);
    xb = malloc((size_t)o->batch * T * C * sizeof *xb);
    yb = malloc((size_t)o->batch * K * sizeof *yb);
    if (!res->folds || !xs || !ys || !xb || !yb) {
        r = TC_ERR(-ENOMEM, "out of memory");
        goto out;
    }
    res->rows = ds->n;
    res->symbols = ds->n_syms;
    res->features = C;
    res->ticks = ds->ticks;
    res->bars = ds->bars;
    tc_rnn_config_t cfg = {.cell = o->cell, .input = C, .hidden = o->hidden, .layers = o->layers,
                           .horizon = K};
    for (int k = 0; k < max_folds; k++) {
        if (o->wf_train > 0)
            r = tc_dataset_split(&tr, &va, &te, ds, w, nw, k * o->wf_stride, o->wf_train,
                                 o->wf_val, o->wf_test, gap);
        else
            r = tc_dataset_split(&tr, &va, &te, ds, w, nw, 0, (int)floor(nw * o->f_train),
                                 (int)floor(nw * o->f_val), -1, gap);
        if (r == -ERANGE || (r == -EINVAL && o->wf_train <= 0)) {
            if (k > 0)
                break; /* the walk-forward schedule has run past the data */
            r = TC_ERR(-ENODATA, "%s: %d windows of %d rows (%d ready bars, %d symbols) are too "
                       "few for the %s with gap %d", o->data, nw, T, ds->n, ds->n_syms,
                       o->wf_train > 0 ? "walk-forward schedule" : "split", gap);
            goto out;
        }
        if (r < 0)
            goto out;
        if (o->f_val > 0 && o->wf_train <= 0 && va.n == 0) {
            r = TC_ERR(-ENODATA, "%s: no validation windows left after the purge", o->data);
            goto out;
        }
        tc_model_destroy(m);
        if (!(m = tc_model_create(&cfg, o->batch, T))) {
            r = tc_err_code() ? tc_err_code() : -ENOMEM;
            goto out;
        }
        r = train_fold(m, &res->folds[k], o, ds, &tr, &va, &te, mean, std, xs, ys, xb, yb, k);
        tc_dataset_split_free(&tr);
        tc_dataset_split_free(&va);
        tc_dataset_split_free(&te);
        if (r < 0)
            goto out;
        res->n_folds = k + 1;
    }
    r = write_model(m, o, ds, res, mean, std, gap);
out:
    tc_dataset_split_free(&tr);
    tc_dataset_split_free(&va);
    tc_dataset_split_free(&te);
    free(w), free(xs), free(ys), free(xb), free(yb);
    tc_model_destroy(m);
    tc_dataset_destroy(ds);
    if (r < 0)
        tc_trainer_result_free(res);
    return r;
}
