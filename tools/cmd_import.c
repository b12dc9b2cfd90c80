/* cmd_import.c — `tickcast import FILE... -o OUT`: recorded CSV / gzip captures (the
 * importers of ingest/import.h) into one native tick file (ingest/tickfile.h).
 *
 * Each input's symbol joins OUT's symbol table (an input naming a symbol already there
 * reuses its entry) and its ticks are renumbered to that entry.  Rejected rows are
 * counted by reason and reported per file on stderr with the first message of each
 * reason (file:line); they never stop the import, and they are kept in OUT as a note
 * per input, which `tickcast inspect` shows.  With --clean[=SPEC] every tick goes through
 * the cleaning rules of the ingest stage (ingest/cleanset.h: the [ingest] defaults, then
 * SPEC as ingest.clean takes it) before it is written, and what they did is counted by
 * reason and kept as one more note.  OUT is synced before exit, so a zero status means
 * the file is on disk.
 */
#include "daemon/runtime/err.h"
#include "daemon/runtime/config.h"
#include "ingest/cleanset.h"
#include "ingest/import.h"
#include "ingest/tickfile.h"
#include "tools/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BATCH 4096

static int parse_int(const char *s, long lo, long hi, long *ret)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -EINVAL;
    *ret = v;
    return 0;
}

/* The file's provenance note for one input (docs/FORMATS.md, "Notes"): what was read,
 * and the rejects and skips by reason with the first message of each. */
static int import_note(tc_tickfile_t *tf, const char *in, tc_import_t *im)
{
    const tc_import_stats_t *st = tc_import_stats(im);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return TC_ERR(-ENOMEM, "note");
    const char *base = strrchr(in, '/');
    fprintf(f, "import %s format=%s symbol=%s lines=%llu rows=%llu ticks=%llu rejected=%llu skipped=%llu\n",
            base ? base + 1 : in, tc_import_format(im), tc_import_symbol(im)->name, (unsigned long long)st->lines,
            (unsigned long long)st->rows, (unsigned long long)st->ticks, (unsigned long long)st->rejected,
            (unsigned long long)st->skipped);
    for (int r = 0; r < TC_IMPORT_REJ_MAX; r++)
        if (st->rejects[r])
            fprintf(f, "reject %s %llu %s\n", tc_import_reject_name(r), (unsigned long long)st->rejects[r],
                    st->reject_msg[r]);
    for (int r = 0; r < TC_IMPORT_SKIP_MAX; r++)
        if (st->skips[r])
            fprintf(f, "skip %s %llu\n", tc_import_skip_name(r), (unsigned long long)st->skips[r]);
    fclose(f);
    int r = tc_tickfile_note_add(tf, text);
    free(text);
    return r;
}

/* The symbol names of OUT's table, for the cleaning spec's per-symbol segments. */
static const char *out_symbol(void *ctx, uint16_t id)
{
    int n;
    const tc_symbol_t *syms = tc_tickfile_symbols(*(tc_tickfile_t **)ctx, &n);
    return id < n ? syms[id].name : NULL;
}

/* The note of the cleaning, "clean REASON HITS DROPPED" per rule that matched, and the
 * same on stderr unless quiet; *ret_dropped: the ticks cleaning dropped. */
static int clean_note(tc_tickfile_t *tf, const tc_cleanset_t *cs, int quiet, uint64_t *ret_dropped)
{
    tc_clean_stats_t st;
    tc_cleanset_stats(cs, &st);
    *ret_dropped = st.dropped;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return TC_ERR(-ENOMEM, "note");
    fprintf(f, "clean in=%llu out=%llu dropped=%llu\n", (unsigned long long)st.in,
            (unsigned long long)st.out, (unsigned long long)st.dropped);
    for (int r = 0; r < TC_CLEAN_REASON_MAX; r++)
        if (st.hits[r]) {
            fprintf(f, "clean %s %llu %llu\n", tc_clean_reason_name(r), (unsigned long long)st.hits[r],
                    (unsigned long long)st.dropped_by[r]);
            if (!quiet)
                fprintf(stderr, "  cleaning: %-12s %llu ticks, %llu dropped\n", tc_clean_reason_name(r),
                        (unsigned long long)st.hits[r], (unsigned long long)st.dropped_by[r]);
        }
    fclose(f);
    int r = tc_tickfile_note_add(tf, text);
    free(text);
    return r;
}

