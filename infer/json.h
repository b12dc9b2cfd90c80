/* json.h — a small strict JSON reader (RFC 8259) for safetensors headers and model
 * metadata: a cursor over a byte range, no allocation, no DOM.  Callers walk objects
 * and arrays with tc_json_member / tc_json_element and read scalars as they go.
 * Every failure returns -EBADMSG with "offset N: <what>" on the error stack. */
#ifndef TC_INFER_JSON_H
#define TC_INFER_JSON_H

#include <stddef.h>

#define TC_JSON_MAX_DEPTH 32

typedef struct tc_json {
    const char *start, *p, *end;
    int depth;
} tc_json_t;

/* Starts a cursor over s[0..n).  Caller-owned; s must outlive the cursor. */
void tc_json_init(tc_json_t *j, const char *s, size_t n);
/* Byte offset of the cursor. */
static inline size_t tc_json_offset(const tc_json_t *j) { return (size_t)(j->p - j->start); }
/* Next significant character (after whitespace), or -1 at the end.  Consumes nothing
 * but whitespace. */
int tc_json_peek(tc_json_t *j);
/* Consumes character c (after whitespace) or fails. */
int tc_json_expect(tc_json_t *j, char c);

/* Object walk: call with *first = 1 right after consuming '{'.  Returns 1 with the next
 * key in key (NUL-terminated, at most cap-1 bytes) and its ':' consumed, 0 when the
 * object closed, or a negative errno. */
int tc_json_member(tc_json_t *j, int *first, char *key, size_t cap);
/* Array walk: call with *first = 1 right after '['.  Returns 1 when an element follows,
 * 0 when the array closed, or a negative errno. */
int tc_json_element(tc_json_t *j, int *first);

/* A string value decoded to UTF-8 into buf (cap bytes with the NUL).  Refuses control
 * characters, bad escapes, lone surrogates, \u0000 and strings longer than cap-1. */
int tc_json_string(tc_json_t *j, char *buf, size_t cap);
/* An integer value in [min, max] (JSON number grammar, no fraction or exponent). */
int tc_json_int(tc_json_t *j, long long min, long long max, long long *ret);
/* Any JSON number. */
int tc_json_number(tc_json_t *j, double *ret);
/* Skips one value of any type. */
int tc_json_skip(tc_json_t *j);
/* Succeeds when only whitespace remains. */
int tc_json_finish(tc_json_t *j);

/* Appends s to out (cap bytes, *len used) as a quoted JSON string.  Returns 0 or -ENOSPC
 * (then out is unchanged beyond *len). */
int tc_json_quote(char *out, size_t cap, size_t *len, const char *s);

#endif
