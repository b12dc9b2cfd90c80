/* ta_overlap.c — TA-Lib's overlap studies as streaming indicators (features/ta.h).
 *
 * ACCBANDS BBANDS DEMA EMA HT_TRENDLINE KAMA MA MAMA MAVP MIDPOINT MIDPRICE SAR SAREXT
 * SMA T3 TEMA TRIMA WMA, each reproducing the TA-Lib function of the same name (ta_*.c
 * of TA-Lib 0.6), parameters and ranges as TA-Lib's abstract API declares them.  The
 * moving averages themselves live in ma.c and the Hilbert transform in ht.c; this file
 * holds the descriptors and what TA-Lib builds on top of them: the bands, the variable-
 * period bank of MAVP, the window extremes of MIDPOINT/MIDPRICE and Wilder's parabolic
 * SAR.  Not here: STDDEV/VAR as functions (ta_stats.c), the momentum users of MA.
 */
#include "features/ma.h"
#include "features/ta.h"
#include "daemon/runtime/err.h"

#include <math.h>
#include <string.h>

#define REAL_MAX 3e37 /* TA_REAL_MAX */
#define TA_EPSILON 0.00000000000001
#define IS_ZERO(v) (((-TA_EPSILON) < (v)) && ((v) < TA_EPSILON))
#define IS_ZERO_OR_NEG(v) ((v) < TA_EPSILON)

#define PERIOD(def) {"TimePeriod", TC_TA_PARAM_INT, (def), 2, TC_MA_PERIOD_MAX}
#define MATYPE(name) {(name), TC_TA_PARAM_MATYPE, 0, 0, 8}

static const char G_OVERLAP[] = "Overlap Studies";

/* ---------------------------------------------------------------- plain MAs ---- */

typedef struct ma_st {
    tc_ma_t ma;
    double win[]; /* the MA's window, tc_ma_window_size bytes */
} ma_st_t;

static int ma_fn_update(void *st, const double *in, double *out)
{
    ma_st_t *s = st;
    return tc_ma_update(&s->ma, in[0], &out[0]);
}

/* One descriptor per fixed MA type; p[0] is the period. */
#define MA_FUNC(NAME, TYPE, DEF, DOC)                                                      \
    static int NAME##_lookback(const double *p) { return tc_ma_lookback(TYPE, (int)p[0]); } \
    static size_t NAME##_size(const double *p)                                             \
    {                                                                                      \
        return sizeof(ma_st_t) + tc_ma_window_size(TYPE, (int)p[0]);                       \
    }                                                                                      \
    static int NAME##_init(void *st, const double *p, int mode)                            \
    {                                                                                      \
        ma_st_t *s = st;                                                                   \
        return tc_ma_init(&s->ma, TYPE, (int)p[0], mode, s->win);                          \
    }                                                                                      \
    static const tc_ta_func_t f_##NAME = {                                                 \
        .name = #NAME, .group = G_OVERLAP, .doc = DOC,                                     \
        .n_in = 1, .in = {"inReal"},                                                       \
        .n_param = 1, .param = {PERIOD(DEF)},                                              \
        .n_out = 1, .out = {"real"},                                                       \
        .lookback = NAME##_lookback, .state_size = NAME##_size,                            \
        .init = NAME##_init, .update = ma_fn_update,                                       \
    }

MA_FUNC(SMA, TC_MA_SMA, 30, "Simple Moving Average");
MA_FUNC(EMA, TC_MA_EMA, 30, "Exponential Moving Average (seeded by the SMA of the first period)");
MA_FUNC(WMA, TC_MA_WMA, 30, "Weighted Moving Average");
MA_FUNC(DEMA, TC_MA_DEMA, 30, "Double Exponential Moving Average");
MA_FUNC(TEMA, TC_MA_TEMA, 30, "Triple Exponential Moving Average");
MA_FUNC(TRIMA, TC_MA_TRIMA, 30, "Triangular Moving Average");
MA_FUNC(KAMA, TC_MA_KAMA, 30, "Kaufman Adaptive Moving Average");

