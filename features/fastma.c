/* fastma.c — set-up of the inline SMA and EMA (features/fastma.h). */
#include "features/fastma.h"
#include "features/ma.h" /* TC_MA_PERIOD_MAX */
#include "daemon/runtime/err.h"

#include <string.h>

static int period_ok(int period) { return period >= 2 && period <= TC_MA_PERIOD_MAX; }

size_t tc_sma_size(int period)
{
    return period_ok(period) ? sizeof(tc_sma_t) + sizeof(double) * (size_t)period : 0;
}

int tc_sma_init(tc_sma_t *s, int period)
{
    if (!period_ok(period))
        return TC_ERR(-EINVAL, "SMA period %d is outside [2, %d]", period, TC_MA_PERIOD_MAX);
    memset(s, 0, tc_sma_size(period));
    s->period = period;
    return 0;
}

int tc_ema_init(tc_ema_t *e, int period)
{
    if (!period_ok(period))
        return TC_ERR(-EINVAL, "EMA period %d is outside [2, %d]", period, TC_MA_PERIOD_MAX);
    memset(e, 0, sizeof *e);
    e->period = period;
    e->k = 2.0 / ((double)(period + 1)); /* TA-Lib's PER_TO_K */
    return 0;
}
