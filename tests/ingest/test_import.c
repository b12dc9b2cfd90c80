/* test_import.c — every real tick file of ../shared/data/ticks imports, and what comes
 * out agrees with the figures of the data README (its row counts, spans, quirk counts),
 * recomputed here from the ticks with plain loops.  Expected times are built with
 * libc's timegm(), not with the importer's own calendar and time-zone code.  Also:
 * import → canonical text → reparse gives identical records for every file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "ingest/import.h"
#include "tests/common/csvtab.h"

typedef struct loaded {
    tc_tick_t *t;
    size_t n;
    tc_import_stats_t st;
    tc_symbol_t sym;
    char format[32];
} loaded_t;

/* Imports a shared tick file whole; skips the test when the data folder is absent. */
static void load_opts(loaded_t *L, const char *name, const tc_import_opts_t *o)
{
    char rel[256];
    snprintf(rel, sizeof rel, "data/ticks/%s", name);
    const char *path = tc_shared_path(rel);
    if (access(path, R_OK) != 0)
        cr_skip_test("shared tick data absent: %s", path);
    tc_import_t *im = tc_import_open(path, o);
    cr_assert_not_null(im, "open %s: %s", name, tc_err_msg());
    size_t cap = 1 << 16;
    L->t = aligned_alloc(64, cap * sizeof(tc_tick_t));
    L->n = 0;
    for (;;) {
        if (L->n + 4096 > cap) {
            tc_tick_t *p = aligned_alloc(64, 2 * cap * sizeof(tc_tick_t));
            memcpy(p, L->t, L->n * sizeof(tc_tick_t));
            free(L->t);
            L->t = p;
            cap *= 2;
        }
        int k = tc_import_read(im, L->t + L->n, 4096);
        cr_assert_geq(k, 0, "read %s: %d", name, k);
        if (k == 0)
            break;
        L->n += (size_t)k;
    }
    L->st = *tc_import_stats(im);
    L->sym = *tc_import_symbol(im);
    snprintf(L->format, sizeof L->format, "%s", tc_import_format(im));
    tc_import_close(im);
}

static void load(loaded_t *L, const char *name)
{
    tc_import_opts_t o = {0};
    load_opts(L, name, &o);
}

/* UTC ns of a UTC calendar time, through libc. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s, int ms)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s};
    return (int64_t)timegm(&tm) * 1000000000LL + (int64_t)ms * 1000000LL;
}

#define MS(ns) ((ns) / 1000000LL)

static void check_common(const loaded_t *L, const char *fmt, size_t rows, int64_t first, int64_t last)
{
    cr_expect_str_eq(L->format, fmt);
    cr_expect_eq(L->n, rows, "%s: %zu ticks, README says %zu rows", fmt, L->n, rows);
    cr_expect_eq(L->st.rows, rows);
    cr_expect_eq(L->st.ticks, rows);
    cr_expect_eq(L->st.rejected, 0, "rejects: %s", L->st.reject_msg[0]);
    cr_expect_eq(MS(L->st.first_ts), MS(first), "%s first %lld, expected %lld", fmt,
                 (long long)L->st.first_ts, (long long)first);
    cr_expect_eq(MS(L->st.last_ts), MS(last), "%s last %lld, expected %lld", fmt,
                 (long long)L->st.last_ts, (long long)last);
}

/* quirk counts recomputed from the ticks */
typedef struct counts {
    size_t crossed, locked, same_ts, backwards, zero_size, suspicious, adjacent_identical, identical;
} counts_t;

static int cmp_tick(const void *a, const void *b) { return memcmp(a, b, sizeof(tc_tick_t)); }

static counts_t count(const loaded_t *L)
{
    counts_t c = {0};
    for (size_t i = 0; i < L->n; i++) {
        const tc_tick_t *t = &L->t[i];
        if (t->kind == TC_TICK_QUOTE) {
            c.crossed += t->quote.bid > t->quote.ask;
            c.locked += t->quote.bid == t->quote.ask;
        }
        if (t->kind == TC_TICK_TRADE)
            c.zero_size += t->trade.size == 0;
        c.suspicious += !!(t->flags & TC_TICK_SUSPICIOUS);
        if (i) {
            c.same_ts += t->ts_event == t[-1].ts_event;
            c.backwards += t->ts_event < t[-1].ts_event;
            c.adjacent_identical += !memcmp(t, t - 1, sizeof *t);
        }
    }
    /* rows that repeat an earlier row anywhere: n - distinct */
    tc_tick_t *s = aligned_alloc(64, (L->n + 1) * sizeof(tc_tick_t));
    memcpy(s, L->t, L->n * sizeof(tc_tick_t));
    qsort(s, L->n, sizeof(tc_tick_t), cmp_tick);
    for (size_t i = 1; i < L->n; i++)
        c.identical += !memcmp(&s[i], &s[i - 1], sizeof(tc_tick_t));
    free(s);
    return c;
}

