/* rnn.c — the LSTM and GRU window kernels: forward, backward through time and the
 * head.  The B = 1 streaming step is in step.c; building, initialising
 * and packing a network in rnn_net.c; losses in loss.c; optimisers in optim.c.
 *
 * Semantics follow torch.nn.LSTM / torch.nn.GRU (batch_first, zero initial state) so
 * the tests can hold every output and gradient against PyTorch fixtures.  The input
 * projection of a layer is one GEMM over all T steps ((T*B, C_l) x (C_l, G*H)); only
 * the recurrent product runs per step.  Backward likewise turns the weight gradients
 * into one GEMM each over all steps, after the per-step recurrence has produced the
 * pre-activation gradients.
 */
#include "infer/rnn.h"

#include <assert.h>
#include <string.h>

#include "infer/cell.h"

/* Adds bias (N) to every row of m (M, N). */
static void add_rows(float *m, const float *bias, int M, int N)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            m[(size_t)i * N + j] += bias[j];
}

/* acc (N) += column sums of m (M, N). */
static void add_colsum(float *acc, const float *m, int M, int N)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            acc[j] += m[(size_t)i * N + j];
}

/* The biases are added in the fused per-step pass (cell.c) rather than in passes of
 * their own over the whole (T*B, G*H) gate buffer, which does not fit in cache. */
static void lstm_layer_forward(float *h, float *c, float *gates, const float *xin,
                               const float *w_ih, const float *w_hh, const float *b_ih,
                               const float *b_hh, int B, int T, int Cl, int H,
                               tc_gemm_path_t path)
{
    const int GH = 4 * H;
    /* All steps' input projections at once: gates (T*B, 4H) = xin (T*B, Cl) W_ih^T. */
    tc_gemm(gates, GH, xin, Cl, w_ih, Cl, T * B, GH, Cl, 0, 1, 1.0f, 0.0f, path);
    memset(h, 0, (size_t)B * H * sizeof *h);
    memset(c, 0, (size_t)B * H * sizeof *c);
    for (int t = 0; t < T; t++) {
        const float *hp = h + (size_t)t * B * H, *cp = c + (size_t)t * B * H;
        float *hc = h + (size_t)(t + 1) * B * H, *cc = c + (size_t)(t + 1) * B * H;
        float *g = gates + (size_t)t * B * GH;
        if (t > 0) /* h' = 0 at t = 0 */
            tc_gemm(g, GH, hp, H, w_hh, H, B, GH, H, 0, 1, 1.0f, 1.0f, path);
        tc_cell_lstm_forward(g, cc, hc, cp, b_ih, b_hh, B, H);
    }
}

static void gru_layer_forward(float *h, float *gates, float *hn, float *step, const float *xin,
                              const float *w_ih, const float *w_hh, const float *b_ih,
                              const float *b_hh, int B, int T, int Cl, int H,
                              tc_gemm_path_t path)
{
    const int GH = 3 * H;
    /* Input side of every step at once; the recurrent side stays separate because r
     * multiplies only its n part (W_hn h' + b_hn), unlike the LSTM's plain sum. */
    tc_gemm(gates, GH, xin, Cl, w_ih, Cl, T * B, GH, Cl, 0, 1, 1.0f, 0.0f, path);
    memset(h, 0, (size_t)B * H * sizeof *h);
    for (int t = 0; t < T; t++) {
        const float *hp = h + (size_t)t * B * H;
        if (t > 0)
            tc_gemm(step, GH, hp, H, w_hh, H, B, GH, H, 0, 1, 1.0f, 0.0f, path);
        else
            memset(step, 0, (size_t)B * GH * sizeof *step);
        tc_cell_gru_forward(gates + (size_t)t * B * GH, hn + (size_t)t * B * H,
                            h + (size_t)(t + 1) * B * H, step, hp, b_ih, b_hh, B, H);
    }
}

