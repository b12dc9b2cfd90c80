/* test_dataset.c — infer/dataset.h: rows equal what tc_features computes from the same
 * ticks (a shared tick file, imported and fed by hand), targets equal a naive
 * recomputation from the bar closes, windows never cross symbols, pooled splits are
 * chronological with the purge, the scaler sees the training rows only, the file digest
 * matches sha256sum, and bad sources give one clear error. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "features/stage.h"
#include "infer/dataset.h"
#include "infer/train.h"
#include "ingest/import.h"
#include "ingest/synth.h"
#include "ingest/tickfile.h"
#include "tests/common/csvtab.h"

#define FX_REL "data/ticks/fx_fxcm_eurusd_quotes_20140502.csv"

static const char *fx_path(void)
{
    const char *p = tc_shared_path(FX_REL);
    if (access(p, R_OK) != 0)
        cr_skip_test("%s is missing: the shared data must sit beside the clone", p);
    return p;
}

/* A two-symbol synthetic tick file of n ticks in a fresh temp path. */
static void synth_file(char *path, size_t len, int n, const char *a, const char *b)
{
    snprintf(path, len, "/tmp/tc-test-dataset-%d.tck", getpid());
    tc_synth_opts_t so = {.seed = 11, .n_symbols = b ? 2 : 1, .symbols = {a, b}};
    tc_synth_t *s = tc_synth_create(&so);
    cr_assert_not_null(s, "%s", tc_err_msg());
    tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_CREATE, NULL);
    cr_assert_not_null(tf, "%s", tc_err_msg());
    for (int i = 0; i < so.n_symbols; i++)
        cr_assert_eq(tc_tickfile_symbol_add(tf, tc_synth_symbol(s, i)), i);
    static tc_tick_t buf[1000];
    for (int done = 0; done < n; done += 1000) {
        int k = n - done < 1000 ? n - done : 1000;
        tc_synth_next(s, buf, k);
        cr_assert_eq(tc_tickfile_append(tf, buf, k), 0);
    }
    cr_assert_eq(tc_tickfile_close(tf), 0);
    tc_synth_destroy(s);
}

static tc_dataset_opts_t tick_opts(double size, int K)
{
    tc_dataset_opts_t o = {.bar_type = TC_BAR_TICK, .bar_size = size, .feature_list = "default",
                           .mode = TC_TA_MODE_TALIB, .horizon = K};
    return o;
}

Test(dataset, rows_equal_tc_features_and_targets_a_naive_recomputation, .timeout = 60)
{
    const char *path = fx_path();
    const int K = 3;
    tc_dataset_opts_t o = tick_opts(50, K);
    tc_dataset_t *ds = NULL;
    cr_assert_eq(tc_dataset_load(&ds, path, &o), 0, "%s", tc_err_msg());

    /* The reference: the importer and tc_features driven by hand, FX quotes as mids. */
    tc_import_opts_t io = {0};
    tc_import_t *im = tc_import_open(path, &io);
    cr_assert_not_null(im);
    tc_features_opts_t fo = {.bar_type = TC_BAR_TICK, .bar_size = 50, .feature_list = "default",
                             .mode = TC_TA_MODE_TALIB};
    tc_features_t *x = tc_features_create(&fo);
    cr_assert_not_null(x);
    tc_features_symbol_price(x, 0, TC_BAR_PRICE_MID);
    int cap = 8192, nb = 0, k;
    tc_feat_t *bars = malloc((size_t)cap * sizeof *bars), out[4];
    tc_tick_t t;
    uint64_t pos = 0;
    while (tc_import_read(im, &t, 1) == 1) {
        k = tc_features_tick(x, &t, pos++, out, 4);
        for (int j = 0; j < k; j++)
            bars[nb++] = out[j];
    }
    k = tc_features_flush(x, pos, out, 4);
    for (int j = 0; j < k; j++)
        bars[nb++] = out[j];
    tc_import_close(im);
    tc_features_destroy(x);

    int ready = 0;
    for (int j = 0; j < nb; j++)
        ready += (bars[j].flags & TC_FEAT_READY) != 0;
    cr_assert_gt(ready, 1000, "only %d ready bars", ready);
    cr_assert_eq(ds->n, ready);
    cr_assert_eq(ds->n_syms, 1);
    cr_assert_str_eq(ds->syms[0].name, "EURUSD");
    cr_assert_eq(ds->C, bars[0].n_feat);
    int row = 0, checked_targets = 0, nan_targets = 0;
    for (int j = 0; j < nb; j++) {
        if (!(bars[j].flags & TC_FEAT_READY))
            continue;
        cr_assert_eq(ds->ts[row], bars[j].ts_close, "row %d", row);
        cr_assert_eq(ds->close[row], bars[j].close);
        cr_assert_eq(memcmp(ds->f + (size_t)row * ds->C, bars[j].f, (size_t)ds->C * sizeof(double)), 0,
                     "row %d features differ", row);
        for (int h = 0; h < K; h++) {
            float y = ds->y[(size_t)row * K + h];
            if (j + h + 1 < nb) {
                double want = log(bars[j + h + 1].close) - log(bars[j].close);
                cr_assert(fabs(y - want) <= 1e-6 * fabs(want) + 1e-12,
                          "row %d step %d: %.9g, naive %.9g", row, h, y, want);
                checked_targets++;
            } else {
                cr_assert(isnan(y), "row %d step %d past the end is %g", row, h, y);
                nan_targets++;
            }
        }
        row++;
    }
    cr_assert_eq(nan_targets, 1 + 2 + 3, "the last K rows miss 1..K targets");
    cr_assert_gt(checked_targets, 3000);
    cr_assert_eq(ds->n_files, 1);
    free(bars);
    tc_dataset_destroy(ds);
}

