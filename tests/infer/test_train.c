/* test_train.c — the training loop pieces:
 *  - chronological splits leave `gap` windows between train, validation and test, and
 *    walk-forward folds advance by their stride until the data ends;
 *  - a small LSTM learns a two-tone sine wave two steps ahead: the validation MSE ends
 *    below 2% of its value at initialisation and below 0.01;
 *  - the same seed gives the same weights and losses bit for bit; another seed not;
 *  - leakage: permuting every row of the test period (and recomputing targets from
 *    the permuted series) leaves the training and validation figures bit-identical,
 *    while the test loss changes; a scaler fitted on all rows instead (a leak) changes
 *    them, showing the check can fail;
 *  - early stopping stops after `patience` epochs without improvement. */
#include "tests/infer/fixture.h"

#include "infer/train.h"

#define ROWS 700
#define T_SEQ 16
#define KH 2
#define CF 2

typedef struct sine {
    float s[ROWS + KH];  /* the raw series */
    float x[ROWS * CF];  /* features: s[i], s[i] - s[i-1], scaled */
    float y[ROWS * KH];  /* targets: s[i+1], s[i+2] */
    float mean[CF], std[CF];
    tc_train_split_t tr, va, te;
} sine_t;

static void sine_series(sine_t *w)
{
    for (int i = 0; i < ROWS + KH; i++)
        w->s[i] = (float)(sin(0.15 * i) + 0.5 * sin(0.041 * i + 1.0));
}

/* Features and targets from w->s; the scaler is fitted on the first fit_rows rows. */
static void sine_build(sine_t *w, int fit_rows)
{
    for (int i = 0; i < ROWS; i++) {
        w->x[i * CF] = w->s[i];
        w->x[i * CF + 1] = i ? w->s[i] - w->s[i - 1] : 0.0f;
        for (int k = 0; k < KH; k++)
            w->y[i * KH + k] = w->s[i + 1 + k];
    }
    tc_train_scaler_fit(w->mean, w->std, w->x, fit_rows, CF);
    tc_train_scaler_apply(w->x, w->x, w->mean, w->std, ROWS, CF);
}

static tc_train_config_t sine_config(unsigned long long seed, int epochs)
{
    tc_optim_config_t o = tc_optim_defaults(TC_OPTIM_ADAM, 1e-2f);
    o.clip = 1.0f;
    return (tc_train_config_t){.sequence_length = T_SEQ, .batch = 32, .epochs = epochs,
                               .patience = 8, .loss = TC_LOSS_MSE, .huber_delta = 1.0f,
                               .optim = o, .seed = seed};
}

static tc_rnn_t *sine_net(unsigned long long init_seed)
{
    tc_rnn_config_t cfg = {.cell = TC_RNN_LSTM, .input = CF, .hidden = 16, .layers = 1, .horizon = KH};
    tc_rnn_t *net = tc_rnn_create(&cfg, 32, T_SEQ);
    cr_assert(net);
    tc_rnn_init_uniform(net, init_seed);
    return net;
}

Test(train, split_is_chronological_with_gap)
{
    tc_train_split_t a, b, c;
    cr_assert(tc_train_split(&a, &b, &c, 100, 10, 0.6, 0.2, 3) == 0, "%s", tc_err_msg());
    /* 91 windows (end rows 9..99): 54 train, 18 validation, gaps of 3, the rest test. */
    cr_expect(a.begin == 9 && a.end == 63, "train [%d, %d)", a.begin, a.end);
    cr_expect(b.begin == 66 && b.end == 84, "val [%d, %d)", b.begin, b.end);
    cr_expect(c.begin == 87 && c.end == 100, "test [%d, %d)", c.begin, c.end);
    cr_expect(tc_train_split(&a, &b, &c, 12, 10, 0.6, 0.2, 3) == -EINVAL);
    cr_expect(tc_train_split(&a, &b, &c, 100, 10, 0.9, 0.2, 0) == -EINVAL);
}

