/* act.c — sigmoid and tanh over arrays, eight lanes at a time (act.h).
 *
 * exp follows the Cephes expf scheme (as in the public-domain sse_mathfun): clamp to
 * +-88.376, split x = n ln2 + r with ln2 in two parts so r is exact, a degree-6
 * polynomial for e^r on |r| <= ln2/2, and 2^n built in the exponent bits.  Rounding
 * to the nearest n uses the 1.5 * 2^23 trick, exact without fast-math.  tanh uses
 * Cephes tanhf's odd polynomial for |x| <= 0.625, where 1 - 2/(e^2x + 1) would
 * cancel, and that identity above.  No fp-contract here: the baseline and the AVX2
 * builds then compute the same bits, so training stays reproducible across machines.
 * A tail shorter than eight lanes goes through a padded copy, the same code path.
 */
#include "infer/act.h"

#include <string.h>

typedef float tc_v8f __attribute__((vector_size(32), aligned(4)));
typedef int tc_v8i __attribute__((vector_size(32), aligned(4)));

#define V8F(c) ((tc_v8f){c, c, c, c, c, c, c, c})
#define SEL(mask, a, b) ((tc_v8f)(((mask) & (tc_v8i)(a)) | (~(mask) & (tc_v8i)(b))))

/* out = exp(in), lane-wise. */
#define EXP8(out, in)                                                                     \
    do {                                                                                  \
        tc_v8f x_ = (in);                                                                 \
        x_ = SEL(x_ > V8F(88.3762626647949f), V8F(88.3762626647949f), x_);                \
        x_ = SEL(x_ < V8F(-88.3762626647949f), V8F(-88.3762626647949f), x_);              \
        tc_v8f n_ = (x_ * V8F(1.44269504088896341f) + V8F(12582912.0f)) - V8F(12582912.0f); \
        tc_v8f r_ = x_ - n_ * V8F(0.693359375f);                                          \
        r_ = r_ - n_ * V8F(-2.12194440e-4f);                                              \
        tc_v8f p_ = V8F(1.9875691500e-4f) * r_ + V8F(1.3981999507e-3f);                  \
        p_ = p_ * r_ + V8F(8.3334519073e-3f);                                             \
        p_ = p_ * r_ + V8F(4.1665795894e-2f);                                             \
        p_ = p_ * r_ + V8F(1.6666665459e-1f);                                             \
        p_ = p_ * r_ + V8F(5.0000001201e-1f);                                             \
        p_ = p_ * (r_ * r_) + r_ + V8F(1.0f);                                             \
        tc_v8i e_ = (__builtin_convertvector(n_, tc_v8i) + 127) << 23;                    \
        (out) = p_ * (tc_v8f)e_;                                                          \
    } while (0)

#define SIGMOID8(out, in)                                                                 \
    do {                                                                                  \
        tc_v8f e8_;                                                                       \
        EXP8(e8_, -(in));                                                                 \
        (out) = V8F(1.0f) / (V8F(1.0f) + e8_);                                            \
    } while (0)

#define TANH8(out, in)                                                                    \
    do {                                                                                  \
        tc_v8f v_ = (in);                                                                 \
        tc_v8i sign_ = (tc_v8i)v_ & (tc_v8i)V8F(-0.0f);                                   \
        tc_v8f a_ = (tc_v8f)((tc_v8i)v_ & ~sign_);                                        \
        tc_v8f z_ = v_ * v_;                                                              \
        tc_v8f s_ = V8F(-5.70498872745e-3f) * z_ + V8F(2.06390887954e-2f);               \
        s_ = s_ * z_ + V8F(-5.37397155531e-2f);                                           \
        s_ = s_ * z_ + V8F(1.33314422036e-1f);                                            \
        s_ = s_ * z_ + V8F(-3.33332819422e-1f);                                           \
        s_ = s_ * z_ * v_ + v_;                                                           \
        tc_v8f e2_;                                                                       \
        EXP8(e2_, a_ + a_);                                                               \
        tc_v8f l_ = V8F(1.0f) - V8F(2.0f) / (e2_ + V8F(1.0f));                           \
        l_ = (tc_v8f)((tc_v8i)l_ | sign_);                                                \
        (out) = SEL(a_ > V8F(0.625f), l_, s_);                                            \
    } while (0)

#define ACT_LOOP(OP)                                                                      \
    int i = 0;                                                                            \
    for (; i + 8 <= n; i += 8) {                                                          \
        /* Direct unaligned vector access: a memcpy through a local made GCC store two   \
         * halves and reload the whole, stalling store forwarding on every lane. */      \
        tc_v8f v = *(const tc_v8f *)(const void *)(x + i);                               \
        OP(v, v);                                                                         \
        *(tc_v8f *)(void *)(y + i) = v;                                                   \
    }                                                                                     \
    if (i < n) {                                                                          \
        float pad[8] = {0};                                                               \
        tc_v8f v;                                                                         \
        memcpy(pad, x + i, (size_t)(n - i) * sizeof *pad);                                \
        memcpy(&v, pad, sizeof v);                                                        \
        OP(v, v);                                                                         \
        memcpy(pad, &v, sizeof v);                                                        \
        memcpy(y + i, pad, (size_t)(n - i) * sizeof *pad);                                \
    }

/* Each loop is compiled for AVX2 and for baseline x86-64 and picked per call from the
 * CPU's feature bits (as tc_gemv_t; no FMA here, so both give the same bits). */
__attribute__((target("avx2"))) static void sigmoid_avx2(float *y, const float *x, int n)
{
    ACT_LOOP(SIGMOID8)
}

static void sigmoid_base(float *y, const float *x, int n)
{
    ACT_LOOP(SIGMOID8)
}

__attribute__((target("avx2"))) static void tanh_avx2(float *y, const float *x, int n)
{
    ACT_LOOP(TANH8)
}

static void tanh_base(float *y, const float *x, int n)
{
    ACT_LOOP(TANH8)
}

void tc_act_sigmoid(float *y, const float *x, int n)
{
    if (__builtin_cpu_supports("avx2"))
        sigmoid_avx2(y, x, n);
    else
        sigmoid_base(y, x, n);
}

void tc_act_tanh(float *y, const float *x, int n)
{
    if (__builtin_cpu_supports("avx2"))
        tanh_avx2(y, x, n);
    else
        tanh_base(y, x, n);
}
