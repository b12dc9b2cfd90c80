/* fmt_binance.c — raw Binance websocket captures, "<local_ns> <json>" per line, usually
 * gzip-compressed (shared tick README format E; docs/FORMATS.md "Importing CSV and
 * capture formats").  Trades (`@trade`) become TRADE ticks with the trade time T as
 * event time and local_ns as receive time; best bid/offer updates (`@bookTicker`)
 * become QUOTE ticks dated by local_ns alone, since spot bookTicker carries no exchange
 * time (a futures bookTicker's T is used when present).  Depth diffs and the REST depth
 * snapshot are skipped and counted: they are book state, not ticks.
 *
 * The JSON scanner is purpose-built: it validates the whole line (strings with escapes,
 * numbers, literals, nesting up to 32 levels) without allocating, and records the
 * values of the few keys the messages need.  Unknown keys are ignored. */
#include <stdio.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "ingest/import_int.h"

enum { BINANCE_MAX_LINE = 4 << 20, JSON_DEPTH_MAX = 32 };

typedef struct jv {
    const char *s; /* strings: the raw text between the quotes; others: the token */
    int len;
    char type;     /* 's' string, 'n' number, 't' true, 'f' false, 'z' null, 'o' object, 'a' array; 0 absent */
} jv_t;

static void ws(const char **p, const char *e)
{
    while (*p < e && (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n'))
        (*p)++;
}

static int j_string(const char **pp, const char *e, jv_t *v)
{
    const char *p = *pp + 1; /* after the opening quote */
    const char *s = p;
    while (p < e && *p != '"') {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20)
            return -1;
        if (c == '\\') {
            if (++p >= e)
                return -1;
            if (*p == 'u') {
                if (e - p < 5)
                    return -1;
                for (int i = 1; i <= 4; i++) {
                    unsigned h = (unsigned char)p[i];
                    if (!((h - '0') < 10 || ((h | 0x20) - 'a') < 6))
                        return -1;
                }
                p += 4;
            } else if (!strchr("\"\\/bfnrt", *p)) {
                return -1;
            }
        }
        p++;
    }
    if (p >= e)
        return -1;
    v->s = s;
    v->len = (int)(p - s);
    v->type = 's';
    *pp = p + 1;
    return 0;
}

static int j_number(const char **pp, const char *e, jv_t *v)
{
    const char *p = *pp, *s = p;
    if (p < e && *p == '-')
        p++;
    if (p >= e || (unsigned)(*p - '0') >= 10)
        return -1;
    if (*p == '0')
        p++;
    else
        while (p < e && (unsigned)(*p - '0') < 10)
            p++;
    if (p < e && *p == '.') {
        p++;
        if (p >= e || (unsigned)(*p - '0') >= 10)
            return -1;
        while (p < e && (unsigned)(*p - '0') < 10)
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || (unsigned)(*p - '0') >= 10)
            return -1;
        while (p < e && (unsigned)(*p - '0') < 10)
            p++;
    }
    v->s = s;
    v->len = (int)(p - s);
    v->type = 'n';
    *pp = p;
    return 0;
}

static int j_value(const char **pp, const char *e, int depth, jv_t *v);

/* Next member of an object whose '{' has been consumed (*first set on entry).  Returns
 * 1 with key and value, 0 at '}', -1 on bad JSON. */
static int j_member(const char **pp, const char *e, int depth, int *first, jv_t *key, jv_t *val)
{
    ws(pp, e);
    if (*pp < e && **pp == '}' && *first) {
        (*pp)++;
        return 0;
    }
    if (!*first) {
        if (*pp < e && **pp == '}') {
            (*pp)++;
            return 0;
        }
        if (*pp >= e || **pp != ',')
            return -1;
        (*pp)++;
        ws(pp, e);
    }
    *first = 0;
    if (*pp >= e || **pp != '"' || j_string(pp, e, key) < 0)
        return -1;
    ws(pp, e);
    if (*pp >= e || **pp != ':')
        return -1;
    (*pp)++;
    return j_value(pp, e, depth + 1, val) < 0 ? -1 : 1;
}

