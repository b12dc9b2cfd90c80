/* ta_pattern_three.c — the three-bar candlestick patterns: Two Crows, Three Inside
 * and Outside Up/Down, Three Stars in the South, Three White Soldiers, Abandoned Baby,
 * Advance Block, Evening and Morning (Doji) Star, Up/Down-gap Side-by-side White Lines,
 * Identical Three Crows, Stalled Pattern, Stick Sandwich, Tasuki Gap, Tristar, Unique
 * 3 River, Upside Gap Two Crows, Upside/Downside Gap Three Methods.
 *
 * Rules, lookbacks and outputs follow TA-Lib's TA_CDL* functions; the sums a rule
 * reads are listed in its spec in index order (AVG(j, k) reads sum j for the bar k
 * back).  The driver is in ta_pattern.c.
 */
#include "features/ta_pattern.h"

/* Long white, black gapping up, black opening in the second body and closing in the
 * first. */
static int twocrows_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(2) == 1 && BODY(2) > AVG(0, 2) && COLOR(1) == -1 && BODY_GAP_UP(1, 2) &&
        COLOR(0) == -1 && O(0) < O(1) && O(0) > C(1) && C(0) > O(2) && C(0) < C(2))
        return -100;
    return 0;
}
static const tc_pattern_spec_t twocrows_spec = {twocrows_eval, B(BL), 0, 2, 0, 1, {{BL, 2}}};
TC_PATTERN(tc_ta_cdl2crows, "CDL2CROWS", "Two Crows", twocrows_spec)

/* A harami, then a bar closing beyond the first bar's open. */
static int threeinside_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(2) > AVG(0, 2) && BODY(1) <= AVG(1, 1) && BODY_TOP(1) < BODY_TOP(2) &&
        BODY_BOTTOM(1) > BODY_BOTTOM(2) &&
        ((COLOR(2) == 1 && COLOR(0) == -1 && C(0) < O(2)) ||
         (COLOR(2) == -1 && COLOR(0) == 1 && C(0) > O(2))))
        return -COLOR(2) * 100;
    return 0;
}
static const tc_pattern_spec_t threeinside_spec = {
    threeinside_eval, B(BS) | B(BL), 0, 2, 0, 2, {{BL, 2}, {BS, 1}},
};
TC_PATTERN(tc_ta_cdl3inside, "CDL3INSIDE", "Three Inside Up/Down", threeinside_spec)

/* An engulfing, then a close further in its direction. */
static int threeoutside_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if ((COLOR(1) == 1 && COLOR(2) == -1 && C(1) > O(2) && O(1) < C(2) && C(0) > C(1)) ||
        (COLOR(1) == -1 && COLOR(2) == 1 && O(1) > C(2) && C(1) < O(2) && C(0) < C(1)))
        return COLOR(1) * 100;
    return 0;
}
/* TA-Lib's lookback is 3 though the rule reads three bars. */
static const tc_pattern_spec_t threeoutside_spec = {threeoutside_eval, 0, 0, 3, 0, 0, {{0, 0}}};
TC_PATTERN(tc_ta_cdl3outside, "CDL3OUTSIDE", "Three Outside Up/Down", threeoutside_spec)

static int threestarsinsouth_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(2) == -1 && COLOR(1) == -1 && COLOR(0) == -1 &&
        BODY(2) > AVG(0, 2) && LOWER(2) > AVG(1, 2) &&                  /* long, long lower shadow */
        BODY(1) < BODY(2) && O(1) > C(2) && O(1) <= H(2) && L(1) < C(2) && /* smaller, inside */
        L(1) >= L(2) && LOWER(1) > AVG(2, 1) &&                         /* higher low, shadow */
        BODY(0) < AVG(4, 0) && LOWER(0) < AVG(3, 0) && UPPER(0) < AVG(3, 0) && /* marubozu */
        L(0) > L(1) && H(0) < H(1))                                     /* inside the second */
        return 100;
    return 0;
}
static const tc_pattern_spec_t threestarsinsouth_spec = {
    threestarsinsouth_eval, B(SVS) | B(SL) | B(BL) | B(BS), 0, 2, 0, 5,
    {{BL, 2}, {SL, 2}, {SVS, 1}, {SVS, 0}, {BS, 0}},
};
TC_PATTERN(tc_ta_cdl3starsinsouth, "CDL3STARSINSOUTH", "Three Stars In The South",
           threestarsinsouth_spec)

