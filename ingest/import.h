/* import.h — importers for the recorded tick formats of the shared data README (formats
 * A–J: Lean FX/CFD/equity/futures ticks and daily bars, TrueFX, HistData, tardis.dev,
 * raw Binance websocket captures, Yahoo daily bars) and the canonical text form
 * written by tc_import_text_fmt.  docs/FORMATS.md, "Importing CSV and capture
 * formats", is the reference.
 *
 *     tc_import_opts_t o = {0};
 *     tc_import_t *im = tc_import_open("fx_fxcm_eurusd_quotes_20140502.csv", &o);
 *     if (!im) die(tc_err_msg());
 *     tc_tick_t buf[4096];
 *     int n;
 *     while ((n = tc_import_read(im, buf, 4096)) > 0) consume(buf, n);
 *     tc_import_close(im);
 *
 * A bad row never stops an import: it is rejected, counted by reason, and the first
 * message of each reason (naming file:line) is kept in the stats.  Only I/O failure,
 * an unknown format or an undecodable gzip stream is fatal.
 */
#ifndef TC_INGEST_IMPORT_H
#define TC_INGEST_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/symbols.h"
#include "shm/records.h"

typedef struct tc_import_opts {
    const char *format;    /* NULL: detect from content and name; else a tc_import_formats() name */
    const char *symbol;    /* override the symbol from the file name */
    const char *venue;     /* override */
    int date;              /* YYYYMMDD override for formats whose date is in the name, 0 = from name */
    const char *tz;        /* override the source time zone ("UTC", "UTC-05", "America/New_York") */
    int nbbo;              /* equity one-sided quotes: 0 keep per exchange (BID/ASK ticks), 1 combine */
    int64_t nbbo_stale_ns; /* staleness window for the combined quote (0: 5 s) */
} tc_import_opts_t;

/* Why a row was rejected (malformed) — counted in tc_import_stats_t.rejects[]. */
enum tc_import_reject {
    TC_IMPORT_REJ_COLUMNS = 0, /* wrong column count */
    TC_IMPORT_REJ_NUMBER,      /* bad or out-of-range number */
    TC_IMPORT_REJ_TIME,        /* bad date/time field */
    TC_IMPORT_REJ_FIELD_LONG,  /* a field or a line longer than the format allows */
    TC_IMPORT_REJ_TRUNCATED,   /* last line cut short (no newline and incomplete) */
    TC_IMPORT_REJ_JSON,        /* bad or unexpected JSON in a capture line */
    TC_IMPORT_REJ_VALUE,       /* well-formed but meaningless (side "x", both sides set, ...) */
    TC_IMPORT_REJ_GZIP,        /* the gzip stream is damaged (the rows before it are kept) */
    TC_IMPORT_REJ_MAX
};

/* Why a line was skipped on purpose — counted in tc_import_stats_t.skips[]. */
enum tc_import_skip {
    TC_IMPORT_SKIP_HEADER = 0, /* header line */
    TC_IMPORT_SKIP_EMPTY,      /* empty line */
    TC_IMPORT_SKIP_DEPTH,      /* Binance depth diff (not a tick) */
    TC_IMPORT_SKIP_SNAPSHOT,   /* Binance REST depth snapshot */
    TC_IMPORT_SKIP_STREAM,     /* another stream or event type */
    TC_IMPORT_SKIP_MAX
};

#define TC_IMPORT_MSG_MAX 200