/* Cleans n ticks in place when cs is set, then appends what is left. */
static int write_ticks(tc_tickfile_t *tf, tc_cleanset_t *cs, tc_tick_t *t, int n)
{
    if (cs && (n = tc_cleanset_push(cs, t, n)) < 0)
        return n;
    return n > 0 ? tc_tickfile_append(tf, t, n) : 0;
}

static int cmd_import(int argc, char **argv)
{
    static const struct option lo[] = {
        {"output", required_argument, 0, 'o'}, {"format", required_argument, 0, 'f'},
        {"symbol", required_argument, 0, 's'}, {"venue", required_argument, 0, 'v'},
        {"date", required_argument, 0, 'd'},   {"tz", required_argument, 0, 'z'},
        {"zstd", no_argument, 0, 'Z'},         {"level", required_argument, 0, 'L'},
        {"nbbo", no_argument, 0, 'N'},         {"append", no_argument, 0, 'a'},
        {"block-ticks", required_argument, 0, 'B'}, {"quiet", no_argument, 0, 'q'},
        {"clean", optional_argument, 0, 'C'},
        {0, 0, 0, 0},
    };
    const char *clean = NULL; /* NULL: no cleaning */
    const char *out = NULL;
    tc_import_opts_t io = {0};
    tc_tickfile_opts_t fo = {0};
    int append = 0, quiet = 0, c;
    long v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:f:s:v:d:z:ZL:NaB:q", lo, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'C': clean = optarg ? optarg : ""; break;
        case 'f': io.format = optarg; break;
        case 's': io.symbol = optarg; break;
        case 'v': io.venue = optarg; break;
        case 'z': io.tz = optarg; break;
        case 'Z': fo.codec = TC_TICKFILE_CODEC_ZSTD; break;
        case 'N': io.nbbo = 1; break;
        case 'a': append = 1; break;
        case 'q': quiet = 1; break;
        case 'd':
            if (parse_int(optarg, 19000101, 21001231, &v) < 0)
                return TC_ERR(2, "--date wants YYYYMMDD, got '%s'", optarg);
            io.date = (int)v;
            break;
        case 'L':
            if (parse_int(optarg, 1, 19, &v) < 0)
                return TC_ERR(2, "--level wants 1..19, got '%s'", optarg);
            fo.zstd_level = (int)v;
            break;
        case 'B':
            if (parse_int(optarg, 1, TC_TICKFILE_BLOCK_TICKS_MAX, &v) < 0)
                return TC_ERR(2, "--block-ticks wants 1..%d, got '%s'", TC_TICKFILE_BLOCK_TICKS_MAX, optarg);
            fo.block_ticks = (uint32_t)v;
            break;
        default:
            return TC_ERR(2, "unknown or incomplete option '%s' (tickcast import --help)", argv[optind - 1]);
        }
    }
    if (!out)
        return TC_ERR(2, "no output file: -o OUT is required");
    if (optind >= argc)
        return TC_ERR(2, "no input files");

    double total = 0;
    for (int i = optind; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) < 0)
            return TC_ERR(1, "%s: %s", argv[i], strerror(errno));
        total += (double)sb.st_size;
    }

    tc_tickfile_t *tf = NULL;
    tc_cleanset_t *cs = NULL;
    if (clean && strcmp(clean, "off") != 0) {
        tc_config_t cfg;
        tc_clean_cfg_t base;
        tc_config_defaults(&cfg);
        tc_cleanset_cfg_from_config(&base, &cfg.ingest);
        if (!(cs = tc_cleanset_create(&base, clean, out_symbol, &tf)))
            return TC_ERR_APPEND(2, "--clean '%s'", clean); /* before OUT is touched */
    }
    if (!(tf = tc_tickfile_open(out, append ? TC_TICKFILE_APPEND : TC_TICKFILE_CREATE, &fo))) {
        tc_cleanset_destroy(cs);
        return 1;
    }
    tc_tick_t *buf = malloc(BATCH * sizeof *buf);
    if (!buf) {
        tc_cleanset_destroy(cs);
        tc_tickfile_close(tf);
        return TC_ERR(1, "out of memory");
    }
    /* The importers report lines, not bytes, so the bar advances by whole input files. */
    tc_progress_t pg;
    tc_progress_init(&pg, "import", total);
    double done_bytes = 0;
    int status = 0, r;
    uint64_t all_ticks = 0, all_rejects = 0, cleaned_out = 0;
    for (int i = optind; i < argc && status == 0; i++) {
        const char *in = argv[i];
        struct stat sb;
        stat(in, &sb);
        tc_import_t *im = tc_import_open(in, &io);
        if (!im) {
            status = 1;
            break;
        }
        int sym = tc_tickfile_symbol_add(tf, tc_import_symbol(im));
        if (sym < 0) {
            tc_import_close(im);
            status = 1;
            break;
        }
        const tc_import_stats_t *st = tc_import_stats(im);
        int n;
        while ((n = tc_import_read(im, buf, BATCH)) > 0) {
            for (int k = 0; k < n; k++)
                buf[k].sym = (uint16_t)sym;
            if (write_ticks(tf, cs, buf, n) < 0) {
                status = 1;
                break;
            }
        }
        if (n < 0 && status == 0) {
            TC_ERR_APPEND(1, "importing %s", in);
            status = 1;
        }
        done_bytes += (double)sb.st_size;
        tc_progress_update(&pg, done_bytes);
        if (status == 0 && (r = import_note(tf, in, im)) < 0)
            status = 1;
        all_ticks += st->ticks;
        all_rejects += st->rejected;
        if (!quiet) {
            fprintf(stderr, "%s: %s %s, %llu ticks, %llu rejected, %llu skipped\n", in, tc_import_format(im),
                    tc_import_symbol(im)->name, (unsigned long long)st->ticks, (unsigned long long)st->rejected,
                    (unsigned long long)st->skipped);
            for (int k = 0; k < TC_IMPORT_REJ_MAX; k++)
                if (st->rejects[k])
                    fprintf(stderr, "  rejected %-10s %llu  first: %s\n", tc_import_reject_name(k),
                            (unsigned long long)st->rejects[k], st->reject_msg[k]);
        }
        tc_import_close(im);
    }
    tc_progress_done(&pg);
    if (cs) { /* the ticks the outlier filter still holds, then what cleaning did */
        int n;
        while (status == 0 && (n = tc_cleanset_flush(cs, buf, BATCH)) > 0)
            if (tc_tickfile_append(tf, buf, n) < 0)
                status = 1;
        if (status == 0 && clean_note(tf, cs, quiet, &cleaned_out) < 0)
            status = 1;
        tc_cleanset_destroy(cs);
    }
    free(buf);
    if (status == 0 && tc_tickfile_sync(tf) < 0)
        status = 1;
    r = tc_tickfile_close(tf);
    if (status == 0 && r < 0)
        status = 1;
    if (status == 0 && !quiet)
        fprintf(stderr, "%s: %llu ticks from %d file%s (%llu rows rejected, %llu ticks dropped by cleaning)\n",
                out, (unsigned long long)(all_ticks - cleaned_out), argc - optind, argc - optind == 1 ? "" : "s",
                (unsigned long long)all_rejects, (unsigned long long)cleaned_out);
    return status;
}

