/* ma.c — streaming moving averages of every TA-Lib MA type (features/ma.h).
 *
 * Each type follows its TA-Lib function (ta_SMA.c, ta_EMA.c, ta_WMA.c, ta_DEMA.c,
 * ta_TEMA.c, ta_TRIMA.c, ta_KAMA.c, ta_MAMA.c, ta_T3.c, dispatched as ta_MA.c does) in
 * the same floating-point order, so that a value fed one at a time gives the bits the
 * batch call gives: the running sums are updated in TA-Lib's order, seeds are taken
 * where TA-Lib takes them (EMA: mean of the first period; T3: the mean of each stage's
 * first period; KAMA: the previous price) and the first output lands on the lookback.
 *
 * PRECISE mode replaces the SMA, WMA and TRIMA running sums, which drift as values enter
 * and leave (docs/INDICATORS.md), with long-double sliding sums that are replaced every
 * `period` values by sums accumulated afresh over exactly that window: O(1) per update
 * (no loop over the window), within 1e-9 relative of an exact window sum.
 * The window types read past values from a ring of period + 1 values; MAVP shares one
 * ring between a bank of MAs (tc_ma_update_shared).
 */
#include "features/ma.h"
#include "features/ta.h"
#include "daemon/runtime/err.h"

#include <math.h>
#include <string.h>

/* TA-Lib's TA_IS_ZERO: |v| below 1e-14. */
#define TA_EPSILON 0.00000000000001
#define IS_ZERO(v) (((-TA_EPSILON) < (v)) && ((v) < TA_EPSILON))

static void ma_pick_step(tc_ma_t *m);

static int has_window(int type, int period)
{
    if (period <= 1)
        return 0;
    return type == TC_MA_SMA || type == TC_MA_WMA || type == TC_MA_TRIMA || type == TC_MA_KAMA;
}

int tc_ma_lookback(int type, int period)
{
    if (type < TC_MA_SMA || type > TC_MA_T3)
        return -EINVAL;
    if (period <= 1)
        return 0;
    switch (type) {
    case TC_MA_SMA:
    case TC_MA_EMA:
    case TC_MA_WMA:
    case TC_MA_TRIMA:
        return period - 1;
    case TC_MA_DEMA:
        return 2 * (period - 1);
    case TC_MA_TEMA:
        return 3 * (period - 1);
    case TC_MA_KAMA:
        return period;
    case TC_MA_MAMA:
        return 32;
    default: /* T3 */
        return 6 * (period - 1);
    }
}

size_t tc_ma_window_size(int type, int period)
{
    if (period < 1 || period > TC_MA_PERIOD_MAX || !has_window(type, period))
        return 0;
    return sizeof(double) * (size_t)(period + 1);
}

size_t tc_ma_state_size(int type, int period)
{
    return sizeof(tc_ma_t) + tc_ma_window_size(type, period);
}

static void ema_init(tc_ma_ema_t *e, int period)
{
    e->period = period;
    e->n = 0;
    e->k = 2.0 / ((double)(period + 1)); /* TA-Lib's PER_TO_K */
    e->acc = 0.0;
}

/* TA_INT_EMA one value at a time: the seed is the mean of the first `period` inputs,
 * written as the first output. */
static int ema_step(tc_ma_ema_t *e, double x, double *y)
{
    if (e->n < e->period) {
        e->acc += x;
        if (++e->n < e->period)
            return 0;
        e->acc = e->acc / e->period;
    } else {
        e->acc = ((x - e->acc) * e->k) + e->acc;
    }
    *y = e->acc;
    return 1;
}

static void t3_setup(tc_ma_t *m, double v)
{
    m->u.t3.k = 2.0 / (m->period + 1.0);
    m->u.t3.omk = 1.0 - m->u.t3.k;
    double t = v * v;
    m->u.t3.c1 = -(t * v);
    m->u.t3.c2 = 3.0 * (t - m->u.t3.c1);
    m->u.t3.c3 = -6.0 * t - 3.0 * (v - m->u.t3.c1);
    m->u.t3.c4 = 1.0 + 3.0 * v - m->u.t3.c1 + 3.0 * t;
}

/* Puts the type-specific part back to its empty state; keeps type, period, mode,
 * window and the T3/MAMA parameters. */
