/* test_params.c — non-default parameters checked against TA-Lib itself.
 *
 * tests/golden/fixtures/ holds TA-Lib's outputs for a second parameter set of many
 * functions (MA types other than SMA, other periods, deviations, penetration, SAREXT
 * accelerations, MAVP bounds, STOCH MA types...) on the first bars of the golden goog
 * input, written by tools/talib-fixtures.sh from TA-Lib's own C library.  params.tsv
 * indexes them: id, function, input mapping, parameters, TA-Lib's lookback.  Each
 * fixture is run through the catalog with the same parameters, one bar at a time, and
 * every cell is compared as in test_golden.c.  Functions not in the catalog yet are
 * counted and reported as a skip, never as a pass. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/ta.h"
#include "tests/common/csvtab.h"
#include "tests/common/golden_cmp.h"

#define MAX_FIX 128

typedef struct fixture {
    char id[40], func[32], inputs[128], params[512];
    int lookback;
} fixture_t;

static const char *fixture_path(const char *name)
{
    static char buf[4096];
    const char *root = getenv("TC_SOURCE_DIR");
    snprintf(buf, sizeof buf, "%s/tests/golden/fixtures/%s", root ? root : TC_SOURCE_DIR, name);
    return buf;
}

static int load_index(fixture_t *fx, int max)
{
    FILE *f = fopen(fixture_path("params.tsv"), "r");
    if (!f)
        return -1;
    char line[2048];
    int n = 0;
    if (!fgets(line, sizeof line, f)) { /* header */
        fclose(f);
        return -1;
    }
    while (n < max && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *col[5] = {0};
        char *s = line;
        for (int i = 0; i < 5 && s; i++) {
            col[i] = s;
            s = strchr(s, '\t');
            if (s)
                *s++ = '\0';
        }
        if (!col[4])
            continue;
        snprintf(fx[n].id, sizeof fx[n].id, "%s", col[0]);
        snprintf(fx[n].func, sizeof fx[n].func, "%s", col[1]);
        snprintf(fx[n].inputs, sizeof fx[n].inputs, "%s", col[2]);
        snprintf(fx[n].params, sizeof fx[n].params, "%s", col[3]);
        fx[n].lookback = atoi(col[4]);
        n++;
    }
    fclose(f);
    return n;
}

