/* ta_stats.c — TA-Lib's statistic functions as streaming indicators (features/ta.h):
 * VAR, STDDEV, LINEARREG, LINEARREG_ANGLE, LINEARREG_INTERCEPT, LINEARREG_SLOPE, TSF,
 * CORREL and BETA.  AVGDEV is a price transform (ta_price.c).
 *
 * Two numeric modes (docs/INDICATORS.md, "Numeric modes"):
 * - TC_TA_MODE_TALIB follows TA-Lib 0.6's ta_VAR.c, ta_STDDEV.c, ta_CORREL.c and
 *   ta_BETA.c operation for operation: running double sums of x and x^2 that add the
 *   new bar and subtract the leaving one, so their drift is reproduced, and TA-Lib's
 *   absolute 1e-14 cut-offs.  TA-Lib recomputes the LINEARREG family from the whole
 *   window on every bar; here the two window sums are carried in long double and
 *   recomputed in TA-Lib's order every `period` bars (O(1) amortised).
 * - TC_TA_MODE_PRECISE keeps, for VAR/STDDEV/CORREL/BETA, the window means and centred
 *   co-moments in long double, updated with the sliding form of Welford's recurrence
 *   (rounding scales with the deviations, not with the price level), recomputed
 *   two-pass over the window every `period` bars, and exactly zero over a window of
 *   equal values.  The LINEARREG family carries sum y and sum j*y in double-double
 *   (error-free transformations), so the slope keeps its digits even when it is a
 *   rounding-sized difference.  Both stay within 1e-9 relative of an exact fresh-window
 *   computation (tests/features/test_stats_modes.c).
 */
#include "features/ta.h"
#include "daemon/runtime/err.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define TA_EPS 1e-14 /* TA-Lib's TA_EPSILON: its zero tests are absolute */
#define DEG_PER_RAD (180.0 / 3.14159265358979323846)

enum stat_kind {
    K_VAR, K_STDDEV,
    K_LINEARREG, K_LR_ANGLE, K_LR_INTERCEPT, K_LR_SLOPE, K_TSF,
};

/* Double-double numbers (hi + lo, about 106 bits) with error-free transformations
 * (Knuth's two-sum, fma-based two-product).  Precise LINEARREG needs them: a slope is
 * a small difference of two window sums of size ~n^2 * price, and the inputs' binary
 * rounding alone can make the exact slope 1e-16 at a price of 100. */
typedef struct dd {
    double hi, lo;
} dd_t;

static inline dd_t two_sum(double a, double b)
{
    double s = a + b, bb = s - a;
    return (dd_t){s, (a - (s - bb)) + (b - bb)};
}

static inline dd_t fast_two_sum(double a, double b)
{
    double s = a + b;
    return (dd_t){s, b - (s - a)};
}

static inline dd_t dd_add(dd_t a, dd_t b)
{
    dd_t s = two_sum(a.hi, b.hi), t = two_sum(a.lo, b.lo);
    s.lo += t.hi;
    s = fast_two_sum(s.hi, s.lo);
    s.lo += t.lo;
    return fast_two_sum(s.hi, s.lo);
}

static inline dd_t dd_neg(dd_t a) { return (dd_t){-a.hi, -a.lo}; }

static inline dd_t two_prod(double a, double b)
{
    double p = a * b;
    return (dd_t){p, fma(a, b, -p)}; /* exact: the rounding error of a*b */
}

static inline dd_t dd_mul_d(dd_t a, double b)
{
    dd_t p = two_prod(a.hi, b);
    p.lo += a.lo * b;
    return fast_two_sum(p.hi, p.lo);
}

static inline long double dd_ld(dd_t a) { return (long double)a.hi + a.lo; }

