/* ta_cycle.c — TA-Lib cycle functions as streaming indicators (features/ta.h). */
#include "features/ta.h"

const tc_ta_func_t *const tc_ta_family_cycle[] = {
    NULL,
};
