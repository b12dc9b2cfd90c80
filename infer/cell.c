/* cell.c — the fused element-wise passes of the window kernels (cell.h): one pass per
 * row of a time step does what used to take a bias pass, an activation pass per gate
 * group and a state pass, each re-reading the (B, G*H) gate buffer.
 *
 * Eight lanes at a time with act_v8.h's sigmoid and tanh (the bits of act.c's, since
 * neither file contracts multiply-adds); a row's last, shorter chunk goes through
 * zero-padded copies, the same arithmetic.  Each kernel is compiled for AVX2 and for
 * baseline x86-64 and picked per call from the CPU's feature bits; without FMA both
 * give the same bits, so training stays reproducible across machines.  The equations
 * and their derivation are in rnn.c, beside their callers.
 */
#include "infer/cell.h"

#include <string.h>

#include "infer/act_v8.h"

#define AI static inline __attribute__((always_inline))

/* Chunk access: eight lanes, or n < 8 through a zero-padded copy.  Macros, not
 * functions: a vector passed or returned by value would change the ABI of the baseline
 * clone (GCC's -Wpsabi). */
#define ldn(p, n)                                                                         \
    ({                                                                                    \
        tc_v8f ld_ = V8F(0.0f);                                                           \
        if ((n) == 8)                                                                     \
            ld_ = *(const tc_v8f *)(const void *)(p);                                    \
        else                                                                              \
            memcpy(&ld_, (p), (size_t)(n) * sizeof(float));                              \
        ld_;                                                                             \
    })
#define stn(p, v, n)                                                                      \
    do {                                                                                  \
        tc_v8f s_ = (v);                                                                  \
        if ((n) == 8)                                                                     \
            *(tc_v8f *)(void *)(p) = s_;                                                  \
        else                                                                              \
            memcpy((p), &s_, (size_t)(n) * sizeof(float));                                \
    } while (0)

AI void lstm_forward_body(float *g, float *c, float *h, const float *cp, const float *b_ih,
                          const float *b_hh, int B, int H)
{
    for (int b = 0; b < B; b++) {
        float *gb = g + (size_t)b * 4 * H;
        const size_t o = (size_t)b * H;
        for (int j = 0; j < H; j += 8) {
            const int n = H - j < 8 ? H - j : 8;
            tc_v8f ai = (ldn(gb + j, n) + ldn(b_ih + j, n)) + ldn(b_hh + j, n);
            tc_v8f af = (ldn(gb + H + j, n) + ldn(b_ih + H + j, n)) + ldn(b_hh + H + j, n);
            tc_v8f ag = (ldn(gb + 2 * H + j, n) + ldn(b_ih + 2 * H + j, n)) + ldn(b_hh + 2 * H + j, n);
            tc_v8f ao = (ldn(gb + 3 * H + j, n) + ldn(b_ih + 3 * H + j, n)) + ldn(b_hh + 3 * H + j, n);
            tc_v8f vi, vf, vg, vo, tc;
            SIGMOID8(vi, ai);
            SIGMOID8(vf, af);
            TANH8(vg, ag);
            SIGMOID8(vo, ao);
            stn(gb + j, vi, n);
            stn(gb + H + j, vf, n);
            stn(gb + 2 * H + j, vg, n);
            stn(gb + 3 * H + j, vo, n);
            tc_v8f vc = vf * ldn(cp + o + j, n) + vi * vg;
            stn(c + o + j, vc, n);
            TANH8(tc, vc);
            stn(h + o + j, vo * tc, n);
        }
    }
}

AI void gru_forward_body(float *g, float *hn, float *h, const float *s, const float *hp,
                         const float *b_ih, const float *b_hh, int B, int H)
{
    const tc_v8f one = V8F(1.0f);
    for (int b = 0; b < B; b++) {
        float *gb = g + (size_t)b * 3 * H;
        const float *sb = s + (size_t)b * 3 * H;
        const size_t o = (size_t)b * H;
        for (int j = 0; j < H; j += 8) {
            const int n = H - j < 8 ? H - j : 8;
            /* (W_i x + b_i) + (W_h h' + b_h), the order of the unfused code. */
            tc_v8f ar = (ldn(gb + j, n) + ldn(b_ih + j, n)) + (ldn(sb + j, n) + ldn(b_hh + j, n));
            tc_v8f az = (ldn(gb + H + j, n) + ldn(b_ih + H + j, n)) +
                        (ldn(sb + H + j, n) + ldn(b_hh + H + j, n));
            tc_v8f an = ldn(sb + 2 * H + j, n) + ldn(b_hh + 2 * H + j, n);
            tc_v8f vr, vz, vn;
            SIGMOID8(vr, ar);
            SIGMOID8(vz, az);
            stn(hn + o + j, an, n);
            tc_v8f ax = (ldn(gb + 2 * H + j, n) + ldn(b_ih + 2 * H + j, n)) + vr * an;
            TANH8(vn, ax);
            stn(gb + j, vr, n);
            stn(gb + H + j, vz, n);
            stn(gb + 2 * H + j, vn, n);
            stn(h + o + j, (one - vz) * vn + vz * ldn(hp + o + j, n), n);
        }
    }
}

