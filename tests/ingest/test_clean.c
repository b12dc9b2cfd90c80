/* test_clean.c — the tick cleaner: each rule's action and counter on hand-made ticks;
 * the rolling median and robust sigma against a naive sort of the same window; gaps
 * against the data README; and the outlier filter on real FXCM data: it must keep the
 * genuine 33-pip payrolls jump of 2014-05-02 and flag a bad print injected into it. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "ingest/clean.h"
#include "ingest/import.h"
#include "tests/common/csvtab.h"

static int64_t utc(int y, int mo, int d, int h, int mi, int s, int ms)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s};
    return (int64_t)timegm(&tm) * 1000000000LL + (int64_t)ms * 1000000LL;
}

static tc_tick_t *read_all(const char *name, size_t *ret_n)
{
    char rel[256];
    snprintf(rel, sizeof rel, "data/ticks/%s", name);
    const char *path = tc_shared_path(rel);
    if (access(path, R_OK) != 0)
        cr_skip_test("shared tick data absent: %s", path);
    tc_import_t *im = tc_import_open(path, NULL);
    cr_assert_not_null(im, "%s", tc_err_msg());
    size_t cap = 300000, n = 0;
    tc_tick_t *t = aligned_alloc(64, cap * sizeof *t);
    int k;
    while ((k = tc_import_read(im, t + n, (int)(cap - n < 4096 ? cap - n : 4096))) > 0)
        n += (size_t)k;
    tc_import_close(im);
    *ret_n = n;
    return t;
}

/* Runs every tick through a cleaner, flushes; returns the released ticks. */
static tc_tick_t *clean_all(tc_clean_t *c, const tc_tick_t *in, size_t n, size_t *ret_n)
{
    tc_tick_t *out = aligned_alloc(64, (n + 64) * sizeof *out);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += (size_t)tc_clean_push(c, &in[i], &out[m]);
    m += (size_t)tc_clean_flush(c, &out[m], 64);
    *ret_n = m;
    return out;
}

static tc_tick_t trade(int64_t ts, int64_t px, int64_t size, int64_t id)
{
    tc_tick_t t = {.ts_event = ts, .ts_recv = ts, .kind = TC_TICK_TRADE, .px_exp = -2};
    t.trade.price = px, t.trade.size = size, t.trade.id = id;
    return t;
}

