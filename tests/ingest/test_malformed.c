/* test_malformed.c — bad input never stops an import: truncated lines, bad numbers,
 * wrong column counts, over-long fields and lines, bad JSON, damaged or cut gzip.
 * Each bad row is counted by reason, the first message of each reason names file:line,
 * and the good rows around it are kept (checked by value).  Files are written to a
 * temporary directory; a seeded mutation loop then feeds damaged copies of real rows
 * to every format and checks that the counters always add up. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "daemon/runtime/err.h"
#include "ingest/import.h"

static char dir[256];

static void mkdir_tmp(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tc_malformed_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    cr_assert_not_null(mkdtemp(dir));
}

static void rm_tmp(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(malformed, .init = mkdir_tmp, .fini = rm_tmp);

static const char *write_file(const char *name, const void *data, size_t len)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

typedef struct result {
    tc_tick_t t[256];
    int n;
    tc_import_stats_t st;
} result_t;

static void run(result_t *R, const char *path, const tc_import_opts_t *o)
{
    tc_import_t *im = tc_import_open(path, o);
    cr_assert_not_null(im, "open: %s", tc_err_msg());
    R->n = 0;
    int k;
    while ((k = tc_import_read(im, R->t + R->n, 256 - R->n)) > 0)
        R->n += k;
    cr_assert_eq(k, 0, "a bad row is never fatal");
    R->st = *tc_import_stats(im);
    tc_import_close(im);
    cr_assert_eq(R->st.ticks, (uint64_t)R->n);
    cr_assert_eq(R->st.rows, R->st.ticks + R->st.rejected, "every row is a tick or a reject");
    cr_assert_eq(R->st.lines, R->st.rows + R->st.skipped);
}

/* The message of reason r names the file and the line. */
static void expect_msg(const result_t *R, int r, const char *path, int line)
{
    char want[600];
    snprintf(want, sizeof want, "%s:%d: ", path, line);
    cr_expect(strncmp(R->st.reject_msg[r], want, strlen(want)) == 0, "reason %s: got '%s', want '%s...'",
              tc_import_reject_name(r), R->st.reject_msg[r], want);
    cr_expect(strchr(R->st.reject_msg[r], '\n') == NULL, "one line");
}

Test(malformed, lean_fx_rows)
{
    char longf[200];
    memset(longf, '9', sizeof longf);
    longf[sizeof longf - 1] = 0;
    char longl[1200];
    memset(longl, '1', sizeof longl);
    longl[sizeof longl - 1] = 0;
    char text[4096];
    int len = snprintf(text, sizeof text,
                       "611,1.38626,1.38627\r\n"      /* 1 good */
                       "809,1.38x26,1.38626\r\n"      /* 2 bad number */
                       "1923,1.38626\r\n"             /* 3 two columns */
                       "2000,1.1,1.2,1.3\r\n"         /* 4 four columns */
                       "\r\n"                         /* 5 empty: skipped */
                       "3000,%s,1.2\r\n"              /* 6 field too long */
                       "%s\r\n"                       /* 7 line too long */
                       "4000.12345678,1.2,1.3\r\n"    /* 8 fraction too fine to be exact */
                       "abc,1.2,1.3\r\n"              /* 9 bad time */
                       "5000,-,1.3\r\n"               /* 10 bad number */
                       "6000,1.38630,1.38631\r\n"     /* 11 good */
                       "7000,1.386",                  /* 12 truncated, no newline */
                       longf, longl);
    const char *path = write_file("fx_fxcm_eurusd_quotes_20140502.csv", text, (size_t)len);
    result_t R;
    run(&R, path, NULL);
    cr_assert_eq(R.n, 2, "the two good rows are kept");
    cr_expect_eq(R.t[0].quote.bid, 138626);
    cr_expect_eq(R.t[1].quote.bid, 138630);
    cr_expect_eq(R.t[1].ts_event - R.t[0].ts_event, (6000 - 611) * 1000000LL);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_NUMBER], 2);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_COLUMNS], 2);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_FIELD_LONG], 2);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_TIME], 2);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_TRUNCATED], 1);
    cr_expect_eq(R.st.skips[TC_IMPORT_SKIP_EMPTY], 1);
    cr_expect_eq(R.st.rejected, 9);
    expect_msg(&R, TC_IMPORT_REJ_NUMBER, path, 2);
    expect_msg(&R, TC_IMPORT_REJ_COLUMNS, path, 3);
    expect_msg(&R, TC_IMPORT_REJ_FIELD_LONG, path, 6);
    expect_msg(&R, TC_IMPORT_REJ_TIME, path, 8);
    expect_msg(&R, TC_IMPORT_REJ_TRUNCATED, path, 12);
    cr_expect(strstr(R.st.reject_msg[TC_IMPORT_REJ_NUMBER], "1.38x26") != NULL, "names the field: %s",
              R.st.reject_msg[TC_IMPORT_REJ_NUMBER]);
}