void tc_rnn_forward(tc_rnn_acts_t *a, const float *x, const tc_rnn_params_t *p,
                    const tc_rnn_config_t *cfg, int B, int T, tc_gemm_path_t path)
{
    const int C = cfg->input, H = cfg->hidden, L = cfg->layers, K = cfg->horizon;
    assert(B >= 1 && T >= 1);
    /* batch_first (B, T, C) -> time-major (T, B, C): each step's rows become contiguous. */
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
            memcpy(a->x + ((size_t)t * B + b) * C, x + ((size_t)b * T + t) * C,
                   (size_t)C * sizeof *x);
    for (int l = 0; l < L; l++) {
        const int Cl = l == 0 ? C : H;
        const float *xin = l == 0 ? a->x : a->h[l - 1] + (size_t)B * H; /* slots 1..T */
        if (cfg->cell == TC_RNN_LSTM)
            lstm_layer_forward(a->h[l], a->c[l], a->gates[l], xin, p->w_ih[l], p->w_hh[l],
                               p->b_ih[l], p->b_hh[l], B, T, Cl, H, path);
        else
            gru_layer_forward(a->h[l], a->gates[l], a->hn[l], a->step, xin, p->w_ih[l],
                              p->w_hh[l], p->b_ih[l], p->b_hh[l], B, T, Cl, H, path);
    }
    /* out (B, K) = h_T (B, H) head_w^T + head_b */
    const float *hT = a->h[L - 1] + (size_t)T * B * H;
    tc_gemm(a->out, K, hT, H, p->head_w, H, B, K, H, 0, 1, 1.0f, 0.0f, path);
    add_rows(a->out, p->head_b, B, K);
}

void tc_rnn_head_all(float *out_all, const tc_rnn_acts_t *a, const tc_rnn_params_t *p,
                     const tc_rnn_config_t *cfg, int B, int T, tc_gemm_path_t path)
{
    const int H = cfg->hidden, K = cfg->horizon;
    const float *top = a->h[cfg->layers - 1];
    for (int b = 0; b < B; b++) {
        /* Rows (t, b) of the time-major output, t = 0..T-1, are B*H apart. */
        tc_gemm(out_all + (size_t)b * T * K, K, top + (size_t)(B + b) * H, B * H, p->head_w,
                H, T, K, H, 0, 1, 1.0f, 0.0f, path);
        add_rows(out_all + (size_t)b * T * K, p->head_b, T, K);
    }
}

/* LSTM backward through time.  With s = 1 - tanh(c)^2 and dh, dc the gradients
 * arriving at step t (from above plus from step t+1):
 *     h = o tanh(c)          =>  do = dh tanh(c),  dc += dh o s
 *     c = f c' + i g         =>  di = dc g,  df = dc c',  dg = dc i,  dc' = dc f
 *     i = sigmoid(a_i) ...   =>  da_i = di i (1 - i),  da_g = dg (1 - g^2), ...
 *     a = W_ih x + W_hh h' + b  =>  dh' = da W_hh,  dW_hh += da^T h',  dW_ih += da^T x
 * The per-step part produces da for every step into dpre; the weight gradients are
 * then one GEMM each over all T*B rows. */
static void lstm_layer_backward(float *dpre, float *dh_next, float *dc_next, const float *dh,
                                const float *c, const float *gates, const float *w_hh, int B,
                                int T, int H, tc_gemm_path_t path)
{
    const int GH = 4 * H;
    memset(dh_next, 0, (size_t)B * H * sizeof *dh_next);
    memset(dc_next, 0, (size_t)B * H * sizeof *dc_next);
    for (int t = T - 1; t >= 0; t--) {
        float *da = dpre + (size_t)t * B * GH;
        tc_cell_lstm_backward(da, dc_next, dh_next, dh + (size_t)t * B * H,
                              gates + (size_t)t * B * GH, c + (size_t)t * B * H,
                              c + (size_t)(t + 1) * B * H, B, H);
        if (t > 0) /* dh' (B, H) = da (B, 4H) W_hh (4H, H) */
            tc_gemm(dh_next, H, da, GH, w_hh, H, B, H, GH, 0, 0, 1.0f, 0.0f, path);
    }
}

/* GRU backward through time.  With dh arriving at step t and a_h = W_hh h' + b_hh:
 *     h = (1 - z) n + z h'   =>  dn = dh (1 - z),  dz = dh (h' - n),  dh' = dh z + ...
 *     n = tanh(a_xn + r a_hn) => da_xn = dn (1 - n^2),  da_hn = da_xn r,  dr = da_xn a_hn
 *     r, z = sigmoid(a_x + a_h) => da_r = dr r (1 - r),  da_z = dz z (1 - z)
 * so the input side gets (da_r, da_z, da_xn) into dpre and the recurrent side
 * (da_r, da_z, da_hn) into dpre_h, and dh' += dpre_h W_hh. */