/* One-series window (VAR, STDDEV, the LINEARREG family). */
typedef struct win {
    int n, mode, kind;
    double nbdev;
    int64_t count; /* bars seen */
    int pos;       /* next ring slot; once full, ring[pos] is the oldest bar */
    int since;     /* bars since the last re-anchor */
    int run;       /* length of the current run of equal values */
    double last;
    double s1, s2;        /* talib VAR: running sums of x and x^2 */
    long double sy, sxy;  /* talib LINEARREG: sum y, sum (bars ago) * y */
    long double mean, m2; /* precise VAR: mean and sum (x - mean)^2 */
    dd_t dsy, dsjy;       /* precise LINEARREG: sum y and sum j*y, j = 0 at the oldest bar */
    double ring[];        /* (n) last values, chronological from ring[pos] */
} win_t;

static size_t win_size(const double *p) { return sizeof(win_t) + sizeof(double) * (size_t)p[0]; }

static void win_push(win_t *w, double x)
{
    w->ring[w->pos] = x;
    w->pos = w->pos + 1 == w->n ? 0 : w->pos + 1;
    w->count++;
    /* capped past n: only "at least n" and "exactly n" matter, and a flat feed may last */
    w->run = w->count > 1 && x == w->last ? (w->run > w->n ? w->run : w->run + 1) : 1;
    w->last = x;
}

static int win_init(void *st, const double *p, int mode, int kind)
{
    win_t *w = st;
    w->n = (int)p[0];
    w->nbdev = kind == K_VAR || kind == K_STDDEV ? p[1] : 1;
    w->mode = mode;
    w->kind = kind;
    return 0;
}

/* ---- VAR / STDDEV ---- */

/* Precise: mean and sum of squared deviations of the window, fresh and two-pass. */
static void var_anchor(win_t *w)
{
    long double s = 0, d2 = 0;
    for (int i = 0; i < w->n; i++)
        s += w->ring[i];
    long double mean = s / w->n;
    for (int i = 0; i < w->n; i++) {
        long double d = w->ring[i] - mean;
        d2 += d * d;
    }
    w->mean = mean;
    w->m2 = d2;
    w->since = 0;
}

static double var_precise(win_t *w, double x)
{
    if (w->count >= w->n) {
        /* Sliding Welford: M2' = M2 + (v - m)(v - m') - (u - m)(u - m'). */
        long double u = w->ring[w->pos], m = w->mean;
        long double m1 = m + ((long double)x - u) / w->n;
        w->m2 += ((long double)x - m) * ((long double)x - m1) - (u - m) * (u - m1);
        w->mean = m1;
    }
    win_push(w, x);
    if (w->count < w->n)
        return NAN;
    if (w->count == w->n || ++w->since >= w->n)
        var_anchor(w);
    if (w->run >= w->n) { /* a window of equal values has no spread at all */
        w->mean = x;
        w->m2 = 0;
    }
    if (w->m2 < 0)
        w->m2 = 0;
    return (double)(w->m2 / w->n);
}

/* TA-Lib's TA_INT_VAR, one bar: add the new value, take the moments, drop the oldest. */
static double var_talib(win_t *w, double x)
{
    w->s1 += x;
    w->s2 += x * x;
    win_push(w, x);
    if (w->count < w->n)
        return NAN;
    double mean1 = w->s1 / w->n, mean2 = w->s2 / w->n;
    double t = w->ring[w->pos];
    w->s1 -= t;
    w->s2 -= t * t;
    return mean2 - mean1 * mean1;
}

static int var_update(void *st, const double *in, double *out)
{
    win_t *w = st;
    double v = w->mode == TC_TA_MODE_PRECISE ? var_precise(w, in[0]) : var_talib(w, in[0]);
    if (w->count < w->n)
        return 0;
    if (w->kind == K_VAR) {
        out[0] = v; /* TA-Lib's VAR takes NbDev and ignores it */
    } else if (w->mode == TC_TA_MODE_PRECISE) {
        out[0] = sqrt(v) * w->nbdev;
    } else {
        out[0] = v < TA_EPS ? 0.0 : sqrt(v) * w->nbdev; /* TA-Lib zeroes variance < 1e-14 */
    }
    return 1;
}

/* ---- LINEARREG family ---- */

