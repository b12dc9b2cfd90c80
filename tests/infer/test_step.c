/* test_step.c — the fused streaming step (infer/step.c) against a naive reference step
 * written here from the PyTorch equations in double precision with libm's exp and tanh,
 * straight from the unpacked parameters (so the panel packing is checked too): the
 * head output at every step and the carried state (h, and c for the LSTM) after the
 * last, over 25 steps, for sizes that fill the 16-unit panels exactly, leave a padded
 * last panel, have one unit, or an input wider than the hidden layer; both the AVX2
 * body (when the CPU has it) and the baseline x86-64 body.  Tolerance 1e-5 relative
 * plus 1e-6 absolute, as the PyTorch fixtures.  Window inference (tc_rnn_infer, the
 * same kernel window by window) against the naive-path window forward. */
#include "tests/infer/fixture.h"

static double sigm(double v) { return 1.0 / (1.0 + exp(-v)); }

/* One step of the reference: state (L, 2, H) as tc_rnn_step's, in double. */
static void ref_step(double *out, double *state, const float *x, const tc_rnn_params_t *p,
                     const tc_rnn_config_t *cfg)
{
    const int H = cfg->hidden;
    double in[512], a[4 * 512], hn[512];
    int Cl = cfg->input;
    for (int c = 0; c < Cl; c++)
        in[c] = x[c];
    for (int l = 0; l < cfg->layers; l++) {
        double *h = state + (size_t)l * 2 * H, *cs = h + H;
        const int G = tc_rnn_gates(cfg->cell);
        for (int r = 0; r < G * H; r++) {
            double sx = p->b_ih[l][r], sh = p->b_hh[l][r];
            for (int k = 0; k < Cl; k++)
                sx += (double)p->w_ih[l][(size_t)r * Cl + k] * in[k];
            for (int k = 0; k < H; k++)
                sh += (double)p->w_hh[l][(size_t)r * H + k] * h[k];
            if (cfg->cell == TC_RNN_GRU && r >= 2 * H) {
                a[r] = sx; /* n: r multiplies the recurrent part only */
                hn[r - 2 * H] = sh;
            } else {
                a[r] = sx + sh;
            }
        }
        for (int j = 0; j < H; j++) {
            if (cfg->cell == TC_RNN_LSTM) {
                double i = sigm(a[j]), f = sigm(a[H + j]), g = tanh(a[2 * H + j]),
                       o = sigm(a[3 * H + j]);
                cs[j] = f * cs[j] + i * g;
                h[j] = o * tanh(cs[j]);
            } else {
                double r = sigm(a[j]), z = sigm(a[H + j]), n = tanh(a[2 * H + j] + r * hn[j]);
                h[j] = (1.0 - z) * n + z * h[j];
            }
        }
        for (int j = 0; j < H; j++)
            in[j] = h[j];
        Cl = H;
    }
    for (int k = 0; k < cfg->horizon; k++) {
        double s = p->head_b[k];
        for (int j = 0; j < H; j++)
            s += (double)p->head_w[(size_t)k * H + j] * in[j];
        out[k] = s;
    }
}

static void check(tc_rnn_cell_t cell, int C, int H, int L, int K, int baseline)
{
    enum { T = 25 };
    tc_rnn_config_t cfg = {.cell = cell, .input = C, .hidden = H, .layers = L, .horizon = K};
    tc_rnn_t *net = tc_rnn_create(&cfg, 1, 1);
    cr_assert(net, "%s", tc_err_msg());
    tc_rnn_init_uniform(net, 1000 + (unsigned)(C * 31 + H * 7 + L));
    /* Non-zero, distinct biases everywhere, so a bias placed in the wrong panel column
     * or gate shows (PyTorch's init range is small; widen the biases). */
    for (int l = 0; l < L; l++)
        for (int r = 0; r < tc_rnn_gates(cell) * H; r++)
            net->params.b_ih[l][r] *= 3.0f, net->params.b_hh[l][r] *= -2.0f;
    tc_rnn_pack(net);

    const size_t S = tc_rnn_state_size(&cfg);
    float *x = malloc((size_t)T * C * sizeof *x), *state = calloc(S, sizeof *state);
    float *scratch = calloc(tc_rnn_step_scratch_size(&cfg), sizeof *scratch);
    float *got = malloc((size_t)T * K * sizeof *got), *want = malloc((size_t)T * K * sizeof *want);
    float *st_want = malloc(S * sizeof *st_want);
    double *rstate = calloc(S, sizeof *rstate), *rout = malloc((size_t)K * sizeof *rout);
    cr_assert(x && state && scratch && got && want && st_want && rstate && rout);
    fx_fill(x, (size_t)T * C, 11);
    for (int i = 0; i < T * C; i++)
        x[i] *= 2.0f; /* inputs of a few units push the gates into saturation too */

    for (int t = 0; t < T; t++) {
        tc_rnn_step_isa(got + (size_t)t * K, state, scratch, x + (size_t)t * C, &net->packed,
                        &cfg, baseline);
        ref_step(rout, rstate, x + (size_t)t * C, &net->params, &cfg);
        for (int k = 0; k < K; k++)
            want[(size_t)t * K + k] = (float)rout[k];
    }
    for (size_t i = 0; i < S; i++)
        st_want[i] = (float)rstate[i]; /* the GRU leaves its c slots at zero on both sides */
    char what[128];
    snprintf(what, sizeof what, "%s C=%d H=%d L=%d K=%d %s: %d steps' outputs",
             cell == TC_RNN_LSTM ? "lstm" : "gru", C, H, L, K, baseline ? "baseline" : "native",
             T);
    fx_compare(what, got, want, (size_t)T * K, FX_REL, FX_ABS);
    snprintf(what, sizeof what, "%s C=%d H=%d L=%d %s: final state",
             cell == TC_RNN_LSTM ? "lstm" : "gru", C, H, L, baseline ? "baseline" : "native");
    fx_compare(what, state, st_want, S, FX_REL, FX_ABS);
    free(x), free(state), free(scratch), free(got), free(want), free(st_want), free(rstate),
        free(rout);
    tc_rnn_destroy(net);
}

