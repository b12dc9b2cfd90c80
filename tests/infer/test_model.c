/* test_model.c — model files and `tickcast model forward`:
 *  - PyTorch-written model files (plain and "gru."-prefixed names) load, carry their
 *    metadata, and predict what PyTorch predicted (window forward and streaming step,
 *    1e-5 relative + 1e-6 absolute);
 *  - `tickcast model forward` over the fixture's 20-step CSV writes PyTorch's
 *    per-step outputs;
 *  - a tickcast-saved model reloads bit for bit, and loads into PyTorch through
 *    make_fixtures.py check, giving tickcast's outputs (skipped without torch);
 *  - a bare state_dict without metadata loads, its configuration read from shapes;
 *  - malformed and mismatched files are refused with a reason naming what is wrong. */
#include "tests/infer/fixture.h"

#include <sys/wait.h>
#include <unistd.h>

#include "infer/model.h"
#include "tests/common/csvtab.h"

static tc_model_t *load_ok(const char *file)
{
    tc_model_t *m = NULL;
    tc_model_load_opts_t o = {.max_batch = 4, .max_steps = 32};
    int r = tc_model_load(&m, fx_path(file), &o);
    cr_assert(r == 0, "%s: %s", file, tc_err_msg());
    return m;
}

/* Reads a step,y0..yK CSV into v (rows x K); returns rows. */
static int read_out_csv(float *v, int max, int K, const char *path)
{
    csvtab_t t;
    cr_assert(csvtab_load(&t, path) == 0, "cannot read %s", path);
    cr_assert(t.cols == K + 1, "%s: %d columns, want %d", path, t.cols, K + 1);
    cr_assert(t.rows <= max);
    for (int r = 0; r < t.rows; r++) {
        cr_assert(csvtab_num(&t, r, 0) == r, "%s: row %d has step %g", path, r, csvtab_num(&t, r, 0));
        for (int k = 0; k < K; k++)
            v[r * K + k] = (float)csvtab_num(&t, r, k + 1);
    }
    int rows = t.rows;
    csvtab_free(&t);
    return rows;
}

static void check_torch_model(const char *name)
{
    char file[128];
    snprintf(file, sizeof file, "%s_model.safetensors", name);
    tc_model_t *m = load_ok(file);
    tc_st_t *st = fx_open(name);
    tc_rnn_config_t want = fx_config(st);
    const tc_rnn_config_t *cfg = &m->net->cfg;
    cr_expect(cfg->cell == want.cell && cfg->input == want.input && cfg->hidden == want.hidden &&
              cfg->layers == want.layers && cfg->horizon == want.horizon);
    cr_expect(m->n_features == 3 && strcmp(m->features[1], "RSI(TimePeriod=14)") == 0);
    cr_assert(m->scaler_mean && m->scaler_std);
    cr_expect(m->scaler_mean[1] == 50.0f && m->scaler_std[2] == 0.3f);
    cr_expect(m->sequence_length == 4);
    cr_expect(tc_model_meta_get(m, "train_range") != NULL);

    /* Same initial weights as the case file: its x gives its out. */
    const int B = 3, T = 4;
    float x[3 * 4 * 3], out_want[6];
    fx_read(x, sizeof x / sizeof x[0], st, "x");
    fx_read(out_want, 6, st, "out");
    tc_rnn_forward(&m->net->acts, x, &m->net->params, cfg, B, T, TC_GEMM_BLAS);
    char what[96];
    snprintf(what, sizeof what, "%s model file: window forward", name);
    fx_compare(what, m->net->acts.out, out_want, 6, FX_REL, FX_ABS);

    /* The 20-step sequence: streaming step at every step vs PyTorch's forward_all. */
    snprintf(file, sizeof file, "%s_seq.csv", name);
    csvtab_t seq;
    cr_assert(csvtab_load(&seq, fx_path(file)) == 0);
    snprintf(file, sizeof file, "%s_seq_out.csv", name);
    float want_seq[64 * 2], got_seq[64 * 2];
    int rows = read_out_csv(want_seq, 64, 2, fx_path(file));
    cr_assert(rows == seq.rows && rows == 20);
    float state[2 * 2 * 5] = {0}, scratch[2 * 4 * 5], xs[3];
    for (int t = 0; t < rows; t++) {
        for (int c = 0; c < 3; c++)
            xs[c] = (float)csvtab_num(&seq, t, c);
        tc_rnn_step(got_seq + t * 2, state, scratch, xs, &m->net->packed, cfg);
    }
    snprintf(what, sizeof what, "%s model file: 20 streaming steps", name);
    fx_compare(what, got_seq, want_seq, (size_t)rows * 2, FX_REL, FX_ABS);
    csvtab_free(&seq);
    tc_st_close(st);
    tc_model_destroy(m);
}