/* MA: any type, period 1 (the identity) allowed. */
static int ma_lookback(const double *p) { return tc_ma_lookback((int)p[1], (int)p[0]); }
static size_t ma_size(const double *p)
{
    return sizeof(ma_st_t) + tc_ma_window_size((int)p[1], (int)p[0]);
}
static int ma_init(void *st, const double *p, int mode)
{
    ma_st_t *s = st;
    return tc_ma_init(&s->ma, (int)p[1], (int)p[0], mode, s->win);
}
static const tc_ta_func_t f_MA = {
    .name = "MA", .group = G_OVERLAP, .doc = "Moving average of any type",
    .n_in = 1, .in = {"inReal"},
    .n_param = 2,
    .param = {{"TimePeriod", TC_TA_PARAM_INT, 30, 1, TC_MA_PERIOD_MAX}, MATYPE("MAType")},
    .n_out = 1, .out = {"real"},
    .lookback = ma_lookback, .state_size = ma_size, .init = ma_init, .update = ma_fn_update,
};

/* T3: TimePeriod, VFactor. */
static int t3_lookback(const double *p) { return tc_ma_lookback(TC_MA_T3, (int)p[0]); }
static size_t t3_size(const double *p)
{
    (void)p;
    return sizeof(ma_st_t);
}
static int t3_init(void *st, const double *p, int mode)
{
    (void)mode;
    ma_st_t *s = st;
    return tc_ma_t3_init(&s->ma, (int)p[0], p[1]);
}
static const tc_ta_func_t f_T3 = {
    .name = "T3", .group = G_OVERLAP, .doc = "Triple Exponential Moving Average (T3, Tillson)",
    .n_in = 1, .in = {"inReal"},
    .n_param = 2, .param = {PERIOD(5), {"VFactor", TC_TA_PARAM_REAL, 0.7, 0, 1}},
    .n_out = 1, .out = {"real"},
    .lookback = t3_lookback, .state_size = t3_size, .init = t3_init, .update = ma_fn_update,
};

/* MAMA: FastLimit, SlowLimit; outputs mama, fama. */
static int mama_lookback(const double *p)
{
    (void)p;
    return tc_ma_lookback(TC_MA_MAMA, 2);
}
static int mama_init(void *st, const double *p, int mode)
{
    (void)mode;
    ma_st_t *s = st;
    return tc_ma_mama_init(&s->ma, p[0], p[1]);
}
static int mama_update(void *st, const double *in, double *out)
{
    ma_st_t *s = st;
    if (!tc_ma_update(&s->ma, in[0], &out[0]))
        return 0;
    out[1] = tc_ma_mama_fama(&s->ma);
    return 1;
}
static const tc_ta_func_t f_MAMA = {
    .name = "MAMA", .group = G_OVERLAP, .doc = "MESA Adaptive Moving Average",
    .n_in = 1, .in = {"inReal"},
    .n_param = 2,
    .param = {{"FastLimit", TC_TA_PARAM_REAL, 0.5, 0.01, 0.99},
              {"SlowLimit", TC_TA_PARAM_REAL, 0.05, 0.01, 0.99}},
    .n_out = 2, .out = {"mama", "fama"},
    .lookback = mama_lookback, .state_size = t3_size, .init = mama_init, .update = mama_update,
};

/* ------------------------------------------------------------------ BBANDS ---- */

/* A compensated (Neumaier) long-double sum: a term added and later subtracted cancels
 * to within a few units of the last place of what remains, however large it was. */
typedef struct csum {
    long double s, c;
} csum_t;

static inline void csum_add(csum_t *k, long double v)
{
    long double t = k->s + v;
    if (fabsl(k->s) >= fabsl(v))
        k->c += (k->s - t) + v;
    else
        k->c += (v - t) + k->s;
    k->s = t;
}

static inline long double csum_get(const csum_t *k) { return k->s + k->c; }

/* TA-Lib computes the bands' deviation two ways: for an SMA middle band from the
 * running sum of x^2 against the SMA itself (TA_INT_stddev_using_precalc_ma); for any
 * other MA by calling STDDEV from the MA's first output, i.e. running sums of x and x^2
 * that start at bar max(lookback, period-1) - (period-1).  When the MA's lookback is
 * shorter than period-1 (MAMA with a period above 33) TA-Lib pairs the deviation of
 * bar t with the middle band of bar t - delay; that is reproduced. */
typedef struct bb_st {
    tc_ma_t ma;
    int p, type, mode;
    double up, dn;
    long n;
    int first;     /* first bar with output */
    int var_start; /* first bar in STDDEV's running sums (non-SMA types) */
    int delay;     /* bars the middle band lags the deviation */
    double s1, s2; /* TA-Lib's running sums of x and x^2 */
    /* precise mode: sliding sums of x - anchor (ls*), and the same sums accumulated
     * afresh since the last swap around fanchor (f*), which replace them every p bars */
    csum_t ls1, ls2, f1, f2;
    double anchor, fanchor, last_x;
    int since, flat_run;
    int cool; /* bars before another forced re-centring may run */
    double *ring; /* the last p + 1 inputs, newest at ring_head */
    int ring_head;
    double *mid; /* the last delay + 1 middle-band values */
    int mid_head;
    double buf[];
} bb_st_t;

