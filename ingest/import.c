/* import.c — opening a recorded tick file, telling its format, and the line loop shared
 * by every importer: line splitting (\n or \r\n, last line with or without newline),
 * over-long lines, counting rejects and skips by reason with the first message of each
 * (file:line), and the quirk counters of tc_import_stats_t.  The formats themselves are
 * in fmt_*.c; the rules they follow are docs/FORMATS.md, "Importing CSV and capture
 * formats", which restates the shared tick README.
 *
 * The whole file is read into one buffer (or inflated into one, for gzip) at open, so
 * the row parsers scan memory with no per-row allocation or copy. */
#include "ingest/import.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "daemon/runtime/err.h"
#include "ingest/import_int.h"

static const tc_import_fmt_t *const formats[] = {
    &tc_fmt_lean_fx,        &tc_fmt_lean_equity_trades, &tc_fmt_lean_equity_quotes,
    &tc_fmt_lean_futures_trades, &tc_fmt_lean_daily,    &tc_fmt_truefx,
    &tc_fmt_histdata,       &tc_fmt_tardis_trades,      &tc_fmt_tardis_quotes,
    &tc_fmt_binance_ws,     &tc_fmt_yahoo_daily,        &tc_fmt_text,
};
#define N_FORMATS (sizeof formats / sizeof formats[0])

const char *const *tc_import_formats(void)
{
    static const char *names[N_FORMATS + 1];
    if (!names[0])
        for (size_t i = 0; i < N_FORMATS; i++)
            names[i] = formats[i]->name;
    return names;
}

const char *tc_import_reject_name(int r)
{
    static const char *const n[TC_IMPORT_REJ_MAX] = {
        "columns", "number", "time", "field-long", "truncated", "json", "value", "gzip"};
    return r >= 0 && r < TC_IMPORT_REJ_MAX ? n[r] : "?";
}

const char *tc_import_skip_name(int r)
{
    static const char *const n[TC_IMPORT_SKIP_MAX] = {"header", "empty", "depth", "snapshot",
                                                      "stream"};
    return r >= 0 && r < TC_IMPORT_SKIP_MAX ? n[r] : "?";
}

int tc_import_rej(tc_import_t *im, int r, const char *fmt, ...)
{
    char *m = im->st.reject_msg[r];
    if (!m[0]) {
        int k = snprintf(m, TC_IMPORT_MSG_MAX, "%s:%llu: ", im->path,
                         (unsigned long long)im->lineno);
        if (k > 0 && k < TC_IMPORT_MSG_MAX) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(m + k, TC_IMPORT_MSG_MAX - (size_t)k, fmt, ap);
            va_end(ap);
        }
    }
    return -(1 + r);
}

/* ---- shared field parsers ------------------------------------------------------------- */

int tc_import_parse_ms(const char *s, const char *e, int64_t *ret_ns)
{
    const char *dot = s;
    while (dot < e && *dot != '.')
        dot++;
    int64_t ms, frac = 0;
    int r = tc_dec_parse_int(s, dot, &ms);
    if (r < 0 || ms < 0)
        return r < 0 ? r : -EINVAL;
    if (dot < e) {
        int nd = (int)(e - dot - 1);
        /* ms → ns leaves 6 fractional digits; more would not be exact. */
        if (nd < 1 || nd > 6)
            return nd < 1 ? -EINVAL : -ERANGE;
        r = tc_dec_parse_int(dot + 1, e, &frac);
        if (r < 0 || dot[1] == '-')
            return -EINVAL;
        frac *= tc_pow10_i64[6 - nd];
    }
    if (ms > INT64_MAX / TC_NS_MS - 1)
        return -ERANGE;
    *ret_ns = ms * TC_NS_MS + frac;
    return 0;
}

