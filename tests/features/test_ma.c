/* test_ma.c — the embeddable moving average (features/ma.h) against the catalog's MA
 * functions and TA-Lib's goldens, bar by bar, plus its edge cases: period 1, lookbacks,
 * bad arguments, the shared-ring bank of MAVP, and restart (tc_ta_reset) giving the
 * same output as a fresh instance for every overlap and cycle function. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "features/ma.h"
#include "features/ta.h"
#include "tests/common/csvtab.h"
#include "tests/common/alloc_count.h"

/* Allocation counter: the executable's malloc family forwards to glibc and counts
 * calls while `counting` is set, to show that updates never allocate.  Sanitizer
 * builds interpose malloc themselves, so the check is skipped there. */
#if defined(__SANITIZE_ADDRESS__)
#define TC_COUNT_ALLOCS 0
#else
#define TC_COUNT_ALLOCS 1
TC_TEST_ALLOC_COUNTER(counting, n_alloc)
#endif

typedef struct series {
    int n;
    double *close, *high, *low, *periods;
} series_t;

/* Loads the golden input's close/high/low; skips the test when the data is absent. */
static void load_input(series_t *s, const char *input)
{
    char rel[64];
    snprintf(rel, sizeof rel, "golden/input_%s.csv", input);
    csvtab_t t;
    if (csvtab_load(&t, tc_shared_path(rel)) < 0)
        cr_skip_test("%s not found: the shared reference data must sit beside the clone",
                     tc_shared_path(rel));
    int cc = csvtab_col(&t, "close"), ch = csvtab_col(&t, "high"), cl = csvtab_col(&t, "low");
    cr_assert(cc >= 0 && ch >= 0 && cl >= 0);
    s->n = t.rows;
    s->close = malloc(sizeof(double) * (size_t)s->n);
    s->high = malloc(sizeof(double) * (size_t)s->n);
    s->low = malloc(sizeof(double) * (size_t)s->n);
    s->periods = malloc(sizeof(double) * (size_t)s->n);
    for (int i = 0; i < s->n; i++) {
        s->close[i] = csvtab_num(&t, i, cc);
        s->high[i] = csvtab_num(&t, i, ch);
        s->low[i] = csvtab_num(&t, i, cl);
        /* FUNCTIONS.md's in_periods for MAVP */
        s->periods[i] = (double)(((i / 25) * 7) % 35) + (i % 3 == 0 ? 0.75 : 0);
    }
    csvtab_free(&t);
}

static void free_input(series_t *s)
{
    free(s->close);
    free(s->high);
    free(s->low);
    free(s->periods);
}

/* A standalone MA in a block of tc_ma_state_size bytes (window after the struct). */
static tc_ma_t *ma_new(int type, int period, int mode)
{
    tc_ma_t *m = aligned_alloc(16, (tc_ma_state_size(type, period) + 15) & ~(size_t)15);
    cr_assert_not_null(m);
    cr_assert_eq(tc_ma_init(m, type, period, mode, NULL), 0, "init type %d period %d: %s",
                 type, period, tc_err_msg());
    return m;
}

static const char *const type_fn[9] = {"SMA",  "EMA",  "WMA",  "DEMA", "TEMA",
                                       "TRIMA", "KAMA", "MAMA", "T3"};

/* tc_ma of `type` and the catalog function `fname` with `spec` over the same closes:
 * same readiness on every bar and bit-identical values. */
