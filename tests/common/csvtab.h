/* csvtab.h — a small whole-file CSV table for tests: a header row, then cells kept as
 * text so a test can tell an empty cell from a value.  Test support only. */
#ifndef TC_TESTS_CSVTAB_H
#define TC_TESTS_CSVTAB_H

typedef struct csvtab {
    int rows, cols;
    char **head;  /* cols names */
    char **cell;  /* rows*cols, "" for empty */
    char *buf;
} csvtab_t;

/* Loads path; returns 0 or -errno.  The header row is required. */
int csvtab_load(csvtab_t *t, const char *path);
void csvtab_free(csvtab_t *t);
/* Column index by name, -1 if absent. */
int csvtab_col(const csvtab_t *t, const char *name);
static inline const char *csvtab_get(const csvtab_t *t, int r, int c) { return t->cell[r * t->cols + c]; }
/* The cell as a double (strtod; "nan", "inf", "-inf" accepted); NaN for empty. */
double csvtab_num(const csvtab_t *t, int r, int c);
/* Path of a file in the shared reference data ("golden/input_goog.csv"). */
const char *tc_shared_path(const char *rel);

#endif
