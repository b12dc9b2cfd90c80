/* test_cli_file.c — the file commands of the `tickcast` tool, run as a user would:
 * every shared tick file imports (records identical to the importer API's, counts as in
 * the tick README), import → export → import gives identical records, verify's exit
 * status and damage lines, inspect --json checked by an independent JSON parser, and
 * export's refusal of an ambiguous multi-symbol file. */
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "ingest/import.h"
#include "ingest/tickfile.h"
#include "tests/common/csvtab.h"
#include "tickgen.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];

static void setup(void)
{
    cr_assert(tickgen_tmpdir(dir, sizeof dir), "mkdtemp");
    tc_log_set_level(TC_LOG_ERR);
}
static void teardown(void) { tickgen_rmdir(dir); }

TestSuite(cli_file, .init = setup, .fini = teardown);

static const char *tickcast(void)
{
    static char p[1024];
    const char *bin = getenv("TC_BIN_DIR");
    snprintf(p, sizeof p, "%s/tickcast", bin ? bin : TC_BIN_DIR);
    return p;
}

/* Runs "tickcast ARGS" with stdout and stderr into out; returns the exit status. */
static int run(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int run(char *out, size_t cap, const char *fmt, ...)
{
    char args[3000], cmd[4200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", tickcast(), args);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "popen");
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    while (fgetc(p) != EOF) {
    }
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Runs "tickcast inspect --json path" into an independent JSON parser (Python's) and
 * prints the Python expression expr of the parsed document d into out. */
static void inspect_json_eval(char *out, size_t cap, const char *path, const char *expr)
{
    char cmd[2400];
    snprintf(cmd, sizeof cmd,
             "'%s' inspect --json '%s' | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(%s)'",
             tickcast(), path, expr);
    FILE *pp = popen(cmd, "r");
    cr_assert(pp, "popen");
    size_t n = fread(out, 1, cap - 1, pp);
    out[n] = '\0';
    cr_assert_eq(pclose(pp), 0, "%s", out);
}

/* All ticks of a native file (malloc'd). */
static tc_tick_t *native_ticks(const char *path, size_t *ret_n)
{
    tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_READ, NULL);
    cr_assert(tf, "%s", tc_err_msg());
    size_t n = tc_tickfile_stats(tf)->ticks;
    tc_tick_t *t = malloc((n + 1) * sizeof *t);
    int r = tc_tickfile_read(tf, t, (int)n + 1);
    cr_assert_eq(r, (int)n, "%s: read %d of %zu: %s", path, r, n, tc_err_msg());
    tc_tickfile_close(tf);
    *ret_n = n;
    return t;
}

static int skip_if_no_binary(void)
{
    return access(tickcast(), X_OK) == 0;
}

/* Rows of the README table where one data row is one tick. */
static const struct {
    const char *file;
    int rows;
} readme_rows[] = {
    {"fx_fxcm_eurusd_quotes_20140502.csv", 96406},
    {"fx_fxcm_eurusd_quotes_20140504.csv", 8025},
    {"fx_fxcm_eurusd_quotes_20140505.csv", 58143},
    {"fx_truefx_usdjpy_quotes_20130101.csv", 1000},
    {"fx_histdata_eurusd_quotes_20200101.csv", 9500},
    {"cfd_oanda_xauusd_quotes_20140504.csv", 9889},
    {"crypto_tardis_binancefutures_btcusdt_trades_20200222.csv", 9999},
    {"crypto_tardis_binancefutures_btcusdt_quotes_20200222.csv", 9999},
    {"equity_ibm_trades_20131007.csv", 24293},
    {"equity_spy_trades_20131007.csv", 250601},
    {"futures_comex_gc_dec2013_trades_20131007.csv", 39702},
    {"bars_daily_spy_lean.csv", 5849},
    {"bars_daily_orcl_yahoo.csv", 5036},
};

Test(cli_file, every_shared_file_imports_and_round_trips, .timeout = 120)
{
    if (!skip_if_no_binary())
        cr_skip_test("%s not built", tickcast());
    const char *ticks_dir = tc_shared_path("data/ticks");
    DIR *d = opendir(ticks_dir);
    if (!d)
        cr_skip_test("%s not found: the shared reference data must sit beside the clone", ticks_dir);
    char names[64][256];
    int nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) && nn < 64) {
        size_t l = strlen(e->d_name);
        if (l > 4 && (strcmp(e->d_name + l - 4, ".csv") == 0 || strcmp(e->d_name + l - 3, ".gz") == 0))
            snprintf(names[nn++], sizeof names[0], "%s", e->d_name);
    }
    closedir(d);
    cr_assert_geq(nn, 16, "the README lists 16 data files");
    static char out[1 << 16];
    int checked_rows = 0;
    for (int i = 0; i < nn; i++) {
        char src[1024], n1[512], txt[512], n2[512];
        snprintf(src, sizeof src, "%s/%s", ticks_dir, names[i]);
        snprintf(n1, sizeof n1, "%s/a.tck", dir);
        snprintf(txt, sizeof txt, "%s/a.txt", dir);
        snprintf(n2, sizeof n2, "%s/b.tck", dir);

        /* reference: the importer API directly */
        tc_import_t *im = tc_import_open(src, NULL);
        cr_assert(im, "%s: %s", names[i], tc_err_msg());
        size_t cap = 1 << 16, nref = 0;
        tc_tick_t *ref = malloc(cap * sizeof *ref);
        int r;
        while ((r = tc_import_read(im, ref + nref, 4096)) > 0) {
            nref += (size_t)r;
            if (nref + 4096 > cap)
                ref = realloc(ref, (cap *= 2) * sizeof *ref);
        }
        cr_assert_eq(r, 0);
        tc_symbol_t sym = *tc_import_symbol(im);
        tc_import_close(im);
        cr_assert_gt(nref, 0, "%s: no ticks", names[i]);
        for (size_t k = 0; k < sizeof readme_rows / sizeof readme_rows[0]; k++)
            if (strcmp(readme_rows[k].file, names[i]) == 0) {
                cr_assert_eq(nref, (size_t)readme_rows[k].rows, "%s: %zu ticks, README %d rows", names[i], nref,
                             readme_rows[k].rows);
                checked_rows++;
            }

        const char *zopt = i % 2 ? "--zstd" : "";
        int st = run(out, sizeof out, "import '%s' -o '%s' %s", src, n1, zopt);
        cr_assert_eq(st, 0, "import %s: %s", names[i], out);
        size_t n;
        tc_tick_t *a = native_ticks(n1, &n);
        cr_assert_eq(n, nref, "%s", names[i]);
        cr_assert(memcmp(a, ref, n * sizeof *a) == 0, "%s: native records differ from the importer's", names[i]);
        tc_tickfile_t *tf = tc_tickfile_open(n1, TC_TICKFILE_READ, NULL);
        int ns;
        const tc_symbol_t *fs = tc_tickfile_symbols(tf, &ns);
        cr_assert_eq(ns, 1);
        cr_assert(memcmp(&fs[0], &sym, sizeof sym) == 0, "%s: symbol entry", names[i]);
        tc_tickfile_close(tf);

        st = run(out, sizeof out, "export '%s' -o '%s'", n1, txt);
        cr_assert_eq(st, 0, "export %s: %s", names[i], out);
        st = run(out, sizeof out, "import '%s' -o '%s' --format tickcast-text", txt, n2);
        cr_assert_eq(st, 0, "re-import %s: %s", names[i], out);
        size_t n2n;
        tc_tick_t *b = native_ticks(n2, &n2n);
        cr_assert_eq(n2n, n, "%s: re-import count", names[i]);
        for (size_t k = 0; k < n; k++)
            cr_assert(memcmp(&a[k], &b[k], sizeof *a) == 0, "%s: tick %zu differs after export → import", names[i],
                      k);
        free(a);
        free(b);
        free(ref);
    }
    cr_assert_eq(checked_rows, (int)(sizeof readme_rows / sizeof readme_rows[0]));
}

static void make_file(const char *path, int nsyms, uint64_t n, uint32_t block_ticks)
{
    tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_CREATE, &(tc_tickfile_opts_t){.block_ticks = block_ticks});
    cr_assert(tf);
    for (int k = 0; k < nsyms; k++) {
        tc_symbol_t s;
        tickgen_symbol(&s, k);
        tc_tickfile_symbol_add(tf, &s);
    }
    for (uint64_t i = 0; i < n; i++) {
        tc_tick_t t;
        tickgen(&t, i, nsyms);
        tc_tickfile_append(tf, &t, 1);
    }
    cr_assert_eq(tc_tickfile_close(tf), 0);
}

