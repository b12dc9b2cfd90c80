/* test_candle.c — the candlestick patterns (features/ta_pattern*.c) and the candle
 * sums under them (features/candle.c).
 *
 * Agreement with TA-Lib bar by bar is tests/golden's job; here: the rolling sums equal
 * a fresh-window sum, every pattern's lookback is functions.tsv's and its first output
 * comes on that bar, streaming after a reset gives the same series, the Penetration
 * parameter is range-checked and used, and hand-built textbook sequences (a doji, a
 * marubozu, an engulfing, a hammer, a morning star, a Hikkake and its confirmation)
 * give the sign the pattern's definition says. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "features/candle.h"
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

/* ---- shared input ---- */

typedef struct bars {
    int n;
    double (*v)[4]; /* open, high, low, close */
} bars_t;

static int load_synth(bars_t *b)
{
    csvtab_t t;
    if (csvtab_load(&t, tc_shared_path("golden/input_synth.csv")) < 0)
        return -1;
    const char *names[4] = {"open", "high", "low", "close"};
    int col[4];
    for (int k = 0; k < 4; k++) {
        col[k] = csvtab_col(&t, names[k]);
        cr_assert_geq(col[k], 0, "input_synth.csv has no column %s", names[k]);
    }
    b->n = t.rows;
    b->v = calloc((size_t)t.rows, sizeof *b->v);
    cr_assert_not_null(b->v);
    for (int r = 0; r < t.rows; r++)
        for (int k = 0; k < 4; k++)
            b->v[r][k] = csvtab_num(&t, r, col[k]);
    csvtab_free(&t);
    return 0;
}

#define NEED_SYNTH(b)                                                                         \
    do {                                                                                      \
        if (load_synth(&(b)) < 0)                                                             \
            cr_skip_test("%s not found: the shared reference data must sit beside the clone", \
                         tc_shared_path("golden/input_synth.csv"));                          \
    } while (0)

static int is_pattern(const tc_ta_func_t *f) { return strncmp(f->name, "CDL", 3) == 0; }

/* ---- candle sums ---- */

Test(candle, rolling_sums_equal_fresh_windows)
{
    bars_t b;
    NEED_SYNTH(b);
    const tc_candle_sum_spec_t spec[] = {
        {TC_CANDLE_BODY_LONG, 2}, {TC_CANDLE_SHADOW_SHORT, 0}, {TC_CANDLE_NEAR, 1},
        {TC_CANDLE_BODY_DOJI, 4}, {TC_CANDLE_SHADOW_LONG, 0},
    };
    const int n_sum = (int)(sizeof spec / sizeof spec[0]);
    const int start = 14;
    tc_candle_t cs;
    tc_candle_init(&cs, spec, n_sum, start);
    double worst = 0;
    for (int t = 0; t < b.n; t++) {
        tc_candle_push(&cs, b.v[t][0], b.v[t][1], b.v[t][2], b.v[t][3]);
        if (t < start)
            continue;
        for (int j = 0; j < n_sum; j++) {
            const tc_candle_setting_t *set = &tc_candle_defaults[spec[j].kind];
            int lag = spec[j].lag;
            /* the bar's own range, computed here from the definitions */
            long double naive = 0;
            for (int i = t - lag - set->period; i < t - lag; i++) {
                double o = b.v[i][0], h = b.v[i][1], l = b.v[i][2], c = b.v[i][3];
                double top = c >= o ? c : o, bot = c >= o ? o : c;
                double r = set->range == TC_CANDLE_RANGE_REALBODY ? fabs(c - o)
                           : set->range == TC_CANDLE_RANGE_HIGHLOW ? h - l
                                                                    : (h - top) + (bot - l);
                naive += r;
            }
            double got = cs.sum[j].total;
            double diff = fabs(got - (double)naive);
            double rel = diff / fmax(1e-300, fabs((double)naive));
            cr_assert(diff <= 1e-9 || rel <= 1e-9, "bar %d sum %d (%s lag %d): %.17g, fresh %.17g",
                      t, j, set->name, lag, got, (double)naive);
            if (diff > 1e-12 && rel > worst)
                worst = rel;
        }
        /* period 0 compares with the bar itself: ShadowLong is 1.0 x its real body */
        int k0 = 0;
        cr_assert_eq(tc_candle_avg(&cs, 4, k0), fabs(b.v[t][3] - b.v[t][0]), "bar %d", t);
        tc_candle_roll(&cs);
    }
    printf("candle sums: %d bars, worst relative difference from fresh windows %.3g (differences under 1e-12 count as 0)\n", b.n, worst);
    free(b.v);
}

