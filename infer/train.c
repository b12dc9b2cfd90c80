/* train.c — the training loop pieces of train.h.  The split/purge and the scaler fit
 * follow the usual walk-forward discipline for time series (no row of a later split,
 * nor its statistics, influences an earlier one); the optimisation itself is
 * mini-batch Adam/AdamW over shuffled windows, as a PyTorch DataLoader(shuffle=True)
 * loop would do, with the shuffle drawn from a seeded splitmix64 stream owned by the
 * call, not a global generator.
 */
#include "infer/train.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"

int tc_train_split(tc_train_split_t *train, tc_train_split_t *val, tc_train_split_t *test,
                   int n, int T, double f_train, double f_val, int gap)
{
    if (T < 1 || n < T || gap < 0 || !(f_train > 0) || !(f_val >= 0) || f_train + f_val > 1.0)
        return TC_ERR(-EINVAL, "cannot split %d rows into windows of %d with fractions %g/%g", n,
                      T, f_train, f_val);
    const int first = T - 1, windows = n - first;
    const int n_train = (int)floor(windows * f_train), n_val = (int)floor(windows * f_val);
    train->begin = first;
    train->end = first + n_train;
    val->begin = train->end + (n_val > 0 ? gap : 0);
    val->end = val->begin + n_val;
    test->begin = val->end + gap;
    test->end = n;
    if (n_train < 1 || (f_val > 0 && n_val < 1) || val->end > n)
        return TC_ERR(-EINVAL, "%d windows are too few for the split %g/%g with gap %d", windows,
                      f_train, f_val, gap);
    if (test->begin > n) /* no test split left: an empty one */
        test->begin = n;
    return 0;
}

int tc_train_walk_forward(tc_train_split_t *train, tc_train_split_t *val, tc_train_split_t *test,
                          int n, int T, int train_len, int val_len, int test_len, int gap,
                          int stride, int k)
{
    if (T < 1 || train_len < 1 || val_len < 0 || test_len < 1 || gap < 0 || stride < 1 || k < 0)
        return TC_ERR(-EINVAL, "bad walk-forward schedule %d/%d/%d gap %d stride %d fold %d",
                      train_len, val_len, test_len, gap, stride, k);
    long long begin = (long long)(T - 1) + (long long)k * stride;
    long long end = begin + train_len + (val_len ? gap + val_len : 0) + gap + test_len;
    if (end > n)
        return -ERANGE; /* not an error worth a message: the schedule has ended */
    train->begin = (int)begin;
    train->end = train->begin + train_len;
    val->begin = train->end + (val_len ? gap : 0);
    val->end = val->begin + val_len;
    test->begin = val->end + gap;
    test->end = test->begin + test_len;
    return 0;
}

void tc_train_scaler_fit(float *mean, float *std, const float *x, int rows, int C)
{
    for (int c = 0; c < C; c++) {
        double s = 0, ss = 0;
        for (int i = 0; i < rows; i++)
            s += x[(size_t)i * C + c];
        double m = rows ? s / rows : 0.0;
        for (int i = 0; i < rows; i++) {
            double d = x[(size_t)i * C + c] - m;
            ss += d * d;
        }
        double sd = rows ? sqrt(ss / rows) : 0.0;
        mean[c] = (float)m;
        /* A constant column would divide by zero; leave it centred, unscaled. */
        std[c] = sd > 1e-12 ? (float)sd : 1.0f;
    }
}

void tc_train_scaler_apply(float *out, const float *x, const float *mean, const float *std,
                           int rows, int C)
{
    for (int i = 0; i < rows; i++)
        for (int c = 0; c < C; c++)
            out[(size_t)i * C + c] = (x[(size_t)i * C + c] - mean[c]) / std[c];
}

