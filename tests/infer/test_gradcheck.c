/* test_gradcheck.c — gradients checked without PyTorch: a plain double-precision
 * LSTM/GRU written here from the equations (not from infer/rnn.c) gives the loss, and
 * central finite differences of it (step 1e-6 in double) give every parameter's
 * gradient; the float32 backward of infer/ must agree within 1e-4 relative plus 2e-6
 * absolute, and the forward output within 1e-5 relative. */
#include "tests/infer/fixture.h"

#include "infer/loss.h"

#define GC_REL 1e-4
#define GC_ABS 2e-6

static double sig(double v) { return 1.0 / (1.0 + exp(-v)); }

/* out (B, K) of the network with parameters th (parameter-shaped, doubles). */
static void ref_forward(double *out, const double *th, const tc_rnn_t *net, const float *x, int B,
                        int T)
{
    const tc_rnn_config_t *cfg = &net->cfg;
    const int H = cfg->hidden, L = cfg->layers, G = tc_rnn_gates(cfg->cell), K = cfg->horizon;
    const tc_rnn_tensor_t *tab = net->tensors;
    double h[TC_RNN_MAX_LAYERS][64], c[TC_RNN_MAX_LAYERS][64], a[256], ah[256], in[64];
    cr_assert(H <= 64 && G * H <= 256 && cfg->input <= 64);
    for (int b = 0; b < B; b++) {
        memset(h, 0, sizeof h);
        memset(c, 0, sizeof c);
        for (int t = 0; t < T; t++) {
            int Cl = cfg->input;
            for (int k = 0; k < Cl; k++)
                in[k] = x[(b * T + t) * Cl + k];
            for (int l = 0; l < L; l++) {
                const double *wih = th + tab[4 * l].offset, *whh = th + tab[4 * l + 1].offset;
                const double *bih = th + tab[4 * l + 2].offset, *bhh = th + tab[4 * l + 3].offset;
                for (int g = 0; g < G * H; g++) {
                    a[g] = bih[g];
                    ah[g] = bhh[g];
                    for (int k = 0; k < Cl; k++)
                        a[g] += wih[g * Cl + k] * in[k];
                    for (int k = 0; k < H; k++)
                        ah[g] += whh[g * H + k] * h[l][k];
                }
                for (int j = 0; j < H; j++) {
                    if (cfg->cell == TC_RNN_LSTM) {
                        double i = sig(a[j] + ah[j]), f = sig(a[H + j] + ah[H + j]);
                        double g = tanh(a[2 * H + j] + ah[2 * H + j]);
                        double o = sig(a[3 * H + j] + ah[3 * H + j]);
                        c[l][j] = f * c[l][j] + i * g;
                        h[l][j] = o * tanh(c[l][j]);
                    } else {
                        double r = sig(a[j] + ah[j]), z = sig(a[H + j] + ah[H + j]);
                        double n = tanh(a[2 * H + j] + r * ah[2 * H + j]);
                        h[l][j] = (1 - z) * n + z * h[l][j];
                    }
                }
                for (int k = 0; k < H; k++)
                    in[k] = h[l][k];
                Cl = H;
            }
        }
        const double *hw = th + tab[4 * L].offset, *hb = th + tab[4 * L + 1].offset;
        for (int k = 0; k < K; k++) {
            out[b * K + k] = hb[k];
            for (int j = 0; j < H; j++)
                out[b * K + k] += hw[k * H + j] * h[L - 1][j];
        }
    }
}

static double ref_loss(const double *th, const tc_rnn_t *net, const float *x, const float *y,
                       int B, int T, int huber)
{
    double out[64], s = 0;
    int n = B * net->cfg.horizon;
    ref_forward(out, th, net, x, B, T);
    for (int i = 0; i < n; i++) {
        double r = out[i] - y[i];
        if (!huber)
            s += r * r;
        else
            s += fabs(r) < 1.0 ? 0.5 * r * r : fabs(r) - 0.5;
    }
    return s / n;
}

static void gradcheck(tc_rnn_cell_t cell, int layers, int huber)
{
    tc_rnn_config_t cfg = {.cell = cell, .input = 3, .hidden = 4, .layers = layers, .horizon = 2};
    const int B = 2, T = 3, n_out = B * cfg.horizon;
    tc_rnn_t *net = tc_rnn_create(&cfg, B, T);
    cr_assert(net);
    tc_rnn_init_uniform(net, 2024 + (unsigned)layers);
    /* Larger weights than the default init make the gates nonlinear enough to matter. */
    for (size_t i = 0; i < net->n_params; i++)
        net->param_block[i] *= 2.0f;
    float x[2 * 3 * 3], y[4], dout[4];
    fx_fill(x, sizeof x / sizeof x[0], 11);
    fx_fill(y, 4, 12);
    for (int i = 0; i < 4; i++)
        y[i] *= 2.0f; /* residuals on both sides of the Huber threshold */

    tc_rnn_forward(&net->acts, x, &net->params, &cfg, B, T, TC_GEMM_BLAS);
    if (huber)
        tc_loss_huber(dout, net->acts.out, y, n_out, 1.0f);
    else
        tc_loss_mse(dout, net->acts.out, y, n_out);
    memset(net->grad_block, 0, net->n_params * sizeof(float));
    tc_rnn_backward(&net->grads, &net->acts, dout, &net->params, &cfg, B, T, TC_GEMM_BLAS);

    double *th = calloc(net->n_params, sizeof *th), out_ref[4];
    for (size_t i = 0; i < net->n_params; i++)
        th[i] = net->param_block[i];
    ref_forward(out_ref, th, net, x, B, T);
    float out_ref_f[4], *fd = calloc(net->n_params, sizeof *fd);
    for (int i = 0; i < n_out; i++)
        out_ref_f[i] = (float)out_ref[i];
    const char *cn = cell == TC_RNN_LSTM ? "lstm" : "gru";
    char what[96];
    fprintf(stderr, "%s L=%d %s, double-precision reference:\n", cn, layers, huber ? "huber" : "mse");
    snprintf(what, sizeof what, "%s L=%d forward vs double reference", cn, layers);
    fx_compare(what, net->acts.out, out_ref_f, (size_t)n_out, 1e-5, 1e-6);

    const double step = 1e-6;
    for (int ti = 0; ti < net->n_tensors; ti++) {
        const tc_rnn_tensor_t *t = &net->tensors[ti];
        for (size_t j = 0; j < t->numel; j++) {
            size_t i = t->offset + j;
            double keep = th[i];
            th[i] = keep + step;
            double lp = ref_loss(th, net, x, y, B, T, huber);
            th[i] = keep - step;
            double lm = ref_loss(th, net, x, y, B, T, huber);
            th[i] = keep;
            fd[i] = (float)((lp - lm) / (2 * step));
        }
        snprintf(what, sizeof what, "%s L=%d %s d%s", cn, layers, huber ? "huber" : "mse", t->name);
        fx_compare(what, net->grad_block + t->offset, fd + t->offset, t->numel, GC_REL, GC_ABS);
    }
    free(th);
    free(fd);
    tc_rnn_destroy(net);
}

Test(gradcheck, lstm_mse) { gradcheck(TC_RNN_LSTM, 2, 0); }
Test(gradcheck, lstm_huber) { gradcheck(TC_RNN_LSTM, 1, 1); }
Test(gradcheck, gru_mse) { gradcheck(TC_RNN_GRU, 2, 0); }
Test(gradcheck, gru_huber) { gradcheck(TC_RNN_GRU, 3, 1); }
