/* ta_oscillator.c — TA-Lib's moving-average oscillators as streaming objects
 * (features/ta.h): MACD, MACDFIX, MACDEXT, APO, PPO, STOCH, STOCHF and STOCHRSI.  Their
 * descriptors are listed in tc_ta_family_momentum[] (ta_momentum.c).
 *
 * The subtle part is where each moving average starts, which differs between TA-Lib's
 * functions.  MACD, MACDFIX and MACDEXT compute the fast and the slow average with one
 * call each over the output range, and every TA-Lib average begins `its own lookback`
 * bars before the range it is asked for: the average with the shorter lookback starts
 * later, on bar (longest lookback - its lookback), not on bar 0.  For EMA-like averages
 * (EMA, DEMA, TEMA, T3, KAMA) that changes every value; here each average is fed from
 * the bar TA-Lib starts it on.  APO and PPO instead ask both averages for the whole
 * series, so both start on bar 0.  The signal (MACD*) and %D (STOCH*) averages run from
 * the first value of the line they smooth, as TA-Lib's second call does.  Follows
 * ta_MACD.c (TA_INT_MACD), ta_MACDEXT.c, ta_APO.c/ta_PPO.c (TA_INT_PO), ta_STOCH.c,
 * ta_STOCHF.c and ta_STOCHRSI.c of TA-Lib 0.6. */
#include "features/ta_momentum.h"

#include "features/ma.h"

/* ====================================================================================
 * MACD and MACDFIX: TA-Lib's own EMAs (TA_INT_EMA), the fast one seeded on the `fast`
 * bars that end where the slow one's seed ends.
 * ==================================================================================*/

typedef struct macd {
    long n;
    int skip_fast; /* bars before the fast EMA starts */
    tc_ta_ema_t fast, slow, signal;
} macd_t;

/* Returns 1 with the three outputs once the signal line is defined. */
static int macd_step(macd_t *s, double x, double *out)
{
    long t = s->n++;
    double ys, yf, sig;
    int slow_ready = tc_ta_ema_update(&s->slow, x, &ys);
    if (t < s->skip_fast)
        return 0;
    int fast_ready = tc_ta_ema_update(&s->fast, x, &yf);
    if (!slow_ready || !fast_ready)
        return 0;
    double line = yf - ys;
    if (!tc_ta_ema_update(&s->signal, line, &sig))
        return 0;
    out[0] = line;
    out[1] = sig;
    out[2] = line - sig;
    return 1;
}

static void macd_periods(const double *p, int *ret_fast, int *ret_slow)
{
    int fast = (int)p[0], slow = (int)p[1];
    *ret_fast = slow < fast ? slow : fast;
    *ret_slow = slow < fast ? fast : slow;
}

static int macd_lookback(const double *p)
{
    int fast, slow;
    macd_periods(p, &fast, &slow);
    return (slow - 1) + ((int)p[2] - 1);
}

static size_t macd_size(const double *p) { (void)p; return sizeof(macd_t); }

static int macd_init(void *st, const double *p, int mode)
{
    (void)mode;
    macd_t *s = st;
    int fast, slow, signal = (int)p[2];
    macd_periods(p, &fast, &slow);
    s->skip_fast = slow - fast;
    tc_ta_ema_init(&s->fast, fast, tc_ta_per_to_k(fast));
    tc_ta_ema_init(&s->slow, slow, tc_ta_per_to_k(slow));
    tc_ta_ema_init(&s->signal, signal, tc_ta_per_to_k(signal));
    return 0;
}

static int macd_update(void *st, const double *in, double *out) { return macd_step(st, in[0], out); }

/* MACDFIX: 12/26 with TA-Lib's fixed factors 0.15 and 0.075 instead of 2/(n+1). */
static int macdfix_lookback(const double *p) { return (26 - 1) + ((int)p[0] - 1); }

static int macdfix_init(void *st, const double *p, int mode)
{
    (void)mode;
    macd_t *s = st;
    int signal = (int)p[0];
    s->skip_fast = 26 - 12;
    tc_ta_ema_init(&s->fast, 12, 0.15);
    tc_ta_ema_init(&s->slow, 26, 0.075);
    tc_ta_ema_init(&s->signal, signal, tc_ta_per_to_k(signal));
    return 0;
}

