/* fuzz_import.c — libFuzzer harness for the CSV and capture importers (ingest/import.h),
 * one executable per format family (FUZZ_FAMILY, set by tests/fuzz/extra.cmake).  Each
 * input is imported from memory by every format of the family, under a file name that
 * gives the date, symbol and venue the format needs, as the real files do.
 *
 * Beyond "no crash, no sanitizer report", the harness checks what import.h promises
 * for any input: the counters add up (ticks returned, rows, rejects and skips by
 * reason, each counted reason with its first file:line message naming the file), every
 * tick has a known kind and sane exponents, and prints as canonical text.  The ticks
 * then go through a cleaner with a small outlier window, whose counters must add up
 * too.  A broken promise aborts, which libFuzzer reports as a crash with the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/log.h"
#include "ingest/clean.h"
#include "ingest/import.h"

#ifndef FUZZ_FAMILY
#error "FUZZ_FAMILY must name a format family"
#endif

static const struct {
    const char *family, *format, *name;
    int nbbo;
} targets[] = {
    {"lean", "lean-fx", "fx_fxcm_eurusd_quotes_20140502.csv", 0},
    {"lean", "lean-fx", "cfd_oanda_xauusd_quotes_20140504.csv", 0},
    {"lean", "lean-equity-trades", "equity_ibm_trades_20131007.csv", 0},
    {"lean", "lean-equity-quotes", "equity_ibm_quotes_20131007.csv", 0},
    {"lean", "lean-equity-quotes", "equity_ibm_quotes_20131007.csv", 1},
    {"lean", "lean-futures-trades", "futures_comex_gc_dec2013_trades_20131007.csv", 0},
    {"lean", "lean-daily", "bars_daily_spy_lean.csv", 0},
    {"csvquote", "truefx", "fx_truefx_usdjpy_quotes_20130101.csv", 0},
    {"csvquote", "histdata", "fx_histdata_eurusd_quotes_20200101.csv", 0},
    {"tardis", "tardis-trades", "crypto_tardis_binancefutures_btcusdt_trades_20200222.csv", 0},
    {"tardis", "tardis-quotes", "crypto_tardis_binancefutures_btcusdt_quotes_20200222.csv", 0},
    {"binance", "binance-ws", "crypto_binance_spot_btcusdt_feed_20240808.gz", 0},
    {"yahoo", "yahoo-daily", "bars_daily_orcl_yahoo.csv", 0},
    {"text", "tickcast-text", "ticks_btcusdt.txt", 0},
    {"text", NULL, "fx_fxcm_eurusd_quotes_20140502.csv", 0}, /* format from the content */
};

#define CHECK(c)                                                                       \
    do {                                                                               \
        if (!(c)) {                                                                    \
            fprintf(stderr, "%s: broken promise: %s\n", targets[i].name, #c);          \
            abort();                                                                   \
        }                                                                              \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tc_tick_t buf[64], cleaned[TC_CLEAN_CONFIRM_MAX];
    static int quiet;
    if (!quiet)
        quiet = 1, tc_log_set_level(-1);
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        if (strcmp(targets[i].family, FUZZ_FAMILY))
            continue;
        tc_import_opts_t o = {.format = targets[i].format, .nbbo = targets[i].nbbo};
        tc_import_t *im = tc_import_open_mem(targets[i].name, data, size, &o);
        if (!im)
            continue; /* refused at open (unknown format, bad gzip): a clean error */
        tc_clean_cfg_t cfg;
        tc_clean_cfg_default(&cfg);
        cfg.window = 16;
        cfg.confirm = 3;
        cfg.gap_ns = 1000;
        tc_clean_t *c = tc_clean_create(&cfg);
        CHECK(c);
        uint64_t got = 0;
        int n;
        /* small batches so the read loop resumes mid-file often */
        while ((n = tc_import_read(im, buf, 1 + (int)(got % 64))) > 0) {
            CHECK(n <= 64);
            for (int k = 0; k < n; k++) {
                const tc_tick_t *t = &buf[k];
                char line[256];
                CHECK(t->kind >= TC_TICK_TRADE && t->kind <= TC_TICK_HEARTBEAT);
                CHECK(t->px_exp >= -18 && t->px_exp <= 18 && t->qty_exp >= -18 && t->qty_exp <= 18);
                CHECK(tc_import_text_fmt(line, sizeof line, t) > 0);
                tc_clean_push(c, t, cleaned);
            }
            got += (uint64_t)n;
        }
        const tc_import_stats_t *st = tc_import_stats(im);
        uint64_t rej = 0, skip = 0;
        for (int r = 0; r < TC_IMPORT_REJ_MAX; r++) {
            rej += st->rejects[r];
            CHECK(!st->rejects[r] || !strncmp(st->reject_msg[r], targets[i].name, strlen(targets[i].name)));
        }
        for (int s = 0; s < TC_IMPORT_SKIP_MAX; s++)
            skip += st->skips[s];
        CHECK(n == 0 || n < 0);
        CHECK(st->ticks == got);
        CHECK(st->rejected == rej && st->skipped == skip);
        CHECK(st->lines == st->rows + st->skipped);
        CHECK(st->rows == st->ticks + st->rejected);
        CHECK(st->trades + st->quotes + st->bids + st->asks + st->bars <= st->ticks);
        tc_clean_flush(c, cleaned, TC_CLEAN_CONFIRM_MAX);
        const tc_clean_stats_t *cs = tc_clean_stats(c);
        CHECK(cs->in == got && cs->in == cs->out + cs->dropped);
        tc_clean_destroy(c);
        tc_import_close(im);
    }
    return 0;
}
