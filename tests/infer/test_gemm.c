/* test_gemm.c — the matrix-product wrapper: the cblas_sgemm path equals the naive
 * path for every transposition, for one row (sgemv) and many (sgemm), and with
 * leading dimensions wider than the matrices,
 * beta = 0 never reads C (NaN garbage there stays out).  The streaming step's own
 * kernel is tested in test_step.c. */
#include "tests/infer/fixture.h"

#include "infer/gemm.h"

static void check_gemm(int M)
{
    enum { MMAX = 37, N = 29, K = 41, LD = 64 };
    static float A[LD * LD], Bm[LD * LD], C0[MMAX * LD], C1[MMAX * LD];
    fx_fill(A, LD * LD, 1);
    fx_fill(Bm, LD * LD, 2);
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (int beta = 0; beta < 2; beta++) {
                fx_fill(C0, MMAX * LD, 3);
                memcpy(C1, C0, sizeof C0);
                tc_gemm(C0, LD, A, LD, Bm, LD, M, N, K, ta, tb, 0.5f, (float)beta, TC_GEMM_BLAS);
                tc_gemm(C1, LD, A, LD, Bm, LD, M, N, K, ta, tb, 0.5f, (float)beta, TC_GEMM_NAIVE);
                char what[64];
                snprintf(what, sizeof what, "gemm M=%d ta=%d tb=%d beta=%d", M, ta, tb, beta);
                fx_compare(what, C0, C1, (size_t)M * LD, 1e-5, 1e-6);
                /* Columns past N are outside the product and must be untouched. */
                float ref[MMAX * LD];
                fx_fill(ref, MMAX * LD, 3);
                for (int i = 0; i < M; i++)
                    for (int j = N; j < LD; j++)
                        cr_expect(C1[i * LD + j] == ref[i * LD + j] && C0[i * LD + j] == ref[i * LD + j]);
            }
}

/* M = 37 goes to cblas_sgemm, M = 1 (the B = 1 recurrent step) to cblas_sgemv. */
Test(gemm, blas_equals_naive_all_transposes)
{
    check_gemm(37);
    check_gemm(1);
}

Test(gemm, beta_zero_ignores_nan)
{
    float A[6] = {1, 2, 3, 4, 5, 6}, Bm[6] = {1, 0, 0, 1, 1, 1}, C[4];
    /* (2x3)(3x2) = [[1+3, 2+3], [4+6, 5+6]] */
    const float want[4] = {4, 5, 10, 11};
    for (int path = 0; path < 2; path++) {
        for (int i = 0; i < 4; i++)
            C[i] = NAN;
        tc_gemm(C, 2, A, 3, Bm, 2, 2, 2, 3, 0, 0, 1.0f, 0.0f, (tc_gemm_path_t)path);
        for (int i = 0; i < 4; i++)
            cr_expect(C[i] == want[i], "path %d C[%d] = %g, want %g", path, i, C[i], want[i]);
        /* One row goes through sgemv: the same promise. */
        C[0] = C[1] = NAN;
        tc_gemm(C, 2, A, 3, Bm, 2, 1, 2, 3, 0, 0, 1.0f, 0.0f, (tc_gemm_path_t)path);
        cr_expect(C[0] == want[0] && C[1] == want[1], "path %d one row: %g %g", path, C[0], C[1]);
    }
}
