/* fuzz_import.c — libFuzzer harness for the importers: the first input byte picks the
 * format, the rest is the file content (plain or gzip), read in full with and without
 * NBBO combining, and the ticks go through a cleaner with a small outlier window.
 * Checks that the counters add up; crashes and sanitizer reports are the findings.
 *
 *     clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *         tests/fuzz/fuzz_import.c ingest/[a-z]*.c shm/records.c daemon/runtime/[a-z]*.c -lz -lm
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/clean.h"
#include "ingest/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *const *names = tc_import_formats();
    int nf = 0;
    while (names[nf])
        nf++;
    int pick = data[0] % (nf + 1); /* nf: detect from content */
    tc_import_opts_t o = {.format = pick < nf ? names[pick] : NULL, .date = 20131007, .tz = data[0] & 0x80 ? "America/New_York" : NULL,
                          .nbbo = data[0] & 0x40 ? 1 : 0, .nbbo_stale_ns = 5000000000LL};
    tc_import_t *im = tc_import_open_mem("fx_fxcm_eurusd_quotes_20140502.csv", data + 1, size - 1, &o);
    if (!im)
        return 0;
    tc_clean_cfg_t cfg;
    tc_clean_cfg_default(&cfg);
    cfg.window = 16;
    cfg.confirm = 3;
    cfg.gap_ns = 1000;
    tc_clean_t *c = tc_clean_create(&cfg);
    if (!c)
        abort();
    tc_tick_t t[16], out[TC_CLEAN_CONFIRM_MAX];
    int k;
    while ((k = tc_import_read(im, t, 16)) > 0)
        for (int i = 0; i < k; i++)
            tc_clean_push(c, &t[i], &out[0]);
    tc_clean_flush(c, out, TC_CLEAN_CONFIRM_MAX);
    const tc_clean_stats_t *cs = tc_clean_stats(c);
    if (cs->in != cs->out + cs->dropped)
        abort();
    tc_clean_destroy(c);
    const tc_import_stats_t *st = tc_import_stats(im);
    if (k < 0 || st->rows != st->ticks + st->rejected || st->lines != st->rows + st->skipped)
        abort();
    for (int r = 0; r < TC_IMPORT_REJ_MAX; r++)
        if (st->rejects[r] && strncmp(st->reject_msg[r], "fx_fxcm", 7) != 0)
            abort();
    tc_import_close(im);
    return 0;
}
