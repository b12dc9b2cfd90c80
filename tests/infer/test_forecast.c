/* test_forecast.c — infer/forecast.h: the streaming step from zero state over each
 * window equals the batched window forward on real features (a shared tick file), the
 * carried state agrees with it on a symbol's first full window, and the scores of the
 * model and of the zero-return and last-return baselines equal values worked out by hand
 * on a five-bar example. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "infer/forecast.h"
#include "infer/train.h"
#include "tests/common/csvtab.h"

#define FX_REL "data/ticks/fx_fxcm_eurusd_quotes_20140502.csv"

/* The FXCM file's tick bars of 50 with the default features and horizon K, or a skip
 * when the shared data is missing. */
static tc_dataset_t *fx_dataset(int K)
{
    const char *path = tc_shared_path(FX_REL);
    if (access(path, R_OK) != 0)
        cr_skip_test("%s is missing: the shared data must sit beside the clone", path);
    tc_dataset_opts_t o = {.bar_type = TC_BAR_TICK, .bar_size = 50, .feature_list = "default",
                           .horizon = K};
    tc_dataset_t *ds = NULL;
    cr_assert_eq(tc_dataset_load(&ds, path, &o), 0, "%s", tc_err_msg());
    return ds;
}

Test(forecast, streaming_step_equals_the_window_forward, .timeout = 60)
{
    const int T = 12, K = 3;
    tc_dataset_t *ds = fx_dataset(K);
    for (int cell = 0; cell < 2; cell++) {
        tc_rnn_config_t cfg = {.cell = cell, .input = ds->C, .hidden = 10, .layers = 2, .horizon = K};
        tc_rnn_t *net = tc_rnn_create(&cfg, 64, T);
        cr_assert_not_null(net);
        tc_rnn_init_uniform(net, 3 + cell);
        float mean[TC_FEAT_MAX], std[TC_FEAT_MAX];
        int *w = NULL;
        int nw = tc_dataset_windows(ds, T, &w);
        cr_assert_gt(tc_dataset_scaler_fit(mean, std, ds, w, nw / 2, T), 0);
        float *xs = malloc((size_t)ds->n * ds->C * sizeof *xs);
        float *a = malloc((size_t)ds->n * K * sizeof *a), *b = malloc((size_t)ds->n * K * sizeof *b);
        float *c = malloc((size_t)ds->n * K * sizeof *c);
        tc_forecast_scale_all(xs, ds, mean, std);
        int *ends = malloc((size_t)ds->n * sizeof *ends), n = 0;
        for (int i = 0; i < ds->n; i++)
            if (tc_dataset_window_ok(ds, i, T, 0))
                ends[n++] = i;
        cr_assert_eq(n, ds->n - (T - 1));
        cr_assert_eq(tc_forecast_windows(a, net, xs, ds, ends, n, T), 0);
        cr_assert_eq(tc_forecast_stream(b, net, xs, ds, T, 0), 0);
        cr_assert_eq(tc_forecast_stream(c, net, xs, ds, T, 1), 0);
        double worst = 0;
        for (int j = 0; j < n; j++)
            for (int k = 0; k < K; k++) {
                double x = a[(size_t)ends[j] * K + k], y = b[(size_t)ends[j] * K + k];
                /* hidden states are O(1): float rounding is absolute at ~1e-7 of them,
                 * so outputs near zero are compared absolutely */
                double d = fabs(x - y);
                worst = d > worst ? d : worst;
                cr_assert(d <= 1e-5 * fabs(x) + 1e-6, "%s row %d step %d: window %.9g, step %.9g",
                          cell ? "gru" : "lstm", ends[j], k, x, y);
            }
        for (int i = 0; i < T - 1; i++)
            cr_assert(isnan(b[(size_t)i * K]), "row %d has no full window", i);
        /* carried from the first row: its T-th row is the first full window, same bits */
        cr_assert_eq(memcmp(c + (size_t)(T - 1) * K, b + (size_t)(T - 1) * K, K * sizeof *c), 0);
        cr_assert(isfinite(c[0]), "carried state predicts from the first row");
        cr_log_info("%s: %d windows, step vs window worst absolute difference %.3g", cell ? "gru" : "lstm", n, worst);
        free(xs), free(a), free(b), free(c), free(ends), free(w);
        tc_rnn_destroy(net);
    }
    tc_dataset_destroy(ds);
}

