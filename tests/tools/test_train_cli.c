/* test_train_cli.c — `tickcast synth`, `train`, `evaluate` and `predict` end to end on a
 * small synthetic market: the model loads and carries every metadata key, two runs with
 * one seed write the same bytes, evaluate's figures equal a naive recomputation from
 * predict's CSV (tests/tools/eval_check.py, Debian's python3), walk-forward reports
 * every fold, and bad input gives one line on stderr and a non-zero exit. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "infer/dataset.h"
#include "infer/forecast.h"
#include "infer/model.h"
#include "ingest/tickfile.h"

#define TINY "--bar-type tick --bar-size 60 --sequence-length 8 --hidden-dim 6 --horizon 2 " \
             "--epochs 3 --batch 32"

static char dir[128];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/tc-test-train-%d", getpid());
    mkdir(dir, 0700);
}

static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* Runs `tickcast ARGS` (cd'ed into dir), stdout to out (if not NULL) and stderr into err
 * (if not NULL, up to len bytes).  Returns the exit status. */
static int run(char *out, size_t olen, char *err, size_t elen, const char *fmt, ...)
{
    char args[2048], cmd[4096], ef[256], of[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(ef, sizeof ef, "%s/stderr.txt", dir);
    snprintf(of, sizeof of, "%s/stdout.txt", dir);
    snprintf(cmd, sizeof cmd, "cd %s && %s/tickcast %s >%s 2>%s", dir, TC_BIN_DIR, args, of, ef);
    int st = system(cmd);
    const char *files[2] = {of, ef};
    char *bufs[2] = {out, err};
    size_t lens[2] = {olen, elen};
    for (int i = 0; i < 2; i++) {
        if (!bufs[i])
            continue;
        FILE *f = fopen(files[i], "r");
        size_t n = f ? fread(bufs[i], 1, lens[i] - 1, f) : 0;
        bufs[i][n] = '\0';
        if (f)
            fclose(f);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void make_data(void)
{
    char err[512];
    cr_assert_eq(run(NULL, 0, err, sizeof err,
                     "synth -o s.tck --seed 7 --symbols EURUSD,BTCUSDT --ticks 150000"),
                 0, "%s", err);
}

static int read_file(const char *name, char **ret, size_t *ret_len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *ret = malloc((size_t)n + 1);
    *ret_len = fread(*ret, 1, (size_t)n, f);
    fclose(f);
    return 0;
}

TestSuite(train_cli, .init = setup, .fini = teardown, .timeout = 120);

Test(train_cli, writes_a_model_that_loads_with_every_metadata_key)
{
    make_data();
    char out[4096], err[1024];
    cr_assert_eq(run(out, sizeof out, err, sizeof err, "train --data s.tck -o m.safetensors " TINY),
                 0, "%s", err);
    cr_assert(strstr(out, "m.safetensors: lstm hidden 6"), "%s", out);
    char path[256];
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
    tc_model_t *m = NULL;
    cr_assert_eq(tc_forecast_model_load(&m, path, 4), 0, "%s", tc_err_msg());
    static const char *const keys[] = {
        "features", "scaler_mean", "scaler_std", "sequence_length", "bar_type", "bar_size",
        "feature_mode", "hyperparameters", "train_range", "train_range_ns", "train_files",
        "metrics",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_assert_not_null(tc_model_meta_get(m, keys[i]), "metadata %s missing", keys[i]);
    cr_assert_eq(m->sequence_length, 8);
    cr_assert_eq(m->net->cfg.hidden, 6);
    cr_assert_eq(m->net->cfg.horizon, 2);
    cr_assert_str_eq(tc_model_meta_get(m, "bar_type"), "tick");
    cr_assert_str_eq(tc_model_meta_get(m, "bar_size"), "60");
    char s[256], hex[65];
    snprintf(s, sizeof s, "%s/s.tck", dir);
    cr_assert_eq(tc_dataset_file_sha256(hex, s), 0);
    snprintf(s, sizeof s, "{\"s.tck\":\"sha256:%s\"}", hex);
    cr_assert_str_eq(tc_model_meta_get(m, "train_files"), s);
    const char *metrics = tc_model_meta_get(m, "metrics");
    for (const char *k = "train_loss\0val_loss\0test_loss\0\"test\":{\"rows\"\0beats_zero\0"; *k;
         k += strlen(k) + 1)
        cr_assert(strstr(metrics, k), "metrics lack %s: %s", k, metrics);
    const char *range = tc_model_meta_get(m, "train_range");
    cr_assert(strlen(range) > 40 && strchr(range, '/') && range[0] == '2', "%s", range);
    /* the features stage's list for these specs parses back to the same inputs */
    char list[8192];
    tc_dataset_opts_t o;
    cr_assert_eq(tc_forecast_dataset_opts(&o, list, sizeof list, m), 0, "%s", tc_err_msg());
    cr_assert_eq(o.bar_type, 1);
    tc_model_destroy(m);
    cr_assert_eq(run(out, sizeof out, err, sizeof err, "model info m.safetensors --json"), 0, "%s", err);
    cr_assert(strstr(out, "\"hidden\":6"), "%s", out);
}

Test(train_cli, same_data_and_seed_write_the_same_bytes)
{
    make_data();
    char err[1024];
    cr_assert_eq(run(NULL, 0, err, sizeof err, "train --data s.tck -o a.safetensors --seed 5 " TINY), 0, "%s", err);
    cr_assert_eq(run(NULL, 0, err, sizeof err, "train --data s.tck -o b.safetensors --seed 5 " TINY), 0, "%s", err);
    cr_assert_eq(run(NULL, 0, err, sizeof err, "train --data s.tck -o c.safetensors --seed 6 " TINY), 0, "%s", err);
    char *a, *b, *c;
    size_t na, nb, nc;
    cr_assert_eq(read_file("a.safetensors", &a, &na), 0);
    cr_assert_eq(read_file("b.safetensors", &b, &nb), 0);
    cr_assert_eq(read_file("c.safetensors", &c, &nc), 0);
    cr_assert_gt(na, 1000);
    cr_assert(na == nb && memcmp(a, b, na) == 0, "two runs with seed 5 differ");
    cr_assert(na != nc || memcmp(a, c, na) != 0, "seeds 5 and 6 gave the same model");
    free(a), free(b), free(c);
}

static void eval_matches_predict(const char *state, const char *tol)
{
    char out[4096], err[1024];
    if (access("/usr/bin/python3", X_OK) != 0)
        cr_skip_test("/usr/bin/python3 (Debian's) is needed for the naive recomputation");
    make_data();
    cr_assert_eq(run(NULL, 0, err, sizeof err, "train --data s.tck -o m.safetensors " TINY), 0, "%s", err);
    cr_assert_eq(run(NULL, 0, err, sizeof err,
                     "evaluate --model m.safetensors --data s.tck --state %s --json", state), 0, "%s", err);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp %s/stdout.txt %s/e.json", dir, dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(run(NULL, 0, err, sizeof err,
                     "predict --model m.safetensors --data s.tck --state %s -o p.csv", state), 0, "%s", err);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/tools/eval_check.py %s/p.csv %s/e.json %s 2>&1",
             TC_SOURCE_DIR, dir, dir, tol);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    cr_assert_eq(st, 0, "naive recomputation disagrees:\n%s", out);
    cr_assert(strstr(out, "groups 3"), "two symbols and the overall figures: %s", out);
    cr_log_info("%s state: %s", state, out);
}

/* Carried state: predict and evaluate run the same streaming step: figures agree to
 * the summation order. */
Test(train_cli, evaluate_equals_a_naive_recomputation_from_predict_carry)
{
    eval_matches_predict("carry", "1e-9");
}

/* Window state: evaluate's batched window forward against predict's streaming step from
 * zero state over the same rows (kernels agree to ~1e-7). */
Test(train_cli, evaluate_equals_a_naive_recomputation_from_predict_window)
{
    eval_matches_predict("window", "1e-5");
}

Test(train_cli, walk_forward_reports_every_fold)
{
    make_data();
    char out[65536], err[1024];
    cr_assert_eq(run(out, sizeof out, err, sizeof err,
                     "train --data s.tck -o w.safetensors --walk-forward 300,60,60 --json " TINY),
                 0, "%s", err);
    int folds = 0;
    for (const char *p = out; (p = strstr(p, "\"train_loss\"")); p++)
        folds++;
    cr_assert_geq(folds, 2, "%s", out);
    char path[256];
    snprintf(path, sizeof path, "%s/w.safetensors", dir);
    tc_model_t *m = NULL;
    cr_assert_eq(tc_forecast_model_load(&m, path, 1), 0, "%s", tc_err_msg());
    const char *metrics = tc_model_meta_get(m, "metrics");
    cr_assert(strstr(metrics, "\"folds\":["), "%s", metrics);
    cr_assert(strstr(tc_model_meta_get(m, "hyperparameters"), "\"walk_forward\":[300,60,60,60]"));
    tc_model_destroy(m);
}

static void one_line_failure(const char *args, const char *want)
{
    char err[2048];
    int st = run(NULL, 0, err, sizeof err, "%s", args);
    cr_assert_neq(st, 0, "tickcast %s succeeded", args);
    cr_assert_lt(st, 128, "tickcast %s crashed", args);
    char *nl = strchr(err, '\n');
    cr_assert(nl && nl[1] == '\0', "not one line: %s", err);
    cr_assert(strstr(err, want), "tickcast %s: \"%s\" lacks \"%s\"", args, err, want);
}

Test(train_cli, bad_input_gets_one_line_and_a_non_zero_exit)
{
    make_data();
    one_line_failure("train --data missing.tck -o m.safetensors", "missing.tck");
    one_line_failure("train --data s.tck -o m.safetensors --cell rnn", "--cell");
    one_line_failure("train --data s.tck -o m.safetensors --epochs 0", "--epochs");
    one_line_failure("train --data s.tck -o m.safetensors --split 0.9,0.3", "--split");
    one_line_failure("train --data s.tck -o m.safetensors --symbol NOPE " TINY, "NOPE");
    one_line_failure("train --data s.tck", "-o");
    char err[1024];
    cr_assert_eq(run(NULL, 0, err, sizeof err, "synth -o few.tck --ticks 300"), 0, "%s", err);
    one_line_failure("train --data few.tck -o m.safetensors " TINY, "no ready bars");
    cr_assert_eq(run(NULL, 0, err, sizeof err, "train --data s.tck -o m.safetensors " TINY), 0, "%s", err);
    one_line_failure("evaluate --model m.safetensors --data few.tck", "no ready bars");
    one_line_failure("evaluate --model nothere.safetensors --data s.tck", "nothere.safetensors");
    one_line_failure("predict --model m.safetensors --data s.tck --state later", "--state");
    /* a model asking for a feature this build does not compute */
    char path[256], bad[256];
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
    snprintf(bad, sizeof bad, "%s/bogus.safetensors", dir);
    tc_model_t *m = NULL;
    cr_assert_eq(tc_model_load(&m, path, NULL), 0, "%s", tc_err_msg());
    const char *specs[TC_FEAT_MAX];
    for (int i = 0; i < m->n_features; i++)
        specs[i] = m->features[i];
    specs[3] = "BOGUS(TimePeriod=3)";
    cr_assert_eq(tc_model_features_set(m, specs), 0);
    cr_assert_eq(tc_model_save(m, bad), 0, "%s", tc_err_msg());
    tc_model_destroy(m);
    one_line_failure("evaluate --model bogus.safetensors --data s.tck", "BOGUS");
    one_line_failure("predict --model bogus.safetensors --data s.tck -o p.csv",
                     "unknown to this build");
    snprintf(path, sizeof path, "%s/p.csv", dir);
    cr_assert_neq(access(path, F_OK), 0, "a failed predict left %s", path);
}

/* Field k ("test_loss") of fold `fold` of a train --json summary, as text. */
static void fold_field(char *buf, size_t len, const char *json, int fold, const char *key)
{
    const char *p = json;
    for (int i = 0; i <= fold; i++) {
        p = strstr(p, "{\"train_loss\"");
        cr_assert_not_null(p, "no fold %d in %s", fold, json);
        if (i < fold)
            p++;
    }
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = strstr(p, pat);
    cr_assert_not_null(p);
    p += strlen(pat);
    size_t n = strcspn(p, ",}");
    snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
}

/* Leakage: the same data with every price after tick 100,000 scaled by a varying factor
 * (a different future) gives the first walk-forward fold — whose training and validation
 * windows and their targets all end before that tick — the same training and validation
 * figures to the last digit, while later folds do change. */
Test(train_cli, a_different_future_leaves_earlier_training_and_validation_unchanged)
{
    make_data();
    char a[256], b[256];
    snprintf(a, sizeof a, "%s/s.tck", dir);
    snprintf(b, sizeof b, "%s/future.tck", dir);
    tc_tickfile_t *in = tc_tickfile_open(a, TC_TICKFILE_READ, NULL);
    tc_tickfile_t *out = tc_tickfile_open(b, TC_TICKFILE_CREATE, NULL);
    cr_assert(in && out, "%s", tc_err_msg());
    int ns;
    const tc_symbol_t *tab = tc_tickfile_symbols(in, &ns);
    for (int i = 0; i < ns; i++)
        cr_assert_eq(tc_tickfile_symbol_add(out, &tab[i]), i);
    static tc_tick_t t[1000];
    int n, seen = 0;
    while ((n = tc_tickfile_read(in, t, 1000)) > 0) {
        for (int i = 0; i < n; i++, seen++) {
            if (seen < 100000)
                continue;
            double f = 1.0 + 0.003 * ((seen * 7919) % 13 - 6) / 6.0;
            if (t[i].kind == TC_TICK_TRADE) {
                t[i].trade.price = (int64_t)((double)t[i].trade.price * f);
            } else if (t[i].kind == TC_TICK_QUOTE) {
                t[i].quote.bid = (int64_t)((double)t[i].quote.bid * f);
                t[i].quote.ask = (int64_t)((double)t[i].quote.ask * f);
            }
        }
        cr_assert_eq(tc_tickfile_append(out, t, n), 0);
    }
    cr_assert_eq(seen, 150000);
    tc_tickfile_close(in);
    cr_assert_eq(tc_tickfile_close(out), 0);

    static char ja[65536], jb[65536];
    char err[1024];
    const char *wf = "--walk-forward 300,60,60,120 --json " TINY;
    cr_assert_eq(run(ja, sizeof ja, err, sizeof err, "train --data s.tck -o a.safetensors %s", wf), 0, "%s", err);
    cr_assert_eq(run(jb, sizeof jb, err, sizeof err, "train --data future.tck -o b.safetensors %s", wf), 0, "%s", err);
    char x[64], y[64];
    for (const char *k = "train_loss\0val_loss\0test_loss\0best_epoch\0"; *k; k += strlen(k) + 1) {
        fold_field(x, sizeof x, ja, 0, k);
        fold_field(y, sizeof y, jb, 0, k);
        cr_assert_str_eq(x, y, "fold 0 %s: %s with the original future, %s with another", k, x, y);
    }
    int folds = 0;
    for (const char *p = ja; (p = strstr(p, "{\"train_loss\"")); p++)
        folds++;
    cr_assert_geq(folds, 3);
    fold_field(x, sizeof x, ja, folds - 1, "test_loss");
    fold_field(y, sizeof y, jb, folds - 1, "test_loss");
    cr_assert_str_neq(x, y, "the last fold's test figures must see the different future");
}
