/* nbbo.h — an NBBO-like composite from one-sided per-exchange quotes (Lean equity
 * quote ticks, README format G).  Each exchange's latest bid and ask are carried
 * forward; the composite uses only those younger than a staleness window, since rows
 * never say when a quote is withdrawn.  A crossed or locked composite is flagged and
 * counted, never an error: with real per-exchange data it is common. */
#ifndef TC_INGEST_NBBO_H
#define TC_INGEST_NBBO_H

#include <stdint.h>

#include "shm/records.h"

typedef struct tc_nbbo_side {
    int64_t px, sz, ts; /* px at the book's exponent; ts 0 = never quoted */
} tc_nbbo_side_t;

typedef struct tc_nbbo {
    int64_t stale_ns;          /* a quote is fresh while now - ts < stale_ns */
    int px_exp, qty_exp, have_exp;
    tc_nbbo_side_t bid[256], ask[256]; /* by venue code */
    uint8_t seen[256];         /* venue codes quoted so far, in first-seen order */
    int nseen;
    uint64_t updates;          /* one-sided ticks applied */
    uint64_t crossed, locked;  /* composites with best bid > / == best ask */
    uint64_t one_sided;        /* composites with only one fresh side */
    uint64_t venue_crossed;    /* updates after which the venue's own bid > its own ask */
    uint64_t rejected;         /* ticks that were not BID/ASK or whose price did not fit */
} tc_nbbo_t;

/* Resets n; stale_ns <= 0 means no window (carry quotes forever).  Can't fail. */
void tc_nbbo_init(tc_nbbo_t *n, int64_t stale_ns);

/* Applies a one-sided tick (kind BID or ASK; venue, price, size at any exponent) and
 * writes the composite at the tick's event time into *out: a QUOTE with best bid/ask
 * and the summed sizes at those prices among fresh venues (flags CROSSED/LOCKED), or a
 * BID/ASK tick when only one side is fresh.  venue is 0 on the composite.  Returns 1,
 * or -EINVAL (counted in rejected) for another kind or a price that does not fit. */
int tc_nbbo_update(tc_nbbo_t *n, const tc_tick_t *in, tc_tick_t *out);

#endif
