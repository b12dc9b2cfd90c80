/* ta_momentum.c — TA-Lib's momentum indicators that need no moving-average type, as
 * streaming objects (features/ta.h): the directional movement family (PLUS_DM,
 * MINUS_DM, PLUS_DI, MINUS_DI, DX, ADX, ADXR), RSI, CMO, MOM and the ROC family, BOP,
 * IMI, CCI, MFI, WILLR, AROON, AROONOSC, ULTOSC and TRIX; and the family table
 * tc_ta_family_momentum[].  The MA-typed oscillators (APO, PPO, MACD*, STOCH*) live in
 * ta_oscillator.c.
 *
 * Each update follows the arithmetic of TA-Lib's batch function (ta_func/ta_<NAME>.c of
 * TA-Lib 0.6) in the same order, so outputs agree to the last bit or nearly: Wilder's
 * sums seeded by plain sums, the 1e-14 zero tests, the tie rules of the window
 * extremes.  Unstable periods are TA-Lib's defaults (0).  Where TA-Lib rescans a
 * window, block extremes or a running sum do the same in O(1) amortised; CCI is
 * the exception (see cci_update). */
#include "features/ta_momentum.h"

/* ---- small shared pieces ---- */

static int period_of(const double *p) { return (int)p[0]; }

static size_t plain_size(const double *p)
{
    (void)p;
    return 0;
}

/* ====================================================================================
 * Directional movement: PLUS_DM MINUS_DM PLUS_DI MINUS_DI DX ADX ADXR
 *
 * One engine: the first bar only records high/low/close; bars 1..period-1 add the
 * one-bar +DM, -DM and true range into plain sums; from bar `period` on each is
 * Wilder-smoothed, x = x - x/period + today (TA-Lib's order of operations).
 * ==================================================================================*/

typedef struct dmi {
    int period;
    long n;                 /* bars consumed */
    double ph, pl, pc;      /* previous high, low, close */
    double pdm, mdm, tr;    /* +DM, -DM, TR: sums, then Wilder-smoothed */
    double dm1_plus, dm1_minus, tr1; /* today's one-bar values */
    /* DX / ADX / ADXR */
    double dx, sum_dx, adx;
    long n_adx;             /* ADX values produced (ADXR) */
    double *adx_ring;       /* ADXR: last `period` ADX values */
} dmi_t;

/* Consumes one bar; returns its index (0 for the first bar, which has no DM). */
static long dmi_step(dmi_t *s, double h, double l, double c)
{
    long t = s->n++;
    if (t > 0) {
        tc_ta_dm1(h, l, s->ph, s->pl, &s->dm1_plus, &s->dm1_minus);
        s->tr1 = tc_ta_true_range(h, l, s->pc);
        if (t < s->period) {
            s->pdm += s->dm1_plus;
            s->mdm += s->dm1_minus;
            s->tr += s->tr1;
        } else {
            double p = s->period;
            s->pdm = s->pdm - (s->pdm / p) + s->dm1_plus;
            s->mdm = s->mdm - (s->mdm / p) + s->dm1_minus;
            s->tr = s->tr - (s->tr / p) + s->tr1;
        }
    }
    s->ph = h;
    s->pl = l;
    s->pc = c;
    return t;
}

/* DX of the current smoothed sums; 0 (nothing written) when TR or the DI sum is
 * zero in TA-Lib's sense, where TA-Lib keeps its previous value. */
static int dmi_dx(const dmi_t *s, double *ret_dx)
{
    if (tc_ta_is_zero(s->tr))
        return 0;
    double minus_di = 100.0 * (s->mdm / s->tr);
    double plus_di = 100.0 * (s->pdm / s->tr);
    double sum = minus_di + plus_di;
    if (tc_ta_is_zero(sum))
        return 0;
    *ret_dx = 100.0 * (fabs(minus_di - plus_di) / sum);
    return 1;
}

static size_t dmi_size(const double *p) { (void)p; return sizeof(dmi_t); }

static int dmi_init(void *st, const double *p, int mode)
{
    (void)mode;
    dmi_t *s = st;
    s->period = period_of(p);
    return 0;
}

/* PLUS_DM / MINUS_DM: the smoothed sum itself.  Period 1 is the raw one-bar DM. */
static int dm_lookback(const double *p) { return period_of(p) > 1 ? period_of(p) - 1 : 1; }

static int dm_emit(dmi_t *s, long t, double smoothed, double raw, double *out)
{
    if (s->period == 1) {
        if (t < 1)
            return 0;
        out[0] = raw;
        return 1;
    }
    if (t < s->period - 1)
        return 0;
    out[0] = smoothed;
    return 1;
}