Test(model, torch_lstm_file_predicts_like_torch) { check_torch_model("lstm_l2"); }
Test(model, torch_gru_prefixed_file_predicts_like_torch) { check_torch_model("gru_l2"); }

static int run(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void check_cli(const char *name)
{
    char cmd[8192], out[256], file[128];
    snprintf(out, sizeof out, "/tmp/tc_infer_cli_%d_%s.csv", (int)getpid(), name);
    snprintf(file, sizeof file, "%s_model.safetensors", name);
    int n = snprintf(cmd, sizeof cmd, "%s/tickcast model forward %s", TC_BIN_DIR, fx_path(file));
    snprintf(file, sizeof file, "%s_seq.csv", name);
    snprintf(cmd + n, sizeof cmd - (size_t)n, " --input %s -o %s", fx_path(file), out);
    cr_assert(run(cmd) == 0, "%s failed", cmd);
    float got[64 * 2], want[64 * 2];
    int rows = read_out_csv(got, 64, 2, out);
    snprintf(file, sizeof file, "%s_seq_out.csv", name);
    cr_assert(read_out_csv(want, 64, 2, fx_path(file)) == rows && rows == 20);
    char what[96];
    snprintf(what, sizeof what, "tickcast model forward %s", name);
    fx_compare(what, got, want, (size_t)rows * 2, FX_REL, FX_ABS);
    unlink(out);
}

Test(model, cli_forward_matches_torch)
{
    check_cli("lstm_l2");
    check_cli("gru_l2");
}

Test(model, cli_forward_refuses_bad_rows)
{
    char in[256], cmd[8192];
    snprintf(in, sizeof in, "/tmp/tc_infer_bad_%d.csv", (int)getpid());
    FILE *f = fopen(in, "w");
    cr_assert(f);
    fprintf(f, "a,b,c\n0.1,0.2,0.3\n0.1,oops,0.3\n");
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s/tickcast model forward %s --input %s -o %s.out 2>%s.err",
             TC_BIN_DIR, fx_path("lstm_l2_model.safetensors"), in, in, in);
    cr_expect(run(cmd) == 1);
    snprintf(cmd, sizeof cmd, "%s.out", in);
    cr_expect(access(cmd, F_OK) != 0, "a partial output file was left behind");
    char err[512] = "";
    snprintf(cmd, sizeof cmd, "%s.err", in);
    f = fopen(cmd, "r");
    cr_assert(f);
    cr_assert(fgets(err, sizeof err, f));
    fclose(f);
    fprintf(stderr, "  bad row: %s", err);
    cr_expect(strstr(err, ":3: column 2") != NULL, "error names the line and column: %s", err);
    unlink(in);
    unlink(cmd);
}

/* A fresh model with seeded weights and full metadata, saved to a temporary file. */
static tc_model_t *make_model(tc_rnn_cell_t cell, const char *path)
{
    tc_rnn_config_t cfg = {.cell = cell, .input = 4, .hidden = 6, .layers = 2, .horizon = 3};
    tc_model_t *m = tc_model_create(&cfg, 2, 5);
    cr_assert(m);
    tc_rnn_init_uniform(m->net, 77);
    cr_assert(tc_model_meta_set(m, "sequence_length", "5") == 0);
    cr_assert(tc_model_meta_set(m, "features", "[\"ROC(TimePeriod=1)\",\"RSI(TimePeriod=14)\","
                                               "\"EMA(TimePeriod=20)\",\"ATR(TimePeriod=14)\"]") == 0);
    cr_assert(tc_model_meta_set(m, "scaler_mean", "[0,1,2,3]") == 0);
    cr_assert(tc_model_meta_set(m, "scaler_std", "[1,2,3,4.5]") == 0);
    cr_assert(tc_model_meta_set(m, "metrics", "{\"val_rmse\": 0.5, \"note\": \"q\\\"uote\"}") == 0);
    cr_expect(tc_model_meta_set(m, "hidden", "7") == -EINVAL);
    cr_assert(tc_model_save(m, path) == 0, "%s", tc_err_msg());
    return m;
}

