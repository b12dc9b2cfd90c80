/* bench_import.c — CSV parsing speed of the importers beside pandas.read_csv.
 *
 *     build/bin/bench_import [DATA_DIR] [FILE...]
 *
 * For each file: the file is read into memory once, then parsed into tick records in
 * memory (tc_import_open_mem + tc_import_read into a reused buffer), best of 5; the
 * same with the file read included (tc_import_open); and pandas.read_csv of the same
 * file into a DataFrame, best of 5, run by /usr/bin/python3 in the same run.  Prints
 * MB/s and ticks/s.  Times are CPU time of the process (both sides), single-threaded.  DATA_DIR defaults to $TC_SHARED_DIR/data/ticks.
 *
 * Then the full `tickcast import FILE -o OUT --clean` (parse, clean with the default
 * rules of the ingest stage, convert times, write the
 * native file with its CRCs, fsync), raw and --zstd, best of 5 runs of the command in
 * its own process, OUT under $TC_BENCH_DIR (default /var/tmp): wall time from fork to
 * exit, and the child's CPU time (user + system) from wait4, so the fsync wait shows
 * as the difference.  `tickcast` is looked up beside this program (or in $TC_BIN_DIR). */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "daemon/runtime/config.h"
#include "ingest/cleanset.h"
#include "ingest/import.h"
#include "ingest/tickfile.h"

#define REPS 5

/* CPU time of this process: on a shared, loaded machine wall time mostly measures the
 * other tenants; both sides of the comparison are measured the same way. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static tc_tick_t buf[8192];

/* Returns ticks parsed, or -1. */
static long drain(tc_import_t *im)
{
    long n = 0;
    int k;
    while ((k = tc_import_read(im, buf, 8192)) > 0)
        n += k;
    tc_import_close(im);
    return k < 0 ? -1 : n;
}

static double pandas(const char *path, int header)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import time,pandas as pd\n"
             "b=1e9\n"
             "for i in range(%d):\n"
             "  t=time.process_time(); d=pd.read_csv('%s', header=%s); b=min(b,time.process_time()-t)\n"
             "print(b, len(d))\" 2>/dev/null",
             REPS, path, header ? "0" : "None");
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    double best = -1;
    long rows = 0;
    if (fscanf(p, "%lf %ld", &best, &rows) != 2)
        best = -1;
    pclose(p);
    return best;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *no_names(void *ctx, uint16_t id) { return NULL; }

/* The import path in this process: importer, the default cleaning rules, a native file
 * with CRCs (as tools/cmd_import.c --clean, without its fsync and its notes).  Best CPU
 * seconds of REPS. */
static double inproc_import(const char *in, const char *out, int zstd)
{
    double best = 1e9;
    for (int r = 0; r < REPS; r++) {
        double t0 = now();
        tc_import_t *im = tc_import_open(in, NULL);
        tc_tickfile_t *tf = im ? tc_tickfile_open(out, TC_TICKFILE_CREATE,
                                                  &(tc_tickfile_opts_t){.codec = zstd ? TC_TICKFILE_CODEC_ZSTD : 0})
                               : NULL;
        tc_config_t cfg;
        tc_clean_cfg_t base;
        tc_config_defaults(&cfg);
        tc_cleanset_cfg_from_config(&base, &cfg.ingest);
        tc_cleanset_t *cs = tc_cleanset_create(&base, "", no_names, NULL);
        int k = tf && cs ? tc_tickfile_symbol_add(tf, tc_import_symbol(im)) : -1;
        while (k >= 0 && (k = tc_import_read(im, buf, 8192)) > 0)
            if ((k = tc_cleanset_push(cs, buf, k)) < 0 || (k > 0 && tc_tickfile_append(tf, buf, k) < 0))
                k = -1;
        while (k >= 0 && (k = tc_cleanset_flush(cs, buf, 8192)) > 0)
            if (tc_tickfile_append(tf, buf, k) < 0)
                k = -1;
        tc_cleanset_destroy(cs);
        tc_import_close(im);
        if ((tf && tc_tickfile_close(tf) < 0) || k < 0) {
            fprintf(stderr, "bench_import: %s -> %s: %s\n", in, out, tc_err_msg());
            return -1;
        }
        double dt = now() - t0;
        best = dt < best ? dt : best;
    }
    unlink(out);
    return best;
}

