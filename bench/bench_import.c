/* bench_import.c — CSV parsing speed of the importers beside pandas.read_csv.
 *
 *     build/bin/bench_import [DATA_DIR] [FILE...]
 *
 * For each file: the file is read into memory once, then parsed into tick records in
 * memory (tc_import_open_mem + tc_import_read into a reused buffer), best of 5; the
 * same with the file read included (tc_import_open); and pandas.read_csv of the same
 * file into a DataFrame, best of 5, run by /usr/bin/python3 in the same run.  Prints
 * MB/s and ticks/s.  Times are CPU time of the process (both sides), single-threaded.  DATA_DIR defaults to $TC_SHARED_DIR/data/ticks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/runtime/err.h"
#include "ingest/import.h"

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
    }
    return 0;
}
