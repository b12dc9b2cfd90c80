/* cmd_export.c — `tickcast export FILE [-o OUT.csv]`: a native tick file as text.
 *
 * Writes the canonical text form of ingest/import.h ("tickcast-text": one tick per
 * line, every field, prices and sizes printed from mantissa and exponent with exactly
 * the stored number of decimals), which `tickcast import` reads back into the same
 * records.  That form has no symbol column, so a file holding several symbols is
 * exported one symbol at a time (--symbol).  Reading uses the replay reader: damaged
 * blocks stop the export with file and offset unless --skip-damaged.
 */
#include "daemon/runtime/err.h"
#include "ingest/import.h"
#include "ingest/replay.h"
#include "tools/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 4096

static int cmd_export(int argc, char **argv)
{
    static const struct option lo[] = {
        {"output", required_argument, 0, 'o'}, {"symbol", required_argument, 0, 's'},
        {"skip-damaged", no_argument, 0, 'k'}, {0, 0, 0, 0},
    };
    const char *out = NULL, *want_sym = NULL;
    tc_replay_opts_t ro = {0};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:s:k", lo, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 's': want_sym = optarg; break;
        case 'k': ro.skip_damaged = 1; break;
        default: return TC_ERR(2, "unknown or incomplete option '%s' (tickcast export --help)", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return TC_ERR(2, "export takes one FILE (tickcast export --help)");
    const char *path = argv[optind];

    tc_replay_t *rp = tc_replay_open(path, &ro);
    if (!rp)
        return 1;
    int nsyms, sym = -1;
    const tc_symbol_t *syms = tc_replay_symbols(rp, &nsyms);
    if (want_sym) {
        for (int i = 0; i < nsyms; i++)
            if (strcmp(syms[i].name, want_sym) == 0)
                sym = i;
        if (sym < 0) {
            tc_replay_close(rp);
            return TC_ERR(1, "%s: no symbol '%s' in the file", path, want_sym);
        }
    } else if (nsyms > 1) {
        tc_replay_close(rp);
        return TC_ERR(1, "%s holds %d symbols; the text form has no symbol column: choose one with --symbol", path,
                      nsyms);
    }

    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        int e = errno;
        tc_replay_close(rp);
        return TC_ERR(1, "%s: %s", out, strerror(e));
    }
    static char iobuf[1 << 16];
    setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
    fprintf(f, "%s\n", TC_IMPORT_TEXT_HEADER);
    for (int i = 0; i < nsyms; i++)
        if (sym < 0 || i == sym)
            fprintf(f, "# symbol %s venue %s tz %s\n", syms[i].name, syms[i].venue[0] ? syms[i].venue : "-",
                    syms[i].tz[0] ? syms[i].tz : "-");
    tc_tick_t *buf = malloc(BATCH * sizeof *buf);
    int n = 0, status = 0;
    while (buf && (n = tc_replay_read(rp, buf, BATCH)) > 0) {
        for (int k = 0; k < n; k++) {
            if (sym >= 0 && buf[k].sym != sym)
                continue;
            char line[256];
            int len = tc_import_text_fmt(line, sizeof line, &buf[k]);
            fwrite(line, 1, (size_t)len, f);
        }
    }
    if (!buf)
        status = TC_ERR(1, "out of memory");
    else if (n < 0)
        status = 1;
    if (fflush(f) != 0 || ferror(f))
        status = TC_ERR(1, "%s: write error: %s", out ? out : "stdout", strerror(errno));
    if (out && fclose(f) != 0 && status == 0)
        status = TC_ERR(1, "%s: %s", out, strerror(errno));
    const tc_tickfile_stats_t *st = tc_replay_stats(rp);
    if (status == 0 && (st->damaged_blocks || st->torn_tails))
        fprintf(stderr, "%s: %llu damaged blocks skipped, %llu torn tail bytes ignored\n", path,
                (unsigned long long)st->damaged_blocks, (unsigned long long)st->torn_bytes);
    free(buf);
    tc_replay_close(rp);
    return status;
}

TC_CLI_COMMAND(export, "write a native tick file as text (tickcast-text, re-importable)",
               "tickcast export FILE [-o OUT.csv] [--symbol S] [--skip-damaged]\n"
               "  -o, --output OUT      write to OUT instead of stdout\n"
               "  -s, --symbol S        only the ticks of symbol S (required if the file has several)\n"
               "  -k, --skip-damaged    skip damaged blocks (counted on stderr) instead of stopping",
               cmd_export);