static void check_ma_vs_catalog(const series_t *s, int type, int period, const char *fname,
                                const char *spec)
{
    const tc_ta_func_t *f = tc_ta_find(fname);
    cr_assert_not_null(f, "%s not in the catalog", fname);
    double p[TC_TA_MAX_PARAM];
    cr_assert_eq(tc_ta_params_parse(f, spec, p), 0, "%s %s: %s", fname, spec, tc_err_msg());
    tc_ta_t *ta = tc_ta_create(f, p, TC_TA_MODE_TALIB);
    cr_assert_not_null(ta);
    tc_ma_t *m = ma_new(type, period, TC_TA_MODE_TALIB);
    int first = -1;
    for (int i = 0; i < s->n; i++) {
        double y1 = NAN, y2[TC_TA_MAX_OUT] = {NAN};
        int r1 = tc_ma_update(m, s->close[i], &y1);
        int r2 = tc_ta_update(ta, &s->close[i], y2);
        cr_assert_eq(r1, r2, "%s(%s) type %d: bar %d ready %d vs catalog %d", fname, spec, type,
                     i, r1, r2);
        if (r1) {
            if (first < 0)
                first = i;
            cr_assert(y1 == y2[0], "%s(%s) type %d: bar %d %.17g vs catalog %.17g", fname, spec,
                      type, i, y1, y2[0]);
        }
    }
    cr_assert_eq(first, tc_ma_lookback(type, period), "%s: first output at %d, lookback %d",
                 fname, first, tc_ma_lookback(type, period));
    free(m);
    tc_ta_destroy(ta);
}

/* tc_ma at the golden's default parameters against TA-Lib's own output. */
static void check_ma_vs_golden(const series_t *s, const char *input, int type, int period)
{
    char rel[96];
    snprintf(rel, sizeof rel, "golden/%s/%s.csv", input, type_fn[type]);
    csvtab_t g;
    cr_assert_eq(csvtab_load(&g, tc_shared_path(rel)), 0, "cannot read %s", rel);
    int col = csvtab_col(&g, type == TC_MA_MAMA ? "mama" : "real");
    cr_assert_geq(col, 0);
    cr_assert_eq(g.rows, s->n);
    tc_ma_t *m = ma_new(type, period, TC_TA_MODE_TALIB);
    for (int i = 0; i < s->n; i++) {
        double y = NAN;
        int r = tc_ma_update(m, s->close[i], &y);
        const char *cell = csvtab_get(&g, i, col);
        cr_assert_eq(r, *cell != '\0', "%s %s: bar %d ready %d, golden '%s'", input,
                     type_fn[type], i, r, cell);
        if (r) {
            double want = strtod(cell, NULL);
            cr_assert(fabs(y - want) <= 1e-9 * fabs(want) + 1e-12,
                      "%s %s: bar %d %.17g, TA-Lib %s", input, type_fn[type], i, y, cell);
        }
    }
    free(m);
    csvtab_free(&g);
}

static void each_type_matches(const char *input)
{
    series_t s;
    load_input(&s, input);
    for (int type = 0; type <= 8; type++) {
        int period = type == TC_MA_T3 ? 5 : 30;
        char spec[64];
        snprintf(spec, sizeof spec, type == TC_MA_MAMA ? "" : "TimePeriod=%d", period);
        /* the dedicated function (MAMA: period ignored, TA_MA's limits 0.5/0.05) */
        check_ma_vs_catalog(&s, type, period, type_fn[type], spec);
        check_ma_vs_golden(&s, input, type, period);
        /* MA with MAType, at the default and at other periods (odd and even) */
        int periods[] = {2, 3, period, 13};
        for (int k = 0; k < 4; k++) {
            snprintf(spec, sizeof spec, "TimePeriod=%d MAType=%d", periods[k], type);
            check_ma_vs_catalog(&s, type, periods[k], "MA", spec);
        }
    }
    free_input(&s);
}

Test(ma, each_type_equals_catalog_and_golden_goog, .timeout = 60) { each_type_matches("goog"); }
Test(ma, each_type_equals_catalog_and_golden_synth, .timeout = 60) { each_type_matches("synth"); }