Test(forecast, scores_equal_hand_worked_values)
{
    /* One symbol, five bars; K = 2.  Rows 0..2 have both targets; row 0 has no previous
     * row, so rows 1 and 2 are scored. */
    double close[5] = {100, 101, 99, 99, 102};
    double prev[5] = {NAN, 100, 101, 99, 99};
    float y[10];
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 2; k++)
            y[i * 2 + k] = i + k + 1 < 5 ? (float)log(close[i + k + 1] / close[i]) : NAN;
    tc_dataset_sym_t sym = {"X", 0, 5};
    int syms[5] = {0};
    tc_dataset_t ds = {.n = 5, .C = 1, .K = 2, .y = y, .close = close, .prev_close = prev,
                       .sym = syms, .n_syms = 1, .syms = &sym};
    float yhat[10] = {0.5f, 0.5f, 0.01f, -0.02f, 0.0f, 0.02f, 0.1f, 0.1f, NAN, NAN};
    tc_forecast_score_t s;
    tc_forecast_score_init(&s, 2);
    int scored = 0;
    for (int i = 0; i < 5; i++)
        scored += tc_forecast_score_row(&s, &ds, i, yhat + i * 2);
    cr_assert_eq(scored, 2);
    cr_assert_eq(s.n, 2);
    /* realised: row 1: log(99/101), log(99/101); row 2: log(99/99) = 0, log(102/99) */
    double r1 = log(99.0 / 101), r2 = log(102.0 / 99);
    double t[2][2] = {{(float)r1, (float)r1}, {0.0, (float)r2}};
    double m[2][2] = {{0.01f, -0.02f}, {0.0f, 0.02f}};
    double l1 = log(101.0 / 100), l2 = log(99.0 / 101); /* last returns of rows 1, 2 */
    double last[2][2] = {{l1, 2 * l1}, {l2, 2 * l2}};
    for (int k = 0; k < 2; k++) {
        double em = sqrt((pow(m[0][k] - t[0][k], 2) + pow(m[1][k] - t[1][k], 2)) / 2);
        double ez = sqrt((pow(t[0][k], 2) + pow(t[1][k], 2)) / 2);
        double el = sqrt((pow(last[0][k] - t[0][k], 2) + pow(last[1][k] - t[1][k], 2)) / 2);
        cr_assert_float_eq(tc_forecast_rmse(&s, TC_FC_MODEL, k), em, 1e-12);
        cr_assert_float_eq(tc_forecast_rmse(&s, TC_FC_ZERO, k), ez, 1e-12);
        cr_assert_float_eq(tc_forecast_rmse(&s, TC_FC_LAST, k), el, 1e-12);
        double am = (fabs(m[0][k] - t[0][k]) + fabs(m[1][k] - t[1][k])) / 2;
        cr_assert_float_eq(tc_forecast_mae(&s, TC_FC_MODEL, k), am, 1e-12);
    }
    /* directions: model row 1 (+ vs -) wrong, (- vs -) right; row 2 (0 vs 0) right,
     * (+ vs +) right.  zero: only the unchanged row-2 step 1 is right.  last: row 1 has
     * + vs -, wrong twice; row 2 has - vs 0 and - vs +, wrong. */
    cr_assert_float_eq(tc_forecast_direction(&s, TC_FC_MODEL, 0), 0.5, 1e-15);
    cr_assert_float_eq(tc_forecast_direction(&s, TC_FC_MODEL, 1), 1.0, 1e-15);
    cr_assert_float_eq(tc_forecast_direction(&s, TC_FC_ZERO, 0), 0.5, 1e-15);
    cr_assert_float_eq(tc_forecast_direction(&s, TC_FC_ZERO, 1), 0.0, 1e-15);
    cr_assert_float_eq(tc_forecast_direction(&s, TC_FC_LAST, -1), 0.0, 1e-15);
    cr_assert_float_eq(tc_forecast_direction(&s, TC_FC_MODEL, -1), 0.75, 1e-15);
    double all_m = sqrt((pow(tc_forecast_rmse(&s, 0, 0), 2) + pow(tc_forecast_rmse(&s, 0, 1), 2)) / 2);
    cr_assert_float_eq(tc_forecast_rmse(&s, TC_FC_MODEL, -1), all_m, 1e-12);
    cr_assert_eq(tc_forecast_beats_zero(&s),
                 tc_forecast_rmse(&s, TC_FC_MODEL, -1) < tc_forecast_rmse(&s, TC_FC_ZERO, -1));
    /* an empty score is NaN, never a number */
    tc_forecast_score_t e;
    tc_forecast_score_init(&e, 2);
    cr_assert(isnan(tc_forecast_rmse(&e, TC_FC_MODEL, 0)));
    cr_assert_eq(tc_forecast_beats_zero(&e), 0);
}

