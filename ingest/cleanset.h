/* cleanset.h — tick cleaning for a whole stream: one tc_clean_t per symbol (clean.h),
 * configured from the [ingest] keys, with per-symbol overrides.
 *
 * The spec (ingest.clean) is tc_clean_cfg_parse's "key=value,..." applied on top of the
 * defaults the other [ingest] keys give, then ";SYMBOL:key=value,..." segments for one
 * symbol each:  "zero_size=drop;BTCUSDT:window=500,k=20;SPY:outlier=keep".
 * The ingest stage and `tickcast import --clean` run every tick through it, so a stream
 * is cleaned the same way live and from a file.
 */
#ifndef TC_INGEST_CLEANSET_H
#define TC_INGEST_CLEANSET_H

#include "daemon/runtime/config.h"
#include "ingest/clean.h"
#include "shm/records.h"

typedef struct tc_cleanset tc_cleanset_t;

/* The base configuration of the [ingest] keys: outlier_window, outlier_mad_k (0: the
 * filter is off), crossed_policy, stale_gap; outliers dropped. */
void tc_cleanset_cfg_from_config(tc_clean_cfg_t *cfg, const tc_config_ingest_t *ic);

/* A cleaner for symbol ids 0..TC_SHM_SYMBOLS_MAX-1 (each created on its first tick);
 * names(id) gives a symbol's name for the per-symbol segments.  NULL with the reason
 * (the bad item of spec) on the error stack. */
tc_cleanset_t *tc_cleanset_create(const tc_clean_cfg_t *base, const char *spec,
                                  const char *(*names)(void *ctx, uint16_t id), void *ctx);
void tc_cleanset_destroy(tc_cleanset_t *cs);

/* Cleans n ticks in place: the ticks released (in order; held back ones come later)
 * are compacted to the front of t.  Returns how many; negative errno only when a
 * symbol's cleaner cannot be made (reason on the error stack).  Each released tick
 * that still waits in the outlier filter's look-ahead stays held. */
int tc_cleanset_push(tc_cleanset_t *cs, tc_tick_t *t, int n);
/* End of the stream: every held tick, into out[0..max); returns the count (call until
 * it returns 0). */
int tc_cleanset_flush(tc_cleanset_t *cs, tc_tick_t *out, int max);
/* Totals over every symbol (hits and drops by reason). */
void tc_cleanset_stats(const tc_cleanset_t *cs, tc_clean_stats_t *ret);

#endif