int tc_import_parse_iso(tc_import_t *im, const char *s, const char *e, int64_t *ret_ns)
{
    int64_t days;
    if (e - s < 19 || tc_date_parse_iso(s, &days) < 0 || (s[10] != ' ' && s[10] != 'T') ||
        s[13] != ':' || s[16] != ':')
        return -EINVAL;
    int hh = tc_dec_digits(s + 11, 2), mi = tc_dec_digits(s + 14, 2), ss = tc_dec_digits(s + 17, 2);
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
        return -EINVAL;
    const char *p = s + 19;
    int64_t frac = 0;
    if (p < e && *p == '.') {
        const char *q = ++p;
        while (q < e && (unsigned)(*q - '0') < 10)
            q++;
        int nd = (int)(q - p);
        if (nd < 1 || nd > 9)
            return -EINVAL;
        frac = tc_dec_digits(p, nd) * tc_pow10_i64[9 - nd];
        p = q;
    }
    int64_t wall = days * TC_NS_DAY + ((int64_t)hh * 3600 + mi * 60 + ss) * 1000000000LL + frac;
    if (p == e) {
        *ret_ns = tc_tz_local_to_utc(&im->tz, wall);
        return 0;
    }
    if (e - p == 1 && *p == 'Z') {
        *ret_ns = wall;
        return 0;
    }
    if (e - p == 6 && (*p == '+' || *p == '-') && p[3] == ':') {
        int oh = tc_dec_digits(p + 1, 2), om = tc_dec_digits(p + 4, 2);
        if (oh < 0 || oh > 14 || om < 0 || om > 59)
            return -EINVAL;
        int64_t off = ((int64_t)oh * 3600 + om * 60) * 1000000000LL;
        *ret_ns = *p == '+' ? wall - off : wall + off;
        return 0;
    }
    return -EINVAL;
}

void tc_import_sym_default(tc_import_t *im, const char *venue, const char *tz, int asset_class)
{
    if (venue && !im->sym.venue[0])
        snprintf(im->sym.venue, sizeof im->sym.venue, "%s", venue);
    if (tz && !im->tz_set) {
        tc_tz_init(&im->tz, tz); /* only called with names tz.c knows */
        snprintf(im->sym.tz, sizeof im->sym.tz, "%s", im->tz.name);
    }
    if (!im->sym.asset_class)
        im->sym.asset_class = (uint8_t)asset_class;
}

/* ---- the file name: symbol, venue, date ------------------------------------------------ */

static const char *const skip_words[] = {
    "fx", "cfd", "crypto", "equity", "equities", "future", "futures", "bars", "bar", "daily",
    "quotes", "quote", "trades", "trade", "tick", "ticks", "feed", "spot", "lean", "yahoo",
    "tardis", "minute", "second", "hour", "csv", "gz", "txt", NULL};

static const struct { const char *token, *venue; } venue_words[] = {
    {"fxcm", "FXCM"},          {"oanda", "OANDA"},     {"truefx", "TrueFX"},
    {"histdata", "HistData"},  {"binancefutures", "binance-futures"},
    {"binance", "binance"},    {"comex", "COMEX"},     {"cme", "CME"},
    {"nymex", "NYMEX"},        {NULL, NULL}};

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};

static int is_word(const char *tok, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (!strcasecmp(tok, list[i]))
            return 1;
    return 0;
}

/* Futures month code of "dec2013" → "Z3", or 0. */
static int month_code(const char *tok, char ret[3])
{
    static const char codes[] = "FGHJKMNQUVXZ";
    if (strlen(tok) != 7 || tc_dec_digits(tok + 3, 4) < 0)
        return 0;
    for (int m = 0; m < 12; m++)
        if (!strncasecmp(tok, months[m], 3)) {
            ret[0] = codes[m];
            ret[1] = tok[6];
            ret[2] = 0;
            return 1;
        }
    return 0;
}

