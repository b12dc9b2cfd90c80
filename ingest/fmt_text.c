/* fmt_text.c — reads back the canonical text form written by tc_import_text_fmt
 * (import.h), so import → export → reparse can be checked record for record.  Every
 * field of the tick is in the line; the symbol comes from the options or the name. */
#include <stdio.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "ingest/import_int.h"

static int setup(tc_import_t *im)
{
    if (!im->sym.name[0])
        snprintf(im->sym.name, sizeof im->sym.name, "UNKNOWN");
    tc_import_sym_default(im, NULL, "UTC", TC_ASSET_UNKNOWN);
    return 0;
}

static int row(tc_import_t *im, const char *s, const char *e, tc_tick_t *t)
{
    if (*s == '#')
        return TC_ROW_SKIP(TC_IMPORT_SKIP_HEADER);
    const char *f[12];
    int len[12];
    int nf = tc_import_split(s, e, f, len, 11);
    if (nf != 11)
        return tc_import_columns(im, nf, 11);
    static const char kinds[] = "?TQBARH";
    const char *k = len[0] == 1 ? memchr(kinds + 1, f[0][0], 6) : NULL;
    if (!k)
        return tc_import_rej(im, TC_IMPORT_REJ_VALUE, "kind '%.*s'", len[0], f[0]);
    memset(t, 0, sizeof *t);
    t->kind = (uint8_t)(k - kinds);
    if (tc_dec_parse_int(f[1], f[1] + len[1], &t->ts_event) < 0 ||
        tc_dec_parse_int(f[2], f[2] + len[2], &t->ts_recv) < 0)
        return tc_import_rej(im, TC_IMPORT_REJ_TIME, "bad time");
    const char *role = "IIIII";
    switch (t->kind) {
    case TC_TICK_TRADE: role = "PSIII"; break;
    case TC_TICK_QUOTE: case TC_TICK_BID: case TC_TICK_ASK: role = "PPSSI"; break;
    case TC_TICK_BAR: role = "PPPPS"; break;
    default: break;
    }
    int pe = 1, qe = 1; /* 1 = not seen yet */
    for (int i = 0; i < 5; i++) {
        const char *a = f[3 + i], *b = f[3 + i] + len[3 + i];
        int ex = 0;
        int r = role[i] == 'I' ? tc_dec_parse_int(a, b, &t->v[i]) : tc_dec_parse(a, b, &t->v[i], &ex);
        if (r < 0)
            return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad field %d '%.*s'", 4 + i, len[3 + i], a);
        int *want = role[i] == 'P' ? &pe : role[i] == 'S' ? &qe : NULL;
        if (want) {
            if (*want == 1)
                *want = ex;
            else if (*want != ex)
                return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "field %d has %d decimals, others %d",
                                     4 + i, -ex, -*want);
        }
    }
    int64_t fl, ve, co;
    if (tc_dec_parse_int(f[8], f[8] + len[8], &fl) < 0 || fl < 0 || fl > 255 ||
        tc_dec_parse_int(f[9], f[9] + len[9], &ve) < 0 || ve < 0 || ve > 255 ||
        tc_dec_parse_int(f[10], f[10] + len[10], &co) < 0 || co < 0 || co > 255)
        return tc_import_rej(im, TC_IMPORT_REJ_NUMBER, "bad flags/venue/cond");
    t->px_exp = (int8_t)(pe == 1 ? 0 : pe);
    t->qty_exp = (int8_t)(qe == 1 ? 0 : qe);
    t->flags = (uint8_t)fl;
    t->venue = (uint8_t)ve;
    t->cond = (uint8_t)co;
    return TC_ROW_TICK;
}

const tc_import_fmt_t tc_fmt_text = {"tickcast-text", setup, row, 512};