Test(dataset, windows_never_cross_symbols, .timeout = 60)
{
    char path[256];
    synth_file(path, sizeof path, 150000, "EURUSD", "BTCUSDT");
    const int T = 10, K = 2;
    tc_dataset_opts_t o = tick_opts(60, K);
    tc_dataset_t *ds = NULL;
    cr_assert_eq(tc_dataset_load(&ds, path, &o), 0, "%s", tc_err_msg());
    unlink(path);
    cr_assert_eq(ds->n_syms, 2);
    int *w = NULL;
    int nw = tc_dataset_windows(ds, T, &w);
    int expect = 0;
    for (int s = 0; s < ds->n_syms; s++)
        expect += (ds->syms[s].end - ds->syms[s].begin) - (T - 1) - K; /* last K rows lack targets */
    cr_assert_eq(nw, expect);
    for (int j = 0; j < nw; j++) {
        int e = w[j];
        for (int i = e - T + 1; i < e; i++) {
            cr_assert_eq(ds->sym[i], ds->sym[e], "window ending at %d crosses symbols", e);
            cr_assert_lt(ds->ts[i], ds->ts[e]);
        }
        if (j)
            cr_assert_leq(ds->ts[w[j - 1]], ds->ts[e], "windows are in time order");
    }
    free(w);
    tc_dataset_destroy(ds);
}

Test(dataset, pooled_splits_are_chronological_with_the_purge, .timeout = 60)
{
    char path[256];
    synth_file(path, sizeof path, 150000, "EURUSD", "BTCUSDT");
    const int T = 8, K = 3, gap = 3;
    tc_dataset_opts_t o = tick_opts(60, K);
    tc_dataset_t *ds = NULL;
    cr_assert_eq(tc_dataset_load(&ds, path, &o), 0, "%s", tc_err_msg());
    unlink(path);
    int *w = NULL;
    int nw = tc_dataset_windows(ds, T, &w);
    tc_dataset_split_t tr, va, te;
    cr_assert_eq(tc_dataset_split(&tr, &va, &te, ds, w, nw, 0, nw * 6 / 10, nw * 2 / 10, -1, gap), 0);
    cr_assert_eq(tr.n, nw * 6 / 10);
    cr_assert_eq(va.n, nw * 2 / 10);
    cr_assert_gt(te.n, 0);
    const tc_dataset_split_t *sp[3] = {&tr, &va, &te};
    for (int a = 0; a < 2; a++)
        for (int b = a + 1; b < 3; b++)
            for (int i = 0; i < sp[a]->n; i++)
                for (int j = 0; j < sp[b]->n; j++) {
                    int ea = sp[a]->ends[i], eb = sp[b]->ends[j];
                    cr_assert_gt(ds->ts[eb], ds->ts_target[ea],
                                 "split %d window %d starts before split %d's target", b, eb, a);
                    if (ds->sym[ea] == ds->sym[eb])
                        cr_assert_geq(eb - ea, gap + 1, "purge of %d windows", gap);
                }
    tc_dataset_split_free(&tr), tc_dataset_split_free(&va), tc_dataset_split_free(&te);
    free(w);
    tc_dataset_destroy(ds);
}