Test(clean, rules_and_counters)
{
    tc_clean_cfg_t cfg;
    tc_clean_cfg_default(&cfg);
    cfg.window = 0; /* rules only: no look-ahead delay */
    cfg.gap_ns = 1000;
    tc_clean_t *c = tc_clean_create(&cfg);
    cr_assert_not_null(c);
    tc_tick_t out;
    tc_tick_t t = trade(100, 1000, 5, 10);
    cr_expect_eq(tc_clean_push(c, &t, &out), 1);
    t = trade(90, 1000, 5, 11); /* earlier than the previous trade */
    cr_expect_eq(tc_clean_push(c, &t, &out), 0);
    t = trade(110, 1000, 5, 10); /* repeated id */
    cr_expect_eq(tc_clean_push(c, &t, &out), 0);
    t = trade(120, 0, 5, 12); /* zero price */
    cr_expect_eq(tc_clean_push(c, &t, &out), 0);
    t = trade(130, 1001, 0, 13); /* zero size: flagged, kept */
    cr_expect_eq(tc_clean_push(c, &t, &out), 1);
    cr_expect(out.flags & TC_TICK_NO_VOLUME);
    t = trade(140, 1001, 3, 14);
    t.flags = TC_TICK_SUSPICIOUS; /* counted, kept */
    cr_expect_eq(tc_clean_push(c, &t, &out), 1);
    tc_tick_t q = {.ts_event = 5000, .kind = TC_TICK_QUOTE, .px_exp = -5};
    q.quote.bid = 138624, q.quote.ask = 138623; /* crossed: flagged, not swapped */
    cr_expect_eq(tc_clean_push(c, &q, &out), 1);
    cr_expect(out.flags & TC_TICK_CROSSED);
    cr_expect_eq(out.quote.bid, 138624);
    q.ts_event = 5001, q.quote.ask = 138624;
    cr_expect_eq(tc_clean_push(c, &q, &out), 1);
    cr_expect(out.flags & TC_TICK_LOCKED);
    const tc_clean_stats_t *st = tc_clean_stats(c);
    cr_expect_eq(st->in, 8);
    cr_expect_eq(st->out, 5);
    cr_expect_eq(st->dropped, 3);
    cr_expect_eq(st->hits[TC_CLEAN_OUT_OF_ORDER], 1);
    cr_expect_eq(st->hits[TC_CLEAN_DUP_SEQ], 1);
    cr_expect_eq(st->hits[TC_CLEAN_NONPOS_PRICE], 1);
    cr_expect_eq(st->hits[TC_CLEAN_ZERO_SIZE], 1);
    cr_expect_eq(st->hits[TC_CLEAN_SUSPICIOUS], 1);
    cr_expect_eq(st->hits[TC_CLEAN_CROSSED], 1);
    cr_expect_eq(st->hits[TC_CLEAN_LOCKED], 1);
    cr_expect_eq(st->dropped_by[TC_CLEAN_OUT_OF_ORDER] + st->dropped_by[TC_CLEAN_DUP_SEQ] +
                     st->dropped_by[TC_CLEAN_NONPOS_PRICE], 3);
    /* the quote at 5000 follows the trade at 140: one gap of 4860 ns, never filled */
    cr_expect_eq(st->gaps, 1);
    cr_expect_eq(st->top_gaps[0].from, 140);
    cr_expect_eq(st->top_gaps[0].to, 5000);
    tc_clean_destroy(c);

    /* per-symbol configuration: drop crossed, keep zero sizes unflagged */
    tc_clean_cfg_default(&cfg);
    cr_assert_eq(tc_clean_cfg_parse(&cfg, "crossed=drop,zero_size=keep,window=0,gap=0"), 0);
    c = tc_clean_create(&cfg);
    q.ts_event = 10, q.quote.bid = 5, q.quote.ask = 4;
    cr_expect_eq(tc_clean_push(c, &q, &out), 0);
    t = trade(20, 1, 0, 0);
    cr_expect_eq(tc_clean_push(c, &t, &out), 1);
    cr_expect_eq(out.flags & TC_TICK_NO_VOLUME, 0);
    cr_expect_eq(tc_clean_stats(c)->dropped_by[TC_CLEAN_CROSSED], 1);
    tc_clean_destroy(c);
    cr_expect_lt(tc_clean_cfg_parse(&cfg, "crossed=maybe"), 0);
    cr_expect(strstr(tc_err_msg(), "crossed") != NULL);
    cr_expect_lt(tc_clean_cfg_parse(&cfg, "windoww=3"), 0);
    cfg.window = TC_CLEAN_WINDOW_MAX + 1;
    cr_expect_null(tc_clean_create(&cfg));
    tc_clean_destroy(NULL);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double naive_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n & 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Test(clean, rolling_median_and_mad_match_naive)
{
    for (int W = 1; W <= 64; W += 21) {
        tc_clean_cfg_t cfg;
        tc_clean_cfg_default(&cfg);
        cfg.window = W;
        cfg.confirm = 1;
        cfg.k = 1e300; /* nothing is an outlier: every released value enters the window */
        cfg.gap_ns = 0;
        tc_clean_t *c = tc_clean_create(&cfg);
        cr_assert_not_null(c);
        unsigned seed = 7u + (unsigned)W;
        double released[3000], win[64], dist[64];
        int nrel = 0;
        for (int i = 0; i < 3000; i++) {
            /* few distinct values, so ties (equal keys) are common */
            tc_tick_t t = trade(i, 1000 + rand_r(&seed) % 13, 1, 0);
            tc_tick_t out;
            if (tc_clean_push(c, &t, &out) == 1) {
                released[nrel++] = tc_tick_px(&out, out.trade.price);
                int n = nrel < W ? nrel : W;
                memcpy(win, released + nrel - n, (size_t)n * sizeof *win);
                double m = naive_median(win, n);
                for (int j = 0; j < n; j++)
                    dist[j] = fabs(win[j] - m);
                double s = 1.4826 * naive_median(dist, n);
                cr_assert_float_eq(tc_clean_median(c), m, 1e-12, "W %d step %d", W, i);
                cr_assert_float_eq(tc_clean_sigma(c), s, 1e-12, "W %d step %d", W, i);
            }
        }
        cr_expect_eq(nrel, 2999);
        tc_clean_destroy(c);
    }
}

static size_t find(const tc_tick_t *t, size_t n, int64_t ts)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].ts_event == ts)
            return i;
    return n;
}

