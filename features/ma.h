/* ma.h — a streaming moving average of any TA-Lib MA type, for embedding.
 *
 * tc_ma_t reproduces what TA-Lib's TA_MA(period, type) writes when called on the values
 * fed so far, one value at a time: SMA, EMA (seeded by the SMA of its first period),
 * WMA, DEMA, TEMA, TRIMA, KAMA, MAMA (FastLimit 0.5, SlowLimit 0.05; the period is
 * ignored) and T3 (VFactor 0.7); period 1 is the identity for every type, as in TA_MA.
 *
 * A tc_ma_t is a fixed-size value that other indicator states embed; the types that
 * keep a window of past values (SMA, WMA, TRIMA, KAMA) also need tc_ma_window_size()
 * bytes of caller-owned storage, handed to tc_ma_init().  Nothing is allocated.
 *
 *     struct my_state { tc_ma_t ma; ... double win[]; };   // win sized by window_size
 *     r = tc_ma_init(&s->ma, TC_MA_EMA, 30, mode, s->win); if (r < 0) return r;
 *     if (tc_ma_update(&s->ma, x, &y)) use(y);
 *
 * The MA starts from the first value fed: where TA-Lib calls TA_MA with a startIdx
 * beyond the lookback (e.g. the fast MA of APO/PPO/MACD is aligned on the slow one), feed
 * the MA from the bar TA-Lib starts it at, i.e. (startIdx - tc_ma_lookback(type, period)).
 * (TA-Lib's MAMA alternates odd and even delay lines by the parity of the absolute bar
 * index; the values do not depend on it, see tc_ma_origin_set.)
 */
#ifndef TC_FEATURES_MA_H
#define TC_FEATURES_MA_H

#include <stddef.h>

#include "features/ht.h"
#include "features/ta.h" /* TC_MA_* types, TC_TA_MODE_* */

#define TC_MA_PERIOD_MAX 100000

/* EMA on its own: seeded by the mean of its first `period` inputs. */
typedef struct tc_ma_ema {
    int period, n;
    double k;   /* 2 / (period + 1) */
    double acc; /* sum of the first inputs until seeded, then the EMA */
} tc_ma_ema_t;

/* Private fields; use the functions below. */
/* tc_ma_t.kind: the types whose update is inlined into tc_ma_update (the common MAs,
 * called once per bar by most indicators); every other one goes through step. */
enum { TC_MA_KIND_STEP = 0, TC_MA_KIND_SMA = 1, TC_MA_KIND_EMA = 2 };

typedef struct tc_ma {
    int type, period, mode;
    int kind; /* TC_MA_KIND_*, chosen at init */
    long n; /* values consumed */
    /* the type's update, chosen at init (x, window ring, its size, newest slot, out) */
    int (*step)(struct tc_ma *m, double x, const double *ring, int cap, int head, double *y);
    double *win; /* window ring (cap values), caller-owned; NULL if the type needs none */
    int cap, head;
    double vfactor;    /* T3 */
    double fast, slow; /* MAMA's limits */
    long origin;       /* MAMA: absolute index of the first value */
    union {
        /* Precise mode keeps each window sum twice: `l*` slides (add the new value,
         * drop the old one) and `f*` is summed afresh over the values since the last
         * swap; every `period` values f* covers exactly the window and replaces l*, so
         * no rounding outlives a window and no update loops over it. */
        struct tc_ma_sma {
            double sum;
            long double lsum, fsum; /* precise mode */
            int since;
        } sma;
        struct tc_ma_wma {
            double sum, sub, trail, divider; /* divider: p(p+1)/2 */
            long double lsum, lsub, fsum, fsub; /* precise mode */
            int since;
        } wma;
        struct tc_ma_emas {
            tc_ma_ema_t e1, e2, e3;
            double y2[2], x1[2]; /* EMA fast path: the last two outputs and inputs */
        } ema; /* EMA, DEMA, TEMA */
        struct tc_ma_trima {
            double num, nsub, nadd, factor;
            long double lnum, lnsub, lnadd, fnum, fsub, fadd; /* precise mode */
            int since;
        } trima;
        struct tc_ma_kama {
            double sum_roc, prev, trail;
        } kama;
        struct tc_ma_t3 {
            double k, omk, e[6], c1, c2, c3, c4, acc;
            int stage, cnt;
        } t3;
        struct tc_ma_mama {
            tc_ht_t ht;
            double mama, fama, prev_phase;
        } mama;
    } u;
} tc_ma_t;

/* TA-Lib's lookback of TA_MA(period, type): bars before the first output.  0 for
 * period 1.  -EINVAL (without TC_ERR) for a type outside 0..8. */
int tc_ma_lookback(int type, int period);

/* Bytes of window storage the MA needs beside its tc_ma_t (0 for the recursive types,
 * period + 1 doubles for SMA, WMA, TRIMA, KAMA).  Can't fail; 0 for bad arguments. */
size_t tc_ma_window_size(int type, int period);

/* sizeof(tc_ma_t) + tc_ma_window_size(): a standalone block for tc_ma_init with
 * window == NULL, where the window follows the struct. */
size_t tc_ma_state_size(int type, int period);

/* Starts an empty MA of TA_MAType `type` (0..8, enum tc_ma_type in features/ta.h) and
 * period 1..100000; mode is TC_TA_MODE_TALIB or TC_TA_MODE_PRECISE (PRECISE changes
 * SMA, WMA and TRIMA only: exact-window sums instead of TA-Lib's drifting running sums).
 * window: tc_ma_window_size() bytes, suitably aligned for double; NULL means the memory
 * right after *m (a block of tc_ma_state_size bytes).  Returns 0, or -EINVAL with TC_ERR on a
 * bad type, period or mode; on error nothing is changed. */
