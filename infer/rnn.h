/* rnn.h — multi-layer LSTM and GRU with a linear head: forward, backward (BPTT) and a
 * streaming single step, float32, with PyTorch's exact semantics.
 *
 * LSTM (torch.nn.LSTM, gate order i, f, g, o):
 *     a = W_ih x + b_ih + W_hh h' + b_hh;  i, f, o = sigmoid(a_i, a_f, a_o);  g = tanh(a_g)
 *     c = f * c' + i * g;  h = o * tanh(c)
 * GRU (torch.nn.GRU, gate order r, z, n):
 *     r = sigmoid(W_ir x + b_ir + W_hr h' + b_hr);  z = sigmoid(W_iz x + b_iz + W_hz h' + b_hz)
 *     n = tanh(W_in x + b_in + r * (W_hn h' + b_hn));  h = (1 - z) * n + z * h'
 * Head: out = head_w h_T + head_b from the top layer's last step, K = horizon outputs.
 * Inputs are batch_first (B, T, C).
 *
 * Kernels are pure functions (outputs first, then inputs and weights, then dimensions);
 * tc_rnn_t owns one allocation carved into every tensor, made in tc_rnn_create, so
 * nothing allocates afterwards.
 */
#ifndef TC_INFER_RNN_H
#define TC_INFER_RNN_H

#include <stddef.h>

#include "infer/gemm.h"

#define TC_RNN_MAX_LAYERS 8
#define TC_RNN_MAX_TENSORS (4 * TC_RNN_MAX_LAYERS + 2)
#define TC_RNN_MAX_HIDDEN 4096
#define TC_RNN_MAX_INPUT 4096
#define TC_RNN_MAX_HORIZON 1024

typedef enum tc_rnn_cell { TC_RNN_LSTM = 0, TC_RNN_GRU = 1 } tc_rnn_cell_t;

typedef struct tc_rnn_config {
    tc_rnn_cell_t cell;
    int input;   /* C: features per time step */
    int hidden;  /* H */
    int layers;  /* L, 1..TC_RNN_MAX_LAYERS */
    int horizon; /* K: head outputs */
} tc_rnn_config_t;

/* One parameter tensor of the size table, in PyTorch state_dict order. */
typedef struct tc_rnn_tensor {
    char name[32];   /* "weight_ih_l0", ..., "head.weight", "head.bias" */
    int ndim;        /* 1 or 2 */
    int shape[2];
    size_t offset;   /* in floats from the start of the parameter block */
    size_t numel;
} tc_rnn_tensor_t;

/* Views into a parameter-shaped block (weights, gradients, Adam moments). */
typedef struct tc_rnn_params {
    float *w_ih[TC_RNN_MAX_LAYERS]; /* (G*H, C_l), C_0 = C, C_l = H above; G = 4 LSTM, 3 GRU */
    float *w_hh[TC_RNN_MAX_LAYERS]; /* (G*H, H) */
    float *b_ih[TC_RNN_MAX_LAYERS]; /* (G*H) */
    float *b_hh[TC_RNN_MAX_LAYERS]; /* (G*H) */
    float *head_w;                  /* (K, H) */
    float *head_b;                  /* (K) */
} tc_rnn_params_t;

/* Activations of a window forward, kept for backward.  Time-major inside: slot t of a
 * (T, B, X) buffer is the B rows of step t, so a step's rows are one matrix. */
typedef struct tc_rnn_acts {
    float *x;                        /* (T, B, C) time-major copy of the input */
    float *h[TC_RNN_MAX_LAYERS];     /* (T+1, B, H) layer output; slot 0 = initial state (0) */
    float *c[TC_RNN_MAX_LAYERS];     /* (T+1, B, H) LSTM cell state; NULL for GRU */
    float *gates[TC_RNN_MAX_LAYERS]; /* (T, B, G*H) after activation: i,f,g,o or r,z,n */
    float *hn[TC_RNN_MAX_LAYERS];    /* (T, B, H) GRU W_hn h' + b_hn; NULL for LSTM */
    float *out;                      /* (B, K) head output */
    /* backward scratch */
    float *dpre;    /* (T, B, G*H) dL/d(input-side pre-activation) */
    float *dpre_h;  /* (T, B, G*H) GRU dL/d(W_hh h' + b_hh); LSTM: unused */
    float *dh[2];   /* (T, B, H) dL/d(layer output), ping-pong between layers */
    float *dh_next; /* (B, H) carried backwards in time */
    float *dc_next; /* (B, H) */
    float *step;    /* (B, G*H) GRU: one step's recurrent pre-activation; LSTM: bias-gradient sums */
} tc_rnn_acts_t;

