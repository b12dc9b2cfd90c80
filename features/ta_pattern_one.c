/* ta_pattern_one.c — the one-bar candlestick patterns: Belt-hold, Closing Marubozu,
 * Doji, Dragonfly and Gravestone Doji, High-Wave, Long-Legged Doji, Long Line,
 * Marubozu, Rickshaw Man, Short Line, Spinning Top, Takuri.
 *
 * Each compares the newest bar's body and shadows with candle averages of the bars
 * before it (candle.h); rules, lookbacks and outputs follow TA-Lib's TA_CDL* functions.
 * The driver is in ta_pattern.c.
 */
#include "features/ta_pattern.h"

/* Long body with no shadow on the opening side. */
static int belthold_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) > AVG(0, 0) &&
        ((COLOR(0) == 1 && LOWER(0) < AVG(1, 0)) || (COLOR(0) == -1 && UPPER(0) < AVG(1, 0))))
        return COLOR(0) * 100;
    return 0;
}
static const tc_pattern_spec_t belthold_spec = {
    belthold_eval, B(BL) | B(SVS), 0, 0, 0, 2, {{BL, 0}, {SVS, 0}},
};
TC_PATTERN(tc_ta_cdlbelthold, "CDLBELTHOLD", "Belt-hold", belthold_spec)

/* Long body with no shadow on the closing side. */
static int closingmarubozu_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) > AVG(0, 0) &&
        ((COLOR(0) == 1 && UPPER(0) < AVG(1, 0)) || (COLOR(0) == -1 && LOWER(0) < AVG(1, 0))))
        return COLOR(0) * 100;
    return 0;
}
static const tc_pattern_spec_t closingmarubozu_spec = {
    closingmarubozu_eval, B(BL) | B(SVS), 0, 0, 0, 2, {{BL, 0}, {SVS, 0}},
};
TC_PATTERN(tc_ta_cdlclosingmarubozu, "CDLCLOSINGMARUBOZU", "Closing Marubozu",
           closingmarubozu_spec)

static int doji_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    return BODY(0) <= AVG(0, 0) ? 100 : 0;
}
static const tc_pattern_spec_t doji_spec = {doji_eval, B(BD), 0, 0, 0, 1, {{BD, 0}}};
TC_PATTERN(tc_ta_cdldoji, "CDLDOJI", "Doji", doji_spec)

/* Doji with no upper shadow and a lower one. */
static int dragonflydoji_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) <= AVG(0, 0) && UPPER(0) < AVG(1, 0) && LOWER(0) > AVG(1, 0))
        return 100;
    return 0;
}
static const tc_pattern_spec_t dragonflydoji_spec = {
    dragonflydoji_eval, B(BD) | B(SVS), 0, 0, 0, 2, {{BD, 0}, {SVS, 0}},
};
TC_PATTERN(tc_ta_cdldragonflydoji, "CDLDRAGONFLYDOJI", "Dragonfly Doji", dragonflydoji_spec)

/* Doji with no lower shadow and an upper one. */
static int gravestonedoji_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) <= AVG(0, 0) && LOWER(0) < AVG(1, 0) && UPPER(0) > AVG(1, 0))
        return 100;
    return 0;
}
static const tc_pattern_spec_t gravestonedoji_spec = {
    gravestonedoji_eval, B(BD) | B(SVS), 0, 0, 0, 2, {{BD, 0}, {SVS, 0}},
};
TC_PATTERN(tc_ta_cdlgravestonedoji, "CDLGRAVESTONEDOJI", "Gravestone Doji", gravestonedoji_spec)

/* Short body, both shadows very long. */
static int highwave_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) < AVG(0, 0) && UPPER(0) > AVG(1, 0) && LOWER(0) > AVG(1, 0))
        return COLOR(0) * 100;
    return 0;
}
static const tc_pattern_spec_t highwave_spec = {
    highwave_eval, B(BS) | B(SVL), 0, 0, 0, 2, {{BS, 0}, {SVL, 0}},
};
TC_PATTERN(tc_ta_cdlhighwave, "CDLHIGHWAVE", "High-Wave Candle", highwave_spec)