/* ====================================================================================
 * Carving: each state is one block, a header struct followed by the windows of its
 * moving averages and window extremes, every piece 16-byte aligned.
 * ==================================================================================*/

static void *carve(unsigned char **cursor, size_t n)
{
    void *r = *cursor;
    *cursor += tc_ta_align(n);
    return n ? r : NULL;
}

/* Starts an MA that TA-Lib begins on absolute bar `origin` (only MAMA cares). */
static int ma_start(tc_ma_t *m, int type, int period, int mode, unsigned char **cursor, long origin)
{
    double *win = carve(cursor, tc_ma_window_size(type, period));
    int r = tc_ma_init(m, type, period, mode, win);
    if (r < 0)
        return r;
    tc_ma_origin_set(m, origin);
    return 0;
}

/* ====================================================================================
 * APO and PPO: fast MA - slow MA (PPO: in percent of the slow MA), one MA type, both
 * averages over the whole series (TA_INT_PO calls TA_MA from bar 0 for each).
 * ==================================================================================*/

typedef struct po {
    int percent;
    tc_ma_t fast, slow;
} po_t;

static void po_periods(const double *p, int *ret_fast, int *ret_slow)
{
    int fast = (int)p[0], slow = (int)p[1];
    *ret_fast = slow < fast ? slow : fast;
    *ret_slow = slow < fast ? fast : slow;
}

static int po_lookback(const double *p)
{
    int fast, slow;
    po_periods(p, &fast, &slow);
    return tc_ma_lookback((int)p[2], slow);
}

static size_t po_size(const double *p)
{
    int fast, slow, type = (int)p[2];
    po_periods(p, &fast, &slow);
    return tc_ta_align(sizeof(po_t)) + tc_ta_align(tc_ma_window_size(type, fast)) +
           tc_ta_align(tc_ma_window_size(type, slow));
}

static int po_init_common(po_t *s, const double *p, int mode, int percent)
{
    int fast, slow, type = (int)p[2];
    po_periods(p, &fast, &slow);
    s->percent = percent;
    unsigned char *cursor = (unsigned char *)s + tc_ta_align(sizeof(po_t));
    int r = ma_start(&s->fast, type, fast, mode, &cursor, 0);
    if (r < 0)
        return r;
    return ma_start(&s->slow, type, slow, mode, &cursor, 0);
}

static int apo_init(void *st, const double *p, int mode) { return po_init_common(st, p, mode, 0); }
static int ppo_init(void *st, const double *p, int mode) { return po_init_common(st, p, mode, 1); }

static int po_update(void *st, const double *in, double *out)
{
    po_t *s = st;
    double yf = 0, ys = 0;
    int rf = tc_ma_update(&s->fast, in[0], &yf);
    int rs = tc_ma_update(&s->slow, in[0], &ys);
    if (!rf || !rs)
        return 0;
    if (s->percent)
        out[0] = tc_ta_is_zero(ys) ? 0.0 : ((yf - ys) / ys) * 100.0;
    else
        out[0] = yf - ys;
    return 1;
}

/* ====================================================================================
 * MACDEXT: MACD with an MA type for each of the fast, slow and signal lines.
 * ==================================================================================*/

typedef struct macdext {
    long n;
    int skip_fast, skip_slow;
    tc_ma_t fast, slow, signal;
} macdext_t;

/* Fast and slow (period, type) after TA-Lib's swap: the longer period is the slow. */
static void macdext_lines(const double *p, int *fp, int *ft, int *sp, int *st)
{
    *fp = (int)p[0];
    *ft = (int)p[1];
    *sp = (int)p[2];
    *st = (int)p[3];
    if (*sp < *fp) {
        int tp = *sp, tt = *st;
        *sp = *fp;
        *st = *ft;
        *fp = tp;
        *ft = tt;
    }
}

static int macdext_largest(const double *p)
{
    int fp, ft, sp, st;
    macdext_lines(p, &fp, &ft, &sp, &st);
    int lf = tc_ma_lookback(ft, fp), ls = tc_ma_lookback(st, sp);
    return lf > ls ? lf : ls;
}