Test(malformed, last_line_without_newline_is_kept)
{
    const char text[] = "611,1.38626,1.38627\n809,1.38626,1.38628";
    const char *path = write_file("fx_fxcm_eurusd_quotes_20140502.csv", text, sizeof text - 1);
    result_t R;
    run(&R, path, NULL);
    cr_expect_eq(R.n, 2);
    cr_expect_eq(R.st.rejected, 0);
    cr_expect_eq(R.t[1].quote.ask, 138628);
}

Test(malformed, equity_and_futures_rows)
{
    const char text[] = "14400464,1674100,100,P,20002000,0\n"
                        "14400465,1674100,100,P,2000200G,0\n" /* bad hex */
                        "14400466,1674100,100,P,1,2\n"        /* suspicious not 0/1 */
                        "14400467,1674100,-5,P,1,0\n"         /* negative size */
                        "14400468,16741.00,100,P,1,0\n"       /* equity prices are integers */
                        "99999999999,1674100,100,P,1,0\n"     /* past the day */
                        "14400469,1674200,300,N,1,1";
    const char *path = write_file("equity_spy_trades_20131007.csv", text, sizeof text - 1);
    result_t R;
    run(&R, path, NULL);
    cr_assert_eq(R.n, 2);
    cr_expect_eq(R.t[1].trade.price, 1674200);
    cr_expect(R.t[1].flags & TC_TICK_SUSPICIOUS);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_NUMBER], 3);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_VALUE], 1);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_TIME], 1);
    expect_msg(&R, TC_IMPORT_REJ_NUMBER, path, 2);
    expect_msg(&R, TC_IMPORT_REJ_VALUE, path, 3);
    expect_msg(&R, TC_IMPORT_REJ_TIME, path, 6);

    const char q[] = "14400054,0,0,1836300,100,Q,1,0\n"
                     "14400055,0,0,0,0,Q,1,0\n"          /* neither side */
                     "14400056,0,0,1836300,100,QQ,1,0\n" /* exchange */
                     "14400057,1800100,300,0,0,P,1,0\n";
    path = write_file("equity_ibm_quotes_20131007.csv", q, sizeof q - 1);
    run(&R, path, NULL);
    cr_expect_eq(R.n, 2);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_VALUE], 2);
}

