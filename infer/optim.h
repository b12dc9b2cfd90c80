/* optim.h — Adam and AdamW with global gradient-norm clipping, as PyTorch 1.13's
 * torch.optim.Adam / AdamW (single-tensor path) and torch.nn.utils.clip_grad_norm_. */
#ifndef TC_INFER_OPTIM_H
#define TC_INFER_OPTIM_H

#include <stddef.h>

typedef enum tc_optim_kind { TC_OPTIM_ADAM = 0, TC_OPTIM_ADAMW = 1 } tc_optim_kind_t;

typedef struct tc_optim_config {
    tc_optim_kind_t kind;
    float lr;           /* learning rate */
    float beta1, beta2; /* moment decay, PyTorch defaults 0.9, 0.999 */
    float eps;          /* 1e-8 */
    float weight_decay; /* Adam: added to the gradient (L2); AdamW: decoupled */
    float clip;         /* max global L2 norm of the gradient; <= 0 disables clipping */
} tc_optim_config_t;

/* PyTorch's defaults for kind with learning rate lr (no decay, no clipping). */
tc_optim_config_t tc_optim_defaults(tc_optim_kind_t kind, float lr);

/* Scales g (n) so its L2 norm is at most max_norm, as clip_grad_norm_ (which divides by
 * norm + 1e-6); returns the norm before clipping.  Can't fail. */
float tc_optim_clip(float *g, size_t n, float max_norm);

/* One optimiser step number `step` (1-based) over n parameters p with gradients g and
 * moments m, v (zero before the first step): clips g first when cfg->clip > 0, then
 * updates p, m, v in place.  Returns the gradient norm before clipping (0 when not
 * clipping).  Can't fail. */
float tc_optim_step(float *p, float *g, float *m, float *v, size_t n,
                    const tc_optim_config_t *cfg, int step);

#endif