Test(candle, defaults_are_talibs)
{
    /* FUNCTIONS.md: the default candle settings the goldens were made with */
    struct { int kind; tc_candle_range_t range; int period; double factor; } want[] = {
        {TC_CANDLE_BODY_LONG, TC_CANDLE_RANGE_REALBODY, 10, 1.0},
        {TC_CANDLE_BODY_VERY_LONG, TC_CANDLE_RANGE_REALBODY, 10, 3.0},
        {TC_CANDLE_BODY_SHORT, TC_CANDLE_RANGE_REALBODY, 10, 1.0},
        {TC_CANDLE_BODY_DOJI, TC_CANDLE_RANGE_HIGHLOW, 10, 0.1},
        {TC_CANDLE_SHADOW_LONG, TC_CANDLE_RANGE_REALBODY, 0, 1.0},
        {TC_CANDLE_SHADOW_VERY_LONG, TC_CANDLE_RANGE_REALBODY, 0, 2.0},
        {TC_CANDLE_SHADOW_SHORT, TC_CANDLE_RANGE_SHADOWS, 10, 1.0},
        {TC_CANDLE_SHADOW_VERY_SHORT, TC_CANDLE_RANGE_HIGHLOW, 10, 0.1},
        {TC_CANDLE_NEAR, TC_CANDLE_RANGE_HIGHLOW, 5, 0.2},
        {TC_CANDLE_FAR, TC_CANDLE_RANGE_HIGHLOW, 5, 0.6},
        {TC_CANDLE_EQUAL, TC_CANDLE_RANGE_HIGHLOW, 5, 0.05},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const tc_candle_setting_t *s = &tc_candle_defaults[want[i].kind];
        cr_expect_eq(s->range, want[i].range, "%s range", s->name);
        cr_expect_eq(s->period, want[i].period, "%s period", s->name);
        cr_expect_eq(s->factor, want[i].factor, "%s factor", s->name);
    }
}

/* ---- lookbacks ---- */

Test(pattern, lookbacks_match_functions_tsv)
{
    FILE *f = fopen(tc_shared_path("golden/functions.tsv"), "r");
    if (!f)
        cr_skip_test("%s not found", tc_shared_path("golden/functions.tsv"));
    bars_t b;
    NEED_SYNTH(b);
    char line[2048];
    int rows = 0, checked = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *col[6] = {0};
        char *s = line;
        for (int i = 0; i < 6 && s; i++) {
            col[i] = s;
            s = strchr(s, '\t');
            if (s)
                *s++ = '\0';
        }
        if (!col[5] || strncmp(col[0], "CDL", 3) != 0)
            continue;
        rows++;
        const tc_ta_func_t *fn = tc_ta_find(col[0]);
        cr_assert_not_null(fn, "%s is not in the catalog", col[0]);
        int want = atoi(col[5]);
        tc_ta_t *ta = tc_ta_create(fn, NULL, TC_TA_MODE_TALIB);
        cr_assert_not_null(ta, "%s: %s", col[0], tc_err_msg());
        cr_expect_eq(tc_ta_lookback(ta), want, "%s: lookback %d, functions.tsv %d", col[0],
                     tc_ta_lookback(ta), want);
        /* and the first output comes exactly on that bar */
        int first = -1;
        for (int t = 0; t < b.n && first < 0; t++) {
            double y;
            if (tc_ta_update(ta, b.v[t], &y))
                first = t;
        }
        cr_expect_eq(first, want, "%s: first output at bar %d, lookback %d", col[0], first, want);
        cr_expect(tc_ta_ready(ta), "%s: not ready after %d bars", col[0], b.n);
        tc_ta_destroy(ta);
        checked++;
    }
    fclose(f);
    free(b.v);
    cr_expect_eq(rows, 61, "functions.tsv lists %d CDL functions", rows);
    int in_catalog = 0;
    for (int i = 0; i < tc_ta_count(); i++)
        in_catalog += is_pattern(tc_ta_at(i));
    cr_expect_eq(in_catalog, 61, "the catalog holds %d CDL functions", in_catalog);
    printf("pattern lookbacks: %d of %d agree with functions.tsv\n", checked, rows);
}

/* ---- streaming = batch ---- */