/* ---- format A ------------------------------------------------------------------------ */

static void fxcm(const char *name, size_t rows, int64_t first, int64_t last, size_t crossed, size_t locked)
{
    loaded_t L;
    load(&L, name);
    check_common(&L, "lean-fx", rows, first, last);
    counts_t c = count(&L);
    cr_expect_eq(c.crossed, crossed, "%s crossed %zu", name, c.crossed);
    cr_expect_eq(c.locked, locked, "%s locked %zu", name, c.locked);
    cr_expect_eq(L.st.crossed, crossed);
    cr_expect_eq(L.st.locked, locked);
    cr_expect_eq(c.same_ts + c.backwards, 0, "timestamps strictly increase");
    size_t flagged_c = 0, flagged_l = 0;
    for (size_t i = 0; i < L.n; i++) {
        cr_assert_eq(L.t[i].px_exp, -5, "FXCM EUR/USD has 5 decimals");
        flagged_c += !!(L.t[i].flags & TC_TICK_CROSSED);
        flagged_l += !!(L.t[i].flags & TC_TICK_LOCKED);
    }
    cr_expect_eq(flagged_c, crossed);
    cr_expect_eq(flagged_l, locked);
    cr_expect_str_eq(L.sym.name, "EURUSD");
    cr_expect_str_eq(L.sym.venue, "FXCM");
    cr_expect_str_eq(L.sym.tz, "UTC-05:00");
    cr_expect_eq(L.sym.px_exp, -5, "symbol precision from the ticks");
    free(L.t);
}

Test(import, fxcm_20140502)
{
    fxcm("fx_fxcm_eurusd_quotes_20140502.csv", 96406, utc(2014, 5, 2, 5, 0, 0, 611),
         utc(2014, 5, 2, 20, 59, 11, 909), 12061, 13004);
}

Test(import, fxcm_20140504)
{
    fxcm("fx_fxcm_eurusd_quotes_20140504.csv", 8025, utc(2014, 5, 4, 19, 0, 51, 815),
         utc(2014, 5, 5, 4, 59, 58, 346), 174, 259);
}

Test(import, fxcm_20140505)
{
    fxcm("fx_fxcm_eurusd_quotes_20140505.csv", 58143, utc(2014, 5, 5, 5, 0, 3, 74),
         utc(2014, 5, 6, 4, 59, 58, 807), 4987, 7109);
}

Test(import, fxcm_crossed_row_kept_not_swapped)
{
    /* README: row "125885,1.38624,1.38623" of the 0502 file is crossed, as sent. */
    loaded_t L;
    load(&L, "fx_fxcm_eurusd_quotes_20140502.csv");
    int64_t ts = utc(2014, 5, 2, 5, 0, 0, 0) + 125885 * 1000000LL;
    size_t hit = 0;
    for (size_t i = 0; i < L.n; i++)
        if (L.t[i].ts_event == ts) {
            cr_expect_eq(L.t[i].quote.bid, 138624);
            cr_expect_eq(L.t[i].quote.ask, 138623);
            cr_expect(L.t[i].flags & TC_TICK_CROSSED);
            hit++;
        }
    cr_expect_eq(hit, 1);
    /* the payrolls jump: 1.38632 → 1.38299 at 12:30:01.492 UTC */
    int64_t jt = utc(2014, 5, 2, 12, 30, 1, 492);
    size_t j = 0;
    while (j < L.n && L.t[j].ts_event != jt)
        j++;
    cr_assert_lt(j, L.n, "payrolls tick present");
    cr_expect_eq(L.t[j].quote.bid, 138299);
    cr_expect_eq(L.t[j - 1].quote.bid, 138632);
    cr_expect_eq(L.t[j - 1].ts_event, utc(2014, 5, 2, 12, 30, 0, 414));
    free(L.t);
}

