/* ta_pattern.c — TA-Lib's 61 candlestick pattern functions (CDL*) as streaming
 * indicators: the driver every pattern shares, and the family table for catalog.c.
 *
 * The rules themselves live in ta_pattern_one.c (one-bar patterns), ta_pattern_two.c,
 * ta_pattern_three.c and ta_pattern_long.c (four bars and more, and Hikkake).  The
 * driver reproduces the shape of TA-Lib's TA_CDL* loops: the candle sums start from
 * the pattern's lookback (TA-Lib's startIdx), the rule is evaluated on the newest bar,
 * and only then are the sums moved one bar on (candle.h).  State is a fixed-size
 * struct: the last 16 bars and at most 10 sums, so an update is O(1) and allocation-free.
 */
#include "features/ta_pattern.h"

#include <assert.h>
#include <string.h>

int tc_pattern_lookback(const tc_pattern_spec_t *spec)
{
    int p = tc_candle_period_max(spec->lb_kinds);
    if (p < spec->lb_min)
        p = spec->lb_min;
    return p + spec->span;
}

size_t tc_pattern_state_size(const double *p)
{
    (void)p;
    return sizeof(tc_pattern_t);
}

int tc_pattern_init(void *st, const tc_pattern_spec_t *spec, const double *p, int pen)
{
    tc_pattern_t *pt = st;
    memset(pt, 0, sizeof *pt);
    pt->spec = spec;
    pt->lookback = tc_pattern_lookback(spec);
    pt->penetration = pen ? p[0] : 0.0;
    assert(spec->warm <= pt->lookback);
    /* Sums start rolling where the rule is first evaluated: at the lookback, or
     * `warm` bars earlier for the patterns whose state TA-Lib primes (HIKKAKEMOD). */
    tc_candle_init(&pt->cs, spec->sum, spec->n_sum, pt->lookback - spec->warm);
    return 0;
}

int tc_pattern_update(void *st, const double *in, double *out)
{
    tc_pattern_t *pt = st;
    tc_candle_push(&pt->cs, in[0], in[1], in[2], in[3]);
    int64_t t = pt->cs.n - 1;
    if (t < pt->lookback - pt->spec->warm)
        return 0;
    int v = pt->spec->eval(pt);
    tc_candle_roll(&pt->cs);
    if (t < pt->lookback)
        return 0;
    out[0] = v;
    return 1;
}

extern const tc_ta_func_t tc_ta_cdl2crows, tc_ta_cdl3blackcrows, tc_ta_cdl3inside,
    tc_ta_cdl3linestrike, tc_ta_cdl3outside, tc_ta_cdl3starsinsouth, tc_ta_cdl3whitesoldiers,
    tc_ta_cdlabandonedbaby, tc_ta_cdladvanceblock, tc_ta_cdlbelthold, tc_ta_cdlbreakaway,
    tc_ta_cdlclosingmarubozu, tc_ta_cdlconcealbabyswall, tc_ta_cdlcounterattack,
    tc_ta_cdldarkcloudcover, tc_ta_cdldoji, tc_ta_cdldojistar, tc_ta_cdldragonflydoji,
    tc_ta_cdlengulfing, tc_ta_cdleveningdojistar, tc_ta_cdleveningstar,
    tc_ta_cdlgapsidesidewhite, tc_ta_cdlgravestonedoji, tc_ta_cdlhammer, tc_ta_cdlhangingman,
    tc_ta_cdlharami, tc_ta_cdlharamicross, tc_ta_cdlhighwave, tc_ta_cdlhikkake,
    tc_ta_cdlhikkakemod, tc_ta_cdlhomingpigeon, tc_ta_cdlidentical3crows, tc_ta_cdlinneck,
    tc_ta_cdlinvertedhammer, tc_ta_cdlkicking, tc_ta_cdlkickingbylength, tc_ta_cdlladderbottom,
    tc_ta_cdllongleggeddoji, tc_ta_cdllongline, tc_ta_cdlmarubozu, tc_ta_cdlmatchinglow,
    tc_ta_cdlmathold, tc_ta_cdlmorningdojistar, tc_ta_cdlmorningstar, tc_ta_cdlonneck,
    tc_ta_cdlpiercing, tc_ta_cdlrickshawman, tc_ta_cdlrisefall3methods,
    tc_ta_cdlseparatinglines, tc_ta_cdlshootingstar, tc_ta_cdlshortline, tc_ta_cdlspinningtop,
    tc_ta_cdlstalledpattern, tc_ta_cdlsticksandwich, tc_ta_cdltakuri, tc_ta_cdltasukigap,
    tc_ta_cdlthrusting, tc_ta_cdltristar, tc_ta_cdlunique3river, tc_ta_cdlupsidegap2crows,
    tc_ta_cdlxsidegap3methods;

/* In functions.tsv order. */
const tc_ta_func_t *const tc_ta_family_pattern[] = {
    &tc_ta_cdl2crows,          &tc_ta_cdl3blackcrows,     &tc_ta_cdl3inside,
    &tc_ta_cdl3linestrike,     &tc_ta_cdl3outside,        &tc_ta_cdl3starsinsouth,
    &tc_ta_cdl3whitesoldiers,  &tc_ta_cdlabandonedbaby,   &tc_ta_cdladvanceblock,
    &tc_ta_cdlbelthold,        &tc_ta_cdlbreakaway,       &tc_ta_cdlclosingmarubozu,
    &tc_ta_cdlconcealbabyswall, &tc_ta_cdlcounterattack,  &tc_ta_cdldarkcloudcover,
    &tc_ta_cdldoji,            &tc_ta_cdldojistar,        &tc_ta_cdldragonflydoji,
    &tc_ta_cdlengulfing,       &tc_ta_cdleveningdojistar, &tc_ta_cdleveningstar,
    &tc_ta_cdlgapsidesidewhite, &tc_ta_cdlgravestonedoji, &tc_ta_cdlhammer,
    &tc_ta_cdlhangingman,      &tc_ta_cdlharami,          &tc_ta_cdlharamicross,
    &tc_ta_cdlhighwave,        &tc_ta_cdlhikkake,         &tc_ta_cdlhikkakemod,
    &tc_ta_cdlhomingpigeon,    &tc_ta_cdlidentical3crows, &tc_ta_cdlinneck,
    &tc_ta_cdlinvertedhammer,  &tc_ta_cdlkicking,         &tc_ta_cdlkickingbylength,
    &tc_ta_cdlladderbottom,    &tc_ta_cdllongleggeddoji,  &tc_ta_cdllongline,
    &tc_ta_cdlmarubozu,        &tc_ta_cdlmatchinglow,     &tc_ta_cdlmathold,
    &tc_ta_cdlmorningdojistar, &tc_ta_cdlmorningstar,     &tc_ta_cdlonneck,
    &tc_ta_cdlpiercing,        &tc_ta_cdlrickshawman,     &tc_ta_cdlrisefall3methods,
    &tc_ta_cdlseparatinglines, &tc_ta_cdlshootingstar,    &tc_ta_cdlshortline,
    &tc_ta_cdlspinningtop,     &tc_ta_cdlstalledpattern,  &tc_ta_cdlsticksandwich,
    &tc_ta_cdltakuri,          &tc_ta_cdltasukigap,       &tc_ta_cdlthrusting,
    &tc_ta_cdltristar,         &tc_ta_cdlunique3river,    &tc_ta_cdlupsidegap2crows,
    &tc_ta_cdlxsidegap3methods,
    NULL,
};
