/* test_golden.c — every function of ../shared/golden/functions.tsv, run one bar at a
 * time over both golden inputs and compared cell by cell with TA-Lib's batch output.
 *
 * Real outputs agree within 1e-9 relative (or 1e-12 absolute near zero); integer
 * outputs exactly; an empty golden cell must be a bar where update() returned 0.
 * The suite prints how many functions agree and the worst relative error of each. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/ta.h"
#include "tests/common/csvtab.h"
#include "tests/common/golden_cmp.h"


typedef struct golden_fn {
    char name[32];
    char inputs[128];
    char params[512];
} golden_fn_t;

static int load_functions(golden_fn_t *fn, int max)
{
    FILE *f = fopen(tc_shared_path("golden/functions.tsv"), "r");
    if (!f)
        return -1;
    char line[2048];
    int n = 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (n < max && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *col[6] = {0};
        char *s = line;
        for (int i = 0; i < 6 && s; i++) {
            col[i] = s;
            s = strchr(s, '\t');
            if (s)
                *s++ = '\0';
        }
        if (!col[3])
            continue;
        snprintf(fn[n].name, sizeof fn[n].name, "%s", col[0]);
        snprintf(fn[n].inputs, sizeof fn[n].inputs, "%s", col[2]);
        snprintf(fn[n].params, sizeof fn[n].params, "%s", col[3]);
        n++;
    }
    fclose(f);
    return n;
}

/* Column (in the input or golden table) feeding TA-Lib input `name`, per the tsv. */
static const char *input_column(const char *inputs, const char *name, char *buf, size_t len)
{
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s", inputs);
    for (char *tok = strtok(tmp, " "); tok; tok = strtok(NULL, " ")) {
        char *eq = strchr(tok, '=');
        if (eq) {
            *eq = '\0';
            if (strcmp(tok, name) == 0) {
                snprintf(buf, len, "%s", eq + 1);
                return buf;
            }
        }
    }
    return name; /* price inputs are named after their column */
}

/* Runs one function over one input; returns 1 if every cell agrees.  Writes the first
 * disagreement to why. */
static int run_one(const golden_fn_t *g, const char *input, const csvtab_t *in, double *worst,
                   char *why, size_t whylen)
{
    const tc_ta_func_t *f = tc_ta_find(g->name);
    if (!f) {
        snprintf(why, whylen, "not in the catalog");
        return 0;
    }
    char path[256];
    snprintf(path, sizeof path, "golden/%s/%s.csv", input, g->name);
    csvtab_t gold;
    if (csvtab_load(&gold, tc_shared_path(path)) < 0) {
        snprintf(why, whylen, "cannot read %s", path);
        return 0;
    }
    double p[TC_TA_MAX_PARAM];
    const char *spec = strcmp(g->params, "-") == 0 ? "" : g->params;
    if (tc_ta_params_parse(f, spec, p) < 0) {
        snprintf(why, whylen, "parameters '%s' refused", spec);
        csvtab_free(&gold);
        return 0;
    }
    tc_ta_t *ta = tc_ta_create(f, p, TC_TA_MODE_TALIB);
    cr_assert_not_null(ta, "%s: create failed", g->name);
    int src_col[TC_TA_MAX_IN];
    const csvtab_t *src_tab[TC_TA_MAX_IN];
    for (int i = 0; i < f->n_in; i++) {
        char buf[64];
        const char *col = input_column(g->inputs, f->in[i], buf, sizeof buf);
        src_tab[i] = in;
        src_col[i] = csvtab_col(in, col);
        if (src_col[i] < 0) {
            src_tab[i] = &gold;
            src_col[i] = csvtab_col(&gold, col);
        }
        cr_assert_geq(src_col[i], 0, "%s: no column %s for input %s", g->name, col, f->in[i]);
    }
    int out_col[TC_TA_MAX_OUT];
    for (int k = 0; k < f->n_out; k++) {
        out_col[k] = csvtab_col(&gold, f->out[k]);
        cr_assert_geq(out_col[k], 0, "%s: golden has no column %s", g->name, f->out[k]);
    }
    cr_assert_eq(gold.rows, in->rows, "%s: golden rows", g->name);
    int ok = 1;
    for (int r = 0; r < in->rows && ok; r++) {
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
                snprintf(why, whylen, "bar %d: no output where TA-Lib has %s=%s", r, f->out[k], cell);
                ok = 0;
                continue;
            }
            double want = strtod(cell, NULL);
            if (!tc_golden_close_enough(want, y[k], (f->out_int >> k) & 1, worst)) {
                snprintf(why, whylen, "bar %d: %s=%.17g, TA-Lib %s", r, f->out[k], y[k], cell);
                ok = 0;
            }
        }
    }
    tc_ta_destroy(ta);
    csvtab_free(&gold);
    return ok;
}

static void run_input(const char *input)
{
    static golden_fn_t fn[256];
    int n = load_functions(fn, 256);
    if (n < 0)
        cr_skip_test("%s not found: the shared reference data must sit beside the clone",
                     tc_shared_path("golden/functions.tsv"));
    csvtab_t in;
    char path[128];
    snprintf(path, sizeof path, "golden/input_%s.csv", input);
    cr_assert_eq(csvtab_load(&in, tc_shared_path(path)), 0, "cannot read %s", path);

    int agree = 0, missing = 0, wrong = 0;
    char wrong_list[4096] = "";
    for (int i = 0; i < n; i++) {
        double worst = 0;
        char why[256] = "";
        if (!tc_ta_find(fn[i].name)) {
            missing++;
            continue;
        }
        if (run_one(&fn[i], input, &in, &worst, why, sizeof why)) {
            agree++;
            printf("golden %-6s %-20s agrees   worst rel %.3g\n", input, fn[i].name, worst);
        } else {
            wrong++;
            printf("golden %-6s %-20s DIFFERS  %s\n", input, fn[i].name, why);
            size_t l = strlen(wrong_list);
            snprintf(wrong_list + l, sizeof wrong_list - l, " %s", fn[i].name);
        }
    }
    printf("golden %s: %d of %d functions agree with TA-Lib (%d not yet in the catalog)\n", input,
           agree, n, missing);
    fflush(stdout);
    csvtab_free(&in);
    cr_expect_eq(wrong, 0, "%s: %d implemented functions differ from TA-Lib:%s", input, wrong,
                 wrong_list);
    if (missing)
        cr_skip_test("%s: %d of %d functions are not in the catalog yet (%d agree)", input, missing,
                     n, agree);
}

Test(golden, goog, .timeout = 300) { run_input("goog"); }
Test(golden, synth, .timeout = 300) { run_input("synth"); }
