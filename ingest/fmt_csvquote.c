/* fmt_csvquote.c — two-sided FX quote CSVs with the date and time in each row (shared
 * tick README formats B and C; docs/FORMATS.md "Importing CSV and capture formats"):
 *   truefx:   "YYYY-MM-DD HH:MM:SS[.ffffff]+00:00,bid,ask" after a header (TrueFX data
 *             as re-saved by pandas, which drops an all-zero fraction);
 *   histdata: "YYYYMMDD HHMMSSmmm,bid,ask,volume", no header, EST = UTC-05:00 fixed.
 * Crossed and locked quotes are flagged and kept, never swapped. */
#include <stdio.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "ingest/import_int.h"

enum { CSVQ_MAX_LINE = 512 };

static int two_prices(tc_import_t *im, const char *fb, int lb, const char *fa, int la, tc_tick_t *t)
{
    int64_t bid, ask;
    int eb, ea;
    if (tc_dec_parse(fb, fb + lb, &bid, &eb) < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad bid '%.*s'", lb, fb);
    if (tc_dec_parse(fa, fa + la, &ask, &ea) < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad ask '%.*s'", la, fa);
    if (tc_dec_align2(&bid, &eb, &ask, &ea) < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bid/ask out of range");
    t->kind = TC_TICK_QUOTE;
    t->quote.bid = bid;
    t->quote.ask = ask;
    t->px_exp = (int8_t)eb;
    tc_import_quote_flags(t);
    return 0;
}

static int truefx_setup(tc_import_t *im)
{
    /* Rows carry their own offset; a row without one is read in the --tz zone (UTC). */
    tc_import_sym_default(im, NULL, "UTC", TC_ASSET_FX);
    return 0;
}

static int truefx_row(tc_import_t *im, const char *s, const char *e, tc_tick_t *t)
{
    if (im->lineno == 1 && e - s >= 9 && !memcmp(s, "timestamp", 9))
        return TC_ROW_SKIP(TC_IMPORT_SKIP_HEADER);
    const char *f[4];
    int len[4], r;
    int nf = tc_import_split(s, e, f, len, 3);
    if (nf != 3)
        return tc_import_columns(im, nf, 3);
    int64_t ts;
    if (tc_import_parse_iso(im, f[0], f[0] + len[0], &ts) < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_TIME, "bad timestamp '%.*s'", len[0], f[0]);
    memset(t, 0, sizeof *t);
    if ((r = two_prices(im, f[1], len[1], f[2], len[2], t)) < 0)
        return r;
    t->ts_event = t->ts_recv = ts;
    return TC_ROW_TICK;
}

const tc_import_fmt_t tc_fmt_truefx = {"truefx", truefx_setup, truefx_row, CSVQ_MAX_LINE};

static int histdata_setup(tc_import_t *im)
{
    /* HistData documents EST without daylight saving for every file. */
    tc_import_sym_default(im, "HistData", "UTC-05", TC_ASSET_FX);
    return 0;
}

static int histdata_row(tc_import_t *im, const char *s, const char *e, tc_tick_t *t)
{
    const char *f[5];
    int len[5], r;
    int nf = tc_import_split(s, e, f, len, 4);
    if (nf != 4)
        return tc_import_columns(im, nf, 4);
    int64_t days;
    const char *d = f[0];
    int hh, mi, ss, ms;
    if (len[0] != 18 || tc_date_parse_ymd8(d, &days) < 0 || d[8] != ' ' ||
        (hh = tc_dec_digits(d + 9, 2)) < 0 || hh > 23 || (mi = tc_dec_digits(d + 11, 2)) < 0 ||
        mi > 59 || (ss = tc_dec_digits(d + 13, 2)) < 0 || ss > 60 || (ms = tc_dec_digits(d + 15, 3)) < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_TIME, "bad datetime '%.*s' (YYYYMMDD HHMMSSmmm)", len[0], d);
    int64_t vol;
    if (tc_dec_parse_int(f[3], f[3] + len[3], &vol) < 0 || vol < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad volume '%.*s'", len[3], f[3]);
    memset(t, 0, sizeof *t);
    if ((r = two_prices(im, f[1], len[1], f[2], len[2], t)) < 0)
        return r;
    int64_t wall = days * TC_NS_DAY + (((int64_t)hh * 3600 + mi * 60 + ss) * 1000 + ms) * TC_NS_MS;
    t->ts_event = t->ts_recv = tc_tz_local_to_utc(&im->tz, wall);
    /* The volume column is always 0 in HistData tick files: not a size, so not kept. */
    return TC_ROW_TICK;
}

const tc_import_fmt_t tc_fmt_histdata = {"histdata", histdata_setup, histdata_row, CSVQ_MAX_LINE};