/* Talib: the window sums in TA-Lib's own order (oldest first), so that this bar's
 * output is bit for bit TA-Lib's; the running sums restart from them. */
static void lr_anchor_talib(win_t *w)
{
    double sy = 0, sxy = 0;
    for (int i = w->n; i-- != 0;) {
        double y = w->ring[(w->pos + w->n - 1 - i) % w->n];
        sy += y;
        sxy += (double)i * y;
    }
    w->sy = sy;
    w->sxy = sxy;
    w->since = 0;
}

/* Precise: sum y and sum j*y over chronological positions j, afresh. */
static void lr_anchor_precise(win_t *w)
{
    dd_t sy = {0, 0}, sjy = {0, 0};
    for (int j = 0; j < w->n; j++) {
        double y = w->ring[(w->pos + j) % w->n];
        sy = dd_add(sy, (dd_t){y, 0});
        sjy = dd_add(sjy, two_prod((double)j, y));
    }
    w->dsy = sy;
    w->dsjy = sjy;
    w->since = 0;
}

static int lr_update(void *st, const double *in, double *out)
{
    win_t *w = st;
    double x = in[0];
    int n = w->n;
    /* A bar that repeats a window of equal values leaves the window as it was. */
    int same = w->count >= n && w->run >= n && x == w->last;
    if (w->count >= n && !same) {
        double u = w->ring[w->pos];
        if (w->mode == TC_TA_MODE_PRECISE) {
            /* Every position moves down by one: T' = T - (S - u) + (n - 1) v, S' = S - u + v. */
            w->dsjy = dd_add(dd_add(w->dsjy, dd_neg(w->dsy)),
                             dd_add((dd_t){u, 0}, two_prod((double)(n - 1), x)));
            w->dsy = dd_add(w->dsy, two_sum(x, -u));
        } else {
            /* Bars-ago weights all grow by one: T' = T + S - n u, S' = S - u + v. */
            w->sxy += w->sy - (long double)n * u;
            w->sy += (long double)x - u;
        }
    }
    win_push(w, x);
    if (w->count < n)
        return 0;
    int anchor = w->count == n || (!same && ++w->since >= n);
    long double lm, lb; /* slope per bar, forward in time; value at the oldest bar */
    if (w->mode == TC_TA_MODE_PRECISE) {
        if (anchor)
            lr_anchor_precise(w);
        /* C = sum (j - jbar) y = T - jbar S, good to ~2^-106 of the sums (jbar is a
         * multiple of 0.5, so jbar * S loses nothing), however small C itself is. */
        dd_t c = dd_add(w->dsjy, dd_neg(dd_mul_d(w->dsy, (n - 1) / 2.0)));
        long double mean = dd_ld(w->dsy) / n;
        lm = dd_ld(c) / ((long double)n * ((long double)n * n - 1) / 12);
        lb = mean - lm * (n - 1) / 2.0L;
    } else {
        /* TA-Lib recomputes the window sums on every bar, so over a flat window its
         * rounding noise is that of the fresh sums: take them once when the window
         * turns flat and keep them while it stays so (the slope is then that noise). */
        if (anchor || (w->run == n && !same))
            lr_anchor_talib(w);
        /* TA-Lib's formulas.  Its x is "bars ago", but its divisor has the opposite sign
         * as well, so m is the forward slope per bar. */
        double sum_x = (double)n * (n - 1) * 0.5;
        double sum_x2 = (double)((int64_t)n * (n - 1) * (2 * (int64_t)n - 1) / 6);
        double divisor = sum_x * sum_x - n * sum_x2;
        double sy = (double)w->sy, sxy = (double)w->sxy;
        double m = (n * sxy - sum_x * sy) / divisor;
        double b = (sy - m * sum_x) / (double)n;
        switch (w->kind) {
        case K_LINEARREG: out[0] = b + m * (double)(n - 1); break;
        case K_LR_ANGLE: out[0] = atan(m) * DEG_PER_RAD; break;
        case K_LR_INTERCEPT: out[0] = b; break;
        case K_LR_SLOPE: out[0] = m; break;
        default: out[0] = b + m * (double)n; break; /* TSF */
        }
        return 1;
    }
    switch (w->kind) {
    case K_LINEARREG: out[0] = (double)(lb + lm * (n - 1)); break;
    case K_LR_ANGLE: out[0] = (double)(atanl(lm) * (180.0L / 3.141592653589793238462643383279503L)); break;
    case K_LR_INTERCEPT: out[0] = (double)lb; break;
    case K_LR_SLOPE: out[0] = (double)lm; break;
    default: out[0] = (double)(lb + lm * n); break;
    }
    return 1;
}

