/* test_stats_props.c — properties of the statistic, math and price-transform families that
 * the goldens do not cover: the first output comes exactly at lookback(p) for any period
 * (both modes), a reset instance replays bit for bit, precise mode forgets a non-finite
 * bar once it has left the window, and extreme periods work. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "features/ta.h"
#include "tests/common/csvtab.h"
#include "tests/common/alloc_count.h"

static int mine(const tc_ta_func_t *f)
{
    return strcmp(f->group, "Statistic Functions") == 0 || strcmp(f->group, "Math Operators") == 0 ||
           strcmp(f->group, "Math Transform") == 0 || strcmp(f->group, "Price Transform") == 0;
}

static csvtab_t in;
static int col[6];

static void load(void)
{
    if (csvtab_load(&in, tc_shared_path("golden/input_goog.csv")) < 0)
        cr_skip_test("%s not found", tc_shared_path("golden/input_goog.csv"));
    const char *names[] = {"open", "high", "low", "close", "volume"};
    for (int i = 0; i < 5; i++)
        col[i] = csvtab_col(&in, names[i]);
}

/* The bar r inputs of f: price inputs by name, inReal close, inReal0/1 high/low. */
static void inputs(const tc_ta_func_t *f, int r, double *x)
{
    for (int i = 0; i < f->n_in; i++) {
        const char *n = f->in[i];
        int c = strcmp(n, "open") == 0      ? col[0]
                : strcmp(n, "high") == 0    ? col[1]
                : strcmp(n, "inReal0") == 0 ? col[1]
                : strcmp(n, "low") == 0     ? col[2]
                : strcmp(n, "inReal1") == 0 ? col[2]
                : strcmp(n, "volume") == 0  ? col[4]
                                            : col[3];
        x[i] = csvtab_num(&in, r, c);
        if (strcmp(n, "inReal") == 0 && (strcmp(f->name, "ACOS") == 0 || strcmp(f->name, "ASIN") == 0))
            x[i] = fmod(x[i], 2.0) - 1.0; /* keep it in their domain */
    }
}

static void set_period(const tc_ta_func_t *f, double *p, int period)
{
    tc_ta_params_parse(f, NULL, p);
    for (int i = 0; i < f->n_param; i++)
        if (strcmp(f->param[i].name, "TimePeriod") == 0)
            p[i] = fmax(period, f->param[i].min);
}

Test(stats_props, first_output_at_lookback_and_reset_replays)
{
    load();
    int checked = 0;
    for (int i = 0; i < tc_ta_count(); i++) {
        const tc_ta_func_t *f = tc_ta_at(i);
        if (!mine(f))
            continue;
        for (int mode = 0; mode < 2; mode++)
            for (int period = 1; period <= 40; period += 3) {
                double p[TC_TA_MAX_PARAM];
                set_period(f, p, period);
                tc_ta_t *ta = tc_ta_create(f, p, mode);
                cr_assert_not_null(ta, "%s(%d)", f->name, period);
                int lb = tc_ta_lookback(ta);
                static double first[400][TC_TA_MAX_OUT];
                for (int pass = 0; pass < 2; pass++) {
                    for (int r = 0; r < 400; r++) {
                        double x[TC_TA_MAX_IN], y[TC_TA_MAX_OUT];
                        inputs(f, r, x);
                        int ready = tc_ta_update(ta, x, y);
                        cr_assert_eq(ready, r >= lb, "%s(%d) mode %d bar %d: ready %d, lookback %d",
                                     f->name, period, mode, r, ready, lb);
                        for (int k = 0; ready && k < f->n_out; k++) {
                            if (pass == 0)
                                first[r][k] = y[k];
                            else
                                cr_assert(memcmp(&first[r][k], &y[k], sizeof(double)) == 0,
                                          "%s(%d) mode %d bar %d: %.17g after reset, %.17g before",
                                          f->name, period, mode, r, y[k], first[r][k]);
                        }
                    }
                    cr_assert(tc_ta_ready(ta));
                    tc_ta_reset(ta);
                    cr_assert(!tc_ta_ready(ta));
                }
                tc_ta_destroy(ta);
                checked++;
            }
    }
    cr_expect_eq(checked, 40 * 2 * 14, "%d function/mode/period runs", checked);
    csvtab_free(&in);
}

/* Precise mode re-anchors its windows, so a NaN or inf bar is forgotten once it has left
 * the window: outputs then equal those of an instance that never saw it.  (TA-Lib's
 * running sums, and talib mode, keep the NaN for ever.) */