Test(clean, payrolls_jump_kept_bad_print_flagged)
{
    size_t n;
    tc_tick_t *in = read_all("fx_fxcm_eurusd_quotes_20140502.csv", &n);
    int64_t jump = utc(2014, 5, 2, 12, 30, 1, 492);
    size_t j = find(in, n, jump);
    cr_assert_lt(j, n);
    cr_assert_eq(in[j - 1].quote.bid - in[j].quote.bid, 333, "the 33-pip drop is in the data");

    /* inject bad prints into a copy: +50 pips at 10:00 UTC, -1% at 15:00 UTC */
    tc_tick_t *bad = aligned_alloc(64, (n + 2) * sizeof *bad);
    size_t a = 0;
    while (in[a].ts_event < utc(2014, 5, 2, 10, 0, 0, 0))
        a++;
    size_t b = a;
    while (in[b].ts_event < utc(2014, 5, 2, 15, 0, 0, 0))
        b++;
    memcpy(bad, in, a * sizeof *bad);
    bad[a] = in[a - 1];
    bad[a].ts_event = bad[a].ts_recv = in[a - 1].ts_event + 1;
    bad[a].quote.bid += 500, bad[a].quote.ask += 500;
    memcpy(bad + a + 1, in + a, (b - a) * sizeof *bad);
    bad[b + 1] = in[b - 1];
    bad[b + 1].ts_event = bad[b + 1].ts_recv = in[b - 1].ts_event + 1;
    bad[b + 1].quote.bid -= bad[b + 1].quote.bid / 100, bad[b + 1].quote.ask -= bad[b + 1].quote.ask / 100;
    memcpy(bad + b + 2, in + b, (n - b) * sizeof *bad);

    tc_clean_cfg_t cfg;
    tc_clean_cfg_default(&cfg);
    tc_clean_t *c = tc_clean_create(&cfg);
    size_t m;
    tc_tick_t *out = clean_all(c, bad, n + 2, &m);
    cr_expect_eq(m, n + 2, "flag mode keeps every tick");
    size_t jj = find(out, m, jump);
    cr_assert_lt(jj, m);
    cr_expect_eq(out[jj].flags & TC_TICK_OUTLIER, 0, "the payrolls jump is genuine: not flagged");
    for (size_t i = jj; i < jj + 20; i++)
        cr_expect_eq(out[i].flags & TC_TICK_OUTLIER, 0, "the ticks after the jump are not flagged (%zu)", i - jj);
    cr_expect(out[a].flags & TC_TICK_OUTLIER, "+50 pip print flagged");
    cr_expect_eq(out[a].quote.bid, bad[a].quote.bid);
    cr_expect(out[b + 1].flags & TC_TICK_OUTLIER, "-1%% print flagged");
    cr_expect_eq(out[a - 1].flags & TC_TICK_OUTLIER, 0);
    cr_expect_eq(out[a + 1].flags & TC_TICK_OUTLIER, 0);
    const tc_clean_stats_t *st = tc_clean_stats(c);
    size_t flagged = 0;
    for (size_t i = 0; i < m; i++)
        flagged += !!(out[i].flags & TC_TICK_OUTLIER);
    cr_expect_eq(st->hits[TC_CLEAN_OUTLIER], flagged);
    cr_expect_leq(flagged, 10, "the real file has (almost) no bad prints: %zu flagged", flagged);
    /* README: 12,061 crossed and 13,004 locked in the file, plus the two injected rows */
    size_t inj_c = (bad[a].quote.bid > bad[a].quote.ask) + (bad[b + 1].quote.bid > bad[b + 1].quote.ask);
    size_t inj_l = (bad[a].quote.bid == bad[a].quote.ask) + (bad[b + 1].quote.bid == bad[b + 1].quote.ask);
    cr_expect_eq(st->hits[TC_CLEAN_CROSSED], 12061 + inj_c, "crossed counted, kept");
    cr_expect_eq(st->hits[TC_CLEAN_LOCKED], 13004 + inj_l);
    tc_clean_destroy(c);
    free(out);

    /* drop mode removes exactly the flagged prints */
    cfg.action[TC_CLEAN_OUTLIER] = TC_CLEAN_DROP;
    c = tc_clean_create(&cfg);
    out = clean_all(c, bad, n + 2, &m);
    cr_expect_eq(m, n + 2 - flagged);
    cr_expect_eq(tc_clean_stats(c)->dropped_by[TC_CLEAN_OUTLIER], flagged);
    cr_expect_lt(find(out, m, jump), m, "the jump survives drop mode");
    tc_clean_destroy(c);
    free(out);
    free(bad);
    free(in);
}