Test(import, oanda_xauusd_fractional_ms)
{
    loaded_t L;
    load(&L, "cfd_oanda_xauusd_quotes_20140504.csv");
    check_common(&L, "lean-fx", 9889, utc(2014, 5, 4, 22, 0, 0, 579), utc(2014, 5, 4, 23, 59, 57, 389));
    /* 79200613.0668 ms after midnight UTC → ...613 ms + 66,800 ns, exactly */
    cr_expect_eq(L.t[1].ts_event, utc(2014, 5, 4, 22, 0, 0, 613) + 66800);
    cr_expect_eq(L.t[0].ts_event, utc(2014, 5, 4, 22, 0, 0, 579) + 427000);
    /* "1299.968,1301.618": both at 3 decimals */
    cr_expect_eq(L.t[1].quote.bid, 1299968);
    cr_expect_eq(L.t[1].quote.ask, 1301618);
    cr_expect_eq(L.t[1].px_exp, -3);
    size_t frac = 0;
    for (size_t i = 0; i < L.n; i++)
        frac += L.t[i].ts_event % 1000000 != 0;
    cr_expect_leq(frac, 9881, "at most the 9,881 fractional rows have sub-ms time (%zu)", frac);
    cr_expect_geq(frac, 9800, "most rows have sub-ms time (%zu)", frac);
    counts_t c = count(&L);
    cr_expect_eq(c.same_ts + c.backwards, 0);
    cr_expect_str_eq(L.sym.name, "XAUUSD");
    cr_expect_str_eq(L.sym.tz, "UTC");
    free(L.t);
}

/* ---- formats B, C --------------------------------------------------------------------- */

Test(import, truefx)
{
    loaded_t L;
    load(&L, "fx_truefx_usdjpy_quotes_20130101.csv");
    check_common(&L, "truefx", 1000, utc(2013, 1, 1, 22, 0, 0, 295), utc(2013, 1, 1, 22, 35, 13, 494));
    cr_expect_eq(L.st.skips[TC_IMPORT_SKIP_HEADER], 1);
    counts_t c = count(&L);
    cr_expect_eq(c.same_ts, 7);
    cr_expect_eq(c.locked, 1);
    cr_expect_eq(c.crossed, 0);
    size_t whole = 0;
    for (size_t i = 0; i < L.n; i++)
        if (L.t[i].ts_event == utc(2013, 1, 1, 22, 9, 27, 0)) {
            whole++;
            cr_expect_eq(L.t[i].quote.bid, 86727);
            cr_expect_eq(L.t[i].quote.ask, 86760);
        }
    cr_expect_eq(whole, 1, "the row without fractional seconds");
    cr_expect_eq(L.t[1].ts_event - L.t[0].ts_event, 155612000000LL, "first gap 155.6 s");
    free(L.t);
}

Test(import, histdata_est_fixed)
{
    loaded_t L;
    load(&L, "fx_histdata_eurusd_quotes_20200101.csv");
    check_common(&L, "histdata", 9500, utc(2020, 1, 1, 22, 0, 0, 65), utc(2020, 1, 2, 4, 0, 52, 125));
    counts_t c = count(&L);
    cr_expect_eq(c.crossed + c.locked + c.same_ts + c.backwards, 0);
    cr_expect_eq(L.t[0].px_exp, -6, "six written decimals are kept");
    cr_expect_eq(L.t[0].quote.bid, 1121200);
    free(L.t);
}

/* ---- format D ------------------------------------------------------------------------- */

Test(import, tardis_trades)
{
    loaded_t L;
    load(&L, "crypto_tardis_binancefutures_btcusdt_trades_20200222.csv");
    check_common(&L, "tardis-trades", 9999, utc(2020, 2, 22, 0, 0, 2, 111), utc(2020, 2, 22, 2, 5, 47, 728));
    cr_expect_str_eq(L.sym.name, "BTCUSDT");
    cr_expect_str_eq(L.sym.venue, "binance-futures");
    counts_t c = count(&L);
    cr_expect_eq(c.same_ts, 4351);
    cr_expect_eq(c.zero_size, 0);
    size_t buy = 0, sell = 0;
    double pmin = 1e18, pmax = 0;
    for (size_t i = 0; i < L.n; i++) {
        const tc_tick_t *t = &L.t[i];
        buy += (t->flags & TC_TICK_SIDE_MASK) == TC_TICK_SIDE_BUY;
        sell += (t->flags & TC_TICK_SIDE_MASK) == TC_TICK_SIDE_SELL;
        cr_assert_eq(t->trade.id, 42377944 + (int64_t)i, "ids contiguous");
        cr_assert_gt(t->ts_recv, i ? t[-1].ts_recv : 0, "local_timestamp strictly increases");
        double p = tc_tick_px(t, t->trade.price);
        pmin = p < pmin ? p : pmin;
        pmax = p > pmax ? p : pmax;
    }
    cr_expect_eq(buy, 5267);
    cr_expect_eq(sell, 4732);
    cr_expect_float_eq(pmin, 9653.07, 1e-9);
    cr_expect_float_eq(pmax, 9710.70, 1e-9);
    /* first row: 1582329602111000 / 1582329602418379 µs, 9682, 0.132 */
    cr_expect_eq(L.t[0].ts_recv, 1582329602418379000LL);
    cr_expect_eq(L.t[0].trade.price, 9682);
    cr_expect_eq(L.t[0].px_exp, 0);
    cr_expect_eq(L.t[0].trade.size, 132);
    cr_expect_eq(L.t[0].qty_exp, -3);
    free(L.t);
}