Test(stats_props, precise_mode_forgets_a_non_finite_bar)
{
    load();
    const char *names[] = {"VAR", "STDDEV", "LINEARREG", "LINEARREG_SLOPE", "TSF",
                           "CORREL", "BETA", "SUM", "AVGDEV", "MAX", "MININDEX"};
    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (size_t b = 0; b < 3; b++) {
            const tc_ta_func_t *f = tc_ta_find(names[i]);
            cr_assert_not_null(f);
            double p[TC_TA_MAX_PARAM];
            set_period(f, p, 10);
            tc_ta_t *a = tc_ta_create(f, p, TC_TA_MODE_PRECISE);
            tc_ta_t *c = tc_ta_create(f, p, TC_TA_MODE_PRECISE);
            int hit = 200, agree_from = -1;
            for (int r = 0; r < 400; r++) {
                double x[TC_TA_MAX_IN], y[TC_TA_MAX_OUT], z[TC_TA_MAX_OUT];
                inputs(f, r, x);
                if (r == hit)
                    for (int k = 0; k < f->n_in; k++)
                        x[k] = bad[b];
                int ra = tc_ta_update(a, x, y);
                if (r <= hit + 1) /* the clean instance starts after the bad bar (and BETA's return) */
                    continue;
                int rc = tc_ta_update(c, x, z);
                if (!ra || !rc)
                    continue;
                int same = 1;
                for (int k = 0; k < f->n_out; k++) {
                    if ((f->out_int >> k) & 1) /* indexes count from each instance's first bar */
                        z[k] += hit + 2;
                    same &= fabs(y[k] - z[k]) <= 1e-9 * fabs(z[k]) || y[k] == z[k];
                }
                if (same && agree_from < 0)
                    agree_from = r;
                if (!same)
                    agree_from = -1;
            }
            cr_expect(agree_from >= 0 && agree_from <= hit + 2 + 3 * 10,
                      "%s: after a %g bar, precise outputs agree again only from bar %d",
                      names[i], bad[b], agree_from);
            tc_ta_destroy(a);
            tc_ta_destroy(c);
        }
    csvtab_free(&in);
}

Test(stats_props, extreme_periods)
{
    load();
    const char *names[] = {"VAR", "CORREL", "BETA", "LINEARREG", "SUM", "MINMAXINDEX", "AVGDEV"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const tc_ta_func_t *f = tc_ta_find(names[i]);
        double p[TC_TA_MAX_PARAM];
        char spec[32];
        snprintf(spec, sizeof spec, "TimePeriod=100001");
        cr_expect_lt(tc_ta_params_parse(f, spec, p), 0, "%s: TimePeriod above the range", f->name);
        snprintf(spec, sizeof spec, "TimePeriod=100000");
        cr_assert_eq(tc_ta_params_parse(f, spec, p), 0);
        for (int mode = 0; mode < 2; mode++) {
            tc_ta_t *ta = tc_ta_create(f, p, mode);
            cr_assert_not_null(ta);
            int ready = 0;
            for (int r = 0; r < in.rows; r++) {
                double x[TC_TA_MAX_IN], y[TC_TA_MAX_OUT];
                inputs(f, r, x);
                ready |= tc_ta_update(ta, x, y);
            }
            cr_expect(!ready, "%s: output before 100000 bars", f->name);
            tc_ta_destroy(ta);
        }
    }
    csvtab_free(&in);
}

/* No allocation on the update path: malloc, calloc and realloc are interposed in this
 * test executable (forwarding to glibc) and counted while every function of these
 * families, in both modes, takes a thousand bars. */
#if !defined(__SANITIZE_ADDRESS__)
TC_TEST_ALLOC_COUNTER(counting, allocations)
#endif

Test(stats_props, updates_never_allocate)
{
#if defined(__SANITIZE_ADDRESS__)
    cr_skip_test("ASan owns malloc in this build; the Release build runs this test");
#else
    load();
    tc_ta_t *ta[2 * 64];
    int n = 0;
    for (int i = 0; i < tc_ta_count(); i++) {
        const tc_ta_func_t *f = tc_ta_at(i);
        if (!mine(f) || n + 2 > (int)(sizeof ta / sizeof ta[0]))
            continue;
        double p[TC_TA_MAX_PARAM];
        set_period(f, p, 14);
        ta[n++] = tc_ta_create(f, p, TC_TA_MODE_TALIB);
        ta[n++] = tc_ta_create(f, p, TC_TA_MODE_PRECISE);
    }
    /* the probe works: an allocation while counting is seen */
    counting = 1;
    void *volatile probe = malloc(16);
    free(probe);
    counting = 0;
    cr_assert_eq(allocations, 1, "the malloc interposer does not see allocations");
    allocations = 0;

    counting = 1;
    for (int r = 0; r < 1000; r++)
        for (int k = 0; k < n; k++) {
            const tc_ta_func_t *f = tc_ta_func(ta[k]);
            double x[TC_TA_MAX_IN], y[TC_TA_MAX_OUT];
            inputs(f, r, x);
            tc_ta_update(ta[k], x, y);
        }
    counting = 0;
    cr_expect_eq(allocations, 0, "%ld allocations during 1000 bars x %d instances", allocations, n);
    cr_expect_eq(n, 80, "%d instances", n);
    for (int k = 0; k < n; k++)
        tc_ta_destroy(ta[k]);
    csvtab_free(&in);
#endif
}