static int bb_first(int p, int type)
{
    int lb = tc_ma_lookback(type, p);
    return lb > p - 1 ? lb : p - 1;
}
static int bb_lookback(const double *p) { return bb_first((int)p[0], (int)p[3]); }
static size_t bb_size(const double *p)
{
    int per = (int)p[0], type = (int)p[3];
    int delay = bb_first(per, type) - tc_ma_lookback(type, per);
    return sizeof(bb_st_t) + tc_ma_window_size(type, per) +
           sizeof(double) * (size_t)(per + 1 + delay + 1);
}
static int bb_init(void *st, const double *p, int mode)
{
    bb_st_t *s = st;
    s->p = (int)p[0];
    s->up = p[1];
    s->dn = p[2];
    s->type = (int)p[3];
    s->mode = mode;
    s->first = bb_first(s->p, s->type);
    s->delay = s->first - tc_ma_lookback(s->type, s->p);
    s->var_start = s->first - (s->p - 1);
    size_t wn = tc_ma_window_size(s->type, s->p) / sizeof(double);
    s->ring = s->buf + wn;
    s->ring_head = s->p; /* the first push lands on slot 0 */
    s->mid = s->ring + s->p + 1;
    s->mid_head = s->delay;
    return tc_ma_init(&s->ma, s->type, s->p, mode, s->buf);
}

static inline double bb_lag(const bb_st_t *s, int k)
{
    int i = s->ring_head - k;
    if (i < 0)
        i += s->p + 1;
    return s->ring[i];
}

/* Precise mode, every bar: keeps the window's sums of x - anchor exact to a few
 * roundings at O(1) per bar.  The sliding sums take each new value and drop the old
 * one; a second pair sums the values since the last swap afresh, around the first of
 * them, and replaces the sliding pair when it covers exactly the window, so no rounding
 * outlives p bars and no update loops over the window. */
static void bb_precise_add(bb_st_t *s, long t, double x)
{
    int p = s->p;
    /* The fresh block is centred on its first value: the price level the window will
     * have when the block replaces the sliding sums, even after a jump. */
    if (s->since == 0)
        s->fanchor = x;
    long double d = (long double)x - s->fanchor;
    csum_add(&s->f1, d);
    csum_add(&s->f2, d * d);
    if (t >= p) {
        /* The leaving value's terms are the very ones its block added (same anchor), so
         * with compensated sums they cancel. */
        long double dn = (long double)x - s->anchor, d0 = (long double)bb_lag(s, p) - s->anchor;
        csum_add(&s->ls1, dn);
        csum_add(&s->ls1, -d0);
        csum_add(&s->ls2, dn * dn);
        csum_add(&s->ls2, -(d0 * d0));
    }
    if (++s->since == p) {
        s->ls1 = s->f1;
        s->ls2 = s->f2;
        s->anchor = s->fanchor;
        s->f1 = s->f2 = (csum_t){0, 0};
        s->since = 0;
    }
    if (s->cool > 0)
        s->cool--;
    if (t < p - 1 || s->cool > 0)
        return;
    /* A window far from its anchor (after a jump of the price by orders of magnitude)
     * would lose the variance to the rounding of (x - anchor)^2: re-centre on the window
     * mean, two-pass.  Rate-limited to once per p/8 bars, so O(1) amortised whatever the
     * input; ordinary windows never come near the threshold (|x - anchor| > 100 sigma). */
    long double m1 = csum_get(&s->ls1) / p, var = csum_get(&s->ls2) / p - m1 * m1;
    long double dx = (long double)x - s->anchor;
    if (dx * dx <= 1e4L * (var > 0 ? var : 0))
        return;
    long double sum = 0;
    for (int k = 0; k < p; k++)
        sum += bb_lag(s, k);
    s->anchor = (double)(sum / p);
    s->ls1 = s->ls2 = (csum_t){0, 0};
    for (int k = 0; k < p; k++) {
        long double dk = (long double)bb_lag(s, k) - s->anchor;
        csum_add(&s->ls1, dk);
        csum_add(&s->ls2, dk * dk);
    }
    s->cool = p / 8 > 1 ? p / 8 : 1;
}

/* The population deviation of the window from the precise sums; exactly 0 when the
 * window holds one value repeated. */