static void ma_clear(tc_ma_t *m)
{
    int type = m->type;
    m->n = 0;
    m->head = m->cap ? m->cap - 1 : 0;
    memset(&m->u, 0, sizeof m->u);
    if (m->period <= 1)
        return;
    switch (type) {
    case TC_MA_EMA:
    case TC_MA_DEMA:
    case TC_MA_TEMA:
        ema_init(&m->u.ema.e1, m->period);
        ema_init(&m->u.ema.e2, m->period);
        ema_init(&m->u.ema.e3, m->period);
        break;
    case TC_MA_WMA:
        m->u.wma.divider = (double)(((int64_t)m->period * (m->period + 1)) >> 1); /* int64: no overflow at 100000 */
        break;
    case TC_MA_TRIMA: {
        int i = m->period >> 1;
        m->u.trima.factor = (m->period % 2) ? 1.0 / ((double)(i + 1) * (i + 1))
                                            : 1.0 / ((double)i * (i + 1));
        break;
    }
    case TC_MA_T3:
        t3_setup(m, m->vfactor);
        break;
    case TC_MA_MAMA:
        tc_ht_init(&m->u.mama.ht, 9, m->origin);
        break;
    default:
        break;
    }
}

int tc_ma_init(tc_ma_t *m, int type, int period, int mode, double *window)
{
    if (type < TC_MA_SMA || type > TC_MA_T3)
        return TC_ERR(-EINVAL, "MA type %d is not one of 0..8 (SMA..T3)", type);
    if (period < 1 || period > TC_MA_PERIOD_MAX)
        return TC_ERR(-EINVAL, "MA period %d is outside [1, %d]", period, TC_MA_PERIOD_MAX);
    if (mode != TC_TA_MODE_TALIB && mode != TC_TA_MODE_PRECISE)
        return TC_ERR(-EINVAL, "numeric mode %d is neither talib (0) nor precise (1)", mode);
    memset(m, 0, sizeof *m);
    m->type = type;
    m->period = period;
    m->mode = mode;
    if (has_window(type, period)) {
        m->win = window ? window : (double *)(void *)(m + 1);
        m->cap = period + 1;
    }
    /* TA_MA's defaults for the types that take extra parameters. */
    m->vfactor = 0.7;
    m->fast = 0.5;
    m->slow = 0.05;
    ma_clear(m);
    ma_pick_step(m);
    return 0;
}

int tc_ma_t3_init(tc_ma_t *m, int period, double vfactor)
{
    if (!(vfactor >= 0.0 && vfactor <= 1.0))
        return TC_ERR(-EINVAL, "T3 VFactor %g is outside [0, 1]", vfactor);
    int r = tc_ma_init(m, TC_MA_T3, period, TC_TA_MODE_TALIB, NULL);
    if (r < 0)
        return r;
    m->vfactor = vfactor;
    ma_clear(m);
    return 0;
}

int tc_ma_mama_init(tc_ma_t *m, double fast_limit, double slow_limit)
{
    if (!(fast_limit >= 0.01 && fast_limit <= 0.99))
        return TC_ERR(-EINVAL, "MAMA FastLimit %g is outside [0.01, 0.99]", fast_limit);
    if (!(slow_limit >= 0.01 && slow_limit <= 0.99))
        return TC_ERR(-EINVAL, "MAMA SlowLimit %g is outside [0.01, 0.99]", slow_limit);
    int r = tc_ma_init(m, TC_MA_MAMA, 2, TC_TA_MODE_TALIB, NULL);
    if (r < 0)
        return r;
    m->fast = fast_limit;
    m->slow = slow_limit;
    return 0;
}

void tc_ma_origin_set(tc_ma_t *m, long index)
{
    m->origin = index;
    if (m->type == TC_MA_MAMA && m->period > 1)
        m->u.mama.ht.origin = index;
}

void tc_ma_reset(tc_ma_t *m) { ma_clear(m); }

double tc_ma_mama_fama(const tc_ma_t *m) { return m->u.mama.fama; }

/* x_{t-k} from the ring whose newest value (x_t) is at head. */
static inline double lag(const double *ring, int cap, int head, int k)
{
    int i = head - k;
    if (i < 0)
        i += cap;
    return ring[i];
}

/* ---- SMA ---- */

/* TA_INT_SMA: add the new value, divide, then drop the oldest of the window. */
static int sma_step(tc_ma_t *m, double x, const double *ring, int cap, int head, double *y)
{
    int p = m->period;
    m->u.sma.sum += x;
    if (m->n < p - 1)
        return 0;
    double total = m->u.sma.sum;
    m->u.sma.sum -= lag(ring, cap, head, p - 1);
    *y = total / p;
    return 1;
}

