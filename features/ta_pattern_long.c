/* ta_pattern_long.c — candlestick patterns of four bars and more, and the two
 * Hikkakes: Three Black Crows, Three-Line Strike, Breakaway, Concealing Baby Swallow,
 * Hikkake, Modified Hikkake, Ladder Bottom, Mat Hold, Rising/Falling Three Methods.
 *
 * Rules, lookbacks and outputs follow TA-Lib's TA_CDL* functions; the sums a rule
 * reads are listed in its spec in index order (AVG(j, k) reads sum j for the bar k
 * back).  The Hikkakes carry a setup from bar to bar and report ±200 when a later bar
 * confirms it, as TA-Lib does.  The driver is in ta_pattern.c.
 */
#include "features/ta_pattern.h"

static int threeblackcrows_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(3) == 1 && COLOR(2) == -1 && LOWER(2) < AVG(0, 2) && COLOR(1) == -1 &&
        LOWER(1) < AVG(1, 1) && COLOR(0) == -1 && LOWER(0) < AVG(2, 0) && O(1) < O(2) &&
        O(1) > C(2) && O(0) < O(1) && O(0) > C(1) && H(3) > C(2) && C(2) > C(1) && C(1) > C(0))
        return -100;
    return 0;
}
static const tc_pattern_spec_t threeblackcrows_spec = {
    threeblackcrows_eval, B(SVS), 0, 3, 0, 3, {{SVS, 2}, {SVS, 1}, {SVS, 0}},
};
TC_PATTERN(tc_ta_cdl3blackcrows, "CDL3BLACKCROWS", "Three Black Crows", threeblackcrows_spec)

/* Three bars of one colour stepping on, then one opposite bar wiping them out. */
static int threelinestrike_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(3) == COLOR(2) && COLOR(2) == COLOR(1) && COLOR(0) == -COLOR(1) &&
        O(2) >= BODY_BOTTOM(3) - AVG(0, 3) && O(2) <= BODY_TOP(3) + AVG(0, 3) &&
        O(1) >= BODY_BOTTOM(2) - AVG(1, 2) && O(1) <= BODY_TOP(2) + AVG(1, 2) &&
        ((COLOR(1) == 1 && C(1) > C(2) && C(2) > C(3) && O(0) > C(1) && C(0) < O(3)) ||
         (COLOR(1) == -1 && C(1) < C(2) && C(2) < C(3) && O(0) < C(1) && C(0) > O(3))))
        return COLOR(1) * 100;
    return 0;
}
static const tc_pattern_spec_t threelinestrike_spec = {
    threelinestrike_eval, B(NEAR), 0, 3, 0, 2, {{NEAR, 3}, {NEAR, 2}},
};
TC_PATTERN(tc_ta_cdl3linestrike, "CDL3LINESTRIKE", "Three-Line Strike ", threelinestrike_spec)

static int breakaway_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (BODY(4) > AVG(0, 4) && COLOR(4) == COLOR(3) && COLOR(3) == COLOR(1) &&
        COLOR(1) == -COLOR(0) &&
        ((COLOR(4) == -1 && BODY_GAP_DOWN(3, 4) && H(2) < H(3) && L(2) < L(3) && H(1) < H(2) &&
          L(1) < L(2) && C(0) > O(3) && C(0) < C(4)) ||
         (COLOR(4) == 1 && BODY_GAP_UP(3, 4) && H(2) > H(3) && L(2) > L(3) && H(1) > H(2) &&
          L(1) > L(2) && C(0) < O(3) && C(0) > C(4))))
        return COLOR(0) * 100;
    return 0;
}
static const tc_pattern_spec_t breakaway_spec = {breakaway_eval, B(BL), 0, 4, 0, 1, {{BL, 4}}};
TC_PATTERN(tc_ta_cdlbreakaway, "CDLBREAKAWAY", "Breakaway", breakaway_spec)

static int concealbabyswall_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(3) == -1 && COLOR(2) == -1 && COLOR(1) == -1 && COLOR(0) == -1 &&
        LOWER(3) < AVG(0, 3) && UPPER(3) < AVG(0, 3) &&  /* two black marubozu */
        LOWER(2) < AVG(1, 2) && UPPER(2) < AVG(1, 2) &&
        BODY_GAP_DOWN(1, 2) && UPPER(1) > AVG(2, 1) && H(1) > C(2) && /* gap, shadow back up */
        H(0) > H(1) && L(0) < L(1))                       /* engulfing the third */
        return 100;
    return 0;
}
static const tc_pattern_spec_t concealbabyswall_spec = {
    concealbabyswall_eval, B(SVS), 0, 3, 0, 3, {{SVS, 3}, {SVS, 2}, {SVS, 1}},
};
TC_PATTERN(tc_ta_cdlconcealbabyswall, "CDLCONCEALBABYSWALL", "Concealing Baby Swallow",
           concealbabyswall_spec)

/* Shared by both Hikkakes once the setup test is known: a setup reports ±100 and is
 * remembered; within three bars a close beyond the high (low) of the bar before the
 * inside bar confirms it with ±200, once. */
static int hikkake_step(tc_pattern_t *pt, int setup, int bullish)
{
    const tc_candle_t *cs = &pt->cs;
    int64_t t = cs->n - 1;
    if (setup) {
        pt->setup = bullish ? 100 : -100;
        pt->mark = t;
        return pt->setup;
    }
    /* mark - 1 is at most 4 bars back: confirmation is only looked for while
     * t <= mark + 3, and the setup flag is tested before reaching into the ring. */
    if (t <= pt->mark + 3 &&
        ((pt->setup > 0 && C(0) > H((int)(t - pt->mark + 1))) ||
         (pt->setup < 0 && C(0) < L((int)(t - pt->mark + 1))))) {
        int r = pt->setup + 100 * (pt->setup > 0 ? 1 : -1);
        pt->mark = 0;
        return r;
    }
    return 0;
}

