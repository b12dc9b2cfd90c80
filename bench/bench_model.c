/* bench_model.c — the LSTM and GRU kernels timed on the model of the models issue:
 * input 32, hidden 64, 2 layers, a linear head to 5 outputs, float32.
 *
 *     build/bench/bench_model [--threads N] [--json] [--quick]
 *
 * Cases, for each cell (LSTM, GRU):
 *   step    B = 1, T = 1 with carried state (tc_rnn_step): p50 and mean of single steps
 *   window  B = 1, T = 60 from zero state (tc_rnn_infer): p50 and mean of calls
 *   batch   B = 256, T = 60 (tc_rnn_infer): windows/s from the mean call
 *   window_fwd, batch_fwd  the same through tc_rnn_forward, the training kernels
 *           (OpenBLAS, every activation kept for backward), for information
 *   train   B = 64, T = 60, MSE, forward + backward + Adam step, hidden 64 and 128:
 *           samples/s and GFLOP/s counting 6 flops per weight multiply-add of the
 *           recurrent layers per step (2 forward, 4 backward), the usual convention
 * OpenBLAS runs with N threads (openblas_set_num_threads); tc_rnn_step and
 * tc_rnn_infer never call it.
 * Times are wall time (CLOCK_MONOTONIC): with two BLAS threads, CPU time would count
 * both.  bench/model_torch.py measures PyTorch the same way and bench/model.sh puts
 * the two side by side; this program only reports tickcast and the BLAS it ran on.
 */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/runtime/err.h"
#include "infer/loss.h"
#include "infer/optim.h"
#include "infer/rnn.h"

enum { INPUT = 32, LAYERS = 2, HORIZON = 5, WINDOW = 60, BATCH = 256, TRAIN_BATCH = 64 };

typedef struct result {
    const char *cell, *what;
    int hidden, batch, steps;
    double p50_us, mean_us, per_s, gflops;
} result_t;

static result_t results[32];
static int n_results;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fill(float *x, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        x[i] = (float)((seed >> 40) * (2.0 / 16777216.0) - 1.0);
    }
}

/* Runs fn (after `warm` untimed calls) min_reps times or for min_s seconds, whichever
 * comes first, but at least 3 times and at most max_reps, timing each call; fills p50
 * and mean in microseconds.  The time bound keeps a run short on a loaded machine. */
typedef void (*bench_fn)(void *ctx);

