/* test_featset.c — feature sets and the ticks-to-features pipeline (featset.h,
 * stage.h): list parsing and errors, feature values against TA-Lib's golden outputs on
 * the goog bars, the scaler against a naive two-pass computation, and the pipeline's
 * determinism and bar counts on the synthetic market. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "features/featset.h"
#include "features/stage.h"
#include "ingest/synth.h"
#include "tests/common/csvtab.h"

Test(featset, default_set_has_at_least_30_indicators)
{
    tc_featset_t fs;
    cr_assert_eq(tc_featset_parse(&fs, "default", TC_TA_MODE_TALIB), 0, "%s", tc_err_msg());
    int ta = 0;
    for (int i = 0; i < fs.n; i++)
        ta += fs.spec[i].kind == TC_FEAT_TA;
    cr_assert_geq(ta, 30, "%d indicators", ta);
    cr_assert_leq(fs.n, TC_FEAT_MAX);
    char buf[4096];
    cr_assert_gt(tc_featset_format(&fs, buf, sizeof buf), 0);
    tc_featset_t again;
    cr_assert_eq(tc_featset_parse(&again, buf, TC_TA_MODE_TALIB), 0, "canonical text reparses: %s",
                 tc_err_msg());
    cr_assert_eq(again.n, fs.n);
    for (int i = 0; i < fs.n; i++)
        cr_assert_str_eq(again.spec[i].name, fs.spec[i].name);
}

Test(featset, bad_items_are_named)
{
    tc_featset_t fs;
    static const struct { const char *list, *needle; } bad[] = {
        {"logret,NOPE", "NOPE"},
        {"RSI(TimePeriod=1)", "TimePeriod"},
        {"RSI(Foo=3)", "Foo"},
        {"BBANDS", "name one"},
        {"BBANDS[middle]", "no output"},
        {"RSI~abs", "transform"},
        {"MAVP(MinPeriod=2)", "inPeriods"},
        {"", "empty"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tc_err_clear();
        cr_assert_eq(tc_featset_parse(&fs, bad[i].list, 0), -EINVAL, "'%s' accepted", bad[i].list);
        cr_assert(strstr(tc_err_msg(), bad[i].needle), "'%s': message '%s' lacks '%s'", bad[i].list,
                  tc_err_msg(), bad[i].needle);
    }
}

/* Feature values on the goog bars equal TA-Lib's golden outputs (transforms applied). */
Test(featset, values_match_talib_goldens)
{
    csvtab_t in, rsi, bb, adx;
    if (csvtab_load(&in, tc_shared_path("golden/input_goog.csv")) < 0)
        cr_skip_test("shared golden data missing");
    cr_assert_eq(csvtab_load(&rsi, tc_shared_path("golden/goog/RSI.csv")), 0);
    cr_assert_eq(csvtab_load(&bb, tc_shared_path("golden/goog/BBANDS.csv")), 0);
    cr_assert_eq(csvtab_load(&adx, tc_shared_path("golden/goog/ADX.csv")), 0);
    tc_featset_t fs;
    cr_assert_eq(tc_featset_parse(&fs, "logret,RSI(TimePeriod=14),BBANDS(TimePeriod=5)[upperband]~rel,ADX",
                                  0), 0, "%s", tc_err_msg());
    tc_featcalc_t *fc = tc_featcalc_create(&fs);
    cr_assert_not_null(fc);
    int c_open = csvtab_col(&in, "open"), c_high = csvtab_col(&in, "high"),
        c_low = csvtab_col(&in, "low"), c_close = csvtab_col(&in, "close"),
        c_vol = csvtab_col(&in, "volume");
    double prev = NAN;
    int ready_rows = 0;
    for (int r = 0; r < in.rows; r++) {
        tc_bar_t b = {.open = csvtab_num(&in, r, c_open), .high = csvtab_num(&in, r, c_high),
                      .low = csvtab_num(&in, r, c_low), .close = csvtab_num(&in, r, c_close),
                      .volume = csvtab_num(&in, r, c_vol)};
        b.vwap = b.close;
        double f[TC_FEAT_MAX];
        int ready = tc_featcalc_update(fc, &b, NULL, f);
        ready_rows += ready;
        if (r > 0)
            cr_assert_float_eq(f[0], log(b.close / prev), 1e-15, "logret row %d", r);
        else
            cr_assert(isnan(f[0]));
        double g_rsi = csvtab_num(&rsi, r, 1), g_up = csvtab_num(&bb, r, 1), g_adx = csvtab_num(&adx, r, 1);
        cr_assert_eq(isnan(f[1]), isnan(g_rsi), "RSI readiness row %d", r);
        if (!isnan(g_rsi))
            cr_assert_float_eq(f[1], g_rsi, 1e-9 * fabs(g_rsi), "RSI row %d", r);
        if (!isnan(g_up))
            cr_assert_float_eq(f[2], g_up / b.close - 1, 1e-12, "BBANDS~rel row %d", r);
        if (!isnan(g_adx))
            cr_assert_float_eq(f[3], g_adx, 1e-9 * fabs(g_adx), "ADX row %d", r);
        prev = b.close;
    }
    cr_assert_eq(ready_rows, in.rows - 27, "ready from ADX's lookback on");
    tc_featcalc_destroy(fc);
    csvtab_free(&in);
    csvtab_free(&rsi);
    csvtab_free(&bb);
    csvtab_free(&adx);
}