Test(cli_file, verify_exit_status_and_damage_lines)
{
    if (!skip_if_no_binary())
        cr_skip_test("%s not built", tickcast());
    char good[300], bad[300], torn[300], out[8192];
    snprintf(good, sizeof good, "%s/good.tck", dir);
    snprintf(bad, sizeof bad, "%s/bad.tck", dir);
    snprintf(torn, sizeof torn, "%s/torn.tck", dir);
    make_file(good, 2, 1000, 100);
    make_file(bad, 2, 1000, 100);
    make_file(torn, 2, 1000, 100);

    cr_assert_eq(run(out, sizeof out, "verify '%s'", good), 0, "%s", out);
    cr_assert(strstr(out, "ok, 11 blocks, 1000 ticks"), "%s", out);

    /* two flipped bytes in two blocks: two lines, each naming file and block offset */
    tc_tickfile_t *tf = tc_tickfile_open(bad, TC_TICKFILE_READ, NULL);
    uint64_t o3 = tc_tickfile_block(tf, 3)->off, o7 = tc_tickfile_block(tf, 7)->off;
    tc_tickfile_close(tf);
    int fd = open(bad, O_RDWR);
    uint8_t x = 0xff;
    cr_assert_eq(pwrite(fd, &x, 1, (off_t)(o3 + 64 + 100)), 1);
    cr_assert_eq(pwrite(fd, &x, 1, (off_t)(o7 + 64 + 6000)), 1);
    close(fd);
    cr_assert_eq(run(out, sizeof out, "verify '%s'", bad), 1, "%s", out);
    char want[400];
    snprintf(want, sizeof want, "%s: offset %llu: ", bad, (unsigned long long)o3);
    cr_assert(strstr(out, want), "want '%s' in: %s", want, out);
    snprintf(want, sizeof want, "%s: offset %llu: ", bad, (unsigned long long)o7);
    cr_assert(strstr(out, want), "want '%s' in: %s", want, out);
    cr_assert(strstr(out, "CRC mismatch"), "%s", out);

    /* a torn tail is damage too, named at the cut */
    struct stat sb;
    stat(torn, &sb);
    cr_assert_eq(truncate(torn, sb.st_size - 1000), 0);
    cr_assert_eq(run(out, sizeof out, "verify '%s'", torn), 1, "%s", out);
    cr_assert(strstr(out, "torn tail"), "%s", out);

    /* a directory: every file, status 1 for the damaged ones */
    cr_assert_eq(run(out, sizeof out, "verify '%s'", dir), 1, "%s", out);
    cr_assert(strstr(out, "good.tck: ok"), "%s", out);
    cr_assert(strstr(out, "3 damaged blocks in 2 of 3 files"), "%s", out);

    /* cannot check: status 2 with the reason */
    cr_assert_eq(run(out, sizeof out, "verify '%s/missing.tck'", dir), 2, "%s", out);
    cr_assert(strstr(out, "missing.tck: No such file"), "%s", out);
    fd = open(good, O_RDWR);
    cr_assert_eq(pwrite(fd, "X", 1, 0), 1);
    close(fd);
    cr_assert_eq(run(out, sizeof out, "verify '%s'", good), 2, "%s", out);
    cr_assert(strstr(out, "bad magic"), "%s", out);
}