static int macdext_lookback(const double *p)
{
    return macdext_largest(p) + tc_ma_lookback((int)p[5], (int)p[4]);
}

static size_t macdext_size(const double *p)
{
    int fp, ft, sp, st;
    macdext_lines(p, &fp, &ft, &sp, &st);
    return tc_ta_align(sizeof(macdext_t)) + tc_ta_align(tc_ma_window_size(ft, fp)) +
           tc_ta_align(tc_ma_window_size(st, sp)) +
           tc_ta_align(tc_ma_window_size((int)p[5], (int)p[4]));
}

static int macdext_init(void *st, const double *p, int mode)
{
    macdext_t *s = st;
    int fp, ft, sp, sty;
    macdext_lines(p, &fp, &ft, &sp, &sty);
    int largest = macdext_largest(p);
    s->skip_fast = largest - tc_ma_lookback(ft, fp);
    s->skip_slow = largest - tc_ma_lookback(sty, sp);
    unsigned char *cursor = (unsigned char *)s + tc_ta_align(sizeof(macdext_t));
    int r = ma_start(&s->fast, ft, fp, mode, &cursor, s->skip_fast);
    if (r < 0)
        return r;
    r = ma_start(&s->slow, sty, sp, mode, &cursor, s->skip_slow);
    if (r < 0)
        return r;
    /* TA-Lib smooths the MACD line as a fresh array: the signal's bar 0 is its first. */
    return ma_start(&s->signal, (int)p[5], (int)p[4], mode, &cursor, 0);
}

static int macdext_update(void *st, const double *in, double *out)
{
    macdext_t *s = st;
    long t = s->n++;
    double yf = 0, ys = 0, sig;
    int rf = t >= s->skip_fast && tc_ma_update(&s->fast, in[0], &yf);
    int rs = t >= s->skip_slow && tc_ma_update(&s->slow, in[0], &ys);
    if (!rf || !rs)
        return 0;
    double line = yf - ys;
    if (!tc_ma_update(&s->signal, line, &sig))
        return 0;
    out[0] = line;
    out[1] = sig;
    out[2] = line - sig;
    return 1;
}

/* ====================================================================================
 * Stochastics.  Fast %K = 100 * (close - lowest low) / (highest high - lowest low) over
 * FastK_Period bars (0 for a window without range), in TA-Lib's form
 * (close - low) / ((high - low) / 100).  STOCHF: %D = MA(%K).  STOCH: slow %K = MA(%K),
 * slow %D = MA(slow %K).  STOCHRSI: STOCHF of the RSI series.
 * ==================================================================================*/

typedef struct fastk {
    long n;
    int period;
    tc_ta_extreme_t hi, lo;
} fastk_t;

static size_t fastk_size(int period) { return 2 * tc_ta_extreme_size(period); }

static void fastk_init(fastk_t *k, int period, unsigned char **cursor)
{
    k->period = period;
    tc_ta_extreme_init(&k->hi, period, 1, carve(cursor, tc_ta_extreme_size(period)));
    tc_ta_extreme_init(&k->lo, period, 0, carve(cursor, tc_ta_extreme_size(period)));
}

static int fastk_update(fastk_t *k, double h, double l, double c, double *ret_k)
{
    long t = k->n++;
    tc_ta_extreme_push(&k->hi, t, h);
    tc_ta_extreme_push(&k->lo, t, l);
    if (t < k->period - 1)
        return 0;
    double lo = tc_ta_extreme_value(&k->lo);
    double diff = (tc_ta_extreme_value(&k->hi) - lo) / 100.0;
    *ret_k = diff != 0.0 ? (c - lo) / diff : 0.0;
    return 1;
}

/* STOCHF core, shared with STOCHRSI. */
typedef struct stochf {
    fastk_t k;
    tc_ma_t d;
} stochf_t;

static size_t stochf_core_size(int kp, int dp, int dt)
{
    return fastk_size(kp) + tc_ta_align(tc_ma_window_size(dt, dp));
}

static int stochf_core_init(stochf_t *s, int kp, int dp, int dt, int mode, unsigned char **cursor)
{
    fastk_init(&s->k, kp, cursor);
    return ma_start(&s->d, dt, dp, mode, cursor, 0);
}