/* The DMs take no close: the engine's true range is computed against 0 and unused. */
static int plus_dm_update(void *st, const double *in, double *out)
{
    dmi_t *s = st;
    long t = dmi_step(s, in[0], in[1], 0.0);
    return dm_emit(s, t, s->pdm, s->dm1_plus, out);
}

static int minus_dm_update(void *st, const double *in, double *out)
{
    dmi_t *s = st;
    long t = dmi_step(s, in[0], in[1], 0.0);
    return dm_emit(s, t, s->mdm, s->dm1_minus, out);
}

/* PLUS_DI / MINUS_DI: 100 * DM / TR.  TA-Lib's period 1 is DM1 / TR1, without the
 * factor 100, and 0 when that bar has no DM on this side. */
static int di_lookback(const double *p) { return period_of(p) > 1 ? period_of(p) : 1; }

static int di_emit(dmi_t *s, long t, double smoothed, double raw, double *out)
{
    if (t < 1 || (s->period > 1 && t < s->period))
        return 0;
    if (s->period == 1)
        out[0] = (raw == 0.0 || tc_ta_is_zero(s->tr1)) ? 0.0 : raw / s->tr1;
    else
        out[0] = tc_ta_is_zero(s->tr) ? 0.0 : 100.0 * (smoothed / s->tr);
    return 1;
}

static int plus_di_update(void *st, const double *in, double *out)
{
    dmi_t *s = st;
    long t = dmi_step(s, in[0], in[1], in[2]);
    return di_emit(s, t, s->pdm, s->dm1_plus, out);
}

static int minus_di_update(void *st, const double *in, double *out)
{
    dmi_t *s = st;
    long t = dmi_step(s, in[0], in[1], in[2]);
    return di_emit(s, t, s->mdm, s->dm1_minus, out);
}

/* DX: first value 0 when undefined, later ones repeat the previous DX (TA-Lib). */
static int dx_update(void *st, const double *in, double *out)
{
    dmi_t *s = st;
    long t = dmi_step(s, in[0], in[1], in[2]);
    if (t < s->period)
        return 0;
    double dx;
    if (dmi_dx(s, &dx))
        s->dx = dx;
    else if (t == s->period)
        s->dx = 0.0;
    out[0] = s->dx;
    return 1;
}

/* ADX: the first is the mean of `period` DX values (undefined ones count as 0), then
 * Wilder's ((ADX * (period-1)) + DX) / period, skipped when DX is undefined. */
static int adx_lookback(const double *p) { return 2 * period_of(p) - 1; }

static int adx_step(dmi_t *s, const double *in)
{
    long t = dmi_step(s, in[0], in[1], in[2]);
    if (t < s->period)
        return 0;
    double dx;
    int ok = dmi_dx(s, &dx);
    if (t < 2L * s->period - 1) {
        if (ok)
            s->sum_dx += dx;
        return 0;
    }
    if (t == 2L * s->period - 1) {
        if (ok)
            s->sum_dx += dx;
        s->adx = s->sum_dx / s->period;
    } else if (ok) {
        s->adx = ((s->adx * (s->period - 1)) + dx) / s->period;
    }
    return 1;
}

static int adx_update(void *st, const double *in, double *out)
{
    dmi_t *s = st;
    if (!adx_step(s, in))
        return 0;
    out[0] = s->adx;
    return 1;
}

/* ADXR: (ADX today + ADX period-1 bars ago) / 2. */
static int adxr_lookback(const double *p) { return 3 * period_of(p) - 2; }

static size_t adxr_size(const double *p)
{
    return tc_ta_align(sizeof(dmi_t)) + sizeof(double) * (size_t)period_of(p);
}

static int adxr_init(void *st, const double *p, int mode)
{
    dmi_init(st, p, mode);
    dmi_t *s = st;
    s->adx_ring = (double *)((unsigned char *)st + tc_ta_align(sizeof(dmi_t)));
    return 0;
}

static int adxr_update(void *st, const double *in, double *out)
{
    dmi_t *s = st;
    if (!adx_step(s, in))
        return 0;
    long m = s->n_adx++;
    int p = s->period;
    s->adx_ring[m % p] = s->adx;
    if (m < p - 1)
        return 0;
    out[0] = (s->adx + s->adx_ring[(m - (p - 1)) % p]) / 2.0;
    return 1;
}

/* ====================================================================================
 * RSI and CMO: Wilder-smoothed average gain and loss, seeded by their plain means
 * over the first `period` changes.
 * ==================================================================================*/

static size_t gainloss_size(const double *p) { (void)p; return sizeof(tc_ta_gainloss_t); }

