/* ta_volatility.c — TA-Lib's volatility indicators as streaming objects (features/ta.h):
 * TRANGE, ATR and NATR.
 *
 * Follows TA-Lib 0.6's ta_TRANGE.c, ta_ATR.c and ta_NATR.c: the first ATR is the
 * plain mean of the first `period` true ranges (bars 1..period), then Wilder's
 * ((ATR * (period-1)) + TR) / period; with period 1 both are TRANGE.  One documented
 * difference: where TA-Lib's NATR meets a close of zero it overwrites its *first*
 * output with 0 and leaves the current cell unset; a stream cannot rewrite the past,
 * so that bar gives 0. */
#include "features/ta_momentum.h"

typedef struct atr {
    int period;
    long n;
    double prev_close, atr;
} atr_t;

static size_t atr_size(const double *p) { (void)p; return sizeof(atr_t); }

static int atr_init(void *st, const double *p, int mode)
{
    (void)mode;
    atr_t *s = st;
    s->period = (int)p[0];
    return 0;
}

/* Consumes one bar; 1 once the ATR is defined (from bar `period`). */
static int atr_step(atr_t *s, const double *in)
{
    long t = s->n++;
    double tr = tc_ta_true_range(in[0], in[1], s->prev_close);
    s->prev_close = in[2];
    if (t == 0)
        return 0;
    if (t <= s->period) {
        s->atr += tr;
        if (t < s->period)
            return 0;
        s->atr /= s->period;
        return 1;
    }
    s->atr *= s->period - 1;
    s->atr += tr;
    s->atr /= s->period;
    return 1;
}

static int atr_lookback(const double *p) { return (int)p[0]; }

static int atr_update(void *st, const double *in, double *out)
{
    atr_t *s = st;
    if (!atr_step(s, in))
        return 0;
    out[0] = s->atr;
    return 1;
}

/* NATR: 100 * ATR / close.  TA-Lib's NATR with period 1 returns TRANGE itself, not
 * normalised (ta_NATR.c hands period 1 to TA_TRANGE); so does this one. */
static int natr_update(void *st, const double *in, double *out)
{
    atr_t *s = st;
    if (!atr_step(s, in))
        return 0;
    if (s->period == 1)
        out[0] = s->atr;
    else
        out[0] = tc_ta_is_zero(in[2]) ? 0.0 : (s->atr / in[2]) * 100.0;
    return 1;
}

/* ---- TRANGE ---- */

typedef struct trange {
    long n;
    double prev_close;
} trange_t;

static int trange_lookback(const double *p) { (void)p; return 1; }
static size_t trange_size(const double *p) { (void)p; return sizeof(trange_t); }
static int trange_init(void *st, const double *p, int mode) { (void)st; (void)p; (void)mode; return 0; }

static int trange_update(void *st, const double *in, double *out)
{
    trange_t *s = st;
    double prev = s->prev_close;
    s->prev_close = in[2];
    if (s->n++ == 0)
        return 0;
    out[0] = tc_ta_true_range(in[0], in[1], prev);
    return 1;
}

#define VLT_GROUP "Volatility Indicators"

static const tc_ta_func_t fn_atr = {
    "ATR", VLT_GROUP, "Average True Range",
    3, { "high", "low", "close" }, 1, { TC_TA_P_INT("TimePeriod", 14, 1) }, 1, { "real" }, 0,
    atr_lookback, atr_size, atr_init, atr_update,
};
static const tc_ta_func_t fn_natr = {
    "NATR", VLT_GROUP, "Normalized Average True Range",
    3, { "high", "low", "close" }, 1, { TC_TA_P_INT("TimePeriod", 14, 1) }, 1, { "real" }, 0,
    atr_lookback, atr_size, atr_init, natr_update,
};
static const tc_ta_func_t fn_trange = {
    "TRANGE", VLT_GROUP, "True Range",
    3, { "high", "low", "close" }, 0, { { 0 } }, 1, { "real" }, 0,
    trange_lookback, trange_size, trange_init, trange_update,
};

const tc_ta_func_t *const tc_ta_family_volatility[] = {
    &fn_atr,
    &fn_natr,
    &fn_trange,
    NULL,
};
