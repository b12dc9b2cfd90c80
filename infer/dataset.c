/* dataset.c — ticks to feature rows and targets (dataset.h): reading a source, running
 * it through tc_features_* as tickcast-features would, collecting each symbol's bars,
 * and the chronological windows and splits built on them.
 *
 * Not here: the scaler arithmetic and the training loop (train.c), the file digests and
 * time parsing (dataset_util.c).  Every symbol's ticks are fed, even those of symbols
 * not asked for, because the features stage closes time bars on the clock of the whole
 * stream; the rows of the other symbols are dropped afterwards.
 */
#include "infer/dataset.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/runtime/err.h"
#include "features/stage.h"
#include "infer/train.h"
#include "ingest/import.h"
#include "ingest/replay.h"
#include "ingest/tickdir.h"
#include "ingest/ticksrc.h"

/* ---- the source: a .tck file, a directory, or an importable file ------------------ */

/* The source plus the list of files it reads (for their hashes in the model). */
static int source_open(tc_ticksrc_t *s, tc_dataset_t *ds, const char *path)
{
    memset(s, 0, sizeof *s);
    struct stat st;
    if (stat(path, &st) < 0)
        return TC_ERR(-errno, "%s: %s", path, strerror(errno));
    int r = 0;
    if (S_ISDIR(st.st_mode)) {
        char **paths = NULL;
        int n = tc_tickdir_list(path, &paths);
        if (n < 0)
            return TC_ERR(n, "%s: cannot list the directory", path);
        if (n == 0)
            r = TC_ERR(-ENODATA, "%s: no .tck files in the directory", path);
        if (n > TC_DATASET_MAX_FILES)
            r = TC_ERR(-E2BIG, "%s: %d files, at most %d are read", path, n, TC_DATASET_MAX_FILES);
        for (int i = 0; i < n; i++) {
            if (r == 0)
                ds->files[ds->n_files++] = paths[i];
            else
                free(paths[i]);
        }
        free(paths);
        if (r < 0)
            return r;
    } else {
        if (!(ds->files[0] = strdup(path)))
            return TC_ERR(-ENOMEM, "out of memory");
        ds->n_files = 1;
    }
    return tc_ticksrc_open(s, path);
}

/* ---- per-symbol bar collection ------------------------------------------------------ */

typedef struct bars {
    int n, cap;
    int64_t *ts;
    double *close;
    uint8_t *ready;
    double *f; /* (cap, C) */
} bars_t;

/* A bar the network can take: ready, and every feature finite.  A ready bar with a NaN
 * or infinite feature is skipped, as the inference engine skips it (its state is left
 * as it was), so windows and carried state see the same rows live and here. */
static int usable(const tc_feat_t *r, int C)
{
    if (!(r->flags & TC_FEAT_READY))
        return 0;
    for (int c = 0; c < C; c++)
        if (!isfinite(r->f[c]))
            return 0;
    return 1;
}

static int bars_push(bars_t *b, const tc_feat_t *r, int C)
{
    if (b->n == b->cap) {
        int cap = b->cap ? 2 * b->cap : 256;
        int64_t *ts = realloc(b->ts, (size_t)cap * sizeof *ts);
        if (ts)
            b->ts = ts;
        double *cl = realloc(b->close, (size_t)cap * sizeof *cl);
        if (cl)
            b->close = cl;
        uint8_t *rd = realloc(b->ready, (size_t)cap);
        if (rd)
            b->ready = rd;
        double *f = realloc(b->f, (size_t)cap * C * sizeof *f);
        if (f)
            b->f = f;
        if (!ts || !cl || !rd || !f)
            return TC_ERR(-ENOMEM, "out of memory for %d bars", cap);
        b->cap = cap;
    }
    b->ts[b->n] = r->ts_close;
    b->close[b->n] = r->close;
    b->ready[b->n] = (uint8_t)usable(r, C);
    memcpy(b->f + (size_t)b->n * C, r->f, (size_t)C * sizeof *b->f);
    b->n++;
    return 0;
}