static int sma_precise_step(tc_ma_t *m, double x, const double *ring, int cap, int head,
                            double *y)
{
    struct tc_ma_sma *s = &m->u.sma;
    int p = m->period;
    long t = m->n;
    s->fsum += x;
    s->lsum += t >= p ? (long double)x - lag(ring, cap, head, p) : (long double)x;
    if (++s->since == p) {
        s->lsum = s->fsum;
        s->fsum = 0;
        s->since = 0;
    }
    if (t < p - 1)
        return 0;
    *y = (double)(s->lsum / p);
    return 1;
}

/* ---- WMA ---- */

/* TA-Lib's WMA: periodSum carries x1+x2+x2+x3+x3+x3..., periodSub the plain sum. */
static int wma_step(tc_ma_t *m, double x, const double *ring, int cap, int head, double *y)
{
    struct tc_ma_wma *s = &m->u.wma;
    int p = m->period;
    long t = m->n;
    if (t < p - 1) {
        s->sub += x;
        s->sum += x * (double)(t + 1);
        return 0;
    }
    s->sub += x;
    s->sub -= s->trail;
    s->sum += x * p;
    s->trail = lag(ring, cap, head, p - 1);
    *y = s->sum / s->divider;
    s->sum -= s->sub;
    return 1;
}

static int wma_precise_step(tc_ma_t *m, double x, const double *ring, int cap, int head,
                            double *y)
{
    struct tc_ma_wma *s = &m->u.wma;
    int p = m->period;
    long t = m->n;
    /* In the fresh block the value added j-th (from 1) ends with weight j. */
    s->fsum += (long double)(s->since + 1) * x;
    s->fsub += x;
    if (t >= p) {
        /* Every weight drops by one, the oldest value leaves, x enters with weight p. */
        s->lsum += (long double)p * x - s->lsub;
        s->lsub += (long double)x - lag(ring, cap, head, p);
    }
    if (++s->since == p) {
        s->lsum = s->fsum;
        s->lsub = s->fsub;
        s->fsum = s->fsub = 0;
        s->since = 0;
    }
    if (t < p - 1)
        return 0;
    *y = (double)(s->lsum / ((long double)p * (p + 1) / 2));
    return 1;
}

/* ---- TRIMA ---- */

/* TA-Lib's TRIMA seed over the window ending at head: the first half summed from the
 * middle backwards (weights 1..half+1 rising from the oldest value), then the second
 * half forwards. */
#define TRIMA_SEED(ring, cap, head, p, num, nsub, nadd)                                 \
    do {                                                                                   \
        int mid_ = ((p) % 2) ? (p) >> 1 : ((p) >> 1) - 1;                                  \
        num = 0;                                                                           \
        nsub = 0;                                                                          \
        nadd = 0;                                                                          \
        for (int i_ = mid_; i_ >= 0; i_--) {                                               \
            nsub += lag(ring, cap, head, (p) - 1 - i_);                                 \
            num += nsub;                                                                   \
        }                                                                                  \
        for (int i_ = mid_ + 1; i_ <= (p) - 1; i_++) {                                     \
            nadd += lag(ring, cap, head, (p) - 1 - i_);                                 \
            num += nadd;                                                                   \
        }                                                                                  \
    } while (0)

/* One bar of TA-Lib's TRIMA recursion: the window slides by one, the middle value moves
 * from the rising to the falling half (odd and even periods differ in order). */
#define TRIMA_SLIDE(num, nsub, nadd, p, leaving, middle, x)                                \
    do {                                                                                   \
        num -= nsub;                                                                       \
        nsub -= leaving;                                                                   \
        nsub += middle;                                                                    \
        if ((p) % 2) {                                                                     \
            num += nadd;                                                                   \
            nadd -= middle;                                                                \
        } else {                                                                           \
            nadd -= middle;                                                                \
            num += nadd;                                                                   \
        }                                                                                  \
        nadd += x;                                                                         \
        num += x;                                                                          \
    } while (0)

static int trima_step(tc_ma_t *m, double x, const double *ring, int cap, int head, double *y)
{
    struct tc_ma_trima *s = &m->u.trima;
    int p = m->period, half = p >> 1;
    long t = m->n;
    if (t < p - 1)
        return 0;
    if (t == p - 1) {
        TRIMA_SEED(ring, cap, head, p, s->num, s->nsub, s->nadd);
    } else {
        double leaving = lag(ring, cap, head, p), middle = lag(ring, cap, head, half);
        TRIMA_SLIDE(s->num, s->nsub, s->nadd, p, leaving, middle, x);
    }
    *y = s->num * s->factor;
    return 1;
}