/* Hidden units per panel of the streaming step's packed weights (step.c). */
#define TC_RNN_STEP_UNITS 16

/* Weights repacked for the B = 1 streaming step (step.c): per layer, panels of
 * TC_RNN_STEP_UNITS hidden units, each one contiguous stream of (C_l + H) rows holding
 * the columns of all gates of its units, so one pass applies W_ih and W_hh together. */
typedef struct tc_rnn_packed {
    float *w[TC_RNN_MAX_LAYERS]; /* (P, C_l + H, G*U), P = ceil(H/U), U = TC_RNN_STEP_UNITS */
    float *b[TC_RNN_MAX_LAYERS]; /* (P, 4*U) LSTM b_ih + b_hh; GRU r, z summed, b_in, b_hn */
    float *head_w;               /* (K, H) copy of head.weight */
    float *head_b;               /* (K) */
} tc_rnn_packed_t;

/* The network: configuration plus one block holding weights, gradients, Adam moments,
 * packed weights and activations for up to max_batch x max_steps windows. */
typedef struct tc_rnn {
    tc_rnn_config_t cfg;
    int max_batch, max_steps;
    tc_gemm_path_t path;
    size_t n_params;             /* floats in one parameter-shaped block */
    int n_tensors;
    tc_rnn_tensor_t tensors[TC_RNN_MAX_TENSORS];
    float *param_block;          /* (n_params) */
    float *grad_block;           /* (n_params) */
    float *m_block, *v_block;    /* (n_params) Adam moments */
    tc_rnn_params_t params, grads;
    tc_rnn_packed_t packed;
    tc_rnn_acts_t acts;
    void *mem;
    size_t mem_bytes;
} tc_rnn_t;

/* Gate count: 4 for LSTM, 3 for GRU. */
static inline int tc_rnn_gates(tc_rnn_cell_t cell) { return cell == TC_RNN_LSTM ? 4 : 3; }

/* Checks a configuration; returns 0 or -EINVAL with the reason on the error stack. */
int tc_rnn_config_check(const tc_rnn_config_t *cfg);

/* Fills tab (TC_RNN_MAX_TENSORS entries) with the parameter size table of cfg and
 * returns the number of tensors; *ret_n_params gets the total float count.
 * cfg must have passed tc_rnn_config_check. */
int tc_rnn_param_table(tc_rnn_tensor_t *tab, size_t *ret_n_params, const tc_rnn_config_t *cfg);

/* Points p's tensors into block (a parameter-shaped block of n_params floats). */
void tc_rnn_params_bind(tc_rnn_params_t *p, float *block, const tc_rnn_config_t *cfg);

/* Allocates a network for windows of up to max_batch x max_steps (both >= 1), all
 * tensors zero.  Returns NULL with the reason on the error stack.  Owned by the
 * caller; release with tc_rnn_destroy (NULL is fine there). */
tc_rnn_t *tc_rnn_create(const tc_rnn_config_t *cfg, int max_batch, int max_steps);
void tc_rnn_destroy(tc_rnn_t *net);

/* PyTorch's default initialisation: every parameter uniform in [-1/sqrt(H), 1/sqrt(H)]
 * (head: [-1/sqrt(H), 1/sqrt(H)] too), from a splitmix64 stream seeded by seed;
 * reproducible bit for bit.  Repacks.  Can't fail. */
void tc_rnn_init_uniform(tc_rnn_t *net, unsigned long long seed);

/* Refreshes the streaming copy of the weights; call after weights change (load, an
 * optimiser step).  Can't fail. */
void tc_rnn_pack(tc_rnn_t *net);

/* ---- kernels -------------------------------------------------------------------- */