static int gainloss_init(void *st, const double *p, int mode)
{
    (void)mode;
    tc_ta_gainloss_init(st, period_of(p));
    return 0;
}

static int rsi_update(void *st, const double *in, double *out)
{
    return tc_ta_rsi_update(st, in[0], &out[0]);
}

static int cmo_update(void *st, const double *in, double *out)
{
    tc_ta_gainloss_t *s = st;
    if (!tc_ta_gainloss_update(s, in[0]))
        return 0;
    double sum = s->gain + s->loss;
    out[0] = tc_ta_is_zero(sum) ? 0.0 : 100.0 * ((s->gain - s->loss) / sum);
    return 1;
}

/* ====================================================================================
 * MOM, ROC, ROCP, ROCR, ROCR100: today against the value `period` bars ago.
 * ==================================================================================*/

typedef struct lag {
    int period, pos;
    long n;
    double *ring; /* last `period` inputs; ring[pos] is the oldest once full */
} lag_t;

static size_t lag_size(const double *p)
{
    return tc_ta_align(sizeof(lag_t)) + sizeof(double) * (size_t)period_of(p);
}

static int lag_init(void *st, const double *p, int mode)
{
    (void)mode;
    lag_t *s = st;
    s->period = period_of(p);
    s->ring = (double *)((unsigned char *)st + tc_ta_align(sizeof(lag_t)));
    return 0;
}

/* Stores x; returns 1 and the value `period` bars ago when there is one. */
static int lag_step(lag_t *s, double x, double *ret_old)
{
    double old = s->ring[s->pos];
    s->ring[s->pos] = x;
    if (++s->pos == s->period)
        s->pos = 0;
    if (s->n++ < s->period)
        return 0;
    *ret_old = old;
    return 1;
}

static int mom_update(void *st, const double *in, double *out)
{
    double old;
    if (!lag_step(st, in[0], &old))
        return 0;
    out[0] = in[0] - old;
    return 1;
}

static int roc_update(void *st, const double *in, double *out)
{
    double old;
    if (!lag_step(st, in[0], &old))
        return 0;
    out[0] = old != 0.0 ? ((in[0] / old) - 1.0) * 100.0 : 0.0;
    return 1;
}

static int rocp_update(void *st, const double *in, double *out)
{
    double old;
    if (!lag_step(st, in[0], &old))
        return 0;
    out[0] = old != 0.0 ? (in[0] - old) / old : 0.0;
    return 1;
}

static int rocr_update(void *st, const double *in, double *out)
{
    double old;
    if (!lag_step(st, in[0], &old))
        return 0;
    out[0] = old != 0.0 ? in[0] / old : 0.0;
    return 1;
}

static int rocr100_update(void *st, const double *in, double *out)
{
    double old;
    if (!lag_step(st, in[0], &old))
        return 0;
    out[0] = old != 0.0 ? (in[0] / old) * 100.0 : 0.0;
    return 1;
}

/* ====================================================================================
 * BOP: (close - open) / (high - low), 0 for a bar without range.
 * ==================================================================================*/

static int zero_lookback(const double *p) { (void)p; return 0; }
static int nothing_init(void *st, const double *p, int mode) { (void)st; (void)p; (void)mode; return 0; }

static int bop_update(void *st, const double *in, double *out)
{
    (void)st;
    double range = in[1] - in[2];
    out[0] = tc_ta_is_zero_or_neg(range) ? 0.0 : (in[3] - in[0]) / range;
    return 1;
}

/* ====================================================================================
 * IMI (intraday momentum): 100 * up / (up + down) over the last `period` bodies.
 *
 * TA-Lib re-adds the window each bar; here the sums run and are re-anchored from the
 * ring every `period` bars (O(1) amortised, drift bounded to one window).  A side with
 * no body in the window is exactly 0, so a window of flat bars gives 0/0 = NaN as in
 * TA-Lib.
 * ==================================================================================*/

typedef struct imi {
    int period, pos, n_up, n_down;
    long n;
    double up, down;
    double *ring_up, *ring_down; /* `period` slots each */
} imi_t;

static int imi_lookback(const double *p) { return period_of(p) - 1; }

static size_t imi_size(const double *p)
{
    return tc_ta_align(sizeof(imi_t)) + 2 * tc_ta_align(sizeof(double) * (size_t)period_of(p));
}

static int imi_init(void *st, const double *p, int mode)
{
    (void)mode;
    imi_t *s = st;
    s->period = period_of(p);
    unsigned char *m = (unsigned char *)st + tc_ta_align(sizeof(imi_t));
    s->ring_up = (double *)m;
    s->ring_down = (double *)(m + tc_ta_align(sizeof(double) * (size_t)s->period));
    return 0;
}