Test(clean, gaps_match_readme)
{
    size_t n;
    tc_tick_t *in = read_all("fx_fxcm_eurusd_quotes_20140504.csv", &n);
    tc_clean_cfg_t cfg;
    tc_clean_cfg_default(&cfg);
    cfg.gap_ns = 120LL * 1000000000LL;
    tc_clean_t *c = tc_clean_create(&cfg);
    size_t m;
    tc_tick_t *out = clean_all(c, in, n, &m);
    const tc_clean_stats_t *st = tc_clean_stats(c);
    cr_assert_gt(st->n_top_gaps, 0);
    /* README: the largest gap is 325 s, 18:21:11 → 18:26:36 UTC-05 */
    int64_t len = st->top_gaps[0].to - st->top_gaps[0].from;
    cr_expect(len > 324500000000LL && len < 325500000000LL, "largest gap %lld ns", (long long)len);
    cr_expect_eq(st->top_gaps[0].from / 1000000000LL, utc(2014, 5, 4, 23, 21, 11, 0) / 1000000000LL);
    cr_expect_eq(m, n, "gaps are reported, never filled");
    for (int i = 1; i < st->n_top_gaps; i++)
        cr_expect_geq(st->top_gaps[i - 1].to - st->top_gaps[i - 1].from, st->top_gaps[i].to - st->top_gaps[i].from);
    tc_clean_destroy(c);
    free(out);
    free(in);

    in = read_all("futures_comex_gc_dec2013_trades_20131007.csv", &n);
    tc_clean_cfg_default(&cfg);
    c = tc_clean_create(&cfg);
    out = clean_all(c, in, n, &m);
    st = tc_clean_stats(c);
    /* the maintenance break 21:14:58.465 → 22:00:00.015 UTC; 92 zero sizes flagged */
    cr_expect_eq(st->top_gaps[0].from, utc(2013, 10, 7, 21, 14, 58, 465));
    cr_expect_eq(st->top_gaps[0].to, utc(2013, 10, 7, 22, 0, 0, 15));
    cr_expect_eq(st->hits[TC_CLEAN_ZERO_SIZE], 92);
    cr_expect_eq(m, n, "identical prints and zero sizes are kept");
    cr_expect_eq(st->hits[TC_CLEAN_OUT_OF_ORDER] + st->hits[TC_CLEAN_DUP_SEQ], 0);
    size_t nov = 0;
    for (size_t i = 0; i < m; i++)
        nov += !!(out[i].flags & TC_TICK_NO_VOLUME);
    cr_expect_eq(nov, 92);
    tc_clean_destroy(c);
    free(out);
    free(in);
}

