/* ta_pattern_two.c — the two-bar candlestick patterns: Counterattack, Dark Cloud
 * Cover, Doji Star, Engulfing, Hammer, Hanging Man, Harami, Harami Cross, Homing
 * Pigeon, In-Neck, Inverted Hammer, Kicking (and by length), Matching Low, On-Neck,
 * Piercing, Separating Lines, Shooting Star, Thrusting.
 *
 * Rules, lookbacks and outputs follow TA-Lib's TA_CDL* functions; the sums a rule
 * reads are listed in its spec in index order (AVG(j, k) reads sum j for the bar k
 * back).  The driver is in ta_pattern.c.
 */
#include "features/ta_pattern.h"

/* Opposite long bodies closing at the same price. */
static int counterattack_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(1) == -COLOR(0) && BODY(1) > AVG(1, 1) && BODY(0) > AVG(2, 0) &&
        C(0) <= C(1) + AVG(0, 1) && C(0) >= C(1) - AVG(0, 1))
        return COLOR(0) * 100;
    return 0;
}
static const tc_pattern_spec_t counterattack_spec = {
    counterattack_eval, B(EQUAL) | B(BL), 0, 1, 0, 3, {{EQUAL, 1}, {BL, 1}, {BL, 0}},
};
TC_PATTERN(tc_ta_cdlcounterattack, "CDLCOUNTERATTACK", "Counterattack", counterattack_spec)

/* Long white, then black opening above its high and closing deep in its body. */
static int darkcloudcover_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(1) == 1 && BODY(1) > AVG(0, 1) && COLOR(0) == -1 && O(0) > H(1) &&
        C(0) > O(1) && C(0) < C(1) - BODY(1) * pt->penetration)
        return -100;
    return 0;
}
static const tc_pattern_spec_t darkcloudcover_spec = {
    darkcloudcover_eval, B(BL), 0, 1, 0, 1, {{BL, 1}},
};
TC_PATTERN_PEN(tc_ta_cdldarkcloudcover, "CDLDARKCLOUDCOVER", "Dark Cloud Cover",
               darkcloudcover_spec, 0.5)

/* Long body, then a doji gapping away from it. */
static int dojistar_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(1) > AVG(0, 1) && BODY(0) <= AVG(1, 0) &&
        ((COLOR(1) == 1 && BODY_GAP_UP(0, 1)) || (COLOR(1) == -1 && BODY_GAP_DOWN(0, 1))))
        return -COLOR(1) * 100;
    return 0;
}
static const tc_pattern_spec_t dojistar_spec = {
    dojistar_eval, B(BD) | B(BL), 0, 1, 0, 2, {{BL, 1}, {BD, 0}},
};
TC_PATTERN(tc_ta_cdldojistar, "CDLDOJISTAR", "Doji Star", dojistar_spec)

/* The second body engulfs the first; ±80 when an open or close only touches. */
static int engulfing_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if ((COLOR(0) == 1 && COLOR(1) == -1 &&
         ((C(0) >= O(1) && O(0) < C(1)) || (C(0) > O(1) && O(0) <= C(1)))) ||
        (COLOR(0) == -1 && COLOR(1) == 1 &&
         ((O(0) >= C(1) && C(0) < O(1)) || (O(0) > C(1) && C(0) <= O(1))))) {
        if (O(0) != C(1) && C(0) != O(1))
            return COLOR(0) * 100;
        return COLOR(0) * 80;
    }
    return 0;
}
/* TA-Lib's lookback is 2 though the rule reads two bars. */
static const tc_pattern_spec_t engulfing_spec = {engulfing_eval, 0, 0, 2, 0, 0, {{0, 0}}};
TC_PATTERN(tc_ta_cdlengulfing, "CDLENGULFING", "Engulfing Pattern", engulfing_spec)

/* Small body near the previous low, long lower shadow, no upper shadow. */
static int hammer_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) < AVG(0, 0) && LOWER(0) > AVG(1, 0) && UPPER(0) < AVG(2, 0) &&
        BODY_BOTTOM(0) <= L(1) + AVG(3, 1))
        return 100;
    return 0;
}
static const tc_pattern_spec_t hammer_spec = {
    hammer_eval, B(BS) | B(SL) | B(SVS) | B(NEAR), 0, 1, 0, 4,
    {{BS, 0}, {SL, 0}, {SVS, 0}, {NEAR, 1}},
};
TC_PATTERN(tc_ta_cdlhammer, "CDLHAMMER", "Hammer", hammer_spec)

/* The hammer's shape with the body near the previous high. */
static int hangingman_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) < AVG(0, 0) && LOWER(0) > AVG(1, 0) && UPPER(0) < AVG(2, 0) &&
        BODY_BOTTOM(0) >= H(1) - AVG(3, 1))
        return -100;
    return 0;
}
static const tc_pattern_spec_t hangingman_spec = {
    hangingman_eval, B(BS) | B(SL) | B(SVS) | B(NEAR), 0, 1, 0, 4,
    {{BS, 0}, {SL, 0}, {SVS, 0}, {NEAR, 1}},
};
TC_PATTERN(tc_ta_cdlhangingman, "CDLHANGINGMAN", "Hanging Man", hangingman_spec)

