/* test_fuzz_found.c — regression tests for what the libFuzzer harnesses (tests/fuzz/)
 * found, each reduced to the input that showed it:
 *  - dates whose nanosecond time does not fit an int64 (in a row, a file name or an
 *    option) overflowed a signed multiplication; the date parsers now keep to
 *    1700..2250, so such rows are rejected as bad times and the rows around them kept;
 *  - an 18-digit millisecond field overflowed the Lean fast path;
 *  - tc_tickfile_read did not count the ticks it returned just before a damaged block. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "ingest/clean.h"
#include "ingest/import.h"
#include "ingest/tickfile.h"

typedef struct res {
    tc_tick_t t[16];
    int n;
    tc_import_stats_t st;
} res_t;

static void import_mem(res_t *R, const char *name, const char *format, const char *text)
{
    tc_import_opts_t o = {.format = format};
    tc_import_t *im = tc_import_open_mem(name, text, strlen(text), &o);
    cr_assert_not_null(im, "%s", tc_err_msg());
    R->n = 0;
    int k;
    while ((k = tc_import_read(im, R->t + R->n, 16 - R->n)) > 0)
        R->n += k;
    cr_assert_eq(k, 0);
    R->st = *tc_import_stats(im);
    tc_import_close(im);
}

static void expect_time_reject(const res_t *R, int good, const char *what)
{
    cr_expect_eq(R->n, good, "%s: %d ticks kept, expected %d", what, R->n, good);
    cr_expect_eq(R->st.rejects[TC_IMPORT_REJ_TIME], 1, "%s: %llu time rejects (%s)", what,
                 (unsigned long long)R->st.rejects[TC_IMPORT_REJ_TIME], R->st.reject_msg[TC_IMPORT_REJ_TIME]);
    cr_expect(strstr(R->st.reject_msg[TC_IMPORT_REJ_TIME], ":2: "), "%s: '%s' names line 2", what,
              R->st.reject_msg[TC_IMPORT_REJ_TIME]);
}

Test(fuzz_found, far_dates_are_bad_times_not_overflows)
{
    res_t R;
    import_mem(&R, "bars_daily_orcl_yahoo.csv", "yahoo-daily",
               "Date,Open,High,Low,Close,Adj Close,Volume\n"
               "9999-12-31,10.5,11.25,10.125,11,9.87,1200300\n"
               "2001-01-03,11,11.5,10.75,11.375,10.2,7\n");
    expect_time_reject(&R, 1, "yahoo 9999");
    cr_expect_eq(R.t[0].ts_event, 978498000000000000LL, "2001-01-03 00:00 New York");

    import_mem(&R, "bars_daily_spy_lean.csv", "lean-daily",
               "20010102 00:00,1234500,1240000,1230000,1239900,1500000\n"
               "00210102 00:00,12100,0,0,0,0\n");
    expect_time_reject(&R, 1, "lean-daily year 21");

    import_mem(&R, "fx_histdata_eurusd_quotes_20200101.csv", "histdata",
               "20190305 101500123,1.132100,1.132150,0\n"
               "99991231 101500123,1.132100,1.132150,0\n");
    expect_time_reject(&R, 1, "histdata 9999");

    import_mem(&R, "fx_truefx_usdjpy_quotes_20130101.csv", "truefx",
               "2015-03-04 10:00:00.125000+00:00,101.125,101.130\n"
               "2300-03-04 10:00:00.125000+00:00,101.125,101.130\n");
    expect_time_reject(&R, 1, "truefx 2300");
    cr_expect_eq(R.t[0].ts_event, 1425463200125000000LL);

    /* in the file name: not taken as the date, so the format asks for one */
    tc_import_opts_t o = {.format = "lean-fx", .tz = "UTC"};
    const char *row = "611,1.38626,1.38627\n";
    tc_import_t *im = tc_import_open_mem("fx_fxcm_eurusd_quotes_99991231.csv", row, strlen(row), &o);
    if (im) {
        tc_tick_t t[2];
        int k = tc_import_read(im, t, 2);
        cr_expect_leq(k, 0, "no tick dated 9999: %d", k);
        tc_import_close(im);
    }
    o.date = 99991231;
    cr_expect_null(tc_import_open_mem("fx_fxcm_eurusd_quotes.csv", row, strlen(row), &o));
    cr_expect(strstr(tc_err_msg(), "bad date 99991231"), "%s", tc_err_msg());
}

Test(fuzz_found, eighteen_digit_milliseconds_are_rejected)
{
    res_t R;
    import_mem(&R, "fx_fxcm_eurusd_quotes_20140502.csv", "lean-fx",
               "611,1.38626,1.38627\n"
               "342000000000001020,1.38626,1.38627\n"
               "809,1.38626,1.38626\n");
    cr_expect_eq(R.n, 2);
    cr_expect_eq(R.st.rejected, 1, "%s %s", R.st.reject_msg[TC_IMPORT_REJ_TIME], R.st.reject_msg[TC_IMPORT_REJ_NUMBER]);
    cr_expect_eq(R.t[1].ts_event - R.t[0].ts_event, 198000000LL, "the rows around it are intact");
}

