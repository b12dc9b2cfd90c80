/* test_nbbo.c — the NBBO-like composite of one-sided equity quotes against the data
 * README's figures for equity_ibm_quotes_20131007.csv (crossed composites with and
 * without a 5 s staleness window, venues crossed against themselves) and, record by
 * record, against a naive reference written here (a fresh scan of every venue's last
 * quote per row, kept in plain arrays). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "ingest/import.h"
#include "ingest/nbbo.h"
#include "tests/common/csvtab.h"

#define IBM_QUOTES "data/ticks/equity_ibm_quotes_20131007.csv"

static tc_tick_t *read_all(const char *rel, const tc_import_opts_t *o, size_t *ret_n, tc_import_stats_t *st)
{
    const char *path = tc_shared_path(rel);
    if (access(path, R_OK) != 0)
        cr_skip_test("shared tick data absent: %s", path);
    tc_import_t *im = tc_import_open(path, o);
    cr_assert_not_null(im, "%s", tc_err_msg());
    size_t cap = 200000, n = 0;
    tc_tick_t *t = aligned_alloc(64, cap * sizeof *t);
    int k;
    while ((k = tc_import_read(im, t + n, (int)(cap - n < 4096 ? cap - n : 4096))) > 0)
        n += (size_t)k;
    cr_assert_geq(k, 0);
    if (st)
        *st = *tc_import_stats(im);
    tc_import_close(im);
    *ret_n = n;
    return t;
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s};
    return (int64_t)timegm(&tm) * 1000000000LL;
}

/* Naive reference: per venue last bid/ask with time; best over venues younger than
 * stale (or all when stale == 0).  Returns 1 crossed, 0 not, -1 one side missing. */
typedef struct naive {
    int64_t bid[128], bsz[128], bts[128], ask[128], asz[128], ats[128];
    int has_b[128], has_a[128];
} naive_t;

static int naive_update(naive_t *nv, const tc_tick_t *t, int64_t stale, int64_t *bb, int64_t *ba,
                        int64_t *bbs, int64_t *bas, int *self_crossed)
{
    int v = t->venue & 127;
    if (t->kind == TC_TICK_BID) {
        nv->bid[v] = t->quote.bid, nv->bsz[v] = t->quote.bid_size, nv->bts[v] = t->ts_event, nv->has_b[v] = 1;
    } else {
        nv->ask[v] = t->quote.ask, nv->asz[v] = t->quote.ask_size, nv->ats[v] = t->ts_event, nv->has_a[v] = 1;
    }
    *self_crossed = nv->has_b[v] && nv->has_a[v] && nv->bid[v] > nv->ask[v];
    *bb = -1, *ba = -1, *bbs = 0, *bas = 0;
    for (int i = 0; i < 128; i++) {
        if (nv->has_b[i] && (!stale || t->ts_event - nv->bts[i] < stale)) {
            if (*bb < 0 || nv->bid[i] > *bb)
                *bb = nv->bid[i], *bbs = 0;
            if (nv->bid[i] == *bb)
                *bbs += nv->bsz[i];
        }
        if (nv->has_a[i] && (!stale || t->ts_event - nv->ats[i] < stale)) {
            if (*ba < 0 || nv->ask[i] < *ba)
                *ba = nv->ask[i], *bas = 0;
            if (nv->ask[i] == *ba)
                *bas += nv->asz[i];
        }
    }
    if (*bb < 0 || *ba < 0)
        return -1;
    return *bb > *ba;
}

static void compare(int64_t stale, size_t *ret_crossed_all, size_t *ret_crossed_rth, size_t *ret_rth,
                    size_t *ret_self)
{
    size_t n;
    tc_import_opts_t o = {0};
    tc_tick_t *t = read_all(IBM_QUOTES, &o, &n, NULL);
    naive_t *nv = calloc(1, sizeof *nv);
    tc_nbbo_t nb;
    tc_nbbo_init(&nb, stale);
    int64_t open = utc(2013, 10, 7, 13, 30, 0), close = utc(2013, 10, 7, 20, 0, 0);
    size_t crossed = 0, crossed_rth = 0, rth = 0, self = 0;
    for (size_t i = 0; i < n; i++) {
        tc_tick_t out;
        cr_assert_eq(tc_nbbo_update(&nb, &t[i], &out), 1);
        int64_t bb, ba, bbs, bas;
        int sc;
        int x = naive_update(nv, &t[i], stale, &bb, &ba, &bbs, &bas, &sc);
        self += sc;
        if (x < 0) {
            cr_assert(out.kind == TC_TICK_BID || out.kind == TC_TICK_ASK, "row %zu one-sided", i);
        } else {
            cr_assert_eq(out.kind, TC_TICK_QUOTE, "row %zu", i);
            cr_assert_eq(out.quote.bid, bb, "row %zu bid", i);
            cr_assert_eq(out.quote.ask, ba, "row %zu ask", i);
            cr_assert_eq(out.quote.bid_size, bbs, "row %zu bid size", i);
            cr_assert_eq(out.quote.ask_size, bas, "row %zu ask size", i);
            cr_assert_eq(!!(out.flags & TC_TICK_CROSSED), x, "row %zu crossed flag", i);
            crossed += x;
        }
        if (t[i].ts_event >= open && t[i].ts_event < close) {
            rth++;
            crossed_rth += x == 1;
        }
        cr_assert_eq(out.ts_event, t[i].ts_event);
        cr_assert_eq(out.venue, 0);
    }
    cr_expect_eq(nb.crossed, crossed);
    cr_expect_eq(nb.venue_crossed, self);
    *ret_crossed_all = crossed;
    *ret_crossed_rth = crossed_rth;
    *ret_rth = rth;
    *ret_self = self;
    free(nv);
    free(t);
}