Test(import, tardis_quotes_ask_before_bid)
{
    loaded_t L;
    load(&L, "crypto_tardis_binancefutures_btcusdt_quotes_20200222.csv");
    check_common(&L, "tardis-quotes", 9999, utc(2020, 2, 22, 0, 0, 1, 96), utc(2020, 2, 22, 0, 3, 47, 61));
    counts_t c = count(&L);
    cr_expect_eq(c.same_ts, 416);
    cr_expect_eq(c.crossed + c.locked, 0);
    /* first row: ask_amount 0.84, ask 9682, bid 9681.92, bid_amount 0.67 */
    const tc_tick_t *t = &L.t[0];
    cr_expect_eq(t->quote.ask, 968200);
    cr_expect_eq(t->quote.bid, 968192);
    cr_expect_eq(t->px_exp, -2);
    cr_expect_eq(t->quote.ask_size, 84);
    cr_expect_eq(t->quote.bid_size, 67);
    cr_expect_eq(t->qty_exp, -2);
    cr_expect_eq(t->ts_recv - t->ts_event, 2406092000LL, "initial book 2.4 s late");
    for (size_t i = 1; i < L.n; i++) {
        int64_t lat = L.t[i].ts_recv - L.t[i].ts_event;
        /* 115–416 ms, rounded to ms in the README */
        cr_assert(lat >= 114500000LL && lat < 416500000LL, "latency %lld at %zu", (long long)lat, i);
    }
    free(L.t);
}

/* ---- format E ------------------------------------------------------------------------- */

static void binance(const char *name, size_t lines, size_t trades, size_t books, size_t depth,
                    size_t snapshot, size_t same_T, int64_t tfirst, int64_t tlast, int64_t cap_lo,
                    int64_t cap_hi)
{
    loaded_t L;
    load(&L, name);
    cr_expect_str_eq(L.format, "binance-ws");
    cr_expect_str_eq(L.sym.name, "BTCUSDT");
    cr_expect_str_eq(L.sym.venue, "binance");
    cr_expect_eq(L.sym.px_exp, -8);
    cr_expect_eq(L.sym.qty_exp, -8);
    cr_expect_eq(L.sym.asset_class, TC_ASSET_CRYPTO);
    cr_expect_eq(L.st.lines, lines);
    cr_expect_eq(L.st.rejected, 0, "%s", L.st.reject_msg[TC_IMPORT_REJ_JSON]);
    cr_expect_eq(L.st.skips[TC_IMPORT_SKIP_DEPTH], depth);
    cr_expect_eq(L.st.skips[TC_IMPORT_SKIP_SNAPSHOT], snapshot);
    cr_expect_eq(L.n, trades + books);
    size_t nt = 0, nb = 0, same = 0;
    int64_t tmin = INT64_MAX, tmax = INT64_MIN, prev_T = 0, prev_id = 0, prev_u = 0;
    for (size_t i = 0; i < L.n; i++) {
        const tc_tick_t *t = &L.t[i];
        /* the README rounds the span to ms */
        cr_assert(t->ts_recv >= cap_lo - 500000 && t->ts_recv <= cap_hi, "capture clock in span");
        if (i)
            cr_assert_gt(t->ts_recv, t[-1].ts_recv, "local_ns strictly increases");
        if (t->kind == TC_TICK_TRADE) {
            if (nt) {
                same += t->ts_event == prev_T;
                cr_assert_geq(t->ts_event, prev_T, "T never goes backwards");
                cr_assert_eq(t->trade.id, prev_id + 1, "trade ids contiguous");
            }
            /* local_ns is 1.250–1.277 s behind Binance's event time E on every trade; the
             * trade time T (the event time kept) is at most ~0.2 s before E, so
             * local - T is in (-1.277 s, -1.0 s): the receive clock is local_ns. */
            int64_t off = t->ts_recv - t->ts_event;
            cr_assert(off > -1277000000LL && off < -1000000000LL, "clock offset %lld", (long long)off);
            prev_T = t->ts_event;
            prev_id = t->trade.id;
            tmin = t->ts_event < tmin ? t->ts_event : tmin;
            tmax = t->ts_event > tmax ? t->ts_event : tmax;
            cr_assert_eq(t->px_exp, -8);
            cr_assert_eq(t->qty_exp, -8);
            nt++;
        } else {
            cr_assert_eq(t->kind, TC_TICK_QUOTE);
            cr_assert_eq(t->ts_event, t->ts_recv, "bookTicker is dated by local_ns");
            cr_assert_lt(t->quote.bid, t->quote.ask, "no crossed or locked bookTicker");
            cr_assert(t->quote.bid_size > 0 && t->quote.ask_size > 0);
            if (nb)
                cr_assert_geq(t->quote.id, prev_u, "u never goes backwards");
            prev_u = t->quote.id;
            nb++;
        }
    }
    cr_expect_eq(nt, trades);
    cr_expect_eq(nb, books);
    cr_expect_eq(same, same_T, "%s: %zu trades share T", name, same);
    cr_expect_eq(tmin, tfirst);
    cr_expect_eq(tmax, tlast);
    free(L.t);
}

