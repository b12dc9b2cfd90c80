/* test_fastpath.c — the inlined SMA and EMA of tc_ma_update (the EMA recomputing the
 * previous bar from two bars back), the standalone inline ones of fastma.h, and BBANDS'
 * direct path for an SMA middle band give
 * the very bits of TA-Lib's loops, written out here naively in TA-Lib's order of
 * operations (ta_SMA.c, ta_EMA.c, ta_BBANDS.c with TA_INT_stddev_using_precalc_ma):
 * bit-for-bit equality on every bar, across periods 2..31, restarts and flat stretches,
 * for prices drifting over orders of magnitude so the running sums round on every bar. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/fastma.h"
#include "features/ma.h"
#include "features/ta.h"

#define N_BARS 5000

/* Prices of a seeded random walk with flat runs and a jump of three orders of magnitude
 * half-way, so that the running sums carry rounding (the drift TA-Lib keeps). */
static void prices(double *x, int n, uint64_t seed)
{
    double p = 50.0;
    for (int i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(seed >> 11) / 9007199254740992.0;
        if (i == n / 2)
            p *= 1000.0;
        if ((seed >> 5) % 7 != 0) /* one bar in seven repeats the last price */
            p *= exp((u - 0.5) * 0.02);
        x[i] = round(p * 100.0) / 100.0;
    }
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* TA-Lib's SMA over x[0..n), out[i] NaN during the lookback. */
static void naive_sma(const double *x, int n, int p, double *out)
{
    double total = 0;
    for (int i = 0; i < n; i++) {
        total += x[i];
        if (i < p - 1) {
            out[i] = NAN;
            continue;
        }
        double t = total;
        total -= x[i - p + 1];
        out[i] = t / p;
    }
}

/* TA-Lib's EMA: the mean of the first p values, then y += (x - y) * k. */
static void naive_ema(const double *x, int n, int p, double *out)
{
    double k = 2.0 / ((double)(p + 1)), y = 0;
    for (int i = 0; i < n; i++) {
        if (i < p) {
            y += x[i];
            if (i < p - 1) {
                out[i] = NAN;
                continue;
            }
            y = y / p;
        } else {
            y = ((x[i] - y) * k) + y;
        }
        out[i] = y;
    }
}

/* TA-Lib's BBANDS with an SMA middle band: the deviation from the running sum of x^2
 * against the SMA itself. */
static void naive_bbands(const double *x, int n, int p, double up, double dn, double *u,
                         double *m, double *l)
{
    double sma[N_BARS];
    naive_sma(x, n, p, sma);
    double s2 = 0;
    for (int i = 0; i < n; i++) {
        s2 += x[i] * x[i];
        if (i < p - 1) {
            u[i] = m[i] = l[i] = NAN;
            continue;
        }
        double mean2 = s2 / p;
        s2 -= x[i - p + 1] * x[i - p + 1];
        mean2 -= sma[i] * sma[i];
        double dev = mean2 >= 1e-14 ? sqrt(mean2) : 0.0;
        m[i] = sma[i];
        u[i] = sma[i] + dev * up;
        l[i] = sma[i] - dev * dn;
    }
}

/* Feeds x through an MA of `type` (twice, with a reset in between) and compares each
 * bar with want[]. */
static void check_ma(int type, int p, const double *x, int n, const double *want)
{
    static double win[64];
    tc_ma_t m;
    cr_assert_eq(tc_ma_init(&m, type, p, TC_TA_MODE_TALIB, win), 0);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n; i++) {
            double y = NAN;
            int r = tc_ma_update(&m, x[i], &y);
            cr_assert_eq(r, !isnan(want[i]), "type %d p %d bar %d: ready %d", type, p, i, r);
            if (r)
                cr_assert(same_bits(y, want[i]), "type %d p %d bar %d: %.17g, TA-Lib order %.17g",
                          type, p, i, y, want[i]);
        }
        tc_ma_reset(&m);
    }
}

Test(fastpath, sma_and_ema_bits_equal_talib_order)
{
    double x[N_BARS], want[N_BARS];
    for (uint64_t seed = 1; seed <= 3; seed++) {
        prices(x, N_BARS, seed);
        for (int p = 2; p <= 31; p++) {
            naive_sma(x, N_BARS, p, want);
            check_ma(TC_MA_SMA, p, x, N_BARS, want);
            naive_ema(x, N_BARS, p, want);
            check_ma(TC_MA_EMA, p, x, N_BARS, want);
        }
    }
}