static int j_value(const char **pp, const char *e, int depth, jv_t *v)
{
    if (depth > JSON_DEPTH_MAX)
        return -1;
    ws(pp, e);
    if (*pp >= e)
        return -1;
    const char *s = *pp;
    switch (*s) {
    case '"':
        return j_string(pp, e, v);
    case '{': {
        (*pp)++;
        int first = 1, r;
        jv_t k, x;
        while ((r = j_member(pp, e, depth, &first, &k, &x)) == 1)
            ;
        if (r < 0)
            return -1;
        break;
    }
    case '[': {
        (*pp)++;
        ws(pp, e);
        if (*pp < e && **pp == ']') {
            (*pp)++;
            break;
        }
        for (;;) {
            jv_t x;
            if (j_value(pp, e, depth + 1, &x) < 0)
                return -1;
            ws(pp, e);
            if (*pp < e && **pp == ',') {
                (*pp)++;
                continue;
            }
            if (*pp < e && **pp == ']') {
                (*pp)++;
                break;
            }
            return -1;
        }
        break;
    }
    case 't':
        if (e - s < 4 || memcmp(s, "true", 4))
            return -1;
        *pp += 4;
        v->type = 't';
        v->s = s;
        v->len = 4;
        return 0;
    case 'f':
        if (e - s < 5 || memcmp(s, "false", 5))
            return -1;
        *pp += 5;
        v->type = 'f';
        v->s = s;
        v->len = 5;
        return 0;
    case 'n':
        if (e - s < 4 || memcmp(s, "null", 4))
            return -1;
        *pp += 4;
        v->type = 'z';
        v->s = s;
        v->len = 4;
        return 0;
    default:
        return j_number(pp, e, v);
    }
    v->type = *s == '{' ? 'o' : 'a';
    v->s = s;
    v->len = (int)(*pp - s);
    return 0;
}

/* The single-letter keys of an object value, by letter.  -1 on bad JSON. */
static int j_letters(const jv_t *obj, jv_t d[128])
{
    memset(d, 0, 128 * sizeof *d);
    const char *p = obj->s + 1, *e = obj->s + obj->len;
    int first = 1, r;
    jv_t k, v;
    while ((r = j_member(&p, e, 1, &first, &k, &v)) == 1)
        if (k.len == 1 && (unsigned char)k.s[0] < 128)
            d[(unsigned char)k.s[0]] = v;
    return r;
}

static int jv_is(const jv_t *v, const char *lit)
{
    size_t n = strlen(lit);
    return v->type == 's' && (size_t)v->len == n && !memcmp(v->s, lit, n);
}

static int ends_with(const jv_t *v, const char *lit)
{
    size_t n = strlen(lit);
    return v->type == 's' && (size_t)v->len >= n && !memcmp(v->s + v->len - n, lit, n);
}

static int setup(tc_import_t *im)
{
    /* The symbol is in every message ("s":"BTCUSDT"); the name gives it too, and the
     * options beat both. */
    if (!im->sym_set) {
        size_t span = (size_t)(im->end - im->buf);
        if (span > 65536)
            span = 65536;
        const char *k = memmem(im->buf, span, "\"s\":\"", 5);
        if (k) {
            k += 5;
            const char *q = memchr(k, '"', (size_t)(im->end - k));
            if (q && q - k > 0 && q - k < TC_SYMBOL_NAME_MAX) {
                memcpy(im->sym.name, k, (size_t)(q - k));
                im->sym.name[q - k] = 0;
            }
        }
    }
    tc_import_sym_default(im, "binance", "UTC", TC_ASSET_CRYPTO);
    return 0;
}