Test(clean, suspicious_and_trade_ids_on_real_files)
{
    size_t n, m;
    tc_tick_t *in = read_all("equity_ibm_quotes_20131007.csv", &n);
    tc_clean_cfg_t cfg;
    tc_clean_cfg_default(&cfg);
    cfg.window = 0;
    cfg.action[TC_CLEAN_SUSPICIOUS] = TC_CLEAN_DROP;
    tc_clean_t *c = tc_clean_create(&cfg);
    tc_tick_t *out = clean_all(c, in, n, &m);
    cr_expect_eq(tc_clean_stats(c)->hits[TC_CLEAN_SUSPICIOUS], 1);
    cr_expect_eq(m, n - 1);
    tc_clean_destroy(c);
    free(out);
    free(in);

    /* tardis trade ids are contiguous: no duplicate-sequence hit; nothing dropped */
    in = read_all("crypto_tardis_binancefutures_btcusdt_trades_20200222.csv", &n);
    tc_clean_cfg_default(&cfg);
    c = tc_clean_create(&cfg);
    out = clean_all(c, in, n, &m);
    cr_expect_eq(m, n);
    cr_expect_eq(tc_clean_stats(c)->hits[TC_CLEAN_DUP_SEQ], 0);
    cr_expect_eq(tc_clean_stats(c)->hits[TC_CLEAN_OUT_OF_ORDER], 0);
    tc_clean_destroy(c);
    free(out);
    /* the same trades twice in a row: the replay is all duplicates */
    tc_tick_t *twice = aligned_alloc(64, 2 * n * sizeof *twice);
    memcpy(twice, in, n * sizeof *twice);
    memcpy(twice + n, in, n * sizeof *twice);
    c = tc_clean_create(&cfg);
    out = clean_all(c, twice, 2 * n, &m);
    cr_expect_eq(m, n);
    cr_expect_eq(tc_clean_stats(c)->dropped, n);
    cr_expect_eq(tc_clean_stats(c)->hits[TC_CLEAN_DUP_SEQ], n, "every replayed id is a duplicate");
    tc_clean_destroy(c);
    free(out);
    free(twice);
    free(in);
}

/* Largest gap of each file, as the README gives it (±0.1 s), found by the cleaner. */
Test(clean, largest_gaps_match_readme)
{
    static const struct { const char *file; double secs; int64_t from; } g[] = {
        {"cfd_oanda_xauusd_quotes_20140504.csv", 72.0, 0},
        /* 17:16:03.526 → 17:17:29.219 EST */
        {"fx_histdata_eurusd_quotes_20200101.csv", 85.693, 1577916963526000000LL},
        {"crypto_tardis_binancefutures_btcusdt_trades_20200222.csv", 22.2, 0},
        /* IBM: 04:45:47 → 06:09:43 New York (84 min) */
        {"equity_ibm_trades_20131007.csv", 84 * 60 - 4, 0},
        /* IBM quotes: 18:07:11 → 18:47:40 New York (40 min) */
        {"equity_ibm_quotes_20131007.csv", 40 * 60 + 29, 0},
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        size_t n, m;
        tc_tick_t *in = read_all(g[i].file, &n);
        tc_clean_cfg_t cfg;
        tc_clean_cfg_default(&cfg);
        cfg.window = 0;
        cfg.gap_ns = 1000000; /* every gap over 1 ms is a candidate for the top list */
        tc_clean_t *c = tc_clean_create(&cfg);
        tc_tick_t *out = clean_all(c, in, n, &m);
        const tc_clean_stats_t *st = tc_clean_stats(c);
        double len = (double)(st->top_gaps[0].to - st->top_gaps[0].from) / 1e9;
        cr_expect(fabs(len - g[i].secs) < 1.0, "%s: largest gap %.3f s, README %.1f s", g[i].file, len, g[i].secs);
        if (g[i].from)
            cr_expect_eq(st->top_gaps[0].from, g[i].from, "%s gap start", g[i].file);
        tc_clean_destroy(c);
        free(out);
        free(in);
    }
}

