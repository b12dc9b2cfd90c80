/* test_cell.c — the fused element-wise passes of the window kernels (infer/cell.c)
 * against the equations written out here in double precision with libm's exp and tanh:
 * LSTM and GRU forward (biases, activations, state update) and backward (gate
 * derivatives, carried dh/dc), and the bias-gradient column sums.  Hidden sizes cover
 * a partial chunk only (5), whole eight-lane chunks (8, 64) and both (13, 70).
 * Tolerance 1e-5 relative plus 1e-6 absolute, as the PyTorch fixtures.  The whole
 * window kernels are held against PyTorch in test_rnn.c. */
#include "tests/infer/fixture.h"

#include "infer/cell.h"

static const int hs[] = {5, 8, 13, 64, 70};
enum { B = 3 };

static double sg(double v) { return 1.0 / (1.0 + exp(-v)); }

static float *rnd(size_t n, unsigned long long seed, float scale)
{
    float *x = malloc(n * sizeof *x);
    cr_assert(x);
    fx_fill(x, n, seed);
    for (size_t i = 0; i < n; i++)
        x[i] *= scale;
    return x;
}

Test(cell, lstm_forward_equals_reference)
{
    for (size_t s = 0; s < sizeof hs / sizeof hs[0]; s++) {
        const int H = hs[s];
        float *g = rnd((size_t)B * 4 * H, 1, 3.0f), *cp = rnd((size_t)B * H, 2, 1.0f);
        float *bi = rnd((size_t)4 * H, 3, 1.0f), *bh = rnd((size_t)4 * H, 4, 1.0f);
        float *c = calloc((size_t)B * H, 4), *h = calloc((size_t)B * H, 4);
        float *wg = malloc((size_t)B * 4 * H * 4), *wc = malloc((size_t)B * H * 4),
              *wh = malloc((size_t)B * H * 4);
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++) {
                double a[4], v[4];
                for (int q = 0; q < 4; q++)
                    a[q] = (double)g[(size_t)b * 4 * H + q * H + j] + bi[q * H + j] + bh[q * H + j];
                v[0] = sg(a[0]), v[1] = sg(a[1]), v[2] = tanh(a[2]), v[3] = sg(a[3]);
                for (int q = 0; q < 4; q++)
                    wg[(size_t)b * 4 * H + q * H + j] = (float)v[q];
                double cc = v[1] * cp[b * H + j] + v[0] * v[2];
                wc[b * H + j] = (float)cc;
                wh[b * H + j] = (float)(v[3] * tanh(cc));
            }
        tc_cell_lstm_forward(g, c, h, cp, bi, bh, B, H);
        char what[64];
        snprintf(what, sizeof what, "lstm forward H=%d gates", H);
        fx_compare(what, g, wg, (size_t)B * 4 * H, FX_REL, FX_ABS);
        snprintf(what, sizeof what, "lstm forward H=%d c", H);
        fx_compare(what, c, wc, (size_t)B * H, FX_REL, FX_ABS);
        snprintf(what, sizeof what, "lstm forward H=%d h", H);
        fx_compare(what, h, wh, (size_t)B * H, FX_REL, FX_ABS);
        free(g), free(cp), free(bi), free(bh), free(c), free(h), free(wg), free(wc), free(wh);
    }
}

