/* test_noalloc.c — the hot paths allocate nothing: malloc, calloc and realloc are
 * interposed and counted while the streaming step, the window forward and backward
 * and an optimiser step run (after one warm-up call, which lets OpenBLAS set up its
 * buffers).  OpenBLAS runs single-threaded here: its threaded GEMM driver mallocs a job
 * buffer per call (sgemm_thread_nn in 0.3.21), which is the library's doing, not ours;
 * the streaming step never reaches OpenBLAS at all. */
#include "tests/infer/fixture.h"

#include <cblas.h>

#include "infer/loss.h"
#include "infer/optim.h"

/* Under AddressSanitizer malloc belongs to the sanitizer; interposing it here would
 * hand ASan pointers it never allocated. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TC_NOALLOC_SANITIZED 1
#else
#define TC_NOALLOC_SANITIZED 0

static _Thread_local int counting; /* this thread only: criterion has its own */
static _Thread_local long allocs;

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

void *malloc(size_t n)
{
    if (counting)
        allocs++;
    return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
    if (counting)
        allocs++;
    return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    if (counting)
        allocs++;
    return __libc_realloc(p, n);
}
#endif

#if !TC_NOALLOC_SANITIZED
static void run(tc_rnn_t *net, float *x, float *y, float *dout, float *state, float *scratch,
                float *out, int B, int T)
{
    for (int t = 0; t < T; t++)
        tc_rnn_step(out, state, scratch, x + t * net->cfg.input, &net->packed, &net->cfg);
    tc_rnn_infer(dout, state, scratch, x, &net->packed, &net->cfg, B, T);
    tc_rnn_forward(&net->acts, x, &net->params, &net->cfg, B, T, TC_GEMM_BLAS);
    tc_loss_huber(dout, net->acts.out, y, B * net->cfg.horizon, 1.0f);
    tc_rnn_backward(&net->grads, &net->acts, dout, &net->params, &net->cfg, B, T, TC_GEMM_BLAS);
    tc_optim_config_t o = tc_optim_defaults(TC_OPTIM_ADAMW, 1e-3f);
    o.clip = 1.0f;
    tc_optim_step(net->param_block, net->grad_block, net->m_block, net->v_block, net->n_params,
                  &o, 1);
    tc_rnn_pack(net);
}

#endif

Test(noalloc, hot_paths_do_not_allocate)
{
#if TC_NOALLOC_SANITIZED
    cr_skip_test("malloc cannot be interposed under a sanitizer (it owns malloc)");
#else
    for (int cell = 0; cell < 2; cell++) {
        tc_rnn_config_t cfg = {.cell = (tc_rnn_cell_t)cell, .input = 32, .hidden = 64,
                               .layers = 2, .horizon = 5};
        const int B = 8, T = 20;
        tc_rnn_t *net = tc_rnn_create(&cfg, B, T);
        cr_assert(net);
        tc_rnn_init_uniform(net, 1);
        float *x = calloc((size_t)B * T * 32, sizeof *x), *y = calloc((size_t)B * 5, sizeof *y);
        float *dout = calloc((size_t)B * 5, sizeof *dout), out[5];
        float *state = calloc(tc_rnn_state_size(&cfg), sizeof *state);
        float *scratch = calloc(tc_rnn_step_scratch_size(&cfg), sizeof *scratch);
        fx_fill(x, (size_t)B * T * 32, 9);
        openblas_set_num_threads(1);
        run(net, x, y, dout, state, scratch, out, B, T); /* warm-up */
        allocs = 0;
        counting = 1;
        for (int i = 0; i < 3; i++)
            run(net, x, y, dout, state, scratch, out, B, T);
        counting = 0;
        cr_expect(allocs == 0, "%s: %ld allocations on the hot path", cell ? "gru" : "lstm", allocs);
        free(x), free(y), free(dout), free(state), free(scratch);
        tc_rnn_destroy(net);
    }
#endif
}