AI void lstm_backward_body(float *da, float *dc_next, const float *dh_next, const float *dht,
                           const float *g, const float *cp, const float *cc, int B, int H)
{
    const tc_v8f one = V8F(1.0f);
    for (int b = 0; b < B; b++) {
        const float *gb = g + (size_t)b * 4 * H;
        float *db = da + (size_t)b * 4 * H;
        const size_t o = (size_t)b * H;
        for (int j = 0; j < H; j += 8) {
            const int n = H - j < 8 ? H - j : 8;
            tc_v8f i = ldn(gb + j, n), f = ldn(gb + H + j, n), gg = ldn(gb + 2 * H + j, n),
                   og = ldn(gb + 3 * H + j, n), tc;
            TANH8(tc, ldn(cc + o + j, n)); /* the forward's tanh(c), bit for bit */
            tc_v8f dhv = ldn(dht + o + j, n) + ldn(dh_next + o + j, n);
            tc_v8f dcv = ldn(dc_next + o + j, n) + dhv * og * (one - tc * tc);
            stn(db + j, dcv * gg * i * (one - i), n);
            stn(db + H + j, dcv * ldn(cp + o + j, n) * f * (one - f), n);
            stn(db + 2 * H + j, dcv * i * (one - gg * gg), n);
            stn(db + 3 * H + j, dhv * tc * og * (one - og), n);
            stn(dc_next + o + j, dcv * f, n);
        }
    }
}

AI void gru_backward_body(float *dx, float *dhh, float *dh_next, const float *dht, const float *g,
                          const float *hp, const float *hn, int B, int H)
{
    const tc_v8f one = V8F(1.0f);
    for (int b = 0; b < B; b++) {
        const float *gb = g + (size_t)b * 3 * H;
        float *dxb = dx + (size_t)b * 3 * H, *dhb = dhh + (size_t)b * 3 * H;
        const size_t o = (size_t)b * H;
        for (int j = 0; j < H; j += 8) {
            const int n = H - j < 8 ? H - j : 8;
            tc_v8f r = ldn(gb + j, n), z = ldn(gb + H + j, n), nn = ldn(gb + 2 * H + j, n);
            tc_v8f dhv = ldn(dht + o + j, n) + ldn(dh_next + o + j, n);
            tc_v8f dan = dhv * (one - z) * (one - nn * nn);
            tc_v8f dar = dan * ldn(hn + o + j, n) * r * (one - r);
            tc_v8f daz = dhv * (ldn(hp + o + j, n) - nn) * z * (one - z);
            stn(dxb + j, dar, n);
            stn(dxb + H + j, daz, n);
            stn(dxb + 2 * H + j, dan, n);
            stn(dhb + j, dar, n);
            stn(dhb + H + j, daz, n);
            stn(dhb + 2 * H + j, dan * r, n);
            stn(dh_next + o + j, dhv * z, n);
        }
    }
}

AI void colsum_body(float *acc, const float *m, int M, int N)
{
    for (int i = 0; i < M; i++) {
        const float *row = m + (size_t)i * N;
        for (int j = 0; j < N; j += 8) {
            const int n = N - j < 8 ? N - j : 8;
            stn(acc + j, ldn(acc + j, n) + ldn(row + j, n), n);
        }
    }
}

/* Each public kernel: an AVX2 clone and a baseline clone of its body, picked per call. */
#define DISPATCH(name, body, params, args)                                                \
    __attribute__((target("avx2"))) static void name##_avx2 params { body args; }         \
    static void name##_base params { body args; }                                         \
    void name params                                                                      \
    {                                                                                     \
        if (__builtin_cpu_supports("avx2"))                                               \
            name##_avx2 args;                                                             \
        else                                                                              \
            name##_base args;                                                             \
    }

DISPATCH(tc_cell_lstm_forward, lstm_forward_body,
         (float *g, float *c, float *h, const float *cp, const float *b_ih, const float *b_hh,
          int B, int H),
         (g, c, h, cp, b_ih, b_hh, B, H))
DISPATCH(tc_cell_gru_forward, gru_forward_body,
         (float *g, float *hn, float *h, const float *s, const float *hp, const float *b_ih,
          const float *b_hh, int B, int H),
         (g, hn, h, s, hp, b_ih, b_hh, B, H))
DISPATCH(tc_cell_lstm_backward, lstm_backward_body,
         (float *da, float *dc_next, const float *dh_next, const float *dht, const float *g,
          const float *cp, const float *cc, int B, int H),
         (da, dc_next, dh_next, dht, g, cp, cc, B, H))
DISPATCH(tc_cell_gru_backward, gru_backward_body,
         (float *dx, float *dhh, float *dh_next, const float *dht, const float *g, const float *hp,
          const float *hn, int B, int H),
         (dx, dhh, dh_next, dht, g, hp, hn, B, H))
DISPATCH(tc_cell_colsum, colsum_body, (float *acc, const float *m, int M, int N), (acc, m, M, N))
