/* ta_pattern.h — the shared machinery of the 61 candlestick patterns (private to
 * features/ta_pattern*.c).
 *
 * A pattern is a spec: which candle sums it reads (setting and lag), how its lookback
 * follows from the candle settings, and an eval function that looks at the last few
 * bars and returns TA-Lib's integer (-100/0/100, ±80 for the weaker Engulfing and
 * Harami forms, ±200 for a confirmed Hikkake).  tc_pattern_update drives every spec the
 * same way TA-Lib's batch loop does: evaluate, then roll the sums.
 */
#ifndef TC_FEATURES_TA_PATTERN_H
#define TC_FEATURES_TA_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "features/candle.h"
#include "features/ta.h"

typedef struct tc_pattern tc_pattern_t;

typedef struct tc_pattern_spec {
    /* The output for the newest bar; may update the pattern's own state (Hikkake). */
    int (*eval)(tc_pattern_t *pt);
    unsigned lb_kinds; /* settings whose periods make the lookback (bit = tc_candle_kind_t) */
    int lb_min;        /* floor under their largest period (HIKKAKEMOD: max(1, Near)) */
    int span;          /* added to that: bars of the pattern before the newest */
    int warm;          /* bars before the lookback on which eval runs for its state only */
    int n_sum;
    tc_candle_sum_spec_t sum[TC_CANDLE_MAX_SUMS];
} tc_pattern_spec_t;

struct tc_pattern {
    const tc_pattern_spec_t *spec;
    tc_candle_t cs;
    double penetration; /* the Penetration parameter, where the pattern has one */
    int lookback;
    int64_t mark;       /* Hikkake: bar number of the last setup (TA-Lib's patternIdx) */
    int setup;          /* Hikkake: its signal, ±100 (TA-Lib's patternResult) */
};

#define TC_PATTERN_BIT(kind) (1u << (kind))

/* Lookback of a spec under the default candle settings.  Can't fail. */
int tc_pattern_lookback(const tc_pattern_spec_t *spec);
size_t tc_pattern_state_size(const double *p);
/* Initialises caller-owned zeroed memory for spec; p[0] is the Penetration when the
 * pattern has one (pen != 0).  Returns 0. */
int tc_pattern_init(void *st, const tc_pattern_spec_t *spec, const double *p, int pen);
/* One bar (open, high, low, close); 1 with out[0] set once past the lookback. */
int tc_pattern_update(void *st, const double *in, double *out);

/* Defines the catalog entry `id` for a pattern without parameters. */
#define TC_PATTERN(id, NAME, DOC, SPEC)                                                       \
    static int id##_lookback(const double *p)                                                 \
    {                                                                                         \
        (void)p;                                                                              \
        return tc_pattern_lookback(&SPEC);                                                    \
    }                                                                                         \
    static int id##_init(void *st, const double *p, int mode)                                 \
    {                                                                                         \
        (void)mode;                                                                           \
        return tc_pattern_init(st, &SPEC, p, 0);                                              \
    }                                                                                         \
    const tc_ta_func_t id = {                                                                 \
        .name = NAME, .group = "Pattern Recognition", .doc = DOC, .n_in = 4,                  \
        .in = {"open", "high", "low", "close"}, .n_param = 0, .n_out = 1,                     \
        .out = {"integer"}, .out_int = 1u, .lookback = id##_lookback,                         \
        .state_size = tc_pattern_state_size, .init = id##_init, .update = tc_pattern_update,  \
    };

/* The same with TA-Lib's Penetration parameter (range 0 .. 3e37, default DEF). */
#define TC_PATTERN_PEN(id, NAME, DOC, SPEC, DEF)                                              \
    static int id##_lookback(const double *p)                                                 \
    {                                                                                         \
        (void)p;                                                                              \
        return tc_pattern_lookback(&SPEC);                                                    \
    }                                                                                         \
    static int id##_init(void *st, const double *p, int mode)                                 \
    {                                                                                         \
        (void)mode;                                                                           \
        return tc_pattern_init(st, &SPEC, p, 1);                                              \
    }                                                                                         \
    const tc_ta_func_t id = {                                                                 \
        .name = NAME, .group = "Pattern Recognition", .doc = DOC, .n_in = 4,                  \
        .in = {"open", "high", "low", "close"}, .n_param = 1,                                 \
        .param = {{"Penetration", TC_TA_PARAM_REAL, (DEF), 0.0, 3e37}}, .n_out = 1,           \
        .out = {"integer"}, .out_int = 1u, .lookback = id##_lookback,                         \
        .state_size = tc_pattern_state_size, .init = id##_init, .update = tc_pattern_update,  \
    };

/* Short names for the pattern rules, k = bars back (TA-Lib's i-k).  Each rule reads
 * like TA-Lib's so the order of every sum and product stays the same. */
#define O(k) tc_candle_open(cs, (k))
#define H(k) tc_candle_high(cs, (k))
#define L(k) tc_candle_low(cs, (k))
#define C(k) tc_candle_close(cs, (k))
#define BODY(k) tc_candle_body(cs, (k))
#define UPPER(k) tc_candle_upper_shadow(cs, (k))
#define LOWER(k) tc_candle_lower_shadow(cs, (k))
#define HL(k) tc_candle_hl(cs, (k))
#define COLOR(k) tc_candle_color(cs, (k))
/* Sum j of the spec, as an average for the bar k back. */
#define AVG(j, k) tc_candle_avg(cs, (j), (k))
#define MAX2(a, b) ((a) > (b) ? (a) : (b))
#define MIN2(a, b) ((a) < (b) ? (a) : (b))
#define BODY_TOP(k) MAX2(O(k), C(k))
#define BODY_BOTTOM(k) MIN2(O(k), C(k))
/* Real bodies of bar a (newer) and b (older) don't overlap, a above / below b. */
#define BODY_GAP_UP(a, b) (BODY_BOTTOM(a) > BODY_TOP(b))
#define BODY_GAP_DOWN(a, b) (BODY_TOP(a) < BODY_BOTTOM(b))
/* Whole candles don't overlap. */
#define GAP_UP(a, b) (L(a) > H(b))
#define GAP_DOWN(a, b) (H(a) < L(b))

#define BL TC_CANDLE_BODY_LONG
#define BVL TC_CANDLE_BODY_VERY_LONG
#define BS TC_CANDLE_BODY_SHORT
#define BD TC_CANDLE_BODY_DOJI
#define SL TC_CANDLE_SHADOW_LONG
#define SVL TC_CANDLE_SHADOW_VERY_LONG
#define SS TC_CANDLE_SHADOW_SHORT
#define SVS TC_CANDLE_SHADOW_VERY_SHORT
#define NEAR TC_CANDLE_NEAR
#define FAR TC_CANDLE_FAR
#define EQUAL TC_CANDLE_EQUAL
#define B(kind) TC_PATTERN_BIT(kind)

#endif