Test(pattern, reset_and_refeed_is_identical)
{
    bars_t b;
    NEED_SYNTH(b);
    double *first = calloc((size_t)b.n, sizeof *first);
    cr_assert_not_null(first);
    int n_fn = 0;
    for (int i = 0; i < tc_ta_count(); i++) {
        const tc_ta_func_t *fn = tc_ta_at(i);
        if (!is_pattern(fn))
            continue;
        n_fn++;
        tc_ta_t *a = tc_ta_create(fn, NULL, TC_TA_MODE_TALIB);
        tc_ta_t *c = tc_ta_create(fn, NULL, TC_TA_MODE_TALIB);
        cr_assert(a && c, "%s: %s", fn->name, tc_err_msg());
        int nz = 0;
        for (int t = 0; t < b.n; t++) {
            double y = NAN;
            first[t] = tc_ta_update(a, b.v[t], &y) ? y : NAN;
            nz += first[t] != 0 && !isnan(first[t]);
        }
        /* c sees a different history (a shifted half), then is reset and fed the same
         * bars as a, interleaved with a second pass of a after its own reset */
        for (int t = 0; t < b.n / 2; t++) {
            double y;
            tc_ta_update(c, b.v[b.n - 1 - t], &y);
        }
        tc_ta_reset(c);
        tc_ta_reset(a);
        cr_expect(!tc_ta_ready(c), "%s: ready right after a reset", fn->name);
        for (int t = 0; t < b.n; t++) {
            double ya = NAN, yc = NAN;
            int ra = tc_ta_update(a, b.v[t], &ya);
            int rc = tc_ta_update(c, b.v[t], &yc);
            double wa = ra ? ya : NAN, wc = rc ? yc : NAN;
            int same_a = (isnan(wa) && isnan(first[t])) || wa == first[t];
            int same_c = (isnan(wc) && isnan(first[t])) || wc == first[t];
            cr_assert(same_a && same_c, "%s bar %d: first pass %g, after reset %g, other %g",
                      fn->name, t, first[t], wa, wc);
        }
        /* every pattern fires on the synthetic input (108 planted sequences) */
        cr_expect_gt(nz, 0, "%s never fires on input_synth", fn->name);
        tc_ta_destroy(a);
        tc_ta_destroy(c);
    }
    cr_expect_eq(n_fn, 61);
    free(first);
    free(b.v);
}

Test(pattern, updates_do_not_allocate)
{
    if (!TC_COUNT_ALLOCS)
        cr_skip_test("sanitizer build: malloc is interposed by the sanitizer");
#if TC_COUNT_ALLOCS
    bars_t b;
    NEED_SYNTH(b);
    for (int i = 0; i < tc_ta_count(); i++) {
        const tc_ta_func_t *fn = tc_ta_at(i);
        if (!is_pattern(fn))
            continue;
        tc_ta_t *ta = tc_ta_create(fn, NULL, TC_TA_MODE_TALIB);
        cr_assert_not_null(ta);
        double y;
        n_alloc = 0;
        counting = 1;
        for (int t = 0; t < b.n; t++)
            tc_ta_update(ta, b.v[t], &y);
        tc_ta_reset(ta);
        for (int t = 0; t < 100; t++)
            tc_ta_update(ta, b.v[t], &y);
        counting = 0;
        cr_expect_eq(n_alloc, 0, "%s: %ld allocations in %d updates", fn->name, n_alloc, b.n + 100);
        tc_ta_destroy(ta);
    }
    free(b.v);
#endif
}

/* NaN and infinite prices: TA-Lib's comparisons are all false on NaN and a NaN stays
 * in its running sums; the point here is that nothing crashes and every output is
 * still one of TA-Lib's integers. */
Test(pattern, non_finite_bars_give_integer_outputs)
{
    bars_t b;
    NEED_SYNTH(b);
    const double bad[][4] = {{NAN, 101, 99, 100}, {100, INFINITY, 99, 100},
                             {100, 101, -INFINITY, 100}, {NAN, NAN, NAN, NAN}};
    for (int i = 0; i < tc_ta_count(); i++) {
        const tc_ta_func_t *fn = tc_ta_at(i);
        if (!is_pattern(fn))
            continue;
        tc_ta_t *ta = tc_ta_create(fn, NULL, TC_TA_MODE_TALIB);
        cr_assert_not_null(ta);
        for (int t = 0; t < 400; t++) {
            double y = 0;
            const double *bar = t >= 200 && t < 204 ? bad[t - 200] : b.v[t];
            if (!tc_ta_update(ta, bar, &y))
                continue;
            cr_assert(y == 0 || y == 100 || y == -100 || y == 80 || y == -80 || y == 200 ||
                          y == -200,
                      "%s bar %d: output %g", fn->name, t, y);
        }
        tc_ta_destroy(ta);
    }
    free(b.v);
}