static double bb_precise_dev(const bb_st_t *s)
{
    if (s->flat_run >= s->p)
        return 0.0;
    long double m1 = csum_get(&s->ls1) / s->p, var = csum_get(&s->ls2) / s->p - m1 * m1;
    return var > 0 ? (double)sqrtl(var) : 0.0;
}

/* The common case (TA-Lib numbers, SMA middle band): the middle band is this bar's SMA
 * (no delay) and the deviation comes from the running sum of x^2, as in bb_update;
 * without the precise and delayed bookkeeping it does not need, and reading the window
 * from the SMA's ring instead of keeping a second one. */
static int bb_sma_update(bb_st_t *s, double x, double *out)
{
    long t = s->n++;
    int p = s->p;
    double mid;
    int ready = tc_ma_update(&s->ma, x, &mid);
    s->s2 += x * x;
    if (t < s->first || !ready)
        return 0;
    double mean2 = s->s2 / p;
    /* the value leaving the window, from the SMA's own ring (p + 1 values) */
    double old = s->ma.win[tc_ma_ring_index(s->ma.head - (p - 1), s->ma.cap)];
    s->s2 -= old * old;
    mean2 -= mid * mid;
    double dev = !IS_ZERO_OR_NEG(mean2) ? sqrt(mean2) : 0.0;
    out[0] = mid + dev * s->up;
    out[1] = mid;
    out[2] = mid - dev * s->dn;
    return 1;
}

static int bb_update(void *st, const double *in, double *out)
{
    bb_st_t *s = st;
    double x = in[0];
    if (s->mode == TC_TA_MODE_TALIB && s->type == TC_MA_SMA)
        return bb_sma_update(s, x, out);
    long t = s->n++;
    int p = s->p;
    if (++s->ring_head == p + 1)
        s->ring_head = 0;
    s->ring[s->ring_head] = x;
    s->flat_run = (t > 0 && x == s->last_x) ? s->flat_run + 1 : 1;
    s->last_x = x;

    double mid;
    if (tc_ma_update(&s->ma, x, &mid)) {
        if (++s->mid_head == s->delay + 1)
            s->mid_head = 0;
        s->mid[s->mid_head] = mid;
    }

    double dev = 0.0;
    if (s->mode == TC_TA_MODE_PRECISE) {
        bb_precise_add(s, t, x);
        if (t < s->first)
            return 0;
        dev = bb_precise_dev(s);
    } else if (s->type == TC_MA_SMA) {
        s->s2 += x * x;
        if (t < s->first)
            return 0;
        double mean2 = s->s2 / p;
        double old = bb_lag(s, p - 1);
        s->s2 -= old * old;
        double ma = s->mid[s->mid_head];
        mean2 -= ma * ma;
        dev = !IS_ZERO_OR_NEG(mean2) ? sqrt(mean2) : 0.0;
    } else {
        if (t < s->var_start)
            return 0;
        s->s1 += x;
        s->s2 += x * x;
        if (t < s->first)
            return 0;
        double mean1 = s->s1 / p, mean2 = s->s2 / p;
        double old = bb_lag(s, p - 1);
        s->s1 -= old;
        s->s2 -= old * old;
        double var = mean2 - mean1 * mean1;
        dev = !IS_ZERO_OR_NEG(var) ? sqrt(var) : 0.0;
    }
    /* The ring holds the last delay+1 middle values; the oldest is the one TA-Lib
     * pairs with this bar's deviation (the newest when delay is 0). */
    int oldest = s->mid_head + 1 == s->delay + 1 ? 0 : s->mid_head + 1;
    mid = s->mid[oldest];
    out[0] = mid + dev * s->up;
    out[1] = mid;
    out[2] = mid - dev * s->dn;
    return 1;
}

static const tc_ta_func_t f_BBANDS = {
    .name = "BBANDS", .group = G_OVERLAP, .doc = "Bollinger Bands",
    .n_in = 1, .in = {"inReal"},
    .n_param = 4,
    .param = {PERIOD(5), {"NbDevUp", TC_TA_PARAM_REAL, 2, -REAL_MAX, REAL_MAX},
              {"NbDevDn", TC_TA_PARAM_REAL, 2, -REAL_MAX, REAL_MAX}, MATYPE("MAType")},
    .n_out = 3, .out = {"upperband", "middleband", "lowerband"},
    .lookback = bb_lookback, .state_size = bb_size, .init = bb_init, .update = bb_update,
};

/* ---------------------------------------------------------------- ACCBANDS ---- */

