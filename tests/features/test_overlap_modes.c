/* test_overlap_modes.c — the PRECISE numeric mode of SMA, WMA, BBANDS and what builds on
 * them (MA, ACCBANDS, MAVP) against a naive exact fresh-window computation (long double,
 * two-pass variance) on both golden inputs, on a price that drifts from ~100 down to
 * 1e-5 and on one that jumps by orders of magnitude; and the TALIB mode's documented
 * drift on the same data (docs/INDICATORS.md). */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "features/ta.h"
#include "tests/common/csvtab.h"

#define REL 1e-9

typedef struct series {
    const char *name;
    int n;
    double *close, *high, *low;
} series_t;

static int load_golden(series_t *s, const char *input)
{
    char rel[64];
    snprintf(rel, sizeof rel, "golden/input_%s.csv", input);
    csvtab_t t;
    if (csvtab_load(&t, tc_shared_path(rel)) < 0)
        return -1;
    int cc = csvtab_col(&t, "close"), ch = csvtab_col(&t, "high"), cl = csvtab_col(&t, "low");
    cr_assert(cc >= 0 && ch >= 0 && cl >= 0);
    s->name = input;
    s->n = t.rows;
    s->close = malloc(sizeof(double) * (size_t)s->n);
    s->high = malloc(sizeof(double) * (size_t)s->n);
    s->low = malloc(sizeof(double) * (size_t)s->n);
    for (int i = 0; i < s->n; i++) {
        s->close[i] = csvtab_num(&t, i, cc);
        s->high[i] = csvtab_num(&t, i, ch);
        s->low[i] = csvtab_num(&t, i, cl);
    }
    csvtab_free(&t);
    return 0;
}

/* A price that falls geometrically from 100 to 1e-5 over n bars with +-2% noise (a
 * fixed LCG, so the series is the same everywhere), as some crypto pairs do. */
static void make_drift(series_t *s, int n)
{
    s->name = "drift";
    s->n = n;
    s->close = malloc(sizeof(double) * (size_t)n);
    s->high = malloc(sizeof(double) * (size_t)n);
    s->low = malloc(sizeof(double) * (size_t)n);
    unsigned long long st = 20240601;
    for (int i = 0; i < n; i++) {
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(st >> 11) / 9007199254740992.0 * 2.0 - 1.0;
        double level = 100.0 * exp(log(1e-7) * i / (n - 1));
        s->close[i] = level * (1.0 + 0.02 * u);
        s->high[i] = s->close[i] * 1.01;
        s->low[i] = s->close[i] * 0.99;
    }
}

/* A price that jumps by orders of magnitude at bars that do not line up with any
 * period: 1e6 down to 1, then up to 5e3, with +-1% noise. */
static void make_jumps(series_t *s, int n)
{
    s->name = "jumps";
    s->n = n;
    s->close = malloc(sizeof(double) * (size_t)n);
    s->high = malloc(sizeof(double) * (size_t)n);
    s->low = malloc(sizeof(double) * (size_t)n);
    unsigned long long st = 99;
    for (int i = 0; i < n; i++) {
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(st >> 11) / 9007199254740992.0 * 2.0 - 1.0;
        double level = i < 1003 ? 1e6 : i < 2011 ? 1.0 : 5e3;
        s->close[i] = level * (1.0 + 0.01 * u);
        s->high[i] = s->close[i] * 1.01;
        s->low[i] = s->close[i] * 0.99;
    }
}

static void free_series(series_t *s)
{
    free(s->close);
    free(s->high);
    free(s->low);
}

static void get_inputs(series_t *s, int *count)
{
    *count = 0;
    if (load_golden(&s[*count], "goog") == 0)
        (*count)++;
    if (load_golden(&s[*count], "synth") == 0)
        (*count)++;
    if (*count < 2)
        cr_skip_test("golden inputs not found under %s", tc_shared_path("golden"));
    make_drift(&s[(*count)++], 20000);
    make_jumps(&s[(*count)++], 3000);
}

/* Exact window statistics of x[t-p+1..t]: mean, WMA and population deviation. */
static void exact(const double *x, int t, int p, long double *mean, long double *wma,
                  long double *dev)
{
    long double sum = 0, wsum = 0;
    for (int j = 0; j < p; j++) {
        sum += x[t - p + 1 + j];
        wsum += (long double)(j + 1) * x[t - p + 1 + j];
    }
    *mean = sum / p;
    *wma = wsum / ((long double)p * (p + 1) / 2);
    long double ss = 0;
    for (int j = 0; j < p; j++) {
        long double d = x[t - p + 1 + j] - *mean;
        ss += d * d;
    }
    *dev = sqrtl(ss / p);
}

