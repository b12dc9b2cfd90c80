/* fmt_lean.c — QuantConnect Lean tick and daily-bar CSVs (shared tick README formats A,
 * F, G, H and I; docs/FORMATS.md "Importing CSV and capture formats").
 *
 * Lean tick files carry no date: time is milliseconds since midnight of the date in
 * the file name, in the data time zone (FXCM UTC-05 fixed, OANDA UTC, US equities
 * America/New_York, COMEX UTC).  FX/CFD times may have up to 4 fractional digits of a
 * ms.  Equity prices are integer deci-cents (exponent -4); futures and FX prices are
 * decimals kept at the source's precision.  Sale/quote condition bitmasks are
 * hexadecimal and are folded into the TC_COND_* classes. */
#include <stdio.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "ingest/import_int.h"

enum { LEAN_MAX_LINE = 512 };

static int need_date(tc_import_t *im)
{
    if (!im->has_date)
        return TC_ERR(-EINVAL, "the date is not in the file name '%s' (give --date YYYYMMDD)",
                      im->base);
    return 0;
}

/* Wall time of a ms-since-midnight field → UTC ns, or a reject. */
static int lean_time(tc_import_t *im, const char *s, int len, int64_t *ret)
{
    int64_t ns;
    int r = tc_import_parse_ms(s, s + len, &ns);
    /* A day of wall clock at most; 25 h allows the autumn DST day. */
    if (r < 0 || ns >= 25 * 3600 * 1000000000LL)
        return tc_import_rej(im, TC_IMPORT_REJ_TIME, "bad time '%.*s' (ms since midnight)", len, s);
    *ret = tc_tz_local_to_utc(&im->tz, im->day_wall_ns + ns);
    return 0;
}

