/* rnn_net.c — building a tc_rnn_t: the parameter size table in PyTorch state_dict
 * order, the one allocation carved into every tensor (llm.c's layout trick), the
 * seeded PyTorch-style initialisation and the repacking of weights for the streaming
 * step.  The kernels themselves are in rnn.c.
 */
#include "infer/rnn.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"

#define ALIGN_FLOATS 16 /* every tensor starts on a 64-byte line */

int tc_rnn_config_check(const tc_rnn_config_t *cfg)
{
    if (cfg->cell != TC_RNN_LSTM && cfg->cell != TC_RNN_GRU)
        return TC_ERR(-EINVAL, "unknown cell type %d", (int)cfg->cell);
    if (cfg->input < 1 || cfg->input > TC_RNN_MAX_INPUT)
        return TC_ERR(-EINVAL, "input size %d out of range 1..%d", cfg->input, TC_RNN_MAX_INPUT);
    if (cfg->hidden < 1 || cfg->hidden > TC_RNN_MAX_HIDDEN)
        return TC_ERR(-EINVAL, "hidden size %d out of range 1..%d", cfg->hidden,
                      TC_RNN_MAX_HIDDEN);
    if (cfg->layers < 1 || cfg->layers > TC_RNN_MAX_LAYERS)
        return TC_ERR(-EINVAL, "layers %d out of range 1..%d", cfg->layers, TC_RNN_MAX_LAYERS);
    if (cfg->horizon < 1 || cfg->horizon > TC_RNN_MAX_HORIZON)
        return TC_ERR(-EINVAL, "horizon %d out of range 1..%d", cfg->horizon,
                      TC_RNN_MAX_HORIZON);
    return 0;
}

