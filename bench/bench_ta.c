/* bench_ta.c — streaming indicators beside TA-Lib's batch functions, in one run
 * (BENCHMARKS.md, "Indicators").
 *
 *     bench_ta [--bars N] [--trail-bars N] [--feat-bars N] [--rounds N] [--only NAME] [--json]
 *
 * Input: N bars (default 1,000,000) of a seeded random walk: log-normal closes (0.1% a
 * bar) rounded to the cent, the open at the previous close plus a small gap, high and
 * low outside both by a half-normal excursion, log-normal volumes; so ties and flat
 * bars occur as in real prices.  For SMA(30) EMA(30) RSI(14) MACD(12,26,9)
 * BBANDS(5,2,2) ATR(14) ADX(14), each round times, interleaved:
 *   stream   one bar at a time through the public update call, outputs stored per
 *            bar: tc_sma_update and tc_ema_update (features/fastma.h, inline, state in
 *            a heap block) for SMA and EMA, tc_ta_update for the others; SMA and EMA
 *            also through tc_ta_update (the catalog's generic call), reported beside
 *   batch    TA-Lib's TA_<NAME> over all bars at once
 *   trailing TA-Lib over the trailing window on each new bar, on --trail-bars bars
 *            (window 10x the period for the indicators with memory, the period for
 *            SMA and BBANDS), keeping the last output
 * and the default feature set through tc_featcalc_update; two references bound what any
 * one-call-per-bar update can cost here: the public update call of ADD (one addition,
 * no state) and a running sum kept in memory between calls (a store forwarded to the
 * next call's load, then one add).  The best round counts, in this thread's CPU time
 * (time preempted by other processes does not count).  The streaming outputs are
 * checked against the batch outputs on every bar (TA-Lib's agreement rule: 1e-9
 * relative or 1e-12 absolute), so a fast wrong answer fails.  --only NAME (e.g. SMA)
 * times that indicator alone, streaming and TA-Lib batch, for A/B runs and a profiler.
 * Exits 1 when a check fails.  Built without TA-Lib (TC_TALIB_DIR unset at configure
 * time, see bench/talib-build.sh) it says so and reports tickcast's figures alone.
 */
#include "daemon/runtime/err.h"
#include "features/fastma.h"
#include "features/featset.h"
#include "features/ta.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef TC_HAVE_TALIB
#include <ta_libc.h>
#endif

/* ---- input ---- */