Test(ma, period_one_is_identity_for_every_type)
{
    for (int type = 0; type <= 8; type++) {
        cr_assert_eq(tc_ma_lookback(type, 1), 0);
        tc_ma_t *m = ma_new(type, 1, TC_TA_MODE_TALIB);
        for (int i = 0; i < 50; i++) {
            double x = 100.0 + sin(i) * 3.0, y = NAN;
            cr_assert_eq(tc_ma_update(m, x, &y), 1, "type %d bar %d not ready", type, i);
            cr_assert(y == x, "type %d bar %d: %.17g != %.17g", type, i, y, x);
        }
        free(m);
    }
}

/* Naive references: EMA seeded by the SMA of the first period, then the recursion; SMA
 * and WMA as fresh window sums. */
Test(ma, ema_sma_wma_match_naive_definitions)
{
    series_t s;
    load_input(&s, "goog");
    const int p = 10;
    tc_ma_t *ema = ma_new(TC_MA_EMA, p, TC_TA_MODE_TALIB);
    tc_ma_t *sma = ma_new(TC_MA_SMA, p, TC_TA_MODE_TALIB);
    tc_ma_t *wma = ma_new(TC_MA_WMA, p, TC_TA_MODE_TALIB);
    double k = 2.0 / (p + 1), e = 0;
    for (int i = 0; i < s.n; i++) {
        double ye = NAN, ys = NAN, yw = NAN;
        int re = tc_ma_update(ema, s.close[i], &ye);
        int rs = tc_ma_update(sma, s.close[i], &ys);
        int rw = tc_ma_update(wma, s.close[i], &yw);
        cr_assert_eq(re, i >= p - 1);
        cr_assert_eq(rs, i >= p - 1);
        cr_assert_eq(rw, i >= p - 1);
        if (i < p - 1)
            continue;
        long double sum = 0, wsum = 0;
        for (int j = 0; j < p; j++) {
            sum += s.close[i - j];
            wsum += (long double)(p - j) * s.close[i - j];
        }
        if (i == p - 1)
            e = (double)(sum / p);
        else
            e = (s.close[i] - e) * k + e;
        cr_assert(fabs(ye - e) <= 1e-10 * fabs(e), "EMA bar %d: %.17g vs %.17g", i, ye, e);
        double sm = (double)(sum / p), wm = (double)(wsum / (p * (p + 1) / 2));
        cr_assert(fabs(ys - sm) <= 1e-10 * fabs(sm), "SMA bar %d: %.17g vs %.17g", i, ys, sm);
        cr_assert(fabs(yw - wm) <= 1e-10 * fabs(wm), "WMA bar %d: %.17g vs %.17g", i, yw, wm);
    }
    free(ema);
    free(sma);
    free(wma);
    free_input(&s);
}

Test(ma, lookbacks_are_talibs)
{
    int p = 7;
    int want[9] = {p - 1, p - 1, p - 1, 2 * (p - 1), 3 * (p - 1), p - 1, p, 32, 6 * (p - 1)};
    for (int type = 0; type <= 8; type++)
        cr_assert_eq(tc_ma_lookback(type, p), want[type], "type %d", type);
    cr_assert_eq(tc_ma_lookback(9, p), -EINVAL);
    cr_assert_eq(tc_ma_window_size(TC_MA_EMA, 30), 0);
    cr_assert_eq(tc_ma_window_size(TC_MA_SMA, 30), 31 * sizeof(double));
}

