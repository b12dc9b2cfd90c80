/* loss.c — MSE and Huber losses and their gradients (PyTorch nn.MSELoss and
 * nn.HuberLoss with reduction "mean").  Sums run in double: the loss is one number per
 * batch and the fixtures compare it to 1e-6. */
#include "infer/loss.h"

#include <math.h>

float tc_loss_mse(float *dout, const float *out, const float *y, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++) {
        float r = out[i] - y[i];
        s += (double)r * r;
        if (dout)
            dout[i] = 2.0f * r / (float)n;
    }
    return (float)(s / n);
}

float tc_loss_huber(float *dout, const float *out, const float *y, int n, float delta)
{
    double s = 0.0;
    for (int i = 0; i < n; i++) {
        float r = out[i] - y[i];
        float a = fabsf(r);
        if (a < delta) {
            s += 0.5 * (double)r * r;
            if (dout)
                dout[i] = r / (float)n;
        } else {
            s += (double)delta * (a - 0.5 * delta);
            if (dout)
                dout[i] = (r > 0 ? delta : -delta) / (float)n;
        }
    }
    return (float)(s / n);
}
