/* gemm.h — the one matrix-product wrapper of the infer kernels.
 *
 * Every matrix product in infer/ goes through tc_gemm (OpenBLAS cblas_sgemm, or
 * cblas_sgemv for a single row, or a naive triple loop the tests compare against),
 * except the B = 1 streaming step's, which step.c fuses with the gate activations over
 * weights packed for it.  All matrices are row-major float32.
 */
#ifndef TC_INFER_GEMM_H
#define TC_INFER_GEMM_H

typedef enum tc_gemm_path {
    TC_GEMM_BLAS = 0,  /* cblas_sgemm */
    TC_GEMM_NAIVE = 1, /* plain loops: the reference the BLAS path is tested against */
} tc_gemm_path_t;

/* C (M, N) = alpha * op(A) * op(B) + beta * C, row-major.
 * op(A) is (M, K): A is (M, K) with leading dimension lda, or (K, M) when ta != 0.
 * op(B) is (K, N): B is (K, N) with ldb, or (N, K) when tb != 0.
 * beta = 0 overwrites C without reading it.  Can't fail; dimensions are asserted. */
void tc_gemm(float *C, int ldc, const float *A, int lda, const float *B, int ldb,
             int M, int N, int K, int ta, int tb, float alpha, float beta,
             tc_gemm_path_t path);

#endif