static int threewhitesoldiers_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(2) == 1 && UPPER(2) < AVG(0, 2) && COLOR(1) == 1 && UPPER(1) < AVG(1, 1) &&
        COLOR(0) == 1 && UPPER(0) < AVG(2, 0) && C(0) > C(1) && C(1) > C(2) &&
        O(1) > O(2) && O(1) <= C(2) + AVG(3, 2) && O(0) > O(1) && O(0) <= C(1) + AVG(4, 1) &&
        BODY(1) > BODY(2) - AVG(5, 2) && BODY(0) > BODY(1) - AVG(6, 1) && BODY(0) > AVG(7, 0))
        return 100;
    return 0;
}
static const tc_pattern_spec_t threewhitesoldiers_spec = {
    threewhitesoldiers_eval, B(SVS) | B(BS) | B(FAR) | B(NEAR), 0, 2, 0, 8,
    {{SVS, 2}, {SVS, 1}, {SVS, 0}, {NEAR, 2}, {NEAR, 1}, {FAR, 2}, {FAR, 1}, {BS, 0}},
};
TC_PATTERN(tc_ta_cdl3whitesoldiers, "CDL3WHITESOLDIERS", "Three Advancing White Soldiers",
           threewhitesoldiers_spec)

/* Long body, doji with gaps (whole candles) on both sides, body back into the first. */
static int abandonedbaby_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    double pen = pt->penetration;
    if (BODY(2) > AVG(0, 2) && BODY(1) <= AVG(1, 1) && BODY(0) > AVG(2, 0) &&
        ((COLOR(2) == 1 && COLOR(0) == -1 && C(0) < C(2) - BODY(2) * pen && GAP_UP(1, 2) &&
          GAP_DOWN(0, 1)) ||
         (COLOR(2) == -1 && COLOR(0) == 1 && C(0) > C(2) + BODY(2) * pen && GAP_DOWN(1, 2) &&
          GAP_UP(0, 1))))
        return COLOR(0) * 100;
    return 0;
}
static const tc_pattern_spec_t abandonedbaby_spec = {
    abandonedbaby_eval, B(BD) | B(BL) | B(BS), 0, 2, 0, 3, {{BL, 2}, {BD, 1}, {BS, 0}},
};
TC_PATTERN_PEN(tc_ta_cdlabandonedbaby, "CDLABANDONEDBABY", "Abandoned Baby", abandonedbaby_spec,
               0.3)

/* Three white bars losing strength: shrinking bodies or growing upper shadows. */
static int advanceblock_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(2) == 1 && COLOR(1) == 1 && COLOR(0) == 1 && C(0) > C(1) && C(1) > C(2) &&
        O(1) > O(2) && O(1) <= C(2) + AVG(5, 2) && O(0) > O(1) && O(0) <= C(1) + AVG(6, 1) &&
        BODY(2) > AVG(9, 2) && UPPER(2) < AVG(0, 2) &&
        ((BODY(1) < BODY(2) - AVG(7, 2) && BODY(0) < BODY(1) + AVG(6, 1)) ||
         (BODY(0) < BODY(1) - AVG(8, 1)) ||
         (BODY(0) < BODY(1) && BODY(1) < BODY(2) &&
          (UPPER(0) > AVG(2, 0) || UPPER(1) > AVG(1, 1))) ||
         (BODY(0) < BODY(1) && UPPER(0) > AVG(4, 0))))
        return -100;
    return 0;
}
static const tc_pattern_spec_t advanceblock_spec = {
    advanceblock_eval, B(SL) | B(SS) | B(FAR) | B(NEAR) | B(BL), 0, 2, 0, 10,
    {{SS, 2}, {SS, 1}, {SS, 0}, {SL, 1}, {SL, 0}, {NEAR, 2}, {NEAR, 1}, {FAR, 2}, {FAR, 1},
     {BL, 2}},
};
TC_PATTERN(tc_ta_cdladvanceblock, "CDLADVANCEBLOCK", "Advance Block", advanceblock_spec)