/* The README says these files have no backwards times, no repeated or missing trade
 * ids and no non-positive prices: with the default rules nothing is dropped, and the
 * quirk counters agree with its figures. */
Test(clean, every_file_cleans_without_drops)
{
    static const struct { const char *file; uint64_t crossed, locked, zero, susp; } f[] = {
        {"fx_fxcm_eurusd_quotes_20140502.csv", 12061, 13004, 0, 0},
        {"fx_fxcm_eurusd_quotes_20140504.csv", 174, 259, 0, 0},
        {"fx_fxcm_eurusd_quotes_20140505.csv", 4987, 7109, 0, 0},
        {"fx_truefx_usdjpy_quotes_20130101.csv", 0, 1, 0, 0},
        {"fx_histdata_eurusd_quotes_20200101.csv", 0, 0, 0, 0},
        {"cfd_oanda_xauusd_quotes_20140504.csv", 0, 0, 0, 0},
        {"crypto_tardis_binancefutures_btcusdt_trades_20200222.csv", 0, 0, 0, 0},
        {"crypto_tardis_binancefutures_btcusdt_quotes_20200222.csv", 0, 0, 0, 0},
        {"crypto_binance_spot_btcusdt_feed_20240808.gz", 0, 0, 0, 0},
        {"crypto_binance_spot_btcusdt_feed_20240809.gz", 0, 0, 0, 0},
        {"equity_ibm_trades_20131007.csv", 0, 0, 0, 0},
        {"equity_ibm_quotes_20131007.csv", 0, 0, 0, 1},
        {"equity_spy_trades_20131007.csv", 0, 0, 0, 0},
        {"futures_comex_gc_dec2013_trades_20131007.csv", 0, 0, 92, 0},
        {"bars_daily_spy_lean.csv", 0, 0, 0, 0},
        {"bars_daily_orcl_yahoo.csv", 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        size_t n, m;
        tc_tick_t *in = read_all(f[i].file, &n);
        tc_clean_cfg_t cfg;
        tc_clean_cfg_default(&cfg);
        cfg.window = 0;
        tc_clean_t *c = tc_clean_create(&cfg);
        tc_tick_t *out = clean_all(c, in, n, &m);
        const tc_clean_stats_t *st = tc_clean_stats(c);
        cr_expect_eq(m, n, "%s: %zu of %zu kept", f[i].file, m, n);
        cr_expect_eq(st->hits[TC_CLEAN_OUT_OF_ORDER] + st->hits[TC_CLEAN_DUP_SEQ] + st->hits[TC_CLEAN_NONPOS_PRICE], 0,
                     "%s", f[i].file);
        cr_expect_eq(st->hits[TC_CLEAN_CROSSED], f[i].crossed, "%s crossed", f[i].file);
        cr_expect_eq(st->hits[TC_CLEAN_LOCKED], f[i].locked, "%s locked", f[i].file);
        cr_expect_eq(st->hits[TC_CLEAN_ZERO_SIZE], f[i].zero, "%s zero sizes", f[i].file);
        cr_expect_eq(st->hits[TC_CLEAN_SUSPICIOUS], f[i].susp, "%s suspicious", f[i].file);
        tc_clean_destroy(c);
        free(out);
        free(in);
    }
}
