/* test_barcsv.c — the bar CSV reader and the goldens' number spelling (features/barcsv.h).
 * Spelling is checked against the golden files themselves: every number cell of a few
 * golden outputs, read with strtod and written back, must give the very same text. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "features/barcsv.h"
#include "tests/common/csvtab.h"

static const char *fmt(double x)
{
    static char buf[64];
    tc_barcsv_fmt(buf, sizeof buf, x);
    return buf;
}

Test(barcsv, spelling_of_special_and_edge_values)
{
    cr_expect_str_eq(fmt(0.0), "0");
    cr_expect_str_eq(fmt(-0.0), "-0");
    cr_expect_str_eq(fmt(NAN), "nan");
    cr_expect_str_eq(fmt(-NAN), "nan");
    cr_expect_str_eq(fmt(INFINITY), "inf");
    cr_expect_str_eq(fmt(-INFINITY), "-inf");
    cr_expect_str_eq(fmt(1e-7), "1e-7");
    cr_expect_str_eq(fmt(1.5e-5), "0.000015");
    cr_expect_str_eq(fmt(3.015782985847835e-06), "0.000003015782985847835");
    cr_expect_str_eq(fmt(1.5e-7), "1.5e-7");
    cr_expect_str_eq(fmt(0.0001), "0.0001");
    cr_expect_str_eq(fmt(100.34), "100.34");
    cr_expect_str_eq(fmt(22351900), "22351900");
    cr_expect_str_eq(fmt(1e16), "10000000000000000");
    cr_expect_str_eq(fmt(1e20), "100000000000000000000");
    cr_expect_str_eq(fmt(1e21), "1e+21");
    cr_expect_str_eq(fmt(123456789012345.6), "123456789012345.6");
    cr_expect_str_eq(fmt(0.1 + 0.2), "0.30000000000000004");
    cr_expect_str_eq(fmt(-2.2737367544323206e-13), "-2.2737367544323206e-13");
    cr_expect_str_eq(fmt(5e-324), "5e-324");
    cr_expect_str_eq(fmt(1.7976931348623157e308), "1.7976931348623157e+308");
}

Test(barcsv, shortest_round_trip_on_random_doubles)
{
    uint64_t s = 88172645463325252ull;
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double x;
        memcpy(&x, &s, sizeof x);
        if (!isfinite(x))
            continue;
        const char *t = fmt(x);
        if (strtod(t, NULL) != x)
            bad++;
        /* and no shorter one exists: as many significant digits as the fewest that
         * round-trip through %.*e */
        int p_min = 1;
        char e[64];
        for (; p_min < 17; p_min++) {
            snprintf(e, sizeof e, "%.*e", p_min - 1, x);
            if (strtod(e, NULL) == x)
                break;
        }
        char sig[64];
        int n = 0;
        for (const char *c = t; *c && *c != 'e'; c++)
            if (*c >= '0' && *c <= '9' && (n || *c != '0'))
                sig[n++] = *c;
        while (n > 1 && sig[n - 1] == '0')
            n--;
        if (n != p_min && !bad)
            cr_expect_eq(n, p_min, "%s has %d significant digits, %d suffice", t, n, p_min);
        bad += n != p_min;
    }
    cr_expect_eq(bad, 0, "%d values do not read back", bad);
}

/* Every cell of these golden files reads back and is written out as the same text. */
Test(barcsv, golden_cells_respelled_identically)
{
    const char *files[] = {"golden/synth/STDDEV.csv", "golden/synth/LINEARREG_SLOPE.csv",
                           "golden/synth/IMI.csv", "golden/goog/BETA.csv",
                           "golden/input_synth.csv", "golden/synth/ACOS.csv"};
    int checked = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        csvtab_t t;
        if (csvtab_load(&t, tc_shared_path(files[i])) < 0) {
            if (strcmp(files[i], "golden/synth/IMI.csv") == 0)
                continue; /* not every golden set need have it */
            cr_skip_test("%s not found", tc_shared_path(files[i]));
        }
        for (int r = 0; r < t.rows; r++)
            for (int c = 0; c < t.cols; c++) {
                const char *cell = csvtab_get(&t, r, c);
                if (!*cell)
                    continue;
                cr_assert_str_eq(fmt(strtod(cell, NULL)), cell, "%s row %d col %d", files[i], r, c);
                checked++;
            }
        csvtab_free(&t);
    }
    cr_expect_gt(checked, 10000);
}

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/tc_barcsv_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