Test(dataset, one_symbol_split_equals_tc_train_split, .timeout = 60)
{
    const char *path = fx_path();
    const int T = 12, K = 4;
    tc_dataset_opts_t o = tick_opts(50, K);
    tc_dataset_t *ds = NULL;
    cr_assert_eq(tc_dataset_load(&ds, path, &o), 0, "%s", tc_err_msg());
    int *w = NULL;
    int nw = tc_dataset_windows(ds, T, &w);
    tc_dataset_split_t tr, va, te;
    cr_assert_eq(tc_dataset_split(&tr, &va, &te, ds, w, nw, 0, (int)floor(nw * 0.7),
                                  (int)floor(nw * 0.15), -1, K), 0);
    /* tc_train_split over the rows that have every target */
    tc_train_split_t a, b, c;
    cr_assert_eq(tc_train_split(&a, &b, &c, ds->n - K, T, 0.7, 0.15, K), 0);
    cr_assert_eq(tr.n, a.end - a.begin);
    cr_assert_eq(tr.ends[0], a.begin);
    cr_assert_eq(tr.ends[tr.n - 1], a.end - 1);
    cr_assert_eq(va.n, b.end - b.begin);
    cr_assert_eq(va.ends[0], b.begin);
    cr_assert_eq(te.n, c.end - c.begin);
    cr_assert_eq(te.ends[0], c.begin);
    cr_assert_eq(te.ends[te.n - 1], c.end - 1);
    tc_dataset_split_free(&tr), tc_dataset_split_free(&va), tc_dataset_split_free(&te);
    free(w);
    tc_dataset_destroy(ds);
}

Test(dataset, scaler_is_fitted_on_training_rows_only, .timeout = 60)
{
    const char *path = fx_path();
    const int T = 6, K = 1;
    tc_dataset_opts_t o = tick_opts(50, K);
    tc_dataset_t *ds = NULL;
    cr_assert_eq(tc_dataset_load(&ds, path, &o), 0, "%s", tc_err_msg());
    int *w = NULL;
    int nw = tc_dataset_windows(ds, T, &w);
    tc_dataset_split_t tr, va, te;
    cr_assert_eq(tc_dataset_split(&tr, &va, &te, ds, w, nw, 0, nw / 2, nw / 4, -1, K), 0);
    const int C = ds->C;
    float m1[TC_FEAT_MAX], s1[TC_FEAT_MAX], m2[TC_FEAT_MAX], s2[TC_FEAT_MAX];
    int rows = tc_dataset_scaler_fit(m1, s1, ds, tr.ends, tr.n, T);
    cr_assert_eq(rows, tr.ends[tr.n - 1] - tr.ends[0] + T, "one symbol: a contiguous block");
    /* Naive: mean and population std in double over the rows of the training windows. */
    int first = tr.ends[0] - T + 1, last = tr.ends[tr.n - 1];
    for (int c = 0; c < C; c++) {
        double s = 0, ss = 0;
        for (int i = first; i <= last; i++)
            s += (float)ds->f[(size_t)i * C + c];
        double mean = s / rows;
        for (int i = first; i <= last; i++) {
            double d = (float)ds->f[(size_t)i * C + c] - mean;
            ss += d * d;
        }
        double sd = sqrt(ss / rows);
        cr_assert(fabs(m1[c] - mean) <= 1e-5 * fabs(mean) + 1e-9, "feature %d mean %g vs %g", c,
                  m1[c], mean);
        if (sd > 1e-12)
            cr_assert(fabs(s1[c] - sd) <= 1e-4 * sd, "feature %d std %g vs %g", c, s1[c], sd);
    }
    /* Whatever happens after the training rows does not move the scaler. */
    for (size_t i = (size_t)(last + 1) * C; i < (size_t)ds->n * C; i++)
        ds->f[i] = 1e6 + (double)i;
    cr_assert_eq(tc_dataset_scaler_fit(m2, s2, ds, tr.ends, tr.n, T), rows);
    cr_assert_eq(memcmp(m1, m2, (size_t)C * sizeof *m1), 0);
    cr_assert_eq(memcmp(s1, s2, (size_t)C * sizeof *s1), 0);
    tc_dataset_split_free(&tr), tc_dataset_split_free(&va), tc_dataset_split_free(&te);
    free(w);
    tc_dataset_destroy(ds);
}