/* ---- CORREL and BETA: two series ---- */

typedef struct pair {
    int n, mode;
    int64_t count; /* pairs in the window history (BETA: returns, not bars) */
    int pos, since, run_x, run_y;
    double last_x, last_y;     /* the previous pair pushed (for the equal-value runs) */
    double px, py;             /* BETA: the previous bar's prices */
    int64_t bars;
    double sx, sy, sxx, syy, sxy;    /* talib running sums */
    long double mx, my, cxx, cyy, cxy; /* precise: means and centred co-moments */
    double ring[];             /* (n, 2): x, y interleaved */
} pair_t;

static size_t pair_size(const double *p) { return sizeof(pair_t) + 2 * sizeof(double) * (size_t)p[0]; }

static int pair_init(void *st, const double *p, int mode)
{
    pair_t *q = st;
    q->n = (int)p[0];
    q->mode = mode;
    return 0;
}

static void pair_anchor(pair_t *q)
{
    long double sx = 0, sy = 0, cxx = 0, cyy = 0, cxy = 0;
    for (int i = 0; i < q->n; i++) {
        sx += q->ring[2 * i];
        sy += q->ring[2 * i + 1];
    }
    long double mx = sx / q->n, my = sy / q->n;
    for (int i = 0; i < q->n; i++) {
        long double dx = q->ring[2 * i] - mx, dy = q->ring[2 * i + 1] - my;
        cxx += dx * dx;
        cyy += dy * dy;
        cxy += dx * dy;
    }
    q->mx = mx, q->my = my, q->cxx = cxx, q->cyy = cyy, q->cxy = cxy;
    q->since = 0;
}

/* Adds (x, y) to the window: precise co-moments slide (when full) and re-anchor every n
 * pairs; talib sums are left to the caller, whose order differs between CORREL and BETA. */
static void pair_push(pair_t *q, double x, double y)
{
    if (q->mode == TC_TA_MODE_PRECISE && q->count >= q->n) {
        long double ux = q->ring[2 * q->pos], uy = q->ring[2 * q->pos + 1];
        long double mx = q->mx, my = q->my;
        long double mx1 = mx + ((long double)x - ux) / q->n;
        long double my1 = my + ((long double)y - uy) / q->n;
        /* C' = C + (v - m)(w - m') - (u - m)(z - m'), the co-moment form of Welford */
        q->cxx += ((long double)x - mx) * ((long double)x - mx1) - (ux - mx) * (ux - mx1);
        q->cyy += ((long double)y - my) * ((long double)y - my1) - (uy - my) * (uy - my1);
        q->cxy += ((long double)x - mx) * ((long double)y - my1) - (ux - mx) * (uy - my1);
        q->mx = mx1;
        q->my = my1;
    }
    q->ring[2 * q->pos] = x;
    q->ring[2 * q->pos + 1] = y;
    q->pos = q->pos + 1 == q->n ? 0 : q->pos + 1;
    q->count++;
    q->run_x = q->count > 1 && x == q->last_x ? (q->run_x > q->n ? q->run_x : q->run_x + 1) : 1;
    q->run_y = q->count > 1 && y == q->last_y ? (q->run_y > q->n ? q->run_y : q->run_y + 1) : 1;
    q->last_x = x;
    q->last_y = y;
    if (q->mode != TC_TA_MODE_PRECISE || q->count < q->n)
        return;
    if (q->count == q->n || ++q->since >= q->n)
        pair_anchor(q);
    if (q->run_x >= q->n) {
        q->mx = x;
        q->cxx = q->cxy = 0;
    }
    if (q->run_y >= q->n) {
        q->my = y;
        q->cyy = q->cxy = 0;
    }
    if (q->cxx < 0)
        q->cxx = 0;
    if (q->cyy < 0)
        q->cyy = 0;
}

