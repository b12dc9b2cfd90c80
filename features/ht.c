/* ht.c — the Hilbert-transform core of MAMA and the HT_* functions (features/ht.h).
 *
 * Follows TA-Lib's ta_HT_DCPERIOD.c / ta_MAMA.c step by step, in the same floating-point
 * order (the library is built with -ffp-contract=off), so that the streaming values are
 * the batch values: the 4-bar WMA warm-up, the odd/even delay lines selected by the
 * parity of the absolute bar index, the homodyne discriminator and the period clamps.
 * What each HT function derives from the core (phase, sine, trend line, trend mode) lives
 * in ta_cycle.c; MAMA's adaptive smoothing lives in ma.c.
 */
#include "features/ht.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

/* Ehlers' filter coefficients, as TA-Lib spells them. */
#define HT_A 0.0962
#define HT_B 0.5769

double tc_ht_rad2deg(void) { return 45.0 / atan(1.0); }

void tc_ht_init(tc_ht_t *h, int warm, long origin)
{
    memset(h, 0, sizeof *h);
    h->warm = warm;
    h->origin = origin;
    h->rad2deg = tc_ht_rad2deg();
}

/* One tap of the transform on one parity's delay line; TA-Lib's DO_HILBERT_TRANSFORM,
 * whose operation order decides the last bits of every HT output. */
static double filt_step(double *line, double *prev, double *prev_in, int idx, double in,
                        double adj)
{
    double t = HT_A * in;
    double v = -line[idx];
    line[idx] = t;
    v += t;
    v -= *prev;
    *prev = HT_B * *prev_in;
    v += *prev;
    *prev_in = in;
    v *= adj;
    return v;
}

#define FILT_EVEN(f, in, idx, adj)                                                         \
    filt_step((f)->even, &(f)->prev_even, &(f)->prev_in_even, (idx), (in), (adj))
#define FILT_ODD(f, in, idx, adj)                                                          \
    filt_step((f)->odd, &(f)->prev_odd, &(f)->prev_in_odd, (idx), (in), (adj))

int tc_ht_step(tc_ht_t *h, double x)
{
    long t = h->n++;
    int slot = (int)(t % 3);
    if (t < 3) {
        /* Seed of the 4-bar WMA: weights 1, 2, 3 on the first three prices. */
        if (t == 0) {
            h->wsub = x;
            h->wsum = x;
        } else {
            h->wsub += x;
            h->wsum += x * (double)(t + 1);
        }
        h->x3[slot] = x;
        return 0;
    }
    double adj = (0.075 * h->period) + 0.54;
    h->wsub += x;
    h->wsub -= h->wtrail;
    h->wsum += x * 4.0;
    h->wtrail = h->x3[slot]; /* the price three bars back leaves the window next bar */
    h->x3[slot] = x;
    double smooth = h->wsum * 0.1;
    h->wsum -= h->wsub;
    if (t < 3 + h->warm)
        return 0;

    double det, q1, ji, jq, q2, i2, i1;
    if (((h->origin + t) % 2) == 0) {
        det = FILT_EVEN(&h->det, smooth, h->hidx, adj);
        q1 = FILT_EVEN(&h->q1f, det, h->hidx, adj);
        ji = FILT_EVEN(&h->jif, h->i1_even3, h->hidx, adj);
        jq = FILT_EVEN(&h->jqf, q1, h->hidx, adj);
        if (++h->hidx == 3)
            h->hidx = 0;
        i1 = h->i1_even3;
        q2 = (0.2 * (q1 + ji)) + (0.8 * h->prev_q2);
        i2 = (0.2 * (i1 - jq)) + (0.8 * h->prev_i2);
        h->i1_odd3 = h->i1_odd2;
        h->i1_odd2 = det;
    } else {
        det = FILT_ODD(&h->det, smooth, h->hidx, adj);
        q1 = FILT_ODD(&h->q1f, det, h->hidx, adj);
        ji = FILT_ODD(&h->jif, h->i1_odd3, h->hidx, adj);
        jq = FILT_ODD(&h->jqf, q1, h->hidx, adj);
        i1 = h->i1_odd3;
        q2 = (0.2 * (q1 + ji)) + (0.8 * h->prev_q2);
        i2 = (0.2 * (i1 - jq)) + (0.8 * h->prev_i2);
        h->i1_even3 = h->i1_even2;
        h->i1_even2 = det;
    }
    h->re = (0.2 * ((i2 * h->prev_i2) + (q2 * h->prev_q2))) + (0.8 * h->re);
    h->im = (0.2 * ((i2 * h->prev_q2) - (q2 * h->prev_i2))) + (0.8 * h->im);
    h->prev_q2 = q2;
    h->prev_i2 = i2;

    double prev = h->period, period = prev;
    if (h->im != 0.0 && h->re != 0.0)
        period = 360.0 / (atan(h->im / h->re) * h->rad2deg);
    /* Ehlers' limits: at most 50% faster or 33% slower than last bar, within 6..50. */
    double lim = 1.5 * prev;
    if (period > lim)
        period = lim;
    lim = 0.67 * prev;
    if (period < lim)
        period = lim;
    if (period < 6)
        period = 6;
    else if (period > 50)
        period = 50;
    h->period = (0.2 * period) + (0.8 * prev);

    h->smooth = smooth;
    h->i1 = i1;
    h->q1 = q1;
    return 1;
}

/* ---- the dominant-cycle layer (TA-Lib's ta_HT_DCPHASE.c, ta_HT_SINE.c,
 *      ta_HT_TRENDLINE.c, ta_HT_TRENDMODE.c, which share this loop body) ---- */