/* ---- parameters ---- */

Test(pattern, penetration_range)
{
    const char *with[] = {"CDLABANDONEDBABY", "CDLDARKCLOUDCOVER", "CDLEVENINGDOJISTAR",
                          "CDLEVENINGSTAR", "CDLMATHOLD", "CDLMORNINGDOJISTAR", "CDLMORNINGSTAR"};
    const double def[] = {0.3, 0.5, 0.3, 0.3, 0.5, 0.3, 0.3};
    double p[TC_TA_MAX_PARAM];
    for (size_t i = 0; i < sizeof with / sizeof with[0]; i++) {
        const tc_ta_func_t *f = tc_ta_find(with[i]);
        cr_assert_not_null(f, "%s", with[i]);
        cr_assert_eq(f->n_param, 1, "%s", with[i]);
        cr_expect_eq(f->param[0].def, def[i], "%s default", with[i]);
        cr_expect_eq(tc_ta_params_parse(f, "Penetration=0", p), 0, "%s", with[i]);
        cr_expect_eq(tc_ta_params_parse(f, "Penetration=3e37", p), 0, "%s", with[i]);
        cr_expect_eq(tc_ta_params_parse(f, "Penetration=-0.1", p), -EINVAL, "%s", with[i]);
        cr_expect(strstr(tc_err_msg(), "Penetration") != NULL, "error names the parameter: %s",
                  tc_err_msg());
        cr_expect_eq(tc_ta_params_parse(f, "Penetration=4e37", p), -EINVAL, "%s", with[i]);
        cr_expect_eq(tc_ta_params_parse(f, "Penetration=x", p), -EINVAL, "%s", with[i]);
        p[0] = -1;
        cr_expect_null(tc_ta_create(f, p, TC_TA_MODE_TALIB), "%s accepts -1", with[i]);
    }
    int n_with = 0;
    for (int i = 0; i < tc_ta_count(); i++)
        if (is_pattern(tc_ta_at(i)))
            n_with += tc_ta_at(i)->n_param;
    cr_expect_eq(n_with, 7, "%d patterns take a parameter", n_with);
}

/* ---- hand-built sequences ---- */

/* Twelve quiet white bars: body 1, range 2, so BodyLong/Short average 1, BodyDoji and
 * ShadowVeryShort 0.2, Near 0.4. */
#define CONTEXT 12
static const double context_bar[4] = {100, 101.5, 99.5, 101};

/* Runs `name` over the context then seq (n bars) and writes the output on each seq bar
 * to out (NAN where not ready). */
static void run_seq(const char *name, const char *params, const double (*seq)[4], int n,
                    double *out)
{
    const tc_ta_func_t *f = tc_ta_find(name);
    cr_assert_not_null(f, "%s", name);
    double p[TC_TA_MAX_PARAM];
    cr_assert_eq(tc_ta_params_parse(f, params, p), 0, "%s: %s", name, tc_err_msg());
    tc_ta_t *ta = tc_ta_create(f, p, TC_TA_MODE_TALIB);
    cr_assert_not_null(ta);
    double y;
    for (int t = 0; t < CONTEXT; t++)
        tc_ta_update(ta, context_bar, &y);
    for (int t = 0; t < n; t++)
        out[t] = tc_ta_update(ta, seq[t], &y) ? y : NAN;
    tc_ta_destroy(ta);
}