typedef struct series {
    long n;
    double *open, *high, *low, *close, *volume, *vwap, *buy;
} series_t;

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static double rng_unit(void) /* xorshift64*, uniform in (0, 1) */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return ((double)((rng_state * 0x2545F4914F6CDD1Dull) >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_normal(void) /* Box-Muller, one of the pair */
{
    return sqrt(-2.0 * log(rng_unit())) * cos(6.283185307179586 * rng_unit());
}

static double cents(double x) { return round(x * 100.0) / 100.0; }

static void series_free(series_t *s)
{
    double *cols[] = {s->open, s->high, s->low, s->close, s->volume, s->vwap, s->buy};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        free(cols[i]);
}

static int series_make(series_t *s, long n)
{
    double **cols[] = {&s->open, &s->high, &s->low, &s->close, &s->volume, &s->vwap, &s->buy};
    s->n = n;
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (!(*cols[i] = malloc(sizeof(double) * (size_t)n)))
            return TC_ERR(-ENOMEM, "bench_ta: %ld bars do not fit in memory", n);
    double prev = 100.0;
    for (long t = 0; t < n; t++) {
        double o = cents(prev * (1.0 + 0.0002 * rng_normal()));
        double c = cents(prev * exp(0.001 * rng_normal()));
        if (c < 0.01)
            c = 0.01;
        double hi = o > c ? o : c, lo = o > c ? c : o;
        hi = cents(hi * (1.0 + 0.0005 * fabs(rng_normal())));
        lo = cents(lo * (1.0 - 0.0005 * fabs(rng_normal())));
        double v = round(1000.0 * exp(0.5 * rng_normal())) + 1.0;
        s->open[t] = o;
        s->high[t] = hi;
        s->low[t] = lo;
        s->close[t] = c;
        s->volume[t] = v;
        s->vwap[t] = (hi + lo + c) / 3.0;
        s->buy[t] = round(v * rng_unit());
        prev = c;
    }
    return 0;
}

/* ---- the seven indicators ---- */

enum { IND_SMA, IND_EMA, IND_RSI, IND_MACD, IND_BBANDS, IND_ATR, IND_ADX, N_IND };

typedef struct ind {
    const char *label; /* "MACD(12,26,9)" */
    const char *name;  /* catalog name */
    const char *params;
    int window; /* trailing window for the TA-Lib recompute */
    int hlc;    /* inputs high, low, close (else close) */
    int n_out;
    /* results */
    double ns_stream, ns_batch, ns_trail;
    double ns_generic; /* SMA, EMA: through tc_ta_update (ns_stream is the inline call) */
    long checked, mismatched, first_stream, first_batch;
    double worst;
} ind_t;

static ind_t inds[N_IND] = {
    [IND_SMA] = {"SMA(30)", "SMA", "TimePeriod=30", 30, 0, 1},
    [IND_EMA] = {"EMA(30)", "EMA", "TimePeriod=30", 300, 0, 1},
    [IND_RSI] = {"RSI(14)", "RSI", "TimePeriod=14", 140, 0, 1},
    [IND_MACD] = {"MACD(12,26,9)", "MACD", "FastPeriod=12,SlowPeriod=26,SignalPeriod=9", 260, 0, 3},
    [IND_BBANDS] = {"BBANDS(5,2,2)", "BBANDS", "TimePeriod=5,NbDevUp=2,NbDevDn=2", 5, 0, 3},
    [IND_ATR] = {"ATR(14)", "ATR", "TimePeriod=14", 140, 1, 1},
    [IND_ADX] = {"ADX(14)", "ADX", "TimePeriod=14", 140, 1, 1},
};

/* This thread's CPU time: on a machine shared with other builds, time spent preempted
 * is not the indicator's. */
static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Streams every bar through the public update call; out[k][t] is output k of bar t
 * (NaN during the lookback).  Returns ns per bar. */
static double stream_run(tc_ta_t *ta, const series_t *s, int hlc, int n_out, double **out)
{
    tc_ta_reset(ta);
    long n = s->n;
    double y[TC_TA_MAX_OUT];
    double t0 = now_ns();
    if (hlc) {
        double *o0 = out[0];
        for (long t = 0; t < n; t++) {
            const double in[3] = {s->high[t], s->low[t], s->close[t]};
            o0[t] = tc_ta_update(ta, in, y) ? y[0] : NAN;
        }
    } else if (n_out == 1) {
        double *o0 = out[0];
        for (long t = 0; t < n; t++)
            o0[t] = tc_ta_update(ta, &s->close[t], y) ? y[0] : NAN;
    } else {
        double *o0 = out[0], *o1 = out[1], *o2 = out[2];
        for (long t = 0; t < n; t++) {
            if (tc_ta_update(ta, &s->close[t], y)) {
                o0[t] = y[0];
                o1[t] = y[1];
                o2[t] = y[2];
            } else {
                o0[t] = o1[t] = o2[t] = NAN;
            }
        }
    }
    return (now_ns() - t0) / (double)n;
}

/* SMA(30) and EMA(30) through their inline calls (fastma.h), each state in a heap block
 * as a long-lived caller would hold it.  Returns ns per bar, or -1 for the others. */
static double fast_run(int which, const series_t *s, double *o0)
{
    if (which != IND_SMA && which != IND_EMA)
        return -1;
    void *st = malloc(which == IND_SMA ? tc_sma_size(30) : sizeof(tc_ema_t));
    if (!st || (which == IND_SMA ? tc_sma_init(st, 30) : tc_ema_init(st, 30)) < 0) {
        free(st);
        return -1;
    }
    long n = s->n;
    const double *c = s->close;
    double y, t0 = now_ns();
    if (which == IND_SMA)
        for (long t = 0; t < n; t++)
            o0[t] = tc_sma_update(st, c[t], &y) ? y : NAN;
    else
        for (long t = 0; t < n; t++)
            o0[t] = tc_ema_update(st, c[t], &y) ? y : NAN;
    double ns = (now_ns() - t0) / (double)n;
    free(st);
    return ns;
}

/* ---- references for what one update per call can cost on this machine ---- */

typedef struct run_sum {
    double acc;
} run_sum_t;

/* A running sum kept in memory between calls: the least a recursive indicator does.
 * Reached through a function pointer, as the catalog's updates are. */
static int run_sum_step(void *st, const double *in, double *out)
{
    run_sum_t *s = st;
    s->acc += in[0];
    out[0] = s->acc;
    return 1;
}

static int (*volatile run_sum_fn)(void *, const double *, double *) = run_sum_step;

static double floor_sum_run(const series_t *s, double *o0)
{
    run_sum_t st = {0};
    int (*fn)(void *, const double *, double *) = run_sum_fn;
    double y[1];
    double t0 = now_ns();
    for (long t = 0; t < s->n; t++)
        o0[t] = fn(&st, &s->close[t], y) ? y[0] : NAN;
    return (now_ns() - t0) / (double)s->n;
}

/* The public update call of the catalog's cheapest function (ADD: one addition, no
 * state carried from bar to bar): the cost of the call itself. */
static double floor_call_run(tc_ta_t *add, const series_t *s, double *o0)
{
    double y[1];
    double t0 = now_ns();
    for (long t = 0; t < s->n; t++) {
        const double in[2] = {s->close[t], s->open[t]};
        o0[t] = tc_ta_update(add, in, y) ? y[0] : NAN;
    }
    return (now_ns() - t0) / (double)s->n;
}

#ifdef TC_HAVE_TALIB
/* One TA-Lib call over bars [from, to] of the arrays (pointers to bar 0). */
static int talib_call(int which, int from, int to, const double *h, const double *l,
                      const double *c, int *beg, int *nb, double **out)
{
    switch (which) {
    case IND_SMA: return TA_SMA(from, to, c, 30, beg, nb, out[0]);
    case IND_EMA: return TA_EMA(from, to, c, 30, beg, nb, out[0]);
    case IND_RSI: return TA_RSI(from, to, c, 14, beg, nb, out[0]);
    case IND_MACD: return TA_MACD(from, to, c, 12, 26, 9, beg, nb, out[0], out[1], out[2]);
    case IND_BBANDS:
        return TA_BBANDS(from, to, c, 5, 2.0, 2.0, TA_MAType_SMA, beg, nb, out[0], out[1], out[2]);
    case IND_ATR: return TA_ATR(from, to, h, l, c, 14, beg, nb, out[0]);
    default: return TA_ADX(from, to, h, l, c, 14, beg, nb, out[0]);
    }
}

static double batch_run(int which, const series_t *s, double **out, int *beg, int *nb)
{
    double t0 = now_ns();
    int rc = talib_call(which, 0, (int)s->n - 1, s->high, s->low, s->close, beg, nb, out);
    double ns = (now_ns() - t0) / (double)s->n;
    if (rc != TA_SUCCESS) {
        fprintf(stderr, "bench_ta: TA_%s returned %d\n", inds[which].name, rc);
        exit(1);
    }
    return ns;
}

/* The live TA-Lib user: on each of `bars` new bars (after the first window), the
 * function over the last `window` bars, keeping its last output. */
static double trail_run(int which, const series_t *s, long bars, double **scratch, double *sink)
{
    int w = inds[which].window;
    long start = s->n - bars;
    if (start < w - 1)
        start = w - 1;
    double acc = 0, t0 = now_ns();
    for (long t = start; t < s->n; t++) {
        long a = t - (w - 1);
        int beg, nb;
        talib_call(which, 0, w - 1, s->high + a, s->low + a, s->close + a, &beg, &nb, scratch);
        if (nb > 0)
            acc += scratch[0][nb - 1];
    }
    double ns = (now_ns() - t0) / (double)(s->n - start);
    *sink += acc;
    return ns;
}

static int close_enough(double want, double got, double *worst)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    double d = fabs(want - got);
    if (d <= 1e-12)
        return 1;
    double rel = d / fabs(want);
    if (rel > *worst)
        *worst = rel;
    return rel <= 1e-9;
}

/* Bar by bar: streaming NaN exactly before TA-Lib's first output, equal after. */
static void check(ind_t *d, long n, double **stream, double **batch, int beg, int nb)
{
    /* counts add up over calls (SMA and EMA check both of their calls) */
    d->first_batch = beg;
    long first = -1;
    for (long t = 0; t < n; t++)
        if (!isnan(stream[0][t])) {
            first = t;
            break;
        }
    if (d->checked == 0 || first != beg)
        d->first_stream = first;
    for (int k = 0; k < d->n_out; k++)
        for (long t = 0; t < n; t++) {
            double want = t >= beg && t - beg < nb ? batch[k][t - beg] : NAN;
            d->checked++;
            if (!close_enough(want, stream[k][t], &d->worst)) {
                if (d->mismatched == 0)
                    fprintf(stderr, "bench_ta: %s output %d, bar %ld: stream %.17g, TA-Lib %.17g\n",
                            d->label, k, t, stream[k][t], want);
                d->mismatched++;
            }
        }
}
#endif

/* ---- the default feature set ---- */

static void bar_at(const series_t *s, long t, tc_bar_t *b)
{
    b->ts_open = t * 60000000000LL;
    b->ts_close = b->ts_open + 60000000000LL;
    b->ts_first = b->ts_open;
    b->ts_last = b->ts_close - 1;
    b->open = s->open[t];
    b->high = s->high[t];
    b->low = s->low[t];
    b->close = s->close[t];
    b->volume = s->volume[t];
    b->value = s->vwap[t] * s->volume[t];
    b->vwap = s->vwap[t];
    b->buy_volume = s->buy[t];
    b->sell_volume = s->volume[t] - s->buy[t];
    b->trades = 10;
    b->updates = 10;
}

/* Updates per second of the whole set over `bars` bars; *sink keeps the results
 * observable. */
static double featset_run(tc_featcalc_t *fc, const series_t *s, long bars, double *sink)
{
    double out[TC_FEAT_MAX], acc = 0;
    tc_quote_state_t q = {99.99, 100.01, 500, 400};
    tc_featcalc_reset(fc);
    double t0 = now_ns();
    for (long t = 0; t < bars; t++) {
        tc_bar_t b;
        bar_at(s, t, &b);
        if (tc_featcalc_update(fc, &b, &q, out))
            acc += out[0];
    }
    double secs = (now_ns() - t0) * 1e-9;
    *sink += acc;
    return (double)bars / secs;
}

/* ns per update of each item of the set on its own (what dominates the set). */
static void featset_items(const tc_featset_t *fs, const series_t *s, long bars, double *ns,
                          double *sink)
{
    for (int i = 0; i < fs->n; i++) {
        const tc_feat_spec_t *sp = &fs->spec[i];
        ns[i] = 0;
        if (sp->kind != TC_FEAT_TA)
            continue;
        tc_ta_t *ta = tc_ta_create(sp->f, sp->p, fs->mode);
        if (!ta)
            continue;
        const double *cols[6] = {s->open, s->high, s->low, s->close, s->volume, s->vwap};
        double in[TC_TA_MAX_IN], y[TC_TA_MAX_OUT], acc = 0;
        double t0 = now_ns();
        for (long t = 0; t < bars; t++) {
            for (int k = 0; k < sp->f->n_in; k++)
                in[k] = cols[sp->in_col[k]][t];
            if (tc_ta_update(ta, in, y))
                acc += y[0];
        }
        ns[i] = (now_ns() - t0) / (double)bars;
        *sink += acc;
        tc_ta_destroy(ta);
    }
}

/* --only NAME: that indicator alone, streaming and TA-Lib batch interleaved; returns the
 * exit code (2 for an unknown name). */
static int only_run(const char *only, tc_ta_t *const *ta, const series_t *s, double **stream_out,
                    double **batch_out, int rounds)
{
    for (int i = 0; i < N_IND; i++)
        if (strcmp(inds[i].name, only) == 0) {
            double best = INFINITY, best_talib = INFINITY;
            for (int r = 0; r < rounds; r++) {
                double v = fast_run(i, s, stream_out[0]);
                if (v < 0)
                    v = stream_run(ta[i], s, inds[i].hlc, inds[i].n_out, stream_out);
                best = v < best ? v : best;
#ifdef TC_HAVE_TALIB
                int b, k;
                v = batch_run(i, s, batch_out, &b, &k);
                best_talib = v < best_talib ? v : best_talib;
#else
                (void)batch_out;
#endif
            }
            printf("%s: %.2f ns per update (TA-Lib batch %.2f, %.2fx), best of %d\n",
                   inds[i].label, best, best_talib, best / best_talib, rounds);
            return 0;
        }
    fprintf(stderr, "bench_ta: --only %s: not one of SMA EMA RSI MACD BBANDS ATR ADX\n", only);
    return 2;
}

/* ---- main ---- */

static void free_all(tc_ta_t **ta, double **stream_out, double **batch_out, double **scratch, series_t *s)
{
    for (int i = 0; i < N_IND; i++)
        tc_ta_destroy(ta[i]);
    for (int k = 0; k < 3; k++) {
        free(stream_out[k]);
        free(batch_out[k]);
        free(scratch[k]);
    }
    series_free(s);
}

static long arg_long(const char *opt, const char *v, long lo)
{
    char *end;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || *end || x < lo) {
        fprintf(stderr, "bench_ta: %s needs an integer >= %ld\n", opt, lo);
        exit(2);
    }
    return x;
}

