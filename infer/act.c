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

#include "infer/act_v8.h"

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
 * CPU's feature bits (as step.c; no FMA here, so both give the same bits). */
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
