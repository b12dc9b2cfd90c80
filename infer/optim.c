/* optim.c — Adam / AdamW and gradient-norm clipping, following the arithmetic of
 * PyTorch 1.13's single-tensor implementations so a few steps track its losses:
 *     m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
 *     p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * Adam folds weight decay into the gradient (g += wd p); AdamW decays the weights
 * first (p *= 1 - lr wd).  Scalars (bias corrections, step size) are doubles as in
 * PyTorch, where they are Python floats. */
#include "infer/optim.h"

#include <math.h>

tc_optim_config_t tc_optim_defaults(tc_optim_kind_t kind, float lr)
{
    return (tc_optim_config_t){.kind = kind, .lr = lr, .beta1 = 0.9f, .beta2 = 0.999f,
                               .eps = 1e-8f, .weight_decay = kind == TC_OPTIM_ADAMW ? 1e-2f : 0.0f,
                               .clip = 0.0f};
}

float tc_optim_clip(float *g, size_t n, float max_norm)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)g[i] * g[i];
    float norm = (float)sqrt(s);
    float coef = max_norm / (norm + 1e-6f);
    if (coef < 1.0f)
        for (size_t i = 0; i < n; i++)
            g[i] *= coef;
    return norm;
}

float tc_optim_step(float *p, float *g, float *m, float *v, size_t n,
                    const tc_optim_config_t *cfg, int step)
{
    float norm = 0.0f;
    if (cfg->clip > 0.0f)
        norm = tc_optim_clip(g, n, cfg->clip);
    const double bc1 = 1.0 - pow(cfg->beta1, step);
    const double bc2 = 1.0 - pow(cfg->beta2, step);
    const float step_size = (float)(cfg->lr / bc1);
    const float bc2_sqrt = (float)sqrt(bc2);
    const float b1 = cfg->beta1, b2 = cfg->beta2, wd = cfg->weight_decay;
    const float decay = (float)(1.0 - (double)cfg->lr * wd);
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        if (cfg->kind == TC_OPTIM_ADAMW)
            p[i] *= decay;
        else if (wd != 0.0f)
            gi += wd * p[i];
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        float denom = sqrtf(v[i]) / bc2_sqrt + cfg->eps;
        p[i] -= step_size * (m[i] / denom);
    }
    return norm;
}