Test(cli_file, inspect_json_counts)
{
    if (!skip_if_no_binary())
        cr_skip_test("%s not built", tickcast());
    if (access("/usr/bin/python3", X_OK) != 0)
        cr_skip_test("/usr/bin/python3 (the independent JSON parser) is missing");
    char p[300], out[1 << 14];
    snprintf(p, sizeof p, "%s/i.tck", dir);
    make_file(p, 3, 5000, 512);
    /* the reference counts, from the generator */
    uint64_t trades[3] = {0}, quotes[3] = {0};
    for (uint64_t i = 0; i < 5000; i++) {
        tc_tick_t t;
        tickgen(&t, i, 3);
        (t.kind == TC_TICK_TRADE ? trades : quotes)[t.sym]++;
    }
    inspect_json_eval(out, sizeof out, p,
                      "d[\"ticks\"], \" \".join(\"%s:%d:%d\" % (s[\"name\"], s[\"kinds\"].get(\"trade\",0), "
                      "s[\"kinds\"].get(\"quote\",0)) for s in d[\"symbols\"])");
    char want[256];
    snprintf(want, sizeof want, "5000 SYM0:%llu:%llu SYM1:%llu:%llu SYM2:%llu:%llu\n", (unsigned long long)trades[0],
             (unsigned long long)quotes[0], (unsigned long long)trades[1], (unsigned long long)quotes[1],
             (unsigned long long)trades[2], (unsigned long long)quotes[2]);
    cr_assert_str_eq(out, want);

    /* text form: the time span of the generator (1 µs apart from TICKGEN_T0) */
    cr_assert_eq(run(out, sizeof out, "inspect '%s'", p), 0, "%s", out);
    cr_assert(strstr(out, "ticks       5000"), "%s", out);
    cr_assert(strstr(out, "2023-11-14T22:13:20.000000000Z"), "%s", out);
}