Test(import, binance_20240808)
{
    binance("crypto_binance_spot_btcusdt_feed_20240808.gz", 41249, 9757, 28040, 3451, 1, 6534,
            utc(2024, 8, 8, 23, 54, 15, 342), utc(2024, 8, 9, 0, 0, 1, 271),
            utc(2024, 8, 8, 23, 54, 13, 937), utc(2024, 8, 8, 23, 59, 59, 999) + 999999);
}

Test(import, binance_20240809)
{
    binance("crypto_binance_spot_btcusdt_feed_20240809.gz", 58325, 10147, 45134, 3044, 0, 6262,
            utc(2024, 8, 9, 0, 0, 1, 437), utc(2024, 8, 9, 0, 5, 5, 800),
            utc(2024, 8, 9, 0, 0, 0, 2), utc(2024, 8, 9, 0, 5, 4, 535) + 999999);
}

/* ---- formats F, G, H ------------------------------------------------------------------ */

static void equity_trades(const char *name, size_t rows, int64_t first, int64_t last, size_t before,
                          size_t after, size_t identical, size_t b2b, size_t same_ms, double pmin, double pmax)
{
    loaded_t L;
    load(&L, name);
    check_common(&L, "lean-equity-trades", rows, first, last);
    cr_expect_str_eq(L.sym.tz, "America/New_York");
    cr_expect_eq(L.sym.px_exp, -4);
    cr_expect_eq(L.sym.qty_exp, 0);
    cr_expect_eq(L.sym.asset_class, TC_ASSET_EQUITY);
    counts_t c = count(&L);
    cr_expect_eq(c.identical, identical, "%s identical %zu", name, c.identical);
    cr_expect_eq(c.adjacent_identical, b2b, "%s back-to-back %zu", name, c.adjacent_identical);
    cr_expect_eq(L.st.dup_adjacent, b2b);
    cr_expect_eq(c.same_ts, same_ms);
    cr_expect_eq(c.backwards + c.zero_size + c.suspicious, 0);
    /* regular session 09:30–16:00 EDT = 13:30–20:00 UTC */
    int64_t open = utc(2013, 10, 7, 13, 30, 0, 0), close = utc(2013, 10, 7, 20, 0, 0, 0);
    size_t nb = 0, na = 0;
    double lo = 1e18, hi = 0;
    for (size_t i = 0; i < L.n; i++) {
        const tc_tick_t *t = &L.t[i];
        nb += t->ts_event < open;
        na += t->ts_event > close;
        cr_assert_eq(t->px_exp, -4);
        cr_assert_eq(t->trade.price % 100, 0, "whole cents");
        double p = tc_tick_px(t, t->trade.price);
        lo = p < lo ? p : lo;
        hi = p > hi ? p : hi;
    }
    cr_expect_eq(nb, before, "%s: %zu before 09:30", name, nb);
    cr_expect_eq(na, after, "%s: %zu after 16:00", name, na);
    cr_expect_float_eq(lo, pmin, 1e-9);
    cr_expect_float_eq(hi, pmax, 1e-9);
    free(L.t);
}

Test(import, equity_ibm_trades)
{
    equity_trades("equity_ibm_trades_20131007.csv", 24293, utc(2013, 10, 7, 8, 0, 30, 270),
                  utc(2013, 10, 7, 23, 26, 7, 550), 158, 29, 1274, 1054, 4932, 181.35, 183.31);
}