int tc_ma_init(tc_ma_t *m, int type, int period, int mode, double *window);

/* As tc_ma_init for TC_MA_T3 with TA-Lib's VFactor (0..1), as the T3 function takes it. */
int tc_ma_t3_init(tc_ma_t *m, int period, double vfactor);

/* As tc_ma_init for TC_MA_MAMA with FastLimit and SlowLimit (0.01..0.99), as the MAMA
 * function takes them. */
int tc_ma_mama_init(tc_ma_t *m, double fast_limit, double slow_limit);

/* Absolute bar index of the next value fed (default 0); call it before the first update.
 * MAMA's delay lines alternate with the parity of this index as in TA-Lib, but as each
 * line starts at zero and cycles through its taps the outputs are the same for any
 * origin (tests/features/test_ma.c checks it); kept so a caller can state where TA-Lib
 * starts.  Can't fail. */
void tc_ma_origin_set(tc_ma_t *m, long index);

/* Restarts from an empty history with the same type, period, mode and window.
 * Can't fail. */
void tc_ma_reset(tc_ma_t *m);

/* The inlined SMA and EMA, in TA_INT_SMA's and TA_INT_EMA's order of operations (the
 * same bits).  A recursive average fed one call at a time is bound by latency, not work:
 * each update waits for the previous one's value to come back from memory (a store
 * forwarded to a load costs several floating-point operations) before its own.  The EMA,
 * whose step is three dependent operations, therefore keeps the value of two bars ago
 * (y2[t & 1]) and recomputes the previous bar's value from it with the very operations
 * that produced it, then its own: twice the work, but each chain through memory spans two
 * updates and the even and odd chains overlap.  Private; tc_ma_update calls them. */
/* Slot of a window ring of cap values for an index i within one lap of it
 * (-cap <= i < 2 * cap), as a head offset gives.  Can't fail. */
static inline int tc_ma_ring_index(int i, int cap) { return i < 0 ? i + cap : i >= cap ? i - cap : i; }

static inline int tc_ma__sma_update(tc_ma_t *m, double x, double *ret_y)
{
    /* Running sum S_t = (S_{t-1} + x_t) - x_{t-p+1}; the output is (S_{t-1} + x_t) / p.
     * (The two-bar recomputation the EMA uses measured no faster here: the SMA's two adds
     * are short beside the call itself.) */
    struct tc_ma_sma *s = &m->u.sma;
    int cap = m->cap, p = m->period;
    int h = m->head + 1 == cap ? 0 : m->head + 1;
    m->head = h;
    m->win[h] = x;
    double total = s->sum + x;
    if (m->n++ < p - 1) {
        s->sum = total;
        return 0;
    }
    s->sum = total - m->win[tc_ma_ring_index(h + 2, cap)]; /* x_{t-p+1}: window cap = p + 1 */
    *ret_y = total / p;
    return 1;
}

static inline int tc_ma__ema_update(tc_ma_t *m, double x, double *ret_y)
{
    /* y_t = ((x_t - y_{t-1}) * k) + y_{t-1}, seeded by the mean of the first period. */
    struct tc_ma_emas *s = &m->u.ema;
    tc_ma_ema_t *e = &s->e1;
    long t = m->n++;
    int slot = (int)(t & 1);
    double y;
    if (t > e->period) {
        double y2 = s->y2[slot], x1 = s->x1[slot ^ 1];
        double prev = ((x1 - y2) * e->k) + y2; /* y_{t-1}, bit for bit */
        y = ((x - prev) * e->k) + prev;
    } else if (t >= e->period) {
        y = ((x - e->acc) * e->k) + e->acc;
    } else {
        e->acc += x;
        if (t < e->period - 1)
            return 0;
        e->acc = e->acc / e->period;
        y = e->acc;
    }
    e->acc = y;
    s->y2[slot] = y;
    s->x1[slot] = x;
    *ret_y = y;
    return 1;
}

/* Consumes x.  Returns 1 and writes the MA to *ret_y once tc_ma_lookback values came
 * before it; 0 during the lookback (*ret_y untouched).  O(1) amortised, no allocation;
 * can't fail.  Inline: it is on every indicator's hot path. */
static inline int tc_ma_update(tc_ma_t *m, double x, double *ret_y)
{
    if (m->kind == TC_MA_KIND_SMA)
        return tc_ma__sma_update(m, x, ret_y);
    if (m->kind == TC_MA_KIND_EMA)
        return tc_ma__ema_update(m, x, ret_y);
    if (m->win) {
        if (++m->head == m->cap)
            m->head = 0;
        m->win[m->head] = x;
    }
    int r = m->step(m, x, m->win, m->cap, m->head, ret_y);
    m->n++;
    return r;
}

/* MAMA's second output (FAMA) after the last update that returned 1. */
double tc_ma_mama_fama(const tc_ma_t *m);

/* For MAVP: updates an MA whose window is a ring shared by a bank of MAs.  The caller
 * has stored x at ring[head] (a ring of cap > period values); the MA reads past values
 * from it and writes nothing there.  Initialise such an MA with the shared ring as its
 * window (its own ring is never touched).  Otherwise as tc_ma_update. */
int tc_ma_update_shared(tc_ma_t *m, double x, const double *ring, int cap, int head,
                        double *ret_y);

#endif
