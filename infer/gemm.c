/* gemm.c — tc_gemm over OpenBLAS cblas_sgemm with a naive reference path, and
 * tc_gemv_t, the register-blocked vector-matrix kernel of the streaming step.
 *
 * The naive path is deliberately the textbook triple loop (float accumulation, the
 * same summation order as a dot product): it exists to be obviously right.  The
 * streaming kernel keeps a block of outputs in vector registers while it walks the
 * K rows of the transposed weight, so every weight is loaded once per step and the
 * outputs never leave registers; it is compiled for AVX2/FMA and for baseline x86-64
 * and picked at load time (target_clones), not by a global flag.
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
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* Eight floats: one AVX register, or two SSE registers on the baseline clone. */
typedef float tc_v8 __attribute__((vector_size(32), aligned(4)));

#define GEMV_BLOCK 8 /* vectors of outputs kept in registers: 64 outputs, 8 of 16 ymm */

__attribute__((target_clones("arch=haswell", "default")))
void tc_gemv_t(float *y, const float *y0, const float *x, const float *Wt, int K, int N)
{
    int j = 0;
    for (; j + 8 * GEMV_BLOCK <= N; j += 8 * GEMV_BLOCK) {
        tc_v8 acc[GEMV_BLOCK];
        for (int b = 0; b < GEMV_BLOCK; b++)
            memcpy(&acc[b], y0 + j + 8 * b, sizeof acc[b]);
        for (int k = 0; k < K; k++) {
            const float *w = Wt + (size_t)k * N + j;
            float xk = x[k];
            for (int b = 0; b < GEMV_BLOCK; b++) {
                tc_v8 wv;
                memcpy(&wv, w + 8 * b, sizeof wv);
                acc[b] += xk * wv;
            }
        }
        for (int b = 0; b < GEMV_BLOCK; b++)
            memcpy(y + j + 8 * b, &acc[b], sizeof acc[b]);
    }
    for (; j + 8 <= N; j += 8) {
        tc_v8 acc;
        memcpy(&acc, y0 + j, sizeof acc);
        for (int k = 0; k < K; k++) {
            tc_v8 wv;
            memcpy(&wv, Wt + (size_t)k * N + j, sizeof wv);
            acc += x[k] * wv;
        }
        memcpy(y + j, &acc, sizeof acc);
    }
    for (; j < N; j++) {
        float acc = y0[j];
        for (int k = 0; k < K; k++)
            acc += x[k] * Wt[(size_t)k * N + j];
        y[j] = acc;
    }
}