/* Shared by Harami and Harami Cross once the two body sizes qualified: strictly
 * inside is ±100, inside with a shared edge ±80. */
static int harami_inside(const tc_candle_t *cs)
{
    if (BODY_TOP(0) < BODY_TOP(1) && BODY_BOTTOM(0) > BODY_BOTTOM(1))
        return -COLOR(1) * 100;
    if (BODY_TOP(0) <= BODY_TOP(1) && BODY_BOTTOM(0) >= BODY_BOTTOM(1))
        return -COLOR(1) * 80;
    return 0;
}

static int harami_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(1) > AVG(0, 1) && BODY(0) <= AVG(1, 0))
        return harami_inside(cs);
    return 0;
}
static const tc_pattern_spec_t harami_spec = {
    harami_eval, B(BS) | B(BL), 0, 1, 0, 2, {{BL, 1}, {BS, 0}},
};
TC_PATTERN(tc_ta_cdlharami, "CDLHARAMI", "Harami Pattern", harami_spec)

static int haramicross_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(1) > AVG(0, 1) && BODY(0) <= AVG(1, 0))
        return harami_inside(cs);
    return 0;
}
static const tc_pattern_spec_t haramicross_spec = {
    haramicross_eval, B(BD) | B(BL), 0, 1, 0, 2, {{BL, 1}, {BD, 0}},
};
TC_PATTERN(tc_ta_cdlharamicross, "CDLHARAMICROSS", "Harami Cross Pattern", haramicross_spec)

/* Two black bodies, the second short and inside the first. */
static int homingpigeon_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(1) == -1 && COLOR(0) == -1 && BODY(1) > AVG(0, 1) && BODY(0) <= AVG(1, 0) &&
        O(0) < O(1) && C(0) > C(1))
        return 100;
    return 0;
}
static const tc_pattern_spec_t homingpigeon_spec = {
    homingpigeon_eval, B(BS) | B(BL), 0, 1, 0, 2, {{BL, 1}, {BS, 0}},
};
TC_PATTERN(tc_ta_cdlhomingpigeon, "CDLHOMINGPIGEON", "Homing Pigeon", homingpigeon_spec)

/* Long black, then white opening below its low and closing just into its body. */
static int inneck_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(1) == -1 && BODY(1) > AVG(1, 1) && COLOR(0) == 1 && O(0) < L(1) &&
        C(0) <= C(1) + AVG(0, 1) && C(0) >= C(1))
        return -100;
    return 0;
}
static const tc_pattern_spec_t inneck_spec = {
    inneck_eval, B(EQUAL) | B(BL), 0, 1, 0, 2, {{EQUAL, 1}, {BL, 1}},
};
TC_PATTERN(tc_ta_cdlinneck, "CDLINNECK", "In-Neck Pattern", inneck_spec)

/* Small body gapping down, long upper shadow, no lower shadow. */
static int invertedhammer_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) < AVG(0, 0) && UPPER(0) > AVG(1, 0) && LOWER(0) < AVG(2, 0) &&
        BODY_GAP_DOWN(0, 1))
        return 100;
    return 0;
}
static const tc_pattern_spec_t invertedhammer_spec = {
    invertedhammer_eval, B(BS) | B(SL) | B(SVS), 0, 1, 0, 3, {{BS, 0}, {SL, 0}, {SVS, 0}},
};
TC_PATTERN(tc_ta_cdlinvertedhammer, "CDLINVERTEDHAMMER", "Inverted Hammer", invertedhammer_spec)

/* Two opposite marubozu with a gap between the candles (shared by both Kickings). */
static int kicking_shape(const tc_candle_t *cs)
{
    return COLOR(1) == -COLOR(0) && BODY(1) > AVG(2, 1) && UPPER(1) < AVG(0, 1) &&
           LOWER(1) < AVG(0, 1) && BODY(0) > AVG(3, 0) && UPPER(0) < AVG(1, 0) &&
           LOWER(0) < AVG(1, 0) &&
           ((COLOR(1) == -1 && GAP_UP(0, 1)) || (COLOR(1) == 1 && GAP_DOWN(0, 1)));
}

static int kicking_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    return kicking_shape(cs) ? COLOR(0) * 100 : 0;
}
static const tc_pattern_spec_t kicking_spec = {
    kicking_eval, B(SVS) | B(BL), 0, 1, 0, 4, {{SVS, 1}, {SVS, 0}, {BL, 1}, {BL, 0}},
};
TC_PATTERN(tc_ta_cdlkicking, "CDLKICKING", "Kicking", kicking_spec)

