/* barcsv.h — bars as CSV text: the golden input layout (`ts,open,high,low,close,volume`,
 * any extra columns) in, and numbers out in the goldens' spelling.
 *
 * The reader is for tools and tests (`tickcast ta`), not for the tick path: it reads a
 * whole line at a time and allocates its line buffer as lines grow.
 *
 *     tc_barcsv_t *r = NULL;
 *     if ((rc = tc_barcsv_open(&r, path)) < 0) return rc;
 *     int close = tc_barcsv_col(r, "close");
 *     while ((rc = tc_barcsv_next(r)) > 0)
 *         if ((rc = tc_barcsv_num(r, close, &x)) < 0) ...;   // "f.csv:12: ..." on the stack
 *     tc_barcsv_close(r);
 */
#ifndef TC_FEATURES_BARCSV_H
#define TC_FEATURES_BARCSV_H

#include <stddef.h>

typedef struct tc_barcsv tc_barcsv_t;

/* Opens path and reads its header row.  -errno with TC_ERR naming the file when it
 * cannot be read, -EPROTO when the header is missing or has an empty or duplicate name.
 * *ret_r is set only on success; close it with tc_barcsv_close. */
int tc_barcsv_open(tc_barcsv_t **ret_r, const char *path);
/* Closes the file and frees the reader.  NULL does nothing. */
void tc_barcsv_close(tc_barcsv_t *r);

/* Number of header columns, the i-th name (borrowed, valid until close) and the index
 * of a column by exact name (-1 when absent). */
int tc_barcsv_cols(const tc_barcsv_t *r);
const char *tc_barcsv_col_name(const tc_barcsv_t *r, int i);
int tc_barcsv_col(const tc_barcsv_t *r, const char *name);
/* The header names joined by ", " into buf (for error messages); returns buf. */
const char *tc_barcsv_col_list(const tc_barcsv_t *r, char *buf, size_t len);

/* Reads the next data row.  Returns 1, 0 at the end of the file, or -EPROTO with TC_ERR
 * "path:line: ..." when the row has a different number of cells than the header (the
 * reader stays usable: the next call reads the following line).  Blank lines are
 * skipped.  -EIO on a read error. */
int tc_barcsv_next(tc_barcsv_t *r);
/* 1-based line number of the current row in the file. */
long tc_barcsv_line(const tc_barcsv_t *r);
/* Cell i of the current row as text (borrowed, valid until the next tc_barcsv_next). */
const char *tc_barcsv_cell(const tc_barcsv_t *r, int i);
/* Cell i as a double: a decimal or hex number, `nan`, `inf`, `-inf`; an empty cell is
 * NaN.  -EPROTO with TC_ERR "path:line: column 'c': 'text' is not a number" otherwise;
 * *ret_v is untouched on error. */
int tc_barcsv_num(const tc_barcsv_t *r, int i, double *ret_v);

/* Writes x into buf in the goldens' spelling: the shortest decimal that strtod reads back
 * to the same double, laid out as JavaScript's Number#toString does (the goldens come
 * from TA-Lib's node binding): positional for decimal exponents -6..20, `1.5e-7` and
 * `1e+21` beyond; and `-0`, `nan`, `inf`, `-inf`.  Returns the length written (buf is always
 * terminated; 32 bytes always suffice).  Can't fail. */
int tc_barcsv_fmt(char *buf, size_t len, double x);

#endif