Test(ma, bad_arguments_are_refused_with_a_reason)
{
    tc_ma_t m;
    memset(&m, 0x5a, sizeof m);
    tc_ma_t before = m;
    cr_assert_eq(tc_ma_init(&m, 9, 10, TC_TA_MODE_TALIB, NULL), -EINVAL);
    cr_assert(strstr(tc_err_msg(), "MA type 9"), "%s", tc_err_msg());
    cr_assert_eq(tc_ma_init(&m, TC_MA_SMA, 0, TC_TA_MODE_TALIB, NULL), -EINVAL);
    cr_assert(strstr(tc_err_msg(), "period 0"), "%s", tc_err_msg());
    cr_assert_eq(tc_ma_init(&m, TC_MA_SMA, 100001, TC_TA_MODE_TALIB, NULL), -EINVAL);
    cr_assert_eq(tc_ma_init(&m, TC_MA_SMA, 10, 7, NULL), -EINVAL);
    cr_assert(strstr(tc_err_msg(), "mode 7"), "%s", tc_err_msg());
    cr_assert_eq(tc_ma_t3_init(&m, 5, 1.5), -EINVAL);
    cr_assert(strstr(tc_err_msg(), "VFactor"), "%s", tc_err_msg());
    cr_assert_eq(tc_ma_mama_init(&m, 0.5, 0.0), -EINVAL);
    cr_assert(strstr(tc_err_msg(), "SlowLimit"), "%s", tc_err_msg());
    cr_assert(memcmp(&m, &before, sizeof m) == 0, "a refused init changed the MA");
}

/* T3 through TA_MA uses VFactor 0.7: the T3 function at 0.7 must match bit for bit, and
 * another VFactor must not. */
Test(ma, t3_vfactor)
{
    series_t s;
    load_input(&s, "goog");
    tc_ma_t a, b, c;
    cr_assert_eq(tc_ma_init(&a, TC_MA_T3, 5, TC_TA_MODE_TALIB, NULL), 0);
    cr_assert_eq(tc_ma_t3_init(&b, 5, 0.7), 0);
    cr_assert_eq(tc_ma_t3_init(&c, 5, 0.3), 0);
    int differs = 0;
    for (int i = 0; i < s.n; i++) {
        double ya = NAN, yb = NAN, yc = NAN;
        int r = tc_ma_update(&a, s.close[i], &ya);
        cr_assert_eq(tc_ma_update(&b, s.close[i], &yb), r);
        cr_assert_eq(tc_ma_update(&c, s.close[i], &yc), r);
        if (r) {
            cr_assert(ya == yb, "bar %d", i);
            differs += yc != ya;
        }
    }
    cr_assert_gt(differs, s.n / 2, "VFactor 0.3 should change T3");
    free_input(&s);
}

/* MAVP with a constant period q is TA-Lib's MA(q) started where MAVP starts it:
 * bar lookback(MaxPeriod) - lookback(q).  Checks the shared-ring bank for every type. */
Test(ma, mavp_bank_equals_single_ma_for_every_type, .timeout = 60)
{
    series_t s;
    load_input(&s, "goog");
    const tc_ta_func_t *f = tc_ta_find("MAVP");
    cr_assert_not_null(f);
    const int q = 9, maxp = 20;
    for (int type = 0; type <= 8; type++) {
        char spec[64];
        snprintf(spec, sizeof spec, "MinPeriod=3 MaxPeriod=%d MAType=%d", maxp, type);
        double p[TC_TA_MAX_PARAM];
        cr_assert_eq(tc_ta_params_parse(f, spec, p), 0, "%s", tc_err_msg());
        tc_ta_t *ta = tc_ta_create(f, p, TC_TA_MODE_TALIB);
        cr_assert_not_null(ta);
        tc_ma_t *m = ma_new(type, q, TC_TA_MODE_TALIB);
        int start = tc_ma_lookback(type, maxp) - tc_ma_lookback(type, q);
        int outputs = 0;
        for (int i = 0; i < s.n; i++) {
            double in[2] = {s.close[i], q + 0.5}, y[TC_TA_MAX_OUT], ym = NAN;
            int r = tc_ta_update(ta, in, y);
            int rm = i >= start ? tc_ma_update(m, s.close[i], &ym) : 0;
            cr_assert_eq(r, i >= tc_ma_lookback(type, maxp), "type %d bar %d", type, i);
            if (r) {
                cr_assert_eq(rm, 1, "type %d bar %d", type, i);
                cr_assert(y[0] == ym, "type %d bar %d: MAVP %.17g, MA(%d) %.17g", type, i, y[0],
                          q, ym);
                outputs++;
            }
        }
        cr_assert_gt(outputs, 900);
        free(m);
        tc_ta_destroy(ta);
    }
    free_input(&s);
}

