/* csvtab.c — whole-file CSV tables for tests (csvtab.h). */
#include "tests/common/csvtab.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int csvtab_load(csvtab_t *t, const char *path)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -errno;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    t->buf = malloc((size_t)n + 1);
    if (fread(t->buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(t->buf);
        return -EIO;
    }
    fclose(f);
    t->buf[n] = '\0';
    int lines = 0;
    for (long i = 0; i < n; i++)
        lines += t->buf[i] == '\n';
    lines += n > 0 && t->buf[n - 1] != '\n';
    char *p = t->buf;
    char *eol = strpbrk(p, "\r\n");
    int cols = 1;
    for (char *q = p; q < (eol ? eol : p + n); q++)
        cols += *q == ',';
    t->cols = cols;
    t->head = calloc((size_t)cols, sizeof(char *));
    t->cell = calloc((size_t)lines * (size_t)cols + 1, sizeof(char *));
    int row = -1;
    while (*p) {
        char *end = strchr(p, '\n');
        if (end)
            *end = '\0';
        size_t len = strlen(p);
        if (len && p[len - 1] == '\r')
            p[len - 1] = '\0';
        char **dst = row < 0 ? t->head : &t->cell[row * cols];
        int c = 0;
        char *s = p;
        for (;;) {
            char *comma = strchr(s, ',');
            if (comma)
                *comma = '\0';
            if (c < cols)
                dst[c++] = s;
            if (!comma)
                break;
            s = comma + 1;
        }
        while (c < cols)
            dst[c++] = "";
        row++;
        if (!end)
            break;
        p = end + 1;
    }
    t->rows = row < 0 ? 0 : row;
    return 0;
}

void csvtab_free(csvtab_t *t)
{
    free(t->head);
    free(t->cell);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

int csvtab_col(const csvtab_t *t, const char *name)
{
    for (int c = 0; c < t->cols; c++)
        if (strcmp(t->head[c], name) == 0)
            return c;
    return -1;
}

double csvtab_num(const csvtab_t *t, int r, int c)
{
    const char *s = csvtab_get(t, r, c);
    if (!*s)
        return NAN;
    return strtod(s, NULL);
}

const char *tc_shared_path(const char *rel)
{
    static _Thread_local char buf[4096];
    const char *root = getenv("TC_SHARED_DIR");
    if (!root)
        root = TC_SHARED_DIR;
    snprintf(buf, sizeof buf, "%s/%s", root, rel);
    return buf;
}
