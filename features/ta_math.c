/* ta_math.c — TA-Lib's math transforms (ACOS ... TANH, element by element) and math
 * operators (ADD DIV MULT SUB, SUM, MAX MIN MINMAX and their index variants) as
 * streaming indicators (features/ta.h).
 *
 * The window extremes use monotonic deques, O(1) amortised per bar.  Which bar an index
 * function reports when several bars tie for the extreme is part of TA-Lib's contract
 * (ta_MAX.c and siblings): a new bar that equals or beats the current extreme takes
 * over, but when the current extreme leaves the window TA-Lib rescans and keeps the
 * *earliest* of the tied bars.  The deque keeps ties, so its front is that earliest
 * bar, and the TA-Lib rule is applied on top of it.  Indexes are absolute: 0 is the
 * first bar fed.  SUM is TA-Lib's running sum (add, output, subtract) in talib mode and
 * a long-double sum re-anchored every period in precise mode.
 */
#include "features/ta.h"

#include <math.h>
#include <stdint.h>

/* ---- element-wise transforms and operators ---- */

typedef struct unary {
    double (*fn)(double);
} unary_t;

static size_t unary_size(const double *p) { return sizeof(unary_t); }
static int lb_zero(const double *p) { return 0; }

static int unary_update(void *st, const double *in, double *out)
{
    out[0] = ((unary_t *)st)->fn(in[0]);
    return 1;
}

enum binop { OP_ADD, OP_SUB, OP_MULT, OP_DIV };

typedef struct binary {
    int op;
} binary_t;

static size_t binary_size(const double *p) { return sizeof(binary_t); }

static int binary_update(void *st, const double *in, double *out)
{
    switch (((binary_t *)st)->op) {
    case OP_ADD: out[0] = in[0] + in[1]; break;
    case OP_SUB: out[0] = in[0] - in[1]; break;
    case OP_MULT: out[0] = in[0] * in[1]; break;
    default: out[0] = in[0] / in[1]; break;
    }
    return 1;
}

#define TRANSFORM(id, name_, fn_, doc_)                                                       \
    static int id##_init(void *st, const double *p, int mode)                                 \
    {                                                                                          \
        ((unary_t *)st)->fn = fn_;                                                             \
        return 0;                                                                              \
    }                                                                                          \
    static const tc_ta_func_t id = {                                                           \
        .name = name_, .group = "Math Transform", .doc = doc_,                                 \
        .n_in = 1, .in = {"inReal"}, .n_param = 0, .n_out = 1, .out = {"real"},                \
        .lookback = lb_zero, .state_size = unary_size, .init = id##_init,                      \
        .update = unary_update,                                                                \
    }

TRANSFORM(f_acos, "ACOS", acos, "Vector Trigonometric ACos");
TRANSFORM(f_asin, "ASIN", asin, "Vector Trigonometric ASin");
TRANSFORM(f_atan, "ATAN", atan, "Vector Trigonometric ATan");
TRANSFORM(f_ceil, "CEIL", ceil, "Vector Ceil");
TRANSFORM(f_cos, "COS", cos, "Vector Trigonometric Cos");
TRANSFORM(f_cosh, "COSH", cosh, "Vector Trigonometric Cosh");
TRANSFORM(f_exp, "EXP", exp, "Vector Arithmetic Exp");
TRANSFORM(f_floor, "FLOOR", floor, "Vector Floor");
TRANSFORM(f_ln, "LN", log, "Vector Log Natural");
TRANSFORM(f_log10, "LOG10", log10, "Vector Log10");
TRANSFORM(f_sin, "SIN", sin, "Vector Trigonometric Sin");
TRANSFORM(f_sinh, "SINH", sinh, "Vector Trigonometric Sinh");
TRANSFORM(f_sqrt, "SQRT", sqrt, "Vector Square Root");
TRANSFORM(f_tan, "TAN", tan, "Vector Trigonometric Tan");
TRANSFORM(f_tanh, "TANH", tanh, "Vector Trigonometric Tanh");

#define OPERATOR(id, name_, op_, doc_)                                                        \
    static int id##_init(void *st, const double *p, int mode)                                 \
    {                                                                                          \
        ((binary_t *)st)->op = op_;                                                            \
        return 0;                                                                              \
    }                                                                                          \
    static const tc_ta_func_t id = {                                                           \
        .name = name_, .group = "Math Operators", .doc = doc_,                                 \
        .n_in = 2, .in = {"inReal0", "inReal1"}, .n_param = 0, .n_out = 1, .out = {"real"},    \
        .lookback = lb_zero, .state_size = binary_size, .init = id##_init,                     \
        .update = binary_update,                                                               \
    }