/* Headley's acceleration bands: SMAs of high*(1+4(h-l)/(h+l)), close and
 * low*(1-4(h-l)/(h+l)). */
typedef struct acc_st {
    tc_ma_t up, mid, lo;
    double buf[];
} acc_st_t;

static int acc_lookback(const double *p) { return tc_ma_lookback(TC_MA_SMA, (int)p[0]); }
static size_t acc_size(const double *p)
{
    return sizeof(acc_st_t) + 3 * tc_ma_window_size(TC_MA_SMA, (int)p[0]);
}
static int acc_init(void *st, const double *p, int mode)
{
    acc_st_t *s = st;
    int per = (int)p[0];
    size_t wn = tc_ma_window_size(TC_MA_SMA, per) / sizeof(double);
    int r = tc_ma_init(&s->up, TC_MA_SMA, per, mode, s->buf);
    if (r < 0)
        return r;
    r = tc_ma_init(&s->mid, TC_MA_SMA, per, mode, s->buf + wn);
    if (r < 0)
        return r;
    return tc_ma_init(&s->lo, TC_MA_SMA, per, mode, s->buf + 2 * wn);
}
static int acc_update(void *st, const double *in, double *out)
{
    acc_st_t *s = st;
    double h = in[0], l = in[1], c = in[2];
    double hi = h, lo = l, sum = h + l;
    if (!IS_ZERO(sum)) {
        double k = 4 * (h - l) / sum;
        hi = h * (1 + k);
        lo = l * (1 - k);
    }
    int r = tc_ma_update(&s->up, hi, &out[0]);
    tc_ma_update(&s->mid, c, &out[1]);
    tc_ma_update(&s->lo, lo, &out[2]);
    return r;
}
static const tc_ta_func_t f_ACCBANDS = {
    .name = "ACCBANDS", .group = G_OVERLAP, .doc = "Acceleration Bands",
    .n_in = 3, .in = {"high", "low", "close"},
    .n_param = 1, .param = {PERIOD(20)},
    .n_out = 3, .out = {"upperband", "middleband", "lowerband"},
    .lookback = acc_lookback, .state_size = acc_size, .init = acc_init, .update = acc_update,
};

/* -------------------------------------------------------------------- MAVP ---- */

/* TA-Lib runs one TA_MA per distinct period over [lookback(MaxPeriod), end], so the MA
 * of period q starts at bar lookback(Max) - lookback(q).  Streaming has to keep every
 * period of [MinPeriod, MaxPeriod] up to date because the next bar may ask for any of
 * them: one MA per period over a shared ring of inputs, O(MaxPeriod - MinPeriod + 1)
 * per update (MAMA ignores the period: one MA).  Each bar's period is
 * (int)inPeriods, clamped to [MinPeriod, MaxPeriod]. */
typedef struct mavp_st {
    int min, max, type, lookback, n_ma, cap, head;
    long n;
    double *ring;
    tc_ma_t ma[]; /* n_ma MAs, then the ring of cap doubles */
} mavp_st_t;

static int mavp_lookback(const double *p) { return tc_ma_lookback((int)p[2], (int)p[1]); }
static int mavp_count(const double *p)
{
    return (int)p[2] == TC_MA_MAMA ? 1 : (int)p[1] - (int)p[0] + 1;
}
static size_t mavp_size(const double *p)
{
    int n = mavp_count(p);
    if (n < 1)
        n = 1;
    return sizeof(mavp_st_t) + sizeof(tc_ma_t) * (size_t)n + sizeof(double) * ((size_t)p[1] + 2);
}
static int mavp_init(void *st, const double *p, int mode)
{
    mavp_st_t *s = st;
    s->min = (int)p[0];
    s->max = (int)p[1];
    s->type = (int)p[2];
    if (s->min > s->max)
        return TC_ERR(-EINVAL, "MAVP: MinPeriod=%d is above MaxPeriod=%d", s->min, s->max);
    s->lookback = tc_ma_lookback(s->type, s->max);
    s->n_ma = mavp_count(p);
    s->cap = s->max + 2;
    s->head = s->cap - 1;
    s->ring = (double *)(void *)(s->ma + s->n_ma);
    for (int i = 0; i < s->n_ma; i++) {
        int q = s->type == TC_MA_MAMA ? s->max : s->min + i;
        int r = tc_ma_init(&s->ma[i], s->type, q, mode, s->ring);
        if (r < 0)
            return TC_ERR_APPEND(r, "MAVP period %d", q);
    }
    return 0;
}