static int stochf_core_update(stochf_t *s, double h, double l, double c, double *out)
{
    double k, d;
    if (!fastk_update(&s->k, h, l, c, &k) || !tc_ma_update(&s->d, k, &d))
        return 0;
    out[0] = k;
    out[1] = d;
    return 1;
}

static int stochf_lookback(const double *p)
{
    return ((int)p[0] - 1) + tc_ma_lookback((int)p[2], (int)p[1]);
}

static size_t stochf_size(const double *p)
{
    return tc_ta_align(sizeof(stochf_t)) + stochf_core_size((int)p[0], (int)p[1], (int)p[2]);
}

static int stochf_init(void *st, const double *p, int mode)
{
    unsigned char *cursor = (unsigned char *)st + tc_ta_align(sizeof(stochf_t));
    return stochf_core_init(st, (int)p[0], (int)p[1], (int)p[2], mode, &cursor);
}

static int stochf_update(void *st, const double *in, double *out)
{
    return stochf_core_update(st, in[0], in[1], in[2], out);
}

/* STOCH: p = FastK_Period, SlowK_Period, SlowK_MAType, SlowD_Period, SlowD_MAType. */
typedef struct stoch {
    fastk_t k;
    tc_ma_t slow_k, slow_d;
} stoch_t;

static int stoch_lookback(const double *p)
{
    return ((int)p[0] - 1) + tc_ma_lookback((int)p[2], (int)p[1]) +
           tc_ma_lookback((int)p[4], (int)p[3]);
}

static size_t stoch_size(const double *p)
{
    return tc_ta_align(sizeof(stoch_t)) + fastk_size((int)p[0]) +
           tc_ta_align(tc_ma_window_size((int)p[2], (int)p[1])) +
           tc_ta_align(tc_ma_window_size((int)p[4], (int)p[3]));
}

static int stoch_init(void *st, const double *p, int mode)
{
    stoch_t *s = st;
    unsigned char *cursor = (unsigned char *)st + tc_ta_align(sizeof(stoch_t));
    fastk_init(&s->k, (int)p[0], &cursor);
    int r = ma_start(&s->slow_k, (int)p[2], (int)p[1], mode, &cursor, 0);
    if (r < 0)
        return r;
    return ma_start(&s->slow_d, (int)p[4], (int)p[3], mode, &cursor, 0);
}

static int stoch_update(void *st, const double *in, double *out)
{
    stoch_t *s = st;
    double k, sk, sd;
    if (!fastk_update(&s->k, in[0], in[1], in[2], &k) || !tc_ma_update(&s->slow_k, k, &sk) ||
        !tc_ma_update(&s->slow_d, sk, &sd))
        return 0;
    out[0] = sk;
    out[1] = sd;
    return 1;
}

/* STOCHRSI: p = TimePeriod, FastK_Period, FastD_Period, FastD_MAType. */
typedef struct stochrsi {
    tc_ta_gainloss_t rsi;
    stochf_t f;
} stochrsi_t;

static int stochrsi_lookback(const double *p)
{
    return (int)p[0] + ((int)p[1] - 1) + tc_ma_lookback((int)p[3], (int)p[2]);
}

static size_t stochrsi_size(const double *p)
{
    return tc_ta_align(sizeof(stochrsi_t)) + stochf_core_size((int)p[1], (int)p[2], (int)p[3]);
}

static int stochrsi_init(void *st, const double *p, int mode)
{
    stochrsi_t *s = st;
    tc_ta_gainloss_init(&s->rsi, (int)p[0]);
    unsigned char *cursor = (unsigned char *)st + tc_ta_align(sizeof(stochrsi_t));
    return stochf_core_init(&s->f, (int)p[1], (int)p[2], (int)p[3], mode, &cursor);
}

static int stochrsi_update(void *st, const double *in, double *out)
{
    stochrsi_t *s = st;
    double rsi;
    if (!tc_ta_rsi_update(&s->rsi, in[0], &rsi))
        return 0;
    return stochf_core_update(&s->f, rsi, rsi, rsi, out);
}

/* ====================================================================================
 * Descriptors
 * ==================================================================================*/

#define MOM_GROUP "Momentum Indicators"
#define MACD_OUT { "macd", "macdsignal", "macdhist" }

