/* ta_momentum.h — private helpers shared by the momentum, volume and volatility
 * families (ta_momentum.c, ta_oscillator.c, ta_volume.c, ta_volatility.c): TA-Lib's
 * zero tests, a branch-free select, parameter-table macros, state-block alignment, the
 * true range and one-bar directional movement, a sliding-window extreme (van Herk /
 * Gil-Werman blocks), TA-Lib's EMA with an explicit smoothing factor, and the RSI gain/loss core;
 * plus the descriptors ta_oscillator.c defines for the momentum table.  Not part of the
 * catalog interface (features/ta.h); include only from those files. */
#ifndef TC_FEATURES_TA_MOMENTUM_H
#define TC_FEATURES_TA_MOMENTUM_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "features/ta.h"

/* TA-Lib's TA_IS_ZERO / TA_IS_ZERO_OR_NEG (ta_utility.h): |v| < 1e-14. */
#define TC_TA_EPSILON 1e-14
static inline int tc_ta_is_zero(double v) { return -TC_TA_EPSILON < v && v < TC_TA_EPSILON; }
static inline int tc_ta_is_zero_or_neg(double v) { return v < TC_TA_EPSILON; }

/* c ? a : b without a branch, bit for bit (NaNs and signed zeros included).  Where the
 * condition follows the sign of a price change it is a coin flip each bar, and a
 * mispredicted branch would cost more than the arithmetic of the update; compilers keep
 * the branch for the plain ternary on doubles. */
static inline double tc_ta_select(int c, double a, double b)
{
    uint64_t ua, ub, m = (uint64_t)0 - (uint64_t)(c != 0);
    memcpy(&ua, &a, sizeof ua);
    memcpy(&ub, &b, sizeof ub);
    uint64_t r = (ua & m) | (ub & ~m);
    double out;
    memcpy(&out, &r, sizeof out);
    return out;
}

/* TA-Lib's largest integer period for every function of these families. */
#define TC_TA_PERIOD_MAX 100000

/* Parameter table entries (TA-Lib's names, defaults and ranges). */
#define TC_TA_P_INT(name, def, lo) { name, TC_TA_PARAM_INT, def, lo, TC_TA_PERIOD_MAX }
#define TC_TA_P_MATYPE(name) { name, TC_TA_PARAM_MATYPE, 0, 0, 8 }

/* Rounds a state offset up so every carved piece stays 16-byte aligned (the catalog
 * aligns the block itself to 16). */
static inline size_t tc_ta_align(size_t n) { return (n + 15) & ~(size_t)15; }

/* True range of a bar against the previous close, in TA-Lib's comparison order. */
static inline double tc_ta_true_range(double h, double l, double prev_close)
{
    double tr = h - l;
    double t = fabs(h - prev_close);
    if (t > tr)
        tr = t;
    t = fabs(l - prev_close);
    if (t > tr)
        tr = t;
    return tr;
}

/* One-bar directional movement (Wilder): the part of today's range outside
 * yesterday's, credited to the larger side only; both 0 on a tie (TA-Lib case 7). */
static inline void tc_ta_dm1(double h, double l, double prev_h, double prev_l, double *ret_plus,
                             double *ret_minus)
{
    double dp = h - prev_h, dm = prev_l - l;
    *ret_plus = tc_ta_select((dp > 0) & (dp > dm), dp, 0.0);
    *ret_minus = tc_ta_select((dm > 0) & (dp < dm), dm, 0.0);
}

/* ---- sliding-window extreme of (value, bar index) ----
 *
 * The maximum (or minimum) of the last `w` pushed values, in O(1) amortised by van Herk
 * and Gil-Werman's blocks: the stream is cut into blocks of w bars; the window ending
 * at bar i is the tail of the previous block plus the head of the current one, so its
 * extreme is the better of the previous block's suffix extreme (computed backwards,
 * w steps once per block) and the current block's running prefix extreme.  Each push
 * is a few comparisons with no data-dependent loop, which beats a monotonic deque whose
 * pops mispredict on random prices.  Among equal values the latest wins, which is the
 * index TA-Lib's AROON reports (<= and >= in its scans).  Valid once w values were
 * pushed (before that it covers the values so far). */
typedef struct tc_ta_extreme {
    int w, is_max, pos; /* pos: values of the current block pushed so far (1..w) */
    long block;         /* bar index of the current block's first value */
    int have_prev;      /* a previous block exists */
    double pre_val;     /* extreme of the current block so far ... */
    long pre_idx;       /* ... and its bar index */
    double val;         /* extreme of the window after the last push ... */
    long idx;           /* ... and its bar index */
    double *cur;        /* w slots: the current block's values */
    double *suf_val;    /* w slots: extreme of the previous block from slot j to its end */
    long *suf_idx;      /* w slots: its bar index */
} tc_ta_extreme_t;

static inline size_t tc_ta_extreme_size(int w)
{
    return 2 * tc_ta_align(sizeof(double) * (size_t)w) + tc_ta_align(sizeof(long) * (size_t)w);
}

/* Carves the arrays from mem (tc_ta_extreme_size(w) bytes); is_max selects maximum or
 * minimum. */
static inline void tc_ta_extreme_init(tc_ta_extreme_t *e, int w, int is_max, unsigned char *mem)
{
    size_t dbl = tc_ta_align(sizeof(double) * (size_t)w);
    e->w = w;
    e->is_max = is_max;
    e->pos = 0;
    e->block = 0;
    e->have_prev = 0;
    e->cur = (double *)mem;
    e->suf_val = (double *)(mem + dbl);
    e->suf_idx = (long *)(mem + 2 * dbl);
}