/* Exact TRIMA: triangular weights min(j+1, p-j) over the window, oldest first. */
static long double exact_trima(const double *x, int t, int p)
{
    long double sum = 0, wsum = 0;
    for (int j = 0; j < p; j++) {
        int w = j + 1 < p - j ? j + 1 : p - j;
        sum += (long double)w * x[t - p + 1 + j];
        wsum += w;
    }
    return sum / wsum;
}

static double rel_err(double got, long double want)
{
    if (want == 0)
        return got == 0 ? 0 : INFINITY;
    return (double)(fabsl(got - want) / fabsl(want));
}

static tc_ta_t *make(const char *fn, const char *spec, int mode)
{
    const tc_ta_func_t *f = tc_ta_find(fn);
    cr_assert_not_null(f, "%s", fn);
    double p[TC_TA_MAX_PARAM];
    cr_assert_eq(tc_ta_params_parse(f, spec, p), 0, "%s %s: %s", fn, spec, tc_err_msg());
    tc_ta_t *ta = tc_ta_create(f, p, mode);
    cr_assert_not_null(ta, "%s: %s", fn, tc_err_msg());
    return ta;
}

/* SMA, WMA, TRIMA and MA(WMA) in PRECISE mode stay within 1e-9 of the exact window
 * values. */
Test(overlap_modes, precise_sma_wma_are_exact, .timeout = 60)
{
    series_t in[4];
    int n_in;
    get_inputs(in, &n_in);
    int periods[] = {2, 5, 30, 200};
    for (int s = 0; s < n_in; s++) {
        for (int k = 0; k < 4; k++) {
            int p = periods[k];
            char spec[64];
            snprintf(spec, sizeof spec, "TimePeriod=%d", p);
            tc_ta_t *sma = make("SMA", spec, TC_TA_MODE_PRECISE);
            tc_ta_t *wma = make("WMA", spec, TC_TA_MODE_PRECISE);
            tc_ta_t *tri = make("TRIMA", spec, TC_TA_MODE_PRECISE);
            snprintf(spec, sizeof spec, "TimePeriod=%d MAType=2", p);
            tc_ta_t *ma = make("MA", spec, TC_TA_MODE_PRECISE);
            double worst_s = 0, worst_w = 0, worst_t = 0;
            for (int t = 0; t < in[s].n; t++) {
                double ys, yw, ym, yt;
                int r = tc_ta_update(sma, &in[s].close[t], &ys);
                cr_assert_eq(tc_ta_update(wma, &in[s].close[t], &yw), r);
                cr_assert_eq(tc_ta_update(ma, &in[s].close[t], &ym), r);
                cr_assert_eq(tc_ta_update(tri, &in[s].close[t], &yt), r);
                cr_assert_eq(r, t >= p - 1);
                if (!r)
                    continue;
                long double mean, w, dev;
                exact(in[s].close, t, p, &mean, &w, &dev);
                worst_s = fmax(worst_s, rel_err(ys, mean));
                worst_w = fmax(worst_w, rel_err(yw, w));
                cr_assert(rel_err(ys, mean) <= REL, "%s SMA(%d) bar %d: %.17g vs exact %.17Lg",
                          in[s].name, p, t, ys, mean);
                cr_assert(rel_err(yw, w) <= REL, "%s WMA(%d) bar %d: %.17g vs exact %.17Lg",
                          in[s].name, p, t, yw, w);
                cr_assert(ym == yw, "%s MA(%d, WMA) bar %d differs from WMA", in[s].name, p, t);
                long double tr = exact_trima(in[s].close, t, p);
                worst_t = fmax(worst_t, rel_err(yt, tr));
                cr_assert(rel_err(yt, tr) <= REL, "%s TRIMA(%d) bar %d: %.17g vs exact %.17Lg",
                          in[s].name, p, t, yt, tr);
            }
            printf("precise %-5s SMA(%d) worst rel %.3g, WMA(%d) %.3g, TRIMA(%d) %.3g\n",
                   in[s].name, p, worst_s, p, worst_w, p, worst_t);
            tc_ta_destroy(sma);
            tc_ta_destroy(wma);
            tc_ta_destroy(tri);
            tc_ta_destroy(ma);
        }
        free_series(&in[s]);
    }
}

/* BBANDS in PRECISE mode: each band within 1e-9 of the exact one, and the half-width
 * within 1e-9 of the exact deviation (plus the rounding of the band itself). */