Test(cli_file, export_needs_a_symbol_for_multi_symbol_files)
{
    if (!skip_if_no_binary())
        cr_skip_test("%s not built", tickcast());
    char p[300], o[300];
    static char out[1 << 20];
    snprintf(p, sizeof p, "%s/m.tck", dir);
    snprintf(o, sizeof o, "%s/m.txt", dir);
    make_file(p, 2, 300, 64);
    cr_assert_eq(run(out, sizeof out, "export '%s'", p), 1);
    cr_assert(strstr(out, "holds 2 symbols") && strstr(out, "--symbol"), "%s", out);
    cr_assert_eq(run(out, sizeof out, "export '%s' --symbol SYM1 -o '%s'", p, o), 0, "%s", out);
    uint64_t want = 0;
    for (uint64_t i = 0; i < 300; i++) {
        tc_tick_t t;
        tickgen(&t, i, 2);
        want += t.sym == 1;
    }
    FILE *f = fopen(o, "r");
    char line[512];
    uint64_t lines = 0;
    while (fgets(line, sizeof line, f))
        lines += line[0] != '#';
    fclose(f);
    cr_assert_eq(lines, want);
    cr_assert_eq(run(out, sizeof out, "export '%s' --symbol NOPE", p), 1);
    cr_assert(strstr(out, "no symbol 'NOPE'"), "%s", out);
    cr_assert_eq(run(out, sizeof out, "import '%s/none.csv' -o '%s/x.tck'", dir, dir), 1);
    cr_assert(strstr(out, "none.csv"), "%s", out);
}

/* Rejected rows are counted by reason at import and kept in the file: inspect --json
 * reports them (checked with an independent JSON parser). */
Test(cli_file, import_rejects_are_kept_and_inspected)
{
    if (!skip_if_no_binary())
        cr_skip_test("%s not built", tickcast());
    if (access("/usr/bin/python3", X_OK) != 0)
        cr_skip_test("/usr/bin/python3 (the independent JSON parser) is missing");
    char src[300], p[300], out[1 << 14];
    snprintf(src, sizeof src, "%s/bad.txt", dir);
    snprintf(p, sizeof p, "%s/bad.tck", dir);
    FILE *f = fopen(src, "w");
    fprintf(f, "%s\n", TC_IMPORT_TEXT_HEADER);
    fprintf(f, "T,1000,1000,1.25,100,0,0,0,0,0,0\n");
    fprintf(f, "T,2000,2000,1.x5,100,0,0,0,0,0,0\n");   /* bad number */
    fprintf(f, "T,3000,3000,1.25,100,0,0\n");            /* 7 columns */
    fprintf(f, "T,4000,4000,1.50,200,0,0,0,0,0,0\n");
    fclose(f);
    cr_assert_eq(run(out, sizeof out, "import '%s' -o '%s' --format tickcast-text", src, p), 0, "%s", out);
    cr_assert(strstr(out, "2 ticks, 2 rejected"), "%s", out);
    inspect_json_eval(out, sizeof out, p, "d[\"ticks\"], sorted(d[\"rejects\"].items()), len(d[\"notes\"])");
    cr_assert_str_eq(out, "2 [('columns', 1), ('number', 1)] 1\n");
    cr_assert_eq(run(out, sizeof out, "inspect '%s'", p), 0);
    cr_assert(strstr(out, "bad.txt:3:"), "the first message names file:line: %s", out);
}

