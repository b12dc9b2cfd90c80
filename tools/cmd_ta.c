/* cmd_ta.c — `tickcast ta`: one catalog function over a CSV of bars, written in the
 * layout of ../shared/golden (`ts,<outputs>`, empty cells during the lookback, shortest
 * round-trip numbers), so anyone can hold tickcast against TA-Lib on their own data.
 *
 * Inputs are mapped as golden/FUNCTIONS.md does unless --map says otherwise: price
 * inputs (open, high, low, close, volume) from the column of that name, inReal from
 * close, inReal0/inReal1 from high/low; inPeriods has no default.  The bars go through
 * the same streaming update as the daemons, one row at a time. */
#include "tools/cli.h"
#include "daemon/runtime/err.h"
#include "features/barcsv.h"
#include "features/ta.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_MAPS 16

static const char *default_column(const char *input)
{
    if (strcmp(input, "inReal") == 0)
        return "close";
    if (strcmp(input, "inReal0") == 0)
        return "high";
    if (strcmp(input, "inReal1") == 0)
        return "low";
    if (strcmp(input, "inPeriods") == 0)
        return NULL;
    return input; /* open, high, low, close, volume */
}

static int write_all(FILE *out, const char *what)
{
    if (fflush(out) != 0 || ferror(out))
        return TC_ERR(-EIO, "%s: write error", what);
    return 0;
}

static int cmd_ta(int argc, char **argv)
{
    const char *fname = NULL, *input = NULL, *output = NULL;
    const char *maps[MAX_MAPS];
    int n_maps = 0, mode = TC_TA_MODE_TALIB, skip_bad = 0;
    char spec[1024] = "";
    size_t spec_len = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (strcmp(a, "--input") == 0 || strcmp(a, "-i") == 0) {
            if (!has_val)
                return TC_ERR(-EINVAL, "%s needs a file", a);
            input = argv[++i];
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!has_val)
                return TC_ERR(-EINVAL, "%s needs a file", a);
            output = argv[++i];
        } else if (strcmp(a, "--map") == 0) {
            if (!has_val || !strchr(argv[i + 1], '='))
                return TC_ERR(-EINVAL, "--map needs INPUT=COLUMN");
            if (n_maps == MAX_MAPS)
                return TC_ERR(-EINVAL, "more than %d --map options", MAX_MAPS);
            maps[n_maps++] = argv[++i];
        } else if (strcmp(a, "--mode") == 0) {
            if (!has_val)
                return TC_ERR(-EINVAL, "--mode needs talib or precise");
            const char *m = argv[++i];
            if (strcmp(m, "talib") == 0)
                mode = TC_TA_MODE_TALIB;
            else if (strcmp(m, "precise") == 0)
                mode = TC_TA_MODE_PRECISE;
            else
                return TC_ERR(-EINVAL, "--mode '%s': expected talib or precise", m);
        } else if (strcmp(a, "--skip-bad") == 0) {
            skip_bad = 1;
        } else if (a[0] == '-' && a[1]) {
            return TC_ERR(-EINVAL, "unknown option '%s' (tickcast ta --help)", a);
        } else if (!fname) {
            fname = a;
        } else if (strchr(a, '=')) {
            size_t l = strlen(a);
            if (spec_len + l + 2 > sizeof spec)
                return TC_ERR(-EINVAL, "too many parameters");
            memcpy(spec + spec_len, a, l);
            spec_len += l;
            spec[spec_len++] = ' ';
            spec[spec_len] = '\0';
        } else {
            return TC_ERR(-EINVAL, "'%s' is not NAME=VALUE", a);
        }
    }
    if (!fname)
        return TC_ERR(-EINVAL, "no function given (tickcast features --list shows them)");
    if (!input)
        return TC_ERR(-EINVAL, "--input BARS.csv is required");
    const tc_ta_func_t *f = tc_ta_find(fname);
    if (!f)
        return TC_ERR(-EINVAL, "unknown function '%s' (tickcast features --list shows them)", fname);
    double p[TC_TA_MAX_PARAM];
    int rc = tc_ta_params_parse(f, spec, p);
    if (rc < 0)
        return rc;

    tc_barcsv_t *r = NULL;
    tc_ta_t *ta = NULL;
    FILE *out = NULL;
    rc = tc_barcsv_open(&r, input);
    if (rc < 0)
        return rc;

    char cols[1024];
    int ts_col = tc_barcsv_col(r, "ts");
    if (ts_col < 0) {
        rc = TC_ERR(-EINVAL, "%s: no 'ts' column (columns: %s)", input,
                    tc_barcsv_col_list(r, cols, sizeof cols));
        goto done;
    }
    int in_col[TC_TA_MAX_IN];
    for (int k = 0; k < f->n_in; k++) {
        const char *col = default_column(f->in[k]);
        for (int m = 0; m < n_maps; m++) {
            const char *eq = strchr(maps[m], '=');
            if ((size_t)(eq - maps[m]) == strlen(f->in[k]) &&
                strncmp(maps[m], f->in[k], (size_t)(eq - maps[m])) == 0)
                col = eq + 1;
        }
        if (!col) {
            rc = TC_ERR(-EINVAL, "%s: input %s has no default column: give --map %s=COLUMN",
                        f->name, f->in[k], f->in[k]);
            goto done;
        }
        in_col[k] = tc_barcsv_col(r, col);
        if (in_col[k] < 0) {
            rc = TC_ERR(-EINVAL, "%s: no column '%s' for input %s of %s (columns: %s)", input,
                        col, f->in[k], f->name, tc_barcsv_col_list(r, cols, sizeof cols));
            goto done;
        }
    }
    for (int m = 0; m < n_maps; m++) {
        const char *eq = strchr(maps[m], '=');
        int known = 0;
        for (int k = 0; k < f->n_in; k++)
            known |= (size_t)(eq - maps[m]) == strlen(f->in[k]) &&
                     strncmp(maps[m], f->in[k], (size_t)(eq - maps[m])) == 0;
        if (!known) {
            char ins[128] = "";
            for (int k = 0; k < f->n_in; k++)
                snprintf(ins + strlen(ins), sizeof ins - strlen(ins), "%s%s", k ? " " : "", f->in[k]);
            rc = TC_ERR(-EINVAL, "--map %s: %s has no input '%.*s' (its inputs: %s)", maps[m],
                        f->name, (int)(eq - maps[m]), maps[m], ins);
            goto done;
        }
    }

    ta = tc_ta_create(f, p, mode);
    if (!ta) {
        rc = tc_err_code() ? tc_err_code() : -EINVAL;
        goto done;
    }
    out = output ? fopen(output, "w") : stdout;
    if (!out) {
        rc = TC_ERR(-errno, "%s: cannot create: %s", output, strerror(errno));
        goto done;
    }
    fputs("ts", out);
    for (int k = 0; k < f->n_out; k++)
        fprintf(out, ",%s", f->out[k]);
    fputc('\n', out);

    long bad = 0;
    char first_bad[TC_ERR_MSG_MAX] = "";
    for (;;) {
        rc = tc_barcsv_next(r);
        double x[TC_TA_MAX_IN], y[TC_TA_MAX_OUT];
        for (int k = 0; rc > 0 && k < f->n_in; k++)
            if (tc_barcsv_num(r, in_col[k], &x[k]) < 0)
                rc = -EPROTO;
        if (rc == 0)
            break;
        if (rc < 0) {
            if (rc != -EPROTO || !skip_bad)
                goto done;
            if (!bad++)
                snprintf(first_bad, sizeof first_bad, "%s", tc_err_msg());
            continue;
        }
        int ready = tc_ta_update(ta, x, y);
        fputs(tc_barcsv_cell(r, ts_col), out);
        for (int k = 0; k < f->n_out; k++) {
            char num[48];
            if (!ready)
                num[0] = '\0';
            else if ((f->out_int >> k) & 1)
                snprintf(num, sizeof num, "%.0f", y[k]);
            else
                tc_barcsv_fmt(num, sizeof num, y[k]);
            fprintf(out, ",%s", num);
        }
        fputc('\n', out);
    }
    rc = write_all(out, output ? output : "stdout");
    if (bad)
        fprintf(stderr, "tickcast ta: skipped %ld malformed row%s; the first: %s\n", bad,
                bad == 1 ? "" : "s", first_bad);
