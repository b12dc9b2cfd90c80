/* ta_oscillator.c — TA-Lib's moving-average oscillators as streaming objects
 * (features/ta.h): MACD, MACDFIX, MACDEXT, APO, PPO, STOCH, STOCHF and STOCHRSI.  Their
 * descriptors are listed in tc_ta_family_momentum[] (ta_momentum.c).
 *
 * The subtle part is where each moving average starts.  TA-Lib computes the fast and
 * the slow average of MACD, MACDEXT, APO and PPO with one call each over the same
 * output range, and every TA-Lib average begins `its own lookback` bars before that
 * range: so the average with the shorter lookback starts later, on bar
 * (longest lookback - its lookback), not on bar 0.  For EMA-like averages (EMA, DEMA,
 * TEMA, T3, KAMA) that changes every value; here each average is fed from the bar
 * TA-Lib starts it on.  The signal (MACD*) and %D (STOCH*) averages run over the
 * first output of the line they smooth, as TA-Lib's second call does.  Follows
 * ta_MACD.c (TA_INT_MACD), ta_MACDEXT.c, ta_APO.c/ta_PPO.c (TA_INT_PO), ta_STOCH.c,
 * ta_STOCHF.c and ta_STOCHRSI.c of TA-Lib 0.6. */
#include "features/ta_momentum.h"

#include "daemon/runtime/err.h"

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