/* `import --clean`: the README's counts of crossed and locked FXCM quotes (20140504: 174
 * and 259) and of zero-size GC prints (92) are what the rules match and drop; what is
 * written is the uncleaned import minus exactly those ticks, in order; a bad spec is
 * refused before the output is created. */
Test(cli_file, import_clean_drops_what_the_readme_counts, .timeout = 60)
{
    if (!skip_if_no_binary())
        cr_skip_test("%s not built", tickcast());
    if (access("/usr/bin/python3", X_OK) != 0)
        cr_skip_test("/usr/bin/python3 (the independent JSON parser) is missing");
    const char *ticks_dir = tc_shared_path("data/ticks");
    static const struct {
        const char *file, *spec, *json;
        int kind; /* 0: crossed or locked quotes, 1: zero-size trades */
    } cases[] = {
        {"fx_fxcm_eurusd_quotes_20140504.csv", "crossed=drop,locked=drop",
         "[('crossed', 174, 174), ('locked', 259, 259)]", 0},
        {"futures_comex_gc_dec2013_trades_20131007.csv", "zero_size=drop", "[('zero_size', 92, 92)]", 1},
    };
    static char out[1 << 14];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char src[600], raw[300], cln[300];
        snprintf(src, sizeof src, "%s/%s", ticks_dir, cases[c].file);
        if (access(src, R_OK) != 0)
            cr_skip_test("%s is missing", src);
        snprintf(raw, sizeof raw, "%s/raw%zu.tck", dir, c);
        snprintf(cln, sizeof cln, "%s/clean%zu.tck", dir, c);
        cr_assert_eq(run(out, sizeof out, "import '%s' -o '%s' -q", src, raw), 0, "%s", out);
        cr_assert_eq(run(out, sizeof out, "import '%s' -o '%s' --clean='%s'", src, cln, cases[c].spec), 0,
                     "%s", out);
        size_t nr, nc, k = 0;
        tc_tick_t *r = native_ticks(raw, &nr), *t = native_ticks(cln, &nc);
        for (size_t i = 0; i < nr; i++) {
            int drop = cases[c].kind == 0 ? r[i].quote.bid >= r[i].quote.ask : r[i].trade.size == 0;
            if (drop)
                continue;
            cr_assert(k < nc, "%s: cleaned file ends at %zu", cases[c].file, k);
            cr_assert_eq(memcmp(&r[i], &t[k], sizeof r[i]), 0, "%s: tick %zu of the raw import is not "
                         "tick %zu of the cleaned one", cases[c].file, i, k);
            k++;
        }
        cr_assert_eq(k, nc, "%s: %zu ticks kept of %zu, cleaned file has %zu", cases[c].file, k, nr, nc);
        free(r);
        free(t);
        inspect_json_eval(out, sizeof out, cln,
                          "sorted((k, v, d[\"clean_dropped\"][k]) for k, v in d[\"cleaned\"].items() if k != \"gap\")");
        cr_assert_eq(strncmp(out, cases[c].json, strlen(cases[c].json)), 0, "%s: %s", cases[c].file, out);
    }
    char bad[300];
    snprintf(bad, sizeof bad, "%s/bad.tck", dir);
    cr_assert_eq(run(out, sizeof out, "import '%s/%s' -o '%s' --clean=crossed=sometimes", ticks_dir,
                     cases[0].file, bad), 2, "%s", out);
    cr_assert(strstr(out, "crossed=sometimes"), "the error names the bad item: %s", out);
    cr_assert_neq(access(bad, F_OK), 0, "a refused import must not create its output");
}
