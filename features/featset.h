/* featset.h — feature sets: a configured list of features computed per symbol on each
 * closed bar, assembled into the fixed-size tc_feat_t record, and the streaming z-score
 * scaler whose parameters travel with a model.
 *
 * A feature list is comma-separated items:
 *   FUNC[(Name=Value,...)][[output]][~transform]   a TA-Lib function of the catalog
 *   logret | range | vwap_dev | imbalance | log_volume | trades | spread | quote_imbalance
 * e.g. "logret,RSI(TimePeriod=14),BBANDS(TimePeriod=20)[upperband]~rel,MACD[macdhist]~norm".
 * TA inputs map from the bar as FUNCTIONS.md says (inReal = close; inReal0/inReal1 =
 * high/low; price inputs by name).  Transforms make price-scaled outputs comparable
 * across symbols: ~rel = value/close - 1, ~norm = value/close.
 * "default" names the default set (tc_featset_default()).
 */
#ifndef TC_FEATURES_FEATSET_H
#define TC_FEATURES_FEATSET_H

#include <stdint.h>

#include "features/bars.h"
#include "features/ta.h"
#include "shm/records.h"

/* Symbols one features pipeline tracks (ids of the instance symbol table). */
#define TC_SYMBOLS_MAX_FEATURES 1024

enum tc_feat_kind { TC_FEAT_TA = 1, TC_FEAT_BAR = 2 };
enum tc_feat_xform { TC_XFORM_NONE = 0, TC_XFORM_REL = 1, TC_XFORM_NORM = 2 };

typedef struct tc_feat_spec {
    char name[96];   /* canonical text of the item */
    int kind;        /* enum tc_feat_kind */
    const tc_ta_func_t *f;
    double p[TC_TA_MAX_PARAM];
    int out;         /* output index */
    int in_col[TC_TA_MAX_IN]; /* bar column per TA input (enum in featset.c) */
    int bar_feat;    /* TC_FEAT_BAR: which */
    int xform;
} tc_feat_spec_t;

typedef struct tc_featset {
    int n;
    int mode; /* TC_TA_MODE_* */
    tc_feat_spec_t spec[TC_FEAT_MAX];
} tc_featset_t;

/* The default feature list (>= 30 indicators). */
const char *tc_featset_default(void);
/* Parses a list ("default" or items); -EINVAL with TC_ERR naming the item. */
int tc_featset_parse(tc_featset_t *fs, const char *list, int mode);
/* Writes the canonical list back ("a,b,c"); returns the length or -ENOSPC. */
int tc_featset_format(const tc_featset_t *fs, char *buf, size_t len);
/* Longest lookback of the set, in bars. */
int tc_featset_lookback(const tc_featset_t *fs);

/* Quote state at a bar's close (for spread and quote_imbalance); zeros when none. */
typedef struct tc_quote_state {
    double bid, ask, bid_size, ask_size;
} tc_quote_state_t;

/* Per-symbol computation: one TA instance per item.  create allocates everything;
 * update does not allocate. */
typedef struct tc_featcalc tc_featcalc_t;
tc_featcalc_t *tc_featcalc_create(const tc_featset_t *fs);
void tc_featcalc_destroy(tc_featcalc_t *fc);
void tc_featcalc_reset(tc_featcalc_t *fc);
/* One closed bar: writes fs->n values to out (NaN for items still in their lookback).
 * Returns 1 when every item is ready.  Can't fail. */
int tc_featcalc_update(tc_featcalc_t *fc, const tc_bar_t *bar, const tc_quote_state_t *q,
                       double *out);

/* ---- z-score scaler: fitted on a training window, then frozen ---- */
typedef struct tc_scaler {
    int n;
    uint64_t count;
    double shift[TC_FEAT_MAX];                 /* first row: fitting works on x - shift */
    double mean[TC_FEAT_MAX], m2[TC_FEAT_MAX]; /* Welford accumulators while fitting */
    double std[TC_FEAT_MAX];                   /* frozen: sample std (1 when ~0) */
    int frozen;
} tc_scaler_t;

void tc_scaler_init(tc_scaler_t *s, int n);
/* Adds one row (rows with a NaN are skipped and not counted). */
void tc_scaler_fit(tc_scaler_t *s, const double *row);
/* Freezes mean/std; -EINVAL if fewer than 2 rows were fitted. */
int tc_scaler_freeze(tc_scaler_t *s);
/* out = (row - mean) / std, as float for the networks.  The scaler must be frozen. */
void tc_scaler_apply(const tc_scaler_t *s, const double *row, float *out);

#endif