/* Runs argv (argv[0] the program's path) in its own process, output to /dev/null, REPS
 * times; best wall and CPU (user + system, from wait4) seconds, each minimum taken
 * separately.  -1 if a run fails. */
static int time_command(char *const argv[], double *ret_wall, double *ret_cpu)
{
    *ret_wall = *ret_cpu = 1e9;
    for (int r = 0; r < REPS; r++) {
        double t0 = wall();
        fflush(NULL); /* or the child's freopen flushes our buffered output again */
        pid_t pid = fork();
        if (pid == 0) {
            if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
                _exit(126);
            execv(argv[0], argv);
            _exit(127);
        }
        int st;
        struct rusage ru;
        if (pid < 0 || wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "bench_import: %s %s failed\n", argv[0], argv[1]);
            return -1;
        }
        double w = wall() - t0;
        double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
                     ru.ru_stime.tv_usec * 1e-6;
        *ret_wall = w < *ret_wall ? w : *ret_wall;
        *ret_cpu = cpu < *ret_cpu ? cpu : *ret_cpu;
    }
    return 0;
}

/* `tickcast import in -o out -q --clean [--zstd]` through time_command. */
static int time_import(const char *tickcast, const char *in, const char *out, int zstd, double *ret_wall,
                       double *ret_cpu)
{
    char *const argv[] = {(char *)tickcast, "import", (char *)in, "-o", (char *)out, "-q", "--clean",
                          zstd ? "--zstd" : NULL, NULL};
    return time_command(argv, ret_wall, ret_cpu);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : NULL;
    char dbuf[1024];
    if (!dir) {
        const char *root = getenv("TC_SHARED_DIR");
        snprintf(dbuf, sizeof dbuf, "%s/data/ticks", root ? root : "../shared");
        dir = dbuf;
    }
    static const char *const defaults[] = {"equity_spy_trades_20131007.csv", "fx_fxcm_eurusd_quotes_20140502.csv"};
    int nf = argc > 2 ? argc - 2 : 2;
    char tickcast[1024], self[1024];
    const char *bindir = getenv("TC_BIN_DIR");
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    self[sl > 0 ? sl : 0] = 0;
    snprintf(tickcast, sizeof tickcast, "%s/tickcast", bindir ? bindir : dirname(self));
    char outdir[512];
    const char *base = getenv("TC_BENCH_DIR");
    snprintf(outdir, sizeof outdir, "%s/tc-bench-XXXXXX", base ? base : "/var/tmp");
    if (!mkdtemp(outdir)) {
        perror("bench_import: mkdtemp");
        return 1;
    }
    struct { double mb, ticks, pd, inproc[2], wall[2], cpu[2]; long long out[2]; int ok; } imp[16] = {{0}};
    printf("%-38s %6s %10s %9s %10s %11s %11s %11s\n", "file", "MB", "parse MB/s", "Mticks/s",
           "+read MB/s", "pandas MB/s", "x (parse)", "x (+read)");
    for (int i = 0; i < nf; i++) {
        const char *name = argc > 2 ? argv[2 + i] : defaults[i];
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        size_t len;
        char *data = slurp(path, &len);
        if (!data) {
            fprintf(stderr, "bench_import: cannot read %s\n", path);
            return 1;
        }
        double best = 1e9, best_rd = 1e9;
        long ticks = 0;
        for (int r = 0; r < REPS; r++) {
            double t0 = now();
            tc_import_t *im = tc_import_open_mem(path, data, len, NULL);
            if (!im) {
                fprintf(stderr, "bench_import: %s\n", tc_err_msg());
                return 1;
            }
            ticks = drain(im);
            double dt = now() - t0;
            best = dt < best ? dt : best;
            t0 = now();
            im = tc_import_open(path, NULL);
            if (!im || drain(im) != ticks) {
                fprintf(stderr, "bench_import: %s\n", tc_err_msg());
                return 1;
            }
            dt = now() - t0;
            best_rd = dt < best_rd ? dt : best_rd;
        }
        /* pandas: a header row only where the format has one */
        int header = !strncmp(data, "exchange,", 9) || !strncmp(data, "timestamp,", 10) || !strncmp(data, "Date,", 5);
        double pd = pandas(path, header);
        double mb = (double)len / 1e6;
        printf("%-38s %6.2f %10.0f %9.2f %10.0f %11.0f %11.2f %11.2f\n", name, mb, mb / best,
               ticks / best / 1e6, mb / best_rd, pd > 0 ? mb / pd : 0.0, pd > 0 ? pd / best : 0.0,
               pd > 0 ? pd / best_rd : 0.0);
        free(data);
        if (i < 16) {
            char out[600];
            imp[i].mb = mb;
            imp[i].ticks = (double)ticks;
            imp[i].pd = pd;
            imp[i].ok = 1;
            for (int z = 0; z < 2; z++) {
                snprintf(out, sizeof out, "%s/%d.tck", outdir, z);
                struct stat sb;
                if (time_import(tickcast, path, out, z, &imp[i].wall[z], &imp[i].cpu[z]) < 0 || stat(out, &sb) < 0) {
                    imp[i].ok = 0;
                    break;
                }
                imp[i].out[z] = (long long)sb.st_size;
                unlink(out);
                if ((imp[i].inproc[z] = inproc_import(path, out, z)) < 0) {
                    imp[i].ok = 0;
                    break;
                }
            }
        }
    }
    /* what any tickcast command costs to start (libraries, relocations) on this machine */
    double st_wall, st_cpu;
    time_command((char *const[]){tickcast, "version", NULL}, &st_wall, &st_cpu);
    rmdir(outdir);
    printf("\nimport into a native file (parse, check, clean by the default rules, convert times, write blocks with\n"
           "CRC32C), best of %d:\n"
           "  in process   the importer, the cleaner and the writer called here, CPU time, no fsync\n"
           "  command      `tickcast import FILE -o OUT -q --clean [--zstd]` in its own process: wall (start-up and\n"
           "               fsync included) and CPU (user + system, start-up included)\n"
           "  start-up     `tickcast version`: %.1f ms wall, %.1f ms CPU\n", REPS, st_wall * 1e3, st_cpu * 1e3);
    printf("%-38s %5s %16s %16s %16s %9s %9s\n", "file", "", "in process", "command wall", "command CPU",
           "out/CSV", "x pandas");
    printf("%-38s %5s %16s %16s %16s %9s %9s\n", "", "", "MB/s (Mticks/s)", "MB/s (Mticks/s)", "MB/s (Mticks/s)",
           "size", "(in proc)");
    for (int i = 0; i < nf && i < 16; i++) {
        const char *name = argc > 2 ? argv[2 + i] : defaults[i];
        for (int z = 0; z < 2 && imp[i].ok; z++) {
            char ip[32], w[32], c[32];
            snprintf(ip, sizeof ip, "%.0f (%.2f)", imp[i].mb / imp[i].inproc[z], imp[i].ticks / imp[i].inproc[z] / 1e6);
            snprintf(w, sizeof w, "%.0f (%.2f)", imp[i].mb / imp[i].wall[z], imp[i].ticks / imp[i].wall[z] / 1e6);
            snprintf(c, sizeof c, "%.0f (%.2f)", imp[i].mb / imp[i].cpu[z], imp[i].ticks / imp[i].cpu[z] / 1e6);
            printf("%-38s %5s %16s %16s %16s %9.3f %9.2f\n", z ? "" : name, z ? "zstd" : "raw", ip, w, c,
                   (double)imp[i].out[z] / (imp[i].mb * 1e6), imp[i].pd > 0 ? imp[i].pd / imp[i].inproc[z] : 0.0);
        }
        if (!imp[i].ok)
            printf("%-38s failed\n", name);
    }
    return 0;
}
