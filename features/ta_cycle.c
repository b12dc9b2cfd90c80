/* ta_cycle.c — TA-Lib's cycle indicators as streaming indicators (features/ta.h).
 *
 * HT_DCPERIOD HT_DCPHASE HT_PHASOR HT_SINE HT_TRENDMODE: Ehlers' Hilbert-transform
 * cycle measures as TA-Lib computes them (ta_HT_*.c), on the shared core of ht.c.  None
 * takes a parameter; the lookbacks (32 and 63) are TA-Lib's, whose unstable period is
 * left at 0.  HT_TRENDLINE, the overlap study on the same core, is in ta_overlap.c.
 */
#include "features/ht.h"
#include "features/ta.h"

static const char G_CYCLE[] = "Cycle Indicators";

/* ---- HT_DCPERIOD, HT_PHASOR: the 32-bar family (9 WMA warm-up bars) ---- */

typedef struct dcp_st {
    tc_ht_t ht;
    double smooth_period;
} dcp_st_t;

static int lb32(const double *p)
{
    (void)p;
    return 32;
}
static size_t dcp_size(const double *p)
{
    (void)p;
    return sizeof(dcp_st_t);
}
static int dcp_init(void *st, const double *p, int mode)
{
    (void)p;
    (void)mode;
    dcp_st_t *s = st;
    tc_ht_init(&s->ht, 9, 0);
    s->smooth_period = 0.0;
    return 0;
}
static int dcperiod_update(void *st, const double *in, double *out)
{
    dcp_st_t *s = st;
    if (!tc_ht_step(&s->ht, in[0]))
        return 0;
    s->smooth_period = (0.33 * s->ht.period) + (0.67 * s->smooth_period);
    if (s->ht.n <= 32)
        return 0;
    out[0] = s->smooth_period;
    return 1;
}
static int phasor_update(void *st, const double *in, double *out)
{
    dcp_st_t *s = st;
    if (!tc_ht_step(&s->ht, in[0]) || s->ht.n <= 32)
        return 0;
    out[0] = s->ht.i1;
    out[1] = s->ht.q1;
    return 1;
}

static const tc_ta_func_t f_HT_DCPERIOD = {
    .name = "HT_DCPERIOD", .group = G_CYCLE,
    .doc = "Hilbert Transform - Dominant Cycle Period",
    .n_in = 1, .in = {"inReal"},
    .n_param = 0,
    .n_out = 1, .out = {"real"},
    .lookback = lb32, .state_size = dcp_size, .init = dcp_init, .update = dcperiod_update,
};
static const tc_ta_func_t f_HT_PHASOR = {
    .name = "HT_PHASOR", .group = G_CYCLE,
    .doc = "Hilbert Transform - Phasor Components",
    .n_in = 1, .in = {"inReal"},
    .n_param = 0,
    .n_out = 2, .out = {"inphase", "quadrature"},
    .lookback = lb32, .state_size = dcp_size, .init = dcp_init, .update = phasor_update,
};

/* ---- HT_DCPHASE, HT_SINE, HT_TRENDMODE: the 63-bar family ---- */

static int lb63(const double *p)
{
    (void)p;
    return 63;
}
static size_t cyc_size(const double *p)
{
    (void)p;
    return sizeof(tc_ht_cycle_t);
}
static int phase_init(void *st, const double *p, int mode)
{
    (void)p;
    (void)mode;
    tc_ht_cycle_init(st, TC_HT_WANT_PHASE);
    return 0;
}
static int trendmode_init(void *st, const double *p, int mode)
{
    (void)p;
    (void)mode;
    tc_ht_cycle_init(st, TC_HT_WANT_PHASE | TC_HT_WANT_TREND);
    return 0;
}
static int dcphase_update(void *st, const double *in, double *out)
{
    tc_ht_cycle_t *c = st;
    if (!tc_ht_cycle_step(c, in[0]) || c->ht.n <= 63)
        return 0;
    out[0] = c->dc_phase;
    return 1;
}
static int sine_update(void *st, const double *in, double *out)
{
    tc_ht_cycle_t *c = st;
    if (!tc_ht_cycle_step(c, in[0]) || c->ht.n <= 63)
        return 0;
    out[0] = c->sine;
    out[1] = c->lead_sine;
    return 1;
}
static int trendmode_update(void *st, const double *in, double *out)
{
    tc_ht_cycle_t *c = st;
    if (!tc_ht_cycle_step(c, in[0]) || c->ht.n <= 63)
        return 0;
    out[0] = c->trend;
    return 1;
}

static const tc_ta_func_t f_HT_DCPHASE = {
    .name = "HT_DCPHASE", .group = G_CYCLE,
    .doc = "Hilbert Transform - Dominant Cycle Phase",
    .n_in = 1, .in = {"inReal"},
    .n_param = 0,
    .n_out = 1, .out = {"real"},
    .lookback = lb63, .state_size = cyc_size, .init = phase_init, .update = dcphase_update,
};
static const tc_ta_func_t f_HT_SINE = {
    .name = "HT_SINE", .group = G_CYCLE, .doc = "Hilbert Transform - SineWave",
    .n_in = 1, .in = {"inReal"},
    .n_param = 0,
    .n_out = 2, .out = {"sine", "leadsine"},
    .lookback = lb63, .state_size = cyc_size, .init = phase_init, .update = sine_update,
};
static const tc_ta_func_t f_HT_TRENDMODE = {
    .name = "HT_TRENDMODE", .group = G_CYCLE, .doc = "Hilbert Transform - Trend vs Cycle Mode",
    .n_in = 1, .in = {"inReal"},
    .n_param = 0,
    .n_out = 1, .out = {"integer"},
    .out_int = 1,
    .lookback = lb63, .state_size = cyc_size, .init = trendmode_init,
    .update = trendmode_update,
};

const tc_ta_func_t *const tc_ta_family_cycle[] = {
    &f_HT_DCPERIOD, &f_HT_DCPHASE, &f_HT_PHASOR, &f_HT_SINE, &f_HT_TRENDMODE, NULL,
};