static int correl_update(void *st, const double *in, double *out)
{
    pair_t *q = st;
    double x = in[0], y = in[1];
    int n = q->n;
    if (q->mode == TC_TA_MODE_PRECISE) {
        pair_push(q, x, y);
        if (q->count < n)
            return 0;
        long double d = q->cxx * q->cyy;
        out[0] = d > 0 ? (double)(q->cxy / sqrtl(d)) : 0.0;
        return 1;
    }
    /* TA-Lib's ta_CORREL.c: drop the oldest pair first, then add the new one. */
    if (q->count >= n) {
        double tx = q->ring[2 * q->pos], ty = q->ring[2 * q->pos + 1];
        q->sx -= tx;
        q->sxx -= tx * tx;
        q->sxy -= tx * ty;
        q->sy -= ty;
        q->syy -= ty * ty;
    }
    q->sx += x;
    q->sxx += x * x;
    q->sxy += x * y;
    q->sy += y;
    q->syy += y * y;
    pair_push(q, x, y);
    if (q->count < n)
        return 0;
    double t = (q->sxx - ((q->sx * q->sx) / n)) * (q->syy - ((q->sy * q->sy) / n));
    out[0] = !(t < TA_EPS) ? (q->sxy - ((q->sx * q->sy) / n)) / sqrt(t) : 0.0;
    return 1;
}

/* BETA: with x the one-bar returns of inReal0 and y those of inReal1, TA-Lib returns
 * cov(x, y) / var(x), the slope of y regressed on x; a zero previous price gives a zero
 * return, as in TA-Lib. */
static int beta_update(void *st, const double *in, double *out)
{
    pair_t *q = st;
    double px = in[0], py = in[1];
    int64_t bar = q->bars++;
    if (bar == 0) {
        q->px = px;
        q->py = py;
        return 0;
    }
    double x = !(-TA_EPS < q->px && q->px < TA_EPS) ? (px - q->px) / q->px : 0.0;
    double y = !(-TA_EPS < q->py && q->py < TA_EPS) ? (py - q->py) / q->py : 0.0;
    q->px = px;
    q->py = py;
    int n = q->n;
    if (q->mode == TC_TA_MODE_PRECISE) {
        pair_push(q, x, y);
        if (q->count < n)
            return 0;
        out[0] = q->cxx > 0 ? (double)(q->cxy / q->cxx) : 0.0;
        return 1;
    }
    /* TA-Lib's ta_BETA.c: add the new return, output, then drop the oldest. */
    q->sxx += x * x;
    q->sxy += x * y;
    q->sx += x;
    q->sy += y;
    pair_push(q, x, y);
    if (q->count < n)
        return 0;
    double t = (n * q->sxx) - (q->sx * q->sx);
    out[0] = !(-TA_EPS < t && t < TA_EPS) ? ((n * q->sxy) - (q->sx * q->sy)) / t : 0.0;
    double tx = q->ring[2 * q->pos], ty = q->ring[2 * q->pos + 1];
    q->sxx -= tx * tx;
    q->sxy -= tx * ty;
    q->sx -= tx;
    q->sy -= ty;
    return 1;
}

/* ---- descriptors ---- */

static int lb_period_minus_1(const double *p) { return (int)p[0] - 1; }
static int lb_period(const double *p) { return (int)p[0]; }

#define WIN_INIT(name, kind)                                                                  \
    static int name(void *st, const double *p, int mode) { return win_init(st, p, mode, kind); }
