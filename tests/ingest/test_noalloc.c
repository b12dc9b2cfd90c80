/* test_noalloc.c — the per-tick paths do not allocate (STYLE §4): malloc, calloc and
 * realloc are interposed and counted while tc_import_read (CSV, gzip capture, NBBO
 * mode) and tc_clean_push run over real files.  Skipped under ASan, which owns malloc. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "ingest/clean.h"
#include "ingest/import.h"
#include "tests/common/csvtab.h"
#include "tests/common/alloc_count.h"

#if defined(__SANITIZE_ADDRESS__)
Test(noalloc, hot_paths) { cr_skip_test("AddressSanitizer replaces malloc; run this in a Release build"); }
#else

TC_TEST_ALLOC_COUNTER(counting, allocs)

static long read_counting(const char *name, const tc_import_opts_t *o, tc_clean_t *c, long *ret_ticks)
{
    char rel[256];
    snprintf(rel, sizeof rel, "data/ticks/%s", name);
    const char *path = tc_shared_path(rel);
    if (access(path, R_OK) != 0)
        cr_skip_test("shared tick data absent: %s", path);
    tc_import_t *im = tc_import_open(path, o);
    cr_assert_not_null(im, "%s", tc_err_msg());
    static tc_tick_t buf[1024], out;
    long ticks = 0;
    int k;
    allocs = 0;
    counting = 1;
    while ((k = tc_import_read(im, buf, 1024)) > 0) {
        ticks += k;
        if (c)
            for (int i = 0; i < k; i++)
                tc_clean_push(c, &buf[i], &out);
    }
    counting = 0;
    tc_import_close(im);
    *ret_ticks = ticks;
    return allocs;
}

Test(noalloc, hot_paths)
{
    /* the counter itself works */
    counting = 1;
    void *p = malloc(16);
    counting = 0;
    free(p);
    cr_assert_eq(allocs, 1, "malloc is interposed");

    long ticks;
    cr_expect_eq(read_counting("equity_spy_trades_20131007.csv", NULL, NULL, &ticks), 0);
    cr_expect_eq(ticks, 250601);
    tc_import_opts_t o = {.nbbo = 1};
    cr_expect_eq(read_counting("equity_ibm_quotes_20131007.csv", &o, NULL, &ticks), 0);
    cr_expect_eq(ticks, 109067);
    cr_expect_eq(read_counting("crypto_binance_spot_btcusdt_feed_20240808.gz", NULL, NULL, &ticks), 0);
    cr_expect_eq(ticks, 9757 + 28040);
    tc_clean_cfg_t cfg;
    tc_clean_cfg_default(&cfg);
    tc_clean_t *c = tc_clean_create(&cfg);
    cr_expect_eq(read_counting("fx_fxcm_eurusd_quotes_20140502.csv", NULL, c, &ticks), 0);
    cr_expect_eq(tc_clean_stats(c)->in, 96406);
    tc_clean_destroy(c);
}
#endif