/* a beats b strictly (ties go to b). */
static inline int tc_ta_extreme_beats(const tc_ta_extreme_t *e, double a, double b)
{
    return e->is_max ? a > b : a < b;
}

/* Pushes bar i's value (bars are pushed in order, i = 0, 1, ...). */
static inline void tc_ta_extreme_push(tc_ta_extreme_t *e, long i, double v)
{
    if (e->pos == e->w) {
        /* The current block is complete: its suffix extremes, backwards, the later bar
         * keeping a tie. */
        int j = e->w - 1;
        double m = e->cur[j];
        long mi = e->block + j;
        e->suf_val[j] = m;
        e->suf_idx[j] = mi;
        while (--j >= 0) {
            if (tc_ta_extreme_beats(e, e->cur[j], m)) {
                m = e->cur[j];
                mi = e->block + j;
            }
            e->suf_val[j] = m;
            e->suf_idx[j] = mi;
        }
        e->block += e->w;
        e->pos = 0;
        e->have_prev = 1;
    }
    e->cur[e->pos] = v;
    if (e->pos == 0 || !tc_ta_extreme_beats(e, e->pre_val, v)) {
        e->pre_val = v;
        e->pre_idx = i;
    }
    e->pos++;
    e->val = e->pre_val;
    e->idx = e->pre_idx;
    /* Window i-w+1..i: the previous block from slot pos on, then the current block. */
    if (e->have_prev && e->pos < e->w && tc_ta_extreme_beats(e, e->suf_val[e->pos], e->pre_val)) {
        e->val = e->suf_val[e->pos];
        e->idx = e->suf_idx[e->pos];
    }
}

static inline double tc_ta_extreme_value(const tc_ta_extreme_t *e) { return e->val; }
static inline long tc_ta_extreme_index(const tc_ta_extreme_t *e) { return e->idx; }

/* ---- TA-Lib's EMA (TA_INT_EMA) with an explicit factor k ----
 *
 * Seeded with the simple mean of the first `period` inputs (summed in order, then
 * divided), then y += (x - y) * k.  MACDFIX passes TA-Lib's fixed 0.15 / 0.075.
 * Period 1 is the identity, as TA_MA makes it: TA-Lib's own EMA has no lookback for
 * period 1 (TA_EMA_Lookback(1) is -1), so its MACD/MACDFIX with SignalPeriod=1 and
 * TRIX with TimePeriod=1 read outside their buffers; here they are well defined. */
typedef struct tc_ta_ema {
    int period, n;
    double k, sum, y;
} tc_ta_ema_t;

static inline void tc_ta_ema_init(tc_ta_ema_t *e, int period, double k)
{
    e->period = period;
    e->n = 0;
    e->k = k;
    e->sum = 0.0;
    e->y = 0.0;
}

/* Returns 1 and sets *ret_y once `period` inputs have been seen, else 0. */
static inline int tc_ta_ema_update(tc_ta_ema_t *e, double x, double *ret_y)
{
    if (e->period == 1) {
        *ret_y = e->y = x;
        return 1;
    }
    if (e->n < e->period) {
        e->sum += x;
        if (++e->n < e->period)
            return 0;
        e->y = e->sum / e->period;
    } else {
        e->y = ((x - e->y) * e->k) + e->y;
    }
    *ret_y = e->y;
    return 1;
}

static inline double tc_ta_per_to_k(int period) { return 2.0 / ((double)(period + 1)); }

/* ---- RSI / CMO core: Wilder-smoothed average gain and loss ----
 *
 * The first averages are the plain means of the first `period` changes; then
 * avg = (avg * (period-1) + today) / period, in TA-Lib's order (ta_RSI.c). */
typedef struct tc_ta_gainloss {
    int period;
    long n;
    double prev, gain, loss;
} tc_ta_gainloss_t;

static inline void tc_ta_gainloss_init(tc_ta_gainloss_t *s, int period)
{
    s->period = period;
    s->n = 0;
    s->prev = s->gain = s->loss = 0.0;
}

/* Returns 1 once the averages cover `period` changes. */
static inline int tc_ta_gainloss_update(tc_ta_gainloss_t *s, double x)
{
    long t = s->n++;
    double d = x - s->prev;
    s->prev = x;
    if (t == 0)
        return 0;
    if (t > s->period) {
        s->loss *= (s->period - 1);
        s->gain *= (s->period - 1);
    }
    /* TA-Lib's `if (d < 0) loss -= d; else gain += d;` without a branch, same bits
     * (x + 0.0 == x and x - d == x + -d for every x and d). */
    int down = d < 0;
    s->loss += tc_ta_select(down, -d, 0.0);
    s->gain += tc_ta_select(down, 0.0, d);
    if (t < s->period)
        return 0;
    s->loss /= s->period;
    s->gain /= s->period;
    return 1;
}

/* RSI of x; returns 1 and *ret_y from bar `period` on (0 when gain + loss is zero in
 * TA-Lib's sense). */
static inline int tc_ta_rsi_update(tc_ta_gainloss_t *s, double x, double *ret_y)
{
    if (!tc_ta_gainloss_update(s, x))
        return 0;
    double sum = s->gain + s->loss;
    *ret_y = tc_ta_is_zero(sum) ? 0.0 : 100.0 * (s->gain / sum);
    return 1;
}

/* Descriptors defined in ta_oscillator.c, listed in tc_ta_family_momentum[]. */
extern const tc_ta_func_t tc_ta_momentum_apo, tc_ta_momentum_ppo, tc_ta_momentum_macd,
    tc_ta_momentum_macdext, tc_ta_momentum_macdfix, tc_ta_momentum_stoch,
    tc_ta_momentum_stochf, tc_ta_momentum_stochrsi;

#endif