done:
    if (out && out != stdout) {
        if (fclose(out) != 0 && rc == 0)
            rc = TC_ERR(-EIO, "%s: write error", output);
        if (rc < 0)
            remove(output); /* no half-written file that looks like a result */
    }
    tc_ta_destroy(ta);
    tc_barcsv_close(r);
    return rc;
}

TC_CLI_COMMAND(ta, "run one TA-Lib function over a CSV of bars (golden layout out)",
               "tickcast ta FUNC [NAME=VALUE ...] --input BARS.csv [options]\n"
               "\n"
               "  FUNC               a catalog function (tickcast features --list), any case\n"
               "  NAME=VALUE         a parameter as TA-Lib names it: TimePeriod=14 MAType=1\n"
               "  -i, --input FILE   bars: a header row with ts and the mapped columns\n"
               "                     (golden layout: ts,open,high,low,close,volume, extras allowed)\n"
               "  --map INPUT=COLUMN feed TA-Lib input INPUT (inReal, inReal0, inReal1,\n"
               "                     inPeriods, open, high, ...) from COLUMN; defaults:\n"
               "                     inReal=close inReal0=high inReal1=low, prices by name\n"
               "  --mode talib|precise  numeric mode of the windowed statistics (default talib)\n"
               "  -o, --output FILE  write there instead of stdout\n"
               "  --skip-bad         skip and count malformed rows instead of stopping at the first\n"
               "\n"
               "Output: ts,<outputs> with TA-Lib's output names, an empty cell while the\n"
               "function is in its lookback, numbers in the shortest form that reads back.",
               cmd_ta);