static int trima_precise_step(tc_ma_t *m, double x, const double *ring, int cap, int head,
                              double *y)
{
    struct tc_ma_trima *s = &m->u.trima;
    int p = m->period, half = p >> 1;
    long t = m->n;
    /* The fresh block's j-th value (from 0) ends at position j of the window: weight
     * min(j+1, p-j), in the older half up to the middle. */
    int j = s->since, mid = (p % 2) ? half : half - 1;
    s->fnum += (long double)(j + 1 < p - j ? j + 1 : p - j) * x;
    if (j <= mid)
        s->fsub += x;
    else
        s->fadd += x;
    if (t >= p) {
        long double leaving = lag(ring, cap, head, p), middle = lag(ring, cap, head, half);
        TRIMA_SLIDE(s->lnum, s->lnsub, s->lnadd, p, leaving, middle, (long double)x);
    }
    if (++s->since == p) {
        s->lnum = s->fnum;
        s->lnsub = s->fsub;
        s->lnadd = s->fadd;
        s->fnum = s->fsub = s->fadd = 0;
        s->since = 0;
    }
    if (t < p - 1)
        return 0;
    long double denom =
        (p % 2) ? (long double)(half + 1) * (half + 1) : (long double)half * (half + 1);
    *y = (double)(s->lnum / denom);
    return 1;
}

/* ---- KAMA ---- */

static int kama_step(tc_ma_t *m, double x, const double *ring, int cap, int head, double *y)
{
    /* TA-Lib's constants: the fastest (2) and slowest (30) EMA smoothing factors. */
    const double c_max = 2.0 / (30.0 + 1.0);
    const double c_diff = 2.0 / (2.0 + 1.0) - c_max;
    int p = m->period;
    long t = m->n;
    if (t == 0)
        return 0;
    double prev_x = lag(ring, cap, head, 1);
    double before = lag(ring, cap, head, p);
    double roc;
    if (t <= p) {
        m->u.kama.sum_roc += fabs(prev_x - x);
        if (t < p)
            return 0;
        m->u.kama.prev = prev_x; /* TA-Lib seeds KAMA with the previous price */
        roc = x - before;
    } else {
        roc = x - before;
        m->u.kama.sum_roc -= fabs(m->u.kama.trail - before);
        m->u.kama.sum_roc += fabs(x - prev_x);
    }
    m->u.kama.trail = before;
    double er;
    if ((m->u.kama.sum_roc <= roc) || IS_ZERO(m->u.kama.sum_roc))
        er = 1.0;
    else
        er = fabs(roc / m->u.kama.sum_roc);
    er = (er * c_diff) + c_max;
    er *= er;
    m->u.kama.prev = ((x - m->u.kama.prev) * er) + m->u.kama.prev;
    *y = m->u.kama.prev;
    return 1;
}

/* ---- T3 ---- */

static int t3_step(tc_ma_t *m, double x, double *y)
{
    struct tc_ma_t3 *s = &m->u.t3;
    int p = m->period;
    double *e = s->e, k = s->k, omk = s->omk;
    if (s->stage == 0) {
        /* Stage 0: e1 is seeded by the mean of the first p inputs. */
        s->acc = m->n == 0 ? x : s->acc + x;
        if (m->n < p - 1)
            return 0;
        e[0] = s->acc / p;
        s->acc = e[0];
        s->stage = 1;
        s->cnt = 0;
        return 0;
    }
    e[0] = (k * x) + (omk * e[0]);
    int top = s->stage < 6 ? s->stage : 6;
    for (int j = 1; j < top; j++)
        e[j] = (k * e[j - 1]) + (omk * e[j]);
    if (s->stage < 6) {
        /* Stage j seeds e(j+1) with the mean of p values: its seed and p-1 updates. */
        s->acc += e[s->stage - 1];
        if (++s->cnt < p - 1)
            return 0;
        e[s->stage] = s->acc / p;
        s->acc = e[s->stage];
        s->stage++;
        s->cnt = 0;
        if (s->stage < 6)
            return 0;
    }
    *y = s->c1 * e[5] + s->c2 * e[4] + s->c3 * e[3] + s->c4 * e[2];
    return 1;
}