static void check_bbands(const series_t *s, int p, int matype, double up, double dn,
                         double *ret_worst)
{
    char spec[128];
    snprintf(spec, sizeof spec, "TimePeriod=%d NbDevUp=%g NbDevDn=%g MAType=%d", p, up, dn,
             matype);
    tc_ta_t *bb = make("BBANDS", spec, TC_TA_MODE_PRECISE);
    tc_ta_t *mid = NULL;
    if (matype != 0) {
        snprintf(spec, sizeof spec, "TimePeriod=%d MAType=%d", p, matype);
        mid = make("MA", spec, TC_TA_MODE_PRECISE);
    }
    double worst = 0;
    for (int t = 0; t < s->n; t++) {
        double y[3], m = 0;
        int r = tc_ta_update(bb, &s->close[t], y);
        if (mid)
            tc_ta_update(mid, &s->close[t], &m);
        if (!r)
            continue;
        long double mean, w, dev;
        exact(s->close, t, p, &mean, &w, &dev);
        long double centre = matype == 0 ? mean : (long double)m;
        long double want[3] = {centre + up * dev, centre, centre - dn * dev};
        /* Relative to the size of the terms: a band that cancels to ~0 is still judged
         * by how well its terms were computed. */
        long double scale[3] = {fabsl(centre) + fabs(up) * dev, fabsl(centre),
                                fabsl(centre) + fabs(dn) * dev};
        for (int k = 0; k < 3; k++) {
            double e = scale[k] > 0 ? (double)(fabsl(y[k] - want[k]) / scale[k]) : fabs(y[k]);
            worst = fmax(worst, e);
            cr_assert(e <= REL, "%s BBANDS(%s) bar %d out %d: %.17g vs exact %.17Lg", s->name,
                      spec, t, k, y[k], want[k]);
        }
        /* the deviation itself, not only the bands it is added to */
        double half = (y[0] - y[2]) / (up + dn);
        double slack = 4 * DBL_EPSILON * fabs(y[1]) / (up + dn) * 2;
        cr_assert(fabsl(half - dev) <= REL * dev + slack,
                  "%s BBANDS(%s) bar %d: deviation %.17g vs exact %.17Lg", s->name, spec, t, half,
                  dev);
    }
    tc_ta_destroy(bb);
    if (mid)
        tc_ta_destroy(mid);
    *ret_worst = worst;
}

Test(overlap_modes, precise_bbands_are_exact, .timeout = 60)
{
    series_t in[4];
    int n_in;
    get_inputs(in, &n_in);
    for (int s = 0; s < n_in; s++) {
        double w;
        check_bbands(&in[s], 5, 0, 2, 2, &w);
        printf("precise %-5s BBANDS(5,2,2,SMA) worst rel %.3g\n", in[s].name, w);
        check_bbands(&in[s], 20, 0, 1.5, 2.5, &w);
        printf("precise %-5s BBANDS(20,1.5,2.5,SMA) worst rel %.3g\n", in[s].name, w);
        check_bbands(&in[s], 10, 1, 2, 2, &w);
        printf("precise %-5s BBANDS(10,2,2,EMA) worst rel %.3g\n", in[s].name, w);
        free_series(&in[s]);
    }
}

/* On the flat stretch of the synthetic input (bars 1000..1039 all equal) the exact
 * deviation is 0: PRECISE gives bands that collapse onto the middle band exactly, where
 * TA-Lib's running sums leave a residue. */
Test(overlap_modes, flat_window_has_zero_width)
{
    series_t s;
    if (load_golden(&s, "synth") < 0)
        cr_skip_test("golden/input_synth.csv not found");
    tc_ta_t *pr = make("BBANDS", "", TC_TA_MODE_PRECISE);
    tc_ta_t *tl = make("BBANDS", "", TC_TA_MODE_TALIB);
    double residue = 0;
    for (int t = 0; t < 1040; t++) {
        double a[3], b[3];
        tc_ta_update(pr, &s.close[t], a);
        int r = tc_ta_update(tl, &s.close[t], b);
        if (t >= 1004) {
            cr_assert(r && s.close[t] == s.close[t - 4]);
            cr_assert(a[0] == a[1] && a[2] == a[1] && a[1] == s.close[t],
                      "bar %d: precise bands %.17g %.17g %.17g", t, a[0], a[1], a[2]);
            residue = fmax(residue, b[0] - b[1]);
        }
    }
    printf("flat stretch: TA-Lib-mode BBANDS(5) half-width up to %.3g, precise 0\n", residue);
    tc_ta_destroy(pr);
    tc_ta_destroy(tl);
    free_series(&s);
}

