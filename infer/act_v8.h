/* act_v8.h — the eight-lane exp, sigmoid and tanh of act.c as macros over GCC vector
 * types, for kernels that apply the gate activations in registers (act.c, step.c).
 * Internal to infer/; the method and its accuracy are described in act.c and act.h.
 * The same macro gives the same bits for the same input as long as the including file
 * is compiled with the same floating-point contraction setting.
 */
#ifndef TC_INFER_ACT_V8_H
#define TC_INFER_ACT_V8_H

typedef float tc_v8f __attribute__((vector_size(32), aligned(4)));
typedef int tc_v8i __attribute__((vector_size(32), aligned(4)));

#define V8F(c) ((tc_v8f){c, c, c, c, c, c, c, c})
#define SEL(mask, a, b) ((tc_v8f)(((mask) & (tc_v8i)(a)) | (~(mask) & (tc_v8i)(b))))

/* out = exp(in), lane-wise. */
#define EXP8(out, in)                                                                     \
    do {                                                                                  \
        tc_v8f x_ = (in);                                                                 \
        x_ = SEL(x_ > V8F(88.3762626647949f), V8F(88.3762626647949f), x_);                \
        x_ = SEL(x_ < V8F(-88.3762626647949f), V8F(-88.3762626647949f), x_);              \
        tc_v8f n_ = (x_ * V8F(1.44269504088896341f) + V8F(12582912.0f)) - V8F(12582912.0f); \
        tc_v8f r_ = x_ - n_ * V8F(0.693359375f);                                          \
        r_ = r_ - n_ * V8F(-2.12194440e-4f);                                              \
        tc_v8f p_ = V8F(1.9875691500e-4f) * r_ + V8F(1.3981999507e-3f);                  \
        p_ = p_ * r_ + V8F(8.3334519073e-3f);                                             \
        p_ = p_ * r_ + V8F(4.1665795894e-2f);                                             \
        p_ = p_ * r_ + V8F(1.6666665459e-1f);                                             \
        p_ = p_ * r_ + V8F(5.0000001201e-1f);                                             \
        p_ = p_ * (r_ * r_) + r_ + V8F(1.0f);                                             \
        tc_v8i e_ = (__builtin_convertvector(n_, tc_v8i) + 127) << 23;                    \
        (out) = p_ * (tc_v8f)e_;                                                          \
    } while (0)

#define SIGMOID8(out, in)                                                                 \
    do {                                                                                  \
        tc_v8f e8_;                                                                       \
        EXP8(e8_, -(in));                                                                 \
        (out) = V8F(1.0f) / (V8F(1.0f) + e8_);                                            \
    } while (0)

#define TANH8(out, in)                                                                    \
    do {                                                                                  \
        tc_v8f v_ = (in);                                                                 \
        tc_v8i sign_ = (tc_v8i)v_ & (tc_v8i)V8F(-0.0f);                                   \
        tc_v8f a_ = (tc_v8f)((tc_v8i)v_ & ~sign_);                                        \
        tc_v8f z_ = v_ * v_;                                                              \
        tc_v8f s_ = V8F(-5.70498872745e-3f) * z_ + V8F(2.06390887954e-2f);               \
        s_ = s_ * z_ + V8F(-5.37397155531e-2f);                                           \
        s_ = s_ * z_ + V8F(1.33314422036e-1f);                                            \
        s_ = s_ * z_ + V8F(-3.33332819422e-1f);                                           \
        s_ = s_ * z_ * v_ + v_;                                                           \
        tc_v8f e2_;                                                                       \
        EXP8(e2_, a_ + a_);                                                               \
        tc_v8f l_ = V8F(1.0f) - V8F(2.0f) / (e2_ + V8F(1.0f));                           \
        l_ = (tc_v8f)((tc_v8i)l_ | sign_);                                                \
        (out) = SEL(a_ > V8F(0.625f), l_, s_);                                            \
    } while (0)

#endif