Test(ma, mavp_refuses_min_above_max)
{
    const tc_ta_func_t *f = tc_ta_find("MAVP");
    double p[TC_TA_MAX_PARAM];
    cr_assert_eq(tc_ta_params_parse(f, "MinPeriod=10 MaxPeriod=5", p), 0);
    cr_assert_null(tc_ta_create(f, p, TC_TA_MODE_TALIB));
    cr_assert(strstr(tc_err_msg(), "MinPeriod=10"), "%s", tc_err_msg());
}

/* Parameter ranges as TA-Lib declares them. */
Test(ma, parameter_ranges)
{
    struct {
        const char *fn, *spec;
        int ok;
    } cases[] = {
        {"SMA", "TimePeriod=1", 0},      {"SMA", "TimePeriod=2", 1},
        {"MA", "TimePeriod=1", 1},       {"MA", "MAType=9", 0},
        {"MA", "TimePeriod=100001", 0},  {"T3", "VFactor=1.01", 0},
        {"MAMA", "FastLimit=0.995", 0},  {"MAMA", "SlowLimit=0.01", 1},
        {"BBANDS", "NbDevUp=-1.5", 1},   {"SAR", "Acceleration=-0.1", 0},
        {"SAREXT", "StartValue=-5", 1},  {"SAREXT", "OffsetOnReverse=-1", 0},
        {"MAVP", "MinPeriod=1", 0},      {"MIDPOINT", "TimePeriod=1", 0},
        {"KAMA", "TimePeriod=2.5", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const tc_ta_func_t *f = tc_ta_find(cases[i].fn);
        cr_assert_not_null(f, "%s", cases[i].fn);
        double p[TC_TA_MAX_PARAM];
        int r = tc_ta_params_parse(f, cases[i].spec, p);
        cr_assert_eq(r == 0, cases[i].ok, "%s %s: %d %s", cases[i].fn, cases[i].spec, r,
                     tc_err_msg());
    }
}

/* Restart = fresh: after tc_ta_reset the same bars give the same outputs, bit for bit,
 * for every overlap and cycle function, at default and at non-default parameters. */
Test(ma, reset_replays_identically, .timeout = 60)
{
    series_t s;
    load_input(&s, "synth");
    static const struct {
        const char *fn, *spec;
    } cases[] = {
        {"ACCBANDS", ""}, {"BBANDS", ""}, {"BBANDS", "TimePeriod=40 MAType=7"},
        {"DEMA", ""}, {"EMA", ""}, {"HT_TRENDLINE", ""}, {"KAMA", ""}, {"MA", "MAType=8"},
        {"MAMA", "FastLimit=0.3 SlowLimit=0.1"}, {"MAVP", ""}, {"MAVP", "MAType=6"},
        {"MIDPOINT", ""}, {"MIDPRICE", ""}, {"SAR", ""},
        {"SAREXT", "StartValue=-100 OffsetOnReverse=0.01 AccelerationShort=0.05"},
        {"SMA", ""}, {"T3", "VFactor=0.4"}, {"TEMA", ""}, {"TRIMA", "TimePeriod=12"},
        {"WMA", ""}, {"HT_DCPERIOD", ""}, {"HT_DCPHASE", ""}, {"HT_PHASOR", ""},
        {"HT_SINE", ""}, {"HT_TRENDMODE", ""},
    };
    int n = s.n < 2000 ? s.n : 2000;
    double *first = malloc(sizeof(double) * (size_t)n * TC_TA_MAX_OUT);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const tc_ta_func_t *f = tc_ta_find(cases[c].fn);
        cr_assert_not_null(f, "%s", cases[c].fn);
        double p[TC_TA_MAX_PARAM];
        cr_assert_eq(tc_ta_params_parse(f, cases[c].spec, p), 0, "%s", tc_err_msg());
        for (int mode = 0; mode <= 1; mode++) {
            tc_ta_t *ta = tc_ta_create(f, p, mode);
            cr_assert_not_null(ta, "%s: %s", cases[c].fn, tc_err_msg());
            for (int pass = 0; pass < 2; pass++) {
                int outputs = 0;
                for (int i = 0; i < n; i++) {
                    double in[TC_TA_MAX_IN], y[TC_TA_MAX_OUT] = {0};
                    for (int k = 0; k < f->n_in; k++) {
                        const char *name = f->in[k];
                        in[k] = !strcmp(name, "high")        ? s.high[i]
                                : !strcmp(name, "low")       ? s.low[i]
                                : !strcmp(name, "inPeriods") ? s.periods[i]
                                                             : s.close[i];
                    }
                    int r = tc_ta_update(ta, in, y);
                    cr_assert_eq(r, i >= tc_ta_lookback(ta), "%s(%s) mode %d bar %d ready %d",
                                 cases[c].fn, cases[c].spec, mode, i, r);
                    if (!r)
                        continue;
                    outputs++;
                    for (int k = 0; k < f->n_out; k++) {
                        double *slot = &first[(size_t)i * TC_TA_MAX_OUT + (size_t)k];
                        if (pass == 0)
                            *slot = y[k];
                        else
                            cr_assert(memcmp(slot, &y[k], sizeof y[k]) == 0,
                                      "%s(%s) mode %d bar %d out %d: %.17g then %.17g",
                                      cases[c].fn, cases[c].spec, mode, i, k, *slot, y[k]);
                    }
                }
                cr_assert_gt(outputs, 0, "%s produced nothing", cases[c].fn);
                tc_ta_reset(ta);
            }
            tc_ta_destroy(ta);
        }
    }
    free(first);
    free_input(&s);
}