int main(int argc, char **argv)
{
    long n = 1000000, trail_bars = 50000, feat_bars = 200000;
    int rounds = 5, json = 0;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--bars") == 0)
            n = arg_long(argv[i++], v, 1000);
        else if (strcmp(argv[i], "--trail-bars") == 0)
            trail_bars = arg_long(argv[i++], v, 1);
        else if (strcmp(argv[i], "--feat-bars") == 0)
            feat_bars = arg_long(argv[i++], v, 1000);
        else if (strcmp(argv[i], "--rounds") == 0)
            rounds = (int)arg_long(argv[i++], v, 1);
        else if (strcmp(argv[i], "--only") == 0 && v)
            only = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else {
            fprintf(stderr, "usage: bench_ta [--bars N] [--trail-bars N] [--feat-bars N] "
                            "[--rounds N] [--only NAME] [--json]\n");
            return 2;
        }
    }
    if (trail_bars > n)
        trail_bars = n;
    if (feat_bars > n)
        feat_bars = n;
    /* TA-Lib allocates its temporaries (MACD's EMAs, BBANDS' middle band, ...) on every
     * call: keep glibc from mmapping them fresh (a page fault per 4 KiB) and from
     * trimming them back to the kernel on free. */
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);

    series_t s = {0};
    if (series_make(&s, n) < 0) {
        fprintf(stderr, "%s\n", tc_err_msg());
        return 1;
    }
    double *stream_out[3], *batch_out[3], *scratch[3];
    for (int k = 0; k < 3; k++) {
        stream_out[k] = calloc((size_t)n, sizeof(double));
        batch_out[k] = calloc((size_t)n, sizeof(double));
        scratch[k] = calloc(1000, sizeof(double));
        if (!stream_out[k] || !batch_out[k] || !scratch[k]) {
            fprintf(stderr, "bench_ta: out of memory for %ld bars of outputs\n", n);
            return 1;
        }
    }
    tc_ta_t *ta[N_IND];
    for (int i = 0; i < N_IND; i++) {
        const tc_ta_func_t *f = tc_ta_find(inds[i].name);
        double p[TC_TA_MAX_PARAM];
        if (!f || tc_ta_params_parse(f, inds[i].params, p) < 0 ||
            !(ta[i] = tc_ta_create(f, p, TC_TA_MODE_TALIB))) {
            fprintf(stderr, "bench_ta: %s: %s\n", inds[i].label, tc_err_msg());
            return 1;
        }
        inds[i].ns_stream = inds[i].ns_batch = inds[i].ns_trail = inds[i].ns_generic = INFINITY;
    }
    if (only) {
        int rc = only_run(only, ta, &s, stream_out, batch_out, rounds);
        free_all(ta, stream_out, batch_out, scratch, &s);
        return rc;
    }
    tc_featset_t fs;
    if (tc_featset_parse(&fs, "default", TC_TA_MODE_TALIB) < 0) {
        fprintf(stderr, "bench_ta: default feature set: %s\n", tc_err_msg());
        return 1;
    }
    tc_featcalc_t *fc = tc_featcalc_create(&fs);
    if (!fc) {
        fprintf(stderr, "bench_ta: default feature set: %s\n", tc_err_msg());
        return 1;
    }

    tc_ta_t *add = tc_ta_create(tc_ta_find("ADD"), NULL, TC_TA_MODE_TALIB);
    if (!add) {
        fprintf(stderr, "bench_ta: ADD: %s\n", tc_err_msg());
        return 1;
    }
    double floor_call = INFINITY, floor_sum = INFINITY;
    double sink = 0, feat_rate = 0;
