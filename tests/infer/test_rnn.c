/* test_rnn.c — LSTM and GRU kernels against PyTorch 1.13 fixtures (make_fixtures.py):
 * forward output, loss, every gradient tensor and the losses of a few Adam/AdamW steps
 * with clipping, for 1 and 2 layers, B = 3, T = 4.  Tolerance: 1e-5 relative plus 1e-6
 * absolute (fixture.h).  Also: the BLAS path equals the naive path, and the streaming
 * step over T steps equals the window forward. */
#include "tests/infer/fixture.h"

#include "infer/loss.h"
#include "infer/optim.h"

static const char *const cases[] = {"lstm_l1", "lstm_l2", "gru_l1", "gru_l2"};

typedef struct fx_case {
    tc_st_t *st;
    tc_rnn_t *net;
    int B, T, n_out;
    float *x, *y;
    int huber;
    float delta;
} fx_case_t;

static void case_open(fx_case_t *c, const char *name)
{
    c->st = fx_open(name);
    tc_rnn_config_t cfg = fx_config(c->st);
    c->B = (int)fx_meta_num(c->st, "batch");
    c->T = (int)fx_meta_num(c->st, "steps");
    c->net = tc_rnn_create(&cfg, c->B, c->T);
    cr_assert(c->net, "%s", tc_err_msg());
    fx_read_params(c->net->param_block, c->net, c->st, "");
    tc_rnn_pack(c->net);
    c->n_out = c->B * cfg.horizon;
    c->x = calloc((size_t)c->B * c->T * cfg.input, sizeof(float));
    c->y = calloc((size_t)c->n_out, sizeof(float));
    fx_read(c->x, (size_t)c->B * c->T * cfg.input, c->st, "x");
    fx_read(c->y, (size_t)c->n_out, c->st, "y");
    c->huber = strcmp(tc_st_meta(c->st, "loss"), "huber") == 0;
    c->delta = (float)fx_meta_num(c->st, "huber_delta");
}

static void case_close(fx_case_t *c)
{
    free(c->x);
    free(c->y);
    tc_rnn_destroy(c->net);
    tc_st_close(c->st);
}

/* Forward, loss, fresh gradient; returns the loss. */
static float case_loss_grad(fx_case_t *c, tc_gemm_path_t path, float *dout)
{
    tc_rnn_t *n = c->net;
    tc_rnn_forward(&n->acts, c->x, &n->params, &n->cfg, c->B, c->T, path);
    float loss = c->huber ? tc_loss_huber(dout, n->acts.out, c->y, c->n_out, c->delta)
                          : tc_loss_mse(dout, n->acts.out, c->y, c->n_out);
    memset(n->grad_block, 0, n->n_params * sizeof(float));
    tc_rnn_backward(&n->grads, &n->acts, dout, &n->params, &n->cfg, c->B, c->T, path);
    return loss;
}

static void check_forward_backward(const char *name, tc_gemm_path_t path)
{
    fx_case_t c;
    case_open(&c, name);
    fprintf(stderr, "%s (%s path):\n", name, path == TC_GEMM_BLAS ? "BLAS" : "naive");
    float dout[64], want[64], want_loss;
    float loss = case_loss_grad(&c, path, dout);
    char what[96];
    fx_read(want, (size_t)c.n_out, c.st, "out");
    snprintf(what, sizeof what, "%s out", name);
    fx_compare(what, c.net->acts.out, want, (size_t)c.n_out, FX_REL, FX_ABS);
    fx_read(&want_loss, 1, c.st, "loss");
    snprintf(what, sizeof what, "%s loss", name);
    fx_compare(what, &loss, &want_loss, 1, FX_REL, FX_ABS);

    float *gwant = calloc(c.net->n_params, sizeof(float));
    fx_read_params(gwant, c.net, c.st, "grad.");
    for (int i = 0; i < c.net->n_tensors; i++) {
        const tc_rnn_tensor_t *t = &c.net->tensors[i];
        snprintf(what, sizeof what, "%s grad.%s", name, t->name);
        fx_compare(what, c.net->grad_block + t->offset, gwant + t->offset, t->numel, FX_REL,
                   FX_ABS);
    }
    free(gwant);
    case_close(&c);
}

