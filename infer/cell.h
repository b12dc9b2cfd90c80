/* cell.h — the element-wise part of one time step of the window kernels (rnn.c), fused
 * into one vectorised pass per row: bias, gate activations and the state update
 * forward; the gate derivatives backward; bias-gradient column sums.  Internal to
 * infer/.  All arrays are row-major float32; rows are the B samples of one step.
 * None can fail or allocate.
 */
#ifndef TC_INFER_CELL_H
#define TC_INFER_CELL_H

/* LSTM forward.  g (B, 4H): in, W_ih x + W_hh h' without biases; out, the activated
 * gates i, f, g, o.  c = f c' + i g and h = o tanh(c), both (B, H); cp is c' (B, H). */
void tc_cell_lstm_forward(float *g, float *c, float *h, const float *cp, const float *b_ih,
                          const float *b_hh, int B, int H);

/* GRU forward.  g (B, 3H): in, W_ih x without bias; out, the activated r, z, n.
 * s (B, 3H) is W_hh h' without bias; hn (B, H) gets W_hn h' + b_hn (kept for backward);
 * h = (1 - z) n + z h' (B, H); hp is h' (B, H). */
void tc_cell_gru_forward(float *g, float *hn, float *h, const float *s, const float *hp,
                         const float *b_ih, const float *b_hh, int B, int H);

/* LSTM backward of one step (the equations in rnn.c): da (B, 4H) gets dL/d(pre-
 * activation); dh_next (B, H) is read as the gradient arriving from step t+1 (and dht,
 * from above) and dc_next (B, H) is updated to dL/dc'.  dh_next is left to the caller. */
void tc_cell_lstm_backward(float *da, float *dc_next, const float *dh_next, const float *dht,
                           const float *g, const float *cp, const float *cc, int B, int H);

/* GRU backward of one step: dx (B, 3H) gets (da_r, da_z, da_xn), dhh (B, 3H) gets
 * (da_r, da_z, da_hn), and dh_next (B, H) is replaced by dh z, the direct part of
 * dL/dh' (the caller adds dhh W_hh). */
void tc_cell_gru_backward(float *dx, float *dhh, float *dh_next, const float *dht, const float *g,
                          const float *hp, const float *hn, int B, int H);

/* acc (N) += column sums of m (M, N).  Can't fail. */
void tc_cell_colsum(float *acc, const float *m, int M, int N);

#endif