#ifdef TC_HAVE_TALIB
    int beg[N_IND], nb[N_IND];
    /* Warm-up: one untimed pass of each, so page faults of the output arrays and
     * malloc's first growth land outside the timed rounds. */
    for (int i = 0; i < N_IND; i++) {
        stream_run(ta[i], &s, inds[i].hlc, inds[i].n_out, stream_out);
        fast_run(i, &s, stream_out[0]);
        batch_run(i, &s, batch_out, &beg[i], &nb[i]);
    }
#else
    for (int i = 0; i < N_IND; i++)
        stream_run(ta[i], &s, inds[i].hlc, inds[i].n_out, stream_out);
#endif
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < N_IND; i++) {
            double v = stream_run(ta[i], &s, inds[i].hlc, inds[i].n_out, stream_out);
            double fast = fast_run(i, &s, stream_out[1]);
            double *gen = i == IND_SMA || i == IND_EMA ? &inds[i].ns_generic : &inds[i].ns_stream;
            if (v < *gen)
                *gen = v;
            if (fast >= 0 && fast < inds[i].ns_stream)
                inds[i].ns_stream = fast;
#ifdef TC_HAVE_TALIB
            v = batch_run(i, &s, batch_out, &beg[i], &nb[i]);
            if (v < inds[i].ns_batch)
                inds[i].ns_batch = v;
            if (r == 0) { /* the outputs are the same every round: check once, both calls */
                check(&inds[i], n, stream_out, batch_out, beg[i], nb[i]);
                if (fast >= 0)
                    check(&inds[i], n, &stream_out[1], batch_out, beg[i], nb[i]);
            }
            v = trail_run(i, &s, trail_bars, scratch, &sink);
            if (v < inds[i].ns_trail)
                inds[i].ns_trail = v;
#endif
        }
        double v = floor_call_run(add, &s, stream_out[0]);
        floor_call = v < floor_call ? v : floor_call;
        v = floor_sum_run(&s, stream_out[0]);
        floor_sum = v < floor_sum ? v : floor_sum;
        double rate = featset_run(fc, &s, feat_bars, &sink);
        if (rate > feat_rate)
            feat_rate = rate;
    }
    double item_ns[TC_FEAT_MAX];
    featset_items(&fs, &s, feat_bars, item_ns, &sink);