void tc_train_gather(float *xb, float *yb, const tc_train_data_t *d, const int *ends, int B, int T)
{
    for (int b = 0; b < B; b++) {
        int first = ends[b] - T + 1;
        memcpy(xb + (size_t)b * T * d->C, d->x + (size_t)first * d->C,
               (size_t)T * d->C * sizeof *xb);
        memcpy(yb + (size_t)b * d->K, d->y + (size_t)ends[b] * d->K, (size_t)d->K * sizeof *yb);
    }
}

static float batch_loss(float *dout, const float *out, const float *y, int n,
                        const tc_train_config_t *cfg)
{
    return cfg->loss == TC_LOSS_HUBER ? tc_loss_huber(dout, out, y, n, cfg->huber_delta)
                                      : tc_loss_mse(dout, out, y, n);
}

float tc_train_evaluate_ends(tc_rnn_t *net, float *xb, float *yb, const tc_train_data_t *d,
                             const int *ends, int n, const tc_train_config_t *cfg)
{
    const int T = cfg->sequence_length, K = d->K;
    double sum = 0;
    int count = 0;
    for (int i = 0; i < n;) {
        int B = n - i < cfg->batch ? n - i : cfg->batch;
        tc_train_gather(xb, yb, d, ends + i, B, T);
        tc_rnn_forward(&net->acts, xb, &net->params, &net->cfg, B, T, net->path);
        /* The batch mean times its size: every window weighs the same overall. */
        sum += (double)batch_loss(NULL, net->acts.out, yb, B * K, cfg) * B;
        count += B;
        i += B;
    }
    return count ? (float)(sum / count) : NAN;
}

/* The windows of a contiguous split as a list of end rows (NULL for an empty one). */
static int *split_ends(const tc_train_split_t *s)
{
    int n = s->end - s->begin;
    if (n <= 0)
        return NULL;
    int *e = malloc((size_t)n * sizeof *e);
    for (int i = 0; e && i < n; i++)
        e[i] = s->begin + i;
    return e;
}

