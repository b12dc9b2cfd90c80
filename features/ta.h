/* ta.h — the streaming TA-Lib catalog.
 *
 * Every TA-Lib function is a descriptor (tc_ta_func_t) plus a state object: one
 * update per bar, O(1) amortised in the period, no allocation after create.  Outputs
 * agree with TA-Lib's batch call over the same history (../shared/golden), bar by
 * bar, including the empty cells of the lookback.
 *
 * Inputs are passed in the order of the descriptor's in[] (TA-Lib names: "open",
 * "high", "low", "close", "volume" for price inputs; "inReal", "inReal0", "inReal1",
 * "inPeriods" for real series).  Outputs are doubles in the order of out[]; integer
 * outputs (candlesticks, indexes, trend mode) are exact integers in a double.
 *
 * A family file (ta_overlap.c, ta_momentum.c, ...) defines its functions and exports
 * one NULL-terminated table, listed in catalog.c.
 */
#ifndef TC_FEATURES_TA_H
#define TC_FEATURES_TA_H

#include <stddef.h>
#include <stdint.h>

#define TC_TA_MAX_IN 4
#define TC_TA_MAX_PARAM 8
#define TC_TA_MAX_OUT 3

typedef enum tc_ta_ptype {
    TC_TA_PARAM_INT,    /* integer (periods); the value must be integral */
    TC_TA_PARAM_REAL,   /* real (deviations, penetration, acceleration) */
    TC_TA_PARAM_MATYPE, /* MA type 0..8: SMA EMA WMA DEMA TEMA TRIMA KAMA MAMA T3 */
} tc_ta_ptype_t;

/* MA types, as TA_MAType */
enum tc_ma_type {
    TC_MA_SMA = 0, TC_MA_EMA, TC_MA_WMA, TC_MA_DEMA, TC_MA_TEMA,
    TC_MA_TRIMA, TC_MA_KAMA, TC_MA_MAMA, TC_MA_T3,
};

typedef struct tc_ta_param {
    const char *name; /* TA-Lib's name, as in functions.tsv: "TimePeriod" */
    tc_ta_ptype_t type;
    double def, min, max; /* TA-Lib's default and valid range */
} tc_ta_param_t;

/* Numeric modes for windowed statistics (docs/INDICATORS.md). */
enum tc_ta_mode {
    TC_TA_MODE_TALIB = 0,   /* reproduce TA-Lib, running-sum drift included */
    TC_TA_MODE_PRECISE = 1, /* within 1e-9 relative of an exact fresh-window computation */
};

typedef struct tc_ta_func {
    const char *name;  /* "MACD" */
    const char *group; /* "Momentum Indicators" */
    const char *doc;   /* one line */
    int n_in;
    const char *in[TC_TA_MAX_IN];
    int n_param;
    tc_ta_param_t param[TC_TA_MAX_PARAM];
    int n_out;
    const char *out[TC_TA_MAX_OUT]; /* golden column names: "macd", "macdsignal", ... */
    unsigned out_int;               /* bit i set: output i is an integer */

    /* p: one value per param[] (validated against the ranges before these are called) */
    int (*lookback)(const double *p);
    size_t (*state_size)(const double *p);
    /* Initialises caller-owned zeroed memory of state_size(p) bytes; returns 0 or -errno
     * with TC_ERR (for constraints between parameters). */
    int (*init)(void *st, const double *p, int mode);
    /* Consumes one bar.  Returns 1 when out[] holds valid outputs, 0 during the lookback
     * (out[] untouched).  Can't fail. */
    int (*update)(void *st, const double *in, double *out);
} tc_ta_func_t;

/* ---- catalog ---- */

/* Number of functions and the i-th one (in catalog order). */
int tc_ta_count(void);
const tc_ta_func_t *tc_ta_at(int i);
/* By name (case-insensitive); NULL if unknown. */
const tc_ta_func_t *tc_ta_find(const char *name);

/* Fills p[] with defaults, then applies "Name=Value" assignments from spec (separated
 * by spaces or commas; NULL or "" for defaults).  -EINVAL with TC_ERR naming the
 * parameter when a name is unknown, a value is not a number, not integral for an
 * integer parameter, or outside TA-Lib's range. */
int tc_ta_params_parse(const tc_ta_func_t *f, const char *spec, double *p);
/* Checks p[] against the ranges; -EINVAL with TC_ERR otherwise. */
int tc_ta_params_check(const tc_ta_func_t *f, const double *p);

/* ---- instances ---- */

typedef struct tc_ta tc_ta_t;

/* Creates an instance (p NULL for defaults); NULL with TC_ERR on a bad parameter.
 * The only allocation: one block of state. */
tc_ta_t *tc_ta_create(const tc_ta_func_t *f, const double *p, int mode);
void tc_ta_destroy(tc_ta_t *ta);
/* Restarts the instance from an empty history (same parameters).  Can't fail. */
void tc_ta_reset(tc_ta_t *ta);
/* One bar: returns 1 and fills out[] when ready, else 0. */
int tc_ta_update(tc_ta_t *ta, const double *in, double *out);
int tc_ta_lookback(const tc_ta_t *ta);
const tc_ta_func_t *tc_ta_func(const tc_ta_t *ta);
/* 1 once the instance has produced output. */
int tc_ta_ready(const tc_ta_t *ta);

#endif
