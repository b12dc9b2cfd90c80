/* gemm.c — tc_gemm over OpenBLAS cblas_sgemm with a naive reference path.  The B = 1
 * streaming step does not come here: its fused kernel is in step.c.
 *
 * The naive path is deliberately the textbook triple loop (float accumulation, the
 * same summation order as a dot product): it exists to be obviously right.
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