/* ACCBANDS and MAVP over SMA inherit the precise SMA. */
Test(overlap_modes, precise_accbands_and_mavp, .timeout = 60)
{
    series_t in[4];
    int n_in;
    get_inputs(in, &n_in);
    for (int s = 0; s < n_in; s++) {
        const series_t *x = &in[s];
        tc_ta_t *acc = make("ACCBANDS", "TimePeriod=20", TC_TA_MODE_PRECISE);
        tc_ta_t *mavp = make("MAVP", "MinPeriod=2 MaxPeriod=30 MAType=0", TC_TA_MODE_PRECISE);
        double *up = malloc(sizeof(double) * (size_t)x->n), *lo = malloc(sizeof(double) * (size_t)x->n);
        for (int t = 0; t < x->n; t++) {
            double h = x->high[t], l = x->low[t], k = 4 * (h - l) / (h + l);
            up[t] = h * (1 + k);
            lo[t] = l * (1 - k);
            double in3[3] = {h, l, x->close[t]}, y[3];
            if (tc_ta_update(acc, in3, y)) {
                long double m, w, d;
                exact(up, t, 20, &m, &w, &d);
                cr_assert(rel_err(y[0], m) <= REL, "%s ACCBANDS upper bar %d", x->name, t);
                exact(x->close, t, 20, &m, &w, &d);
                cr_assert(rel_err(y[1], m) <= REL, "%s ACCBANDS middle bar %d", x->name, t);
                exact(lo, t, 20, &m, &w, &d);
                cr_assert(rel_err(y[2], m) <= REL, "%s ACCBANDS lower bar %d", x->name, t);
            }
            int q = 2 + (t * 7) % 29; /* every period of the bank, in turn */
            double in2[2] = {x->close[t], q}, ym;
            if (tc_ta_update(mavp, in2, &ym)) {
                long double m, w, d;
                exact(x->close, t, q, &m, &w, &d);
                cr_assert(rel_err(ym, m) <= REL, "%s MAVP(q=%d) bar %d: %.17g vs %.17Lg",
                          x->name, q, t, ym, m);
            }
        }
        free(up);
        free(lo);
        tc_ta_destroy(acc);
        tc_ta_destroy(mavp);
        free_series(&in[s]);
    }
}

/* The TALIB mode's drift, measured against the exact values on the drifting series:
 * the figures docs/INDICATORS.md quotes.  TA-Lib's bands there end up wrong by more
 * than the price itself, so the two modes must differ. */
Test(overlap_modes, talib_mode_drifts_on_a_falling_price, .timeout = 60)
{
    series_t s;
    make_drift(&s, 20000);
    tc_ta_t *bb = make("BBANDS", "", TC_TA_MODE_TALIB);
    tc_ta_t *sma = make("SMA", "", TC_TA_MODE_TALIB);
    tc_ta_t *tri = make("TRIMA", "", TC_TA_MODE_TALIB);
    double worst_tri = 0;
    double worst_bb = 0, worst_sma = 0, worst_width = 0, worst_dev = 0;
    int zeroed = 0;
    for (int t = 0; t < s.n; t++) {
        double y[3], m;
        int r = tc_ta_update(bb, &s.close[t], y);
        double yt;
        if (tc_ta_update(tri, &s.close[t], &yt))
            worst_tri = fmax(worst_tri, rel_err(yt, exact_trima(s.close, t, 30)));
        if (tc_ta_update(sma, &s.close[t], &m)) {
            long double mean, w, d;
            exact(s.close, t, 30, &mean, &w, &d);
            worst_sma = fmax(worst_sma, rel_err(m, mean));
        }
        if (r) {
            long double mean, w, d;
            exact(s.close, t, 5, &mean, &w, &d);
            worst_bb = fmax(worst_bb, rel_err(y[0], mean + 2 * d));
            worst_width = fmax(worst_width, (double)(fabsl((y[0] - y[2]) / 4 - d) / mean));
            worst_dev = fmax(worst_dev, (double)(fabsl((y[0] - y[2]) / 4 - d) / d));
            zeroed += y[0] == y[2] && d > 0;
        }
    }
    printf("talib mode on the drift: SMA(30) worst rel %.3g, TRIMA(30) %.3g, BBANDS(5) upper "
           "worst rel %.3g, deviation worst rel %.3g (%.3g x the price), %d bars with the "
           "deviation zeroed\n",
           worst_sma, worst_tri, worst_bb, worst_dev, worst_width, zeroed);
    cr_assert_gt(worst_bb, 1e-3, "TA-Lib's running sums should drift on this series");
    tc_ta_destroy(bb);
    tc_ta_destroy(sma);
    tc_ta_destroy(tri);
    free_series(&s);
}