Test(nbbo, carried_forever_matches_readme)
{
    size_t all, rth_c, rth, self;
    compare(0, &all, &rth_c, &rth, &self);
    cr_expect_eq(all, 107918, "README: crossed after 107,918 of 109,067 rows (%zu)", all);
    cr_expect_eq(self, 7888, "README: a venue's own bid above its ask after 7,888 rows (%zu)", self);
}

Test(nbbo, five_second_window_matches_readme)
{
    size_t all, rth_c, rth, self;
    compare(5000000000LL, &all, &rth_c, &rth, &self);
    cr_expect_eq(rth, 107998, "rows in 09:30-16:00 (%zu)", rth);
    cr_expect_eq(rth_c, 16653, "README: 16,653 crossed of 107,998 in 09:30-16:00 (%zu)", rth_c);
}

Test(nbbo, importer_option_combines)
{
    size_t n;
    tc_import_stats_t st;
    tc_import_opts_t o = {.nbbo = 1, .nbbo_stale_ns = 5000000000LL};
    tc_tick_t *t = read_all(IBM_QUOTES, &o, &n, &st);
    cr_expect_eq(n, 109067, "one composite per row");
    cr_expect_eq(st.rejected, 0);
    size_t q = 0, crossed = 0;
    for (size_t i = 0; i < n; i++) {
        q += t[i].kind == TC_TICK_QUOTE;
        crossed += !!(t[i].flags & TC_TICK_CROSSED);
    }
    cr_expect_eq(st.nbbo_crossed, crossed);
    cr_expect_eq(st.quotes, q);
    cr_expect_eq(st.quotes + st.bids + st.asks, n);
    cr_expect_eq(st.nbbo_one_sided, st.bids + st.asks);
    cr_expect_gt(q, 100000, "two-sided almost everywhere (%zu)", q);
    free(t);
}

Test(nbbo, staleness_drops_old_side)
{
    tc_nbbo_t nb;
    tc_nbbo_init(&nb, 1000);
    tc_tick_t b = {.ts_event = 100, .kind = TC_TICK_BID, .venue = 'N', .px_exp = -4};
    b.quote.bid = 1000000, b.quote.bid_size = 5;
    tc_tick_t a = {.ts_event = 500, .kind = TC_TICK_ASK, .venue = 'P', .px_exp = -4};
    a.quote.ask = 999900, a.quote.ask_size = 7;
    tc_tick_t out;
    cr_assert_eq(tc_nbbo_update(&nb, &b, &out), 1);
    cr_expect_eq(out.kind, TC_TICK_BID);
    cr_assert_eq(tc_nbbo_update(&nb, &a, &out), 1);
    cr_expect_eq(out.kind, TC_TICK_QUOTE);
    cr_expect(out.flags & TC_TICK_CROSSED, "crossed composite flagged, not fatal");
    cr_expect_eq(nb.crossed, 1);
    a.ts_event = 1100; /* the bid (t=100) is now 1000 ns old: stale */
    cr_assert_eq(tc_nbbo_update(&nb, &a, &out), 1);
    cr_expect_eq(out.kind, TC_TICK_ASK);
    cr_expect_eq(nb.one_sided, 2);
    /* a finer exponent from another venue is rescaled, not misread */
    tc_tick_t b2 = {.ts_event = 1200, .kind = TC_TICK_BID, .venue = 'Q', .px_exp = -5};
    b2.quote.bid = 9998000, b2.quote.bid_size = 1;
    cr_assert_eq(tc_nbbo_update(&nb, &b2, &out), 1);
    cr_expect_eq(out.kind, TC_TICK_QUOTE);
    cr_expect_eq(out.px_exp, -5);
    cr_expect_eq(out.quote.bid, 9998000);
    cr_expect_eq(out.quote.ask, 9999000);
    tc_tick_t tr = {.kind = TC_TICK_TRADE};
    cr_expect_eq(tc_nbbo_update(&nb, &tr, &out), -EINVAL);
}
