/* act.h — vectorised sigmoid and tanh for the LSTM/GRU gates.
 *
 * libm's expf/tanhf cost 5-20 ns a call, which alone would take more than the whole
 * 2.5 us budget of a streaming step (hundreds of gate activations).  These run eight
 * lanes at a time with a Cephes-style polynomial: within 2e-7 absolute of the exact
 * values (tests/infer/test_act.c), and the same bits whatever the array length or
 * the position in it, so a window forward and a streaming step agree.
 */
#ifndef TC_INFER_ACT_H
#define TC_INFER_ACT_H

/* y[i] = 1 / (1 + exp(-x[i])) for i < n; y may equal x.  Can't fail. */
void tc_act_sigmoid(float *y, const float *x, int n);
/* y[i] = tanh(x[i]) for i < n; y may equal x.  Can't fail. */
void tc_act_tanh(float *y, const float *x, int n);

#endif