static int imi_update(void *st, const double *in, double *out)
{
    imi_t *s = st;
    double open = in[0], close = in[1];
    double up = 0.0, down = 0.0;
    if (close > open)
        up = close - open;
    else
        down = open - close;
    if (s->n >= s->period) {
        s->up -= s->ring_up[s->pos];
        s->down -= s->ring_down[s->pos];
        s->n_up -= s->ring_up[s->pos] != 0.0;
        s->n_down -= s->ring_down[s->pos] != 0.0;
    }
    s->ring_up[s->pos] = up;
    s->ring_down[s->pos] = down;
    s->up += up;
    s->down += down;
    s->n_up += up != 0.0;
    s->n_down += down != 0.0;
    if (++s->pos == s->period) {
        s->pos = 0;
        /* Re-anchor: sum the window oldest first, as TA-Lib does. */
        s->up = s->down = 0.0;
        for (int i = 0; i < s->period; i++) {
            s->up += s->ring_up[i];
            s->down += s->ring_down[i];
        }
    }
    if (s->n_up == 0)
        s->up = 0.0;
    if (s->n_down == 0)
        s->down = 0.0;
    if (s->n++ < s->period - 1)
        return 0;
    out[0] = 100.0 * (s->up / (s->up + s->down));
    return 1;
}

/* ====================================================================================
 * CCI: (TP - mean) / (0.015 * mean absolute deviation), TP = (high + low + close) / 3.
 *
 * The mean absolute deviation about a moving mean has no running form, so each bar
 * walks the `period` typical prices, as TA-Lib does: O(period) per update, the only
 * such function in these families.  The walk uses TA-Lib's slot order so that flat
 * windows give TA-Lib's answer (its mean of equal values may be off by an ulp).
 * ==================================================================================*/

typedef struct cci {
    int period, pos;
    long n;
    double *tp; /* `period` slots, slot = bar index mod period */
} cci_t;

static int cci_lookback(const double *p) { return period_of(p) - 1; }

static size_t cci_size(const double *p)
{
    return tc_ta_align(sizeof(cci_t)) + sizeof(double) * (size_t)period_of(p);
}

static int cci_init(void *st, const double *p, int mode)
{
    (void)mode;
    cci_t *s = st;
    s->period = period_of(p);
    s->tp = (double *)((unsigned char *)st + tc_ta_align(sizeof(cci_t)));
    return 0;
}

static int cci_update(void *st, const double *in, double *out)
{
    cci_t *s = st;
    int p = s->period;
    double last = (in[0] + in[1] + in[2]) / 3;
    s->tp[s->pos] = last;
    if (++s->pos == p)
        s->pos = 0;
    if (s->n++ < p - 1)
        return 0;
    double mean = 0;
    for (int j = 0; j < p; j++)
        mean += s->tp[j];
    mean /= p;
    double dev = 0;
    for (int j = 0; j < p; j++)
        dev += fabs(s->tp[j] - mean);
    double d = last - mean;
    out[0] = (d != 0.0 && dev != 0.0) ? d / (0.015 * (dev / p)) : 0.0;
    return 1;
}

/* ====================================================================================
 * MFI: 100 * positive flow / (positive + negative flow) over `period` bars, flow =
 * TP * volume signed by the change of TP; 0 when the total flow is below 1 (TA-Lib).
 * Running sums updated in TA-Lib's order (subtract the oldest, then add).
 *
 * In `talib` mode the sums run for ever, as TA-Lib's do, and keep their residue: after
 * large flows a window without positive flow can read -1e-12 instead of 0.  `precise`
 * mode re-sums the window every `period` bars and makes a side without flow exactly 0.
 * ==================================================================================*/

typedef struct mfi {
    int period, pos, precise, n_pos, n_neg;
    long n;
    double prev, pos_sum, neg_sum;
    double *pos_flow, *neg_flow; /* `period` slots each */
} mfi_t;

static size_t mfi_size(const double *p)
{
    return tc_ta_align(sizeof(mfi_t)) + 2 * tc_ta_align(sizeof(double) * (size_t)period_of(p));
}

static int mfi_init(void *st, const double *p, int mode)
{
    mfi_t *s = st;
    s->period = period_of(p);
    s->precise = mode == TC_TA_MODE_PRECISE;
    unsigned char *m = (unsigned char *)st + tc_ta_align(sizeof(mfi_t));
    s->pos_flow = (double *)m;
    s->neg_flow = (double *)(m + tc_ta_align(sizeof(double) * (size_t)s->period));
    return 0;
}