static void gru_layer_backward(float *dpre, float *dpre_h, float *dh_next, const float *dh,
                               const float *h, const float *gates, const float *hn,
                               const float *w_hh, int B, int T, int H, tc_gemm_path_t path)
{
    const int GH = 3 * H;
    memset(dh_next, 0, (size_t)B * H * sizeof *dh_next);
    for (int t = T - 1; t >= 0; t--) {
        float *dhh = dpre_h + (size_t)t * B * GH;
        tc_cell_gru_backward(dpre + (size_t)t * B * GH, dhh, dh_next, dh + (size_t)t * B * H,
                             gates + (size_t)t * B * GH, h + (size_t)t * B * H,
                             hn + (size_t)t * B * H, B, H);
        if (t > 0)
            tc_gemm(dh_next, H, dhh, GH, w_hh, H, B, H, GH, 0, 0, 1.0f, 1.0f, path);
    }
}

void tc_rnn_backward(tc_rnn_params_t *g, tc_rnn_acts_t *a, const float *dout,
                     const tc_rnn_params_t *p, const tc_rnn_config_t *cfg, int B, int T,
                     tc_gemm_path_t path)
{
    const int C = cfg->input, H = cfg->hidden, L = cfg->layers, K = cfg->horizon;
    const int GH = tc_rnn_gates(cfg->cell) * H;
    const float *hT = a->h[L - 1] + (size_t)T * B * H;
    assert(B >= 1 && T >= 1);

    /* Head: out = hT W^T + b  =>  dW += dout^T hT,  db += sum dout,  dhT = dout W. */
    tc_gemm(g->head_w, H, dout, K, hT, H, K, H, B, 1, 0, 1.0f, 1.0f, path);
    add_colsum(g->head_b, dout, B, K);
    float *dh = a->dh[0];
    memset(dh, 0, (size_t)T * B * H * sizeof *dh);
    tc_gemm(dh + (size_t)(T - 1) * B * H, H, dout, K, p->head_w, H, B, H, K, 0, 0, 1.0f, 0.0f,
            path);

    for (int l = L - 1; l >= 0; l--) {
        const int Cl = l == 0 ? C : H;
        const float *xin = l == 0 ? a->x : a->h[l - 1] + (size_t)B * H;
        const float *dsrc_h; /* gradient of the recurrent pre-activation */
        if (cfg->cell == TC_RNN_LSTM) {
            lstm_layer_backward(a->dpre, a->dh_next, a->dc_next, dh, a->c[l], a->gates[l],
                                p->w_hh[l], B, T, H, path);
            dsrc_h = a->dpre;
        } else {
            gru_layer_backward(a->dpre, a->dpre_h, a->dh_next, dh, a->h[l], a->gates[l],
                               a->hn[l], p->w_hh[l], B, T, H, path);
            dsrc_h = a->dpre_h;
        }
        /* Weight gradients over all steps at once: (G*H, T*B) x (T*B, C_l or H). */
        tc_gemm(g->w_ih[l], Cl, a->dpre, GH, xin, Cl, GH, Cl, T * B, 1, 0, 1.0f, 1.0f, path);
        tc_gemm(g->w_hh[l], H, dsrc_h, GH, a->h[l], H, GH, H, T * B, 1, 0, 1.0f, 1.0f, path);
        if (dsrc_h == a->dpre) {
            /* LSTM: both biases get the same column sums; sum once. */
            memset(a->step, 0, (size_t)GH * sizeof *a->step);
            tc_cell_colsum(a->step, a->dpre, T * B, GH);
            for (int j = 0; j < GH; j++)
                g->b_ih[l][j] += a->step[j], g->b_hh[l][j] += a->step[j];
        } else {
            tc_cell_colsum(g->b_ih[l], a->dpre, T * B, GH);
            tc_cell_colsum(g->b_hh[l], dsrc_h, T * B, GH);
        }
        if (l > 0) {
            /* The layer below's output gradient: dx (T*B, H) = dpre (T*B, G*H) W_ih. */
            float *below = a->dh[(L - l) % 2];
            tc_gemm(below, H, a->dpre, GH, p->w_ih[l], Cl, T * B, Cl, GH, 0, 0, 1.0f, 0.0f,
                    path);
            dh = below;
        }
    }
}