/* Kicking, signed by the longer of the two marubozu. */
static int kickingbylength_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (kicking_shape(cs))
        return COLOR(BODY(0) > BODY(1) ? 0 : 1) * 100;
    return 0;
}
static const tc_pattern_spec_t kickingbylength_spec = {
    kickingbylength_eval, B(SVS) | B(BL), 0, 1, 0, 4, {{SVS, 1}, {SVS, 0}, {BL, 1}, {BL, 0}},
};
TC_PATTERN(tc_ta_cdlkickingbylength, "CDLKICKINGBYLENGTH",
           "Kicking - bull/bear determined by the longer marubozu", kickingbylength_spec)

/* Two black candles closing at the same price. */
static int matchinglow_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(1) == -1 && COLOR(0) == -1 && C(0) <= C(1) + AVG(0, 1) && C(0) >= C(1) - AVG(0, 1))
        return 100;
    return 0;
}
static const tc_pattern_spec_t matchinglow_spec = {
    matchinglow_eval, B(EQUAL), 0, 1, 0, 1, {{EQUAL, 1}},
};
TC_PATTERN(tc_ta_cdlmatchinglow, "CDLMATCHINGLOW", "Matching Low", matchinglow_spec)

/* Long black, then white opening below its low and closing at that low. */
static int onneck_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(1) == -1 && BODY(1) > AVG(1, 1) && COLOR(0) == 1 && O(0) < L(1) &&
        C(0) <= L(1) + AVG(0, 1) && C(0) >= L(1) - AVG(0, 1))
        return -100;
    return 0;
}
static const tc_pattern_spec_t onneck_spec = {
    onneck_eval, B(EQUAL) | B(BL), 0, 1, 0, 2, {{EQUAL, 1}, {BL, 1}},
};
TC_PATTERN(tc_ta_cdlonneck, "CDLONNECK", "On-Neck Pattern", onneck_spec)

/* Long black, then long white opening below its low and closing above its midpoint. */
static int piercing_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(1) == -1 && BODY(1) > AVG(0, 1) && COLOR(0) == 1 && BODY(0) > AVG(1, 0) &&
        O(0) < L(1) && C(0) < O(1) && C(0) > C(1) + BODY(1) * 0.5)
        return 100;
    return 0;
}
static const tc_pattern_spec_t piercing_spec = {
    piercing_eval, B(BL), 0, 1, 0, 2, {{BL, 1}, {BL, 0}},
};
TC_PATTERN(tc_ta_cdlpiercing, "CDLPIERCING", "Piercing Pattern", piercing_spec)

/* Opposite colours opening at the same price, the second a belt-hold. */
static int separatinglines_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(1) == -COLOR(0) && O(0) <= O(1) + AVG(2, 1) && O(0) >= O(1) - AVG(2, 1) &&
        BODY(0) > AVG(1, 0) &&
        ((COLOR(0) == 1 && LOWER(0) < AVG(0, 0)) || (COLOR(0) == -1 && UPPER(0) < AVG(0, 0))))
        return COLOR(0) * 100;
    return 0;
}
static const tc_pattern_spec_t separatinglines_spec = {
    separatinglines_eval, B(SVS) | B(BL) | B(EQUAL), 0, 1, 0, 3, {{SVS, 0}, {BL, 0}, {EQUAL, 1}},
};
TC_PATTERN(tc_ta_cdlseparatinglines, "CDLSEPARATINGLINES", "Separating Lines",
           separatinglines_spec)

/* Small body gapping up, long upper shadow, no lower shadow. */
static int shootingstar_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(0) < AVG(0, 0) && UPPER(0) > AVG(1, 0) && LOWER(0) < AVG(2, 0) &&
        BODY_GAP_UP(0, 1))
        return -100;
    return 0;
}
static const tc_pattern_spec_t shootingstar_spec = {
    shootingstar_eval, B(BS) | B(SL) | B(SVS), 0, 1, 0, 3, {{BS, 0}, {SL, 0}, {SVS, 0}},
};
TC_PATTERN(tc_ta_cdlshootingstar, "CDLSHOOTINGSTAR", "Shooting Star", shootingstar_spec)

/* Long black, then white opening below its low, closing into its body but below the
 * midpoint. */
static int thrusting_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(1) == -1 && BODY(1) > AVG(1, 1) && COLOR(0) == 1 && O(0) < L(1) &&
        C(0) > C(1) + AVG(0, 1) && C(0) <= C(1) + BODY(1) * 0.5)
        return -100;
    return 0;
}
static const tc_pattern_spec_t thrusting_spec = {
    thrusting_eval, B(EQUAL) | B(BL), 0, 1, 0, 2, {{EQUAL, 1}, {BL, 1}},
};
TC_PATTERN(tc_ta_cdlthrusting, "CDLTHRUSTING", "Thrusting Pattern", thrusting_spec)