Test(import, equity_spy_trades)
{
    equity_trades("equity_spy_trades_20131007.csv", 250601, utc(2013, 10, 7, 8, 0, 0, 464),
                  utc(2013, 10, 7, 23, 59, 59, 536), 2835, 6262, 47880, 27090, 134439, 167.01, 168.90);
}

Test(import, equity_prints_and_conditions)
{
    loaded_t L;
    load(&L, "equity_spy_trades_20131007.csv");
    /* "57600735,1674200,3166418,P,1000000,0": the official close cross */
    size_t hit = 0;
    for (size_t i = 0; i < L.n; i++)
        if (L.t[i].trade.size == 3166418) {
            hit++;
            cr_expect_eq(L.t[i].ts_event, utc(2013, 10, 7, 20, 0, 0, 735));
            cr_expect_eq(L.t[i].trade.price, 1674200);
            cr_expect_eq(L.t[i].venue, 'P');
            cr_expect_eq(L.t[i].cond, TC_COND_OPEN_CLOSE);
        }
    cr_expect_eq(hit, 1);
    /* the first row: 20002000 = TradeThroughExempt + ExtendedHours */
    cr_expect_eq(L.t[0].cond, TC_COND_EXTENDED_HOURS | TC_COND_OTHER);
    free(L.t);
}

Test(import, equity_ibm_quotes_one_sided)
{
    loaded_t L;
    load(&L, "equity_ibm_quotes_20131007.csv");
    check_common(&L, "lean-equity-quotes", 109067, utc(2013, 10, 7, 8, 0, 0, 54), utc(2013, 10, 7, 24, 0, 0, 122));
    size_t bids = 0, asks = 0, regular = 0, openclose = 0;
    for (size_t i = 0; i < L.n; i++) {
        const tc_tick_t *t = &L.t[i];
        bids += t->kind == TC_TICK_BID && t->quote.bid > 0 && t->quote.ask == 0;
        asks += t->kind == TC_TICK_ASK && t->quote.ask > 0 && t->quote.bid == 0;
        regular += t->cond == TC_COND_REGULAR;
        openclose += t->cond == TC_COND_OPEN_CLOSE;
    }
    cr_expect_eq(bids, 54533);
    cr_expect_eq(asks, 54534);
    cr_expect_eq(L.st.bids, 54533);
    cr_expect_eq(L.st.asks, 54534);
    cr_expect_eq(regular, 109063);
    cr_expect_eq(openclose, 4);
    counts_t c = count(&L);
    cr_expect_eq(c.suspicious, 1);
    cr_expect(L.t[L.n - 1].flags & TC_TICK_SUSPICIOUS, "the last row is the suspicious one");
    cr_expect_eq(L.t[L.n - 1].quote.ask, 1860000);
    cr_expect_eq(c.identical, 9211);
    cr_expect_eq(c.adjacent_identical, 0);
    cr_expect_eq(c.same_ts, 63477);
    cr_expect_eq(c.backwards, 0);
    free(L.t);
}

Test(import, futures_gc_zero_size)
{
    loaded_t L;
    load(&L, "futures_comex_gc_dec2013_trades_20131007.csv");
    check_common(&L, "lean-futures-trades", 39702, utc(2013, 10, 7, 0, 0, 0, 276), utc(2013, 10, 7, 23, 59, 52, 934));
    cr_expect_str_eq(L.sym.tz, "UTC");
    counts_t c = count(&L);
    cr_expect_eq(c.zero_size, 92);
    cr_expect_eq(L.st.no_volume, 92);
    cr_expect_eq(c.identical, 7169);
    cr_expect_eq(c.adjacent_identical, 6850);
    cr_expect_eq(c.same_ts, 11974);
    cr_expect_eq(c.backwards, 0);
    size_t flagged = 0;
    double lo = 1e18, hi = 0;
    for (size_t i = 0; i < L.n; i++) {
        const tc_tick_t *t = &L.t[i];
        flagged += (t->flags & TC_TICK_NO_VOLUME) && t->trade.size == 0;
        /* on the 0.1 grid whatever the written precision ("1314" or "1313.7") */
        int64_t m = t->trade.price;
        if (t->px_exp == 0)
            m *= 10;
        cr_assert(t->px_exp == 0 || t->px_exp == -1, "exp %d", t->px_exp);
        cr_assert_gt(m, 0);
        double p = tc_tick_px(t, t->trade.price);
        lo = p < lo ? p : lo;
        hi = p > hi ? p : hi;
    }
    cr_expect_eq(flagged, 92);
    cr_expect_float_eq(lo, 1307.9, 1e-9);
    cr_expect_float_eq(hi, 1329.5, 1e-9);
    /* the maintenance break: no trade 21:14:58.465 → 22:00:00.015 UTC */
    int64_t a = utc(2013, 10, 7, 21, 14, 58, 465), b = utc(2013, 10, 7, 22, 0, 0, 15);
    for (size_t i = 1; i < L.n; i++)
        if (L.t[i - 1].ts_event == a && L.t[i].ts_event != a)
            cr_expect_eq(L.t[i].ts_event, b);
    cr_expect_str_eq(L.sym.name, "GCZ3");
    free(L.t);
}