Test(cell, gru_forward_equals_reference)
{
    for (size_t s = 0; s < sizeof hs / sizeof hs[0]; s++) {
        const int H = hs[s];
        float *g = rnd((size_t)B * 3 * H, 5, 3.0f), *st = rnd((size_t)B * 3 * H, 6, 2.0f);
        float *hp = rnd((size_t)B * H, 7, 1.0f);
        float *bi = rnd((size_t)3 * H, 8, 1.0f), *bh = rnd((size_t)3 * H, 9, 1.0f);
        float *hn = calloc((size_t)B * H, 4), *h = calloc((size_t)B * H, 4);
        float *wg = malloc((size_t)B * 3 * H * 4), *whn = malloc((size_t)B * H * 4),
              *wh = malloc((size_t)B * H * 4);
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++) {
                const float *gb = g + (size_t)b * 3 * H, *sb = st + (size_t)b * 3 * H;
                double r = sg((double)gb[j] + bi[j] + sb[j] + bh[j]);
                double z = sg((double)gb[H + j] + bi[H + j] + sb[H + j] + bh[H + j]);
                double an = (double)sb[2 * H + j] + bh[2 * H + j];
                double n = tanh((double)gb[2 * H + j] + bi[2 * H + j] + r * an);
                wg[(size_t)b * 3 * H + j] = (float)r;
                wg[(size_t)b * 3 * H + H + j] = (float)z;
                wg[(size_t)b * 3 * H + 2 * H + j] = (float)n;
                whn[b * H + j] = (float)an;
                wh[b * H + j] = (float)((1.0 - z) * n + z * hp[b * H + j]);
            }
        tc_cell_gru_forward(g, hn, h, st, hp, bi, bh, B, H);
        char what[64];
        snprintf(what, sizeof what, "gru forward H=%d gates", H);
        fx_compare(what, g, wg, (size_t)B * 3 * H, FX_REL, FX_ABS);
        snprintf(what, sizeof what, "gru forward H=%d W_hn h' + b_hn", H);
        fx_compare(what, hn, whn, (size_t)B * H, FX_REL, FX_ABS);
        snprintf(what, sizeof what, "gru forward H=%d h", H);
        fx_compare(what, h, wh, (size_t)B * H, FX_REL, FX_ABS);
        free(g), free(st), free(hp), free(bi), free(bh), free(hn), free(h), free(wg), free(whn),
            free(wh);
    }
}

/* Activated gates in (0, 1) (tanh's g in (-1, 1)), as the forward leaves them. */
static float *gates01(size_t n, unsigned long long seed)
{
    float *g = rnd(n, seed, 1.0f);
    for (size_t i = 0; i < n; i++)
        g[i] = 0.5f + 0.45f * g[i];
    return g;
}

Test(cell, lstm_backward_equals_reference)
{
    for (size_t s = 0; s < sizeof hs / sizeof hs[0]; s++) {
        const int H = hs[s];
        float *g = gates01((size_t)B * 4 * H, 10), *cp = rnd((size_t)B * H, 11, 1.0f);
        float *cc = rnd((size_t)B * H, 12, 2.0f), *dht = rnd((size_t)B * H, 13, 1.0f);
        float *dhn = rnd((size_t)B * H, 14, 1.0f), *dcn = rnd((size_t)B * H, 15, 1.0f);
        float *da = calloc((size_t)B * 4 * H, 4), *wda = malloc((size_t)B * 4 * H * 4),
              *wdc = malloc((size_t)B * H * 4);
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++) {
                const int k = b * H + j;
                const float *gb = g + (size_t)b * 4 * H;
                double i = gb[j], f = gb[H + j], gg = 2.0 * gb[2 * H + j] - 1.0, o = gb[3 * H + j];
                double tc = tanh((double)cc[k]), dh = (double)dht[k] + dhn[k];
                double dc = dcn[k] + dh * o * (1.0 - tc * tc);
                float *w = wda + (size_t)b * 4 * H;
                w[j] = (float)(dc * gg * i * (1.0 - i));
                w[H + j] = (float)(dc * cp[k] * f * (1.0 - f));
                w[2 * H + j] = (float)(dc * i * (1.0 - gg * gg));
                w[3 * H + j] = (float)(dh * tc * o * (1.0 - o));
                wdc[k] = (float)(dc * f);
            }
        for (int b = 0; b < B; b++) /* g's tanh gate lives in (-1, 1) */
            for (int j = 0; j < H; j++)
                g[(size_t)b * 4 * H + 2 * H + j] = 2.0f * g[(size_t)b * 4 * H + 2 * H + j] - 1.0f;
        tc_cell_lstm_backward(da, dcn, dhn, dht, g, cp, cc, B, H);
        char what[64];
        snprintf(what, sizeof what, "lstm backward H=%d da", H);
        fx_compare(what, da, wda, (size_t)B * 4 * H, FX_REL, FX_ABS);
        snprintf(what, sizeof what, "lstm backward H=%d dc'", H);
        fx_compare(what, dcn, wdc, (size_t)B * H, FX_REL, FX_ABS);
        free(g), free(cp), free(cc), free(dht), free(dhn), free(dcn), free(da), free(wda),
            free(wdc);
    }
}