/* Non-finite and extreme bars never crash an overlap or cycle function, readiness still
 * follows the lookback, and HT_TRENDMODE stays a 0/1 integer. */
Test(ma, non_finite_inputs_are_survived, .timeout = 60)
{
    static const char *const fns[] = {
        "ACCBANDS", "BBANDS", "DEMA", "EMA", "HT_TRENDLINE", "KAMA", "MA", "MAMA", "MAVP",
        "MIDPOINT", "MIDPRICE", "SAR", "SAREXT", "SMA", "T3", "TEMA", "TRIMA", "WMA",
        "HT_DCPERIOD", "HT_DCPHASE", "HT_PHASOR", "HT_SINE", "HT_TRENDMODE",
    };
    const double bad[] = {NAN, INFINITY, -INFINITY, 1e308, -1e308, 0.0, -0.0, 5e-324};
    for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
        const tc_ta_func_t *f = tc_ta_find(fns[k]);
        cr_assert_not_null(f, "%s", fns[k]);
        for (int mode = 0; mode <= 1; mode++) {
            tc_ta_t *ta = tc_ta_create(f, NULL, mode);
            cr_assert_not_null(ta);
            for (int i = 0; i < 400; i++) {
                double in[TC_TA_MAX_IN], y[TC_TA_MAX_OUT];
                for (int j = 0; j < f->n_in; j++)
                    in[j] = (i % 7 == 3) ? bad[(i / 7 + j) % 8] : 100.0 + sin(i * 0.3 + j) * 5;
                int r = tc_ta_update(ta, in, y);
                cr_assert_eq(r, i >= tc_ta_lookback(ta), "%s bar %d", fns[k], i);
                if (r && (f->out_int & 1))
                    cr_assert(y[0] == 0 || y[0] == 1, "%s bar %d: %g", fns[k], i, y[0]);
            }
            tc_ta_destroy(ta);
        }
    }
}

/* MAVP's period column as TA-Lib's x86 build reads it: NaN and values beyond int become
 * INT_MIN, i.e. MinPeriod; fractions truncate toward zero; the rest clamps. */