/* (int)v as TA-Lib's x86 build computes it: NaN and values beyond int give INT_MIN. */
static int trunc_int(double v)
{
    if (!(v > -2147483649.0 && v < 2147483648.0))
        return -2147483647 - 1;
    return (int)v;
}

static int mavp_update(void *st, const double *in, double *out)
{
    mavp_st_t *s = st;
    double x = in[0];
    long t = s->n++;
    if (++s->head == s->cap)
        s->head = 0;
    s->ring[s->head] = x;
    int q = trunc_int(in[1]);
    if (q < s->min)
        q = s->min;
    else if (q > s->max)
        q = s->max;
    double y = 0.0;
    int ready = 0;
    for (int i = 0; i < s->n_ma; i++) {
        tc_ma_t *m = &s->ma[i];
        if (t < s->lookback - tc_ma_lookback(s->type, m->period))
            continue; /* TA-Lib starts this period's MA later */
        double v;
        int r = tc_ma_update_shared(m, x, s->ring, s->cap, s->head, &v);
        if (r && (s->n_ma == 1 || m->period == q)) {
            y = v;
            ready = 1;
        }
    }
    if (!ready || t < s->lookback)
        return 0;
    out[0] = y;
    return 1;
}
static const tc_ta_func_t f_MAVP = {
    .name = "MAVP", .group = G_OVERLAP, .doc = "Moving average with variable period",
    .n_in = 2, .in = {"inReal", "inPeriods"},
    .n_param = 3,
    .param = {{"MinPeriod", TC_TA_PARAM_INT, 2, 2, TC_MA_PERIOD_MAX},
              {"MaxPeriod", TC_TA_PARAM_INT, 30, 2, TC_MA_PERIOD_MAX}, MATYPE("MAType")},
    .n_out = 1, .out = {"real"},
    .lookback = mavp_lookback, .state_size = mavp_size, .init = mavp_init,
    .update = mavp_update,
};

/* ------------------------------------------------------- MIDPOINT, MIDPRICE ---- */

/* Window extremes by monotonic deques: amortised O(1), each bar enters and leaves once. */
typedef struct deq {
    int head, len;
} deq_t;

typedef struct mid_st {
    int p;
    long n;
    deq_t dmax, dmin;
    long *imax, *imin; /* bar indexes, p each */
    double *vmax, *vmin;
    _Alignas(16) unsigned char buf[];
} mid_st_t;

static void deq_push(deq_t *d, long *idx, double *val, int cap, long t, double v, int is_max)
{
    /* Expire first, so the deque never holds more than cap entries. */
    if (d->len > 0 && idx[d->head] <= t - cap) {
        d->head = d->head + 1 == cap ? 0 : d->head + 1;
        d->len--;
    }
    while (d->len > 0) {
        int back = (d->head + d->len - 1) % cap;
        if (is_max ? val[back] <= v : val[back] >= v)
            d->len--;
        else
            break;
    }
    int slot = (d->head + d->len) % cap;
    idx[slot] = t;
    val[slot] = v;
    d->len++;
}

static int mid_lookback(const double *p) { return (int)p[0] - 1; }
static size_t mid_size(const double *p)
{
    return sizeof(mid_st_t) + (size_t)p[0] * 2 * (sizeof(long) + sizeof(double));
}
static int mid_init(void *st, const double *p, int mode)
{
    (void)mode;
    mid_st_t *s = st;
    s->p = (int)p[0];
    s->vmax = (double *)(void *)s->buf;
    s->vmin = s->vmax + s->p;
    s->imax = (long *)(void *)(s->vmin + s->p);
    s->imin = s->imax + s->p;
    return 0;
}
static int mid_step(mid_st_t *s, double hi, double lo, double *out)
{
    long t = s->n++;
    deq_push(&s->dmax, s->imax, s->vmax, s->p, t, hi, 1);
    deq_push(&s->dmin, s->imin, s->vmin, s->p, t, lo, 0);
    if (t < s->p - 1)
        return 0;
    out[0] = (s->vmax[s->dmax.head] + s->vmin[s->dmin.head]) / 2.0;
    return 1;
}
static int midpoint_update(void *st, const double *in, double *out)
{
    return mid_step(st, in[0], in[0], out);
}
static int midprice_update(void *st, const double *in, double *out)
{
    return mid_step(st, in[0], in[1], out);
}
static const tc_ta_func_t f_MIDPOINT = {
    .name = "MIDPOINT", .group = G_OVERLAP, .doc = "MidPoint over period",
    .n_in = 1, .in = {"inReal"},
    .n_param = 1, .param = {PERIOD(14)},
    .n_out = 1, .out = {"real"},
    .lookback = mid_lookback, .state_size = mid_size, .init = mid_init,
    .update = midpoint_update,
};
static const tc_ta_func_t f_MIDPRICE = {
    .name = "MIDPRICE", .group = G_OVERLAP, .doc = "Midpoint Price over period",
    .n_in = 2, .in = {"high", "low"},
    .n_param = 1, .param = {PERIOD(14)},
    .n_out = 1, .out = {"real"},
    .lookback = mid_lookback, .state_size = mid_size, .init = mid_init,
    .update = midprice_update,
};