Test(train, walk_forward_folds)
{
    tc_train_split_t a, b, c;
    int folds = 0;
    for (int k = 0;; k++) {
        int r = tc_train_walk_forward(&a, &b, &c, 200, 10, 50, 10, 10, 2, 25, k);
        if (r == -ERANGE)
            break;
        cr_assert(r == 0);
        /* Fold k: train [9 + 25k, 59 + 25k), gap 2, val 10, gap 2, test 10. */
        cr_expect(a.begin == 9 + 25 * k && a.end == a.begin + 50);
        cr_expect(b.begin == a.end + 2 && b.end == b.begin + 10);
        cr_expect(c.begin == b.end + 2 && c.end == c.begin + 10 && c.end <= 200);
        folds++;
    }
    /* Fold k ends at 9 + 25k + 74 <= 200: k = 0..4. */
    cr_expect(folds == 5, "%d folds", folds);
    cr_expect(tc_train_walk_forward(&a, &b, &c, 200, 10, 0, 10, 10, 2, 25, 0) == -EINVAL);
}

Test(train, lstm_learns_sine)
{
    static sine_t w;
    sine_series(&w);
    cr_assert(tc_train_split(&w.tr, &w.va, &w.te, ROWS, T_SEQ, 0.7, 0.15, KH) == 0);
    sine_build(&w, w.tr.end);
    tc_train_data_t d = {.x = w.x, .y = w.y, .n = ROWS, .C = CF, .K = KH};
    tc_rnn_t *net = sine_net(5);
    tc_train_config_t cfg = sine_config(1, 60);
    float xb[32 * T_SEQ * CF], yb[32 * KH];
    float before = tc_train_evaluate(net, xb, yb, &d, &w.va, &cfg);
    static tc_train_report_t rep;
    cr_assert(tc_train_fit(net, &d, &w.tr, &w.va, &cfg, &rep) == 0, "%s", tc_err_msg());
    float after = tc_train_evaluate(net, xb, yb, &d, &w.va, &cfg);
    float test = tc_train_evaluate(net, xb, yb, &d, &w.te, &cfg);
    fprintf(stderr, "  sine: val MSE %.4g at init, %.4g after %d epochs (best epoch %d), test %.4g\n",
            before, after, rep.epochs_run, rep.best_epoch, test);
    cr_expect(after == rep.best_val_loss, "the best epoch's weights are restored");
    cr_expect(after < 0.02f * before && after < 0.01f, "val MSE %g (init %g)", after, before);
    cr_expect(test < 0.02f, "test MSE %g", test);
    tc_rnn_destroy(net);
}

static void fit_once(tc_rnn_t **ret_net, tc_train_report_t *rep, const sine_t *w,
                     unsigned long long seed, int epochs)
{
    tc_train_data_t d = {.x = w->x, .y = w->y, .n = ROWS, .C = CF, .K = KH};
    tc_rnn_t *net = sine_net(5);
    tc_train_config_t cfg = sine_config(seed, epochs);
    cr_assert(tc_train_fit(net, &d, &w->tr, &w->va, &cfg, rep) == 0, "%s", tc_err_msg());
    *ret_net = net;
}

Test(train, reproducible_from_seed)
{
    static sine_t w;
    static tc_train_report_t r1, r2, r3;
    sine_series(&w);
    cr_assert(tc_train_split(&w.tr, &w.va, &w.te, ROWS, T_SEQ, 0.7, 0.15, KH) == 0);
    sine_build(&w, w.tr.end);
    tc_rnn_t *a, *b, *c;
    fit_once(&a, &r1, &w, 77, 6);
    fit_once(&b, &r2, &w, 77, 6);
    fit_once(&c, &r3, &w, 78, 6);
    cr_expect(memcmp(a->param_block, b->param_block, a->n_params * sizeof(float)) == 0,
              "same seed, different weights");
    cr_expect(memcmp(r1.val_loss, r2.val_loss, sizeof r1.val_loss) == 0 &&
              memcmp(r1.train_loss, r2.train_loss, sizeof r1.train_loss) == 0);
    cr_expect(memcmp(a->param_block, c->param_block, a->n_params * sizeof(float)) != 0,
              "another seed gave the same weights: the seed is not used");
    tc_rnn_destroy(a);
    tc_rnn_destroy(b);
    tc_rnn_destroy(c);
}