Test(malformed, tardis_truefx_histdata_yahoo)
{
    const char td[] = "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n"
                      "binance-futures,BTCUSDT,1582329602111000,1582329602418379,42377944,buy,9682,0.132\n"
                      "binance-futures,BTCUSDT,1582329602116000,1582329602418420,42377945,up,9682,0.412\n"
                      "binance-futures,BTCUSDT,15823296021x6000,1582329602418420,42377946,buy,9682,0.412\n"
                      "binance-futures,BTCUSDT,1582329602116000,1582329602418420,abc-uuid,sell,9682.5,1\n";
    const char *path = write_file("crypto_tardis_binancefutures_btcusdt_trades_20200222.csv", td, sizeof td - 1);
    result_t R;
    run(&R, path, NULL);
    cr_expect_eq(R.n, 2);
    cr_expect_eq(R.t[1].trade.id, 0, "a non-numeric id is opaque");
    cr_expect_eq(R.t[1].trade.price, 96825);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_VALUE], 1);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_TIME], 1);
    expect_msg(&R, TC_IMPORT_REJ_VALUE, path, 3);

    const char tf[] = "timestamp,bid,ask\n"
                      "2013-01-01 22:00:00.295000+00:00,86.655,86.728\n"
                      "2013-02-30 22:00:00.295000+00:00,86.655,86.728\n" /* no such date */
                      "2013-01-01 22:00:00.295000+0000,86.655,86.728\n"  /* offset form */
                      "2013-01-01 23:00:00-01:00,86.655,86.727\n";
    path = write_file("fx_truefx_usdjpy_quotes_20130101.csv", tf, sizeof tf - 1);
    run(&R, path, NULL);
    cr_expect_eq(R.n, 2);
    cr_expect_eq(R.t[1].ts_event, 1357084800000000000LL, "23:00-01:00 is 00:00 UTC next day");
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_TIME], 2);
    expect_msg(&R, TC_IMPORT_REJ_TIME, path, 3);

    const char hd[] = "20200101 170000065,1.121200,1.121720,0\n"
                      "20200101 176000065,1.121200,1.121720,0\n" /* minute 60 */
                      "20200101 170000065,1.121200,1.121720\n";
    path = write_file("fx_histdata_eurusd_quotes_20200101.csv", hd, sizeof hd - 1);
    run(&R, path, NULL);
    cr_expect_eq(R.n, 1);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_TIME], 1);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_COLUMNS], 1);

    const char yh[] = "Date,Open,High,Low,Close,Adj Close,Volume\n"
                      "1995-01-03,2.179012,2.191358,2.117284,2.117284,1.883304,36301200\n"
                      "1995-13-03,2.179012,2.191358,2.117284,2.117284,1.883304,36301200\n"
                      "1995-01-04,2.123457,2.148148,2.092592,2.135803,1.899776,4.5\n";
    path = write_file("bars_daily_orcl_yahoo.csv", yh, sizeof yh - 1);
    run(&R, path, NULL);
    cr_expect_eq(R.n, 1);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_TIME], 1);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_NUMBER], 1);
}

static const char binance_text[] =
    "1723161254087891268 {\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":50093239212,\"s\":\"BTCUSDT\",\"b\":\"61837.63000000\",\"B\":\"3.78826000\",\"a\":\"61837.64000000\",\"A\":\"1.54698000\"}}\n"
    "1723161254087896568 {\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1723161255343,\"s\":\"BTCUSDT\",\"t\":3735683259,\"p\":\"61837.63000000\",\"q\":\"0.02000000\",\"T\":1723161255342,\"m\":true,\"M\":true}}\n"
    "1723161254087896569 {\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1723161255343,\"s\":\"BTCUSDT\",\"t\":3735683260,\"p\":\"61837.63000000\",\"q\":\"0.02000000\",\"T\":1723161255342,\"m\":tru}}\n"
    "1723161254087896570 {\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1723161255343,\"s\":\"BTCUSDT\",\"t\":3735683261,\"q\":\"0.02000000\",\"T\":1723161255342,\"m\":false}}\n"
    "1723161254087896571 {\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1723161255343,\"s\":\"BTCUSDT\",\"t\":3735683262,\"p\":\"6x\",\"q\":\"0.02000000\",\"T\":1723161255342,\"m\":false}}\n"
    "17231612540878965x2 {\"stream\":\"btcusdt@trade\"}\n"
    "1723161254087896573 {\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":1,\"u\":2,\"b\":[[\"1.0\",\"0.0\"]],\"a\":[]}}\n"
    "1723161254087896574 {\"lastUpdateId\":50093239218,\"bids\":[[\"61837.63000000\",\"3.78826000\"]],\"asks\":[]}\n"
    "1723161254087896575 {\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1723161255400,\"s\":\"BTCUSDT\",\"t\":3735683263,\"p\":\"61837.64000000\",\"q\":\"0.50000000\",\"T\":1723161255399,\"m\":false,\"X\":\"MARKET\"}} trailing\n"
    "1723161254087896576 {\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1723161255400,\"s\":\"BTCUSDT\",\"t\":3735683264,\"p\":\"61837.64000000\",\"q\":\"0.50000000\",\"T\":1723161255399,\"m\":false,\"X\":\"MARKET\"}}\n";

