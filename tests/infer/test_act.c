/* test_act.c — the vectorised gate activations against double-precision libm over
 * [-100, 100] (dense near 0, where tanh's two branches meet at 0.625, and past the
 * exp clamp): sigmoid and tanh within 2e-7 absolute, tanh within 3e-7 relative for
 * |x| < 0.625; and the same bits for a value wherever it sits in an array. */
#include "tests/infer/fixture.h"

#include "infer/act.h"

#define NPTS 200001

Test(act, accuracy_against_libm)
{
    static float x[NPTS], s[NPTS], t[NPTS];
    for (int i = 0; i < NPTS; i++) {
        double u = (i - NPTS / 2) / (double)(NPTS / 2); /* [-1, 1] */
        x[i] = (float)(u * u * u * 100.0);              /* dense near 0 */
    }
    tc_act_sigmoid(s, x, NPTS);
    tc_act_tanh(t, x, NPTS);
    double ws = 0, wt = 0, wr = 0;
    for (int i = 0; i < NPTS; i++) {
        double es = fabs(s[i] - 1.0 / (1.0 + exp(-(double)x[i])));
        double et = fabs(t[i] - tanh((double)x[i]));
        ws = es > ws ? es : ws;
        wt = et > wt ? et : wt;
        if (fabs(x[i]) < 0.625f && x[i] != 0.0f) {
            double er = et / fabs(tanh((double)x[i]));
            wr = er > wr ? er : wr;
        }
    }
    fprintf(stderr, "  sigmoid max abs err %.3g, tanh max abs err %.3g, tanh max rel err near 0 %.3g\n",
            ws, wt, wr);
    cr_expect(ws <= 2e-7, "sigmoid error %g", ws);
    cr_expect(wt <= 2e-7, "tanh error %g", wt);
    cr_expect(wr <= 3e-7, "tanh relative error %g", wr);
    cr_expect(s[0] >= 0.0f && s[NPTS - 1] == 1.0f && t[0] == -1.0f && t[NPTS - 1] == 1.0f);
}

Test(act, same_bits_at_any_position)
{
    float x[19], a[19], b[1];
    fx_fill(x, 19, 3);
    for (int i = 0; i < 19; i++)
        x[i] *= 4.0f;
    tc_act_tanh(a, x, 19);
    for (int i = 0; i < 19; i++) {
        tc_act_tanh(b, x + i, 1);
        cr_expect(memcmp(&a[i], b, sizeof b) == 0, "tanh(%g) differs in the tail", x[i]);
    }
    tc_act_sigmoid(a, x, 19);
    for (int i = 0; i < 19; i++) {
        tc_act_sigmoid(b, x + i, 1);
        cr_expect(memcmp(&a[i], b, sizeof b) == 0, "sigmoid(%g) differs in the tail", x[i]);
    }
}