/* Column feeding TA-Lib input name: "inReal=close" style mapping, else the name itself. */
static const char *input_column(const char *inputs, const char *name, char *buf, size_t len)
{
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s", inputs);
    char *save = NULL;
    for (char *tok = strtok_r(tmp, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        if (eq) {
            *eq = '\0';
            if (strcmp(tok, name) == 0) {
                snprintf(buf, len, "%s", eq + 1);
                return buf;
            }
        }
    }
    return name;
}

/* 1 if every cell of the fixture agrees; the first disagreement goes to why. */
static int run_fixture(const fixture_t *fx, const csvtab_t *in, double *worst, char *why,
                       size_t whylen)
{
    const tc_ta_func_t *f = tc_ta_find(fx->func);
    char file[64];
    snprintf(file, sizeof file, "%s.csv", fx->id);
    csvtab_t gold;
    cr_assert_eq(csvtab_load(&gold, fixture_path(file)), 0, "%s: cannot read the fixture", fx->id);
    double p[TC_TA_MAX_PARAM];
    if (tc_ta_params_parse(f, fx->params, p) < 0) {
        snprintf(why, whylen, "parameters '%s' refused", fx->params);
        csvtab_free(&gold);
        return 0;
    }
    tc_ta_t *ta = tc_ta_create(f, p, TC_TA_MODE_TALIB);
    cr_assert_not_null(ta, "%s: create failed", fx->id);
    cr_expect_eq(tc_ta_lookback(ta), fx->lookback, "%s: lookback %d, TA-Lib %d", fx->id,
                 tc_ta_lookback(ta), fx->lookback);
    int ok = tc_ta_lookback(ta) == fx->lookback;
    if (!ok)
        snprintf(why, whylen, "lookback %d, TA-Lib %d", tc_ta_lookback(ta), fx->lookback);
    const csvtab_t *src_tab[TC_TA_MAX_IN];
    int src_col[TC_TA_MAX_IN];
    for (int i = 0; i < f->n_in; i++) {
        char buf[64];
        const char *col = input_column(fx->inputs, f->in[i], buf, sizeof buf);
        src_tab[i] = in;
        src_col[i] = csvtab_col(in, col);
        if (src_col[i] < 0) { /* derived inputs (in_periods, in_real) sit in the fixture */
            src_tab[i] = &gold;
            src_col[i] = csvtab_col(&gold, col);
        }
        cr_assert_geq(src_col[i], 0, "%s: no column %s for input %s", fx->id, col, f->in[i]);
    }
    int out_col[TC_TA_MAX_OUT];
    for (int k = 0; k < f->n_out; k++) {
        out_col[k] = csvtab_col(&gold, f->out[k]);
        cr_assert_geq(out_col[k], 0, "%s: fixture has no column %s", fx->id, f->out[k]);
    }
    cr_assert_leq(gold.rows, in->rows, "%s: more fixture rows than input bars", fx->id);
    int ts_in = csvtab_col(in, "ts"), ts_gold = csvtab_col(&gold, "ts");
    for (int r = 0; r < gold.rows && ok; r++) {
        cr_assert_str_eq(csvtab_get(&gold, r, ts_gold), csvtab_get(in, r, ts_in),
                         "%s: row %d is not input bar %d", fx->id, r, r);
        double x[TC_TA_MAX_IN], y[TC_TA_MAX_OUT];
        for (int i = 0; i < f->n_in; i++)
            x[i] = csvtab_num(src_tab[i], r, src_col[i]);
        int ready = tc_ta_update(ta, x, y);
        for (int k = 0; k < f->n_out && ok; k++) {
            const char *cell = csvtab_get(&gold, r, out_col[k]);
            if (!*cell) {
                if (ready) {
                    snprintf(why, whylen, "bar %d: output %s=%.17g where TA-Lib has none", r,
                             f->out[k], y[k]);
                    ok = 0;
                }
                continue;
            }
            if (!ready) {
                snprintf(why, whylen, "bar %d: no output where TA-Lib has %s=%s", r, f->out[k],
                         cell);
                ok = 0;
                continue;
            }
            if (!tc_golden_close_enough(strtod(cell, NULL), y[k], (f->out_int >> k) & 1, worst)) {
                snprintf(why, whylen, "bar %d: %s=%.17g, TA-Lib %s", r, f->out[k], y[k], cell);
                ok = 0;
            }
        }
    }
    tc_ta_destroy(ta);
    csvtab_free(&gold);
    return ok;
}

Test(params, non_default_sets_agree_with_talib, .timeout = 120)
{
    static fixture_t fx[MAX_FIX];
    int n = load_index(fx, MAX_FIX);
    cr_assert_gt(n, 0, "cannot read %s (tools/talib-fixtures.sh writes it)",
                 fixture_path("params.tsv"));
    csvtab_t in;
    if (csvtab_load(&in, tc_shared_path("golden/input_goog.csv")) < 0)
        cr_skip_test("%s not found: the shared reference data must sit beside the clone",
                     tc_shared_path("golden/input_goog.csv"));

    /* The fixtures must cover at least 40 distinct functions. */
    int distinct = 0;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= strcmp(fx[i].func, fx[j].func) == 0;
        distinct += !seen;
    }
    cr_expect_geq(distinct, 40, "the fixtures cover only %d functions", distinct);

    int agree = 0, wrong = 0, missing = 0;
    char wrong_list[2048] = "", missing_list[2048] = "";
    for (int i = 0; i < n; i++) {
        if (!tc_ta_find(fx[i].func)) {
            missing++;
            size_t l = strlen(missing_list);
            snprintf(missing_list + l, sizeof missing_list - l, " %s", fx[i].id);
            printf("params %-20s %-20s not in the catalog yet\n", fx[i].id, fx[i].func);
            continue;
        }
        double worst = 0;
        char why[256] = "";
        if (run_fixture(&fx[i], &in, &worst, why, sizeof why)) {
            agree++;
            printf("params %-20s %-50.50s agrees   worst rel %.3g\n", fx[i].id, fx[i].params, worst);
        } else {
            wrong++;
            printf("params %-20s %-50.50s DIFFERS  %s\n", fx[i].id, fx[i].params, why);
            size_t l = strlen(wrong_list);
            snprintf(wrong_list + l, sizeof wrong_list - l, " %s", fx[i].id);
        }
    }
    printf("params: %d parameter sets over %d functions; %d agree with TA-Lib, %d differ, "
           "%d not in the catalog yet\n", n, distinct, agree, wrong, missing);
    fflush(stdout);
    csvtab_free(&in);
    cr_expect_eq(wrong, 0, "%d parameter sets differ from TA-Lib:%s", wrong, wrong_list);
    if (missing)
        cr_skip_test("%d of %d parameter sets name functions not in the catalog yet (%d agree):%s",
                     missing, n, agree, missing_list);
}