Test(ma, mavp_period_column_truncates_and_clamps)
{
    const tc_ta_func_t *f = tc_ta_find("MAVP");
    double p[TC_TA_MAX_PARAM];
    cr_assert_eq(tc_ta_params_parse(f, "MinPeriod=4 MaxPeriod=12 MAType=0", p), 0);
    tc_ta_t *ta = tc_ta_create(f, p, TC_TA_MODE_TALIB);
    tc_ma_t *m4 = ma_new(TC_MA_SMA, 4, TC_TA_MODE_TALIB);
    tc_ma_t *m12 = ma_new(TC_MA_SMA, 12, TC_TA_MODE_TALIB);
    tc_ma_t *m7 = ma_new(TC_MA_SMA, 7, TC_TA_MODE_TALIB);
    const double col[] = {NAN, 1e12, -1e12, 4.99, 12.5, 99, 7.9, 3.99, -7.9, INFINITY};
    const int want[] = {4, 4, 4, 4, 12, 12, 7, 4, 4, 4};
    for (int i = 0; i < 300; i++) {
        double x = 50 + cos(i * 0.2) * 3, y4 = 0, y12 = 0, y7 = 0, y;
        int c = i % 10;
        /* every MA of the bank starts at bar 11 - (q - 1), as TA-Lib aligns them */
        if (i >= 11 - 3)
            tc_ma_update(m4, x, &y4);
        tc_ma_update(m12, x, &y12);
        if (i >= 11 - 6)
            tc_ma_update(m7, x, &y7);
        double in[2] = {x, col[c]};
        int r = tc_ta_update(ta, in, &y);
        cr_assert_eq(r, i >= 11);
        if (r) {
            double w = want[c] == 4 ? y4 : want[c] == 12 ? y12 : y7;
            cr_assert(y == w, "bar %d period %g: %.17g, want MA(%d) %.17g", i, col[c], y, want[c], w);
        }
    }
    free(m4);
    free(m12);
    free(m7);
    tc_ta_destroy(ta);
}

/* TA-Lib picks MAMA's odd or even delay lines by the parity of the absolute bar index,
 * but each line is zero-initialised and cycles through its three taps, so the values do
 * not depend on the parity: every type gives the same output whatever the origin (the
 * scratch cross-check against TA_MA called from odd and even starts agrees too). */
Test(ma, origin_does_not_change_values)
{
    series_t s;
    load_input(&s, "goog");
    for (int type = 0; type <= 8; type++) {
        tc_ma_t a, b, c;
        double wa[32], wb[32], wc[32];
        cr_assert_eq(tc_ma_init(&a, type, 7, TC_TA_MODE_TALIB, wa), 0);
        cr_assert_eq(tc_ma_init(&b, type, 7, TC_TA_MODE_TALIB, wb), 0);
        cr_assert_eq(tc_ma_init(&c, type, 7, TC_TA_MODE_TALIB, wc), 0);
        tc_ma_origin_set(&b, 2);
        tc_ma_origin_set(&c, 1);
        int outputs = 0;
        for (int i = 0; i < s.n; i++) {
            double ya = 0, yb = 0, yc = 0;
            int r = tc_ma_update(&a, s.close[i], &ya);
            cr_assert_eq(tc_ma_update(&b, s.close[i], &yb), r);
            cr_assert_eq(tc_ma_update(&c, s.close[i], &yc), r);
            cr_assert(ya == yb && ya == yc, "type %d bar %d: the origin changed the value", type,
                      i);
            outputs += r;
        }
        cr_assert_gt(outputs, 900);
    }
    free_input(&s);
}

/* MIDPOINT and MIDPRICE (monotonic deques) against a naive scan of each window, at
 * periods from 2 to longer than the flat stretches of the synthetic input. */