Test(fastpath, bbands_sma_bits_equal_talib_order)
{
    double x[N_BARS], u[N_BARS], m[N_BARS], l[N_BARS];
    const tc_ta_func_t *f = tc_ta_find("BBANDS");
    cr_assert_not_null(f);
    for (uint64_t seed = 4; seed <= 5; seed++) {
        prices(x, N_BARS, seed);
        for (int p = 2; p <= 31; p += 3) {
            naive_bbands(x, N_BARS, p, 2.0, 1.5, u, m, l);
            double prm[TC_TA_MAX_PARAM] = {p, 2.0, 1.5, TC_MA_SMA};
            tc_ta_t *ta = tc_ta_create(f, prm, TC_TA_MODE_TALIB);
            cr_assert_not_null(ta);
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < N_BARS; i++) {
                    double y[3];
                    int r = tc_ta_update(ta, &x[i], y);
                    cr_assert_eq(r, !isnan(m[i]), "p %d bar %d: ready %d", p, i, r);
                    if (r)
                        cr_assert(same_bits(y[0], u[i]) && same_bits(y[1], m[i]) &&
                                      same_bits(y[2], l[i]),
                                  "p %d bar %d: %.17g %.17g %.17g, TA-Lib order %.17g %.17g %.17g",
                                  p, i, y[0], y[1], y[2], u[i], m[i], l[i]);
                }
                tc_ta_reset(ta);
            }
            tc_ta_destroy(ta);
        }
    }
}

/* fastma.h: heap blocks as a caller would hold them, fed twice (re-initialised in
 * between), against the same naive loops; periods up to a window longer than a page. */
Test(fastpath, fastma_bits_equal_talib_order)
{
    static double x[N_BARS], want_s[N_BARS], want_e[N_BARS];
    const int periods[] = {2, 3, 5, 14, 30, 31, 200, 1000};
    for (uint64_t seed = 6; seed <= 7; seed++) {
        prices(x, N_BARS, seed);
        for (size_t k = 0; k < sizeof periods / sizeof periods[0]; k++) {
            int p = periods[k];
            naive_sma(x, N_BARS, p, want_s);
            naive_ema(x, N_BARS, p, want_e);
            tc_sma_t *s = malloc(tc_sma_size(p));
            tc_ema_t e;
            cr_assert_not_null(s);
            for (int pass = 0; pass < 2; pass++) {
                cr_assert_eq(tc_sma_init(s, p), 0);
                cr_assert_eq(tc_ema_init(&e, p), 0);
                for (int i = 0; i < N_BARS; i++) {
                    double ys = NAN, ye = NAN;
                    int rs = tc_sma_update(s, x[i], &ys), re = tc_ema_update(&e, x[i], &ye);
                    cr_assert_eq(rs, !isnan(want_s[i]), "SMA p %d bar %d: ready %d", p, i, rs);
                    cr_assert_eq(re, !isnan(want_e[i]), "EMA p %d bar %d: ready %d", p, i, re);
                    if (rs)
                        cr_assert(same_bits(ys, want_s[i]), "SMA p %d bar %d: %.17g, TA-Lib order %.17g",
                                  p, i, ys, want_s[i]);
                    if (re)
                        cr_assert(same_bits(ye, want_e[i]), "EMA p %d bar %d: %.17g, TA-Lib order %.17g",
                                  p, i, ye, want_e[i]);
                }
            }
            free(s);
        }
    }
}

/* ... and against the catalog's SMA and EMA objects (which the golden suite checks
 * against TA-Lib's own outputs), bar by bar. */
Test(fastpath, fastma_equals_catalog)
{
    static double x[N_BARS];
    prices(x, N_BARS, 8);
    const char *names[] = {"SMA", "EMA"};
    for (int f = 0; f < 2; f++) {
        double prm[TC_TA_MAX_PARAM] = {30};
        tc_ta_t *ta = tc_ta_create(tc_ta_find(names[f]), prm, TC_TA_MODE_TALIB);
        cr_assert_not_null(ta);
        tc_sma_t *s = malloc(tc_sma_size(30));
        tc_ema_t e;
        cr_assert(s && tc_sma_init(s, 30) == 0 && tc_ema_init(&e, 30) == 0);
        for (int i = 0; i < N_BARS; i++) {
            double want = NAN, got = NAN;
            int rw = tc_ta_update(ta, &x[i], &want);
            int rg = f == 0 ? tc_sma_update(s, x[i], &got) : tc_ema_update(&e, x[i], &got);
            cr_assert_eq(rg, rw, "%s bar %d: ready %d, catalog %d", names[f], i, rg, rw);
            if (rg)
                cr_assert(same_bits(got, want), "%s bar %d: %.17g, catalog %.17g", names[f], i, got, want);
        }
        free(s);
        tc_ta_destroy(ta);
    }
}

Test(fastpath, fastma_refuses_talib_out_of_range_periods)
{
    tc_ema_t e;
    const int bad[] = {-1, 0, 1, 100001};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        cr_assert_eq(tc_sma_size(bad[k]), 0, "period %d", bad[k]);
        cr_assert_eq(tc_ema_init(&e, bad[k]), -EINVAL, "period %d", bad[k]);
    }
    tc_sma_t *s = malloc(tc_sma_size(2));
    cr_assert_eq(tc_sma_init(s, 0), -EINVAL);
    cr_assert_eq(tc_sma_init(s, 100001), -EINVAL);
    free(s);
    cr_assert_eq(tc_sma_size(100000), sizeof(tc_sma_t) + 100000 * sizeof(double));
}