Test(model, save_load_round_trip_exact)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/tc_infer_rt_%d.safetensors", (int)getpid());
    for (int cell = 0; cell < 2; cell++) {
        tc_model_t *a = make_model((tc_rnn_cell_t)cell, path), *b = NULL;
        cr_assert(tc_model_load(&b, path, NULL) == 0, "%s", tc_err_msg());
        cr_expect(memcmp(&a->net->cfg, &b->net->cfg, sizeof a->net->cfg) == 0);
        cr_expect(memcmp(a->net->param_block, b->net->param_block,
                         a->net->n_params * sizeof(float)) == 0, "weights differ after a round trip");
        cr_expect(b->n_features == 4 && b->sequence_length == 5 && b->scaler_std[3] == 4.5f);
        cr_expect(strcmp(tc_model_meta_get(b, "metrics"), tc_model_meta_get(a, "metrics")) == 0);
        tc_model_destroy(a);
        tc_model_destroy(b);
    }
    unlink(path);
}

Test(model, tickcast_file_loads_in_torch)
{
    if (access("/usr/bin/python3", X_OK) != 0)
        cr_skip_test("needs /usr/bin/python3 with torch (python3-torch) to load the file in PyTorch");
    char path[2][256], chk[2][256], cmd[8192];
    for (int cell = 0; cell < 2; cell++) {
        snprintf(path[cell], sizeof path[cell], "/tmp/tc_infer_pt_%d_%d.safetensors", (int)getpid(), cell);
        snprintf(chk[cell], sizeof chk[cell], "/tmp/tc_infer_pt_%d_%d.check.safetensors", (int)getpid(), cell);
        tc_model_t *m = make_model((tc_rnn_cell_t)cell, path[cell]);
        /* tickcast's outputs on a seeded batch go beside it for the script to compare. */
        float x[2 * 5 * 4];
        fx_fill(x, sizeof x / sizeof x[0], 31);
        tc_rnn_forward(&m->net->acts, x, &m->net->params, &m->net->cfg, 2, 5, TC_GEMM_BLAS);
        tc_st_writer_t *w = tc_st_writer_create();
        int64_t xs[3] = {2, 5, 4}, os[2] = {2, 3};
        cr_assert(tc_st_writer_add_f32(w, "x", x, 3, xs) == 0);
        cr_assert(tc_st_writer_add_f32(w, "out", m->net->acts.out, 2, os) == 0);
        cr_assert(tc_st_writer_save(w, chk[cell]) == 0, "%s", tc_err_msg());
        tc_st_writer_destroy(w);
        tc_model_destroy(m);
    }
    /* One interpreter for both files: importing torch takes seconds. */
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/infer/make_fixtures.py check %s %s %s %s 1>&2",
             TC_SOURCE_DIR, path[0], chk[0], path[1], chk[1]);
    int rc = run(cmd);
    for (int cell = 0; cell < 2; cell++) {
        unlink(path[cell]);
        unlink(chk[cell]);
    }
    if (rc == 77)
        cr_skip_test("needs torch for /usr/bin/python3 (python3-torch) to load the file in PyTorch");
    cr_expect(rc == 0, "PyTorch disagrees with tickcast (LSTM and GRU files), status %d", rc);
}