Test(malformed, binance_json)
{
    const char *path = write_file("crypto_binance_spot_btcusdt_feed_20240808.txt", binance_text, sizeof binance_text - 1);
    tc_import_opts_t o = {.format = "binance-ws"};
    result_t R;
    run(&R, path, &o);
    cr_assert_eq(R.n, 3, "bookTicker, first trade and last trade kept");
    cr_expect_eq(R.t[0].kind, TC_TICK_QUOTE);
    cr_expect_eq(R.t[1].trade.id, 3735683259);
    cr_expect_eq(R.t[1].flags & TC_TICK_SIDE_MASK, TC_TICK_SIDE_SELL, "m=true: the aggressor sold");
    cr_expect_eq(R.t[2].trade.id, 3735683264);
    cr_expect_eq(R.t[2].flags & TC_TICK_SIDE_MASK, TC_TICK_SIDE_BUY);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_JSON], 3, "tru, missing p, trailing text");
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_NUMBER], 1);
    cr_expect_eq(R.st.rejects[TC_IMPORT_REJ_TIME], 1);
    cr_expect_eq(R.st.skips[TC_IMPORT_SKIP_DEPTH], 1);
    cr_expect_eq(R.st.skips[TC_IMPORT_SKIP_SNAPSHOT], 1);
    expect_msg(&R, TC_IMPORT_REJ_JSON, path, 3);
    expect_msg(&R, TC_IMPORT_REJ_NUMBER, path, 5);
    expect_msg(&R, TC_IMPORT_REJ_TIME, path, 6);
}

static size_t gzip(const char *in, size_t n, unsigned char *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t len = cap - z.avail_out;
    deflateEnd(&z);
    return len;
}

Test(malformed, gzip_cut_and_damaged)
{
    /* many good lines so a cut keeps some of them */
    static char big[200000];
    size_t len = 0;
    for (int i = 0; i < 600; i++)
        len += (size_t)snprintf(big + len, sizeof big - len,
                                "%lld {\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":%lld,\"s\":\"BTCUSDT\",\"b\":\"6183%d.63000000\",\"B\":\"3.78826000\",\"a\":\"61839.64000000\",\"A\":\"1.54698000\"}}\n",
                                1723161254087891268LL + i, 50093239212LL + i, i % 9);
    static unsigned char gz[200000];
    size_t gl = gzip(big, len, gz, sizeof gz);
    const char *path = write_file("crypto_binance_spot_btcusdt_feed_20240808.gz", gz, gl);
    tc_tick_t *all = malloc(600 * sizeof(tc_tick_t));
    {
        tc_import_t *im = tc_import_open(path, NULL);
        cr_assert_not_null(im, "%s", tc_err_msg());
        int n = 0, k;
        while ((k = tc_import_read(im, all + n, 600 - n)) > 0)
            n += k;
        cr_expect_eq(n, 600);
        cr_expect_eq(tc_import_stats(im)->rejected, 0);
        tc_import_close(im);
    }
    /* cut: the output stops early; the lines inflated so far are kept, the partial
     * last line is a truncated reject and the cut itself a gzip reject */
    path = write_file("crypto_binance_spot_btcusdt_feed_20240808.gz", gz, gl / 2);
    tc_import_t *im = tc_import_open(path, NULL);
    cr_assert_not_null(im, "%s", tc_err_msg());
    int n = 0, k;
    tc_tick_t t[600];
    while ((k = tc_import_read(im, t + n, 600 - n)) > 0)
        n += k;
    const tc_import_stats_t *st = tc_import_stats(im);
    cr_expect_gt(n, 50);
    cr_expect_lt(n, 600);
    for (int i = 0; i < n; i++)
        cr_assert(!memcmp(&t[i], &all[i], sizeof t[i]), "kept rows are the good ones");
    cr_expect_eq(st->rejects[TC_IMPORT_REJ_GZIP], 1);
    cr_expect(strstr(st->reject_msg[TC_IMPORT_REJ_GZIP], "truncated") != NULL, "%s", st->reject_msg[TC_IMPORT_REJ_GZIP]);
    cr_expect(strstr(st->reject_msg[TC_IMPORT_REJ_GZIP], path) == st->reject_msg[TC_IMPORT_REJ_GZIP]);
    tc_import_close(im);

    /* damaged deflate data in the middle */
    for (size_t i = gl / 3; i < gl / 3 + 64; i++)
        gz[i] ^= 0x5a;
    path = write_file("crypto_binance_spot_btcusdt_feed_20240808.gz", gz, gl);
    im = tc_import_open(path, NULL);
    cr_assert_not_null(im, "%s", tc_err_msg());
    n = 0;
    while ((k = tc_import_read(im, t + n, 600 - n)) > 0)
        n += k;
    st = tc_import_stats(im);
    cr_expect_lt(n, 600);
    int same = 0;
    while (same < n && !memcmp(&t[same], &all[same], sizeof t[0]))
        same++;
    cr_expect_gt(same, 10, "the rows before the damage are kept (%d)", same);
    cr_expect_eq(st->rejects[TC_IMPORT_REJ_GZIP], 1, "%s", st->reject_msg[TC_IMPORT_REJ_GZIP]);
    tc_import_close(im);

    /* nothing decodable at all: open fails with the reason */
    unsigned char junk[64] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff};
    path = write_file("crypto_binance_spot_btcusdt_feed_20240809.gz", junk, sizeof junk);
    cr_expect_null(tc_import_open(path, NULL));
    cr_expect(strstr(tc_err_msg(), "gzip") != NULL, "%s", tc_err_msg());
    free(all);
}