/* ---- formats I, J --------------------------------------------------------------------- */

Test(import, lean_daily_bars)
{
    loaded_t L;
    load(&L, "bars_daily_spy_lean.csv");
    /* a bar opens at 00:00 New York: EST in January, EDT at the end of March */
    check_common(&L, "lean-daily", 5849, utc(1998, 1, 2, 5, 0, 0, 0), utc(2021, 3, 31, 4, 0, 0, 0));
    size_t subcent = 0;
    for (size_t i = 0; i < L.n; i++) {
        const tc_tick_t *t = &L.t[i];
        cr_assert_eq(t->kind, TC_TICK_BAR);
        if (i)
            cr_assert_gt(t->ts_event, t[-1].ts_event);
        int64_t o = t->bar.open, c = t->bar.close;
        cr_assert_leq(t->bar.low, o < c ? o : c);
        cr_assert_geq(t->bar.high, o > c ? o : c);
        cr_assert_gt(t->bar.volume, 0);
        subcent += o % 100 || t->bar.high % 100 || t->bar.low % 100 || c % 100;
    }
    cr_expect_eq(subcent, 43);
    /* 20020402 00:00,1139800,1441200,1137700,1139300,14373500 is kept as is */
    int found = 0;
    for (size_t i = 0; i < L.n; i++)
        if (L.t[i].ts_event == utc(2002, 4, 2, 5, 0, 0, 0)) {
            found = 1;
            cr_expect_eq(L.t[i].bar.high, 1441200);
            cr_expect_eq(L.t[i].bar.volume, 14373500);
        }
    cr_expect(found);
    free(L.t);
}

Test(import, yahoo_daily_bars)
{
    loaded_t L;
    load(&L, "bars_daily_orcl_yahoo.csv");
    check_common(&L, "yahoo-daily", 5036, utc(1995, 1, 3, 5, 0, 0, 0), utc(2014, 12, 31, 5, 0, 0, 0));
    cr_expect_eq(L.st.skips[TC_IMPORT_SKIP_HEADER], 1);
    cr_expect_eq(L.t[0].bar.open, 2179012);
    cr_expect_eq(L.t[0].px_exp, -6);
    cr_expect_eq(L.t[0].bar.volume, 36301200);
    for (size_t i = 1; i < L.n; i++)
        cr_assert_gt(L.t[i].ts_event, L.t[i - 1].ts_event);
    free(L.t);
}

/* ---- detection, overrides -------------------------------------------------------------- */

Test(import, format_override_and_names)
{
    const char *const *names = tc_import_formats();
    size_t n = 0;
    while (names[n])
        n++;
    cr_expect_eq(n, 12);
    loaded_t L;
    tc_import_opts_t o = {.format = "lean-fx", .symbol = "EURUSD.X", .venue = "test", .tz = "UTC"};
    load_opts(&L, "fx_fxcm_eurusd_quotes_20140504.csv", &o);
    cr_expect_str_eq(L.sym.name, "EURUSD.X");
    cr_expect_str_eq(L.sym.venue, "test");
    /* read as UTC instead of UTC-05: five hours earlier */
    cr_expect_eq(L.st.first_ts, utc(2014, 5, 4, 14, 0, 51, 815));
    free(L.t);
    o = (tc_import_opts_t){.date = 20140505};
    load_opts(&L, "fx_fxcm_eurusd_quotes_20140504.csv", &o);
    cr_expect_eq(L.st.first_ts, utc(2014, 5, 5, 19, 0, 51, 815));
    free(L.t);
    o = (tc_import_opts_t){.format = "no-such-format"};
    cr_expect_null(tc_import_open(tc_shared_path("data/ticks/fx_fxcm_eurusd_quotes_20140504.csv"), &o));
    cr_expect(strstr(tc_err_msg(), "no-such-format") != NULL, "%s", tc_err_msg());
}