Test(rnn, torch_parity_lstm_l1) { check_forward_backward("lstm_l1", TC_GEMM_BLAS); }
Test(rnn, torch_parity_lstm_l2) { check_forward_backward("lstm_l2", TC_GEMM_BLAS); }
Test(rnn, torch_parity_gru_l1) { check_forward_backward("gru_l1", TC_GEMM_BLAS); }
Test(rnn, torch_parity_gru_l2) { check_forward_backward("gru_l2", TC_GEMM_BLAS); }
Test(rnn, torch_parity_naive_path)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_forward_backward(cases[i], TC_GEMM_NAIVE);
}

/* S optimiser steps with the fixture's optimiser, clipping and loss: the loss before
 * each step and after the last must track PyTorch's, as must the final output. */
static void check_adam(const char *name)
{
    fx_case_t c;
    case_open(&c, name);
    tc_rnn_t *n = c.net;
    const char *opt = tc_st_meta(c.st, "optim");
    tc_optim_config_t oc =
        tc_optim_defaults(strcmp(opt, "adamw") == 0 ? TC_OPTIM_ADAMW : TC_OPTIM_ADAM,
                          (float)fx_meta_num(c.st, "lr"));
    oc.weight_decay = (float)fx_meta_num(c.st, "weight_decay");
    oc.clip = (float)fx_meta_num(c.st, "clip");
    int S = (int)fx_meta_num(c.st, "adam_steps");
    float losses[32], want[32], dout[64], out_want[64];
    cr_assert(S + 1 <= 32);
    for (int s = 0; s < S; s++) {
        losses[s] = case_loss_grad(&c, TC_GEMM_BLAS, dout);
        tc_optim_step(n->param_block, n->grad_block, n->m_block, n->v_block, n->n_params, &oc,
                      s + 1);
    }
    tc_rnn_forward(&n->acts, c.x, &n->params, &n->cfg, c.B, c.T, TC_GEMM_BLAS);
    losses[S] = c.huber ? tc_loss_huber(NULL, n->acts.out, c.y, c.n_out, c.delta)
                        : tc_loss_mse(NULL, n->acts.out, c.y, c.n_out);
    fx_read(want, (size_t)S + 1, c.st, "adam.losses");
    fx_read(out_want, (size_t)c.n_out, c.st, "adam.out");
    char what[96];
    fprintf(stderr, "%s %s, clip %g, %d steps:\n", name, opt, oc.clip, S);
    snprintf(what, sizeof what, "%s %s losses", name, opt);
    fx_compare(what, losses, want, (size_t)S + 1, FX_REL, FX_ABS);
    snprintf(what, sizeof what, "%s out after %d steps", name, S);
    fx_compare(what, n->acts.out, out_want, (size_t)c.n_out, FX_REL, FX_ABS);
    case_close(&c);
}

Test(rnn, adam_tracks_torch)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_adam(cases[i]);
}

/* A bigger random network: every output and gradient of the BLAS path equals the
 * naive path's (they differ only in summation order). */