static void bars_free(bars_t *b)
{
    free(b->ts), free(b->close), free(b->ready), free(b->f);
}

static int wanted(const tc_dataset_opts_t *o, const char *name)
{
    if (!o->symbols)
        return 1;
    for (int i = 0; i < o->n_symbols; i++)
        if (strcmp(o->symbols[i], name) == 0)
            return 1;
    return 0;
}

/* Feeds the whole source through the features pipeline into per-symbol bars. */
static int collect(tc_dataset_t *ds, bars_t *bars, char (*names)[32], int *ret_nsym,
                   tc_ticksrc_t *src, tc_features_t *x, const tc_dataset_opts_t *o)
{
    enum { BATCH = 1024 };
    /* Records are cache-line aligned types: malloc's 16 bytes are not enough. */
    tc_tick_t *buf = aligned_alloc(TC_CACHE_LINE, BATCH * sizeof *buf);
    tc_feat_t *out = aligned_alloc(TC_CACHE_LINE, (size_t)tc_features_max_out(x) * sizeof *out);
    if (!buf || !out) {
        free(buf), free(out);
        return TC_ERR(-ENOMEM, "out of memory");
    }
    const int C = ds->C;
    int r = 0, n, priced = 0;
    uint64_t pos = 0;
    while ((n = tc_ticksrc_read(src, buf, BATCH)) > 0) {
        int ns;
        const tc_symbol_t *tab = tc_ticksrc_symbols(src, &ns);
        if (ns > TC_SYMBOLS_MAX_FEATURES)
            ns = TC_SYMBOLS_MAX_FEATURES;
        for (; priced < ns; priced++) { /* before the symbol's first tick, as the stage does */
            int cls = tab[priced].asset_class;
            tc_features_symbol_price(x, (uint16_t)priced,
                                     cls == TC_ASSET_FX || cls == TC_ASSET_CFD ? TC_BAR_PRICE_MID
                                                                                : TC_BAR_PRICE_TRADE);
            snprintf(names[priced], 32, "%s", tab[priced].name);
        }
        *ret_nsym = priced;
        for (int i = 0; i < n; i++, pos++) {
            int k = tc_features_tick(x, &buf[i], pos, out, tc_features_max_out(x));
            for (int j = 0; j < k && r == 0; j++)
                if (out[j].sym < priced && wanted(o, names[out[j].sym]))
                    r = bars_push(&bars[out[j].sym], &out[j], C);
            if (r < 0)
                goto out;
        }
        ds->ticks += (uint64_t)n;
    }
    if (n < 0) {
        r = n;
        goto out;
    }
    /* The end of the data closes the bars in progress, as the stage does when drained. */
    n = tc_features_flush(x, pos, out, tc_features_max_out(x));
    for (int j = 0; j < n && r == 0; j++)
        if (out[j].sym < priced && wanted(o, names[out[j].sym]))
            r = bars_push(&bars[out[j].sym], &out[j], C);
out:
    free(buf), free(out);
    return r;
}

static int alloc_rows(tc_dataset_t *ds, int n)
{
    const int C = ds->C, K = ds->K;
    size_t m = n > 0 ? (size_t)n : 1;
    ds->f = malloc(m * C * sizeof *ds->f);
    ds->y = malloc(m * K * sizeof *ds->y);
    ds->ts = malloc(m * sizeof *ds->ts);
    ds->ts_target = malloc(m * sizeof *ds->ts_target);
    ds->close = malloc(m * sizeof *ds->close);
    ds->prev_close = malloc(m * sizeof *ds->prev_close);
    ds->sym = malloc(m * sizeof *ds->sym);
    if (!ds->f || !ds->y || !ds->ts || !ds->ts_target || !ds->close || !ds->prev_close || !ds->sym)
        return TC_ERR(-ENOMEM, "out of memory for %d rows", n);
    return 0;
}

