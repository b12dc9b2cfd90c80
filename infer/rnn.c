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

#include "infer/act.h"

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

static void lstm_layer_forward(float *h, float *c, float *gates, float *tmp, const float *xin,
                               const float *w_ih, const float *w_hh, const float *b_ih,
                               const float *b_hh, int B, int T, int Cl, int H,
                               tc_gemm_path_t path)
{
    const int GH = 4 * H;
    /* All steps' input projections at once: gates (T*B, 4H) = xin (T*B, Cl) W_ih^T. */
    tc_gemm(gates, GH, xin, Cl, w_ih, Cl, T * B, GH, Cl, 0, 1, 1.0f, 0.0f, path);
    add_rows(gates, b_ih, T * B, GH);
    add_rows(gates, b_hh, T * B, GH);
    memset(h, 0, (size_t)B * H * sizeof *h);
    memset(c, 0, (size_t)B * H * sizeof *c);
    for (int t = 0; t < T; t++) {
        const float *hp = h + (size_t)t * B * H, *cp = c + (size_t)t * B * H;
        float *hc = h + (size_t)(t + 1) * B * H, *cc = c + (size_t)(t + 1) * B * H;
        float *g = gates + (size_t)t * B * GH;
        tc_gemm(g, GH, hp, H, w_hh, H, B, GH, H, 0, 1, 1.0f, 1.0f, path);
        for (int b = 0; b < B; b++) {
            float *gb = g + (size_t)b * GH;
            tc_act_sigmoid(gb, gb, 2 * H); /* i, f */
            tc_act_tanh(gb + 2 * H, gb + 2 * H, H);
            tc_act_sigmoid(gb + 3 * H, gb + 3 * H, H);
            for (int j = 0; j < H; j++)
                cc[b * H + j] = gb[H + j] * cp[b * H + j] + gb[j] * gb[2 * H + j];
        }
        tc_act_tanh(tmp, cc, B * H);
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++)
                hc[b * H + j] = g[(size_t)b * GH + 3 * H + j] * tmp[b * H + j];
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
    add_rows(gates, b_ih, T * B, GH);
    memset(h, 0, (size_t)B * H * sizeof *h);
    for (int t = 0; t < T; t++) {
        const float *hp = h + (size_t)t * B * H;
        float *hc = h + (size_t)(t + 1) * B * H;
        float *g = gates + (size_t)t * B * GH;
        float *hnt = hn + (size_t)t * B * H;
        tc_gemm(step, GH, hp, H, w_hh, H, B, GH, H, 0, 1, 1.0f, 0.0f, path);
        add_rows(step, b_hh, B, GH);
        for (int b = 0; b < B; b++) {
            float *gb = g + (size_t)b * GH;
            const float *sb = step + (size_t)b * GH;
            for (int j = 0; j < 2 * H; j++)
                gb[j] += sb[j];
            tc_act_sigmoid(gb, gb, 2 * H); /* r, z */
            for (int j = 0; j < H; j++) {
                hnt[b * H + j] = sb[2 * H + j];
                gb[2 * H + j] += gb[j] * sb[2 * H + j];
            }
            tc_act_tanh(gb + 2 * H, gb + 2 * H, H);
            for (int j = 0; j < H; j++) {
                float z = gb[H + j];
                hc[b * H + j] = (1.0f - z) * gb[2 * H + j] + z * hp[b * H + j];
            }
        }
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
            lstm_layer_forward(a->h[l], a->c[l], a->gates[l], a->step, xin, p->w_ih[l], p->w_hh[l],
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
static void lstm_layer_backward(float *dpre, float *dh_next, float *dc_next, float *tmp,
                                const float *dh, const float *c, const float *gates,
                                const float *w_hh, int B, int T, int H, tc_gemm_path_t path)
{
    const int GH = 4 * H;
    memset(dh_next, 0, (size_t)B * H * sizeof *dh_next);
    memset(dc_next, 0, (size_t)B * H * sizeof *dc_next);
    for (int t = T - 1; t >= 0; t--) {
        const float *g = gates + (size_t)t * B * GH;
        const float *cp = c + (size_t)t * B * H, *cc = c + (size_t)(t + 1) * B * H;
        const float *dht = dh + (size_t)t * B * H;
        float *da = dpre + (size_t)t * B * GH;
        tc_act_tanh(tmp, cc, B * H); /* the forward's tanh(c), recomputed bit for bit */
        for (int b = 0; b < B; b++) {
            const float *gb = g + (size_t)b * GH;
            float *db = da + (size_t)b * GH;
            for (int j = 0; j < H; j++) {
                int k = b * H + j;
                float i = gb[j], f = gb[H + j], gg = gb[2 * H + j], o = gb[3 * H + j];
                float tc = tmp[k];
                float dhv = dht[k] + dh_next[k];
                float dcv = dc_next[k] + dhv * o * (1.0f - tc * tc);
                db[j] = dcv * gg * i * (1.0f - i);
                db[H + j] = dcv * cp[k] * f * (1.0f - f);
                db[2 * H + j] = dcv * i * (1.0f - gg * gg);
                db[3 * H + j] = dhv * tc * o * (1.0f - o);
                dc_next[k] = dcv * f;
            }
        }
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
        const float *g = gates + (size_t)t * B * GH;
        const float *hp = h + (size_t)t * B * H;
        const float *hnt = hn + (size_t)t * B * H;
        const float *dht = dh + (size_t)t * B * H;
        float *dx = dpre + (size_t)t * B * GH, *dhh = dpre_h + (size_t)t * B * GH;
        for (int b = 0; b < B; b++) {
            const float *gb = g + (size_t)b * GH;
            float *dxb = dx + (size_t)b * GH, *dhb = dhh + (size_t)b * GH;
            for (int j = 0; j < H; j++) {
                int k = b * H + j;
                float r = gb[j], z = gb[H + j], n = gb[2 * H + j];
                float dhv = dht[k] + dh_next[k];
                float dan = dhv * (1.0f - z) * (1.0f - n * n);
                float dar = dan * hnt[k] * r * (1.0f - r);
                float daz = dhv * (hp[k] - n) * z * (1.0f - z);
                dxb[j] = dar, dxb[H + j] = daz, dxb[2 * H + j] = dan;
                dhb[j] = dar, dhb[H + j] = daz, dhb[2 * H + j] = dan * r;
                dh_next[k] = dhv * z;
            }
        }
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
            lstm_layer_backward(a->dpre, a->dh_next, a->dc_next, a->step, dh, a->c[l],
                                a->gates[l], p->w_hh[l], B, T, H, path);
            dsrc_h = a->dpre;
        } else {
            gru_layer_backward(a->dpre, a->dpre_h, a->dh_next, dh, a->h[l], a->gates[l],
                               a->hn[l], p->w_hh[l], B, T, H, path);
            dsrc_h = a->dpre_h;
        }
        /* Weight gradients over all steps at once: (G*H, T*B) x (T*B, C_l or H). */
        tc_gemm(g->w_ih[l], Cl, a->dpre, GH, xin, Cl, GH, Cl, T * B, 1, 0, 1.0f, 1.0f, path);
        tc_gemm(g->w_hh[l], H, dsrc_h, GH, a->h[l], H, GH, H, T * B, 1, 0, 1.0f, 1.0f, path);
        add_colsum(g->b_ih[l], a->dpre, T * B, GH);
        add_colsum(g->b_hh[l], dsrc_h, T * B, GH);
        if (l > 0) {
            /* The layer below's output gradient: dx (T*B, H) = dpre (T*B, G*H) W_ih. */
            float *below = a->dh[(L - l) % 2];
            tc_gemm(below, H, a->dpre, GH, p->w_ih[l], Cl, T * B, Cl, GH, 0, 0, 1.0f, 0.0f,
                    path);
            dh = below;
        }
    }
}