static int dec_field(tc_import_t *im, const char *what, const char *s, int len, int64_t *m, int *e)
{
    int r = tc_dec_parse(s, s + len, m, e);
    if (r < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad %s '%.*s'", what, len, s);
    return 0;
}

static int int_field(tc_import_t *im, const char *what, const char *s, int len, int64_t *v)
{
    int r = tc_dec_parse_int(s, s + len, v);
    if (r < 0 || *v < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad %s '%.*s'", what, len, s);
    return 0;
}

int tc_import_columns(tc_import_t *im, int got, int want)
{
    if (got < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_FIELD_LONG, "field longer than %d bytes", TC_FIELD_MAX);
    if (got > want)
        return tc_import_rej(im, TC_IMPORT_REJ_COLUMNS, "more than %d columns", want);
    return tc_import_rej(im, TC_IMPORT_REJ_COLUMNS, "%d columns, expected %d", got, want);
}

/* ---- A: FX / CFD quotes: time,bid,ask ----------------------------------------------- */

static int fx_setup(tc_import_t *im)
{
    int r = need_date(im);
    if (r < 0)
        return r;
    if (!im->tz_set) {
        if (!strcmp(im->venue_hint, "fxcm"))
            tc_import_sym_default(im, NULL, "UTC-05", 0);
        else if (!strcmp(im->venue_hint, "oanda"))
            tc_import_sym_default(im, NULL, "UTC", 0);
        else
            return TC_ERR(-EINVAL, "lean-fx: the data time zone depends on the venue, and "
                                   "'%s' names none (fxcm, oanda); give --tz", im->base);
    }
    tc_import_sym_default(im, NULL, NULL,
                          strstr(im->base, "cfd") || strcmp(im->venue_hint, "oanda") == 0 ? TC_ASSET_CFD
                                                                                         : TC_ASSET_FX);
    return 0;
}

static int fx_row_slow(tc_import_t *im, const char *s, const char *e, tc_tick_t *t)
{
    const char *f[4];
    int len[4], r;
    int nf = tc_import_split(s, e, f, len, 3);
    if (nf != 3)
        return tc_import_columns(im, nf, 3);
    int64_t ts, bid, ask;
    int eb, ea;
    if ((r = lean_time(im, f[0], len[0], &ts)) < 0 || (r = dec_field(im, "bid", f[1], len[1], &bid, &eb)) < 0 ||
        (r = dec_field(im, "ask", f[2], len[2], &ask, &ea)) < 0)
        return r;
    if (tc_dec_align2(&bid, &eb, &ask, &ea) < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bid/ask out of range");
    memset(t, 0, sizeof *t);
    t->ts_event = t->ts_recv = ts;
    t->kind = TC_TICK_QUOTE;
    t->quote.bid = bid;
    t->quote.ask = ask;
    t->px_exp = (int8_t)eb;
    tc_import_quote_flags(t);
    return TC_ROW_TICK;
}

/* The common case without a split pass; anything unusual goes to fx_row_slow. */
static int fx_row(tc_import_t *im, const char *s, const char *e, tc_tick_t *t)
{
    const char *p = s;
    int64_t ns, bid, ask;
    int eb, ea;
    if (tc_fast_ms(&p, e, &ns) != 1 || ns >= 25 * 3600 * 1000000000LL ||
        tc_fast_udec(&p, e, &bid, &eb) != 1 || tc_fast_udec(&p, e, &ask, &ea) != 0 ||
        tc_dec_align2(&bid, &eb, &ask, &ea) < 0)
        return fx_row_slow(im, s, e, t);
    memset(t, 0, sizeof *t);
    t->ts_event = t->ts_recv = tc_tz_local_to_utc(&im->tz, im->day_wall_ns + ns);
    t->kind = TC_TICK_QUOTE;
    t->quote.bid = bid;
    t->quote.ask = ask;
    t->px_exp = (int8_t)eb;
    tc_import_quote_flags(t);
    return TC_ROW_TICK;
}

const tc_import_fmt_t tc_fmt_lean_fx = {"lean-fx", fx_setup, fx_row, LEAN_MAX_LINE};

/* ---- F / H: trades: time,price,size,exchange,condition,suspicious ----------------------- */

/* Lean TradeConditionFlags → TC_COND_* classes. */
static uint8_t trade_cond(uint64_t c)
{
    uint8_t k = 0;
    if (c & 0x1)
        k |= TC_COND_REGULAR;
    if (c & 0x80000000u)
        k |= TC_COND_ODD_LOT;
    if (c & (0x2000 | 0x400)) /* ExtendedHours, FormT */
        k |= TC_COND_EXTENDED_HOURS;
    if (c & (0x40 | 0x80 | 0x100 | 0x1000000 | 0x4000000)) /* open/close/reopen, official */
        k |= TC_COND_OPEN_CLOSE;
    if (c & 0x20)
        k |= TC_COND_SWEEP;
    if (c & (0x800 | 0x4000)) /* Sold (late), OutOfSequence */
        k |= TC_COND_LATE;
    if (c & (0x200 | 0x100000 | 0x200000 | 0x2000000)) /* derivatively/average priced, cross, prior ref */
        k |= TC_COND_NON_PRICE;
    if (c & ~(uint64_t)(0x1 | 0x80000000u | 0x2000 | 0x400 | 0x40 | 0x80 | 0x100 | 0x1000000 |
                        0x4000000 | 0x20 | 0x800 | 0x4000 | 0x200 | 0x100000 | 0x200000 | 0x2000000))
        k |= TC_COND_OTHER;
    return k;
}

/* Lean QuoteConditionFlags → classes: Regular, Closing (8) and Opening (0x800). */
static uint8_t quote_cond(uint64_t c)
{
    uint8_t k = 0;
    if (c & 0x1)
        k |= TC_COND_REGULAR;
    if (c & (0x8 | 0x800))
        k |= TC_COND_OPEN_CLOSE;
    if (c & ~(uint64_t)(0x1 | 0x8 | 0x800))
        k |= TC_COND_OTHER;
    return k;
}

static int suspicious(tc_import_t *im, const char *s, int len, uint8_t *flags)
{
    if (len != 1 || (s[0] != '0' && s[0] != '1'))
        return tc_import_rej(im, TC_IMPORT_REJ_VALUE, "suspicious flag '%.*s' (0 or 1)", len, s);
    if (s[0] == '1')
        *flags |= TC_TICK_SUSPICIOUS;
    return 0;
}

static int equity_setup(tc_import_t *im)
{
    int r = need_date(im);
    if (r < 0)
        return r;
    tc_import_sym_default(im, "US", "America/New_York", TC_ASSET_EQUITY);
    im->sym.px_exp = -4;
    im->sym.tick_size = 100; /* one cent in deci-cents */
    im->sym.tick_exp = -4;
    return 0;
}

static int futures_setup(tc_import_t *im)
{
    int r = need_date(im);
    if (r < 0)
        return r;
    tc_import_sym_default(im, "COMEX", "UTC", TC_ASSET_FUTURE);
    return 0;
}

static int trade_row_slow(tc_import_t *im, const char *s, const char *e, tc_tick_t *t)
{
    const char *f[7];
    int len[7], r;
    int nf = tc_import_split(s, e, f, len, 6);
    if (nf != 6)
        return tc_import_columns(im, nf, 6);
    int64_t ts, px, sz;
    int pe = -4;
    uint64_t cond = 0;
    if ((r = lean_time(im, f[0], len[0], &ts)) < 0)
        return r;
    if (im->variant == 0) { /* equity: integer deci-cents */
        if ((r = int_field(im, "price", f[1], len[1], &px)) < 0)
            return r;
    } else if ((r = dec_field(im, "price", f[1], len[1], &px, &pe)) < 0) {
        return r;
    }
    if ((r = int_field(im, "size", f[2], len[2], &sz)) < 0)
        return r;
    if (len[4] && tc_dec_parse_hex(f[4], f[4] + len[4], &cond) < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad condition '%.*s' (hex)", len[4], f[4]);
    memset(t, 0, sizeof *t);
    if ((r = suspicious(im, f[5], len[5], &t->flags)) < 0)
        return r;
    if (im->variant == 0 && len[3] != 1)
        return tc_import_rej(im, TC_IMPORT_REJ_VALUE, "exchange '%.*s' is not one letter", len[3], f[3]);
    t->ts_event = t->ts_recv = ts;
    t->kind = TC_TICK_TRADE;
    t->trade.price = px;
    t->trade.size = sz;
    t->px_exp = (int8_t)pe;
    t->venue = len[3] == 1 ? (uint8_t)f[3][0] : 0;
    t->cond = trade_cond(cond);
    if (sz == 0)
        t->flags |= TC_TICK_NO_VOLUME;
    return TC_ROW_TICK;
}

static int equity_trades_setup(tc_import_t *im)
{
    im->variant = 0;
    return equity_setup(im);
}

static int futures_trades_setup(tc_import_t *im)
{
    im->variant = 1;
    return futures_setup(im);
}

/* The common case without a split pass; anything unusual goes to trade_row_slow. */
static int trade_row(tc_import_t *im, const char *s, const char *e, tc_tick_t *t)
{
    const char *p = s;
    int64_t ns, px, sz;
    int pe, se;
    if (tc_fast_ms(&p, e, &ns) != 1 || ns >= 25 * 3600 * 1000000000LL ||
        tc_fast_udec(&p, e, &px, &pe) != 1 || (im->variant == 0 && pe != 0) ||
        tc_fast_udec(&p, e, &sz, &se) != 1 || se != 0)
        return trade_row_slow(im, s, e, t);
    const char *x = p;
    while (p < e && *p != ',')
        p++;
    int xlen = (int)(p - x);
    if (p == e || (im->variant == 0 && xlen != 1) || xlen > TC_FIELD_MAX)
        return trade_row_slow(im, s, e, t);
    const char *c = ++p;
    uint64_t cond = 0;
    while (p < e && *p != ',') {
        unsigned h = (unsigned char)*p, d;
        if (h - '0' < 10)
            d = h - '0';
        else if ((h | 0x20) - 'a' < 6)
            d = (h | 0x20) - 'a' + 10;
        else
            return trade_row_slow(im, s, e, t);
        cond = cond << 4 | d;
        p++;
    }
    if (p - c > 16 || e - p != 2 || (p[1] != '0' && p[1] != '1'))
        return trade_row_slow(im, s, e, t);
    memset(t, 0, sizeof *t);
    t->ts_event = t->ts_recv = tc_tz_local_to_utc(&im->tz, im->day_wall_ns + ns);
    t->kind = TC_TICK_TRADE;
    t->trade.price = px;
    t->trade.size = sz;
    t->px_exp = (int8_t)(im->variant == 0 ? -4 : pe);
    t->venue = xlen == 1 ? (uint8_t)x[0] : 0;
    t->cond = trade_cond(cond);
    t->flags = (p[1] == '1' ? TC_TICK_SUSPICIOUS : 0) | (sz == 0 ? TC_TICK_NO_VOLUME : 0);
    return TC_ROW_TICK;
}

const tc_import_fmt_t tc_fmt_lean_equity_trades = {"lean-equity-trades", equity_trades_setup, trade_row,
                                                   LEAN_MAX_LINE};
const tc_import_fmt_t tc_fmt_lean_futures_trades = {"lean-futures-trades", futures_trades_setup,
                                                    trade_row, LEAN_MAX_LINE};

/* ---- G: one-sided equity quotes: time,bidpx,bidsz,askpx,asksz,exchange,cond,suspicious ---- */

static int quote_row(tc_import_t *im, const char *s, const char *e, tc_tick_t *t)
{
    const char *f[9];
    int len[9], r;
    int nf = tc_import_split(s, e, f, len, 8);
    if (nf != 8)
        return tc_import_columns(im, nf, 8);
    int64_t ts, bp, bs, ap, as;
    uint64_t cond;
    if ((r = lean_time(im, f[0], len[0], &ts)) < 0 || (r = int_field(im, "bid price", f[1], len[1], &bp)) < 0 ||
        (r = int_field(im, "bid size", f[2], len[2], &bs)) < 0 ||
        (r = int_field(im, "ask price", f[3], len[3], &ap)) < 0 ||
        (r = int_field(im, "ask size", f[4], len[4], &as)) < 0)
        return r;
    if (len[5] != 1)
        return tc_import_rej(im, TC_IMPORT_REJ_VALUE, "exchange '%.*s' is not one letter", len[5], f[5]);
    if (tc_dec_parse_hex(f[6], f[6] + len[6], &cond) < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad condition '%.*s' (hex)", len[6], f[6]);
    memset(t, 0, sizeof *t);
    if ((r = suspicious(im, f[7], len[7], &t->flags)) < 0)
        return r;
    t->ts_event = t->ts_recv = ts;
    t->px_exp = -4;
    t->venue = (uint8_t)f[5][0];
    t->cond = quote_cond(cond);
    t->quote.bid = bp;
    t->quote.bid_size = bs;
    t->quote.ask = ap;
    t->quote.ask_size = as;
    if (bp && !ap)
        t->kind = TC_TICK_BID;
    else if (ap && !bp)
        t->kind = TC_TICK_ASK;
    else if (ap && bp) {
        t->kind = TC_TICK_QUOTE;
        tc_import_quote_flags(t);
    } else
        return tc_import_rej(im, TC_IMPORT_REJ_VALUE, "quote with neither bid nor ask");
    return TC_ROW_TICK;
}

const tc_import_fmt_t tc_fmt_lean_equity_quotes = {"lean-equity-quotes", equity_setup, quote_row,
                                                   LEAN_MAX_LINE};

/* ---- I: daily bars: YYYYMMDD 00:00,open,high,low,close,volume (deci-cents) --------------- */

static int daily_setup(tc_import_t *im)
{
    /* Lean dates its US equity daily bars in the exchange time zone: a bar opens at
     * 00:00 New York on its date. */
    tc_import_sym_default(im, "US", "America/New_York", TC_ASSET_EQUITY);
    im->sym.px_exp = -4;
    return 0;
}

static int daily_row(tc_import_t *im, const char *s, const char *e, tc_tick_t *t)
{
    const char *f[7];
    int len[7], r;
    int nf = tc_import_split(s, e, f, len, 6);
    if (nf != 6)
        return tc_import_columns(im, nf, 6);
    int64_t days, v[5];
    if (len[0] != 14 || tc_date_parse_ymd8(f[0], &days) < 0 || memcmp(f[0] + 8, " 00:00", 6) != 0)
        return tc_import_rej(im, TC_IMPORT_REJ_TIME, "bad date '%.*s' (YYYYMMDD 00:00)", len[0], f[0]);
    static const char *const what[5] = {"open", "high", "low", "close", "volume"};
    for (int i = 0; i < 5; i++)
        if ((r = int_field(im, what[i], f[1 + i], len[1 + i], &v[i])) < 0)
            return r;
    memset(t, 0, sizeof *t);
    t->ts_event = t->ts_recv = tc_tz_local_to_utc(&im->tz, days * TC_NS_DAY);
    t->kind = TC_TICK_BAR;
    t->px_exp = -4;
    memcpy(t->v, v, sizeof v);
    return TC_ROW_TICK;
}

const tc_import_fmt_t tc_fmt_lean_daily = {"lean-daily", daily_setup, daily_row, LEAN_MAX_LINE};
