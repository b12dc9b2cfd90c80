/* stage.h — the tickcast-features stage: reads the ticks ring, builds bars per symbol,
 * computes the configured feature set on every closed bar and writes tc_feat_t records
 * to the features ring.  tc_features_* are also what backtests and training call. */
#ifndef TC_FEATURES_STAGE_H
#define TC_FEATURES_STAGE_H

#include "daemon/stage.h"
#include "features/featset.h"

extern const tc_stage_ops_t tc_features_stage;

/* The per-symbol pipeline from ticks to feature records, without rings: the stage, the
 * backtester and `tickcast train` feed it ticks and collect records. */
typedef struct tc_features tc_features_t;

typedef struct tc_features_opts {
    int bar_type;       /* enum tc_bar_type */
    double bar_size;
    const char *feature_list; /* "default" or a list (featset.h) */
    int mode;           /* TC_TA_MODE_* */
} tc_features_opts_t;

/* NULL with TC_ERR for a bad feature list or bar settings. */
tc_features_t *tc_features_create(const tc_features_opts_t *o);
void tc_features_destroy(tc_features_t *x);
const tc_featset_t *tc_features_set(const tc_features_t *x);
/* Price source of symbol sym (mids for FX/CFD quotes, trades otherwise); set before its
 * first tick, else trades. */
void tc_features_symbol_price(tc_features_t *x, uint16_t sym, int price_source);
/* Feeds one tick at ring position pos; closed bars become records in out[] (at most
 * max; the caller gives room for tc_features_max_out()).  Returns the count. */
int tc_features_tick(tc_features_t *x, const tc_tick_t *t, uint64_t pos, tc_feat_t *out, int max);
/* Closes every open bar (end of stream).  Returns the count written to out. */
int tc_features_flush(tc_features_t *x, uint64_t pos, tc_feat_t *out, int max);
int tc_features_max_out(const tc_features_t *x);

#endif
