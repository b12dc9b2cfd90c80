/* synth.h — the seeded synthetic market: several symbols of trades and quotes with
 * volatility regimes, jumps, a slowly varying drift (so returns are weakly predictable,
 * as in real markets at some horizons) and widening spreads in stressed regimes.  The
 * same seed and options give the same ticks, bit for bit: it is the embedded default
 * source of the demo and the tests. */
#ifndef TC_INGEST_SYNTH_H
#define TC_INGEST_SYNTH_H

#include <stdint.h>

#include "ingest/symbols.h"
#include "shm/records.h"

#define TC_SYNTH_SYMBOLS_MAX 16

typedef struct tc_synth_opts {
    uint64_t seed;
    int n_symbols;                       /* 1..TC_SYNTH_SYMBOLS_MAX */
    const char *symbols[TC_SYNTH_SYMBOLS_MAX]; /* names; known ones get realistic scales */
    double events_per_sec;               /* per symbol, on the event clock (default 50) */
    int64_t start_ns;                    /* event time of the start (default 2024-01-02 00:00 UTC) */
    double quote_share;                  /* share of events that are quotes (default 0.7) */
} tc_synth_opts_t;

typedef struct tc_synth tc_synth_t;

/* NULL with TC_ERR on bad options.  The only allocation. */
tc_synth_t *tc_synth_create(const tc_synth_opts_t *o);
void tc_synth_destroy(tc_synth_t *s);
/* Fills out[0..max) with the next ticks in event-time order; returns max.  Can't fail. */
int tc_synth_next(tc_synth_t *s, tc_tick_t *out, int max);
/* Symbol i's table entry (sym ids in ticks are 0..n_symbols-1). */
const tc_symbol_t *tc_synth_symbol(const tc_synth_t *s, int i);
int tc_synth_count(const tc_synth_t *s);
/* Regime of symbol i now: 0 calm, 1 volatile (for tests). */
int tc_synth_regime(const tc_synth_t *s, int i);

#endif
