/* ta_volume.c — TA-Lib's volume indicators as streaming objects (features/ta.h): AD
 * (Chaikin accumulation/distribution line), ADOSC (Chaikin oscillator) and OBV.
 *
 * Follows TA-Lib 0.6's ta_AD.c, ta_ADOSC.c and ta_OBV.c operation for operation.  Note
 * that ADOSC's EMAs are seeded with the first AD value, not with a simple mean as
 * TA_EMA is, and that OBV starts from the first bar's volume. */
#include "features/ta_momentum.h"

/* Money flow multiplier times volume, 0 for a bar without range. */
static double ad_flow(double h, double l, double c, double v)
{
    double range = h - l;
    return range > 0.0 ? (((c - l) - (h - c)) / range) * v : 0.0;
}

static int zero_lookback(const double *p) { (void)p; return 0; }

/* ---- AD ---- */

typedef struct ad {
    double ad;
} ad_t;

static size_t ad_size(const double *p) { (void)p; return sizeof(ad_t); }
static int ad_init(void *st, const double *p, int mode) { (void)st; (void)p; (void)mode; return 0; }

static int ad_update(void *st, const double *in, double *out)
{
    ad_t *s = st;
    s->ad += ad_flow(in[0], in[1], in[2], in[3]);
    out[0] = s->ad;
    return 1;
}

/* ---- ADOSC: EMA(fast) - EMA(slow) of the AD line ---- */

typedef struct adosc {
    int lookback;
    long n;
    double ad, fast_k, slow_k, fast, slow;
} adosc_t;

static int adosc_lookback(const double *p)
{
    int fast = (int)p[0], slow = (int)p[1];
    return (fast < slow ? slow : fast) - 1;
}

static size_t adosc_size(const double *p) { (void)p; return sizeof(adosc_t); }

static int adosc_init(void *st, const double *p, int mode)
{
    (void)mode;
    adosc_t *s = st;
    s->lookback = adosc_lookback(p);
    s->fast_k = tc_ta_per_to_k((int)p[0]);
    s->slow_k = tc_ta_per_to_k((int)p[1]);
    return 0;
}

static int adosc_update(void *st, const double *in, double *out)
{
    adosc_t *s = st;
    s->ad += ad_flow(in[0], in[1], in[2], in[3]);
    if (s->n++ == 0) {
        s->fast = s->ad;
        s->slow = s->ad;
    } else {
        s->fast = (s->fast_k * s->ad) + ((1.0 - s->fast_k) * s->fast);
        s->slow = (s->slow_k * s->ad) + ((1.0 - s->slow_k) * s->slow);
    }
    if (s->n <= s->lookback)
        return 0;
    out[0] = s->fast - s->slow;
    return 1;
}

/* ---- OBV ---- */

typedef struct obv {
    long n;
    double prev, obv;
} obv_t;

static size_t obv_size(const double *p) { (void)p; return sizeof(obv_t); }
static int obv_init(void *st, const double *p, int mode) { (void)st; (void)p; (void)mode; return 0; }

static int obv_update(void *st, const double *in, double *out)
{
    obv_t *s = st;
    double x = in[0], v = in[1];
    if (s->n++ == 0) {
        s->obv = v;
    } else if (x > s->prev) {
        s->obv += v;
    } else if (x < s->prev) {
        s->obv -= v;
    }
    s->prev = x;
    out[0] = s->obv;
    return 1;
}

#define VOL_GROUP "Volume Indicators"

static const tc_ta_func_t fn_ad = {
    "AD", VOL_GROUP, "Chaikin A/D Line",
    4, { "high", "low", "close", "volume" }, 0, { { 0 } }, 1, { "real" }, 0,
    zero_lookback, ad_size, ad_init, ad_update,
};
static const tc_ta_func_t fn_adosc = {
    "ADOSC", VOL_GROUP, "Chaikin A/D Oscillator",
    4, { "high", "low", "close", "volume" }, 2,
    { TC_TA_P_INT("FastPeriod", 3, 2), TC_TA_P_INT("SlowPeriod", 10, 2) },
    1, { "real" }, 0,
    adosc_lookback, adosc_size, adosc_init, adosc_update,
};
static const tc_ta_func_t fn_obv = {
    "OBV", VOL_GROUP, "On Balance Volume",
    2, { "inReal", "volume" }, 0, { { 0 } }, 1, { "real" }, 0,
    zero_lookback, obv_size, obv_init, obv_update,
};

const tc_ta_func_t *const tc_ta_family_volume[] = {
    &fn_ad,
    &fn_adosc,
    &fn_obv,
    NULL,
};
