/* ta_volatility.c — TA-Lib volatility functions as streaming indicators (features/ta.h). */
#include "features/ta.h"

const tc_ta_func_t *const tc_ta_family_volatility[] = {
    NULL,
};