static void measure(result_t *r, bench_fn fn, void *ctx, int warm, int min_reps, double min_s,
                    int max_reps)
{
    double *t = malloc((size_t)max_reps * sizeof *t);
    if (!t) {
        fprintf(stderr, "bench_model: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < warm; i++)
        fn(ctx);
    int n = 0;
    double start = now(), prev = start;
    while (n < max_reps && (n < 3 || (n < min_reps && prev - start < min_s))) {
        fn(ctx);
        double cur = now();
        t[n++] = cur - prev;
        prev = cur;
    }
    r->mean_us = (prev - start) / n * 1e6;
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    r->p50_us = t[n / 2] * 1e6;
    free(t);
}

typedef struct ctx {
    tc_rnn_t *net;
    float *x, *y, *dout, *state, *scratch, *out;
    int B, T, step;
    tc_optim_config_t opt;
} ctx_t;

static void run_step(void *p)
{
    ctx_t *c = p;
    /* A new input each step (from a ring of 64) so nothing is trivially cached. */
    const float *x = c->x + (size_t)(c->step++ & 63) * INPUT;
    tc_rnn_step(c->out, c->state, c->scratch, x, &c->net->packed, &c->net->cfg);
}

static void run_forward(void *p)
{
    ctx_t *c = p;
    tc_rnn_forward(&c->net->acts, c->x, &c->net->params, &c->net->cfg, c->B, c->T, c->net->path);
}

static void run_infer(void *p)
{
    ctx_t *c = p;
    tc_rnn_infer(c->dout, c->state, c->scratch, c->x, &c->net->packed, &c->net->cfg, c->B, c->T);
}

static void run_train(void *p)
{
    ctx_t *c = p;
    tc_rnn_t *n = c->net;
    tc_rnn_forward(&n->acts, c->x, &n->params, &n->cfg, c->B, c->T, n->path);
    tc_loss_mse(c->dout, n->acts.out, c->y, c->B * HORIZON);
    memset(n->grad_block, 0, n->n_params * sizeof(float));
    tc_rnn_backward(&n->grads, &n->acts, c->dout, &n->params, &n->cfg, c->B, c->T, n->path);
    tc_optim_step(n->param_block, n->grad_block, n->m_block, n->v_block, n->n_params, &c->opt,
                  ++c->step);
}

static result_t *add(const char *cell, const char *what, int hidden, int B, int T)
{
    result_t *r = &results[n_results++];
    *r = (result_t){.cell = cell, .what = what, .hidden = hidden, .batch = B, .steps = T};
    return r;
}

static tc_rnn_t *make_net(tc_rnn_cell_t cell, int hidden, int B, int T)
{
    tc_rnn_config_t cfg = {
        .cell = cell, .input = INPUT, .hidden = hidden, .layers = LAYERS, .horizon = HORIZON};
    tc_rnn_t *net = tc_rnn_create(&cfg, B, T);
    if (!net) {
        fprintf(stderr, "bench_model: %s\n", tc_err_msg());
        exit(1);
    }
    tc_rnn_init_uniform(net, 7);
    return net;
}

/* Multiply-adds of the recurrent layers' weights for one window step of one sample. */
static double step_macs(tc_rnn_cell_t cell, int H)
{
    double gh = (double)tc_rnn_gates(cell) * H, m = 0;
    for (int l = 0; l < LAYERS; l++)
        m += gh * ((l == 0 ? INPUT : H) + H);
    return m;
}

static void bench_cell(tc_rnn_cell_t cell, double scale)
{
    const char *cn = cell == TC_RNN_LSTM ? "lstm" : "gru";
    ctx_t c = {0};
    size_t xn = (size_t)BATCH * WINDOW * INPUT;
    c.x = malloc(xn * sizeof(float));
    c.y = malloc((size_t)BATCH * HORIZON * sizeof(float));
    c.dout = malloc((size_t)BATCH * HORIZON * sizeof(float));
    c.out = malloc(HORIZON * sizeof(float));
    if (!c.x || !c.y || !c.dout || !c.out) {
        fprintf(stderr, "bench_model: out of memory\n");
        exit(1);
    }
    fill(c.x, xn, 1);
    fill(c.y, (size_t)BATCH * HORIZON, 2);

    /* Inference network: the batch case sizes its activations. */
    c.net = make_net(cell, 64, BATCH, WINDOW);
    c.state = calloc(tc_rnn_state_size(&c.net->cfg), sizeof(float));
    c.scratch = calloc(tc_rnn_step_scratch_size(&c.net->cfg), sizeof(float));
    if (!c.state || !c.scratch) {
        fprintf(stderr, "bench_model: out of memory\n");
        exit(1);
    }
    measure(add(cn, "step", 64, 1, 1), run_step, &c, 2000, (int)(20000 * scale), 0.5 * scale,
            1000000);
    /* Inference (tc_rnn_infer, the streaming kernel window by window), then the same
     * through the training kernels' tc_rnn_forward (BLAS, activations kept). */
    c.B = 1, c.T = WINDOW;
    measure(add(cn, "window", 64, 1, WINDOW), run_infer, &c, 20, (int)(300 * scale),
            0.5 * scale, 100000);
    measure(add(cn, "window_fwd", 64, 1, WINDOW), run_forward, &c, 20, (int)(300 * scale),
            0.5 * scale, 100000);
    c.B = BATCH;
    result_t *r = add(cn, "batch", 64, BATCH, WINDOW);
    measure(r, run_infer, &c, 1, (int)(10 * scale) + 1, 1.5 * scale, 10000);
    r->per_s = BATCH / (r->mean_us * 1e-6);
    r = add(cn, "batch_fwd", 64, BATCH, WINDOW);
    measure(r, run_forward, &c, 1, (int)(10 * scale) + 1, 1.5 * scale, 10000);
    r->per_s = BATCH / (r->mean_us * 1e-6);
    tc_rnn_destroy(c.net);

    static const int hiddens[] = {64, 128};
    for (int i = 0; i < 2; i++) {
        c.net = make_net(cell, hiddens[i], TRAIN_BATCH, WINDOW);
        c.B = TRAIN_BATCH, c.T = WINDOW, c.step = 0;
        c.opt = tc_optim_defaults(TC_OPTIM_ADAM, 1e-3f);
        r = add(cn, "train", hiddens[i], TRAIN_BATCH, WINDOW);
        measure(r, run_train, &c, 1, (int)(10 * scale) + 1, 2.0 * scale, 10000);
        r->per_s = TRAIN_BATCH / (r->mean_us * 1e-6);
        r->gflops = r->per_s * WINDOW * step_macs(cell, hiddens[i]) * 6.0 * 1e-9;
        tc_rnn_destroy(c.net);
    }
    free(c.x), free(c.y), free(c.dout), free(c.out), free(c.state), free(c.scratch);
}

/* The shared object this process actually mapped for BLAS (first match). */
static void blas_loaded(char *buf, size_t n)
{
    snprintf(buf, n, "unknown");
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *p = strchr(line, '/');
        if (p && strstr(p, "blas")) {
            p[strcspn(p, "\n")] = '\0';
            snprintf(buf, n, "%s", p);
            break;
        }
    }
    fclose(f);
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s >= ' ' ? *s : ' ');
    }
    putchar('"');
}