OPERATOR(f_add, "ADD", OP_ADD, "Vector Arithmetic Add: inReal0 + inReal1");
OPERATOR(f_sub, "SUB", OP_SUB, "Vector Arithmetic Subtraction: inReal0 - inReal1");
OPERATOR(f_mult, "MULT", OP_MULT, "Vector Arithmetic Mult: inReal0 * inReal1");
OPERATOR(f_div, "DIV", OP_DIV, "Vector Arithmetic Div: inReal0 / inReal1");

/* ---- SUM ---- */

typedef struct sum {
    int n, mode, pos, since;
    int64_t count;
    double s;       /* talib: running sum of the last n-1 values between bars */
    long double ls; /* precise: sum of the window */
    double ring[];  /* (n) last values; once full, ring[pos] is the oldest */
} sum_t;

static size_t sum_size(const double *p) { return sizeof(sum_t) + sizeof(double) * (size_t)p[0]; }

static int sum_init(void *st, const double *p, int mode)
{
    sum_t *s = st;
    s->n = (int)p[0];
    s->mode = mode;
    return 0;
}

static int sum_update(void *st, const double *in, double *out)
{
    sum_t *s = st;
    double x = in[0];
    if (s->mode == TC_TA_MODE_PRECISE && s->count >= s->n)
        s->ls += (long double)x - s->ring[s->pos];
    s->ring[s->pos] = x;
    s->pos = s->pos + 1 == s->n ? 0 : s->pos + 1;
    s->count++;
    if (s->mode == TC_TA_MODE_PRECISE) {
        if (s->count < s->n)
            return 0;
        if (s->count == s->n || ++s->since >= s->n) { /* re-anchor: no drift survives */
            long double t = 0;
            for (int i = 0; i < s->n; i++)
                t += s->ring[i];
            s->ls = t;
            s->since = 0;
        }
        out[0] = (double)s->ls;
        return 1;
    }
    /* TA-Lib's ta_SUM.c: add the new value, output, subtract the oldest. */
    s->s += x;
    if (s->count < s->n)
        return 0;
    out[0] = s->s;
    s->s -= s->ring[s->pos];
    return 1;
}

/* ---- MAX, MIN, MINMAX and their indexes ---- */

typedef struct ext_entry {
    int64_t idx;
    double v;
} ext_entry_t;

/* A monotonic deque over the window: values non-increasing (max) or non-decreasing (min)
 * from the front, ties kept, so the front is the earliest extreme bar of the window. */
typedef struct ext_deque {
    int head, len;
    int64_t best_idx; /* TA-Lib's highestIdx / lowestIdx, -1 before the first output */
    double best;
} ext_deque_t;

enum { W_MAX = 1, W_MIN = 2 };
enum ext_kind { E_MAX, E_MAXINDEX, E_MIN, E_MININDEX, E_MINMAX, E_MINMAXINDEX };

typedef struct ext {
    int n, kind, which;
    int64_t t; /* index of the next bar */
    ext_deque_t dq[2];   /* [0] max, [1] min */
    ext_entry_t buf[];   /* (2, n): the two deques' storage */
} ext_t;

static size_t ext_size(const double *p) { return sizeof(ext_t) + 2 * sizeof(ext_entry_t) * (size_t)p[0]; }

static int ext_init_kind(void *st, const double *p, int kind)
{
    ext_t *e = st;
    e->n = (int)p[0];
    e->kind = kind;
    e->which = kind <= E_MAXINDEX ? W_MAX : kind <= E_MININDEX ? W_MIN : W_MAX | W_MIN;
    e->dq[0].best_idx = e->dq[1].best_idx = -1;
    return 0;
}

/* One bar into deque k (0 max, 1 min); returns TA-Lib's extreme bar for the window
 * ending at bar t once the window is full. */