/* Long white, doji gapping up, black closing well into the first body. */
static int eveningdojistar_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(2) > AVG(0, 2) && COLOR(2) == 1 && BODY(1) <= AVG(1, 1) && BODY_GAP_UP(1, 2) &&
        BODY(0) > AVG(2, 0) && COLOR(0) == -1 && C(0) < C(2) - BODY(2) * pt->penetration)
        return -100;
    return 0;
}
static const tc_pattern_spec_t eveningdojistar_spec = {
    eveningdojistar_eval, B(BD) | B(BL) | B(BS), 0, 2, 0, 3, {{BL, 2}, {BD, 1}, {BS, 0}},
};
TC_PATTERN_PEN(tc_ta_cdleveningdojistar, "CDLEVENINGDOJISTAR", "Evening Doji Star",
               eveningdojistar_spec, 0.3)

/* Long white, short body gapping up, black closing well into the first body. */
static int eveningstar_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(2) > AVG(0, 2) && COLOR(2) == 1 && BODY(1) <= AVG(1, 1) && BODY_GAP_UP(1, 2) &&
        BODY(0) > AVG(2, 0) && COLOR(0) == -1 && C(0) < C(2) - BODY(2) * pt->penetration)
        return -100;
    return 0;
}
static const tc_pattern_spec_t eveningstar_spec = {
    eveningstar_eval, B(BS) | B(BL), 0, 2, 0, 3, {{BL, 2}, {BS, 1}, {BS, 0}},
};
TC_PATTERN_PEN(tc_ta_cdleveningstar, "CDLEVENINGSTAR", "Evening Star", eveningstar_spec, 0.3)

/* Two similar white bars side by side, both gapping away from the first bar. */
static int gapsidesidewhite_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (((BODY_GAP_UP(1, 2) && BODY_GAP_UP(0, 2)) || (BODY_GAP_DOWN(1, 2) && BODY_GAP_DOWN(0, 2))) &&
        COLOR(1) == 1 && COLOR(0) == 1 && BODY(0) >= BODY(1) - AVG(0, 1) &&
        BODY(0) <= BODY(1) + AVG(0, 1) && O(0) >= O(1) - AVG(1, 1) && O(0) <= O(1) + AVG(1, 1))
        return BODY_GAP_UP(1, 2) ? 100 : -100;
    return 0;
}
static const tc_pattern_spec_t gapsidesidewhite_spec = {
    gapsidesidewhite_eval, B(NEAR) | B(EQUAL), 0, 2, 0, 2, {{NEAR, 1}, {EQUAL, 1}},
};
TC_PATTERN(tc_ta_cdlgapsidesidewhite, "CDLGAPSIDESIDEWHITE",
           "Up/Down-gap side-by-side white lines", gapsidesidewhite_spec)

/* Three black crows, each opening at the previous close. */
static int identical3crows_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(2) == -1 && LOWER(2) < AVG(0, 2) && COLOR(1) == -1 && LOWER(1) < AVG(1, 1) &&
        COLOR(0) == -1 && LOWER(0) < AVG(2, 0) && C(2) > C(1) && C(1) > C(0) &&
        O(1) <= C(2) + AVG(3, 2) && O(1) >= C(2) - AVG(3, 2) && O(0) <= C(1) + AVG(4, 1) &&
        O(0) >= C(1) - AVG(4, 1))
        return -100;
    return 0;
}
static const tc_pattern_spec_t identical3crows_spec = {
    identical3crows_eval, B(SVS) | B(EQUAL), 0, 2, 0, 5,
    {{SVS, 2}, {SVS, 1}, {SVS, 0}, {EQUAL, 2}, {EQUAL, 1}},
};
TC_PATTERN(tc_ta_cdlidentical3crows, "CDLIDENTICAL3CROWS", "Identical Three Crows",
           identical3crows_spec)