Test(barcsv, reads_rows_cells_and_numbers)
{
    char *path = write_tmp("ts,open,high,low,close,volume,extra\r\n"
                           "1,1,2,0.5,1.5,10,x\r\n\r\n2,1,2,0.5,,10,nan\n");
    tc_barcsv_t *r = NULL;
    cr_assert_eq(tc_barcsv_open(&r, path), 0, "%s", tc_err_msg());
    cr_expect_eq(tc_barcsv_cols(r), 7);
    cr_expect_eq(tc_barcsv_col(r, "close"), 4);
    cr_expect_eq(tc_barcsv_col(r, "extra"), 6);
    cr_expect_eq(tc_barcsv_col(r, "nope"), -1);
    double v = 0;
    cr_assert_eq(tc_barcsv_next(r), 1);
    cr_expect_eq(tc_barcsv_line(r), 2);
    cr_expect_eq(tc_barcsv_num(r, 4, &v), 0);
    cr_expect_eq(v, 1.5);
    cr_expect_str_eq(tc_barcsv_cell(r, 0), "1");
    cr_expect_eq(tc_barcsv_num(r, 6, &v), -EPROTO);
    cr_expect_eq(v, 1.5, "untouched on error");
    char want[256];
    snprintf(want, sizeof want, "%s:2: column 'extra': 'x' is not a number", path);
    cr_expect_str_eq(tc_err_msg(), want);
    cr_assert_eq(tc_barcsv_next(r), 1, "the blank line is skipped");
    cr_expect_eq(tc_barcsv_line(r), 4);
    cr_expect_eq(tc_barcsv_num(r, 4, &v), 0);
    cr_expect(isnan(v), "an empty cell is NaN");
    cr_expect_eq(tc_barcsv_num(r, 6, &v), 0);
    cr_expect(isnan(v));
    cr_expect_eq(tc_barcsv_next(r), 0);
    tc_barcsv_close(r);
    unlink(path);
}

Test(barcsv, malformed_rows_and_headers)
{
    char *path = write_tmp("ts,close\n1,2\n3\n4,5,6\n7,8\n");
    tc_barcsv_t *r = NULL;
    cr_assert_eq(tc_barcsv_open(&r, path), 0);
    cr_expect_eq(tc_barcsv_next(r), 1);
    cr_expect_eq(tc_barcsv_next(r), -EPROTO);
    char want[256];
    snprintf(want, sizeof want, "%s:3: 1 cells where the header has 2", path);
    cr_expect_str_eq(tc_err_msg(), want);
    cr_expect_eq(tc_barcsv_next(r), -EPROTO, "line 4 has 3 cells");
    cr_expect_eq(tc_barcsv_next(r), 1, "the reader carries on after a bad row");
    cr_expect_str_eq(tc_barcsv_cell(r, 1), "8");
    tc_barcsv_close(r);
    unlink(path);

    path = write_tmp("ts,close,ts\n1,2,3\n");
    r = NULL;
    cr_expect_eq(tc_barcsv_open(&r, path), -EPROTO);
    cr_expect(strstr(tc_err_msg(), "column 'ts' appears twice"), "%s", tc_err_msg());
    cr_expect_null(r);
    unlink(path);

    path = write_tmp("");
    cr_expect_eq(tc_barcsv_open(&r, path), -EPROTO);
    unlink(path);
    cr_expect_eq(tc_barcsv_open(&r, "/nonexistent/bars.csv"), -ENOENT);
    tc_barcsv_close(NULL);
}