static void parse_name(tc_import_t *im, const tc_import_opts_t *o)
{
    char tmp[256], sym[64] = "";
    snprintf(tmp, sizeof tmp, "%s", im->base);
    char *save = NULL;
    int after_sym = 0;
    for (char *tok = strtok_r(tmp, "_.-", &save); tok; tok = strtok_r(NULL, "_.-", &save)) {
        int64_t days;
        if (strlen(tok) == 8 && tc_date_parse_ymd8(tok, &days) == 0) {
            if (!im->has_date) {
                im->has_date = 1;
                im->day_wall_ns = days * TC_NS_DAY;
            }
            continue;
        }
        int vw = -1;
        for (int i = 0; venue_words[i].token; i++)
            if (!strcasecmp(tok, venue_words[i].token))
                vw = i;
        if (vw >= 0) {
            if (!im->venue_hint[0])
                snprintf(im->venue_hint, sizeof im->venue_hint, "%s", venue_words[vw].token);
            if (!im->sym.venue[0])
                snprintf(im->sym.venue, sizeof im->sym.venue, "%s", venue_words[vw].venue);
            continue;
        }
        char mc[3];
        if (after_sym && month_code(tok, mc)) {
            strncat(sym, mc, sizeof sym - strlen(sym) - 1);
            after_sym = 0;
            continue;
        }
        after_sym = 0;
        if (is_word(tok, skip_words) || sym[0])
            continue;
        if (strlen(tok) >= 1 && strlen(tok) < TC_SYMBOL_NAME_MAX - 3 && isalpha((unsigned char)tok[0])) {
            for (size_t i = 0; tok[i]; i++)
                sym[i] = (char)toupper((unsigned char)tok[i]), sym[i + 1] = 0;
            after_sym = 1;
        }
    }
    /* Lean keeps the venue in the directory ("forex/fxcm/tick/eurusd/20140502_quote.zip"). */
    if (!im->venue_hint[0])
        for (int i = 0; venue_words[i].token; i++) {
            char pat[40];
            snprintf(pat, sizeof pat, "/%s/", venue_words[i].token);
            if (strcasestr(im->path, pat)) {
                snprintf(im->venue_hint, sizeof im->venue_hint, "%s", venue_words[i].token);
                if (!im->sym.venue[0])
                    snprintf(im->sym.venue, sizeof im->sym.venue, "%s", venue_words[i].venue);
                break;
            }
        }
    if (o->symbol)
        snprintf(im->sym.name, sizeof im->sym.name, "%s", o->symbol);
    else
        snprintf(im->sym.name, sizeof im->sym.name, "%s", sym);
    if (o->venue)
        snprintf(im->sym.venue, sizeof im->sym.venue, "%s", o->venue);
    im->sym_set = o->symbol != NULL;
    im->venue_set = o->venue != NULL;
}

/* ---- content ----------------------------------------------------------------------------- */

/* Inflates a gzip buffer (one or more members) into im->own.  Damage after some good
 * output is not fatal: the good part is kept and the damage is reported as a reject of
 * the line where the output stopped. */
static int inflate_all(tc_import_t *im, const unsigned char *in, size_t n)
{
    size_t cap = n * 8 + 4096, len = 0;
    char *out = malloc(cap);
    if (!out)
        return TC_ERR(-ENOMEM, "%s: out of memory inflating", im->path);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK) {
        free(out);
        return TC_ERR(-ENOMEM, "%s: inflateInit failed", im->path);
    }
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)n;
    int zr = Z_OK;
    for (;;) {
        if (cap - len < 65536) {
            char *p = realloc(out, cap * 2);
            if (!p) {
                inflateEnd(&z);
                free(out);
                return TC_ERR(-ENOMEM, "%s: out of memory inflating", im->path);
            }
            out = p;
            cap *= 2;
        }
        z.next_out = (unsigned char *)out + len;
        z.avail_out = (uInt)(cap - len);
        zr = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
        if (zr == Z_STREAM_END) {
            if (z.avail_in == 0)
                break;
            /* concatenated members */
            if (inflateReset(&z) != Z_OK)
                break;
            continue;
        }
        if (zr != Z_OK) {
            if (zr == Z_BUF_ERROR && z.avail_in == 0)
                snprintf(im->gz_msg, sizeof im->gz_msg, "gzip stream ends early (truncated file)");
            else
                snprintf(im->gz_msg, sizeof im->gz_msg, "gzip data damaged at input offset %llu: %s",
                         (unsigned long long)(n - z.avail_in), z.msg ? z.msg : "inflate error");
            im->gz_broken = 1;
            break;
        }
    }
    inflateEnd(&z);
    if (im->gz_broken && len == 0) {
        free(out);
        return TC_ERR(-EPROTO, "%s: %s", im->path, im->gz_msg);
    }
    im->own = out;
    im->buf = out;
    im->end = out + len;
    return 0;
}