typedef struct tc_import_stats {
    uint64_t lines;          /* lines read, including header, skipped and rejected ones */
    uint64_t rows;           /* data rows (lines - skips) = ticks + rejected; damaged gzip
                              * data counts as one more line and one rejected row */
    uint64_t ticks;          /* ticks returned */
    uint64_t rejected;       /* sum of rejects[] */
    uint64_t skipped;        /* sum of skips[] */
    uint64_t rejects[TC_IMPORT_REJ_MAX];
    uint64_t skips[TC_IMPORT_SKIP_MAX];
    char reject_msg[TC_IMPORT_REJ_MAX][TC_IMPORT_MSG_MAX]; /* first message per reason ("" none) */
    /* what the ticks are */
    uint64_t trades, quotes, bids, asks, bars;
    /* quirks, counted on the ticks returned (kept, flagged) */
    uint64_t crossed;        /* two-sided quotes with bid > ask (TC_TICK_CROSSED) */
    uint64_t locked;         /* bid == ask (TC_TICK_LOCKED) */
    uint64_t no_volume;      /* zero-size prints (TC_TICK_NO_VOLUME) */
    uint64_t suspicious;     /* source-flagged rows (TC_TICK_SUSPICIOUS) */
    uint64_t same_ts;        /* ticks whose event time equals the previous tick's */
    uint64_t backwards;      /* ticks whose event time is before the previous tick's */
    uint64_t dup_adjacent;   /* rows byte-identical to the previous row (kept: real prints) */
    uint64_t nbbo_crossed;   /* combined quotes with best bid > best ask */
    uint64_t nbbo_locked;    /* combined quotes with best bid == best ask */
    uint64_t nbbo_one_sided; /* combined updates where only one side was fresh */
    int64_t first_ts, last_ts; /* event time of the first and last tick, UTC ns (0 if none) */
} tc_import_stats_t;

typedef struct tc_import tc_import_t;

/* Opens path (a plain file, or gzip by content) and detects or checks its format.
 * Returns NULL with the reason on the error stack (unreadable file, unknown format,
 * a date or symbol that the name does not give and the options do not override). */
tc_import_t *tc_import_open(const char *path, const tc_import_opts_t *o);

/* Same, over a caller-owned buffer (not copied: it must outlive the handle); name is
 * used for messages and for the symbol/date/venue rules of the file name. */
tc_import_t *tc_import_open_mem(const char *name, const void *buf, size_t len,
                                const tc_import_opts_t *o);

/* Fills out[0..max) with the next ticks in file order; returns the count, 0 at the end,
 * or a negative errno on a fatal error (never for a bad row: that is counted). */
int tc_import_read(tc_import_t *im, tc_tick_t *out, int max);

/* The symbol of the file: name, venue, source time zone, usual precision.  Borrowed;
 * valid until tc_import_close.  tc_tick_t.sym of every tick is 0. */
const tc_symbol_t *tc_import_symbol(const tc_import_t *im);

/* Counters so far (complete after tc_import_read returned 0).  Borrowed, as above. */
const tc_import_stats_t *tc_import_stats(const tc_import_t *im);

/* The format name in use ("lean-fx", ...).  Static string. */
const char *tc_import_format(const tc_import_t *im);

/* Closes and frees; tc_import_close(NULL) does nothing. */
void tc_import_close(tc_import_t *im);

/* Names of the formats accepted by opts.format, NULL-terminated.  Static. */
const char *const *tc_import_formats(void);

/* Human name of a reject / skip reason ("columns", "number", ..., "depth"). Static. */
const char *tc_import_reject_name(int reason);
const char *tc_import_skip_name(int reason);

/* ---- canonical text form ("tickcast-text"), for export → reparse ----------------------
 * One tick per line:  kind,ts_event,ts_recv,f0,f1,f2,f3,f4,flags,venue,cond
 * kind is T Q B A R; f0..f4 are the union's v[0..4] in its order for that kind
 * (trade: price,size,id,-,-; quote: bid,ask,bid_size,ask_size,id; bar: o,h,l,c,volume);
 * prices and sizes are decimals written with exactly -px_exp / -qty_exp decimals and
 * ids as integers, so reparsing gives back the same mantissas and exponents.  The
 * first line of a file is TC_IMPORT_TEXT_HEADER. */
#define TC_IMPORT_TEXT_HEADER "#tickcast-text v1 kind,ts_event,ts_recv,f0,f1,f2,f3,f4,flags,venue,cond"

/* Writes t as one line (with '\n') into buf; returns the length, or -ENOSPC if cap is
 * too small (256 bytes always suffice).  This function does not allocate. */
int tc_import_text_fmt(char *buf, size_t cap, const tc_tick_t *t);

#endif
