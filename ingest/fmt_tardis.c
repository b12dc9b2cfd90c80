/* fmt_tardis.c — tardis.dev CSV trades and quotes (shared tick README format D;
 * docs/FORMATS.md "Importing CSV and capture formats").  Times are µs since the epoch,
 * UTC: `timestamp` (exchange) becomes ts_event and `local_timestamp` ts_recv.  Quotes
 * list the ask before the bid.  Trade ids are opaque strings at tardis; a numeric id is
 * kept in trade.id, any other id is recorded as 0.  Symbol and venue come from the
 * first data row unless the options override them. */
#include <stdio.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "ingest/import_int.h"

enum { TARDIS_MAX_LINE = 1024 };

static int setup(tc_import_t *im)
{
    /* The first data row (after the header) names the exchange and the symbol. */
    const char *p = memchr(im->buf, '\n', (size_t)(im->end - im->buf));
    if (p) {
        p++;
        const char *le = memchr(p, '\n', (size_t)(im->end - p));
        if (!le)
            le = im->end;
        const char *f[9];
        int len[9];
        int nf = tc_import_split(p, le, f, len, 8);
        if (nf == 8 && len[1] > 0 && len[1] < TC_SYMBOL_NAME_MAX && len[0] > 0 && len[0] < 16) {
            char tmp[TC_SYMBOL_NAME_MAX];
            memcpy(tmp, f[1], (size_t)len[1]);
            tmp[len[1]] = 0;
            /* content beats the file name; the options beat both */
            if (!im->sym_set)
                snprintf(im->sym.name, sizeof im->sym.name, "%s", tmp);
            if (!im->venue_set) {
                memcpy(im->sym.venue, f[0], (size_t)len[0]);
                im->sym.venue[len[0]] = 0;
            }
        }
    }
    tc_import_sym_default(im, NULL, "UTC", TC_ASSET_CRYPTO);
    return 0;
}

static int times(tc_import_t *im, const char **f, const int *len, tc_tick_t *t)
{
    int64_t ts, lts;
    if (tc_dec_parse_int(f[2], f[2] + len[2], &ts) < 0 || ts < 0 || ts > INT64_MAX / 1000)
        return tc_import_rej(im, TC_IMPORT_REJ_TIME, "bad timestamp '%.*s' (µs)", len[2], f[2]);
    if (tc_dec_parse_int(f[3], f[3] + len[3], &lts) < 0 || lts < 0 || lts > INT64_MAX / 1000)
        return tc_import_rej(im, TC_IMPORT_REJ_TIME, "bad local_timestamp '%.*s' (µs)", len[3], f[3]);
    t->ts_event = ts * 1000;
    t->ts_recv = lts * 1000;
    return 0;
}

static int num(tc_import_t *im, const char *what, const char *s, int len, int64_t *m, int *e)
{
    if (tc_dec_parse(s, s + len, m, e) < 0 || *m < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad %s '%.*s'", what, len, s);
    return 0;
}

static int trades_row(tc_import_t *im, const char *s, const char *e, tc_tick_t *t)
{
    if (im->lineno == 1 && e - s >= 8 && !memcmp(s, "exchange", 8))
        return TC_ROW_SKIP(TC_IMPORT_SKIP_HEADER);
    const char *f[9];
    int len[9], r;
    int nf = tc_import_split(s, e, f, len, 8);
    if (nf != 8)
        return tc_import_columns(im, nf, 8);
    memset(t, 0, sizeof *t);
    if ((r = times(im, f, len, t)) < 0)
        return r;
    int64_t px, sz, id = 0;
    int pe, qe;
    if ((r = num(im, "price", f[6], len[6], &px, &pe)) < 0 || (r = num(im, "amount", f[7], len[7], &sz, &qe)) < 0)
        return r;
    if (len[4] == 0)
        return tc_import_rej(im, TC_IMPORT_REJ_VALUE, "empty trade id");
    if (tc_dec_parse_int(f[4], f[4] + len[4], &id) < 0)
        id = 0; /* a UUID or other opaque id */
    if (len[5] == 3 && !memcmp(f[5], "buy", 3))
        t->flags |= TC_TICK_SIDE_BUY;
    else if (len[5] == 4 && !memcmp(f[5], "sell", 4))
        t->flags |= TC_TICK_SIDE_SELL;
    else if (!(len[5] == 7 && !memcmp(f[5], "unknown", 7)) && len[5] != 0)
        return tc_import_rej(im, TC_IMPORT_REJ_VALUE, "side '%.*s' (buy, sell or unknown)", len[5], f[5]);
    t->kind = TC_TICK_TRADE;
    t->trade.price = px;
    t->trade.size = sz;
    t->trade.id = id;
    t->px_exp = (int8_t)pe;
    t->qty_exp = (int8_t)qe;
    if (sz == 0)
        t->flags |= TC_TICK_NO_VOLUME;
    return TC_ROW_TICK;
}

static int quotes_row(tc_import_t *im, const char *s, const char *e, tc_tick_t *t)
{
    if (im->lineno == 1 && e - s >= 8 && !memcmp(s, "exchange", 8))
        return TC_ROW_SKIP(TC_IMPORT_SKIP_HEADER);
    const char *f[9];
    int len[9], r;
    int nf = tc_import_split(s, e, f, len, 8);
    if (nf != 8)
        return tc_import_columns(im, nf, 8);
    memset(t, 0, sizeof *t);
    if ((r = times(im, f, len, t)) < 0)
        return r;
    int64_t as, ap, bp, bs;
    int eas, eap, ebp, ebs;
    if ((r = num(im, "ask_amount", f[4], len[4], &as, &eas)) < 0 ||
        (r = num(im, "ask_price", f[5], len[5], &ap, &eap)) < 0 ||
        (r = num(im, "bid_price", f[6], len[6], &bp, &ebp)) < 0 ||
        (r = num(im, "bid_amount", f[7], len[7], &bs, &ebs)) < 0)
        return r;
    if (tc_dec_align2(&bp, &ebp, &ap, &eap) < 0 || tc_dec_align2(&bs, &ebs, &as, &eas) < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "price or amount out of range");
    t->kind = TC_TICK_QUOTE;
    t->quote.bid = bp;
    t->quote.ask = ap;
    t->quote.bid_size = bs;
    t->quote.ask_size = as;
    t->px_exp = (int8_t)ebp;
    t->qty_exp = (int8_t)ebs;
    tc_import_quote_flags(t);
    return TC_ROW_TICK;
}

const tc_import_fmt_t tc_fmt_tardis_trades = {"tardis-trades", setup, trades_row, TARDIS_MAX_LINE};
const tc_import_fmt_t tc_fmt_tardis_quotes = {"tardis-quotes", setup, quotes_row, TARDIS_MAX_LINE};