/* The sines and cosines of the DFT over n bars (n = 1..50), bit for bit the values
 * TA-Lib computes on every bar: one table for the process, filled once.  (A per-instance
 * cache of a few lengths missed often: the rounded period hops between neighbouring
 * lengths, and the sines then cost more than the rest of the bar.) */
static double dft_sin[TC_HT_DFT_MAX + 1][TC_HT_DFT_MAX], dft_cos[TC_HT_DFT_MAX + 1][TC_HT_DFT_MAX];
static pthread_once_t dft_once = PTHREAD_ONCE_INIT;

static void dft_fill(void)
{
    const double deg2rad_by_360 = atan(1.0) * 8.0;
    for (int n = 1; n <= TC_HT_DFT_MAX; n++)
        for (int i = 0; i < n; i++) {
            double a = ((double)i * deg2rad_by_360) / (double)n;
            dft_sin[n][i] = sin(a);
            dft_cos[n][i] = cos(a);
        }
}

void tc_ht_cycle_init(tc_ht_cycle_t *c, int want)
{
    pthread_once(&dft_once, dft_fill);
    memset(c, 0, sizeof *c);
    tc_ht_init(&c->ht, 34, 0);
    c->want = want;
}

/* TA-Lib's (int)(smoothPeriod + 0.5), kept defined when a NaN input poisoned the
 * period (the loops then run zero times, as they do in TA-Lib on x86). */
static int cycle_len(double smooth_period)
{
    double v = smooth_period + 0.5;
    return (v >= 0.0 && v < 1000.0) ? (int)v : 0;
}

/* The phase of the dominant cycle: a one-period DFT of the smoothed prices. */
static void cycle_phase(tc_ht_cycle_t *c)
{
    const double rad2deg = c->ht.rad2deg;
    int n = cycle_len(c->smooth_period);
    if (n > TC_HT_DFT_MAX)
        n = TC_HT_DFT_MAX; /* unreachable: the period is clamped to 50 */
    double re = 0.0, im = 0.0;
    if (n > 0) {
        const double *sn = dft_sin[n], *cs = dft_cos[n];
        int idx = c->sp_idx;
        for (int i = 0; i < n; i++) {
            double v = c->smooth_price[idx];
            re += sn[i] * v;
            im += cs[i] * v;
            idx = idx == 0 ? TC_HT_SMOOTH_SIZE - 1 : idx - 1;
        }
    }
    double phase = c->dc_phase;
    double aim = fabs(im);
    if (aim > 0.0)
        phase = atan(re / im) * rad2deg;
    else if (aim <= 0.01) {
        /* TA-Lib keeps the previous phase and turns it a quarter when im is 0. */
        if (re < 0.0)
            phase -= 90.0;
        else if (re > 0.0)
            phase += 90.0;
    }
    phase += 90.0;
    /* Compensates the one-bar lag of the WMA smoothing. */
    phase += 360.0 / c->smooth_period;
    if (im < 0.0)
        phase += 180.0;
    if (phase > 315.0)
        phase -= 360.0;
    c->prev_dc_phase = c->dc_phase;
    c->dc_phase = phase;
    double deg2rad = 1.0 / rad2deg;
    c->prev_sine = c->sine;
    c->prev_lead_sine = c->lead_sine;
    c->sine = sin(phase * deg2rad);
    c->lead_sine = sin((phase + 45) * deg2rad);
}

int tc_ht_cycle_step(tc_ht_cycle_t *c, double x)
{
    long t = c->ht.n;
    c->price[t % TC_HT_PRICE_RING] = x;
    if (!tc_ht_step(&c->ht, x))
        return 0;
    c->smooth_period = (0.33 * c->ht.period) + (0.67 * c->smooth_period);
    c->smooth_price[c->sp_idx] = c->ht.smooth;
    if (c->want & TC_HT_WANT_PHASE)
        cycle_phase(c);
    if (c->want & TC_HT_WANT_TREND) {
        int n = cycle_len(c->smooth_period);
        double mean = 0.0;
        long idx = t;
        /* n <= 50 < bars seen by now, so idx stays >= 0; the test keeps a bad input
         * from reading outside the ring. */
        for (int i = 0; i < n && idx >= 0; i++, idx--)
            mean += c->price[idx % TC_HT_PRICE_RING];
        if (n > 0)
            mean = mean / (double)n;
        c->trendline = (4.0 * mean + 3.0 * c->itrend1 + 2.0 * c->itrend2 + c->itrend3) / 10.0;
        c->itrend3 = c->itrend2;
        c->itrend2 = c->itrend1;
        c->itrend1 = mean;
    }
    if ((c->want & (TC_HT_WANT_PHASE | TC_HT_WANT_TREND)) ==
        (TC_HT_WANT_PHASE | TC_HT_WANT_TREND)) {
        int trend = 1;
        /* A sine / lead-sine crossing starts a cycle mode. */
        if (((c->sine > c->lead_sine) && (c->prev_sine <= c->prev_lead_sine)) ||
            ((c->sine < c->lead_sine) && (c->prev_sine >= c->prev_lead_sine))) {
            c->days_in_trend = 0;
            trend = 0;
        }
        c->days_in_trend++;
        if (c->days_in_trend < (0.5 * c->smooth_period))
            trend = 0;
        double dphase = c->dc_phase - c->prev_dc_phase;
        if ((c->smooth_period != 0.0) && ((dphase > (0.67 * 360.0 / c->smooth_period)) &&
                                          (dphase < (1.5 * 360.0 / c->smooth_period))))
            trend = 0;
        double sp = c->smooth_price[c->sp_idx];
        if ((c->trendline != 0.0) && (fabs((sp - c->trendline) / c->trendline) >= 0.015))
            trend = 1;
        c->trend = trend;
    }
    if (++c->sp_idx == TC_HT_SMOOTH_SIZE)
        c->sp_idx = 0;
    return 1;
}