float tc_train_evaluate(tc_rnn_t *net, float *xb, float *yb, const tc_train_data_t *d,
                        const tc_train_split_t *s, const tc_train_config_t *cfg)
{
    int *ends = split_ends(s);
    if (!ends)
        return NAN;
    float loss = tc_train_evaluate_ends(net, xb, yb, d, ends, s->end - s->begin, cfg);
    free(ends);
    return loss;
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

int tc_train_fit(tc_rnn_t *net, const tc_train_data_t *d, const tc_train_split_t *train,
                 const tc_train_split_t *val, const tc_train_config_t *cfg,
                 tc_train_report_t *ret)
{
    if (train->begin < cfg->sequence_length - 1 || train->end > d->n ||
        train->end <= train->begin || val->begin < cfg->sequence_length - 1 || val->end > d->n)
        return TC_ERR(-EINVAL, "splits [%d, %d) / [%d, %d) outside the %d rows", train->begin,
                      train->end, val->begin, val->end, d->n);
    int *te = split_ends(train), *ve = split_ends(val);
    int r = !te || (val->end > val->begin && !ve)
                ? TC_ERR(-ENOMEM, "out of memory for training buffers")
                : tc_train_fit_ends(net, d, te, train->end - train->begin, ve,
                                    val->end > val->begin ? val->end - val->begin : 0, cfg, ret);
    free(te);
    free(ve);
    return r;
}

int tc_train_fit_ends(tc_rnn_t *net, const tc_train_data_t *d, const int *train_ends, int n_train,
                      const int *val_ends, int n_val, const tc_train_config_t *cfg,
                      tc_train_report_t *ret)
{
    const int T = cfg->sequence_length, K = d->K, C = d->C;
    if (C != net->cfg.input || K != net->cfg.horizon)
        return TC_ERR(-EINVAL, "data has %d features and %d targets, the network %d and %d", C,
                      K, net->cfg.input, net->cfg.horizon);
    if (T < 1 || T > net->max_steps || cfg->batch < 1 || cfg->batch > net->max_batch ||
        cfg->batch > 1024)
        return TC_ERR(-EINVAL, "sequence length %d / batch %d exceed the network's %d / %d", T,
                      cfg->batch, net->max_steps, net->max_batch);
    if (cfg->epochs < 1 || cfg->epochs > TC_TRAIN_MAX_EPOCHS)
        return TC_ERR(-EINVAL, "epochs %d out of range 1..%d", cfg->epochs, TC_TRAIN_MAX_EPOCHS);
    if (n_train < 1)
        return TC_ERR(-EINVAL, "no training windows");
    for (int i = 0; i < n_train + n_val; i++) {
        int e = i < n_train ? train_ends[i] : val_ends[i - n_train];
        if (e < T - 1 || e >= d->n)
            return TC_ERR(-EINVAL, "window end %d outside rows [%d, %d)", e, T - 1, d->n);
    }

    int *order = malloc((size_t)n_train * sizeof *order);
    float *xb = malloc((size_t)cfg->batch * T * C * sizeof *xb);
    float *yb = malloc((size_t)cfg->batch * K * sizeof *yb);
    float *dout = malloc((size_t)cfg->batch * K * sizeof *dout);
    float *best = malloc(net->n_params * sizeof *best);
    int ends[1024];
    if (!order || !xb || !yb || !dout || !best) {
        free(order), free(xb), free(yb), free(dout), free(best);
        return TC_ERR(-ENOMEM, "out of memory for training buffers");
    }
    memset(ret, 0, sizeof *ret);
    ret->best_val_loss = INFINITY;
    memcpy(best, net->param_block, net->n_params * sizeof *best);
    memset(net->m_block, 0, net->n_params * sizeof(float));
    memset(net->v_block, 0, net->n_params * sizeof(float));
    memcpy(order, train_ends, (size_t)n_train * sizeof *order);
    uint64_t rng = cfg->seed;
    int step = 0, stale = 0;

    for (int epoch = 0; epoch < cfg->epochs; epoch++) {
        /* Fisher-Yates with a bounded draw (the modulo bias is below 2^-40 here). */
        for (int i = n_train - 1; i > 0; i--) {
            int j = (int)(splitmix64(&rng) % (uint64_t)(i + 1));
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double sum = 0;
        for (int i = 0; i < n_train; i += cfg->batch) {
            int B = n_train - i < cfg->batch ? n_train - i : cfg->batch;
            memcpy(ends, order + i, (size_t)B * sizeof *ends);
            tc_train_gather(xb, yb, d, ends, B, T);
            tc_rnn_forward(&net->acts, xb, &net->params, &net->cfg, B, T, net->path);
            float loss = batch_loss(dout, net->acts.out, yb, B * K, cfg);
            memset(net->grad_block, 0, net->n_params * sizeof(float));
            tc_rnn_backward(&net->grads, &net->acts, dout, &net->params, &net->cfg, B, T,
                            net->path);
            tc_optim_step(net->param_block, net->grad_block, net->m_block, net->v_block,
                          net->n_params, &cfg->optim, ++step);
            sum += (double)loss * B;
        }
        ret->train_loss[epoch] = (float)(sum / n_train);
        float vl = n_val > 0 ? tc_train_evaluate_ends(net, xb, yb, d, val_ends, n_val, cfg)
                             : ret->train_loss[epoch];
        ret->val_loss[epoch] = vl;
        ret->epochs_run = epoch + 1;
        if (cfg->on_epoch)
            cfg->on_epoch(cfg->on_epoch_ctx, epoch, ret->train_loss[epoch], vl);
        if (vl < ret->best_val_loss) {
            ret->best_val_loss = vl;
            ret->best_epoch = epoch;
            memcpy(best, net->param_block, net->n_params * sizeof *best);
            stale = 0;
        } else if (++stale >= cfg->patience && cfg->patience > 0) {
            break;
        }
    }
    memcpy(net->param_block, best, net->n_params * sizeof *best);
    tc_rnn_pack(net);
    free(order), free(xb), free(yb), free(dout), free(best);
    return 0;
}
