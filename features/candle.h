/* candle.h — TA-Lib's candle settings and the rolling averages candlestick patterns
 * compare bars against.
 *
 * A candle setting (BodyLong, Near, ...) says which range of a bar it measures (real
 * body, high-low, or the sum of both shadows), over how many previous bars it averages
 * that range, and by what factor the average is scaled.  A pattern asks "is the body of
 * the bar two back longer than the BodyLong average of the ten bars before it?", so it
 * keeps one running sum per (setting, lag) pair it looks at.
 *
 * TA-Lib keeps each of those sums the same way, and the comparisons are borderline
 * often enough that only the same floating-point history gives the same answers: the
 * first window is summed oldest first starting from 0, then on every output bar, after
 * the pattern has been evaluated, the sum gets `+= entering - leaving` (the difference
 * first).  The first window depends on where TA-Lib starts its loop (the pattern's
 * lookback), so a sum is defined by its setting, its lag and that start bar.
 *
 * tc_candle_t is the whole per-instance state a pattern needs besides its own flags:
 * the last TC_CANDLE_DEPTH bars in a ring and up to TC_CANDLE_MAX_SUMS sums.  Fixed
 * size, no allocation, O(number of sums) per bar.
 */
#ifndef TC_FEATURES_CANDLE_H
#define TC_FEATURES_CANDLE_H

#include <math.h>
#include <stdint.h>

/* What a setting measures on one bar (TA_RangeType). */
typedef enum tc_candle_range {
    TC_CANDLE_RANGE_REALBODY = 0, /* |close - open| */
    TC_CANDLE_RANGE_HIGHLOW = 1,  /* high - low */
    TC_CANDLE_RANGE_SHADOWS = 2,  /* upper + lower shadow; the average is halved */
} tc_candle_range_t;

/* The settings, in TA-Lib's order (TA_CandleSettingType). */
typedef enum tc_candle_kind {
    TC_CANDLE_BODY_LONG = 0,
    TC_CANDLE_BODY_VERY_LONG,
    TC_CANDLE_BODY_SHORT,
    TC_CANDLE_BODY_DOJI,
    TC_CANDLE_SHADOW_LONG,
    TC_CANDLE_SHADOW_VERY_LONG,
    TC_CANDLE_SHADOW_SHORT,
    TC_CANDLE_SHADOW_VERY_SHORT,
    TC_CANDLE_NEAR,
    TC_CANDLE_FAR,
    TC_CANDLE_EQUAL,
    TC_CANDLE_N_KINDS,
} tc_candle_kind_t;

typedef struct tc_candle_setting {
    const char *name;        /* "BodyLong" */
    tc_candle_range_t range;
    int period;              /* bars averaged; 0 = compare with the bar itself */
    double factor;
} tc_candle_setting_t;

/* TA-Lib's defaults (TA_CandleDefaultSettings), indexed by tc_candle_kind_t. */
extern const tc_candle_setting_t tc_candle_defaults[TC_CANDLE_N_KINDS];

/* Bars kept: a power of two above the deepest look of any pattern (a sum at lag 4 over
 * 10 bars reaches 14 bars back). */
#define TC_CANDLE_DEPTH 16
#define TC_CANDLE_MAX_SUMS 10

/* One rolling average a pattern looks at: a setting over the `period` bars before the
 * bar `lag` bars back. */
typedef struct tc_candle_sum_spec {
    uint8_t kind; /* tc_candle_kind_t */
    uint8_t lag;  /* 0 = the newest bar */
} tc_candle_sum_spec_t;

typedef struct tc_candle_sum {
    double total;
    double factor;
    int period;
    int lag;
    tc_candle_range_t range;
} tc_candle_sum_t;

typedef struct tc_candle {
    double open[TC_CANDLE_DEPTH], high[TC_CANDLE_DEPTH];
    double low[TC_CANDLE_DEPTH], close[TC_CANDLE_DEPTH];
    int64_t n;     /* bars pushed so far */
    int64_t start; /* first bar at which the sums roll (TA-Lib's startIdx for them) */
    int n_sum;
    tc_candle_sum_t sum[TC_CANDLE_MAX_SUMS];
} tc_candle_t;