Test(dataset, symbol_selection_keeps_only_that_symbol, .timeout = 60)
{
    char path[256];
    synth_file(path, sizeof path, 100000, "EURUSD", "BTCUSDT");
    const char *pick[] = {"BTCUSDT"};
    tc_dataset_opts_t o = tick_opts(60, 1);
    tc_dataset_t *all = NULL, *one = NULL;
    cr_assert_eq(tc_dataset_load(&all, path, &o), 0, "%s", tc_err_msg());
    o.symbols = pick;
    o.n_symbols = 1;
    cr_assert_eq(tc_dataset_load(&one, path, &o), 0, "%s", tc_err_msg());
    cr_assert_eq(one->n_syms, 1);
    cr_assert_str_eq(one->syms[0].name, "BTCUSDT");
    int s = strcmp(all->syms[0].name, "BTCUSDT") == 0 ? 0 : 1;
    int b = all->syms[s].begin, n = all->syms[s].end - b;
    cr_assert_eq(one->n, n);
    cr_assert_eq(memcmp(one->f, all->f + (size_t)b * all->C, (size_t)n * all->C * sizeof(double)), 0,
                 "the other symbol's ticks still drive the stream clock, as in the stage");
    const char *bad[] = {"NOPE"};
    o.symbols = bad;
    tc_dataset_t *none = NULL;
    cr_assert_eq(tc_dataset_load(&none, path, &o), -EINVAL);
    cr_assert(strstr(tc_err_msg(), "NOPE"), "%s", tc_err_msg());
    unlink(path);
    tc_dataset_destroy(all);
    tc_dataset_destroy(one);
}

Test(dataset, bad_sources_are_refused_with_a_reason)
{
    tc_dataset_opts_t o = tick_opts(50, 1);
    tc_dataset_t *ds = NULL;
    cr_assert_eq(tc_dataset_load(&ds, "/nonexistent/ticks.tck", &o), -ENOENT);
    cr_assert(strstr(tc_err_msg(), "/nonexistent/ticks.tck"), "%s", tc_err_msg());
    char path[256];
    synth_file(path, sizeof path, 500, "EURUSD", NULL);
    cr_assert_eq(tc_dataset_load(&ds, path, &o), -ENODATA);
    cr_assert(strstr(tc_err_msg(), "no ready bars"), "%s", tc_err_msg());
    unlink(path);
    o.feature_list = "RSI(TimePeriod=14),BOGUS";
    cr_assert_lt(tc_dataset_load(&ds, fx_path(), &o), 0);
    cr_assert_null(ds);
}

Test(dataset, file_digest_matches_sha256sum)
{
    char path[256], cmd[512], line[256];
    snprintf(path, sizeof path, "/tmp/tc-test-sha-%d", getpid());
    const char *texts[] = {"", "abc", NULL};
    static char big[200001];
    memset(big, 'x', sizeof big - 1);
    texts[2] = big; /* several 64 KiB reads, a padding block of its own */
    for (int i = 0; i < 3; i++) {
        FILE *f = fopen(path, "w");
        fputs(texts[i], f);
        fclose(f);
        char hex[65];
        cr_assert_eq(tc_dataset_file_sha256(hex, path), 0);
        snprintf(cmd, sizeof cmd, "sha256sum %s", path);
        FILE *p = popen(cmd, "r");
        if (!p || !fgets(line, sizeof line, p))
            cr_skip_test("sha256sum is not available");
        pclose(p);
        cr_assert_eq(strncmp(hex, line, 64), 0, "%s vs %.64s", hex, line);
    }
    unlink(path);
}

Test(dataset, times_parse_and_format)
{
    int64_t ns;
    cr_assert_eq(tc_dataset_time_parse(&ns, "2024-01-02T00:03:02.5Z"), 0);
    cr_assert_eq(ns, 1704153782500000000LL);
    cr_assert_eq(tc_dataset_time_parse(&ns, "1704153782500000001"), 0);
    cr_assert_eq(ns, 1704153782500000001LL);
    char buf[64];
    tc_dataset_time_format(buf, sizeof buf, ns);
    cr_assert_str_eq(buf, "2024-01-02T00:03:02.500000001Z");
    tc_dataset_time_format(buf, sizeof buf, 1704153600LL * 1000000000LL);
    cr_assert_str_eq(buf, "2024-01-02T00:00:00Z");
    cr_assert_eq(tc_dataset_time_parse(&ns, "yesterday"), -EINVAL);
    cr_assert_eq(tc_dataset_time_parse(&ns, "2024-13-01"), -EINVAL);
}