/* ------------------------------------------------------------- SAR, SAREXT ---- */

/* Wilder's parabolic SAR as TA-Lib's SAREXT runs it; SAR is SAREXT with one
 * acceleration for both sides and unsigned output. */
typedef struct sar_st {
    double start, offset;
    double init_l, acc_l, max_l, init_s, acc_s, max_s;
    int sign; /* SAREXT: short positions reported negative */
    long n;
    int is_long;
    double af_l, af_s, ep, sar, new_hi, new_lo, hi0, lo0;
} sar_st_t;

static int sar_lookback(const double *p)
{
    (void)p;
    return 1;
}
static size_t sar_size(const double *p)
{
    (void)p;
    return sizeof(sar_st_t);
}
static void sar_clamp(sar_st_t *s)
{
    /* TA-Lib lowers an initial acceleration or step above its maximum to the maximum. */
    if (s->init_l > s->max_l)
        s->init_l = s->max_l;
    if (s->acc_l > s->max_l)
        s->acc_l = s->max_l;
    if (s->init_s > s->max_s)
        s->init_s = s->max_s;
    if (s->acc_s > s->max_s)
        s->acc_s = s->max_s;
    s->af_l = s->init_l;
    s->af_s = s->init_s;
}
static int sar_init(void *st, const double *p, int mode)
{
    (void)mode;
    sar_st_t *s = st;
    s->init_l = s->acc_l = s->init_s = s->acc_s = p[0];
    s->max_l = s->max_s = p[1];
    sar_clamp(s);
    return 0;
}
static int sarext_init(void *st, const double *p, int mode)
{
    (void)mode;
    sar_st_t *s = st;
    s->start = p[0];
    s->offset = p[1];
    s->init_l = p[2];
    s->acc_l = p[3];
    s->max_l = p[4];
    s->init_s = p[5];
    s->acc_s = p[6];
    s->max_s = p[7];
    s->sign = 1;
    sar_clamp(s);
    return 0;
}

static int sar_update(void *st, const double *in, double *out)
{
    sar_st_t *s = st;
    double hi = in[0], lo = in[1];
    long t = s->n++;
    if (t == 0) {
        s->hi0 = hi;
        s->lo0 = lo;
        return 0;
    }
    double prev_hi = s->new_hi, prev_lo = s->new_lo;
    if (t == 1) {
        if (s->start == 0.0) {
            /* Direction from the first bar's minus directional movement, as TA-Lib. */
            double dp = hi - s->hi0, dm = s->lo0 - lo;
            s->is_long = !((dm > 0) && (dp < dm));
            s->sar = s->is_long ? s->lo0 : s->hi0;
        } else {
            s->is_long = s->start > 0;
            s->sar = fabs(s->start);
        }
        s->ep = s->is_long ? hi : lo;
        /* TA-Lib's first pass compares the bar with itself. */
        prev_hi = hi;
        prev_lo = lo;
    }
    s->new_hi = hi;
    s->new_lo = lo;
    double sar = s->sar, res;
    if (s->is_long) {
        if (lo <= sar) {
            s->is_long = 0;
            sar = s->ep;
            if (sar < prev_hi)
                sar = prev_hi;
            if (sar < hi)
                sar = hi;
            if (s->offset != 0.0)
                sar += sar * s->offset;
            res = s->sign ? -sar : sar;
            s->af_s = s->init_s;
            s->ep = lo;
            sar = sar + s->af_s * (s->ep - sar);
            if (sar < prev_hi)
                sar = prev_hi;
            if (sar < hi)
                sar = hi;
        } else {
            res = sar;
            if (hi > s->ep) {
                s->ep = hi;
                s->af_l += s->acc_l;
                if (s->af_l > s->max_l)
                    s->af_l = s->max_l;
            }
            sar = sar + s->af_l * (s->ep - sar);
            if (sar > prev_lo)
                sar = prev_lo;
            if (sar > lo)
                sar = lo;
        }
    } else {
        if (hi >= sar) {
            s->is_long = 1;
            sar = s->ep;
            if (sar > prev_lo)
                sar = prev_lo;
            if (sar > lo)
                sar = lo;
            if (s->offset != 0.0)
                sar -= sar * s->offset;
            res = sar;
            s->af_l = s->init_l;
            s->ep = hi;
            sar = sar + s->af_l * (s->ep - sar);
            if (sar > prev_lo)
                sar = prev_lo;
            if (sar > lo)
                sar = lo;
        } else {
            res = s->sign ? -sar : sar;
            if (lo < s->ep) {
                s->ep = lo;
                s->af_s += s->acc_s;
                if (s->af_s > s->max_s)
                    s->af_s = s->max_s;
            }
            sar = sar + s->af_s * (s->ep - sar);
            if (sar < prev_hi)
                sar = prev_hi;
            if (sar < hi)
                sar = hi;
        }
    }
    s->sar = sar;
    out[0] = res;
    return 1;
}