/* An inside bar, then a bar breaking out of it (the false breakout). */
static int hikkake_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    int setup = H(1) < H(2) && L(1) > L(2) &&
                ((H(0) < H(1) && L(0) < L(1)) || (H(0) > H(1) && L(0) > L(1)));
    return hikkake_step(pt, setup, H(0) < H(1));
}
/* TA-Lib's lookback is 5 and it primes the setup on the three bars before. */
static const tc_pattern_spec_t hikkake_spec = {hikkake_eval, 0, 0, 5, 3, 0, {{0, 0}}};
TC_PATTERN(tc_ta_cdlhikkake, "CDLHIKKAKE", "Hikkake Pattern", hikkake_spec)

/* Two nested inside bars, the second closing near its extreme, then a breakout. */
static int hikkakemod_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    int setup = H(2) < H(3) && L(2) > L(3) && H(1) < H(2) && L(1) > L(2) &&
                ((H(0) < H(1) && L(0) < L(1) && C(2) <= L(2) + AVG(0, 2)) ||
                 (H(0) > H(1) && L(0) > L(1) && C(2) >= H(2) - AVG(0, 2)));
    return hikkake_step(pt, setup, H(0) < H(1));
}
/* Lookback max(1, Near) + 5; the Near sum rolls through the three priming bars too. */
static const tc_pattern_spec_t hikkakemod_spec = {
    hikkakemod_eval, B(NEAR), 1, 5, 3, 1, {{NEAR, 2}},
};
TC_PATTERN(tc_ta_cdlhikkakemod, "CDLHIKKAKEMOD", "Modified Hikkake Pattern", hikkakemod_spec)

static int ladderbottom_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    if (COLOR(4) == -1 && COLOR(3) == -1 && COLOR(2) == -1 && O(4) > O(3) && O(3) > O(2) &&
        C(4) > C(3) && C(3) > C(2) && COLOR(1) == -1 && UPPER(1) > AVG(0, 1) &&
        COLOR(0) == 1 && O(0) > O(1) && C(0) > H(1))
        return 100;
    return 0;
}
static const tc_pattern_spec_t ladderbottom_spec = {
    ladderbottom_eval, B(SVS), 0, 4, 0, 1, {{SVS, 1}},
};
TC_PATTERN(tc_ta_cdlladderbottom, "CDLLADDERBOTTOM", "Ladder Bottom", ladderbottom_spec)

static int mathold_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    double pen = pt->penetration;
    if (BODY(4) > AVG(3, 4) && BODY(3) < AVG(0, 3) && BODY(2) < AVG(1, 2) &&
        BODY(1) < AVG(2, 1) && COLOR(4) == 1 && COLOR(3) == -1 && COLOR(0) == 1 &&
        BODY_GAP_UP(3, 4) && BODY_BOTTOM(2) < C(4) && BODY_BOTTOM(1) < C(4) &&
        BODY_BOTTOM(2) > C(4) - BODY(4) * pen && BODY_BOTTOM(1) > C(4) - BODY(4) * pen &&
        BODY_TOP(2) < O(3) && BODY_TOP(1) < BODY_TOP(2) && O(0) > C(1) &&
        C(0) > MAX2(MAX2(H(3), H(2)), H(1)))
        return 100;
    return 0;
}
static const tc_pattern_spec_t mathold_spec = {
    mathold_eval, B(BS) | B(BL), 0, 4, 0, 4, {{BS, 3}, {BS, 2}, {BS, 1}, {BL, 4}},
};
TC_PATTERN_PEN(tc_ta_cdlmathold, "CDLMATHOLD", "Mat Hold", mathold_spec, 0.5)

/* Long bar, three small opposite bars inside its range, long bar continuing.  The
 * colour factor turns every comparison around for the falling form, as TA-Lib does. */
static int risefall3methods_eval(tc_pattern_t *pt)
{
    const tc_candle_t *cs = &pt->cs;
    int c4 = COLOR(4);
    if (BODY(4) > AVG(3, 4) && BODY(3) < AVG(0, 3) && BODY(2) < AVG(1, 2) &&
        BODY(1) < AVG(2, 1) && BODY(0) > AVG(4, 0) && COLOR(4) == -COLOR(3) &&
        COLOR(3) == COLOR(2) && COLOR(2) == COLOR(1) && COLOR(1) == -COLOR(0) &&
        BODY_BOTTOM(3) < H(4) && BODY_TOP(3) > L(4) && BODY_BOTTOM(2) < H(4) &&
        BODY_TOP(2) > L(4) && BODY_BOTTOM(1) < H(4) && BODY_TOP(1) > L(4) &&
        C(2) * c4 < C(3) * c4 && C(1) * c4 < C(2) * c4 && O(0) * c4 > C(1) * c4 &&
        C(0) * c4 > C(4) * c4)
        return 100 * c4;
    return 0;
}
static const tc_pattern_spec_t risefall3methods_spec = {
    risefall3methods_eval, B(BS) | B(BL), 0, 4, 0, 5,
    {{BS, 3}, {BS, 2}, {BS, 1}, {BL, 4}, {BL, 0}},
};
TC_PATTERN(tc_ta_cdlrisefall3methods, "CDLRISEFALL3METHODS", "Rising/Falling Three Methods",
           risefall3methods_spec)
