/* ht.h — the Hilbert-transform core shared by MAMA and the HT_* cycle functions.
 *
 * Ehlers' homodyne discriminator as TA-Lib runs it ("Rocket Science for Traders"): a
 * 4-bar WMA smooths the price, a detrender and two quadrature filters split it into
 * in-phase (I1) and quadrature (Q1) parts, and the dominant cycle period follows from
 * their rotation.  The filters alternate between an odd and an even set of delay lines
 * by the parity of the bar's absolute index, as TA-Lib does; since each set starts at
 * zero and cycles through its three taps, the values do not depend on that parity.
 */
#ifndef TC_FEATURES_HT_H
#define TC_FEATURES_HT_H

/* One Hilbert filter: three-tap delay lines for odd and even bars. */
typedef struct tc_ht_filt {
    double odd[3], even[3];
    double prev_odd, prev_even;       /* b * previous input, per parity */
    double prev_in_odd, prev_in_even; /* previous input, per parity */
} tc_ht_filt_t;

/* Private fields; use the functions below. */
typedef struct tc_ht {
    long origin;     /* absolute index of the first bar (parity of the filters) */
    long n;          /* bars consumed */
    int warm;        /* WMA-only bars after the first three (TA-Lib: 9 or 34) */
    int hidx;        /* position in the three-tap delay lines */
    double rad2deg;  /* 45 / atan(1), as TA-Lib computes it */
    double x3[3];    /* last three inputs, slot n % 3 */
    double wsum, wsub, wtrail; /* running 4-bar WMA, TA-Lib's periodWMASum/Sub */
    tc_ht_filt_t det, q1f, jif, jqf;
    double i1_odd2, i1_odd3, i1_even2, i1_even3;
    double prev_q2, prev_i2, re, im;
    /* Results of the last step that returned 1. */
    double smooth; /* WMA-smoothed price */
    double i1, q1; /* in-phase and quadrature components */
    double period; /* dominant cycle period (before HT_DCPERIOD's extra smoothing) */
} tc_ht_t;

/* Starts an empty transform: warm is the number of WMA-only bars TA-Lib runs before the
 * filters (9 for MAMA, HT_DCPERIOD, HT_PHASOR; 34 for the other HT functions); origin
 * is the absolute index of the first bar fed.  Can't fail. */
void tc_ht_init(tc_ht_t *h, int warm, long origin);

/* Consumes one price.  Returns 1 when the filters ran on this bar (smooth, i1, q1 and
 * period are then this bar's values), 0 during the 3 + warm bars of WMA warm-up.
 * Can't fail; no allocation. */
int tc_ht_step(tc_ht_t *h, double x);

/* Degrees per radian as TA-Lib computes it (45 / atan(1)). */
double tc_ht_rad2deg(void);

/* ---- the dominant-cycle layer of HT_DCPHASE, HT_SINE, HT_TRENDLINE, HT_TRENDMODE ---- */

#define TC_HT_SMOOTH_SIZE 50 /* TA-Lib's SMOOTH_PRICE_SIZE */
#define TC_HT_PRICE_RING 64  /* > the longest dominant cycle (50 bars) */

enum tc_ht_want {
    TC_HT_WANT_PHASE = 1, /* DC phase, sine and lead sine */
    TC_HT_WANT_TREND = 2, /* instantaneous trend line */
};

#define TC_HT_DFT_MAX 50  /* longest DFT: the period is clamped to 50 bars */

/* Private fields; use the functions below. */
typedef struct tc_ht_cycle {
    tc_ht_t ht;
    int want;
    double smooth_period;
    double smooth_price[TC_HT_SMOOTH_SIZE]; /* smoothed prices, newest at sp_idx */
    int sp_idx;
    double price[TC_HT_PRICE_RING]; /* raw prices, newest at ht.n - 1 */
    double itrend1, itrend2, itrend3;
    int days_in_trend;
    /* Results of the last step that returned 1. */
    double dc_phase, prev_dc_phase;
    double sine, lead_sine, prev_sine, prev_lead_sine;
    double trendline;
    int trend;
} tc_ht_cycle_t;

/* Starts the 63-bar-lookback family (34 WMA warm-up bars, origin 0); want is a mask of
 * enum tc_ht_want (trend mode needs both).  Can't fail. */
void tc_ht_cycle_init(tc_ht_cycle_t *c, int want);

/* Consumes one price.  Returns 1 when the filters ran on this bar (the results above,
 * as far as wanted, are this bar's), 0 during the warm-up.  Can't fail. */
int tc_ht_cycle_step(tc_ht_cycle_t *c, double x);

#endif
