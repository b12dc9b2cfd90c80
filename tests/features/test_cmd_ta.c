/* test_cmd_ta.c — the built `tickcast ta` and `tickcast features --list` binaries, run as
 * a user would: on the golden inputs, output files compared with TA-Lib's golden CSVs
 * (same header, same empty lookback cells, and for functions whose doubles agree bit
 * for bit the very same text), and one-line errors on bad input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "features/ta.h"
#include "tests/common/csvtab.h"

static const char *bin(void)
{
    static char buf[4096];
    const char *dir = getenv("TC_BIN_DIR");
    snprintf(buf, sizeof buf, "%s/tickcast", dir ? dir : TC_BIN_DIR);
    return buf;
}

/* Runs `tickcast args`, stdout to out_path (if any), stderr to err (first line). */
static int run(const char *args, const char *out_path, char *err, size_t errlen)
{
    char errfile[] = "/tmp/tc_cmd_ta_errXXXXXX";
    int fd = mkstemp(errfile);
    cr_assert_geq(fd, 0);
    close(fd);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' %s >%s 2>%s", bin(), args, out_path ? out_path : "/dev/null",
             errfile);
    int st = system(cmd);
    FILE *f = fopen(errfile, "r");
    err[0] = '\0';
    if (f) {
        if (!fgets(err, (int)errlen, f))
            err[0] = '\0';
        fclose(f);
    }
    unlink(errfile);
    return st;
}

static void skip_without_binary(void)
{
    if (access(bin(), X_OK) != 0)
        cr_skip_test("%s not built", bin());
    if (access(tc_shared_path("golden/input_goog.csv"), R_OK) != 0)
        cr_skip_test("%s not found", tc_shared_path("golden/input_goog.csv"));
}

/* Runs FUNC over input with extra args; compares the -o file with golden/<dir>/<FUNC>.csv
 * column by column (ts and every output), as text when exact_text. */
static void check_against_golden(const char *func, const char *dir, const char *input,
                                 const char *extra, int exact_text)
{
    if (!tc_ta_find(func))
        cr_skip_test("%s is not in the catalog yet", func);
    char out[] = "/tmp/tc_cmd_ta_outXXXXXX";
    int fd = mkstemp(out);
    cr_assert_geq(fd, 0);
    close(fd);
    char args[4096], err[1024];
    snprintf(args, sizeof args, "ta %s --input '%s' %s -o %s", func, input, extra, out);
    int st = run(args, NULL, err, sizeof err);
    cr_assert_eq(st, 0, "tickcast %s failed: %s", args, err);

    char gpath[256];
    snprintf(gpath, sizeof gpath, "golden/%s/%s.csv", dir, func);
    csvtab_t got, want;
    cr_assert_eq(csvtab_load(&got, out), 0);
    cr_assert_eq(csvtab_load(&want, tc_shared_path(gpath)), 0);
    unlink(out);
    cr_assert_eq(got.rows, want.rows, "%s: %d rows, golden %d", func, got.rows, want.rows);
    cr_assert_str_eq(got.head[0], "ts");
    const tc_ta_func_t *f = tc_ta_find(func);
    cr_assert_eq(got.cols, 1 + f->n_out, "%s: ts plus %d outputs", func, f->n_out);
    int differ = 0;
    for (int c = 0; c < got.cols; c++) {
        int wc = csvtab_col(&want, got.head[c]);
        cr_assert_geq(wc, 0, "%s: golden has no column %s", func, got.head[c]);
        for (int r = 0; r < got.rows; r++) {
            const char *g = csvtab_get(&got, r, c), *w = csvtab_get(&want, r, wc);
            if (exact_text || c == 0) {
                cr_assert_str_eq(g, w, "%s row %d column %s: '%s', golden '%s'", func, r,
                                 got.head[c], g, w);
                continue;
            }
            cr_assert_eq(!*g, !*w, "%s row %d: '%s', golden '%s'", func, r, g, w);
            if (*g) {
                double a = strtod(g, NULL), b = strtod(w, NULL);
                double d = a > b ? a - b : b - a, s = b < 0 ? -b : b;
                differ += !(d <= 1e-12 || d <= 1e-9 * s);
            }
        }
    }
    cr_expect_eq(differ, 0, "%s: %d cells beyond 1e-9", func, differ);
    csvtab_free(&got);
    csvtab_free(&want);
}

Test(cmd_ta, stddev_goog_is_the_golden_file_text)
{
    skip_without_binary();
    check_against_golden("STDDEV", "goog", tc_shared_path("golden/input_goog.csv"), "", 1);
}

Test(cmd_ta, minmaxindex_goog_integer_outputs)
{
    skip_without_binary();
    check_against_golden("MINMAXINDEX", "goog", tc_shared_path("golden/input_goog.csv"),
                         "TimePeriod=30", 1);
}

Test(cmd_ta, correl_synth_default_high_low_mapping)
{
    skip_without_binary();
    check_against_golden("CORREL", "synth", tc_shared_path("golden/input_synth.csv"), "", 1);
}

/* --map: ACOS's golden input is the derived in_real column of the golden file itself. */
Test(cmd_ta, acos_with_map_from_a_derived_column)
{
    skip_without_binary();
    char input[4096];
    snprintf(input, sizeof input, "%s", tc_shared_path("golden/synth/ACOS.csv"));
    check_against_golden("ACOS", "synth", input, "--map inReal=in_real", 1);
}