static int mfi_update(void *st, const double *in, double *out)
{
    mfi_t *s = st;
    long t = s->n++;
    double tp = (in[0] + in[1] + in[2]) / 3.0;
    if (t == 0) {
        s->prev = tp;
        return 0;
    }
    if (t > s->period) {
        s->pos_sum -= s->pos_flow[s->pos];
        s->neg_sum -= s->neg_flow[s->pos];
        s->n_pos -= s->pos_flow[s->pos] != 0.0;
        s->n_neg -= s->neg_flow[s->pos] != 0.0;
    }
    double d = tp - s->prev;
    s->prev = tp;
    double flow = tp * in[3];
    s->pos_flow[s->pos] = 0.0;
    s->neg_flow[s->pos] = 0.0;
    if (d < 0) {
        s->neg_flow[s->pos] = flow;
        s->neg_sum += flow;
        s->n_neg += flow != 0.0;
    } else if (d > 0) {
        s->pos_flow[s->pos] = flow;
        s->pos_sum += flow;
        s->n_pos += flow != 0.0;
    }
    if (++s->pos == s->period) {
        s->pos = 0;
        if (s->precise) {
            s->pos_sum = s->neg_sum = 0.0;
            for (int i = 0; i < s->period; i++) {
                s->pos_sum += s->pos_flow[i];
                s->neg_sum += s->neg_flow[i];
            }
        }
    }
    if (s->precise) {
        if (s->n_pos == 0)
            s->pos_sum = 0.0;
        if (s->n_neg == 0)
            s->neg_sum = 0.0;
    }
    if (t < s->period)
        return 0;
    double total = s->pos_sum + s->neg_sum;
    out[0] = total < 1.0 ? 0.0 : 100.0 * (s->pos_sum / total);
    return 1;
}

/* ====================================================================================
 * WILLR, AROON, AROONOSC: window extremes (tc_ta_extreme_t).
 * ==================================================================================*/

typedef struct extremes {
    int period;
    long n;
    tc_ta_extreme_t hi, lo;
} extremes_t;

/* Window of `period` bars (WILLR) or `period + 1` bars (AROON*). */
static size_t extremes_size_w(int w)
{
    return tc_ta_align(sizeof(extremes_t)) + 2 * tc_ta_extreme_size(w);
}

static void extremes_init_w(extremes_t *s, int period, int w)
{
    s->period = period;
    unsigned char *m = (unsigned char *)s + tc_ta_align(sizeof(extremes_t));
    tc_ta_extreme_init(&s->hi, w, 1, m);
    tc_ta_extreme_init(&s->lo, w, 0, m + tc_ta_extreme_size(w));
}

static int willr_lookback(const double *p) { return period_of(p) - 1; }
static size_t willr_size(const double *p) { return extremes_size_w(period_of(p)); }

static int willr_init(void *st, const double *p, int mode)
{
    (void)mode;
    extremes_init_w(st, period_of(p), period_of(p));
    return 0;
}

static int willr_update(void *st, const double *in, double *out)
{
    extremes_t *s = st;
    long t = s->n++;
    tc_ta_extreme_push(&s->hi, t, in[0]);
    tc_ta_extreme_push(&s->lo, t, in[1]);
    if (t < s->period - 1)
        return 0;
    double hi = tc_ta_extreme_value(&s->hi), lo = tc_ta_extreme_value(&s->lo);
    double diff = (hi - lo) / (-100.0);
    out[0] = diff != 0.0 ? (hi - in[2]) / diff : 0.0;
    return 1;
}

/* AROON: 100/period * (period - bars since the window's high / low), the most recent
 * of equal extremes counting (TA-Lib's <= and >=). */
static int aroon_lookback(const double *p) { return period_of(p); }
static size_t aroon_size(const double *p) { return extremes_size_w(period_of(p) + 1); }

static int aroon_init(void *st, const double *p, int mode)
{
    (void)mode;
    extremes_init_w(st, period_of(p), period_of(p) + 1);
    return 0;
}

static long aroon_step(extremes_t *s, const double *in)
{
    long t = s->n++;
    tc_ta_extreme_push(&s->hi, t, in[0]);
    tc_ta_extreme_push(&s->lo, t, in[1]);
    return t;
}

static int aroon_update(void *st, const double *in, double *out)
{
    extremes_t *s = st;
    long t = aroon_step(s, in);
    if (t < s->period)
        return 0;
    double factor = 100.0 / (double)s->period;
    out[0] = factor * (double)(s->period - (t - tc_ta_extreme_index(&s->lo)));
    out[1] = factor * (double)(s->period - (t - tc_ta_extreme_index(&s->hi)));
    return 1;
}

