/* golden_cmp.c — the agreement rule of golden_cmp.h. */
#include "tests/common/golden_cmp.h"

#include <math.h>

int tc_golden_close_enough(double want, double got, int is_int, double *worst)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    if (isinf(want) || isinf(got))
        return want == got;
    if (is_int)
        return want == got;
    double diff = fabs(want - got);
    double scale = fmax(fabs(want), fabs(got));
    double rel = scale > 0 ? diff / scale : 0;
    if (diff > TC_GOLDEN_ABS_TOL && rel > *worst)
        *worst = rel;
    return diff <= TC_GOLDEN_ABS_TOL || rel <= TC_GOLDEN_REL_TOL;
}
