/* test_synth.c — the synthetic market (ingest/synth.h): reproducible from the seed,
 * symbols independent of each other, well-formed ticks (time order, positive prices,
 * never-crossed quotes on the price grid), the configured trade/quote mix, and
 * volatility regimes that really differ (checked on realised variance). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/synth.h"

static tc_synth_t *make(uint64_t seed, int n)
{
    tc_synth_opts_t o = {.seed = seed, .n_symbols = n,
                         .symbols = {"EURUSD", "BTCUSDT", "XAUUSD", "SYN"}};
    tc_synth_t *s = tc_synth_create(&o);
    cr_assert_not_null(s);
    return s;
}

Test(synth, the_same_seed_gives_the_same_ticks)
{
    enum { N = 100000 };
    tc_tick_t *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    tc_synth_t *s1 = make(7, 3), *s2 = make(7, 3), *s3 = make(8, 3);
    tc_synth_next(s1, a, N);
    tc_synth_next(s2, b, N);
    cr_assert_eq(memcmp(a, b, N * sizeof *a), 0, "same seed, same ticks");
    tc_synth_next(s3, b, N);
    cr_assert_neq(memcmp(a, b, N * sizeof *a), 0, "another seed, other ticks");
    tc_synth_destroy(s1);
    tc_synth_destroy(s2);
    tc_synth_destroy(s3);
    free(a);
    free(b);
}

Test(synth, a_symbols_path_does_not_depend_on_the_others)
{
    enum { N = 30000 };
    tc_tick_t *a = malloc(N * sizeof *a), *b = malloc(3 * N * sizeof *b);
    tc_synth_t *one = make(11, 1), *three = make(11, 3);
    tc_synth_next(one, a, N);
    tc_synth_next(three, b, 3 * N);
    int k = 0;
    for (int i = 0; i < 3 * N && k < N / 2; i++)
        if (b[i].sym == 0) {
            cr_assert_eq(memcmp(&a[k], &b[i], sizeof a[k]), 0, "tick %d of symbol 0 differs", k);
            k++;
        }
    cr_assert_eq(k, N / 2);
    tc_synth_destroy(one);
    tc_synth_destroy(three);
    free(a);
    free(b);
}

Test(synth, ticks_are_well_formed)
{
    enum { N = 200000 };
    tc_tick_t *t = malloc(N * sizeof *t);
    tc_synth_t *s = make(42, 4);
    tc_synth_next(s, t, N);
    int quotes = 0, trades = 0, buys = 0;
    for (int i = 0; i < N; i++) {
        if (i)
            cr_assert_geq(t[i].ts_event, t[i - 1].ts_event, "time order at %d", i);
        cr_assert_lt(t[i].sym, 4);
        const tc_symbol_t *y = tc_synth_symbol(s, t[i].sym);
        cr_assert_eq(t[i].px_exp, y->px_exp);
        if (t[i].kind == TC_TICK_QUOTE) {
            quotes++;
            cr_assert_gt(t[i].quote.bid, 0);
            cr_assert_lt(t[i].quote.bid, t[i].quote.ask, "quote %d crossed or locked", i);
            cr_assert_gt(t[i].quote.bid_size, 0);
        } else {
            cr_assert_eq(t[i].kind, TC_TICK_TRADE);
            trades++;
            cr_assert_gt(t[i].trade.price, 0);
            cr_assert_gt(t[i].trade.size, 0);
            buys += (t[i].flags & TC_TICK_SIDE_MASK) == TC_TICK_SIDE_BUY;
            cr_assert_neq(t[i].flags & TC_TICK_SIDE_MASK, TC_TICK_SIDE_UNKNOWN);
        }
    }
    double qshare = (double)quotes / N;
    cr_assert(fabs(qshare - 0.7) < 0.01, "quote share %.3f", qshare);
    cr_assert(buys > trades * 0.4 && buys < trades * 0.6, "buys %d of %d", buys, trades);
    tc_synth_destroy(s);
    free(t);
}

Test(synth, volatile_regime_has_several_times_the_variance)
{
    /* One symbol; realised variance of 60-second log mid changes, split by the regime at
     * the end of each window.  Volatile sigma is 3x calm: variance about 9x, less the
     * drift's share; accept 4x..16x. */
    tc_synth_t *s = make(3, 1);
    tc_tick_t t;
    double var[2] = {0, 0};
    long cnt[2] = {0, 0};
    int64_t win = 0;
    double last_mid = 0;
    for (long i = 0; i < 6000000 && (cnt[0] < 300 || cnt[1] < 60); i++) {
        tc_synth_next(s, &t, 1);
        if (t.kind != TC_TICK_QUOTE)
            continue;
        double mid = 0.5 * (tc_tick_px(&t, t.quote.bid) + tc_tick_px(&t, t.quote.ask));
        if (!win) {
            win = t.ts_event;
            last_mid = mid;
        } else if (t.ts_event - win >= 60000000000LL) {
            double r = log(mid / last_mid);
            int g = tc_synth_regime(s, 0);
            var[g] += r * r;
            cnt[g]++;
            win = t.ts_event;
            last_mid = mid;
        }
    }
    cr_assert_geq(cnt[0], 300);
    cr_assert_geq(cnt[1], 60, "the volatile regime occurred (%ld windows)", cnt[1]);
    double ratio = (var[1] / cnt[1]) / (var[0] / cnt[0]);
    cr_assert(ratio > 4 && ratio < 16, "variance ratio volatile/calm %.2f", ratio);
    tc_synth_destroy(s);
}

Test(synth, bad_options_are_refused)
{
    tc_synth_opts_t o = {.seed = 1, .n_symbols = 0};
    cr_assert_null(tc_synth_create(&o));
    o.n_symbols = TC_SYNTH_SYMBOLS_MAX + 1;
    cr_assert_null(tc_synth_create(&o));
}
