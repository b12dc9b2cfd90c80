/* step.c — the B = 1 streaming step of the LSTM and GRU (tc_rnn_step) and the weight
 * layout it reads (tc_rnn_step_pack).  The window kernels are in rnn.c.
 *
 * One pass over the weights per layer, with the gate activations and the state update
 * done in registers.  The weights of a layer are packed in panels of U = 16 hidden
 * units: panel p holds, for every input row k of [x (C_l); h' (H)], the columns of all
 * the gates of units 16p .. 16p+15 side by side, so the panel is one contiguous stream
 * of (C_l + H) rows the hardware prefetcher follows, and its 8 (LSTM) accumulators of
 * eight lanes end up holding i, f, g, o of exactly the 16 units whose c and h they
 * update.  The GRU keeps W_in x and W_hn h' apart (r multiplies only the latter): its
 * rows have three groups, r, z, n, where n is W_in's columns over the x rows and W_hn's
 * over the h' rows, accumulated into separate registers.  A last panel with fewer than
 * 16 units is padded with zero weights and bias; its padded lanes are computed and
 * dropped.  The previous h' is copied into the input vector first, so h can be
 * overwritten panel by panel.
 *
 * The body is compiled for AVX2+FMA and for baseline x86-64 and picked per call from
 * the CPU's feature bits (as act.c and cell.c); this file is compiled with
 * -ffp-contract=fast, so the AVX2 variant fuses its multiply-adds.  Summation order
 * (bias, then x rows, then h' rows) differs from the window forward's BLAS products
 * only by rounding: tests/infer/test_step.c holds the step against a naive double
 * precision step and the window forward.
 */
#include "infer/rnn.h"

#include <string.h>

#include "infer/act_v8.h"

#define U TC_RNN_STEP_UNITS

static int panels(int H) { return (H + U - 1) / U; }

/* Columns of one packed row: 4U for the LSTM (i, f, g, o), 3U for the GRU (r, z, n). */
static int row_width(tc_rnn_cell_t cell) { return tc_rnn_gates(cell) * U; }

size_t tc_rnn_step_layer_size(const tc_rnn_config_t *cfg, int l)
{
    const int Cl = l == 0 ? cfg->input : cfg->hidden;
    return (size_t)panels(cfg->hidden) * (size_t)(Cl + cfg->hidden) * (size_t)row_width(cfg->cell);
}

size_t tc_rnn_step_bias_size(const tc_rnn_config_t *cfg)
{
    return (size_t)panels(cfg->hidden) * 4 * U;
}

void tc_rnn_step_pack(tc_rnn_packed_t *pk, const tc_rnn_params_t *p, const tc_rnn_config_t *cfg)
{
    const int H = cfg->hidden, P = panels(H), G = tc_rnn_gates(cfg->cell), RW = G * U;
    const int lstm = cfg->cell == TC_RNN_LSTM;
    for (int l = 0; l < cfg->layers; l++) {
        const int Cl = l == 0 ? cfg->input : H, rows = Cl + H;
        float *w = pk->w[l], *b = pk->b[l];
        memset(w, 0, tc_rnn_step_layer_size(cfg, l) * sizeof *w);
        memset(b, 0, tc_rnn_step_bias_size(cfg) * sizeof *b);
        for (int pn = 0; pn < P; pn++) {
            float *panel = w + (size_t)pn * rows * RW, *bias = b + (size_t)pn * 4 * U;
            for (int u = 0; u < U && pn * U + u < H; u++) {
                const int j = pn * U + u;
                for (int g = 0; g < G; g++) {
                    /* Row g*H + j of W_ih / W_hh is gate g of unit j (PyTorch's order). */
                    const float *wi = p->w_ih[l] + (size_t)(g * H + j) * Cl;
                    const float *wh = p->w_hh[l] + (size_t)(g * H + j) * H;
                    for (int k = 0; k < Cl; k++)
                        panel[(size_t)k * RW + g * U + u] = wi[k];
                    for (int k = 0; k < H; k++)
                        panel[(size_t)(Cl + k) * RW + g * U + u] = wh[k];
                }
                if (lstm) {
                    for (int g = 0; g < 4; g++)
                        bias[g * U + u] = p->b_ih[l][g * H + j] + p->b_hh[l][g * H + j];
                } else {
                    /* r and z take both biases; n keeps b_in and b_hn apart. */
                    bias[u] = p->b_ih[l][j] + p->b_hh[l][j];
                    bias[U + u] = p->b_ih[l][H + j] + p->b_hh[l][H + j];
                    bias[2 * U + u] = p->b_ih[l][2 * H + j];
                    bias[3 * U + u] = p->b_hh[l][2 * H + j];
                }
            }
        }
    }
}

#define LD(p) (*(const tc_v8f *)(const void *)(p))
#define ST(p) (*(tc_v8f *)(void *)(p))