/* The scaler and feature setters write metadata that loads back exactly. */
Test(model, scaler_and_features_round_trip)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/tc_infer_sc_%d.safetensors", (int)getpid());
    tc_rnn_config_t cfg = {.cell = TC_RNN_LSTM, .input = 3, .hidden = 4, .layers = 1, .horizon = 1};
    tc_model_t *m = tc_model_create(&cfg, 1, 1), *b = NULL;
    cr_assert(m);
    const float mean[3] = {1e-4f, 50.123456f, -0.3f}, sd[3] = {2.5e-3f, 12.5f, 1.0f / 3.0f};
    const float bad[3] = {1, 0, 1};
    const char *const specs[3] = {"ROC(TimePeriod=1)", "RSI(TimePeriod=14)", "odd \"name\""};
    cr_expect(tc_model_scaler_set(m, mean, bad) == -EINVAL);
    cr_assert(tc_model_scaler_set(m, mean, sd) == 0, "%s", tc_err_msg());
    cr_assert(tc_model_features_set(m, specs) == 0, "%s", tc_err_msg());
    cr_assert(tc_model_save(m, path) == 0, "%s", tc_err_msg());
    cr_assert(tc_model_load(&b, path, NULL) == 0, "%s", tc_err_msg());
    cr_expect(memcmp(b->scaler_mean, mean, sizeof mean) == 0 && memcmp(b->scaler_std, sd, sizeof sd) == 0,
              "the scaler changed in a round trip: %s", tc_model_meta_get(b, "scaler_std"));
    cr_assert(b->n_features == 3);
    for (int i = 0; i < 3; i++)
        cr_expect(strcmp(b->features[i], specs[i]) == 0, "feature %d: %s", i, b->features[i]);
    tc_model_destroy(m);
    tc_model_destroy(b);
    unlink(path);
}

/* ---- refusals ---- */

static void expect_refused(const char *path, const char *why, const tc_model_load_opts_t *o)
{
    tc_model_t *m = NULL;
    tc_err_clear();
    int r = tc_model_load(&m, path, o);
    cr_expect(r < 0 && m == NULL, "loaded a bad file (%s)", why);
    cr_expect(strstr(tc_err_msg(), why) != NULL, "error \"%s\" does not say \"%s\"", tc_err_msg(), why);
    cr_expect(strstr(tc_err_msg(), path) != NULL, "error \"%s\" does not name the file", tc_err_msg());
    fprintf(stderr, "  refused: %s\n", tc_err_msg());
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    cr_assert(fwrite(p, 1, n, f) == n);
    fclose(f);
}

/* A file with the given header text and n data bytes of zeros. */
static void write_raw(const char *path, const char *header, size_t data)
{
    size_t h = strlen(header);
    unsigned char *b = calloc(8 + h + data, 1);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)h >> (8 * i));
    memcpy(b + 8, header, h);
    write_bytes(path, b, 8 + h + data);
    free(b);
}

static int refuse_bogus(const char *name, void *ctx)
{
    (void)ctx;
    return strcmp(name, "BOGUS") != 0;
}