Test(featset, scaler_matches_two_pass_statistics)
{
    enum { N = 1000, F = 3 };
    static double rows[N][F];
    tc_scaler_t s;
    tc_scaler_init(&s, F);
    for (int i = 0; i < N; i++) {
        rows[i][0] = 1e6 + i * 0.001;
        rows[i][1] = sin(i) * 3;
        rows[i][2] = 7; /* constant */
        tc_scaler_fit(&s, rows[i]);
    }
    double nanrow[F] = {NAN, 0, 0};
    tc_scaler_fit(&s, nanrow);
    cr_assert_eq(tc_scaler_freeze(&s), 0);
    cr_assert_eq(s.count, N, "rows with NaN are skipped");
    for (int k = 0; k < F; k++) {
        long double m = 0, v = 0;
        for (int i = 0; i < N; i++)
            m += rows[i][k];
        m /= N;
        for (int i = 0; i < N; i++)
            v += (rows[i][k] - m) * (rows[i][k] - m);
        double sd = (double)sqrtl(v / (N - 1));
        cr_assert_float_eq(s.mean[k], (double)m, 1e-9 * fabs((double)m) + 1e-12, "mean %d", k);
        if (k < 2)
            cr_assert_float_eq(s.std[k], sd, 1e-9 * sd, "std %d: %.17g vs %.17g", k, s.std[k], sd);
        else
            cr_assert_eq(s.std[k], 1.0, "a constant feature keeps unit scale");
    }
    float out[F];
    tc_scaler_apply(&s, rows[10], out);
    cr_assert_float_eq(out[1], (float)((rows[10][1] - s.mean[1]) / s.std[1]), 1e-6);
    tc_scaler_t empty;
    tc_scaler_init(&empty, 2);
    cr_assert_eq(tc_scaler_freeze(&empty), -EINVAL);
}

static int run_pipeline(tc_feat_t *out, int max, int64_t *ret_intervals)
{
    tc_synth_opts_t so = {.seed = 5, .n_symbols = 2, .symbols = {"SYN", "BTCUSDT"}};
    tc_synth_t *syn = tc_synth_create(&so);
    tc_features_opts_t fo = {.bar_type = TC_BAR_TIME, .bar_size = 10, .feature_list = "default"};
    tc_features_t *x = tc_features_create(&fo);
    cr_assert_not_null(x, "%s", tc_err_msg());
    int n = 0;
    int64_t last_iv[2] = {-1, -1}, intervals = 0;
    tc_tick_t t[256];
    for (int k = 0; k < 2000; k++) {
        tc_synth_next(syn, t, 256);
        for (int i = 0; i < 256; i++) {
            if (t[i].kind == TC_TICK_TRADE) {
                int64_t iv = t[i].ts_event / 10000000000LL;
                if (iv != last_iv[t[i].sym]) {
                    intervals++;
                    last_iv[t[i].sym] = iv;
                }
            }
            n += tc_features_tick(x, &t[i], (uint64_t)(k * 256 + i), out + n, max - n);
        }
    }
    n += tc_features_flush(x, 0, out + n, max - n);
    *ret_intervals = intervals;
    tc_features_destroy(x);
    tc_synth_destroy(syn);
    return n;
}

Test(featset, pipeline_is_deterministic_and_makes_one_bar_per_traded_interval)
{
    static tc_feat_t a[20000], b[20000];
    int64_t intervals;
    int n = run_pipeline(a, 20000, &intervals);
    int m = run_pipeline(b, 20000, &intervals);
    cr_assert_eq(n, m);
    cr_assert_eq(memcmp(a, b, (size_t)n * sizeof a[0]), 0, "same ticks, same records");
    cr_assert_eq(n, intervals, "one bar per 10-second interval with trades: %d vs %lld", n,
                 (long long)intervals);
    int ready = 0;
    for (int i = 0; i < n; i++) {
        ready += (a[i].flags & TC_FEAT_READY) != 0;
        cr_assert_leq(a[i].low, a[i].close);
        cr_assert_geq(a[i].high, a[i].close);
        cr_assert_eq(a[i].ts_close - a[i].ts_open, 10000000000LL);
    }
    cr_assert_gt(ready, n / 2, "most bars are past the lookback (%d of %d)", ready, n);
}