Test(forecast, feature_names_known_to_the_build)
{
    cr_assert_eq(tc_forecast_feature_known("RSI", NULL), 1);
    cr_assert_eq(tc_forecast_feature_known("STOCH[slowk]", NULL), 1);
    cr_assert_eq(tc_forecast_feature_known("logret", NULL), 1);
    cr_assert_eq(tc_forecast_feature_known("BOGUS", NULL), 0);
    cr_assert_eq(tc_forecast_feature_known("", NULL), 0);
    int t;
    cr_assert_eq(tc_forecast_bar_type_parse(&t, "dollar"), 0);
    cr_assert_eq(t, TC_BAR_DOLLAR);
    cr_assert_str_eq(tc_forecast_bar_type_name(TC_BAR_VOLUME), "volume");
    cr_assert_eq(tc_forecast_bar_type_parse(&t, "renko"), -EINVAL);
}

/* A model file with everything evaluation needs, trained on nothing (seeded weights). */
static void write_model(const char *path, const tc_dataset_t *ds, int T, int K)
{
    tc_rnn_config_t cfg = {.cell = TC_RNN_GRU, .input = ds->C, .hidden = 8, .layers = 1, .horizon = K};
    tc_model_t *m = tc_model_create(&cfg, 1, 1);
    cr_assert_not_null(m);
    tc_rnn_init_uniform(m->net, 9);
    const char *specs[TC_FEAT_MAX];
    for (int i = 0; i < ds->C; i++)
        specs[i] = ds->fs.spec[i].name;
    float mean[TC_FEAT_MAX], std[TC_FEAT_MAX];
    int *w = NULL;
    int nw = tc_dataset_windows(ds, T, &w);
    cr_assert_gt(tc_dataset_scaler_fit(mean, std, ds, w, nw, T), 0);
    free(w);
    char num[16];
    snprintf(num, sizeof num, "%d", T);
    cr_assert_eq(tc_model_features_set(m, specs), 0);
    cr_assert_eq(tc_model_scaler_set(m, mean, std), 0);
    cr_assert_eq(tc_model_meta_set(m, "sequence_length", num), 0);
    cr_assert_eq(tc_model_meta_set(m, "bar_type", "tick"), 0);
    cr_assert_eq(tc_model_meta_set(m, "bar_size", "50"), 0);
    cr_assert_eq(tc_model_save(m, path), 0, "%s", tc_err_msg());
    tc_model_destroy(m);
}

/* predict/evaluate --state carry run the inference engine itself; it gives the same
 * bits as the plain carried streaming step over the same scaled rows, and the window
 * methods agree with each other. */
Test(forecast, carried_state_is_the_inference_engine, .timeout = 60)
{
    const int T = 6, K = 2;
    tc_dataset_t *ds = fx_dataset(K);
    const char *path = tc_shared_path(FX_REL);
    char model[128];
    snprintf(model, sizeof model, "/tmp/tc-test-forecast-%d.safetensors", getpid());
    write_model(model, ds, T, K);
    tc_forecast_run_t carry, step, batch;
    cr_assert_eq(tc_forecast_run_open(&carry, model, path, NULL, 0, 0, 0, TC_FORECAST_CARRY), 0,
                 "%s", tc_err_msg());
    cr_assert_eq(tc_forecast_run_open(&step, model, path, NULL, 0, 0, 0, TC_FORECAST_STEP), 0);
    cr_assert_eq(tc_forecast_run_open(&batch, model, path, NULL, 0, 0, 0, TC_FORECAST_BATCH), 0);
    unlink(model);
    cr_assert_eq(carry.ds->n, ds->n);
    float *plain = malloc((size_t)ds->n * K * sizeof *plain);
    cr_assert_eq(tc_forecast_stream(plain, carry.m->net, carry.xs, carry.ds, T, 1), 0);
    cr_assert_eq(memcmp(plain, carry.yhat, (size_t)ds->n * K * sizeof *plain), 0,
                 "engine and carried step differ");
    for (int i = 0; i < ds->n * K; i++) {
        double a = step.yhat[i], b = batch.yhat[i];
        cr_assert(isnan(a) == isnan(b), "value %d: %g vs %g", i, a, b);
        if (!isnan(a))
            cr_assert(fabs(a - b) <= 1e-5 * fabs(b) + 1e-6, "value %d: step %.9g, window %.9g", i, a, b);
    }
    free(plain);
    tc_forecast_run_close(&carry);
    tc_forecast_run_close(&step);
    tc_forecast_run_close(&batch);
    tc_dataset_destroy(ds);
}