static const struct {
    int C, H, L, K;
} sizes[] = {
    {32, 64, 2, 5},  /* the benchmark's model: whole panels */
    {5, 13, 3, 3},   /* one padded panel per layer */
    {70, 16, 1, 1},  /* input wider than the hidden layer */
    {3, 1, 1, 2},    /* a single unit */
    {7, 33, 2, 9},   /* two whole panels and a one-unit panel; head wider than 8 */
};

static void check_all(tc_rnn_cell_t cell, int baseline)
{
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        check(cell, sizes[i].C, sizes[i].H, sizes[i].L, sizes[i].K, baseline);
}

Test(step, lstm_equals_reference) { check_all(TC_RNN_LSTM, 0); }
Test(step, gru_equals_reference) { check_all(TC_RNN_GRU, 0); }
Test(step, lstm_baseline_isa_equals_reference) { check_all(TC_RNN_LSTM, 1); }
Test(step, gru_baseline_isa_equals_reference) { check_all(TC_RNN_GRU, 1); }

/* tc_rnn_infer over B windows from zero state equals the window forward's output on
 * the naive reference path (plain loops, no BLAS), on both instruction-set bodies. */
static void check_infer(tc_rnn_cell_t cell, int C, int H, int L, int K, int baseline)
{
    enum { B = 4, T = 11 };
    tc_rnn_config_t cfg = {.cell = cell, .input = C, .hidden = H, .layers = L, .horizon = K};
    tc_rnn_t *net = tc_rnn_create(&cfg, B, T);
    cr_assert(net, "%s", tc_err_msg());
    tc_rnn_init_uniform(net, 77 + (unsigned)H);
    float *x = malloc((size_t)B * T * C * sizeof *x), *got = malloc((size_t)B * K * sizeof *got);
    float *state = calloc(tc_rnn_state_size(&cfg), sizeof *state);
    float *scratch = calloc(tc_rnn_step_scratch_size(&cfg), sizeof *scratch);
    cr_assert(x && got && state && scratch);
    fx_fill(x, (size_t)B * T * C, 12);
    /* Junk state: each window must start from zero whatever the buffer held. */
    for (size_t i = 0; i < tc_rnn_state_size(&cfg); i++)
        state[i] = 0.5f;
    tc_rnn_infer_isa(got, state, scratch, x, &net->packed, &cfg, B, T, baseline);
    tc_rnn_forward(&net->acts, x, &net->params, &cfg, B, T, TC_GEMM_NAIVE);
    char what[128];
    snprintf(what, sizeof what, "infer %s C=%d H=%d L=%d K=%d %s vs naive forward",
             cell == TC_RNN_LSTM ? "lstm" : "gru", C, H, L, K, baseline ? "baseline" : "native");
    fx_compare(what, got, net->acts.out, (size_t)B * K, FX_REL, FX_ABS);
    free(x), free(got), free(state), free(scratch);
    tc_rnn_destroy(net);
}

Test(step, infer_equals_naive_forward)
{
    for (int baseline = 0; baseline < 2; baseline++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            check_infer(TC_RNN_LSTM, sizes[i].C, sizes[i].H, sizes[i].L, sizes[i].K, baseline);
            check_infer(TC_RNN_GRU, sizes[i].C, sizes[i].H, sizes[i].L, sizes[i].K, baseline);
        }
}