static double last_of(const char *name, const char *params, const double (*seq)[4], int n)
{
    double out[8];
    cr_assert(n <= 8);
    run_seq(name, params, seq, n, out);
    return out[n - 1];
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Test(pattern_shapes, one_bar)
{
    const double doji[][4] = {{100, 101, 99, 100.02}};
    const double plain[][4] = {{100, 101.5, 99.5, 101}};
    const double white_marubozu[][4] = {{100, 102, 100, 102}};
    const double black_marubozu[][4] = {{102, 102, 100, 100}};
    cr_expect_eq(last_of("CDLDOJI", NULL, doji, 1), 100);
    cr_expect_eq(last_of("CDLDOJI", NULL, plain, 1), 0);
    cr_expect_eq(last_of("CDLMARUBOZU", NULL, white_marubozu, 1), 100);
    cr_expect_eq(last_of("CDLMARUBOZU", NULL, black_marubozu, 1), -100);
    cr_expect_eq(last_of("CDLMARUBOZU", NULL, doji, 1), 0);
}

Test(pattern_shapes, engulfing)
{
    const double bull[][4] = {{101, 101.2, 99.8, 100}, {99.8, 101.6, 99.7, 101.5}};
    const double bear[][4] = {{100, 101.2, 99.8, 101}, {101.2, 101.3, 99.5, 99.7}};
    /* the white body opens exactly at the black close: TA-Lib's weaker ±80 form */
    const double touch[][4] = {{101, 101.2, 99.8, 100}, {100, 101.6, 99.9, 101.5}};
    const double inside[][4] = {{101, 101.2, 99.8, 100}, {100.2, 100.9, 100.1, 100.8}};
    cr_expect_eq(last_of("CDLENGULFING", NULL, bull, 2), 100);
    cr_expect_eq(last_of("CDLENGULFING", NULL, bear, 2), -100);
    cr_expect_eq(last_of("CDLENGULFING", NULL, touch, 2), 80);
    cr_expect_eq(last_of("CDLENGULFING", NULL, inside, 2), 0);
    /* and three outside up: the bullish engulfing followed by a higher close */
    const double outside[][4] = {{101, 101.2, 99.8, 100}, {99.8, 101.6, 99.7, 101.5},
                                 {101.5, 102.3, 101.4, 102.2}};
    cr_expect_eq(last_of("CDL3OUTSIDE", NULL, outside, 3), 100);
}

Test(pattern_shapes, hammer_and_hanging_man)
{
    /* small body at the previous low, long lower shadow, almost no upper shadow */
    const double hammer[][4] = {{101, 101.2, 99.8, 100}, {99.7, 100.05, 98.5, 100.0}};
    /* the same shape at the previous high */
    const double hanging[][4] = {{100, 101.2, 99.9, 101}, {101.0, 101.35, 99.8, 101.3}};
    cr_expect_eq(last_of("CDLHAMMER", NULL, hammer, 2), 100);
    cr_expect_eq(last_of("CDLHANGINGMAN", NULL, hammer, 2), 0);
    cr_expect_eq(last_of("CDLHANGINGMAN", NULL, hanging, 2), -100);
    cr_expect_eq(last_of("CDLHAMMER", NULL, hanging, 2), 0);
}

Test(pattern_shapes, morning_star_and_penetration)
{
    /* long black, small body gapping down, long white closing 2.5 into the 3.0 body */
    const double star[][4] = {{103, 103.1, 99.9, 100}, {99.5, 99.7, 99.4, 99.6},
                              {99.8, 102.6, 99.7, 102.5}};
    cr_expect_eq(last_of("CDLMORNINGSTAR", NULL, star, 3), 100);
    cr_expect_eq(last_of("CDLMORNINGDOJISTAR", NULL, star, 3), 100);
    cr_expect_eq(last_of("CDLEVENINGSTAR", NULL, star, 3), 0);
    /* 2.5 of 3.0 is 83%: penetration 0.8 still passes, 0.9 does not */
    cr_expect_eq(last_of("CDLMORNINGSTAR", "Penetration=0.8", star, 3), 100);
    cr_expect_eq(last_of("CDLMORNINGSTAR", "Penetration=0.9", star, 3), 0);
}

Test(pattern_shapes, hikkake_setup_then_confirmation)
{
    /* mother bar, inside bar, a false breakout downwards (+100, bullish), then a close
     * above the inside bar's high within three bars (+200) */
    const double seq[][4] = {{100, 102, 98, 101}, {100.5, 101, 99, 100},
                             {99.5, 100.5, 98.5, 99}, {100, 101.6, 99.9, 101.5}};
    double out[4];
    run_seq("CDLHIKKAKE", NULL, seq, 4, out);
    cr_expect_eq(out[0], 0);
    cr_expect_eq(out[1], 0);
    cr_expect_eq(out[2], 100);
    cr_expect_eq(out[3], 200);
    /* mirrored: breakout upwards (-100), then a close below the inside bar's low (-200) */
    const double mir[][4] = {{101, 102, 98, 99}, {99.5, 101, 99, 100},
                             {100.5, 101.5, 99.5, 101}, {100, 100.1, 98.4, 98.5}};
    run_seq("CDLHIKKAKE", NULL, mir, 4, out);
    cr_expect_eq(out[2], -100);
    cr_expect_eq(out[3], -200);
}