Test(train, test_future_does_not_leak)
{
    static sine_t w0, w1;
    static tc_train_report_t r0, r1, r2;
    sine_series(&w0);
    cr_assert(tc_train_split(&w0.tr, &w0.va, &w0.te, ROWS, T_SEQ, 0.7, 0.15, KH) == 0);
    w1 = w0;
    /* w0 keeps the raw series for the negative control below; features are built
     * into copies. */
    /* Permute every row of the test period (reverse it). */
    int b = w1.te.begin, n = ROWS + KH - b;
    for (int i = 0; i < n; i++)
        w1.s[b + i] = w0.s[b + n - 1 - i];
    static sine_t raw0, raw1;
    raw0 = w0;
    raw1 = w1;
    sine_build(&w0, w0.tr.end);
    sine_build(&w1, w1.tr.end);

    tc_rnn_t *a, *c;
    fit_once(&a, &r0, &w0, 3, 5);
    fit_once(&c, &r1, &w1, 3, 5);
    cr_expect(memcmp(r0.train_loss, r1.train_loss, sizeof r0.train_loss) == 0,
              "training losses changed when only the test period did");
    cr_expect(memcmp(r0.val_loss, r1.val_loss, sizeof r0.val_loss) == 0,
              "validation losses changed when only the test period did");
    cr_expect(memcmp(a->param_block, c->param_block, a->n_params * sizeof(float)) == 0);
    tc_train_config_t cfg = sine_config(3, 5);
    float xb[32 * T_SEQ * CF], yb[32 * KH];
    tc_train_data_t d0 = {.x = w0.x, .y = w0.y, .n = ROWS, .C = CF, .K = KH};
    tc_train_data_t d1 = {.x = w1.x, .y = w1.y, .n = ROWS, .C = CF, .K = KH};
    float t0 = tc_train_evaluate(a, xb, yb, &d0, &w0.te, &cfg);
    float t1 = tc_train_evaluate(c, xb, yb, &d1, &w1.te, &cfg);
    fprintf(stderr, "  leakage: val %.6g = %.6g; test %.4g -> %.4g after permuting the test period\n",
            r0.val_loss[4], r1.val_loss[4], t0, t1);
    cr_expect(t0 != t1, "the permutation did not reach the test split: the check is vacuous");

    /* Negative control: with a scaler fitted on all rows (it sees the test period),
     * the same permutation does move the validation figures. */
    static sine_t l0, l1;
    static tc_train_report_t r3;
    l0 = raw0;
    l1 = raw1;
    sine_build(&l0, ROWS);
    sine_build(&l1, ROWS);
    tc_rnn_t *e, *f;
    fit_once(&e, &r2, &l0, 3, 5);
    fit_once(&f, &r3, &l1, 3, 5);
    cr_expect(memcmp(r2.val_loss, r3.val_loss, sizeof r2.val_loss) != 0,
              "a leaking scaler went unnoticed");
    tc_rnn_destroy(f);
    tc_rnn_destroy(a);
    tc_rnn_destroy(c);
    tc_rnn_destroy(e);
}

/* Early stopping: with a zero learning rate the validation loss never improves after
 * the first epoch, so training stops after `patience` more epochs and keeps epoch 0. */
Test(train, early_stopping_after_patience)
{
    static sine_t w;
    static tc_train_report_t r;
    sine_series(&w);
    cr_assert(tc_train_split(&w.tr, &w.va, &w.te, ROWS, T_SEQ, 0.7, 0.15, KH) == 0);
    sine_build(&w, w.tr.end);
    tc_train_data_t d = {.x = w.x, .y = w.y, .n = ROWS, .C = CF, .K = KH};
    tc_rnn_t *net = sine_net(5);
    tc_train_config_t cfg = sine_config(1, 50);
    cfg.optim.lr = 0.0f;
    cfg.patience = 3;
    cr_assert(tc_train_fit(net, &d, &w.tr, &w.va, &cfg, &r) == 0, "%s", tc_err_msg());
    cr_expect(r.epochs_run == 4 && r.best_epoch == 0, "ran %d epochs, best %d", r.epochs_run,
              r.best_epoch);
    cr_expect(r.val_loss[3] == r.val_loss[0]);
    /* Bad sizes are refused, not run. */
    cfg.batch = 33; /* the network was built for 32 */
    cr_expect(tc_train_fit(net, &d, &w.tr, &w.va, &cfg, &r) == -EINVAL);
    fprintf(stderr, "  refused: %s\n", tc_err_msg());
    tc_rnn_destroy(net);
}