Test(malformed, unknown_format_and_missing_date)
{
    const char text[] = "hello world\n";
    const char *path = write_file("notes.csv", text, sizeof text - 1);
    cr_expect_null(tc_import_open(path, NULL));
    cr_expect(strstr(tc_err_msg(), "notes.csv") != NULL, "%s", tc_err_msg());
    const char fx[] = "611,1.38626,1.38627\n";
    path = write_file("fx_fxcm_eurusd_quotes.csv", fx, sizeof fx - 1);
    cr_expect_null(tc_import_open(path, NULL));
    cr_expect(strstr(tc_err_msg(), "--date") != NULL, "%s", tc_err_msg());
    path = write_file("eurusd_20140502.csv", fx, sizeof fx - 1);
    cr_expect_null(tc_import_open(path, NULL), "no venue: the time zone is unknown");
    cr_expect(strstr(tc_err_msg(), "--tz") != NULL, "%s", tc_err_msg());
    tc_import_opts_t o = {.tz = "UTC-05"};
    tc_import_t *im = tc_import_open(path, &o);
    cr_expect_not_null(im, "%s", tc_err_msg());
    tc_import_close(im);
    o.tz = "Mars/Olympus";
    cr_expect_null(tc_import_open(path, &o));
    const char empty[] = "";
    path = write_file("fx_fxcm_eurusd_quotes_20140502.csv", empty, 0);
    cr_expect_null(tc_import_open(path, NULL), "empty file: nothing to detect");
    cr_expect_null(tc_import_open("/nonexistent/fx.csv", NULL));
    tc_import_close(NULL);
}

/* Seeded mutations of real-looking rows for every format: whatever the damage, the
 * counters add up and nothing crashes (criterion runs each test in its own process). */