static void check_blas_naive(tc_rnn_cell_t cell)
{
    tc_rnn_config_t cfg = {.cell = cell, .input = 7, .hidden = 13, .layers = 3, .horizon = 3};
    const int B = 5, T = 9;
    tc_rnn_t *a = tc_rnn_create(&cfg, B, T), *b = tc_rnn_create(&cfg, B, T);
    cr_assert(a && b);
    tc_rnn_init_uniform(a, 42);
    tc_rnn_init_uniform(b, 42);
    float x[5 * 9 * 7], y[15], da[15], db[15];
    fx_fill(x, sizeof x / sizeof x[0], 7);
    fx_fill(y, 15, 8);
    tc_rnn_forward(&a->acts, x, &a->params, &cfg, B, T, TC_GEMM_BLAS);
    tc_rnn_forward(&b->acts, x, &b->params, &cfg, B, T, TC_GEMM_NAIVE);
    tc_loss_mse(da, a->acts.out, y, 15);
    tc_loss_mse(db, b->acts.out, y, 15);
    tc_rnn_backward(&a->grads, &a->acts, da, &a->params, &cfg, B, T, TC_GEMM_BLAS);
    tc_rnn_backward(&b->grads, &b->acts, db, &b->params, &cfg, B, T, TC_GEMM_NAIVE);
    const char *cn = cell == TC_RNN_LSTM ? "lstm" : "gru";
    char what[96];
    fprintf(stderr, "%s C=7 H=13 L=3 K=3 B=5 T=9, BLAS vs naive:\n", cn);
    snprintf(what, sizeof what, "%s out", cn);
    fx_compare(what, a->acts.out, b->acts.out, 15, 1e-5, 1e-6);
    snprintf(what, sizeof what, "%s all gradients", cn);
    fx_compare(what, a->grad_block, b->grad_block, a->n_params, 1e-4, 1e-6);
    tc_rnn_destroy(a);
    tc_rnn_destroy(b);
}

Test(rnn, blas_equals_naive)
{
    check_blas_naive(TC_RNN_LSTM);
    check_blas_naive(TC_RNN_GRU);
}

/* The streaming step, carried over T steps per sequence, gives the window forward's
 * head output at every step. */
static void check_stream(tc_rnn_cell_t cell, int layers)
{
    tc_rnn_config_t cfg = {.cell = cell, .input = 6, .hidden = 70, .layers = layers, .horizon = 4};
    const int B = 3, T = 11, C = 6, K = 4;
    tc_rnn_t *net = tc_rnn_create(&cfg, B, T);
    cr_assert(net);
    tc_rnn_init_uniform(net, 99);
    float x[3 * 11 * 6], all[3 * 11 * 4], out[4];
    fx_fill(x, sizeof x / sizeof x[0], 5);
    tc_rnn_forward(&net->acts, x, &net->params, &cfg, B, T, TC_GEMM_BLAS);
    tc_rnn_head_all(all, &net->acts, &net->params, &cfg, B, T, TC_GEMM_BLAS);
    /* The last step of head_all is the window forward's out. */
    for (int b = 0; b < B; b++)
        for (int k = 0; k < K; k++)
            cr_expect(fabsf(all[(b * T + T - 1) * K + k] - net->acts.out[b * K + k]) <= 1e-6f);
    float *state = calloc(tc_rnn_state_size(&cfg), sizeof(float));
    float *scratch = calloc(tc_rnn_step_scratch_size(&cfg), sizeof(float));
    float stream[3 * 11 * 4];
    for (int b = 0; b < B; b++) {
        memset(state, 0, tc_rnn_state_size(&cfg) * sizeof(float));
        for (int t = 0; t < T; t++) {
            tc_rnn_step(out, state, scratch, x + (b * T + t) * C, &net->packed, &cfg);
            memcpy(stream + (b * T + t) * K, out, sizeof out);
        }
    }
    char what[96];
    snprintf(what, sizeof what, "%s L=%d H=70 stream vs window (B=3,T=11)",
             cell == TC_RNN_LSTM ? "lstm" : "gru", layers);
    fx_compare(what, stream, all, (size_t)B * T * K, 1e-5, 1e-6);
    free(state);
    free(scratch);
    tc_rnn_destroy(net);
}

Test(rnn, stream_equals_window)
{
    check_stream(TC_RNN_LSTM, 1);
    check_stream(TC_RNN_LSTM, 2);
    check_stream(TC_RNN_GRU, 1);
    check_stream(TC_RNN_GRU, 3);
}