static int aroonosc_update(void *st, const double *in, double *out)
{
    extremes_t *s = st;
    long t = aroon_step(s, in);
    if (t < s->period)
        return 0;
    double factor = 100.0 / (double)s->period;
    out[0] = factor * (double)(tc_ta_extreme_index(&s->hi) - tc_ta_extreme_index(&s->lo));
    return 1;
}

/* ====================================================================================
 * ULTOSC: weighted buying pressure over three periods (sorted: the shortest weighs 4,
 * the middle 2, the longest 1).  Each period's sums start where TA-Lib primes them
 * and drop the bar leaving that period's window after the output, as TA-Lib does.
 * `precise` mode re-adds each period's sums from the ring every `longest` bars, so the
 * residue of values long gone (TA-Lib's sums run for ever) cannot swamp small ranges.
 * ==================================================================================*/

typedef struct ultosc {
    int per[3], longest, precise;
    int pos; /* ring slot of the current bar (bar index mod longest) */
    long n;
    double prev_close;
    double a[3], b[3];
    double *bp, *tr; /* `longest` slots each: buying pressure and true range by bar */
} ultosc_t;

static void ultosc_sorted(const double *p, int per[3])
{
    per[0] = (int)p[0];
    per[1] = (int)p[1];
    per[2] = (int)p[2];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2 - i; j++)
            if (per[j] > per[j + 1]) {
                int tmp = per[j];
                per[j] = per[j + 1];
                per[j + 1] = tmp;
            }
}

static int ultosc_lookback(const double *p)
{
    int per[3];
    ultosc_sorted(p, per);
    return per[2];
}

static size_t ultosc_size(const double *p)
{
    size_t ring = tc_ta_align(sizeof(double) * (size_t)ultosc_lookback(p));
    return tc_ta_align(sizeof(ultosc_t)) + 2 * ring;
}

static int ultosc_init(void *st, const double *p, int mode)
{
    ultosc_t *s = st;
    s->precise = mode == TC_TA_MODE_PRECISE;
    ultosc_sorted(p, s->per);
    s->longest = s->per[2];
    unsigned char *m = (unsigned char *)st + tc_ta_align(sizeof(ultosc_t));
    s->bp = (double *)m;
    s->tr = (double *)(m + tc_ta_align(sizeof(double) * (size_t)s->longest));
    return 0;
}

static int ultosc_update(void *st, const double *in, double *out)
{
    ultosc_t *s = st;
    long t = s->n++;
    double h = in[0], l = in[1], c = in[2];
    if (t == 0) {
        s->prev_close = c;
        return 0;
    }
    double true_low = l < s->prev_close ? l : s->prev_close;
    double bp = c - true_low;
    double tr = tc_ta_true_range(h, l, s->prev_close);
    s->prev_close = c;
    int L = s->longest;
    if (++s->pos == L)
        s->pos = 0;
    s->bp[s->pos] = bp;
    s->tr[s->pos] = tr;
    for (int k = 0; k < 3; k++)
        if (t >= L - s->per[k] + 1) {
            s->a[k] += bp;
            s->b[k] += tr;
        }
    if (t < L)
        return 0;
    double o = 0.0;
    if (!tc_ta_is_zero(s->b[0]))
        o += 4.0 * (s->a[0] / s->b[0]);
    if (!tc_ta_is_zero(s->b[1]))
        o += 2.0 * (s->a[1] / s->b[1]);
    if (!tc_ta_is_zero(s->b[2]))
        o += s->a[2] / s->b[2];
    for (int k = 0; k < 3; k++) {
        int old = s->pos - s->per[k] + 1; /* slot of bar t - per[k] + 1 */
        if (old < 0)
            old += L;
        s->a[k] -= s->bp[old];
        s->b[k] -= s->tr[old];
    }
    if (s->precise && s->pos == 0) {
        /* Each period's sums now hold its last per[k] - 1 bars: re-add them, oldest
         * first. */
        for (int k = 0; k < 3; k++) {
            s->a[k] = s->b[k] = 0.0;
            for (int j = s->per[k] - 2; j >= 0; j--) {
                int slot = s->pos - j;
                if (slot < 0)
                    slot += L;
                s->a[k] += s->bp[slot];
                s->b[k] += s->tr[slot];
            }
        }
    }
    out[0] = 100.0 * (o / 7.0);
    return 1;
}

/* ====================================================================================
 * TRIX: one-bar rate of change (in percent) of a triple EMA, each EMA seeded by the
 * mean of its first `period` inputs.
 * ==================================================================================*/

typedef struct trix {
    tc_ta_ema_t e1, e2, e3;
    int have_prev;
    double prev;
} trix_t;

static int trix_lookback(const double *p) { return 3 * (period_of(p) - 1) + 1; }
static size_t trix_size(const double *p) { (void)p; return sizeof(trix_t); }