/* One LSTM layer: c (H) and h (H) advanced in place; xin = [x (Cl); h' (H)]. */
static inline __attribute__((always_inline)) void
lstm_layer(float *h, float *c, const float *xin, const float *w, const float *b, int Cl, int H)
{
    const int rows = Cl + H;
    for (int j0 = 0; j0 < H; j0 += U, w += (size_t)rows * 4 * U, b += 4 * U) {
        tc_v8f i0 = LD(b), i1 = LD(b + 8), f0 = LD(b + 16), f1 = LD(b + 24);
        tc_v8f g0 = LD(b + 32), g1 = LD(b + 40), o0 = LD(b + 48), o1 = LD(b + 56);
        const float *wk = w;
        for (int k = 0; k < rows; k++, wk += 4 * U) {
            const float xk = xin[k];
            i0 += xk * LD(wk), i1 += xk * LD(wk + 8);
            f0 += xk * LD(wk + 16), f1 += xk * LD(wk + 24);
            g0 += xk * LD(wk + 32), g1 += xk * LD(wk + 40);
            o0 += xk * LD(wk + 48), o1 += xk * LD(wk + 56);
        }
        SIGMOID8(i0, i0);
        SIGMOID8(i1, i1);
        SIGMOID8(f0, f0);
        SIGMOID8(f1, f1);
        TANH8(g0, g0);
        TANH8(g1, g1);
        SIGMOID8(o0, o0);
        SIGMOID8(o1, o1);
        const int n = H - j0 < U ? H - j0 : U;
        float cbuf[U], hbuf[U];
        float *cp = c + j0, *hp = h + j0;
        if (n < U) { /* the padded last panel works on copies */
            memset(cbuf, 0, sizeof cbuf);
            memcpy(cbuf, cp, (size_t)n * sizeof *cbuf);
            cp = cbuf, hp = hbuf;
        }
        tc_v8f c0 = f0 * LD(cp) + i0 * g0, c1 = f1 * LD(cp + 8) + i1 * g1, t0, t1;
        ST(cp) = c0, ST(cp + 8) = c1;
        TANH8(t0, c0);
        TANH8(t1, c1);
        ST(hp) = o0 * t0, ST(hp + 8) = o1 * t1;
        if (n < U) {
            memcpy(c + j0, cbuf, (size_t)n * sizeof *cbuf);
            memcpy(h + j0, hbuf, (size_t)n * sizeof *hbuf);
        }
    }
}

/* One GRU layer: h (H) advanced in place; xin = [x (Cl); h' (H)]. */
static inline __attribute__((always_inline)) void
gru_layer(float *h, const float *xin, const float *w, const float *b, int Cl, int H)
{
    const int rows = Cl + H;
    const float *hprev = xin + Cl;
    for (int j0 = 0; j0 < H; j0 += U, w += (size_t)rows * 3 * U, b += 4 * U) {
        tc_v8f r0 = LD(b), r1 = LD(b + 8), z0 = LD(b + 16), z1 = LD(b + 24);
        tc_v8f n0 = LD(b + 32), n1 = LD(b + 40), m0 = LD(b + 48), m1 = LD(b + 56);
        const float *wk = w;
        for (int k = 0; k < Cl; k++, wk += 3 * U) { /* x rows: W_ir, W_iz, W_in */
            const float xk = xin[k];
            r0 += xk * LD(wk), r1 += xk * LD(wk + 8);
            z0 += xk * LD(wk + 16), z1 += xk * LD(wk + 24);
            n0 += xk * LD(wk + 32), n1 += xk * LD(wk + 40);
        }
        for (int k = Cl; k < rows; k++, wk += 3 * U) { /* h' rows: W_hr, W_hz, W_hn */
            const float xk = xin[k];
            r0 += xk * LD(wk), r1 += xk * LD(wk + 8);
            z0 += xk * LD(wk + 16), z1 += xk * LD(wk + 24);
            m0 += xk * LD(wk + 32), m1 += xk * LD(wk + 40);
        }
        SIGMOID8(r0, r0);
        SIGMOID8(r1, r1);
        SIGMOID8(z0, z0);
        SIGMOID8(z1, z1);
        n0 = n0 + r0 * m0, n1 = n1 + r1 * m1;
        TANH8(n0, n0);
        TANH8(n1, n1);
        const int n = H - j0 < U ? H - j0 : U;
        float pbuf[U], hbuf[U];
        const float *pp = hprev + j0;
        float *hp = h + j0;
        if (n < U) {
            memset(pbuf, 0, sizeof pbuf);
            memcpy(pbuf, pp, (size_t)n * sizeof *pbuf);
            pp = pbuf, hp = hbuf;
        }
        const tc_v8f one = V8F(1.0f);
        ST(hp) = (one - z0) * n0 + z0 * LD(pp);
        ST(hp + 8) = (one - z1) * n1 + z1 * LD(pp + 8);
        if (n < U)
            memcpy(h + j0, hbuf, (size_t)n * sizeof *hbuf);
    }
}

