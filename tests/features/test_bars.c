/* test_bars.c — bar builders (features/bars.h) against an independent computation:
 * time, tick and volume bars over the shared COMEX gold futures trades, imported by
 * the real importer, compared bar by bar (count, interval, OHLC, volume, trades) with
 * bars_ref.py, a short pandas script run by the test.  Plus unit cases: no empty bars,
 * gaps flagged, the timer closing a quiet bar, mid-price bars from quotes. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "features/bars.h"
#include "ingest/import.h"
#include "tests/common/csvtab.h"

#define GC "data/ticks/futures_comex_gc_dec2013_trades_20131007.csv"

static int run_reference(const char *kind, double size, tc_bar_t *ref, int max)
{
    if (access("/usr/bin/python3", X_OK) != 0)
        cr_skip_test("/usr/bin/python3 is missing (tools/install-deps.sh test installs it)");
    if (system("/usr/bin/python3 -c 'import pandas' 2>/dev/null") != 0)
        cr_skip_test("python3-pandas is missing (tools/install-deps.sh test installs it)");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/features/bars_ref.py %s %s %.17g",
             TC_SOURCE_DIR, tc_shared_path(GC), kind, size);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    int n = 0;
    char line[512];
    while (n < max && fgets(line, sizeof line, p)) {
        long long ts, vol;
        unsigned trades;
        tc_bar_t *b = &ref[n];
        memset(b, 0, sizeof *b);
        cr_assert_eq(sscanf(line, "%lld,%lf,%lf,%lf,%lf,%lld,%u", &ts, &b->open, &b->high, &b->low,
                            &b->close, &vol, &trades), 7, "bad reference line %s", line);
        b->ts_open = ts;
        b->volume = (double)vol;
        b->trades = trades;
        n++;
    }
    cr_assert_eq(pclose(p), 0, "bars_ref.py failed");
    return n;
}

static int run_ours(int type, double size, tc_bar_t *out, int max)
{
    if (access(tc_shared_path(GC), R_OK) != 0)
        cr_skip_test("%s is missing: the shared data must sit beside the clone", tc_shared_path(GC));
    tc_import_opts_t o = {0};
    tc_import_t *im = tc_import_open(tc_shared_path(GC), &o);
    cr_assert_not_null(im);
    tc_bar_builder_t b;
    cr_assert_eq(tc_bar_builder_init(&b, type, TC_BAR_PRICE_TRADE, size), 0);
    tc_tick_t t[512];
    int n = 0, k;
    while ((k = tc_import_read(im, t, 512)) > 0)
        for (int i = 0; i < k; i++)
            if (tc_bar_builder_update(&b, &t[i], &out[n]) == 1)
                n++;
    cr_assert_eq(k, 0);
    n += tc_bar_builder_flush(&b, &out[n]);
    tc_import_close(im);
    return n;
}

static void compare(int type, const char *kind, double size)
{
    static tc_bar_t ours[50000], ref[50000];
    int n = run_ours(type, size, ours, 50000);
    int m = run_reference(kind, size, ref, 50000);
    cr_assert_eq(n, m, "%s bars of %g: %d here, %d from pandas", kind, size, n, m);
    for (int i = 0; i < n; i++) {
        if (type == TC_BAR_TIME)
            cr_assert_eq(ours[i].ts_open, ref[i].ts_open, "bar %d start", i);
        else
            cr_assert_eq(ours[i].ts_first, ref[i].ts_open, "bar %d first tick", i);
        cr_assert_eq(ours[i].open, ref[i].open, "bar %d open", i);
        cr_assert_eq(ours[i].high, ref[i].high, "bar %d high", i);
        cr_assert_eq(ours[i].low, ref[i].low, "bar %d low", i);
        cr_assert_eq(ours[i].close, ref[i].close, "bar %d close", i);
        cr_assert_eq(ours[i].volume, ref[i].volume, "bar %d volume", i);
        cr_assert_eq(ours[i].trades, ref[i].trades, "bar %d trades", i);
    }
    printf("bars: %d %s bars of %g agree with pandas\n", n, kind, size);
}

Test(bars, time_bars_match_pandas, .timeout = 120) { compare(TC_BAR_TIME, "time", 60); }
Test(bars, tick_bars_match_pandas, .timeout = 120) { compare(TC_BAR_TICK, "tick", 100); }
Test(bars, volume_bars_match_pandas, .timeout = 120) { compare(TC_BAR_VOLUME, "volume", 500); }

static tc_tick_t trade(int64_t ts, int64_t px, int64_t qty)
{
    tc_tick_t t = {.ts_event = ts, .kind = TC_TICK_TRADE, .px_exp = -2};
    t.trade.price = px;
    t.trade.size = qty;
    return t;
}

Test(bars, no_empty_bars_and_gaps_are_flagged)
{
    tc_bar_builder_t b;
    cr_assert_eq(tc_bar_builder_init(&b, TC_BAR_TIME, TC_BAR_PRICE_TRADE, 1.0), 0);
    tc_bar_t out;
    int64_t s = 1000000000LL;
    cr_assert_eq(tc_bar_builder_update(&b, &(tc_tick_t){0}, &out), 0, "a tick without price starts nothing");
    tc_tick_t t = trade(100 * s + 1, 10000, 1);
    cr_assert_eq(tc_bar_builder_update(&b, &t, &out), 0);
    t = trade(100 * s + 500000000, 10100, 2);
    cr_assert_eq(tc_bar_builder_update(&b, &t, &out), 0);
    t = trade(105 * s, 9900, 3); /* four empty seconds, then a trade */
    cr_assert_eq(tc_bar_builder_update(&b, &t, &out), 1);
    cr_assert_eq(out.ts_open, 100 * s);
    cr_assert_eq(out.ts_close, 101 * s);
    cr_assert_eq(out.open, 100.0);
    cr_assert_eq(out.close, 101.0);
    cr_assert_eq(out.volume, 3.0);
    cr_assert_eq(out.vwap, (100.0 * 1 + 101.0 * 2) / 3);
    cr_assert_eq(out.flags & TC_BAR_GAP, 0);
    t = trade(106 * s, 9900, 1);
    cr_assert_eq(tc_bar_builder_update(&b, &t, &out), 1, "second 105 closes");
    cr_assert_eq(out.ts_open, 105 * s, "no bars were invented for 101..104");
    cr_assert_eq(out.flags & TC_BAR_GAP, TC_BAR_GAP, "the gap is reported");
    cr_assert_eq(tc_bar_builder_timer(&b, 106 * s + 999999999, &out), 0);
    cr_assert_eq(tc_bar_builder_timer(&b, 107 * s, &out), 1, "the timer closes a quiet bar");
    cr_assert_eq(out.ts_open, 106 * s);
    cr_assert_eq(tc_bar_builder_flush(&b, &out), 0);
}