static int read_file(tc_import_t *im)
{
    int fd = open(im->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return TC_ERR(-errno, "%s: %s", im->path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return TC_ERR(-EINVAL, "%s: not a regular file", im->path);
    }
    size_t n = (size_t)sb.st_size, got = 0;
    char *b = malloc(n + 1);
    if (!b) {
        close(fd);
        return TC_ERR(-ENOMEM, "%s: out of memory (%zu bytes)", im->path, n);
    }
    while (got < n) {
        ssize_t k = read(fd, b + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            int e = k < 0 ? errno : EIO;
            close(fd);
            free(b);
            return TC_ERR(-e, "%s: read: %s", im->path, strerror(e));
        }
        got += (size_t)k;
    }
    close(fd);
    im->own = b;
    im->buf = b;
    im->end = b + n;
    return 0;
}

static int starts(const char *s, const char *e, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(e - s) >= n && !memcmp(s, lit, n);
}

static int all_digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if ((unsigned)(s[i] - '0') >= 10)
            return 0;
    return 1;
}

/* The format from the first line (and the name where content cannot tell). */
static const tc_import_fmt_t *detect(const char *s, const char *e)
{
    while (s < e && (*s == '\n' || *s == '\r'))
        s++;
    if (s >= e)
        return NULL;
    const char *le = memchr(s, '\n', (size_t)(e - s));
    if (!le)
        le = e;
    if (le > s && le[-1] == '\r')
        le--;
    int n = (int)(le - s);
    if (starts(s, le, "#tickcast-text"))
        return &tc_fmt_text;
    if (starts(s, le, "exchange,symbol,timestamp,local_timestamp,id,"))
        return &tc_fmt_tardis_trades;
    if (starts(s, le, "exchange,symbol,timestamp,local_timestamp,ask_amount,"))
        return &tc_fmt_tardis_quotes;
    if (starts(s, le, "timestamp,bid,ask"))
        return &tc_fmt_truefx;
    if (starts(s, le, "Date,Open,High,Low,Close"))
        return &tc_fmt_yahoo_daily;
    if (n > 21 && all_digits(s, 19) && s[19] == ' ' && s[20] == '{')
        return &tc_fmt_binance_ws;
    if (n > 15 && all_digits(s, 8) && s[8] == ' ' && starts(s + 9, le, "00:00,"))
        return &tc_fmt_lean_daily;
    if (n > 19 && all_digits(s, 8) && s[8] == ' ' && all_digits(s + 9, 9) && s[18] == ',')
        return &tc_fmt_histdata;
    if (n > 20 && all_digits(s, 4) && s[4] == '-' && s[7] == '-' && s[10] == ' ')
        return &tc_fmt_truefx;
    if (n > 11 && all_digits(s, 4) && s[4] == '-' && s[7] == '-' && s[10] == ',')
        return &tc_fmt_yahoo_daily;
    const char *f[TC_FIELDS_MAX];
    int len[TC_FIELDS_MAX];
    int nf = tc_import_split(s, le, f, len, TC_FIELDS_MAX);
    if (nf == 3)
        return &tc_fmt_lean_fx;
    if (nf == 8)
        return &tc_fmt_lean_equity_quotes;
    if (nf == 6)
        return len[3] == 1 ? &tc_fmt_lean_equity_trades : &tc_fmt_lean_futures_trades;
    return NULL;
}

