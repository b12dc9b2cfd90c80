/* candle.c — TA-Lib's default candle settings and the rolling sums of candle ranges
 * that the candlestick patterns (ta_pattern*.c) compare bars against.
 *
 * Follows TA-Lib's TA_CandleDefaultSettings and the way every TA_CDL* function keeps
 * its "PeriodTotal" sums: the first window summed oldest first, then one
 * `total += entering - leaving` per output bar after the pattern test.  Nothing here
 * knows about any particular pattern.
 */
#include "features/candle.h"

#include <assert.h>
#include <string.h>

const tc_candle_setting_t tc_candle_defaults[TC_CANDLE_N_KINDS] = {
    [TC_CANDLE_BODY_LONG] = {"BodyLong", TC_CANDLE_RANGE_REALBODY, 10, 1.0},
    [TC_CANDLE_BODY_VERY_LONG] = {"BodyVeryLong", TC_CANDLE_RANGE_REALBODY, 10, 3.0},
    [TC_CANDLE_BODY_SHORT] = {"BodyShort", TC_CANDLE_RANGE_REALBODY, 10, 1.0},
    [TC_CANDLE_BODY_DOJI] = {"BodyDoji", TC_CANDLE_RANGE_HIGHLOW, 10, 0.1},
    [TC_CANDLE_SHADOW_LONG] = {"ShadowLong", TC_CANDLE_RANGE_REALBODY, 0, 1.0},
    [TC_CANDLE_SHADOW_VERY_LONG] = {"ShadowVeryLong", TC_CANDLE_RANGE_REALBODY, 0, 2.0},
    [TC_CANDLE_SHADOW_SHORT] = {"ShadowShort", TC_CANDLE_RANGE_SHADOWS, 10, 1.0},
    [TC_CANDLE_SHADOW_VERY_SHORT] = {"ShadowVeryShort", TC_CANDLE_RANGE_HIGHLOW, 10, 0.1},
    [TC_CANDLE_NEAR] = {"Near", TC_CANDLE_RANGE_HIGHLOW, 5, 0.2},
    [TC_CANDLE_FAR] = {"Far", TC_CANDLE_RANGE_HIGHLOW, 5, 0.6},
    [TC_CANDLE_EQUAL] = {"Equal", TC_CANDLE_RANGE_HIGHLOW, 5, 0.05},
};

void tc_candle_init(tc_candle_t *cs, const tc_candle_sum_spec_t *spec, int n, int64_t start)
{
    assert(n >= 0 && n <= TC_CANDLE_MAX_SUMS);
    memset(cs, 0, sizeof *cs);
    cs->start = start;
    cs->n_sum = n;
    for (int j = 0; j < n; j++) {
        const tc_candle_setting_t *set = &tc_candle_defaults[spec[j].kind];
        tc_candle_sum_t *s = &cs->sum[j];
        s->range = set->range;
        s->period = set->period;
        s->factor = set->factor;
        s->lag = spec[j].lag;
        assert(s->lag + s->period < TC_CANDLE_DEPTH);
        assert(start >= s->period + s->lag);
    }
}

void tc_candle_push(tc_candle_t *cs, double open, double high, double low, double close)
{
    int slot = (int)(cs->n & (TC_CANDLE_DEPTH - 1));
    cs->open[slot] = open;
    cs->high[slot] = high;
    cs->low[slot] = low;
    cs->close[slot] = close;
    int64_t t = cs->n++;
    if (t >= cs->start)
        return;
    /* The first window of a sum at lag d over p bars is bars start-p-d .. start-1-d,
     * summed oldest first from 0, as TA-Lib's set-up loop does. */
    for (int j = 0; j < cs->n_sum; j++) {
        tc_candle_sum_t *s = &cs->sum[j];
        if (t >= cs->start - s->period - s->lag && t <= cs->start - 1 - s->lag)
            s->total += tc_candle_range_of(cs, s->range, 0);
    }
}

void tc_candle_roll(tc_candle_t *cs)
{
    /* The difference is formed first, then added: TA-Lib's `total += a - b`.  With a
     * zero period both terms are the same bar and the sum stays 0 (it is never read). */
    for (int j = 0; j < cs->n_sum; j++) {
        tc_candle_sum_t *s = &cs->sum[j];
        s->total += tc_candle_range_of(cs, s->range, s->lag) -
                    tc_candle_range_of(cs, s->range, s->lag + s->period);
    }
}

int tc_candle_period_max(unsigned mask)
{
    int m = 0;
    for (int k = 0; k < TC_CANDLE_N_KINDS; k++)
        if ((mask >> k) & 1u && tc_candle_defaults[k].period > m)
            m = tc_candle_defaults[k].period;
    return m;
}