Test(malformed, mutations_never_crash)
{
    static const struct { const char *name, *fmt, *rows; } src[] = {
        {"fx_fxcm_eurusd_quotes_20140502.csv", "lean-fx", "611,1.38626,1.38627\n79200613.0668,1299.968,1301.618\n"},
        {"equity_spy_trades_20131007.csv", "lean-equity-trades", "14400464,1674100,100,P,20002000,0\n"},
        {"equity_ibm_quotes_20131007.csv", "lean-equity-quotes", "14400241,1800100,300,0,0,P,1,0\n"},
        {"futures_comex_gc_dec2013_trades_20131007.csv", "lean-futures-trades", "276,1313.7,1,usa,,0\n"},
        {"bars_daily_spy_lean.csv", "lean-daily", "19980102 00:00,973100,975300,965300,973600,2150000\n"},
        {"fx_truefx_usdjpy_quotes_20130101.csv", "truefx", "timestamp,bid,ask\n2013-01-01 22:00:00.295000+00:00,86.655,86.728\n"},
        {"fx_histdata_eurusd_quotes_20200101.csv", "histdata", "20200101 170000065,1.121200,1.121720,0\n"},
        {"crypto_tardis_binancefutures_btcusdt_trades_20200222.csv", "tardis-trades",
         "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\nbinance-futures,BTCUSDT,1582329602111000,1582329602418379,42377944,buy,9682,0.132\n"},
        {"crypto_tardis_binancefutures_btcusdt_quotes_20200222.csv", "tardis-quotes",
         "exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount\nbinance-futures,BTCUSDT,1582329601096000,1582329603502092,0.84,9682,9681.92,0.67\n"},
        {"bars_daily_orcl_yahoo.csv", "yahoo-daily", "Date,Open,High,Low,Close,Adj Close,Volume\n1995-01-03,2.179012,2.191358,2.117284,2.117284,1.883304,36301200\n"},
        {"crypto_binance_spot_btcusdt_feed_20240808.gz", "binance-ws", binance_text},
        {"x.txt", "tickcast-text", TC_IMPORT_TEXT_HEADER "\nT,1,2,1.5,3,7,0,0,1,80,1\n"},
    };
    unsigned seed = 12345;
    char buf[8192];
    for (size_t f = 0; f < sizeof src / sizeof src[0]; f++) {
        size_t base = strlen(src[f].rows);
        for (int it = 0; it < 300; it++) {
            size_t len = base < sizeof buf ? base : sizeof buf;
            memcpy(buf, src[f].rows, len);
            int edits = 1 + (int)(rand_r(&seed) % 4);
            for (int e = 0; e < edits; e++) {
                size_t at = (size_t)rand_r(&seed) % len;
                switch (rand_r(&seed) % 4) {
                case 0: buf[at] = (char)(rand_r(&seed) & 0xff); break;        /* flip a byte */
                case 1: len = at + 1; break;                                 /* cut */
                case 2: buf[at] = ",\n.-{}\"0"[rand_r(&seed) % 8]; break;    /* structural */
                default:                                                     /* duplicate a span */
                    if (len + 16 < sizeof buf) {
                        memmove(buf + at + 16, buf + at, len - at);
                        len += 16;
                    }
                }
            }
            tc_import_opts_t o = {.format = src[f].fmt, .tz = "UTC", .date = 20140502, .nbbo = it & 1};
            tc_import_t *im = tc_import_open_mem(src[f].name, buf, len, &o);
            cr_assert_not_null(im, "%s: %s", src[f].fmt, tc_err_msg());
            tc_tick_t t[64];
            int k;
            while ((k = tc_import_read(im, t, 64)) > 0)
                ;
            cr_assert_eq(k, 0);
            const tc_import_stats_t *st = tc_import_stats(im);
            cr_assert_eq(st->rows, st->ticks + st->rejected, "%s iteration %d", src[f].fmt, it);
            cr_assert_eq(st->lines, st->rows + st->skipped);
            for (int r = 0; r < TC_IMPORT_REJ_MAX; r++)
                if (st->rejects[r])
                    cr_assert(strncmp(st->reject_msg[r], src[f].name, strlen(src[f].name)) == 0 &&
                                  st->reject_msg[r][strlen(src[f].name)] == ':',
                              "message names the file: %s", st->reject_msg[r]);
            tc_import_close(im);
        }
    }
}