/* Ready bars of every kept symbol become rows, symbol by symbol. */
static int build_rows(tc_dataset_t *ds, const bars_t *bars, char (*names)[32], int nsym,
                      const tc_dataset_opts_t *o)
{
    const int C = ds->C, K = ds->K;
    int total = 0, with_bars = 0;
    for (int s = 0; s < nsym; s++) {
        with_bars += bars[s].n > 0;
        for (int j = 0; j < bars[s].n; j++)
            total += bars[s].ready[j];
        ds->bars += (uint64_t)bars[s].n;
    }
    int r = alloc_rows(ds, total);
    if (r < 0)
        return r;
    ds->syms = calloc((size_t)(with_bars ? with_bars : 1), sizeof *ds->syms);
    if (!ds->syms)
        return TC_ERR(-ENOMEM, "out of memory");
    int n = 0;
    for (int s = 0; s < nsym; s++) {
        const bars_t *b = &bars[s];
        int begin = n;
        for (int j = 0; j < b->n; j++) {
            if (!b->ready[j])
                continue;
            if ((o->from_ns && b->ts[j] < o->from_ns) || (o->to_ns && b->ts[j] > o->to_ns))
                continue;
            memcpy(ds->f + (size_t)n * C, b->f + (size_t)j * C, (size_t)C * sizeof *ds->f);
            for (int k = 0; k < K; k++)
                ds->y[(size_t)n * K + k] =
                    j + k + 1 < b->n ? (float)log(b->close[j + k + 1] / b->close[j]) : NAN;
            ds->ts[n] = b->ts[j];
            ds->ts_target[n] = j + K < b->n ? b->ts[j + K] : 0;
            ds->close[n] = b->close[j];
            ds->prev_close[n] = n > begin ? ds->close[n - 1] : NAN;
            ds->sym[n] = ds->n_syms;
            n++;
        }
        if (n > begin) {
            tc_dataset_sym_t *e = &ds->syms[ds->n_syms++];
            snprintf(e->name, sizeof e->name, "%s", names[s]);
            e->begin = begin;
            e->end = n;
        }
    }
    ds->n = n;
    return 0;
}

int tc_dataset_load(tc_dataset_t **ret, const char *path, const tc_dataset_opts_t *o)
{
    if (o->horizon < 1 || o->horizon > 1024)
        return TC_ERR(-EINVAL, "horizon %d out of range 1..1024", o->horizon);
    tc_dataset_t *ds = calloc(1, sizeof *ds);
    bars_t *bars = calloc(TC_SYMBOLS_MAX_FEATURES, sizeof *bars);
    char (*names)[32] = calloc(TC_SYMBOLS_MAX_FEATURES, sizeof *names);
    tc_features_t *x = NULL;
    tc_ticksrc_t src = {0};
    int r, nsym = 0;
    if (!ds || !bars || !names) {
        r = TC_ERR(-ENOMEM, "out of memory");
        goto fail;
    }
    tc_features_opts_t fo = {.bar_type = o->bar_type, .bar_size = o->bar_size,
                             .feature_list = o->feature_list, .mode = o->mode};
    if (!(x = tc_features_create(&fo))) {
        r = tc_err_code() ? tc_err_code() : -EINVAL;
        goto fail;
    }
    ds->fs = *tc_features_set(x);
    ds->C = ds->fs.n;
    ds->K = o->horizon;
    if ((r = source_open(&src, ds, path)) < 0)
        goto fail;
    int ns;
    const tc_symbol_t *tab = tc_ticksrc_symbols(&src, &ns);
    for (int i = 0; o->symbols && i < o->n_symbols; i++) {
        int found = 0;
        for (int j = 0; j < ns && !found; j++)
            found = strcmp(tab[j].name, o->symbols[i]) == 0;
        if (!found) {
            r = TC_ERR(-EINVAL, "%s: no symbol \"%s\" in the data", path, o->symbols[i]);
            goto fail;
        }
    }
    if ((r = collect(ds, bars, names, &nsym, &src, x, o)) < 0) {
        TC_ERR_APPEND(r, "reading %s", path);
        goto fail;
    }
    if (src.imp) { /* a bad row never stops an import: it is counted, and so reported */
        const tc_import_stats_t *st = tc_import_stats(src.imp);
        ds->rejected = st->rejected;
        for (int i = 0; i < TC_IMPORT_REJ_MAX && !ds->reject_msg[0]; i++)
            snprintf(ds->reject_msg, sizeof ds->reject_msg, "%s", st->reject_msg[i]);
    }
    if ((r = build_rows(ds, bars, names, nsym, o)) < 0)
        goto fail;
    if (ds->n == 0) {
        r = TC_ERR(-ENODATA, "%s: no ready bars (%llu ticks, %llu bars; the features need %d "
                   "bars of lookback)", path, (unsigned long long)ds->ticks,
                   (unsigned long long)ds->bars, tc_featset_lookback(&ds->fs) + 1);
        goto fail;
    }
    for (int i = 0; i < ds->n_files; i++)
        if ((r = tc_dataset_file_sha256(ds->sha256[i], ds->files[i])) < 0)
            goto fail;
    *ret = ds;
    ds = NULL;
    r = 0;
fail:
    tc_ticksrc_close(&src);
    tc_features_destroy(x);
    for (int i = 0; bars && i < TC_SYMBOLS_MAX_FEATURES; i++)
        bars_free(&bars[i]);
    free(bars);
    free(names);
    tc_dataset_destroy(ds);
    return r;
}

