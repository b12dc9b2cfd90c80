/* clean.h — tick cleaning for one symbol: every rule has an action (keep and count,
 * flag, or drop) and every hit is counted by reason.  Rules: out-of-order event times,
 * duplicate or backwards trade ids, crossed and locked quotes, non-positive prices,
 * zero sizes, source-flagged (suspicious) ticks, gaps (reported with their length,
 * never filled), and a streaming robust outlier filter (rolling median / MAD).
 *
 * The outlier filter must tell a bad print from a genuine jump (the payrolls release
 * moves EUR/USD 33 pips in one tick).  It therefore looks `confirm` ticks ahead: a
 * tick far from the rolling median is an outlier only if the ticks after it go back
 * towards the old level; if they stay near it, the level has moved and it is kept.
 * So with the filter on, ticks leave tc_clean_push `confirm` ticks late (flush at the
 * end).  Configuration is per symbol: one tc_clean_t per symbol. */
#ifndef TC_INGEST_CLEAN_H
#define TC_INGEST_CLEAN_H

#include <stdint.h>

#include "shm/records.h"

enum tc_clean_reason {
    TC_CLEAN_OUT_OF_ORDER = 0, /* event time before the previous tick of the same kind class */
    TC_CLEAN_DUP_SEQ,          /* trade id equal to or below the previous trade id */
    TC_CLEAN_CROSSED,          /* two-sided quote with bid > ask */
    TC_CLEAN_LOCKED,           /* bid == ask */
    TC_CLEAN_NONPOS_PRICE,     /* a price <= 0 where one is required */
    TC_CLEAN_ZERO_SIZE,        /* a trade of size 0 */
    TC_CLEAN_SUSPICIOUS,       /* the source flagged the tick (TC_TICK_SUSPICIOUS) */
    TC_CLEAN_OUTLIER,          /* the robust filter's verdict */
    TC_CLEAN_GAP,              /* time since the previous tick above gap_ns (report only) */
    TC_CLEAN_REASON_MAX
};

enum tc_clean_action {
    TC_CLEAN_KEEP = 0, /* count only */
    TC_CLEAN_FLAG = 1, /* count, keep, and set the matching TC_TICK_* flag where one exists */
    TC_CLEAN_DROP = 2, /* count and drop */
};

#define TC_CLEAN_WINDOW_MAX 4096
#define TC_CLEAN_CONFIRM_MAX 32
#define TC_CLEAN_TOP_GAPS 8

typedef struct tc_clean_cfg {
    uint8_t action[TC_CLEAN_REASON_MAX]; /* enum tc_clean_action; GAP is always report-only */
    int64_t gap_ns;         /* report gaps longer than this (0: off) */
    int window;             /* outlier filter: ticks in the rolling window (0: filter off) */
    int confirm;            /* ticks looked ahead to tell a level shift from a bad print (>= 1) */
    double k;               /* threshold in robust sigmas (1.4826 * MAD) */
    double min_rel;         /* floor of the robust sigma, relative to the median (flat markets) */
} tc_clean_cfg_t;

typedef struct tc_clean_gap {
    int64_t from, to; /* event times of the ticks around the gap */
} tc_clean_gap_t;

typedef struct tc_clean_stats {
    uint64_t in, out, dropped;
    uint64_t hits[TC_CLEAN_REASON_MAX];    /* ticks that matched each rule */
    uint64_t dropped_by[TC_CLEAN_REASON_MAX];
    uint64_t gaps;                         /* = hits[TC_CLEAN_GAP] */
    tc_clean_gap_t top_gaps[TC_CLEAN_TOP_GAPS]; /* the longest gaps, longest first */
    int n_top_gaps;
} tc_clean_stats_t;

typedef struct tc_clean tc_clean_t;

/* Defaults: drop out-of-order, duplicate ids and non-positive prices; flag crossed,
 * locked, zero sizes and outliers; keep suspicious (counted); gaps over 60 s; filter
 * window 200, confirm 5, k 10, min_rel 1e-4 (one basis point).  This function can't fail. */
void tc_clean_cfg_default(tc_clean_cfg_t *cfg);

/* Applies "key=value,key=value" to cfg: keys out_of_order, dup_seq, crossed, locked,
 * nonpos_price, zero_size, suspicious, outlier (keep|flag|drop), gap (seconds, 0 off),
 * window, confirm, k, min_rel.  Returns 0, or -EINVAL naming the bad item (cfg may be
 * partly updated). */
int tc_clean_cfg_parse(tc_clean_cfg_t *cfg, const char *spec);

/* Allocates a cleaner (all memory here; nothing is allocated per tick).  NULL with the
 * reason on the error stack for a bad configuration. */
tc_clean_t *tc_clean_create(const tc_clean_cfg_t *cfg);
/* tc_clean_destroy(NULL) does nothing. */
void tc_clean_destroy(tc_clean_t *c);

/* Takes one tick and writes the ticks released by it (0 or 1) into out; returns how
 * many.  Released ticks keep their order; with the outlier filter on they lag by
 * cfg.confirm ticks.  This function can't fail. */
int tc_clean_push(tc_clean_t *c, const tc_tick_t *in, tc_tick_t *out);

/* Releases the ticks held back by the filter (at most cfg.confirm) into out[0..max);
 * returns how many.  Call at the end of the stream. */
int tc_clean_flush(tc_clean_t *c, tc_tick_t *out, int max);

/* Counters so far.  Borrowed; valid until tc_clean_destroy. */
const tc_clean_stats_t *tc_clean_stats(const tc_clean_t *c);
/* "out_of_order", "dup_seq", ... (static). */
const char *tc_clean_reason_name(int reason);

/* The current rolling median and robust sigma of the filter (NaN before it has data);
 * for reports and tests. */
double tc_clean_median(const tc_clean_t *c);
double tc_clean_sigma(tc_clean_t *c);

#endif