static const tc_ta_func_t f_SAR = {
    .name = "SAR", .group = G_OVERLAP, .doc = "Parabolic SAR",
    .n_in = 2, .in = {"high", "low"},
    .n_param = 2,
    .param = {{"Acceleration", TC_TA_PARAM_REAL, 0.02, 0, REAL_MAX},
              {"Maximum", TC_TA_PARAM_REAL, 0.2, 0, REAL_MAX}},
    .n_out = 1, .out = {"real"},
    .lookback = sar_lookback, .state_size = sar_size, .init = sar_init, .update = sar_update,
};

static const tc_ta_func_t f_SAREXT = {
    .name = "SAREXT", .group = G_OVERLAP,
    .doc = "Parabolic SAR - Extended (short positions negative)",
    .n_in = 2, .in = {"high", "low"},
    .n_param = 8,
    .param = {{"StartValue", TC_TA_PARAM_REAL, 0, -REAL_MAX, REAL_MAX},
              {"OffsetOnReverse", TC_TA_PARAM_REAL, 0, 0, REAL_MAX},
              {"AccelerationInitLong", TC_TA_PARAM_REAL, 0.02, 0, REAL_MAX},
              {"AccelerationLong", TC_TA_PARAM_REAL, 0.02, 0, REAL_MAX},
              {"AccelerationMaxLong", TC_TA_PARAM_REAL, 0.2, 0, REAL_MAX},
              {"AccelerationInitShort", TC_TA_PARAM_REAL, 0.02, 0, REAL_MAX},
              {"AccelerationShort", TC_TA_PARAM_REAL, 0.02, 0, REAL_MAX},
              {"AccelerationMaxShort", TC_TA_PARAM_REAL, 0.2, 0, REAL_MAX}},
    .n_out = 1, .out = {"real"},
    .lookback = sar_lookback, .state_size = sar_size, .init = sarext_init,
    .update = sar_update,
};

/* ------------------------------------------------------------ HT_TRENDLINE ---- */

static int htl_lookback(const double *p)
{
    (void)p;
    return 63;
}
static size_t htl_size(const double *p)
{
    (void)p;
    return sizeof(tc_ht_cycle_t);
}
static int htl_init(void *st, const double *p, int mode)
{
    (void)p;
    (void)mode;
    tc_ht_cycle_init(st, TC_HT_WANT_TREND);
    return 0;
}
static int htl_update(void *st, const double *in, double *out)
{
    tc_ht_cycle_t *c = st;
    if (!tc_ht_cycle_step(c, in[0]) || c->ht.n <= 63)
        return 0;
    out[0] = c->trendline;
    return 1;
}
static const tc_ta_func_t f_HT_TRENDLINE = {
    .name = "HT_TRENDLINE", .group = G_OVERLAP,
    .doc = "Hilbert Transform - Instantaneous Trendline",
    .n_in = 1, .in = {"inReal"},
    .n_param = 0,
    .n_out = 1, .out = {"real"},
    .lookback = htl_lookback, .state_size = htl_size, .init = htl_init, .update = htl_update,
};

const tc_ta_func_t *const tc_ta_family_overlap[] = {
    &f_ACCBANDS, &f_BBANDS, &f_DEMA, &f_EMA,  &f_HT_TRENDLINE, &f_KAMA, &f_MA,
    &f_MAMA,     &f_MAVP,   &f_MIDPOINT, &f_MIDPRICE, &f_SAR, &f_SAREXT, &f_SMA,
    &f_T3,       &f_TEMA,   &f_TRIMA, &f_WMA, NULL,
};
