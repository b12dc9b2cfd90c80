/* fastma.h — SMA and EMA each in a block of its own, updated inline, for hot loops.
 *
 * tc_ma_t (ma.h) puts every MA type behind one update, which branches on the type and
 * may call through a pointer; tc_ta_t (ta.h) adds the catalog's generic dispatch.  These
 * two do one type each: no call, no branch on the type, the SMA's window inside its own
 * block.  A caller's loop of updates is then small enough for the compiler to keep the
 * running value in a register from one update to the next instead of storing it and
 * loading it back (which costs more here than the arithmetic of either average), so a
 * loop over bars runs about as fast as TA-Lib's batch loop over the same bars
 * (BENCHMARKS.md, "Indicators").
 *
 * Outputs are the bits of TA_SMA and TA_EMA over the values fed so far (TA-Lib's order
 * of operations; EMA seeded with the mean of its first period), bar by bar from the
 * lookback on.  TA-Lib numbers only: the precise mode of docs/INDICATORS.md is tc_ma_t's.
 *
 *     tc_sma_t *s = malloc(tc_sma_size(30));      // or any block of that size
 *     if (tc_sma_init(s, 30) < 0) ...;
 *     for (...) if (tc_sma_update(s, x, &y)) use(y);
 *
 * Periods 2..100000, TA-Lib's range for both.  Nothing is allocated.
 */
#ifndef TC_FEATURES_FASTMA_H
#define TC_FEATURES_FASTMA_H

#include <stddef.h>

typedef struct tc_sma {
    double sum;   /* TA-Lib's periodTotal: the last period - 1 values */
    long n;       /* values consumed */
    int period;
    int head;     /* slot the next value goes to */
    double win[]; /* the last `period` values, a ring */
} tc_sma_t;

typedef struct tc_ema {
    double acc; /* the sum of the first values until seeded, then the EMA */
    double k;   /* 2 / (period + 1) */
    long n;
    int period;
} tc_ema_t;

/* Bytes of a tc_sma_t block for period (0 outside 2..100000). */
size_t tc_sma_size(int period);
/* Starts an empty SMA in a block of tc_sma_size(period) bytes; -EINVAL with TC_ERR for a
 * period outside 2..100000 (nothing written). */
int tc_sma_init(tc_sma_t *s, int period);
/* Starts an empty EMA; -EINVAL with TC_ERR for a period outside 2..100000. */
int tc_ema_init(tc_ema_t *e, int period);

/* Consumes x.  Returns 1 with the SMA of the last `period` values in *ret_y, or 0 during
 * the first period - 1 values (*ret_y untouched).  Can't fail. */
static inline int tc_sma_update(tc_sma_t *restrict s, double x, double *restrict ret_y)
{
    /* TA_INT_SMA: total = periodTotal + x_t; out = total / p; periodTotal = total - x_{t-p+1} */
    int p = s->period, h = s->head;
    s->win[h] = x;
    h = h + 1 == p ? 0 : h + 1; /* the slot of x_{t-p+1}, overwritten next */
    s->head = h;
    double total = s->sum + x;
    if (s->n++ < p - 1) {
        s->sum = total;
        return 0;
    }
    s->sum = total - s->win[h];
    *ret_y = total / p;
    return 1;
}

/* Consumes x.  Returns 1 with the EMA in *ret_y, or 0 during the first period - 1
 * values.  Can't fail. */
static inline int tc_ema_update(tc_ema_t *restrict e, double x, double *restrict ret_y)
{
    /* TA_INT_EMA: the mean of the first period values, then y = ((x - y) * k) + y.  One
     * load and one store of acc on every path, so a caller's loop keeps it in a register. */
    long t = e->n;
    double a = e->acc;
    e->n = t + 1;
    if (t < e->period) {
        a += x;
        if (t < e->period - 1) {
            e->acc = a;
            return 0;
        }
        a = a / e->period;
    } else {
        a = ((x - a) * e->k) + a;
    }
    e->acc = a;
    *ret_y = a;
    return 1;
}

#endif
