/* barcsv.c — CSV bars in, golden-spelled numbers out (barcsv.h).  Follows the layout of
 * ../shared/golden/FUNCTIONS.md: a header row, comma-separated cells, no quoting (bar
 * files hold only numbers and names), LF or CRLF line ends.  Not for the tick path. */
#include "features/barcsv.h"
#include "daemon/runtime/err.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 256

struct tc_barcsv {
    FILE *f;
    char *path;
    char *line; /* getline buffer: current row, split in place */
    size_t cap;
    char *head; /* header line, split in place */
    int ncols;
    long lineno;
    char *name[MAX_COLS];
    char *cell[MAX_COLS];
};

/* Splits s at commas in place; returns the number of cells (or MAX_COLS + 1). */
static int split(char *s, char **cells)
{
    int n = 0;
    for (;;) {
        if (n == MAX_COLS)
            return MAX_COLS + 1;
        cells[n++] = s;
        char *comma = strchr(s, ',');
        if (!comma)
            return n;
        *comma = '\0';
        s = comma + 1;
    }
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

int tc_barcsv_open(tc_barcsv_t **ret_r, const char *path)
{
    tc_barcsv_t *r = calloc(1, sizeof *r);
    if (!r)
        return TC_ERR(-ENOMEM, "%s: out of memory", path);
    int rc;
    r->path = strdup(path);
    r->f = fopen(path, "r");
    if (!r->f) {
        rc = TC_ERR(-errno, "%s: cannot open: %s", path, strerror(errno));
        goto fail;
    }
    ssize_t len = getline(&r->head, &r->cap, r->f);
    r->cap = 0;
    if (len <= 0) {
        rc = TC_ERR(-EPROTO, "%s:1: no header row (an empty file)", path);
        goto fail;
    }
    r->lineno = 1;
    chomp(r->head);
    r->ncols = split(r->head, r->name);
    if (r->ncols > MAX_COLS) {
        rc = TC_ERR(-EPROTO, "%s:1: more than %d columns", path, MAX_COLS);
        goto fail;
    }
    for (int i = 0; i < r->ncols; i++) {
        if (!r->name[i][0]) {
            rc = TC_ERR(-EPROTO, "%s:1: column %d has no name", path, i + 1);
            goto fail;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(r->name[i], r->name[j]) == 0) {
                rc = TC_ERR(-EPROTO, "%s:1: column '%s' appears twice", path, r->name[i]);
                goto fail;
            }
    }
    *ret_r = r;
    return 0;
fail:
    tc_barcsv_close(r);
    return rc;
}

void tc_barcsv_close(tc_barcsv_t *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    free(r->line);
    free(r->head);
    free(r->path);
    free(r);
}

int tc_barcsv_cols(const tc_barcsv_t *r) { return r->ncols; }
const char *tc_barcsv_col_name(const tc_barcsv_t *r, int i) { return r->name[i]; }
long tc_barcsv_line(const tc_barcsv_t *r) { return r->lineno; }
const char *tc_barcsv_cell(const tc_barcsv_t *r, int i) { return r->cell[i]; }

int tc_barcsv_col(const tc_barcsv_t *r, const char *name)
{
    for (int i = 0; i < r->ncols; i++)
        if (strcmp(r->name[i], name) == 0)
            return i;
    return -1;
}

const char *tc_barcsv_col_list(const tc_barcsv_t *r, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < r->ncols && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", r->name[i]);
    return buf;
}

int tc_barcsv_next(tc_barcsv_t *r)
{
    for (;;) {
        errno = 0;
        ssize_t len = getline(&r->line, &r->cap, r->f);
        if (len < 0) {
            if (ferror(r->f))
                return TC_ERR(-EIO, "%s:%ld: read error: %s", r->path, r->lineno + 1,
                              strerror(errno ? errno : EIO));
            return 0;
        }
        r->lineno++;
        chomp(r->line);
        if (!r->line[0])
            continue;
        int n = split(r->line, r->cell);
        if (n != r->ncols)
            return TC_ERR(-EPROTO, "%s:%ld: %s%d cells where the header has %d", r->path,
                          r->lineno, n > MAX_COLS ? "more than " : "",
                          n > MAX_COLS ? MAX_COLS : n, r->ncols);
        return 1;
    }
}

int tc_barcsv_num(const tc_barcsv_t *r, int i, double *ret_v)
{
    const char *s = r->cell[i];
    if (!*s) {
        *ret_v = NAN;
        return 0;
    }
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || isspace((unsigned char)*s))
        return TC_ERR(-EPROTO, "%s:%ld: column '%s': '%.40s' is not a number", r->path,
                      r->lineno, r->name[i], s);
    *ret_v = v;
    return 0;
}

int tc_barcsv_fmt(char *buf, size_t len, double x)
{
    if (isnan(x))
        return snprintf(buf, len, "nan");
    if (isinf(x))
        return snprintf(buf, len, x > 0 ? "inf" : "-inf");
    if (x == 0)
        return snprintf(buf, len, signbit(x) ? "-0" : "0");
    /* Shortest digits first: %.*e with growing precision until strtod agrees. */
    char e[40];
    for (int p = 0; p < 17; p++) {
        snprintf(e, sizeof e, "%.*e", p, x);
        if (strtod(e, NULL) == x)
            break;
    }
    char digits[24];
    int nd = 0;
    const char *s = e + (e[0] == '-');
    for (; *s && *s != 'e'; s++)
        if (isdigit((unsigned char)*s))
            digits[nd++] = *s;
    int ex = atoi(s + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    char out[48];
    int o = 0;
    if (x < 0)
        out[o++] = '-';
    if (ex >= -6 && ex < 21) {
        if (ex < 0) {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = -1; i > ex; i--)
                out[o++] = '0';
            for (int i = 0; i < nd; i++)
                out[o++] = digits[i];
        } else {
            for (int i = 0; i <= ex || i < nd; i++) {
                if (i == ex + 1)
                    out[o++] = '.';
                out[o++] = i < nd ? digits[i] : '0';
            }
        }
        out[o] = '\0';
    } else {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            for (int i = 1; i < nd; i++)
                out[o++] = digits[i];
        }
        snprintf(out + o, sizeof out - (size_t)o, "e%c%d", ex < 0 ? '-' : '+', abs(ex));
    }
    return snprintf(buf, len, "%s", out);
}