static inline __attribute__((always_inline)) void
step_body(float *state, float *xin, const float *x, const tc_rnn_packed_t *pk,
          const tc_rnn_config_t *cfg)
{
    const int H = cfg->hidden;
    const float *in = x;
    int Cl = cfg->input;
    for (int l = 0; l < cfg->layers; l++) {
        float *h = state + (size_t)l * 2 * H, *c = h + H;
        memcpy(xin, in, (size_t)Cl * sizeof *xin);
        memcpy(xin + Cl, h, (size_t)H * sizeof *xin);
        if (cfg->cell == TC_RNN_LSTM)
            lstm_layer(h, c, xin, pk->w[l], pk->b[l], Cl, H);
        else
            gru_layer(h, xin, pk->w[l], pk->b[l], Cl, H);
        in = h;
        Cl = H;
    }
}

/* out (K) = head_b + head_w (K, H) h: K dot products over contiguous rows (the head
 * is a handful of outputs, too few columns for the panel scheme). */
static inline __attribute__((always_inline)) void
head_body(float *out, const float *h, const float *w, const float *b, int H, int K)
{
    for (int k = 0; k < K; k++, w += H) {
        tc_v8f acc = V8F(0.0f);
        int j = 0;
        for (; j + 8 <= H; j += 8)
            acc += LD(w + j) * LD(h + j);
        float s = b[k];
        for (int q = 0; q < 8; q++)
            s += acc[q];
        for (; j < H; j++)
            s += w[j] * h[j];
        out[k] = s;
    }
}

/* One step and the head (infer = 0), or each of B windows of T steps from zero state
 * and the head after the last step (infer = 1; x is (B, T, C), out (B, K)). */
static inline __attribute__((always_inline)) void
run_body(float *out, float *state, float *xin, const float *x, const tc_rnn_packed_t *pk,
         const tc_rnn_config_t *cfg, int B, int T, int infer)
{
    const float *top = state + (size_t)(cfg->layers - 1) * 2 * cfg->hidden;
    if (!infer) {
        step_body(state, xin, x, pk, cfg);
        head_body(out, top, pk->head_w, pk->head_b, cfg->hidden, cfg->horizon);
        return;
    }
    for (int b = 0; b < B; b++) {
        memset(state, 0, tc_rnn_state_size(cfg) * sizeof *state);
        for (int t = 0; t < T; t++)
            step_body(state, xin, x + ((size_t)b * T + t) * cfg->input, pk, cfg);
        head_body(out + (size_t)b * cfg->horizon, top, pk->head_w, pk->head_b, cfg->hidden,
                  cfg->horizon);
    }
}

__attribute__((target("avx2,fma"))) static void
run_avx2(float *out, float *state, float *xin, const float *x, const tc_rnn_packed_t *pk,
         const tc_rnn_config_t *cfg, int B, int T, int infer)
{
    run_body(out, state, xin, x, pk, cfg, B, T, infer);
}

static void run_base(float *out, float *state, float *xin, const float *x,
                     const tc_rnn_packed_t *pk, const tc_rnn_config_t *cfg, int B, int T,
                     int infer)
{
    run_body(out, state, xin, x, pk, cfg, B, T, infer);
}

static int use_avx2(int baseline)
{
    return !baseline && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

void tc_rnn_step_isa(float *out, float *state, float *scratch, const float *x,
                     const tc_rnn_packed_t *pk, const tc_rnn_config_t *cfg, int baseline)
{
    if (use_avx2(baseline))
        run_avx2(out, state, scratch, x, pk, cfg, 1, 1, 0);
    else
        run_base(out, state, scratch, x, pk, cfg, 1, 1, 0);
}

void tc_rnn_infer_isa(float *out, float *state, float *scratch, const float *x,
                      const tc_rnn_packed_t *pk, const tc_rnn_config_t *cfg, int B, int T,
                      int baseline)
{
    if (use_avx2(baseline))
        run_avx2(out, state, scratch, x, pk, cfg, B, T, 1);
    else
        run_base(out, state, scratch, x, pk, cfg, B, T, 1);
}

void tc_rnn_infer(float *out, float *state, float *scratch, const float *x,
                  const tc_rnn_packed_t *pk, const tc_rnn_config_t *cfg, int B, int T)
{
    tc_rnn_infer_isa(out, state, scratch, x, pk, cfg, B, T, 0);
}

void tc_rnn_step(float *out, float *state, float *scratch, const float *x,
                 const tc_rnn_packed_t *pk, const tc_rnn_config_t *cfg)
{
    tc_rnn_step_isa(out, state, scratch, x, pk, cfg, 0);
}