static tc_import_t *open_common(tc_import_t *im, const tc_import_opts_t *o, int probe);

/* The symbol's usual precision: the finest exponents among the first ticks, read by a
 * second handle over the same (already inflated) buffer so this one's counters stay
 * untouched. */
static void probe_precision(tc_import_t *im, const tc_import_opts_t *o)
{
    tc_import_opts_t po = *o;
    po.format = im->fmt->name;
    po.nbbo = 0;
    tc_import_t *p = calloc(1, sizeof *p);
    if (!p)
        return;
    snprintf(p->path, sizeof p->path, "%s", im->path);
    p->buf = im->buf;
    p->end = im->end;
    p = open_common(p, &po, 1);
    if (!p)
        return;
    tc_tick_t t[64];
    int n = tc_import_read(p, t, 64), pe = 127, qe = 127;
    for (int i = 0; i < n; i++) {
        pe = t[i].px_exp < pe ? t[i].px_exp : pe;
        qe = t[i].qty_exp < qe ? t[i].qty_exp : qe;
    }
    if (n > 0 && !im->sym.px_exp)
        im->sym.px_exp = (int8_t)pe;
    if (n > 0 && !im->sym.qty_exp)
        im->sym.qty_exp = (int8_t)qe;
    tc_import_close(p);
}

static tc_import_t *open_common(tc_import_t *im, const tc_import_opts_t *o, int probe)
{
    static const tc_import_opts_t none;
    if (!o)
        o = &none;
    const char *slash = strrchr(im->path, '/');
    snprintf(im->base, sizeof im->base, "%s", slash ? slash + 1 : im->path);
    parse_name(im, o);
    if (o->date) {
        int64_t days;
        char d8[16];
        snprintf(d8, sizeof d8, "%08d", o->date);
        if (o->date < 10000101 || o->date > 99991231 || tc_date_parse_ymd8(d8, &days) < 0) {
            TC_ERR(-EINVAL, "bad date %d (YYYYMMDD)", o->date);
            goto fail;
        }
        im->has_date = 1;
        im->day_wall_ns = days * TC_NS_DAY;
    }
    if (o->tz) {
        if (tc_tz_init(&im->tz, o->tz) < 0)
            goto fail;
        im->tz_set = 1;
        snprintf(im->sym.tz, sizeof im->sym.tz, "%s", im->tz.name);
    } else {
        tc_tz_init(&im->tz, "UTC");
    }
    if (im->buf + 2 <= im->end && (unsigned char)im->buf[0] == 0x1f &&
        (unsigned char)im->buf[1] == 0x8b) {
        char *raw = im->own;
        const char *rb = im->buf;
        size_t rn = (size_t)(im->end - im->buf);
        im->own = NULL;
        int r = inflate_all(im, (const unsigned char *)rb, rn);
        free(raw);
        if (r < 0)
            goto fail;
    }
    if (o->format) {
        for (size_t i = 0; i < N_FORMATS; i++)
            if (!strcmp(o->format, formats[i]->name))
                im->fmt = formats[i];
        if (!im->fmt) {
            TC_ERR(-EINVAL, "unknown format '%s'", o->format);
            goto fail;
        }
    } else {
        im->fmt = detect(im->buf, im->end);
        if (!im->fmt) {
            TC_ERR(-EPROTO, "%s: cannot tell the format from the first line (give --format)", im->path);
            goto fail;
        }
    }
    im->nbbo_on = o->nbbo;
    if (o->nbbo) {
        im->nbbo = malloc(sizeof *im->nbbo);
        if (!im->nbbo) {
            TC_ERR(-ENOMEM, "out of memory");
            goto fail;
        }
        tc_nbbo_init(im->nbbo, o->nbbo_stale_ns > 0 ? o->nbbo_stale_ns : 5000000000LL);
    }
    im->pos = im->buf;
    im->prev_ts = INT64_MIN;
    if (im->fmt->setup(im) < 0) {
        TC_ERR_APPEND(tc_err_code(), "%s (%s)", im->path, im->fmt->name);
        goto fail;
    }
    if (!im->sym.name[0]) {
        TC_ERR(-EINVAL, "%s: no symbol in the file name or content (give --symbol)", im->path);
        goto fail;
    }
    if (!im->sym.tz[0])
        snprintf(im->sym.tz, sizeof im->sym.tz, "%s", im->tz.name);
    if (!probe)
        probe_precision(im, o);
    return im;
fail:
    tc_import_close(im);
    return NULL;
}