Test(cell, gru_backward_equals_reference)
{
    for (size_t s = 0; s < sizeof hs / sizeof hs[0]; s++) {
        const int H = hs[s];
        float *g = gates01((size_t)B * 3 * H, 20), *hp = rnd((size_t)B * H, 21, 1.0f);
        float *hn = rnd((size_t)B * H, 22, 2.0f), *dht = rnd((size_t)B * H, 23, 1.0f);
        float *dhn = rnd((size_t)B * H, 24, 1.0f);
        float *dx = calloc((size_t)B * 3 * H, 4), *dhh = calloc((size_t)B * 3 * H, 4);
        float *wdx = malloc((size_t)B * 3 * H * 4), *wdhh = malloc((size_t)B * 3 * H * 4),
              *wdh = malloc((size_t)B * H * 4);
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++) {
                const int k = b * H + j;
                const float *gb = g + (size_t)b * 3 * H;
                double r = gb[j], z = gb[H + j], n = gb[2 * H + j];
                double dh = (double)dht[k] + dhn[k];
                double dan = dh * (1.0 - z) * (1.0 - n * n);
                double dar = dan * hn[k] * r * (1.0 - r);
                double daz = dh * (hp[k] - n) * z * (1.0 - z);
                float *x = wdx + (size_t)b * 3 * H, *y = wdhh + (size_t)b * 3 * H;
                x[j] = (float)dar, x[H + j] = (float)daz, x[2 * H + j] = (float)dan;
                y[j] = (float)dar, y[H + j] = (float)daz, y[2 * H + j] = (float)(dan * r);
                wdh[k] = (float)(dh * z);
            }
        tc_cell_gru_backward(dx, dhh, dhn, dht, g, hp, hn, B, H);
        char what[64];
        snprintf(what, sizeof what, "gru backward H=%d input side", H);
        fx_compare(what, dx, wdx, (size_t)B * 3 * H, FX_REL, FX_ABS);
        snprintf(what, sizeof what, "gru backward H=%d recurrent side", H);
        fx_compare(what, dhh, wdhh, (size_t)B * 3 * H, FX_REL, FX_ABS);
        snprintf(what, sizeof what, "gru backward H=%d dh' direct part", H);
        fx_compare(what, dhn, wdh, (size_t)B * H, FX_REL, FX_ABS);
        free(g), free(hp), free(hn), free(dht), free(dhn), free(dx), free(dhh), free(wdx),
            free(wdhh), free(wdh);
    }
}

Test(cell, colsum_equals_reference)
{
    static const int ns[] = {1, 7, 8, 20, 256, 259};
    for (size_t s = 0; s < sizeof ns / sizeof ns[0]; s++) {
        const int M = 37, N = ns[s];
        float *m = rnd((size_t)M * N, 30, 1.0f), *acc = rnd((size_t)N, 31, 1.0f);
        float *want = malloc((size_t)N * 4);
        for (int j = 0; j < N; j++) {
            double a = acc[j];
            for (int i = 0; i < M; i++)
                a += m[(size_t)i * N + j];
            want[j] = (float)a;
        }
        tc_cell_colsum(acc, m, M, N);
        char what[64];
        snprintf(what, sizeof what, "colsum M=%d N=%d (accumulating)", M, N);
        fx_compare(what, acc, want, (size_t)N, FX_REL, 1e-5);
        free(m), free(acc), free(want);
    }
}