Test(bars, mid_price_bars_use_quotes_and_trade_volume)
{
    tc_bar_builder_t b;
    cr_assert_eq(tc_bar_builder_init(&b, TC_BAR_TICK, TC_BAR_PRICE_MID, 2), 0);
    tc_tick_t q = {.ts_event = 1, .kind = TC_TICK_QUOTE, .px_exp = -5};
    q.quote.bid = 110000;
    q.quote.ask = 110002;
    tc_bar_t out;
    cr_assert_eq(tc_bar_builder_update(&b, &q, &out), 0);
    tc_tick_t t = trade(2, 110, 5); /* a trade: volume, but no mid update */
    t.px_exp = -2;
    t.flags = TC_TICK_SIDE_BUY;
    cr_assert_eq(tc_bar_builder_update(&b, &t, &out), 0);
    q.ts_event = 3;
    q.quote.bid = 110004;
    q.quote.ask = 110006;
    cr_assert_eq(tc_bar_builder_update(&b, &q, &out), 1);
    cr_assert_float_eq(out.open, 1.10001, 1e-15);
    cr_assert_float_eq(out.close, 1.10005, 1e-15);
    cr_assert_eq(out.volume, 5.0);
    cr_assert_eq(out.buy_volume, 5.0);
    cr_assert_eq(out.updates, 2);
}

Test(bars, bad_sizes_are_refused)
{
    tc_bar_builder_t b;
    cr_assert_eq(tc_bar_builder_init(&b, TC_BAR_TIME, TC_BAR_PRICE_TRADE, 0), -EINVAL);
    cr_assert_eq(tc_bar_builder_init(&b, TC_BAR_TICK, TC_BAR_PRICE_TRADE, 2.5), -EINVAL);
    cr_assert_eq(tc_bar_builder_init(&b, 9, TC_BAR_PRICE_TRADE, 1), -EINVAL);
}