/* Every catalog function takes TA-Lib's parameters, in TA-Lib's order, with its group,
 * defaults and valid ranges (fixtures/ranges.tsv, written by tools/talib-fixtures.sh
 * from TA-Lib's abstract interface). */
Test(params, names_defaults_and_ranges_are_talibs)
{
    FILE *f = fopen(fixture_path("ranges.tsv"), "r");
    cr_assert_not_null(f, "cannot read %s", fixture_path("ranges.tsv"));
    char line[1024], prev[64] = "";
    int funcs = 0, missing = 0, wrong = 0, k = 0;
    const tc_ta_func_t *fn = NULL;
    cr_assert_not_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *col[7] = {0}, *s = line;
        for (int i = 0; i < 7 && s; i++) {
            col[i] = s;
            s = strchr(s, '\t');
            if (s)
                *s++ = '\0';
        }
        cr_assert_not_null(col[6], "ranges.tsv: short row");
        if (strcmp(col[0], prev) != 0) { /* a new function: was the previous one complete? */
            if (fn && k != fn->n_param) {
                printf("ranges %-20s %d parameters, TA-Lib %d\n", fn->name, fn->n_param, k);
                wrong++;
            }
            snprintf(prev, sizeof prev, "%s", col[0]);
            funcs++;
            k = 0;
            fn = tc_ta_find(col[0]);
            missing += !fn;
            if (fn && strcmp(fn->group, col[1]) != 0) {
                printf("ranges %-20s group '%s', TA-Lib '%s'\n", fn->name, fn->group, col[1]);
                wrong++;
            }
        }
        if (!fn || strcmp(col[2], "-") == 0)
            continue;
        if (k >= fn->n_param) {
            k++;
            continue;
        }
        const tc_ta_param_t *d = &fn->param[k++];
        tc_ta_ptype_t want_type = strcmp(col[3], "int") == 0    ? TC_TA_PARAM_INT
                                  : strcmp(col[3], "list") == 0 ? TC_TA_PARAM_MATYPE
                                                                : TC_TA_PARAM_REAL;
        double def = strtod(col[4], NULL), lo = strtod(col[5], NULL), hi = strtod(col[6], NULL);
        if (strcmp(d->name, col[2]) != 0 || d->type != want_type || d->def != def ||
            d->min != lo || d->max != hi) {
            printf("ranges %-20s parameter %d: %s type %d default %g [%g, %g]; TA-Lib %s %s "
                   "default %s [%s, %s]\n", fn->name, k, d->name, (int)d->type, d->def, d->min,
                   d->max, col[2], col[3], col[4], col[5], col[6]);
            wrong++;
        }
    }
    if (fn && k != fn->n_param) {
        printf("ranges %-20s %d parameters, TA-Lib %d\n", fn->name, fn->n_param, k);
        wrong++;
    }
    fclose(f);
    printf("ranges: %d TA-Lib functions, %d in the catalog, %d mismatches\n", funcs,
           funcs - missing, wrong);
    fflush(stdout);
    cr_expect_eq(funcs, 161, "ranges.tsv lists %d functions", funcs);
    cr_expect_eq(wrong, 0, "%d parameter descriptions differ from TA-Lib's", wrong);
    if (missing)
        cr_skip_test("%d of %d functions are not in the catalog yet", missing, funcs);
}