static void ext_step(ext_t *e, int k, double x, int64_t t, int full)
{
    ext_deque_t *d = &e->dq[k];
    ext_entry_t *b = e->buf + (size_t)k * (size_t)e->n;
    int n = e->n;
    int64_t trailing = t - n + 1;
    while (d->len && b[d->head].idx < trailing) { /* expired front */
        d->head = d->head + 1 == n ? 0 : d->head + 1;
        d->len--;
    }
    /* Drop strictly beaten bars from the back; equal ones stay (earliest tie first). */
    while (d->len) {
        int back = (d->head + d->len - 1) % n;
        if (k == 0 ? b[back].v < x : b[back].v > x)
            d->len--;
        else
            break;
    }
    int slot = (d->head + d->len) % n;
    b[slot].idx = t;
    b[slot].v = x;
    d->len++;
    if (!full)
        return;
    if (d->best_idx < trailing) { /* TA-Lib rescans: the earliest extreme in the window */
        d->best_idx = b[d->head].idx;
        d->best = b[d->head].v;
    } else if (k == 0 ? x >= d->best : x <= d->best) { /* ties move to the newest bar */
        d->best_idx = t;
        d->best = x;
    }
}

static int ext_update(void *st, const double *in, double *out)
{
    ext_t *e = st;
    int64_t t = e->t++;
    int full = t >= e->n - 1;
    if (e->which & W_MAX)
        ext_step(e, 0, in[0], t, full);
    if (e->which & W_MIN)
        ext_step(e, 1, in[0], t, full);
    if (!full)
        return 0;
    switch (e->kind) {
    case E_MAX: out[0] = e->dq[0].best; break;
    case E_MAXINDEX: out[0] = (double)e->dq[0].best_idx; break;
    case E_MIN: out[0] = e->dq[1].best; break;
    case E_MININDEX: out[0] = (double)e->dq[1].best_idx; break;
    case E_MINMAX: out[0] = e->dq[1].best, out[1] = e->dq[0].best; break;
    default: out[0] = (double)e->dq[1].best_idx, out[1] = (double)e->dq[0].best_idx; break;
    }
    return 1;
}

static int lb_period_minus_1(const double *p) { return (int)p[0] - 1; }

#define PERIOD30 {"TimePeriod", TC_TA_PARAM_INT, 30, 2, 100000}
#define EXTREME(id, name_, kind_, nout, outs, ints, doc_)                                     \
    static int id##_init(void *st, const double *p, int mode)                                 \
    {                                                                                          \
        return ext_init_kind(st, p, kind_);                                                    \
    }                                                                                          \
    static const tc_ta_func_t id = {                                                           \
        .name = name_, .group = "Math Operators", .doc = doc_,                                 \
        .n_in = 1, .in = {"inReal"}, .n_param = 1, .param = {PERIOD30},                        \
        .n_out = nout, .out = outs, .out_int = ints,                                           \
        .lookback = lb_period_minus_1, .state_size = ext_size, .init = id##_init,              \
        .update = ext_update,                                                                  \
    }
#define OUTS(...) {__VA_ARGS__}

EXTREME(f_max, "MAX", E_MAX, 1, OUTS("real"), 0, "Highest value over a specified period");
EXTREME(f_maxindex, "MAXINDEX", E_MAXINDEX, 1, OUTS("integer"), 1,
        "Index (absolute bar number) of the highest value over a specified period");
EXTREME(f_min, "MIN", E_MIN, 1, OUTS("real"), 0, "Lowest value over a specified period");
EXTREME(f_minindex, "MININDEX", E_MININDEX, 1, OUTS("integer"), 1,
        "Index (absolute bar number) of the lowest value over a specified period");
EXTREME(f_minmax, "MINMAX", E_MINMAX, 2, OUTS("min", "max"), 0,
        "Lowest and highest values over a specified period");
EXTREME(f_minmaxindex, "MINMAXINDEX", E_MINMAXINDEX, 2, OUTS("minidx", "maxidx"), 3,
        "Indexes (absolute bar numbers) of the lowest and highest values over a specified period");

static const tc_ta_func_t f_sum = {
    .name = "SUM", .group = "Math Operators", .doc = "Summation over a specified period",
    .n_in = 1, .in = {"inReal"}, .n_param = 1, .param = {PERIOD30},
    .n_out = 1, .out = {"real"},
    .lookback = lb_period_minus_1, .state_size = sum_size, .init = sum_init, .update = sum_update,
};

const tc_ta_func_t *const tc_ta_family_math[] = {
    &f_acos, &f_asin, &f_atan, &f_ceil, &f_cos, &f_cosh, &f_exp, &f_floor, &f_ln, &f_log10,
    &f_sin, &f_sinh, &f_sqrt, &f_tan, &f_tanh,
    &f_add, &f_div, &f_max, &f_maxindex, &f_min, &f_minindex, &f_minmax, &f_minmaxindex,
    &f_mult, &f_sub, &f_sum, NULL,
};