/* Initialises cs (caller-owned) with n sums as listed in spec, rolling from bar `start`
 * (0-based) on.  start must be at least period + lag of every sum; n at most
 * TC_CANDLE_MAX_SUMS; every lag + period below TC_CANDLE_DEPTH.  Can't fail. */
void tc_candle_init(tc_candle_t *cs, const tc_candle_sum_spec_t *spec, int n, int64_t start);

/* Appends one bar.  Before `start`, adds the bar into every sum whose first window
 * holds it.  Can't fail. */
void tc_candle_push(tc_candle_t *cs, double open, double high, double low, double close);

/* Moves every sum one bar on: call once per bar at or after `start`, after the pattern
 * has read the sums for that bar.  Can't fail. */
void tc_candle_roll(tc_candle_t *cs);

/* Largest period among the kinds set in mask (bit k = tc_candle_kind_t k), or 0. */
int tc_candle_period_max(unsigned mask);

/* ---- reading bars: k = bars back from the newest (0 .. TC_CANDLE_DEPTH-1) ---- */

static inline int tc_candle_slot(const tc_candle_t *cs, int k)
{
    return (int)((cs->n - 1 - k) & (TC_CANDLE_DEPTH - 1));
}

static inline double tc_candle_open(const tc_candle_t *cs, int k) { return cs->open[tc_candle_slot(cs, k)]; }
static inline double tc_candle_high(const tc_candle_t *cs, int k) { return cs->high[tc_candle_slot(cs, k)]; }
static inline double tc_candle_low(const tc_candle_t *cs, int k) { return cs->low[tc_candle_slot(cs, k)]; }
static inline double tc_candle_close(const tc_candle_t *cs, int k) { return cs->close[tc_candle_slot(cs, k)]; }

static inline double tc_candle_body(const tc_candle_t *cs, int k)
{
    return fabs(tc_candle_close(cs, k) - tc_candle_open(cs, k));
}

static inline double tc_candle_upper_shadow(const tc_candle_t *cs, int k)
{
    double o = tc_candle_open(cs, k), c = tc_candle_close(cs, k);
    return tc_candle_high(cs, k) - (c >= o ? c : o);
}

static inline double tc_candle_lower_shadow(const tc_candle_t *cs, int k)
{
    double o = tc_candle_open(cs, k), c = tc_candle_close(cs, k);
    return (c >= o ? o : c) - tc_candle_low(cs, k);
}

static inline double tc_candle_hl(const tc_candle_t *cs, int k)
{
    return tc_candle_high(cs, k) - tc_candle_low(cs, k);
}

/* 1 for a white bar (close >= open, dojis included, as TA-Lib), -1 for a black one. */
static inline int tc_candle_color(const tc_candle_t *cs, int k)
{
    return tc_candle_close(cs, k) >= tc_candle_open(cs, k) ? 1 : -1;
}

static inline double tc_candle_range_of(const tc_candle_t *cs, tc_candle_range_t r, int k)
{
    switch (r) {
    case TC_CANDLE_RANGE_REALBODY: return tc_candle_body(cs, k);
    case TC_CANDLE_RANGE_HIGHLOW: return tc_candle_hl(cs, k);
    case TC_CANDLE_RANGE_SHADOWS: return tc_candle_upper_shadow(cs, k) + tc_candle_lower_shadow(cs, k);
    }
    return 0;
}

/* The value of sum j as TA-Lib's TA_CANDLEAVERAGE computes it for the bar k back:
 * factor * (total / period, or the bar's own range when period is 0) / (2 for shadows).
 * The operations and their order are TA-Lib's; changing them flips borderline bars. */
static inline double tc_candle_avg(const tc_candle_t *cs, int j, int k)
{
    const tc_candle_sum_t *s = &cs->sum[j];
    double base = s->period != 0 ? s->total / s->period : tc_candle_range_of(cs, s->range, k);
    return s->factor * base / (s->range == TC_CANDLE_RANGE_SHADOWS ? 2.0 : 1.0);
}

#endif
