/* fmt_yahoo.c — Yahoo Finance daily bars as downloaded (shared tick README format J;
 * docs/FORMATS.md "Importing CSV and capture formats"):
 * "Date,Open,High,Low,Close,Adj Close,Volume" with ISO dates.  The four prices are kept
 * as decimals at one common exponent; Adj Close is checked but not kept (a bar has no
 * field for it, and it is derivable from dividends).  A bar opens at 00:00 New York
 * time on its date, as with Lean's daily bars. */
#include <stdio.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "ingest/import_int.h"

static int setup(tc_import_t *im)
{
    tc_import_sym_default(im, "US", "America/New_York", TC_ASSET_EQUITY);
    return 0;
}

static int row(tc_import_t *im, const char *s, const char *e, tc_tick_t *t)
{
    if (im->lineno == 1 && e - s >= 4 && !memcmp(s, "Date", 4))
        return TC_ROW_SKIP(TC_IMPORT_SKIP_HEADER);
    const char *f[8];
    int len[8];
    int nf = tc_import_split(s, e, f, len, 7);
    if (nf != 7)
        return tc_import_columns(im, nf, 7);
    int64_t days;
    if (len[0] != 10 || tc_date_parse_iso(f[0], &days) < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_TIME, "bad date '%.*s' (YYYY-MM-DD)", len[0], f[0]);
    static const char *const what[5] = {"open", "high", "low", "close", "adj close"};
    int64_t m[5];
    int ex[5], emin = 0;
    for (int i = 0; i < 5; i++) {
        if (tc_dec_parse(f[1 + i], f[1 + i] + len[1 + i], &m[i], &ex[i]) < 0 || m[i] < 0)
            return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad %s '%.*s'", what[i], len[1 + i], f[1 + i]);
        if (i < 4 && ex[i] < emin)
            emin = ex[i];
    }
    int64_t vol;
    if (tc_dec_parse_int(f[6], f[6] + len[6], &vol) < 0 || vol < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad volume '%.*s'", len[6], f[6]);
    memset(t, 0, sizeof *t);
    for (int i = 0; i < 4; i++)
        if (tc_dec_rescale(m[i], ex[i], emin, &t->v[i]) < 0)
            return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "%s out of range", what[i]);
    t->bar.volume = vol;
    t->ts_event = t->ts_recv = tc_tz_local_to_utc(&im->tz, days * TC_NS_DAY);
    t->kind = TC_TICK_BAR;
    t->px_exp = (int8_t)emin;
    return TC_ROW_TICK;
}

const tc_import_fmt_t tc_fmt_yahoo_daily = {"yahoo-daily", setup, row, 512};