/* Morning Doji Star: the evening doji star mirrored. */
static int morningdojistar_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(2) > AVG(0, 2) && COLOR(2) == -1 && BODY(1) <= AVG(1, 1) && BODY_GAP_DOWN(1, 2) &&
        BODY(0) > AVG(2, 0) && COLOR(0) == 1 && C(0) > C(2) + BODY(2) * pt->penetration)
        return 100;
    return 0;
}
static const tc_pattern_spec_t morningdojistar_spec = {
    morningdojistar_eval, B(BD) | B(BL) | B(BS), 0, 2, 0, 3, {{BL, 2}, {BD, 1}, {BS, 0}},
};
TC_PATTERN_PEN(tc_ta_cdlmorningdojistar, "CDLMORNINGDOJISTAR", "Morning Doji Star",
               morningdojistar_spec, 0.3)

static int morningstar_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(2) > AVG(0, 2) && COLOR(2) == -1 && BODY(1) <= AVG(1, 1) && BODY_GAP_DOWN(1, 2) &&
        BODY(0) > AVG(2, 0) && COLOR(0) == 1 && C(0) > C(2) + BODY(2) * pt->penetration)
        return 100;
    return 0;
}
static const tc_pattern_spec_t morningstar_spec = {
    morningstar_eval, B(BS) | B(BL), 0, 2, 0, 3, {{BL, 2}, {BS, 1}, {BS, 0}},
};
TC_PATTERN_PEN(tc_ta_cdlmorningstar, "CDLMORNINGSTAR", "Morning Star", morningstar_spec, 0.3)

/* Two long white bars, then a small one opening near the second's close. */
static int stalledpattern_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(2) == 1 && COLOR(1) == 1 && COLOR(0) == 1 && C(0) > C(1) && C(1) > C(2) &&
        BODY(2) > AVG(0, 2) && BODY(1) > AVG(1, 1) && UPPER(1) < AVG(3, 1) && O(1) > O(2) &&
        O(1) <= C(2) + AVG(4, 2) && BODY(0) < AVG(2, 0) &&
        O(0) >= C(1) - BODY(0) - AVG(5, 1))
        return -100;
    return 0;
}
static const tc_pattern_spec_t stalledpattern_spec = {
    stalledpattern_eval, B(BL) | B(BS) | B(SVS) | B(NEAR), 0, 2, 0, 6,
    {{BL, 2}, {BL, 1}, {BS, 0}, {SVS, 1}, {NEAR, 2}, {NEAR, 1}},
};
TC_PATTERN(tc_ta_cdlstalledpattern, "CDLSTALLEDPATTERN", "Stalled Pattern", stalledpattern_spec)

/* Black, white trading above its close, black closing where the first closed. */
static int sticksandwich_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(2) == -1 && COLOR(1) == 1 && COLOR(0) == -1 && L(1) > C(2) &&
        C(0) <= C(2) + AVG(0, 2) && C(0) >= C(2) - AVG(0, 2))
        return 100;
    return 0;
}
static const tc_pattern_spec_t sticksandwich_spec = {
    sticksandwich_eval, B(EQUAL), 0, 2, 0, 1, {{EQUAL, 2}},
};
TC_PATTERN(tc_ta_cdlsticksandwich, "CDLSTICKSANDWICH", "Stick Sandwich", sticksandwich_spec)

/* A gap, a bar in its direction, then an opposite bar of similar size partly closing
 * the gap. */