Test(ma, midpoint_midprice_match_naive_window_scan, .timeout = 60)
{
    series_t s;
    load_input(&s, "synth");
    int periods[] = {2, 3, 14, 61, 250};
    for (int k = 0; k < 5; k++) {
        int p = periods[k];
        char spec[32];
        snprintf(spec, sizeof spec, "TimePeriod=%d", p);
        double pp[TC_TA_MAX_PARAM];
        const tc_ta_func_t *fpt = tc_ta_find("MIDPOINT"), *fpr = tc_ta_find("MIDPRICE");
        cr_assert_eq(tc_ta_params_parse(fpt, spec, pp), 0);
        tc_ta_t *pt = tc_ta_create(fpt, pp, TC_TA_MODE_TALIB);
        tc_ta_t *pr = tc_ta_create(fpr, pp, TC_TA_MODE_TALIB);
        for (int i = 0; i < s.n; i++) {
            double y1, y2, hl[2] = {s.high[i], s.low[i]};
            int r1 = tc_ta_update(pt, &s.close[i], &y1);
            int r2 = tc_ta_update(pr, hl, &y2);
            cr_assert_eq(r1, i >= p - 1);
            cr_assert_eq(r2, i >= p - 1);
            if (!r1)
                continue;
            double cmax = -INFINITY, cmin = INFINITY, hmax = -INFINITY, lmin = INFINITY;
            for (int j = i - p + 1; j <= i; j++) {
                cmax = fmax(cmax, s.close[j]);
                cmin = fmin(cmin, s.close[j]);
                hmax = fmax(hmax, s.high[j]);
                lmin = fmin(lmin, s.low[j]);
            }
            cr_assert(y1 == (cmax + cmin) / 2.0, "MIDPOINT(%d) bar %d", p, i);
            cr_assert(y2 == (hmax + lmin) / 2.0, "MIDPRICE(%d) bar %d", p, i);
        }
        tc_ta_destroy(pt);
        tc_ta_destroy(pr);
    }
    free_input(&s);
}

/* Every overlap and cycle function, in both modes, updates and restarts without
 * allocating (the state is one block sized at creation). */
Test(ma, updates_do_not_allocate, .timeout = 60)
{
    if (!TC_COUNT_ALLOCS)
        cr_skip_test("sanitizer build: malloc is interposed by the sanitizer");
#if TC_COUNT_ALLOCS
    series_t s;
    load_input(&s, "synth");
    static const char *const fns[] = {
        "ACCBANDS", "BBANDS", "DEMA", "EMA", "HT_TRENDLINE", "KAMA", "MA", "MAMA", "MAVP",
        "MIDPOINT", "MIDPRICE", "SAR", "SAREXT", "SMA", "T3", "TEMA", "TRIMA", "WMA",
        "HT_DCPERIOD", "HT_DCPHASE", "HT_PHASOR", "HT_SINE", "HT_TRENDMODE",
    };
    for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
        const tc_ta_func_t *f = tc_ta_find(fns[k]);
        cr_assert_not_null(f);
        for (int mode = 0; mode <= 1; mode++) {
            tc_ta_t *ta = tc_ta_create(f, NULL, mode);
            cr_assert_not_null(ta);
            n_alloc = 0;
            counting = 1;
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < s.n; i++) {
                    double in[4] = {s.close[i], s.periods[i]}, y[TC_TA_MAX_OUT];
                    if (f->n_in == 2 && strcmp(f->in[1], "inPeriods") != 0) {
                        in[0] = s.high[i];
                        in[1] = s.low[i];
                    } else if (f->n_in == 3) {
                        in[0] = s.high[i];
                        in[1] = s.low[i];
                        in[2] = s.close[i];
                    }
                    tc_ta_update(ta, in, y);
                }
                tc_ta_reset(ta);
            }
            counting = 0;
            cr_expect_eq(n_alloc, 0, "%s mode %d: %ld allocations", fns[k], mode, n_alloc);
            tc_ta_destroy(ta);
        }
    }
    free_input(&s);
#endif
}