/* Window forward over x (B, T, C) batch_first from zero state; fills acts (all of
 * it, for backward) and acts->out (B, K).  B <= max_batch, T <= max_steps. */
void tc_rnn_forward(tc_rnn_acts_t *acts, const float *x, const tc_rnn_params_t *p,
                    const tc_rnn_config_t *cfg, int B, int T, tc_gemm_path_t path);

/* Backward of the last tc_rnn_forward (same acts, B, T) given dout (B, K) = dL/dout.
 * Accumulates into g (zero it first for a fresh gradient); clobbers the acts' scratch. */
void tc_rnn_backward(tc_rnn_params_t *g, tc_rnn_acts_t *acts, const float *dout,
                     const tc_rnn_params_t *p, const tc_rnn_config_t *cfg, int B, int T,
                     tc_gemm_path_t path);

/* The head applied to the top layer's output at every step of the last forward:
 * out_all (B, T, K) batch_first.  Can't fail. */
void tc_rnn_head_all(float *out_all, const tc_rnn_acts_t *acts, const tc_rnn_params_t *p,
                     const tc_rnn_config_t *cfg, int B, int T, tc_gemm_path_t path);

/* Floats of per-symbol streaming state: (L, 2, H), h then c per layer (c unused by GRU). */
static inline size_t tc_rnn_state_size(const tc_rnn_config_t *cfg)
{
    return (size_t)cfg->layers * 2 * (size_t)cfg->hidden;
}
/* Floats of scratch one streaming step needs: the input vector [x; h'] of a layer,
 * max(C, H) + H (never less than the (2, G*H) of earlier versions). */
static inline size_t tc_rnn_step_scratch_size(const tc_rnn_config_t *cfg)
{
    size_t in = (size_t)(cfg->input > cfg->hidden ? cfg->input : cfg->hidden);
    in += (size_t)cfg->hidden;
    size_t old = 2 * (size_t)tc_rnn_gates(cfg->cell) * (size_t)cfg->hidden;
    return in > old ? in : old;
}

/* Floats of layer l's packed streaming weights, and of one layer's packed bias. */
size_t tc_rnn_step_layer_size(const tc_rnn_config_t *cfg, int l);
size_t tc_rnn_step_bias_size(const tc_rnn_config_t *cfg);

/* Fills pk's layer panels and biases from p (pk->w, pk->b sized as above; the head is
 * tc_rnn_pack's).  Called by tc_rnn_pack.  Can't fail. */
void tc_rnn_step_pack(tc_rnn_packed_t *pk, const tc_rnn_params_t *p, const tc_rnn_config_t *cfg);

/* One streaming step for one symbol: advances state (L, 2, H) in place by x (C) and
 * writes the head's out (K).  scratch has tc_rnn_step_scratch_size floats.  Zeroed
 * state is the start of a sequence.  No allocation; can't fail. */
void tc_rnn_step(float *out, float *state, float *scratch, const float *x,
                 const tc_rnn_packed_t *pk, const tc_rnn_config_t *cfg);

/* Inference over B windows x (B, T, C) batch_first, each from zero state: out (B, K)
 * gets the head at each window's last step, as tc_rnn_forward's acts->out (within
 * rounding), computed one window at a time by the streaming step's kernel: no BLAS,
 * nothing kept for backward, no threads.  state and scratch are sized as for
 * tc_rnn_step (state is clobbered); pk must be current (tc_rnn_pack after weights
 * change).  No allocation; can't fail. */
void tc_rnn_infer(float *out, float *state, float *scratch, const float *x,
                  const tc_rnn_packed_t *pk, const tc_rnn_config_t *cfg, int B, int T);

/* tc_rnn_step / tc_rnn_infer with the instruction set forced: baseline != 0 runs the
 * baseline x86-64 body even on an AVX2 machine (for the tests comparing the two). */
void tc_rnn_step_isa(float *out, float *state, float *scratch, const float *x,
                     const tc_rnn_packed_t *pk, const tc_rnn_config_t *cfg, int baseline);
void tc_rnn_infer_isa(float *out, float *state, float *scratch, const float *x,
                      const tc_rnn_packed_t *pk, const tc_rnn_config_t *cfg, int B, int T,
                      int baseline);

#endif