static int dec_str(tc_import_t *im, const jv_t *v, char key, int64_t *m, int *e)
{
    if (v->type != 's' && v->type != 'n')
        return tc_import_rej(im, TC_IMPORT_REJ_JSON, "no '%c' in the message", key);
    if (tc_dec_parse(v->s, v->s + v->len, m, e) < 0 || *m < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad '%c' value '%.*s'", key, v->len < 40 ? v->len : 40, v->s);
    return 0;
}

static int int_num(tc_import_t *im, const jv_t *v, char key, int64_t *ret)
{
    if (v->type != 'n')
        return tc_import_rej(im, TC_IMPORT_REJ_JSON, "no integer '%c' in the message", key);
    if (tc_dec_parse_int(v->s, v->s + v->len, ret) < 0 || *ret < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad '%c' value '%.*s'", key, v->len < 40 ? v->len : 40, v->s);
    return 0;
}

static int row(tc_import_t *im, const char *s, const char *e, tc_tick_t *t)
{
    const char *sp = s;
    while (sp < e && *sp != ' ')
        sp++;
    int64_t local_ns;
    if (sp == e || tc_dec_parse_int(s, sp, &local_ns) < 0 || local_ns < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_TIME, "bad capture time '%.*s' (ns, then one space)",
                             (int)(sp - s) < 40 ? (int)(sp - s) : 40, s);
    const char *p = sp + 1;
    jv_t top;
    if (j_value(&p, e, 0, &top) < 0 || top.type != 'o')
        return tc_import_rej(im, TC_IMPORT_REJ_JSON, "bad JSON at byte %lld of the line",
                             (long long)(p - s) + 1);
    ws(&p, e);
    if (p != e)
        return tc_import_rej(im, TC_IMPORT_REJ_JSON, "text after the JSON object at byte %lld",
                             (long long)(p - s) + 1);
    /* the top-level keys that classify the message */
    jv_t stream = {0}, data = {0}, k, v;
    int snapshot = 0, first = 1, r;
    const char *q = top.s + 1, *qe = top.s + top.len;
    while ((r = j_member(&q, qe, 1, &first, &k, &v)) == 1) {
        if (k.len == 6 && !memcmp(k.s, "stream", 6))
            stream = v;
        else if (k.len == 4 && !memcmp(k.s, "data", 4))
            data = v;
        else if (k.len == 12 && !memcmp(k.s, "lastUpdateId", 12))
            snapshot = 1;
    }
    if (!stream.type && snapshot)
        return TC_ROW_SKIP(TC_IMPORT_SKIP_SNAPSHOT);
    if (!data.type)
        data = top; /* a raw (not combined) stream message */
    if (data.type != 'o')
        return tc_import_rej(im, TC_IMPORT_REJ_JSON, "'data' is not an object");
    jv_t d[128];
    if (j_letters(&data, d) < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_JSON, "bad JSON in 'data'");
    int is_trade, is_book;
    if (stream.type) {
        is_trade = ends_with(&stream, "@trade");
        is_book = ends_with(&stream, "@bookTicker");
        if (!is_trade && !is_book) {
            if (jv_is(&d['e'], "depthUpdate"))
                return TC_ROW_SKIP(TC_IMPORT_SKIP_DEPTH);
            return TC_ROW_SKIP(TC_IMPORT_SKIP_STREAM);
        }
    } else {
        is_trade = jv_is(&d['e'], "trade");
        is_book = jv_is(&d['e'], "bookTicker") ||
                  (!d['e'].type && d['u'].type && d['b'].type && d['a'].type);
        if (jv_is(&d['e'], "depthUpdate"))
            return TC_ROW_SKIP(TC_IMPORT_SKIP_DEPTH);
        if (!is_trade && !is_book)
            return TC_ROW_SKIP(TC_IMPORT_SKIP_STREAM);
    }
    memset(t, 0, sizeof *t);
    t->ts_recv = local_ns;
    if (is_trade) {
        int64_t px, qty, tt, id;
        int pe, xe;
        if ((r = dec_str(im, &d['p'], 'p', &px, &pe)) < 0 || (r = dec_str(im, &d['q'], 'q', &qty, &xe)) < 0 ||
            (r = int_num(im, &d['T'], 'T', &tt)) < 0 || (r = int_num(im, &d['t'], 't', &id)) < 0)
            return r;
        if (d['m'].type != 't' && d['m'].type != 'f')
            return tc_import_rej(im, TC_IMPORT_REJ_JSON, "no boolean 'm' in the trade");
        if (tt > INT64_MAX / TC_NS_MS)
            return tc_import_rej(im, TC_IMPORT_REJ_TIME, "trade time out of range");
        t->kind = TC_TICK_TRADE;
        t->ts_event = tt * TC_NS_MS;
        t->trade.price = px;
        t->trade.size = qty;
        t->trade.id = id;
        t->px_exp = (int8_t)pe;
        t->qty_exp = (int8_t)xe;
        /* m: the buyer was the maker, so the aggressor sold */
        t->flags |= d['m'].type == 't' ? TC_TICK_SIDE_SELL : TC_TICK_SIDE_BUY;
        if (qty == 0)
            t->flags |= TC_TICK_NO_VOLUME;
        return TC_ROW_TICK;
    }
    int64_t bp, bq, ap, aq, u = 0;
    int ebp, ebq, eap, eaq;
    if ((r = dec_str(im, &d['b'], 'b', &bp, &ebp)) < 0 || (r = dec_str(im, &d['B'], 'B', &bq, &ebq)) < 0 ||
        (r = dec_str(im, &d['a'], 'a', &ap, &eap)) < 0 || (r = dec_str(im, &d['A'], 'A', &aq, &eaq)) < 0)
        return r;
    if (d['u'].type && (r = int_num(im, &d['u'], 'u', &u)) < 0)
        return r;
    if (tc_dec_align2(&bp, &ebp, &ap, &eap) < 0 || tc_dec_align2(&bq, &ebq, &aq, &eaq) < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "price or size out of range");
    t->ts_event = local_ns;
    if (d['T'].type == 'n') { /* futures bookTicker carries the exchange time */
        int64_t tt;
        if ((r = int_num(im, &d['T'], 'T', &tt)) < 0)
            return r;
        t->ts_event = tt * TC_NS_MS;
    }
    t->kind = TC_TICK_QUOTE;
    t->quote.bid = bp;
    t->quote.ask = ap;
    t->quote.bid_size = bq;
    t->quote.ask_size = aq;
    t->quote.id = u;
    t->px_exp = (int8_t)ebp;
    t->qty_exp = (int8_t)ebq;
    tc_import_quote_flags(t);
    return TC_ROW_TICK;
}

const tc_import_fmt_t tc_fmt_binance_ws = {"binance-ws", setup, row, BINANCE_MAX_LINE};