Test(fuzz_found, ticks_before_a_damaged_block_are_counted)
{
    char path[] = "/tmp/tc_fuzz_found_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    tc_tickfile_opts_t wo = {.block_ticks = 4};
    tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_CREATE, &wo);
    cr_assert_not_null(tf, "%s", tc_err_msg());
    tc_symbol_t s = {.name = "EURUSD", .tz = "UTC"};
    cr_assert_eq(tc_tickfile_symbol_add(tf, &s), 0);
    tc_tick_t t[12];
    memset(t, 0, sizeof t);
    for (int i = 0; i < 12; i++) {
        t[i].kind = TC_TICK_TRADE;
        t[i].ts_event = t[i].ts_recv = 1000 + i;
        t[i].trade.price = 100 + i;
        t[i].trade.size = 1;
    }
    cr_assert_eq(tc_tickfile_append(tf, t, 12), 0);
    cr_assert_eq(tc_tickfile_close(tf), 0);

    /* damage the payload of the second of three tick blocks */
    tf = tc_tickfile_open(path, TC_TICKFILE_READ, NULL);
    cr_assert_not_null(tf, "%s", tc_err_msg());
    uint64_t off = 0;
    int seen = 0;
    for (int i = 0; i < tc_tickfile_block_count(tf); i++)
        if (tc_tickfile_block(tf, i)->type == TC_TICKFILE_BLOCK_TICKS && ++seen == 2)
            off = tc_tickfile_block(tf, i)->off;
    tc_tickfile_close(tf);
    cr_assert_gt(off, 0);
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f);
    fseek(f, (long)(off + TC_TICKFILE_BLOCK_HEADER_SIZE + 8), SEEK_SET);
    int c = fgetc(f);
    fseek(f, (long)(off + TC_TICKFILE_BLOCK_HEADER_SIZE + 8), SEEK_SET);
    fputc(c ^ 0x5a, f);
    fclose(f);

    tf = tc_tickfile_open(path, TC_TICKFILE_READ, NULL);
    cr_assert_not_null(tf, "%s", tc_err_msg());
    tc_tick_t out[12];
    int n = tc_tickfile_read(tf, out, 12);
    cr_expect_eq(n, 4, "the first block's ticks come first: %d", n);
    cr_expect_eq(tc_tickfile_stats(tf)->ticks_read, 4, "and are counted");
    cr_expect_eq(out[3].trade.price, 103);
    n = tc_tickfile_read(tf, out, 12);
    cr_expect_eq(n, -EBADMSG, "then the damage: %d", n);
    cr_expect(strstr(tc_err_msg(), "offset"), "%s", tc_err_msg());
    cr_expect_eq(tc_tickfile_stats(tf)->ticks_read, 4);
    tc_tickfile_close(tf);
    unlink(path);
}

/* A gap between event times at the two ends of the int64 range (a damaged Yahoo row
 * gave one) is a gap, not a signed overflow. */
Test(fuzz_found, gaps_across_the_whole_time_range_do_not_overflow)
{
    tc_clean_cfg_t cfg;
    tc_clean_cfg_default(&cfg);
    cfg.window = 0;
    cfg.gap_ns = 1000;
    tc_clean_t *c = tc_clean_create(&cfg);
    cr_assert_not_null(c);
    tc_tick_t t = {.kind = TC_TICK_TRADE, .px_exp = -2, .ts_event = -8267857200000000000LL}, out;
    t.trade.price = 100;
    t.trade.size = 1;
    cr_assert_eq(tc_clean_push(c, &t, &out), 1);
    t.ts_event = 978498000000000000LL;
    cr_assert_eq(tc_clean_push(c, &t, &out), 1);
    const tc_clean_stats_t *st = tc_clean_stats(c);
    cr_assert_eq(st->gaps, 1);
    cr_assert_eq(st->top_gaps[0].from, -8267857200000000000LL);
    cr_assert_eq(st->top_gaps[0].to, 978498000000000000LL);
    tc_clean_destroy(c);
}

/* A symbol block whose first entry index plus count wraps around 32 bits passed the
 * header check and overflowed the symbol table (found by fuzz_tickfile; the input is
 * kept in its corpus).  It must be refused as a damaged block. */
Test(fuzz_found, symbol_block_index_that_wraps_is_damage_not_an_overflow)
{
    const char *path = TC_SOURCE_DIR "/tests/fuzz/corpus/fuzz_tickfile/symbol-index-wrap.tck";
    tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_READ, NULL);
    if (tf) {
        tc_tick_t out[64];
        int n;
        while ((n = tc_tickfile_read(tf, out, 64)) > 0)
            ;
        cr_expect(tc_tickfile_stats(tf)->damaged_blocks > 0 || n < 0,
                  "the wrapping block is reported as damage");
        tc_tickfile_close(tf);
    } else {
        cr_expect_neq(tc_err_code(), 0, "refused with a reason: %s", tc_err_msg());
    }
}