void tc_dataset_destroy(tc_dataset_t *ds)
{
    if (!ds)
        return;
    free(ds->f), free(ds->y), free(ds->ts), free(ds->ts_target), free(ds->close);
    free(ds->prev_close), free(ds->sym), free(ds->syms);
    for (int i = 0; i < ds->n_files; i++)
        free(ds->files[i]);
    free(ds);
}

/* ---- windows and splits -------------------------------------------------------------- */

int tc_dataset_window_ok(const tc_dataset_t *ds, int i, int T, int need_targets)
{
    if (i < 0 || i >= ds->n || T < 1)
        return 0;
    const tc_dataset_sym_t *s = &ds->syms[ds->sym[i]];
    if (i - (T - 1) < s->begin)
        return 0;
    if (need_targets)
        for (int k = 0; k < ds->K; k++)
            if (isnan(ds->y[(size_t)i * ds->K + k]))
                return 0;
    return 1;
}

static int cmp_end(const void *a, const void *b, void *ctx)
{
    const tc_dataset_t *ds = ctx;
    int i = *(const int *)a, j = *(const int *)b;
    int64_t ti = ds->ts[i], tj = ds->ts[j];
    if (ti != tj)
        return ti < tj ? -1 : 1;
    /* rows are grouped by symbol in symbol order, so the row index orders symbol, then time */
    return (i > j) - (i < j);
}

int tc_dataset_windows(const tc_dataset_t *ds, int T, int **ret_ends)
{
    int *w = malloc((size_t)(ds->n ? ds->n : 1) * sizeof *w), n = 0;
    if (!w)
        return TC_ERR(-ENOMEM, "out of memory");
    for (int i = 0; i < ds->n; i++)
        if (tc_dataset_window_ok(ds, i, T, 1))
            w[n++] = i;
    qsort_r(w, (size_t)n, sizeof *w, cmp_end, (void *)ds);
    *ret_ends = w;
    return n;
}

void tc_dataset_split_free(tc_dataset_split_t *s)
{
    free(s->ends);
    s->ends = NULL;
    s->n = 0;
}

/* Takes up to want (<0: all) eligible windows from w[*at..nw) into s.  Eligible: the end
 * closes after barrier and lies >= gap rows past its symbol's last[] end.  Windows skipped
 * on the way are dropped for good (purged). */
static void take(tc_dataset_split_t *s, const tc_dataset_t *ds, const int *w, int nw, int *at,
                 int want, int64_t barrier, const int *last, int gap)
{
    while (*at < nw && (want < 0 || s->n < want)) {
        int i = w[(*at)++];
        int sym = ds->sym[i];
        if (ds->ts[i] <= barrier)
            continue;
        if (last[sym] >= 0 && i - last[sym] < gap + 1)
            continue;
        s->ends[s->n++] = i;
    }
}