Test(model, malformed_files_refused)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/tc_infer_bad_%d.safetensors", (int)getpid());
    size_t n;
    unsigned char *good = fx_slurp(fx_path("lstm_l2_model.safetensors"), &n);

    write_bytes(path, good, n - 10);
    expect_refused(path, "truncated", NULL);
    write_bytes(path, good, 5);
    expect_refused(path, "truncated", NULL);

    unsigned char *b = malloc(n);
    memcpy(b, good, n);
    b[6] = 0x01; /* header length 2^48 */
    write_bytes(path, b, n);
    expect_refused(path, "larger than", NULL);
    memcpy(b, good, n);
    b[0] += 40; /* header length past the end of a small file */
    write_bytes(path, b, 100);
    expect_refused(path, "truncated", NULL);

    write_raw(path, "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},}", 4);
    expect_refused(path, "JSON offset", NULL);
    write_raw(path, "{\"x\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", 4);
    expect_refused(path, "leading zero", NULL);
    write_raw(path, "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4);
    expect_refused(path, "JSON offset", NULL);
    write_raw(path, "{\"__metadata__\":{\"hidden\":5}}", 0);
    expect_refused(path, "not a string", NULL);
    write_raw(path, "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
    expect_refused(path, "shape and dtype need 8", NULL);
    write_raw(path, "{\"x\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
    expect_refused(path, "unknown dtype", NULL);
    write_raw(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                    "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8);
    expect_refused(path, "overlap", NULL);
    write_raw(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8);
    expect_refused(path, "trailing bytes", NULL);
    write_raw(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                    "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
    expect_refused(path, "duplicate tensor", NULL);
    free(b);
    free(good);
    unlink(path);
}

/* Files that are valid safetensors but not a valid model, built from a good model by
 * changing one thing. */
typedef struct mutation {
    const char *why;       /* expected in the error */
    const char *drop;      /* tensor left out */
    const char *reshape;   /* tensor written with a wrong shape */
    const char *f64;       /* tensor written as F64 */
    const char *extra;     /* an extra tensor */
    const char *meta_key, *meta_val;
    int nan;
} mutation_t;

static void write_mutant(const char *path, const tc_model_t *m, const mutation_t *mu)
{
    tc_st_writer_t *w = tc_st_writer_create();
    const tc_rnn_t *net = m->net;
    static float buf[4096];
    cr_assert(tc_st_writer_meta(w, "cell", "lstm") == 0);
    cr_assert(tc_st_writer_meta(w, "hidden", "6") == 0);
    for (int i = 0; i < m->n_meta; i++)
        if (!mu->meta_key || strcmp(mu->meta_key, m->meta_key[i]) != 0)
            cr_assert(tc_st_writer_meta(w, m->meta_key[i], m->meta_val[i]) == 0);
    if (mu->meta_key && strcmp(mu->meta_key, "hidden") != 0)
        cr_assert(tc_st_writer_meta(w, mu->meta_key, mu->meta_val) == 0);
    for (int i = 0; i < net->n_tensors; i++) {
        const tc_rnn_tensor_t *t = &net->tensors[i];
        int64_t shape[2] = {t->shape[0], t->shape[1]};
        const float *data = net->param_block + t->offset;
        if (mu->drop && strcmp(mu->drop, t->name) == 0)
            continue;
        if (mu->reshape && strcmp(mu->reshape, t->name) == 0) {
            shape[0] = t->shape[1];
            shape[1] = t->shape[0];
        }
        if (mu->nan && i == 1) {
            memcpy(buf, data, t->numel * sizeof(float));
            buf[3] = NAN;
            data = buf;
        }
        if (mu->f64 && strcmp(mu->f64, t->name) == 0) {
            /* Same bytes, declared F64 with half the elements: a valid safetensors
             * tensor of the wrong dtype. */
            cr_assert(tc_st_writer_add(w, t->name, "F64", data, 1,
                                       (int64_t[]){(int64_t)t->numel / 2}) == 0);
            continue;
        }
        cr_assert(tc_st_writer_add_f32(w, t->name, data, t->ndim, shape) == 0);
    }
    if (mu->extra)
        cr_assert(tc_st_writer_add_f32(w, mu->extra, net->param_block, 1, (int64_t[]){2}) == 0);
    cr_assert(tc_st_writer_save(w, path) == 0, "%s", tc_err_msg());
    tc_st_writer_destroy(w);
}

Test(model, mismatched_models_refused)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/tc_infer_mm_%d.safetensors", (int)getpid());
    tc_model_t *m = make_model(TC_RNN_LSTM, path);
    const mutation_t cases[] = {
        {.why = "missing tensor bias_hh_l1", .drop = "bias_hh_l1"},
        {.why = "missing tensor head.weight", .drop = "head.weight"},
        {.why = "shape [6, 24], expected [24, 6]", .reshape = "weight_hh_l1"},
        {.why = "dtype F64, expected F32", .f64 = "bias_ih_l0"},
        {.why = "unexpected tensor weight_ih_l7", .extra = "weight_ih_l7"},
        {.why = "bias_ih_l0 appears twice", .extra = "lstm.bias_ih_l0"},
        {.why = "metadata hidden = 7, tensors say 6", .meta_key = "hidden", .meta_val = "7"},
        {.why = "metadata features: 3 features", .meta_key = "features",
         .meta_val = "[\"ROC(TimePeriod=1)\",\"RSI\",\"EMA\"]"},
        {.why = "\"BOGUS\" is unknown to this build", .meta_key = "features",
         .meta_val = "[\"ROC(TimePeriod=1)\",\"BOGUS(x=1)\",\"EMA\",\"ATR\"]"},
        {.why = "metadata scaler_std: 3 values", .meta_key = "scaler_std", .meta_val = "[1,2,3]"},
        {.why = "scaler_std[1] = 0 is not positive", .meta_key = "scaler_std",
         .meta_val = "[1,0,3,4]"},
        {.why = "metadata features: JSON offset", .meta_key = "features", .meta_val = "[\"a\",]"},
        {.why = "not finite", .nan = 1},
    };
    tc_model_load_opts_t o = {.feature_known = refuse_bogus};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mutation_t mu = cases[i];
        if (mu.meta_key && strcmp(mu.meta_key, "hidden") == 0) {
            /* write_mutant always writes hidden=6; change it in place instead. */
            write_mutant(path, m, &(mutation_t){0});
            size_t n;
            unsigned char *b = fx_slurp(path, &n);
            char *p = strstr((char *)b + 8, "\"hidden\":\"6\"");
            cr_assert(p);
            p[10] = '7';
            write_bytes(path, b, n);
            free(b);
        } else {
            write_mutant(path, m, &mu);
        }
        expect_refused(path, mu.why, &o);
    }
    /* The unmutated file loads (the mutations above are what broke them). */
    write_mutant(path, m, &(mutation_t){0});
    tc_model_t *ok = NULL;
    cr_expect(tc_model_load(&ok, path, &o) == 0, "%s", tc_err_msg());
    tc_model_destroy(ok);
    tc_model_destroy(m);
    unlink(path);
}

/* A bare state_dict (no metadata, "rnn." prefix, as safetensors.torch.save_file of a
 * module holding self.rnn and self.head would write) loads with the configuration
 * read from the shapes, and predicts what the original predicts. */
Test(model, bare_state_dict_loads)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/tc_infer_sd_%d.safetensors", (int)getpid());
    tc_rnn_config_t cfg = {.cell = TC_RNN_GRU, .input = 3, .hidden = 7, .layers = 3, .horizon = 2};
    tc_rnn_t *net = tc_rnn_create(&cfg, 1, 6);
    cr_assert(net);
    tc_rnn_init_uniform(net, 123);
    tc_st_writer_t *w = tc_st_writer_create();
    char name[64];
    for (int i = 0; i < net->n_tensors; i++) {
        const tc_rnn_tensor_t *t = &net->tensors[i];
        snprintf(name, sizeof name, "%s%s", strncmp(t->name, "head.", 5) ? "rnn." : "", t->name);
        int64_t shape[2] = {t->shape[0], t->shape[1]};
        cr_assert(tc_st_writer_add_f32(w, name, net->param_block + t->offset, t->ndim, shape) == 0);
    }
    cr_assert(tc_st_writer_save(w, path) == 0, "%s", tc_err_msg());
    tc_st_writer_destroy(w);

    tc_model_t *m = NULL;
    tc_model_load_opts_t o = {.max_batch = 1, .max_steps = 6};
    cr_assert(tc_model_load(&m, path, &o) == 0, "%s", tc_err_msg());
    cr_expect(memcmp(&m->net->cfg, &cfg, sizeof cfg) == 0, "configuration not inferred from shapes");
    cr_expect(m->n_features == 0 && m->scaler_mean == NULL && m->n_meta == 0);
    float x[6 * 3];
    fx_fill(x, 18, 4);
    tc_rnn_forward(&net->acts, x, &net->params, &cfg, 1, 6, TC_GEMM_BLAS);
    tc_rnn_forward(&m->net->acts, x, &m->net->params, &cfg, 1, 6, TC_GEMM_BLAS);
    cr_expect(memcmp(net->acts.out, m->net->acts.out, 2 * sizeof(float)) == 0);
    tc_model_destroy(m);
    tc_rnn_destroy(net);
    unlink(path);
}