#ifdef TC_HAVE_TALIB
    const int have_talib = 1;
#else
    const int have_talib = 0;
#endif
    int fails = 0, over = 0;
    for (int i = 0; i < N_IND; i++) {
        fails += inds[i].mismatched > 0 || inds[i].first_stream != inds[i].first_batch;
        over += have_talib && inds[i].ns_stream > 2.0 * inds[i].ns_batch;
    }
    if (json) {
        printf("{\"bars\": %ld, \"rounds\": %d, \"talib\": %s, \"indicators\": [", n, rounds,
               have_talib ? "true" : "false");
        for (int i = 0; i < N_IND; i++) {
            const ind_t *d = &inds[i];
            printf("%s\n  {\"name\": \"%s\", \"stream_ns\": %.3f", i ? "," : "", d->label,
                   d->ns_stream);
            if (have_talib)
                printf(", \"talib_batch_ns\": %.3f, \"ratio\": %.3f, \"talib_trailing_ns\": %.1f, "
                       "\"trailing_window\": %d, \"trailing_bars\": %ld, \"checked\": %ld, "
                       "\"mismatched\": %ld, \"first_stream\": %ld, \"first_talib\": %ld",
                       d->ns_batch, d->ns_stream / d->ns_batch, d->ns_trail, d->window,
                       trail_bars, d->checked, d->mismatched, d->first_stream, d->first_batch);
            if (isfinite(d->ns_generic)) {
                printf(", \"generic_call_ns\": %.3f", d->ns_generic);
                if (have_talib)
                    printf(", \"generic_ratio\": %.3f", d->ns_generic / d->ns_batch);
            }
            printf("}");
        }
        printf("],\n \"floor_call_ns\": %.3f, \"floor_running_sum_ns\": %.3f,", floor_call,
               floor_sum);
        printf("\n \"featset\": {\"items\": %d, \"bars\": %ld, \"updates_per_s\": %.0f, "
               "\"per_item_ns\": {",
               fs.n, feat_bars, feat_rate);
        int first = 1;
        for (int i = 0; i < fs.n; i++)
            if (fs.spec[i].kind == TC_FEAT_TA) {
                printf("%s\"%s\": %.2f", first ? "" : ", ", fs.spec[i].name, item_ns[i]);
                first = 0;
            }
        printf("}},\n \"check_failures\": %d, \"over_bar\": %d}\n", fails, over);
    } else {
        printf("bench_ta: %ld bars (seeded random walk), best of %d rounds, interleaved\n", n,
               rounds);
        if (!have_talib)
            printf("TA-Lib not linked (configure with -DTC_TALIB_DIR=$(bench/talib-build.sh)): "
                   "tickcast's figures alone, outputs not checked\n");
        if (have_talib)
            printf("%-14s %10s %10s %7s %12s %8s  %s\n", "indicator", "stream ns", "TA-Lib ns",
                   "ratio", "trailing ns", "window", "check");
        else
            printf("%-14s %10s\n", "indicator", "stream ns");
        for (int i = 0; i < N_IND; i++) {
            const ind_t *d = &inds[i];
            if (!have_talib) {
                printf("%-14s %10.2f\n", d->label, d->ns_stream);
                continue;
            }
            char chk[96];
            if (d->mismatched == 0 && d->first_stream == d->first_batch)
                snprintf(chk, sizeof chk, "%ld values agree", d->checked);
            else
                snprintf(chk, sizeof chk, "FAIL: %ld of %ld differ, first %ld vs %ld",
                         d->mismatched, d->checked, d->first_stream, d->first_batch);
            printf("%-14s %10.2f %10.2f %6.2fx %12.1f %8d  %s%s\n", d->label, d->ns_stream,
                   d->ns_batch, d->ns_stream / d->ns_batch, d->ns_trail, d->window, chk,
                   d->ns_stream > 2.0 * d->ns_batch ? " (over the 2x bar)" : "");
        }
        for (int i = 0; i < N_IND; i++)
            if (isfinite(inds[i].ns_generic))
                printf("%s through the inline call %s: %.2f ns; through the catalog's generic "
                       "tc_ta_update: %.2f ns%s\n",
                       inds[i].label, i == IND_SMA ? "tc_sma_update" : "tc_ema_update",
                       inds[i].ns_stream, inds[i].ns_generic,
                       have_talib && inds[i].ns_generic > 2.0 * inds[i].ns_batch
                           ? " (over the 2x bar)" : "");
        printf("references: the public update call of ADD (no state) %.2f ns; a running sum "
               "kept in memory between calls %.2f ns\n",
               floor_call, floor_sum);
        printf("default feature set: %d items, %.2f M bar updates/s (bar 1 M/s: %s)\n", fs.n,
               feat_rate * 1e-6, feat_rate >= 1e6 ? "met" : "falls short");
        printf("per item, ns per update:");
        for (int i = 0; i < fs.n; i++)
            if (fs.spec[i].kind == TC_FEAT_TA)
                printf(" %s %.1f;", fs.spec[i].name, item_ns[i]);
        printf("\n");
    }
    if (sink == 12345.678)
        printf("\n"); /* keeps the trailing and feature results observable */
    tc_featcalc_destroy(fc);
    tc_ta_destroy(add);
    free_all(ta, stream_out, batch_out, scratch, &s);
    return fails ? 1 : 0;
}
