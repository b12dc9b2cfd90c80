/* import_int.h — what import.c shares with the per-format row parsers (fmt_*.c).  Not a
 * public header: only ingest/import*.c and ingest/fmt_*.c include it. */
#ifndef TC_INGEST_IMPORT_INT_H
#define TC_INGEST_IMPORT_INT_H

#include <stdarg.h>

#include "ingest/decimal.h"
#include "ingest/import.h"
#include "ingest/nbbo.h"
#include "ingest/tz.h"

#define TC_NS_MS 1000000LL
#define TC_NS_DAY (86400LL * 1000000000LL)

/* A row parser's result: 1 = one tick written, TC_ROW_SKIP(reason), or a reject made
 * by tc_import_rej (negative). */
#define TC_ROW_TICK 1
#define TC_ROW_SKIP(r) (0x100 + (r))
#define TC_FIELD_MAX 64   /* longest CSV field any format has */
#define TC_FIELDS_MAX 16

typedef struct tc_import_fmt {
    const char *name;
    /* Called once the content is in memory: sets the time zone, symbol defaults and
     * variant; returns 0 or a negative errno with TC_ERR. */
    int (*setup)(tc_import_t *im);
    /* Parses the line [s, e) (no line terminator) into *t. */
    int (*row)(tc_import_t *im, const char *s, const char *e, tc_tick_t *t);
    int max_line; /* longer lines are rejected as TC_IMPORT_REJ_FIELD_LONG */
} tc_import_fmt_t;

struct tc_import {
    const tc_import_fmt_t *fmt;
    char path[512];
    char base[256];      /* file name without directories */
    char *own;           /* file or inflated content when owned */
    const char *buf, *end, *pos;
    uint64_t lineno;     /* of the line being parsed, 1-based */
    int last_unterminated; /* the line being parsed has no '\n' after it */
    tc_symbol_t sym;
    tc_import_stats_t st;
    tc_tz_t tz;
    int tz_set;          /* tz given by the options */
    int sym_set, venue_set; /* symbol / venue given by the options */
    int64_t day_wall_ns; /* the file-name date at 00:00, local wall clock as ns */
    int has_date;
    int variant;         /* format-specific */
    int nbbo_on;
    tc_nbbo_t *nbbo;
    int64_t prev_ts;
    const char *prev_line;
    size_t prev_len;
    int gz_broken;       /* inflate stopped on damaged data; reported after the last line */
    char gz_msg[TC_IMPORT_MSG_MAX];
    char venue_hint[32]; /* venue token found in the name ("fxcm") */
};

/* Records the first message for reason r ("<path>:<line>: <what>") and returns the
 * reject code for a row parser.  Counting is done by the caller. */
int tc_import_rej(tc_import_t *im, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Splits [s, e) at commas into at most max fields: f[i], len[i].  Returns the field
 * count (max + 1 when there are more), or -1 when a field is longer than TC_FIELD_MAX. */
static inline int tc_import_split(const char *s, const char *e, const char **f, int *len, int max)
{
    int n = 0;
    const char *p = s;
    for (;;) {
        const char *q = p;
        while (q < e && *q != ',')
            q++;
        if (n == max)
            return max + 1;
        if (q - p > TC_FIELD_MAX)
            return -1;
        f[n] = p;
        len[n] = (int)(q - p);
        n++;
        if (q == e)
            return n;
        p = q + 1;
    }
}

/* The reject for a split result nf != want (wrong count, or -1: a field too long). */
int tc_import_columns(tc_import_t *im, int got, int want);

/* Milliseconds since midnight with an optional fraction of up to 6 digits → ns;
 * -EINVAL / -ERANGE as tc_dec_parse. */
int tc_import_parse_ms(const char *s, const char *e, int64_t *ret_ns);

/* "YYYY-MM-DD[ T]HH:MM:SS[.f{1,9}][Z|+HH:MM|-HH:MM]" → UTC ns (a missing offset means
 * the import's time zone). */
int tc_import_parse_iso(tc_import_t *im, const char *s, const char *e, int64_t *ret_ns);

/* Fast-path field scanner: an unsigned decimal digits[.digits] (at most 18 digits in
 * all) ending at ',' or at e.  Returns 1 (ended at a comma, *pp past it), 0 (ended at
 * e), or -1 for anything else — the caller then re-parses the row on the slow path,
 * which names the error.  Only for rows that are far more often right than wrong. */
static inline int tc_fast_udec(const char **pp, const char *e, int64_t *ret_m, int *ret_exp)
{
    const char *p = *pp;
    uint64_t v = 0;
    int nd = 0, frac = -1;
    for (; p < e; p++) {
        unsigned d = (unsigned)(unsigned char)*p - '0';
        if (d < 10) {
            v = v * 10 + d;
            nd++;
            frac += frac >= 0;
        } else if (*p == '.' && frac < 0 && nd) {
            frac = 0;
        } else {
            break;
        }
    }
    if (!nd || nd > TC_DEC_DIGITS_MAX || frac == 0)
        return -1;
    *ret_m = (int64_t)v;
    *ret_exp = frac > 0 ? -frac : 0;
    if (p == e) {
        *pp = p;
        return 0;
    }
    if (*p != ',')
        return -1;
    *pp = p + 1;
    return 1;
}

/* Fast path for ms-since-midnight (digits[.up to 6 digits]) → ns; same contract. */
static inline int tc_fast_ms(const char **pp, const char *e, int64_t *ret_ns)
{
    int64_t m;
    int ex;
    int r = tc_fast_udec(pp, e, &m, &ex);
    if (r < 0 || ex < -6 || m > INT64_MAX / tc_pow10_i64[6 + ex])
        return -1;
    *ret_ns = m * tc_pow10_i64[6 + ex];
    return r;
}

/* Sets flags CROSSED/LOCKED on a two-sided quote. */
static inline void tc_import_quote_flags(tc_tick_t *t)
{
    if (t->quote.bid > t->quote.ask)
        t->flags |= TC_TICK_CROSSED;
    else if (t->quote.bid == t->quote.ask)
        t->flags |= TC_TICK_LOCKED;
}

/* Uses the name/venue/tz unless the options or the content already set them. */
void tc_import_sym_default(tc_import_t *im, const char *venue, const char *tz, int asset_class);

extern const tc_import_fmt_t tc_fmt_lean_fx, tc_fmt_lean_equity_trades, tc_fmt_lean_equity_quotes,
    tc_fmt_lean_futures_trades, tc_fmt_lean_daily, tc_fmt_truefx, tc_fmt_histdata,
    tc_fmt_tardis_trades, tc_fmt_tardis_quotes, tc_fmt_binance_ws, tc_fmt_yahoo_daily,
    tc_fmt_text;

#endif
