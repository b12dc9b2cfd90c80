/* gemm.c — tc_gemm over OpenBLAS cblas_sgemm with a naive reference path, and
 * tc_gemv_t, the register-blocked vector-matrix kernel of the streaming step.
 *
 * The naive path is deliberately the textbook triple loop (float accumulation, the
 * same summation order as a dot product): it exists to be obviously right.  The
 * streaming kernel keeps a block of outputs in vector registers while it walks the
 * K rows of the transposed weight, so every weight is loaded once per step and the
 * outputs never leave registers; it is compiled for AVX2/FMA and for baseline x86-64
 * and picked per call from the CPU's feature bits, not by a flag of ours.
 */
#include "infer/gemm.h"

#include <assert.h>
#include <cblas.h>
#include <string.h>

static void gemm_naive(float *C, int ldc, const float *A, int lda, const float *B, int ldb,
                       int M, int N, int K, int ta, int tb, float alpha, float beta)
{
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            float acc = 0.0f;
            for (int k = 0; k < K; k++) {
                float a = ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
                float b = tb ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
                acc += a * b;
            }
            float *c = &C[(size_t)i * ldc + j];
            /* beta == 0 must not read C: it may hold NaN garbage (BLAS semantics). */
            *c = beta == 0.0f ? alpha * acc : alpha * acc + beta * *c;
        }
    }
}

void tc_gemm(float *C, int ldc, const float *A, int lda, const float *B, int ldb,
             int M, int N, int K, int ta, int tb, float alpha, float beta,
             tc_gemm_path_t path)
{
    assert(M >= 0 && N >= 0 && K >= 0);
    assert(ldc >= N && lda >= (ta ? M : K) && ldb >= (tb ? K : N));
    if (M == 0 || N == 0)
        return;
    if (K == 0) {
        /* BLAS would scale C by beta; keep the same meaning on both paths. */
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
                C[(size_t)i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[(size_t)i * ldc + j];
        return;
    }
    if (path == TC_GEMM_NAIVE) {
        gemm_naive(C, ldc, A, lda, B, ldb, M, N, K, ta, tb, alpha, beta);
        return;
    }
    if (M == 1) {
        /* A single row (the B = 1 recurrent step): sgemm's packing costs more than the
         * product, so go to sgemv.  C (1, N) = op(B)^T-times-a, a being A's row (or
         * column when ta, then lda apart). */
        cblas_sgemv(CblasRowMajor, tb ? CblasNoTrans : CblasTrans, tb ? N : K, tb ? K : N,
                    alpha, B, ldb, A, ta ? lda : 1, beta, C, 1);
        return;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* Eight floats: one AVX register, or two SSE registers on the baseline clone. */
typedef float tc_v8 __attribute__((vector_size(32), aligned(4)));

/* Unaligned vector access (tc_v8 is declared 4-byte aligned); GCC lets a vector type
 * alias its element type, and the project builds with -fno-strict-aliasing anyway. */
#define V8(p) (*(tc_v8 *)(void *)(p))
#define V8C(p) (*(const tc_v8 *)(const void *)(p))

/* Eight named accumulators (64 outputs) rather than an array: GCC keeps an array of
 * vectors on the stack at -O2, which made the kernel memory-bound on its own outputs.
 * The body is compiled twice, for AVX2+FMA (where -ffp-contract=fast, set for this
 * file in infer/CMakeLists.txt, fuses the multiply-adds) and for baseline x86-64, and
 * picked per call from the CPU's feature bits.  (target_clones would do the same, but
 * clang 14 cannot call a clone from another translation unit.) */
static inline __attribute__((always_inline)) void
gemv_t_body(float *y, const float *y0, const float *x, const float *Wt, int K, int N)
{
    int j = 0;
    for (; j + 64 <= N; j += 64) {
        tc_v8 a0 = V8C(y0 + j), a1 = V8C(y0 + j + 8), a2 = V8C(y0 + j + 16),
              a3 = V8C(y0 + j + 24), a4 = V8C(y0 + j + 32), a5 = V8C(y0 + j + 40),
              a6 = V8C(y0 + j + 48), a7 = V8C(y0 + j + 56);
        const float *w = Wt + j;
        for (int k = 0; k < K; k++, w += N) {
            const float xk = x[k];
            a0 += xk * V8C(w);
            a1 += xk * V8C(w + 8);
            a2 += xk * V8C(w + 16);
            a3 += xk * V8C(w + 24);
            a4 += xk * V8C(w + 32);
            a5 += xk * V8C(w + 40);
            a6 += xk * V8C(w + 48);
            a7 += xk * V8C(w + 56);
        }
        V8(y + j) = a0, V8(y + j + 8) = a1, V8(y + j + 16) = a2, V8(y + j + 24) = a3;
        V8(y + j + 32) = a4, V8(y + j + 40) = a5, V8(y + j + 48) = a6, V8(y + j + 56) = a7;
    }
    for (; j + 8 <= N; j += 8) {
        tc_v8 acc = V8C(y0 + j);
        for (int k = 0; k < K; k++)
            acc += x[k] * V8C(Wt + (size_t)k * N + j);
        V8(y + j) = acc;
    }
    for (; j < N; j++) {
        float acc = y0[j];
        for (int k = 0; k < K; k++)
            acc += x[k] * Wt[(size_t)k * N + j];
        y[j] = acc;
    }
}

__attribute__((target("avx2,fma"))) static void
gemv_t_avx2(float *y, const float *y0, const float *x, const float *Wt, int K, int N)
{
    gemv_t_body(y, y0, x, Wt, K, N);
}

static void gemv_t_base(float *y, const float *y0, const float *x, const float *Wt, int K, int N)
{
    gemv_t_body(y, y0, x, Wt, K, N);
}

void tc_gemv_t(float *y, const float *y0, const float *x, const float *Wt, int K, int N)
{
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        gemv_t_avx2(y, y0, x, Wt, K, N);
    else
        gemv_t_base(y, y0, x, Wt, K, N);
}