int main(int argc, char **argv)
{
    int threads = 1, json = 0;
    double scale = 1.0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--quick") == 0)
            scale = 0.1;
        else {
            fprintf(stderr, "usage: bench_model [--threads N] [--json] [--quick]\n");
            return 2;
        }
    }
    if (threads < 1 || threads > 64) {
        fprintf(stderr, "bench_model: --threads %d out of range 1..64\n", threads);
        return 2;
    }
    openblas_set_num_threads(threads);
    char blas[512];
    bench_cell(TC_RNN_LSTM, scale);
    bench_cell(TC_RNN_GRU, scale);
    blas_loaded(blas, sizeof blas);
    const char *core = openblas_get_corename();
    const char *env_core = getenv("OPENBLAS_CORETYPE");

    if (json) {
        printf("{\"impl\": \"tickcast\", \"threads\": %d, \"blas\": ", threads);
        json_str(blas);
        printf(", \"blas_core\": ");
        json_str(core ? core : "?");
        printf(", \"blas_threads\": %d, \"openblas_coretype\": ", openblas_get_num_threads());
        json_str(env_core ? env_core : "");
        printf(", \"results\": [");
        for (int i = 0; i < n_results; i++) {
            const result_t *r = &results[i];
            printf("%s\n  {\"cell\": \"%s\", \"case\": \"%s\", \"hidden\": %d, \"batch\": %d, "
                   "\"steps\": %d, \"p50_us\": %.4f, \"mean_us\": %.4f, \"per_s\": %.2f, "
                   "\"gflops\": %.3f}",
                   i ? "," : "", r->cell, r->what, r->hidden, r->batch, r->steps, r->p50_us,
                   r->mean_us, r->per_s, r->gflops);
        }
        printf("]}\n");
        return 0;
    }
    printf("tickcast, %d OpenBLAS thread%s, %s (core %s, OPENBLAS_CORETYPE=%s)\n", threads,
           threads == 1 ? "" : "s", blas, core ? core : "?", env_core ? env_core : "");
    printf("%-5s %-10s %6s %5s %4s %12s %12s %12s %9s\n", "cell", "case", "hidden", "B", "T",
           "p50 us", "mean us", "per s", "GFLOP/s");
    for (int i = 0; i < n_results; i++) {
        const result_t *r = &results[i];
        printf("%-5s %-10s %6d %5d %4d %12.3f %12.3f %12.1f %9.2f\n", r->cell, r->what, r->hidden,
               r->batch, r->steps, r->p50_us, r->mean_us, r->per_s, r->gflops);
    }
    return 0;
}