TC_CLI_COMMAND(import, "convert recorded tick files (CSV, gzip captures) into a native tick file",
               "tickcast import FILE... -o OUT [options]\n"
               "  -o, --output OUT      the native tick file to write (replaced unless --append)\n"
               "  -f, --format F        input format instead of detection (lean-fx, tardis-trades, ...)\n"
               "  -s, --symbol S        symbol instead of the one from the file name\n"
               "  -v, --venue V         venue instead of the one from the file name\n"
               "  -d, --date YYYYMMDD   date for formats whose rows carry only a time of day\n"
               "      --tz TZ           time zone of the source clock (IANA name or UTC±hh)\n"
               "      --nbbo            combine one-sided equity quotes into an NBBO-like quote\n"
               "      --zstd            compress blocks with zstd\n"
               "      --level N         zstd level 1..19 (default 3)\n"
               "      --block-ticks N   ticks per block (default 2048)\n"
               "  -a, --append          append to OUT (a torn tail is cut first)\n"
               "      --clean[=SPEC]    clean every tick as tickcast-ingest does: the [ingest]\n"
               "                        defaults, then SPEC in ingest.clean's syntax\n"
               "                        (\"zero_size=drop;SPY:outlier=keep\"); counted by reason\n"
               "  -q, --quiet           no per-file summary",
               cmd_import);