Test(cmd_ta, other_families_when_present)
{
    skip_without_binary();
    check_against_golden("SMA", "goog", tc_shared_path("golden/input_goog.csv"), "", 0);
}

Test(cmd_ta, errors_are_one_line_and_name_the_culprit)
{
    skip_without_binary();
    char err[1024], args[4096];
    const char *in = tc_shared_path("golden/input_goog.csv");

    snprintf(args, sizeof args, "ta NOSUCHFUNC --input '%s'", in);
    cr_expect_neq(run(args, NULL, err, sizeof err), 0);
    cr_expect(strstr(err, "unknown function 'NOSUCHFUNC'"), "stderr: %s", err);

    snprintf(args, sizeof args, "ta SUM TimePerod=3 --input '%s'", in);
    cr_expect_neq(run(args, NULL, err, sizeof err), 0);
    cr_expect(strstr(err, "unknown parameter 'TimePerod'"), "stderr: %s", err);

    snprintf(args, sizeof args, "ta SUM TimePeriod=1 --input '%s'", in);
    cr_expect_neq(run(args, NULL, err, sizeof err), 0);
    cr_expect(strstr(err, "TimePeriod=1 is outside its range [2, 100000]"), "stderr: %s", err);

    snprintf(args, sizeof args, "ta VAR --input '%s' --map inReal=nosuchcol", in);
    cr_expect_neq(run(args, NULL, err, sizeof err), 0);
    cr_expect(strstr(err, "no column 'nosuchcol' for input inReal"), "stderr: %s", err);

    char bad[] = "/tmp/tc_cmd_ta_badXXXXXX";
    int fd = mkstemp(bad);
    cr_assert_geq(fd, 0);
    const char *text = "ts,open,high,low,close,volume\n1,1,2,0.5,1.5,10\n2,1,2,0.5,1x,10\n"
                       "3,1,2\n4,1,2,0.5,1.7,10\n";
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    snprintf(args, sizeof args, "ta SUM TimePeriod=2 --input %s", bad);
    cr_expect_neq(run(args, NULL, err, sizeof err), 0);
    char where[512];
    snprintf(where, sizeof where, "%s:3: column 'close': '1x' is not a number", bad);
    cr_expect(strstr(err, where), "stderr: %s", err);

    /* --skip-bad: the two bad rows are counted, the good ones computed */
    char out[] = "/tmp/tc_cmd_ta_outXXXXXX";
    fd = mkstemp(out);
    close(fd);
    snprintf(args, sizeof args, "ta SUM TimePeriod=2 --input %s --skip-bad", bad);
    cr_expect_eq(run(args, out, err, sizeof err), 0);
    cr_expect(strstr(err, "skipped 2 malformed rows"), "stderr: %s", err);
    csvtab_t got;
    cr_assert_eq(csvtab_load(&got, out), 0);
    cr_expect_eq(got.rows, 2);
    cr_expect_str_eq(csvtab_get(&got, 1, 1), "3.2");
    csvtab_free(&got);
    unlink(out);
    unlink(bad);
}

Test(cmd_ta, precise_mode_option)
{
    skip_without_binary();
    char out[] = "/tmp/tc_cmd_ta_outXXXXXX";
    int fd = mkstemp(out);
    close(fd);
    char args[4096], err[1024];
    /* bars 999..1003 of the synthetic input are flat: precise STDDEV is exactly 0 there,
     * TA-Lib's (golden) is 3.0e-6 */
    snprintf(args, sizeof args, "ta STDDEV --mode precise --input '%s' -o %s",
             tc_shared_path("golden/input_synth.csv"), out);
    cr_assert_eq(run(args, NULL, err, sizeof err), 0, "%s", err);
    csvtab_t got;
    cr_assert_eq(csvtab_load(&got, out), 0);
    cr_expect_str_eq(csvtab_get(&got, 1003, 1), "0");
    csvtab_free(&got);
    unlink(out);
}

Test(cmd_ta, features_list_names_every_catalog_function)
{
    skip_without_binary();
    char out[] = "/tmp/tc_cmd_ta_outXXXXXX";
    int fd = mkstemp(out);
    close(fd);
    char err[1024];
    cr_assert_eq(run("features --list", out, err, sizeof err), 0, "%s", err);
    FILE *f = fopen(out, "r");
    cr_assert_not_null(f);
    char line[2048];
    int lines = 0, var_ok = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        if (strncmp(line, "VAR ", 4) == 0)
            var_ok = strstr(line, "TimePeriod=5(int 1..100000)") && strstr(line, "lookback: 4") &&
                     strstr(line, "Statistic Functions");
    }
    fclose(f);
    cr_expect_eq(lines, tc_ta_count(), "%d lines for %d functions", lines, tc_ta_count());
    cr_expect(var_ok, "VAR's line lacks its parameters, group or lookback");

    cr_assert_eq(run("features --list --json", out, err, sizeof err), 0, "%s", err);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import json,sys; d=json.load(open('%s')); "
             "v=[x for x in d if x['name']=='MINMAXINDEX'][0]; "
             "sys.exit(0 if len(d)==%d and v['lookback']==29 and v['outputs'][0]=="
             "{'name':'minidx','integer':True} and v['params'][0]['max']==100000 else 1)\"",
             out, tc_ta_count());
    if (access("/usr/bin/python3", X_OK) == 0)
        cr_expect_eq(system(cmd), 0, "features --list --json is not the expected JSON");
    unlink(out);
}