/* Doji with one long shadow or both. */
static int longleggeddoji_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) <= AVG(0, 0) && (LOWER(0) > AVG(1, 0) || UPPER(0) > AVG(1, 0)))
        return 100;
    return 0;
}
static const tc_pattern_spec_t longleggeddoji_spec = {
    longleggeddoji_eval, B(BD) | B(SL), 0, 0, 0, 2, {{BD, 0}, {SL, 0}},
};
TC_PATTERN(tc_ta_cdllongleggeddoji, "CDLLONGLEGGEDDOJI", "Long Legged Doji", longleggeddoji_spec)

/* Long body, short shadows. */
static int longline_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) > AVG(0, 0) && UPPER(0) < AVG(1, 0) && LOWER(0) < AVG(1, 0))
        return COLOR(0) * 100;
    return 0;
}
static const tc_pattern_spec_t longline_spec = {
    longline_eval, B(BL) | B(SS), 0, 0, 0, 2, {{BL, 0}, {SS, 0}},
};
TC_PATTERN(tc_ta_cdllongline, "CDLLONGLINE", "Long Line Candle", longline_spec)

/* Long body, no shadows. */
static int marubozu_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) > AVG(0, 0) && UPPER(0) < AVG(1, 0) && LOWER(0) < AVG(1, 0))
        return COLOR(0) * 100;
    return 0;
}
static const tc_pattern_spec_t marubozu_spec = {
    marubozu_eval, B(BL) | B(SVS), 0, 0, 0, 2, {{BL, 0}, {SVS, 0}},
};
TC_PATTERN(tc_ta_cdlmarubozu, "CDLMARUBOZU", "Marubozu", marubozu_spec)

/* Doji with two long shadows and the body near the middle of the range. */
static int rickshawman_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) <= AVG(0, 0) && LOWER(0) > AVG(1, 0) && UPPER(0) > AVG(1, 0) &&
        BODY_BOTTOM(0) <= L(0) + HL(0) / 2 + AVG(2, 0) &&
        BODY_TOP(0) >= L(0) + HL(0) / 2 - AVG(2, 0))
        return 100;
    return 0;
}
static const tc_pattern_spec_t rickshawman_spec = {
    rickshawman_eval, B(BD) | B(SL) | B(NEAR), 0, 0, 0, 3, {{BD, 0}, {SL, 0}, {NEAR, 0}},
};
TC_PATTERN(tc_ta_cdlrickshawman, "CDLRICKSHAWMAN", "Rickshaw Man", rickshawman_spec)

/* Short body, short shadows. */
static int shortline_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) < AVG(0, 0) && UPPER(0) < AVG(1, 0) && LOWER(0) < AVG(1, 0))
        return COLOR(0) * 100;
    return 0;
}
static const tc_pattern_spec_t shortline_spec = {
    shortline_eval, B(BS) | B(SS), 0, 0, 0, 2, {{BS, 0}, {SS, 0}},
};
TC_PATTERN(tc_ta_cdlshortline, "CDLSHORTLINE", "Short Line Candle", shortline_spec)

/* Short body, each shadow longer than the body. */
static int spinningtop_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) < AVG(0, 0) && UPPER(0) > BODY(0) && LOWER(0) > BODY(0))
        return COLOR(0) * 100;
    return 0;
}
static const tc_pattern_spec_t spinningtop_spec = {spinningtop_eval, B(BS), 0, 0, 0, 1, {{BS, 0}}};
TC_PATTERN(tc_ta_cdlspinningtop, "CDLSPINNINGTOP", "Spinning Top", spinningtop_spec)

/* Dragonfly doji with a very long lower shadow. */
static int takuri_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) <= AVG(0, 0) && UPPER(0) < AVG(1, 0) && LOWER(0) > AVG(2, 0))
        return 100;
    return 0;
}
static const tc_pattern_spec_t takuri_spec = {
    takuri_eval, B(BD) | B(SVS) | B(SVL), 0, 0, 0, 3, {{BD, 0}, {SVS, 0}, {SVL, 0}},
};
TC_PATTERN(tc_ta_cdltakuri, "CDLTAKURI", "Takuri (Dragonfly Doji with very long lower shadow)",
           takuri_spec)