WIN_INIT(var_init, K_VAR)
WIN_INIT(stddev_init, K_STDDEV)
WIN_INIT(linearreg_init, K_LINEARREG)
WIN_INIT(lr_angle_init, K_LR_ANGLE)
WIN_INIT(lr_intercept_init, K_LR_INTERCEPT)
WIN_INIT(lr_slope_init, K_LR_SLOPE)
WIN_INIT(tsf_init, K_TSF)

#define GROUP "Statistic Functions"
#define PERIOD(def, lo) {"TimePeriod", TC_TA_PARAM_INT, def, lo, 100000}
#define NBDEV {"NbDev", TC_TA_PARAM_REAL, 1, -3e37, 3e37}
#define LR_FUNC(id, name_, doc_, init_)                                                       \
    static const tc_ta_func_t id = {                                                           \
        .name = name_, .group = GROUP, .doc = doc_,                                            \
        .n_in = 1, .in = {"inReal"},                                                           \
        .n_param = 1, .param = {PERIOD(14, 2)},                                                \
        .n_out = 1, .out = {"real"},                                                           \
        .lookback = lb_period_minus_1, .state_size = win_size, .init = init_,                  \
        .update = lr_update,                                                                   \
    }

static const tc_ta_func_t f_var = {
    .name = "VAR", .group = GROUP, .doc = "Variance (population; NbDev is accepted and unused, as in TA-Lib)",
    .n_in = 1, .in = {"inReal"},
    .n_param = 2, .param = {PERIOD(5, 1), NBDEV},
    .n_out = 1, .out = {"real"},
    .lookback = lb_period_minus_1, .state_size = win_size, .init = var_init, .update = var_update,
};

static const tc_ta_func_t f_stddev = {
    .name = "STDDEV", .group = GROUP, .doc = "Standard Deviation (population) times NbDev",
    .n_in = 1, .in = {"inReal"},
    .n_param = 2, .param = {PERIOD(5, 2), NBDEV},
    .n_out = 1, .out = {"real"},
    .lookback = lb_period_minus_1, .state_size = win_size, .init = stddev_init, .update = var_update,
};

LR_FUNC(f_linearreg, "LINEARREG", "Linear Regression: fitted value at the newest bar", linearreg_init);
LR_FUNC(f_lr_angle, "LINEARREG_ANGLE", "Linear Regression Angle (degrees)", lr_angle_init);
LR_FUNC(f_lr_intercept, "LINEARREG_INTERCEPT", "Linear Regression Intercept (at the oldest bar)", lr_intercept_init);
LR_FUNC(f_lr_slope, "LINEARREG_SLOPE", "Linear Regression Slope (per bar)", lr_slope_init);
LR_FUNC(f_tsf, "TSF", "Time Series Forecast: regression line one bar ahead", tsf_init);

static const tc_ta_func_t f_correl = {
    .name = "CORREL", .group = GROUP, .doc = "Pearson's Correlation Coefficient (r)",
    .n_in = 2, .in = {"inReal0", "inReal1"},
    .n_param = 1, .param = {PERIOD(30, 1)},
    .n_out = 1, .out = {"real"},
    .lookback = lb_period_minus_1, .state_size = pair_size, .init = pair_init, .update = correl_update,
};

static const tc_ta_func_t f_beta = {
    .name = "BETA", .group = GROUP, .doc = "Beta: slope of the returns of inReal1 regressed on those of inReal0",
    .n_in = 2, .in = {"inReal0", "inReal1"},
    .n_param = 1, .param = {PERIOD(5, 1)},
    .n_out = 1, .out = {"real"},
    .lookback = lb_period, .state_size = pair_size, .init = pair_init, .update = beta_update,
};

const tc_ta_func_t *const tc_ta_family_stats[] = {
    &f_beta, &f_correl, &f_linearreg, &f_lr_angle, &f_lr_intercept, &f_lr_slope,
    &f_stddev, &f_tsf, &f_var, NULL,
};