static int tasukigap_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if ((BODY_GAP_UP(1, 2) && COLOR(1) == 1 && COLOR(0) == -1 && O(0) < C(1) && O(0) > O(1) &&
         C(0) < O(1) && C(0) > BODY_TOP(2) && fabs(BODY(1) - BODY(0)) < AVG(0, 1)) ||
        (BODY_GAP_DOWN(1, 2) && COLOR(1) == -1 && COLOR(0) == 1 && O(0) < O(1) && O(0) > C(1) &&
         C(0) > O(1) && C(0) < BODY_BOTTOM(2) && fabs(BODY(1) - BODY(0)) < AVG(0, 1)))
        return COLOR(1) * 100;
    return 0;
}
static const tc_pattern_spec_t tasukigap_spec = {tasukigap_eval, B(NEAR), 0, 2, 0, 1, {{NEAR, 1}}};
TC_PATTERN(tc_ta_cdltasukigap, "CDLTASUKIGAP", "Tasuki Gap", tasukigap_spec)

/* Three dojis, the middle one gapping away.  TA-Lib measures all three against the
 * average before the first. */
static int tristar_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    int r = 0;
    if (BODY(2) <= AVG(0, 2) && BODY(1) <= AVG(0, 2) && BODY(0) <= AVG(0, 2)) {
        if (BODY_GAP_UP(1, 2) && BODY_TOP(0) < BODY_TOP(1))
            r = -100;
        if (BODY_GAP_DOWN(1, 2) && BODY_BOTTOM(0) > BODY_BOTTOM(1))
            r = 100;
    }
    return r;
}
static const tc_pattern_spec_t tristar_spec = {tristar_eval, B(BD), 0, 2, 0, 1, {{BD, 2}}};
TC_PATTERN(tc_ta_cdltristar, "CDLTRISTAR", "Tristar Pattern", tristar_spec)

static int unique3river_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(2) > AVG(0, 2) && COLOR(2) == -1 && COLOR(1) == -1 && C(1) > C(2) &&
        O(1) <= O(2) && L(1) < L(2) && BODY(0) < AVG(1, 0) && COLOR(0) == 1 && O(0) > L(1))
        return 100;
    return 0;
}
static const tc_pattern_spec_t unique3river_spec = {
    unique3river_eval, B(BS) | B(BL), 0, 2, 0, 2, {{BL, 2}, {BS, 0}},
};
TC_PATTERN(tc_ta_cdlunique3river, "CDLUNIQUE3RIVER", "Unique 3 River", unique3river_spec)

static int upsidegap2crows_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(2) == 1 && BODY(2) > AVG(0, 2) && COLOR(1) == -1 && BODY(1) <= AVG(1, 1) &&
        BODY_GAP_UP(1, 2) && COLOR(0) == -1 && O(0) > O(1) && C(0) < C(1) && C(0) > C(2))
        return -100;
    return 0;
}
static const tc_pattern_spec_t upsidegap2crows_spec = {
    upsidegap2crows_eval, B(BS) | B(BL), 0, 2, 0, 2, {{BL, 2}, {BS, 1}},
};
TC_PATTERN(tc_ta_cdlupsidegap2crows, "CDLUPSIDEGAP2CROWS", "Upside Gap Two Crows",
           upsidegap2crows_spec)

/* Two bars gapping in one direction, then an opposite bar closing the gap. */
static int xsidegap3methods_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(2) == COLOR(1) && COLOR(1) == -COLOR(0) && O(0) < BODY_TOP(1) &&
        O(0) > BODY_BOTTOM(1) && C(0) < BODY_TOP(2) && C(0) > BODY_BOTTOM(2) &&
        ((COLOR(2) == 1 && BODY_GAP_UP(1, 2)) || (COLOR(2) == -1 && BODY_GAP_DOWN(1, 2))))
        return COLOR(2) * 100;
    return 0;
}
static const tc_pattern_spec_t xsidegap3methods_spec = {
    xsidegap3methods_eval, 0, 0, 2, 0, 0, {{0, 0}},
};
TC_PATTERN(tc_ta_cdlxsidegap3methods, "CDLXSIDEGAP3METHODS", "Upside/Downside Gap Three Methods",
           xsidegap3methods_spec)