/* ---- import → text → reparse ------------------------------------------------------------ */

static void roundtrip(const char *name)
{
    loaded_t L;
    load(&L, name);
    size_t cap = L.n * 160 + 256, len = 0;
    char *txt = malloc(cap);
    len = (size_t)sprintf(txt, "%s\n", TC_IMPORT_TEXT_HEADER);
    for (size_t i = 0; i < L.n; i++) {
        int k = tc_import_text_fmt(txt + len, cap - len, &L.t[i]);
        cr_assert_gt(k, 0);
        len += (size_t)k;
    }
    tc_import_t *im = tc_import_open_mem("roundtrip.txt", txt, len, NULL);
    cr_assert_not_null(im, "%s", tc_err_msg());
    cr_assert_str_eq(tc_import_format(im), "tickcast-text");
    tc_tick_t *back = aligned_alloc(64, (L.n + 1) * sizeof(tc_tick_t));
    size_t m = 0;
    int k;
    while ((k = tc_import_read(im, back + m, 4096 < (int)(L.n + 1 - m) ? 4096 : (int)(L.n + 1 - m))) > 0)
        m += (size_t)k;
    cr_assert_eq(tc_import_stats(im)->rejected, 0, "%s", tc_import_stats(im)->reject_msg[1]);
    cr_assert_eq(m, L.n, "%s: %zu of %zu back", name, m, L.n);
    for (size_t i = 0; i < L.n; i++)
        cr_assert(!memcmp(&back[i], &L.t[i], sizeof(tc_tick_t)), "%s: record %zu differs", name, i);
    tc_import_close(im);
    free(back);
    free(txt);
    free(L.t);
}

Test(import, roundtrip_text_every_file)
{
    static const char *const files[] = {
        "fx_fxcm_eurusd_quotes_20140502.csv", "fx_fxcm_eurusd_quotes_20140504.csv",
        "fx_fxcm_eurusd_quotes_20140505.csv", "fx_truefx_usdjpy_quotes_20130101.csv",
        "fx_histdata_eurusd_quotes_20200101.csv", "cfd_oanda_xauusd_quotes_20140504.csv",
        "crypto_tardis_binancefutures_btcusdt_trades_20200222.csv",
        "crypto_tardis_binancefutures_btcusdt_quotes_20200222.csv",
        "crypto_binance_spot_btcusdt_feed_20240808.gz", "crypto_binance_spot_btcusdt_feed_20240809.gz",
        "equity_ibm_trades_20131007.csv", "equity_ibm_quotes_20131007.csv", "equity_spy_trades_20131007.csv",
        "futures_comex_gc_dec2013_trades_20131007.csv", "bars_daily_spy_lean.csv", "bars_daily_orcl_yahoo.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        roundtrip(files[i]);
}

/* Lean's own member names and directory layout give the same symbol, venue and date. */
Test(import, lean_original_names)
{
    static const struct { const char *name, *rows, *sym, *venue, *tz; int64_t first; } c[] = {
        {"Data/forex/fxcm/tick/eurusd/20140502_eurusd_tick_quote.csv", "611,1.38626,1.38627\r\n", "EURUSD", "FXCM",
         "UTC-05:00", 1399006800611000000LL},
        {"Data/cfd/oanda/tick/xauusd/20140504_xauusd_tick_quote.csv", "79200579.427,1300.151,1301.801", "XAUUSD",
         "OANDA", "UTC", 1399240800579427000LL},
        {"Data/equity/usa/tick/spy/20131007_spy_Trade_Tick.csv", "14400464,1674100,100,P,20002000,0", "SPY", "US",
         "America/New_York", 1381132800464000000LL},
        {"Data/future/comex/tick/gc/20131007_gc_tick_trade_201312.csv", "276,1313.7,1,usa,,0\n", "GC", "COMEX", "UTC",
         1381104000276000000LL},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        tc_import_t *im = tc_import_open_mem(c[i].name, c[i].rows, strlen(c[i].rows), NULL);
        cr_assert_not_null(im, "%s: %s", c[i].name, tc_err_msg());
        tc_tick_t t[4];
        cr_assert_eq(tc_import_read(im, t, 4), 1);
        cr_expect_eq(t[0].ts_event, c[i].first, "%s", c[i].name);
        cr_expect_str_eq(tc_import_symbol(im)->name, c[i].sym);
        cr_expect_str_eq(tc_import_symbol(im)->venue, c[i].venue);
        cr_expect_str_eq(tc_import_symbol(im)->tz, c[i].tz);
        tc_import_close(im);
    }
}
