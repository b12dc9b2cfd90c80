/* ta_price.c — TA-Lib's price transforms as streaming indicators (features/ta.h):
 * AVGPRICE, MEDPRICE, TYPPRICE, WCLPRICE (one bar each, summed in TA-Lib's order so the
 * doubles agree bit for bit) and AVGDEV.
 *
 * AVGDEV is the mean absolute deviation from the window mean.  Unlike a variance it has
 * no O(1) update: when the mean moves, every |x - mean| term can change sign.  It is
 * recomputed over the window on each bar, as TA-Lib's ta_AVGDEV.c does (O(period) per
 * bar, no allocation); precise mode does the same sums in long double.
 */
#include "features/ta.h"

#include <math.h>
#include <stdint.h>

static int lb_zero(const double *p) { return 0; }
static size_t none_size(const double *p) { return 1; }
static int none_init(void *st, const double *p, int mode) { return 0; }

static int avgprice_update(void *st, const double *in, double *out)
{
    out[0] = (in[1] + in[2] + in[3] + in[0]) / 4; /* high + low + close + open */
    return 1;
}

static int medprice_update(void *st, const double *in, double *out)
{
    out[0] = (in[0] + in[1]) / 2.0;
    return 1;
}

static int typprice_update(void *st, const double *in, double *out)
{
    out[0] = (in[0] + in[1] + in[2]) / 3.0;
    return 1;
}

static int wclprice_update(void *st, const double *in, double *out)
{
    out[0] = (in[0] + in[1] + (in[2] * 2.0)) / 4.0;
    return 1;
}

/* ---- AVGDEV ---- */

typedef struct avgdev {
    int n, mode, pos;
    int64_t count;
    double ring[]; /* (n) last values; ring[pos] is the next slot */
} avgdev_t;

static size_t avgdev_size(const double *p) { return sizeof(avgdev_t) + sizeof(double) * (size_t)p[0]; }

static int avgdev_init(void *st, const double *p, int mode)
{
    avgdev_t *a = st;
    a->n = (int)p[0];
    a->mode = mode;
    return 0;
}

static int avgdev_update(void *st, const double *in, double *out)
{
    avgdev_t *a = st;
    int n = a->n;
    a->ring[a->pos] = in[0];
    int newest = a->pos;
    a->pos = a->pos + 1 == n ? 0 : a->pos + 1;
    if (++a->count < n)
        return 0;
    if (a->mode == TC_TA_MODE_PRECISE) {
        long double s = 0, dev = 0;
        for (int i = 0; i < n; i++)
            s += a->ring[i];
        long double mean = s / n;
        for (int i = 0; i < n; i++)
            dev += fabsl(a->ring[i] - mean);
        out[0] = (double)(dev / n);
        return 1;
    }
    /* TA-Lib's order: newest first, the mean re-divided for every term. */
    double sum = 0, dev = 0;
    for (int i = 0, j = newest; i < n; i++, j = j == 0 ? n - 1 : j - 1)
        sum += a->ring[j];
    for (int i = 0, j = newest; i < n; i++, j = j == 0 ? n - 1 : j - 1)
        dev += fabs(a->ring[j] - sum / n);
    out[0] = dev / n;
    return 1;
}

static int lb_period_minus_1(const double *p) { return (int)p[0] - 1; }

#define GROUP "Price Transform"

static const tc_ta_func_t f_avgdev = {
    .name = "AVGDEV", .group = GROUP, .doc = "Average Deviation (mean absolute deviation from the window mean)",
    .n_in = 1, .in = {"inReal"},
    .n_param = 1, .param = {{"TimePeriod", TC_TA_PARAM_INT, 14, 2, 100000}},
    .n_out = 1, .out = {"real"},
    .lookback = lb_period_minus_1, .state_size = avgdev_size, .init = avgdev_init,
    .update = avgdev_update,
};

static const tc_ta_func_t f_avgprice = {
    .name = "AVGPRICE", .group = GROUP, .doc = "Average Price: (open + high + low + close) / 4",
    .n_in = 4, .in = {"open", "high", "low", "close"},
    .n_out = 1, .out = {"real"},
    .lookback = lb_zero, .state_size = none_size, .init = none_init, .update = avgprice_update,
};

static const tc_ta_func_t f_medprice = {
    .name = "MEDPRICE", .group = GROUP, .doc = "Median Price: (high + low) / 2",
    .n_in = 2, .in = {"high", "low"},
    .n_out = 1, .out = {"real"},
    .lookback = lb_zero, .state_size = none_size, .init = none_init, .update = medprice_update,
};

static const tc_ta_func_t f_typprice = {
    .name = "TYPPRICE", .group = GROUP, .doc = "Typical Price: (high + low + close) / 3",
    .n_in = 3, .in = {"high", "low", "close"},
    .n_out = 1, .out = {"real"},
    .lookback = lb_zero, .state_size = none_size, .init = none_init, .update = typprice_update,
};

static const tc_ta_func_t f_wclprice = {
    .name = "WCLPRICE", .group = GROUP, .doc = "Weighted Close Price: (high + low + 2 close) / 4",
    .n_in = 3, .in = {"high", "low", "close"},
    .n_out = 1, .out = {"real"},
    .lookback = lb_zero, .state_size = none_size, .init = none_init, .update = wclprice_update,
};

const tc_ta_func_t *const tc_ta_family_price[] = {
    &f_avgdev, &f_avgprice, &f_medprice, &f_typprice, &f_wclprice, NULL,
};