/* ---- MAMA ---- */

static int mama_step(tc_ma_t *m, double x, double *y)
{
    struct tc_ma_mama *s = &m->u.mama;
    if (!tc_ht_step(&s->ht, x))
        return 0;
    const tc_ht_t *h = &s->ht;
    double phase = h->i1 != 0.0 ? atan(h->q1 / h->i1) * h->rad2deg : 0.0;
    double delta = s->prev_phase - phase;
    s->prev_phase = phase;
    if (delta < 1.0)
        delta = 1.0;
    double alpha;
    if (delta > 1.0) {
        alpha = m->fast / delta;
        if (alpha < m->slow)
            alpha = m->slow;
    } else {
        alpha = m->fast;
    }
    s->mama = (alpha * x) + ((1 - alpha) * s->mama);
    alpha *= 0.5;
    s->fama = (alpha * s->mama) + ((1 - alpha) * s->fama);
    if (m->n < 32)
        return 0;
    *y = s->mama;
    return 1;
}

/* ---- dispatch: one step function per type, chosen at init ---- */

static int ident_step(tc_ma_t *m, double x, const double *ring, int cap, int head, double *y)
{
    (void)m, (void)ring, (void)cap, (void)head;
    *y = x; /* TA_MA: period 1 is the identity for every type */
    return 1;
}

static int ema1_step(tc_ma_t *m, double x, const double *ring, int cap, int head, double *y)
{
    (void)ring, (void)cap, (void)head;
    return ema_step(&m->u.ema.e1, x, y);
}

static int dema_step(tc_ma_t *m, double x, const double *ring, int cap, int head, double *y)
{
    (void)ring, (void)cap, (void)head;
    double e1, e2;
    if (!ema_step(&m->u.ema.e1, x, &e1) || !ema_step(&m->u.ema.e2, e1, &e2))
        return 0;
    *y = (2.0 * e1) - e2;
    return 1;
}

static int tema_step(tc_ma_t *m, double x, const double *ring, int cap, int head, double *y)
{
    (void)ring, (void)cap, (void)head;
    double e1, e2, e3;
    if (!ema_step(&m->u.ema.e1, x, &e1) || !ema_step(&m->u.ema.e2, e1, &e2) ||
        !ema_step(&m->u.ema.e3, e2, &e3))
        return 0;
    *y = e3 + ((3.0 * e1) - (3.0 * e2));
    return 1;
}

static int t3_stepw(tc_ma_t *m, double x, const double *ring, int cap, int head, double *y)
{
    (void)ring, (void)cap, (void)head;
    return t3_step(m, x, y);
}

static int mama_stepw(tc_ma_t *m, double x, const double *ring, int cap, int head, double *y)
{
    (void)ring, (void)cap, (void)head;
    return mama_step(m, x, y);
}

static void ma_pick_step(tc_ma_t *m)
{
    static int (*const steps[9])(tc_ma_t *, double, const double *, int, int, double *) = {
        [TC_MA_SMA] = sma_step,     [TC_MA_EMA] = ema1_step,  [TC_MA_WMA] = wma_step,
        [TC_MA_DEMA] = dema_step,   [TC_MA_TEMA] = tema_step, [TC_MA_TRIMA] = trima_step,
        [TC_MA_KAMA] = kama_step,   [TC_MA_MAMA] = mama_stepw, [TC_MA_T3] = t3_stepw,
    };
    m->step = m->period <= 1 ? ident_step : steps[m->type];
    m->kind = TC_MA_KIND_STEP;
    if (m->period > 1 && m->mode == TC_TA_MODE_TALIB && m->type == TC_MA_SMA)
        m->kind = TC_MA_KIND_SMA;
    else if (m->period > 1 && m->type == TC_MA_EMA)
        m->kind = TC_MA_KIND_EMA;
    if (m->mode == TC_TA_MODE_PRECISE && m->period > 1) {
        if (m->type == TC_MA_SMA)
            m->step = sma_precise_step;
        else if (m->type == TC_MA_WMA)
            m->step = wma_precise_step;
        else if (m->type == TC_MA_TRIMA)
            m->step = trima_precise_step;
    }
}

int tc_ma_update_shared(tc_ma_t *m, double x, const double *ring, int cap, int head,
                        double *ret_y)
{
    int r = m->step(m, x, ring, cap, head, ret_y);
    m->n++;
    return r;
}