/* The latest target close over s and, per symbol, the last window end. */
static int64_t mark(const tc_dataset_split_t *s, const tc_dataset_t *ds, int *last)
{
    int64_t barrier = INT64_MIN;
    for (int j = 0; j < s->n; j++) {
        int i = s->ends[j];
        if (ds->ts_target[i] > barrier)
            barrier = ds->ts_target[i];
        if (i > last[ds->sym[i]])
            last[ds->sym[i]] = i;
    }
    return barrier;
}

int tc_dataset_split(tc_dataset_split_t *train, tc_dataset_split_t *val, tc_dataset_split_t *test,
                     const tc_dataset_t *ds, const int *w, int nw, int start, int n_train,
                     int n_val, int n_test, int gap)
{
    if (start < 0 || n_train < 1 || n_val < -1 || gap < 0)
        return TC_ERR(-EINVAL, "bad split sizes %d/%d/%d from %d, gap %d", n_train, n_val, n_test,
                      start, gap);
    memset(train, 0, sizeof *train);
    memset(val, 0, sizeof *val);
    memset(test, 0, sizeof *test);
    size_t m = (size_t)(nw > 0 ? nw : 1);
    int *last = malloc((size_t)(ds->n_syms ? ds->n_syms : 1) * sizeof *last);
    train->ends = malloc(m * sizeof(int));
    val->ends = malloc(m * sizeof(int));
    test->ends = malloc(m * sizeof(int));
    int r = 0;
    if (!last || !train->ends || !val->ends || !test->ends) {
        r = TC_ERR(-ENOMEM, "out of memory");
        goto fail;
    }
    for (int s = 0; s < ds->n_syms; s++)
        last[s] = -1;
    if (start + n_train > nw) {
        r = -ERANGE;
        goto fail;
    }
    int at = start;
    take(train, ds, w, nw, &at, n_train, INT64_MIN, last, 0);
    int64_t barrier = mark(train, ds, last);
    if (n_val != 0) {
        take(val, ds, w, nw, &at, n_val, barrier, last, gap);
        if (n_val > 0 && val->n < n_val) {
            r = -ERANGE;
            goto fail;
        }
        int64_t b2 = mark(val, ds, last);
        barrier = b2 > barrier ? b2 : barrier;
    }
    take(test, ds, w, nw, &at, n_test, barrier, last, gap);
    if (n_test > 0 && test->n < n_test) {
        r = -ERANGE;
        goto fail;
    }
    free(last);
    return 0;
fail:
    free(last);
    tc_dataset_split_free(train);
    tc_dataset_split_free(val);
    tc_dataset_split_free(test);
    return r;
}

void tc_dataset_row_scale(float *out, const tc_dataset_t *ds, int i, const float *mean,
                          const float *std)
{
    const double *f = ds->f + (size_t)i * ds->C;
    for (int c = 0; c < ds->C; c++)
        out[c] = ((float)f[c] - mean[c]) / std[c];
}

int tc_dataset_scaler_fit(float *mean, float *std, const tc_dataset_t *ds, const int *ends, int n,
                          int T)
{
    const int C = ds->C;
    uint8_t *used = calloc((size_t)(ds->n ? ds->n : 1), 1);
    if (!used)
        return TC_ERR(-ENOMEM, "out of memory");
    int rows = 0;
    for (int j = 0; j < n; j++)
        for (int i = ends[j] - T + 1; i <= ends[j]; i++)
            if (!used[i]) {
                used[i] = 1;
                rows++;
            }
    float *x = malloc((size_t)(rows ? rows : 1) * C * sizeof *x);
    if (!x) {
        free(used);
        return TC_ERR(-ENOMEM, "out of memory");
    }
    for (int i = 0, k = 0; i < ds->n; i++)
        if (used[i]) {
            for (int c = 0; c < C; c++)
                x[(size_t)k * C + c] = (float)ds->f[(size_t)i * C + c];
            k++;
        }
    tc_train_scaler_fit(mean, std, x, rows, C);
    free(x);
    free(used);
    return rows;
}