static size_t round_up(size_t n) { return (n + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS; }

static void tab_add(tc_rnn_tensor_t *tab, int *n, size_t *off, const char *name, int ndim,
                    int d0, int d1)
{
    tc_rnn_tensor_t *t = &tab[(*n)++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = ndim;
    t->shape[0] = d0;
    t->shape[1] = ndim == 2 ? d1 : 0;
    t->numel = (size_t)d0 * (ndim == 2 ? (size_t)d1 : 1);
    t->offset = *off;
    *off += round_up(t->numel);
}

int tc_rnn_param_table(tc_rnn_tensor_t *tab, size_t *ret_n_params, const tc_rnn_config_t *cfg)
{
    const int GH = tc_rnn_gates(cfg->cell) * cfg->hidden, H = cfg->hidden;
    int n = 0;
    size_t off = 0;
    char name[32];
    for (int l = 0; l < cfg->layers; l++) {
        snprintf(name, sizeof name, "weight_ih_l%d", l);
        tab_add(tab, &n, &off, name, 2, GH, l == 0 ? cfg->input : H);
        snprintf(name, sizeof name, "weight_hh_l%d", l);
        tab_add(tab, &n, &off, name, 2, GH, H);
        snprintf(name, sizeof name, "bias_ih_l%d", l);
        tab_add(tab, &n, &off, name, 1, GH, 0);
        snprintf(name, sizeof name, "bias_hh_l%d", l);
        tab_add(tab, &n, &off, name, 1, GH, 0);
    }
    tab_add(tab, &n, &off, "head.weight", 2, cfg->horizon, H);
    tab_add(tab, &n, &off, "head.bias", 1, cfg->horizon, 0);
    *ret_n_params = off;
    return n;
}

void tc_rnn_params_bind(tc_rnn_params_t *p, float *block, const tc_rnn_config_t *cfg)
{
    tc_rnn_tensor_t tab[TC_RNN_MAX_TENSORS];
    size_t total;
    tc_rnn_param_table(tab, &total, cfg);
    memset(p, 0, sizeof *p);
    for (int l = 0; l < cfg->layers; l++) {
        p->w_ih[l] = block + tab[4 * l + 0].offset;
        p->w_hh[l] = block + tab[4 * l + 1].offset;
        p->b_ih[l] = block + tab[4 * l + 2].offset;
        p->b_hh[l] = block + tab[4 * l + 3].offset;
    }
    p->head_w = block + tab[4 * cfg->layers].offset;
    p->head_b = block + tab[4 * cfg->layers + 1].offset;
}

/* The size table of everything besides the parameter-shaped blocks: each entry is a
 * pointer to set and its float count; a NULL slot pointer marks "not for this cell". */
typedef struct slot {
    float **ptr;
    size_t numel;
} slot_t;

static int net_slots(slot_t *s, tc_rnn_t *net)
{
    const tc_rnn_config_t *cfg = &net->cfg;
    const size_t B = (size_t)net->max_batch, T = (size_t)net->max_steps;
    const size_t C = (size_t)cfg->input, H = (size_t)cfg->hidden, K = (size_t)cfg->horizon;
    const size_t GH = (size_t)tc_rnn_gates(cfg->cell) * H;
    const int lstm = cfg->cell == TC_RNN_LSTM;
    tc_rnn_acts_t *a = &net->acts;
    tc_rnn_packed_t *pk = &net->packed;
    int n = 0;
    s[n++] = (slot_t){&net->param_block, net->n_params};
    s[n++] = (slot_t){&net->grad_block, net->n_params};
    s[n++] = (slot_t){&net->m_block, net->n_params};
    s[n++] = (slot_t){&net->v_block, net->n_params};
    s[n++] = (slot_t){&a->x, T * B * C};
    for (int l = 0; l < cfg->layers; l++) {
        s[n++] = (slot_t){&a->h[l], (T + 1) * B * H};
        if (lstm)
            s[n++] = (slot_t){&a->c[l], (T + 1) * B * H};
        else
            s[n++] = (slot_t){&a->hn[l], T * B * H};
        s[n++] = (slot_t){&a->gates[l], T * B * GH};
        s[n++] = (slot_t){&pk->w[l], tc_rnn_step_layer_size(cfg, l)};
        s[n++] = (slot_t){&pk->b[l], tc_rnn_step_bias_size(cfg)};
    }
    s[n++] = (slot_t){&a->out, B * K};
    s[n++] = (slot_t){&a->dpre, T * B * GH};
    if (!lstm)
        s[n++] = (slot_t){&a->dpre_h, T * B * GH};
    s[n++] = (slot_t){&a->dh[0], T * B * H};
    s[n++] = (slot_t){&a->dh[1], T * B * H};
    s[n++] = (slot_t){&a->dh_next, B * H};
    s[n++] = (slot_t){&a->dc_next, B * H};
    s[n++] = (slot_t){&a->step, B * GH};
    s[n++] = (slot_t){&pk->head_w, K * H};
    s[n++] = (slot_t){&pk->head_b, K};
    return n;
}

tc_rnn_t *tc_rnn_create(const tc_rnn_config_t *cfg, int max_batch, int max_steps)
{
    if (tc_rnn_config_check(cfg) < 0)
        return NULL;
    if (max_batch < 1 || max_steps < 1 || (long long)max_batch * max_steps > (1LL << 24)) {
        TC_ERR(-EINVAL, "window batch %d x steps %d out of range", max_batch, max_steps);
        return NULL;
    }
    tc_rnn_t *net = calloc(1, sizeof *net);
    if (!net) {
        TC_ERR(-ENOMEM, "out of memory for a network");
        return NULL;
    }
    net->cfg = *cfg;
    net->max_batch = max_batch;
    net->max_steps = max_steps;
    net->path = TC_GEMM_BLAS;
    net->n_tensors = tc_rnn_param_table(net->tensors, &net->n_params, cfg);

    slot_t slots[16 + 8 * TC_RNN_MAX_LAYERS];
    int ns = net_slots(slots, net);
    size_t total = 0;
    for (int i = 0; i < ns; i++)
        total += round_up(slots[i].numel);
    net->mem_bytes = total * sizeof(float);
    net->mem = aligned_alloc(64, net->mem_bytes);
    if (!net->mem) {
        TC_ERR(-ENOMEM, "out of memory for a network of %zu bytes", net->mem_bytes);
        free(net);
        return NULL;
    }
    memset(net->mem, 0, net->mem_bytes);
    float *cur = net->mem;
    for (int i = 0; i < ns; i++) {
        *slots[i].ptr = cur;
        cur += round_up(slots[i].numel);
    }
    tc_rnn_params_bind(&net->params, net->param_block, cfg);
    tc_rnn_params_bind(&net->grads, net->grad_block, cfg);
    return net;
}

void tc_rnn_destroy(tc_rnn_t *net)
{
    if (!net)
        return;
    free(net->mem);
    free(net);
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void tc_rnn_init_uniform(tc_rnn_t *net, unsigned long long seed)
{
    uint64_t s = seed;
    const float k = 1.0f / sqrtf((float)net->cfg.hidden);
    for (int i = 0; i < net->n_tensors; i++) {
        float *t = net->param_block + net->tensors[i].offset;
        for (size_t j = 0; j < net->tensors[i].numel; j++) {
            float u = (float)(splitmix64(&s) >> 40) * (1.0f / 16777216.0f); /* [0, 1) */
            t[j] = (2.0f * u - 1.0f) * k;
        }
    }
    tc_rnn_pack(net);
}

void tc_rnn_pack(tc_rnn_t *net)
{
    const tc_rnn_config_t *cfg = &net->cfg;
    const tc_rnn_params_t *p = &net->params;
    tc_rnn_packed_t *pk = &net->packed;
    const int H = cfg->hidden;
    tc_rnn_step_pack(pk, p, cfg);
    memcpy(pk->head_w, p->head_w, (size_t)cfg->horizon * H * sizeof(float));
    memcpy(pk->head_b, p->head_b, (size_t)cfg->horizon * sizeof(float));
}