static int trix_init(void *st, const double *p, int mode)
{
    (void)mode;
    trix_t *s = st;
    int n = period_of(p);
    double k = tc_ta_per_to_k(n);
    tc_ta_ema_init(&s->e1, n, k);
    tc_ta_ema_init(&s->e2, n, k);
    tc_ta_ema_init(&s->e3, n, k);
    return 0;
}

static int trix_update(void *st, const double *in, double *out)
{
    trix_t *s = st;
    double y1, y2, y3;
    if (!tc_ta_ema_update(&s->e1, in[0], &y1) || !tc_ta_ema_update(&s->e2, y1, &y2) ||
        !tc_ta_ema_update(&s->e3, y2, &y3))
        return 0;
    double prev = s->prev;
    int had = s->have_prev;
    s->prev = y3;
    s->have_prev = 1;
    if (!had)
        return 0;
    out[0] = prev != 0.0 ? ((y3 / prev) - 1.0) * 100.0 : 0.0;
    return 1;
}

/* ====================================================================================
 * Descriptors
 * ==================================================================================*/

#define MOM_GROUP "Momentum Indicators"
#define HLC { "high", "low", "close" }
#define PERIOD14_2 { TC_TA_P_INT("TimePeriod", 14, 2) }
#define PERIOD14_1 { TC_TA_P_INT("TimePeriod", 14, 1) }
#define PERIOD10_1 { TC_TA_P_INT("TimePeriod", 10, 1) }