tc_import_t *tc_import_open(const char *path, const tc_import_opts_t *o)
{
    tc_import_t *im = calloc(1, sizeof *im);
    if (!im) {
        TC_ERR(-ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(im->path, sizeof im->path, "%s", path);
    if (read_file(im) < 0) {
        tc_import_close(im);
        return NULL;
    }
    return open_common(im, o, 0);
}

tc_import_t *tc_import_open_mem(const char *name, const void *buf, size_t len,
                                const tc_import_opts_t *o)
{
    tc_import_t *im = calloc(1, sizeof *im);
    if (!im) {
        TC_ERR(-ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(im->path, sizeof im->path, "%s", name);
    im->buf = buf;
    im->end = (const char *)buf + len;
    return open_common(im, o, 0);
}

void tc_import_close(tc_import_t *im)
{
    if (!im)
        return;
    free(im->own);
    free(im->nbbo);
    free(im);
}

const tc_symbol_t *tc_import_symbol(const tc_import_t *im) { return &im->sym; }
const tc_import_stats_t *tc_import_stats(const tc_import_t *im) { return &im->st; }
const char *tc_import_format(const tc_import_t *im) { return im->fmt->name; }

/* ---- the line loop ------------------------------------------------------------------------ */

static void count_tick(tc_import_t *im, const tc_tick_t *t)
{
    tc_import_stats_t *st = &im->st;
    switch (t->kind) {
    case TC_TICK_TRADE: st->trades++; break;
    case TC_TICK_QUOTE: st->quotes++; break;
    case TC_TICK_BID: st->bids++; break;
    case TC_TICK_ASK: st->asks++; break;
    case TC_TICK_BAR: st->bars++; break;
    default: break;
    }
    st->crossed += (t->flags & TC_TICK_CROSSED) && t->kind == TC_TICK_QUOTE;
    st->locked += (t->flags & TC_TICK_LOCKED) && t->kind == TC_TICK_QUOTE;
    st->no_volume += !!(t->flags & TC_TICK_NO_VOLUME);
    st->suspicious += !!(t->flags & TC_TICK_SUSPICIOUS);
    if (im->prev_ts != INT64_MIN) {
        st->same_ts += t->ts_event == im->prev_ts;
        st->backwards += t->ts_event < im->prev_ts;
    } else {
        st->first_ts = t->ts_event;
    }
    st->last_ts = t->ts_event;
    im->prev_ts = t->ts_event;
    st->ticks++;
}

int tc_import_read(tc_import_t *im, tc_tick_t *out, int max)
{
    if (max <= 0)
        return TC_ERR(-EINVAL, "tc_import_read: max %d", max);
    tc_import_stats_t *st = &im->st;
    const char *p = im->pos, *end = im->end;
    const int max_line = im->fmt->max_line;
    int n = 0;
    while (n < max) {
        if (p >= end) {
            if (im->gz_broken) {
                /* The damage is reported once, as a reject after the last good line. */
                im->gz_broken = 0;
                im->lineno++;
                st->lines++; /* counted as one rejected row, so the totals add up */
                st->rows++;
                tc_import_rej(im, TC_IMPORT_REJ_GZIP, "%s", im->gz_msg);
                st->rejects[TC_IMPORT_REJ_GZIP]++;
                st->rejected++;
            }
            break;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *next = nl ? nl + 1 : end;
        im->last_unterminated = !nl;
        if (le > p && le[-1] == '\r')
            le--;
        im->lineno++;
        st->lines++;
        const char *s = p;
        p = next;
        if (le == s) {
            st->skips[TC_IMPORT_SKIP_EMPTY]++;
            st->skipped++;
            continue;
        }
        int r;
        if (le - s > max_line)
            r = tc_import_rej(im, TC_IMPORT_REJ_FIELD_LONG, "line of %lld bytes (at most %d)",
                              (long long)(le - s), max_line);
        else
            r = im->fmt->row(im, s, le, &out[n]);
        if (r == TC_ROW_TICK) {
            st->rows++;
            size_t len = (size_t)(le - s);
            if (im->prev_line && len == im->prev_len && !memcmp(s, im->prev_line, len))
                st->dup_adjacent++;
            im->prev_line = s;
            im->prev_len = len;
            if (im->nbbo_on && (out[n].kind == TC_TICK_BID || out[n].kind == TC_TICK_ASK)) {
                tc_tick_t one = out[n];
                tc_nbbo_update(im->nbbo, &one, &out[n]);
                st->nbbo_crossed = im->nbbo->crossed;
                st->nbbo_locked = im->nbbo->locked;
                st->nbbo_one_sided = im->nbbo->one_sided;
            }
            count_tick(im, &out[n]);
            n++;
        } else if (r >= TC_ROW_SKIP(0)) {
            st->skips[r - TC_ROW_SKIP(0)]++;
            st->skipped++;
        } else {
            int reason = -r - 1;
            st->rows++;
            if (im->last_unterminated && reason != TC_IMPORT_REJ_FIELD_LONG) {
                /* A last line without newline that does not parse was most likely cut. */
                reason = TC_IMPORT_REJ_TRUNCATED;
                tc_import_rej(im, reason, "last line incomplete (no newline and does not parse)");
            }
            st->rejects[reason]++;
            st->rejected++;
            im->prev_line = NULL;
        }
    }
    im->pos = p;
    return n;
}

/* ---- canonical text ------------------------------------------------------------------------ */

int tc_import_text_fmt(char *buf, size_t cap, const tc_tick_t *t)
{
    static const char kinds[] = "?TQBARH";
    if (cap < 256)
        return -ENOSPC;
    char *p = buf;
    *p++ = t->kind < 7 ? kinds[t->kind] : '?';
    p += sprintf(p, ",%lld,%lld", (long long)t->ts_event, (long long)t->ts_recv);
    /* which of v[0..4] are prices (P), sizes (S) or plain integers (I) */
    const char *role = "IIIII";
    switch (t->kind) {
    case TC_TICK_TRADE: role = "PSIII"; break;
    case TC_TICK_QUOTE: case TC_TICK_BID: case TC_TICK_ASK: role = "PPSSI"; break;
    case TC_TICK_BAR: role = "PPPPS"; break;
    default: break;
    }
    for (int i = 0; i < 5; i++) {
        *p++ = ',';
        if (role[i] == 'P')
            p += tc_dec_fmt(p, t->v[i], t->px_exp);
        else if (role[i] == 'S')
            p += tc_dec_fmt(p, t->v[i], t->qty_exp);
        else
            p += sprintf(p, "%lld", (long long)t->v[i]);
    }
    p += sprintf(p, ",%u,%u,%u\n", t->flags, t->venue, t->cond);
    return (int)(p - buf);
}
