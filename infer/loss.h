/* loss.h — regression losses with their gradients, mean reduction as PyTorch's
 * nn.MSELoss() and nn.HuberLoss(delta). */
#ifndef TC_INFER_LOSS_H
#define TC_INFER_LOSS_H

typedef enum tc_loss_kind { TC_LOSS_MSE = 0, TC_LOSS_HUBER = 1 } tc_loss_kind_t;

/* Returns mean((out - y)^2) over n values and writes dout (n) = dL/dout.  dout may be
 * NULL (loss only).  Can't fail. */
float tc_loss_mse(float *dout, const float *out, const float *y, int n);

/* Huber with threshold delta > 0: 0.5 r^2 where |r| < delta, else delta (|r| - delta/2),
 * averaged over n; dout as tc_loss_mse.  Can't fail. */
float tc_loss_huber(float *dout, const float *out, const float *y, int n, float delta);

#endif