static const tc_ta_func_t fn_adx = {
    "ADX", MOM_GROUP, "Average Directional Movement Index",
    3, HLC, 1, PERIOD14_2, 1, { "real" }, 0,
    adx_lookback, dmi_size, dmi_init, adx_update,
};
static const tc_ta_func_t fn_adxr = {
    "ADXR", MOM_GROUP, "Average Directional Movement Index Rating",
    3, HLC, 1, PERIOD14_2, 1, { "real" }, 0,
    adxr_lookback, adxr_size, adxr_init, adxr_update,
};
static const tc_ta_func_t fn_aroon = {
    "AROON", MOM_GROUP, "Aroon",
    2, { "high", "low" }, 1, PERIOD14_2, 2, { "aroondown", "aroonup" }, 0,
    aroon_lookback, aroon_size, aroon_init, aroon_update,
};
static const tc_ta_func_t fn_aroonosc = {
    "AROONOSC", MOM_GROUP, "Aroon Oscillator",
    2, { "high", "low" }, 1, PERIOD14_2, 1, { "real" }, 0,
    aroon_lookback, aroon_size, aroon_init, aroonosc_update,
};
static const tc_ta_func_t fn_bop = {
    "BOP", MOM_GROUP, "Balance Of Power",
    4, { "open", "high", "low", "close" }, 0, { { 0 } }, 1, { "real" }, 0,
    zero_lookback, plain_size, nothing_init, bop_update,
};
static const tc_ta_func_t fn_cci = {
    "CCI", MOM_GROUP, "Commodity Channel Index",
    3, HLC, 1, PERIOD14_2, 1, { "real" }, 0,
    cci_lookback, cci_size, cci_init, cci_update,
};
static const tc_ta_func_t fn_cmo = {
    "CMO", MOM_GROUP, "Chande Momentum Oscillator",
    1, { "inReal" }, 1, PERIOD14_2, 1, { "real" }, 0,
    period_of, gainloss_size, gainloss_init, cmo_update,
};
static const tc_ta_func_t fn_dx = {
    "DX", MOM_GROUP, "Directional Movement Index",
    3, HLC, 1, PERIOD14_2, 1, { "real" }, 0,
    period_of, dmi_size, dmi_init, dx_update,
};
static const tc_ta_func_t fn_imi = {
    "IMI", MOM_GROUP, "Intraday Momentum Index",
    2, { "open", "close" }, 1, PERIOD14_2, 1, { "real" }, 0,
    imi_lookback, imi_size, imi_init, imi_update,
};
static const tc_ta_func_t fn_mfi = {
    "MFI", MOM_GROUP, "Money Flow Index",
    4, { "high", "low", "close", "volume" }, 1, PERIOD14_2, 1, { "real" }, 0,
    period_of, mfi_size, mfi_init, mfi_update,
};
static const tc_ta_func_t fn_minus_di = {
    "MINUS_DI", MOM_GROUP, "Minus Directional Indicator",
    3, HLC, 1, PERIOD14_1, 1, { "real" }, 0,
    di_lookback, dmi_size, dmi_init, minus_di_update,
};
static const tc_ta_func_t fn_minus_dm = {
    "MINUS_DM", MOM_GROUP, "Minus Directional Movement",
    2, { "high", "low" }, 1, PERIOD14_1, 1, { "real" }, 0,
    dm_lookback, dmi_size, dmi_init, minus_dm_update,
};
static const tc_ta_func_t fn_mom = {
    "MOM", MOM_GROUP, "Momentum",
    1, { "inReal" }, 1, PERIOD10_1, 1, { "real" }, 0,
    period_of, lag_size, lag_init, mom_update,
};
static const tc_ta_func_t fn_plus_di = {
    "PLUS_DI", MOM_GROUP, "Plus Directional Indicator",
    3, HLC, 1, PERIOD14_1, 1, { "real" }, 0,
    di_lookback, dmi_size, dmi_init, plus_di_update,
};
static const tc_ta_func_t fn_plus_dm = {
    "PLUS_DM", MOM_GROUP, "Plus Directional Movement",
    2, { "high", "low" }, 1, PERIOD14_1, 1, { "real" }, 0,
    dm_lookback, dmi_size, dmi_init, plus_dm_update,
};
static const tc_ta_func_t fn_roc = {
    "ROC", MOM_GROUP, "Rate of change: ((price/prevPrice)-1)*100",
    1, { "inReal" }, 1, PERIOD10_1, 1, { "real" }, 0,
    period_of, lag_size, lag_init, roc_update,
};
static const tc_ta_func_t fn_rocp = {
    "ROCP", MOM_GROUP, "Rate of change Percentage: (price-prevPrice)/prevPrice",
    1, { "inReal" }, 1, PERIOD10_1, 1, { "real" }, 0,
    period_of, lag_size, lag_init, rocp_update,
};
static const tc_ta_func_t fn_rocr = {
    "ROCR", MOM_GROUP, "Rate of change ratio: (price/prevPrice)",
    1, { "inReal" }, 1, PERIOD10_1, 1, { "real" }, 0,
    period_of, lag_size, lag_init, rocr_update,
};
static const tc_ta_func_t fn_rocr100 = {
    "ROCR100", MOM_GROUP, "Rate of change ratio 100 scale: (price/prevPrice)*100",
    1, { "inReal" }, 1, PERIOD10_1, 1, { "real" }, 0,
    period_of, lag_size, lag_init, rocr100_update,
};
static const tc_ta_func_t fn_rsi = {
    "RSI", MOM_GROUP, "Relative Strength Index",
    1, { "inReal" }, 1, PERIOD14_2, 1, { "real" }, 0,
    period_of, gainloss_size, gainloss_init, rsi_update,
};
static const tc_ta_func_t fn_trix = {
    "TRIX", MOM_GROUP, "1-day Rate-Of-Change (ROC) of a Triple Smooth EMA",
    1, { "inReal" }, 1, { TC_TA_P_INT("TimePeriod", 30, 1) }, 1, { "real" }, 0,
    trix_lookback, trix_size, trix_init, trix_update,
};
static const tc_ta_func_t fn_ultosc = {
    "ULTOSC", MOM_GROUP, "Ultimate Oscillator",
    3, HLC, 3,
    { TC_TA_P_INT("TimePeriod1", 7, 1), TC_TA_P_INT("TimePeriod2", 14, 1),
      TC_TA_P_INT("TimePeriod3", 28, 1) },
    1, { "real" }, 0,
    ultosc_lookback, ultosc_size, ultosc_init, ultosc_update,
};
static const tc_ta_func_t fn_willr = {
    "WILLR", MOM_GROUP, "Williams' %R",
    3, HLC, 1, PERIOD14_2, 1, { "real" }, 0,
    willr_lookback, willr_size, willr_init, willr_update,
};

const tc_ta_func_t *const tc_ta_family_momentum[] = {
    &fn_adx,
    &fn_adxr,
    &tc_ta_momentum_apo,
    &fn_aroon,
    &fn_aroonosc,
    &fn_bop,
    &fn_cci,
    &fn_cmo,
    &fn_dx,
    &fn_imi,
    &tc_ta_momentum_macd,
    &tc_ta_momentum_macdext,
    &tc_ta_momentum_macdfix,
    &fn_mfi,
    &fn_minus_di,
    &fn_minus_dm,
    &fn_mom,
    &fn_plus_di,
    &fn_plus_dm,
    &tc_ta_momentum_ppo,
    &fn_roc,
    &fn_rocp,
    &fn_rocr,
    &fn_rocr100,
    &fn_rsi,
    &tc_ta_momentum_stoch,
    &tc_ta_momentum_stochf,
    &tc_ta_momentum_stochrsi,
    &fn_trix,
    &fn_ultosc,
    &fn_willr,
    NULL,
};