const tc_ta_func_t tc_ta_momentum_macd = {
    "MACD", MOM_GROUP, "Moving Average Convergence/Divergence",
    1, { "inReal" }, 3,
    { TC_TA_P_INT("FastPeriod", 12, 2), TC_TA_P_INT("SlowPeriod", 26, 2),
      TC_TA_P_INT("SignalPeriod", 9, 1) },
    3, MACD_OUT, 0,
    macd_lookback, macd_size, macd_init, macd_update,
};
const tc_ta_func_t tc_ta_momentum_macdfix = {
    "MACDFIX", MOM_GROUP, "Moving Average Convergence/Divergence Fix 12/26",
    1, { "inReal" }, 1, { TC_TA_P_INT("SignalPeriod", 9, 1) },
    3, MACD_OUT, 0,
    macdfix_lookback, macd_size, macdfix_init, macd_update,
};
const tc_ta_func_t tc_ta_momentum_macdext = {
    "MACDEXT", MOM_GROUP, "MACD with controllable MA type",
    1, { "inReal" }, 6,
    { TC_TA_P_INT("FastPeriod", 12, 2), TC_TA_P_MATYPE("FastMAType"),
      TC_TA_P_INT("SlowPeriod", 26, 2), TC_TA_P_MATYPE("SlowMAType"),
      TC_TA_P_INT("SignalPeriod", 9, 1), TC_TA_P_MATYPE("SignalMAType") },
    3, MACD_OUT, 0,
    macdext_lookback, macdext_size, macdext_init, macdext_update,
};
const tc_ta_func_t tc_ta_momentum_apo = {
    "APO", MOM_GROUP, "Absolute Price Oscillator",
    1, { "inReal" }, 3,
    { TC_TA_P_INT("FastPeriod", 12, 2), TC_TA_P_INT("SlowPeriod", 26, 2), TC_TA_P_MATYPE("MAType") },
    1, { "real" }, 0,
    po_lookback, po_size, apo_init, po_update,
};
const tc_ta_func_t tc_ta_momentum_ppo = {
    "PPO", MOM_GROUP, "Percentage Price Oscillator",
    1, { "inReal" }, 3,
    { TC_TA_P_INT("FastPeriod", 12, 2), TC_TA_P_INT("SlowPeriod", 26, 2), TC_TA_P_MATYPE("MAType") },
    1, { "real" }, 0,
    po_lookback, po_size, ppo_init, po_update,
};
const tc_ta_func_t tc_ta_momentum_stoch = {
    "STOCH", MOM_GROUP, "Stochastic",
    3, { "high", "low", "close" }, 5,
    { TC_TA_P_INT("FastK_Period", 5, 1), TC_TA_P_INT("SlowK_Period", 3, 1),
      TC_TA_P_MATYPE("SlowK_MAType"), TC_TA_P_INT("SlowD_Period", 3, 1),
      TC_TA_P_MATYPE("SlowD_MAType") },
    2, { "slowk", "slowd" }, 0,
    stoch_lookback, stoch_size, stoch_init, stoch_update,
};
const tc_ta_func_t tc_ta_momentum_stochf = {
    "STOCHF", MOM_GROUP, "Stochastic Fast",
    3, { "high", "low", "close" }, 3,
    { TC_TA_P_INT("FastK_Period", 5, 1), TC_TA_P_INT("FastD_Period", 3, 1),
      TC_TA_P_MATYPE("FastD_MAType") },
    2, { "fastk", "fastd" }, 0,
    stochf_lookback, stochf_size, stochf_init, stochf_update,
};
const tc_ta_func_t tc_ta_momentum_stochrsi = {
    "STOCHRSI", MOM_GROUP, "Stochastic Relative Strength Index",
    1, { "inReal" }, 4,
    { TC_TA_P_INT("TimePeriod", 14, 2), TC_TA_P_INT("FastK_Period", 5, 1),
      TC_TA_P_INT("FastD_Period", 3, 1), TC_TA_P_MATYPE("FastD_MAType") },
    2, { "fastk", "fastd" }, 0,
    stochrsi_lookback, stochrsi_size, stochrsi_init, stochrsi_update,
};
