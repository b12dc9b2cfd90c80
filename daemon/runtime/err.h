/* err.h — the per-thread error stack.
 *
 * Functions return 0 (or a count) on success and a negative errno on failure; the
 * *why* is recorded here where it is known and extended on the way up:
 *
 *     return TC_ERR(-EBADMSG, "%s: block %u CRC mismatch at offset %llu", path, blk, off);
 *     ...
 *     if (r < 0) return TC_ERR_APPEND(r, "replaying %s", sym);
 *
 * main() prints tc_err_msg() as the one-line reason.  The message reads outermost
 * context first: "replaying EURUSD: f.tc: block 3 CRC mismatch at offset 4096".
 */
#ifndef TC_RUNTIME_ERR_H
#define TC_RUNTIME_ERR_H

#include <errno.h>

#define TC_ERR_MSG_MAX 1024

/* Records code and message (replacing any earlier one); returns code. */
int tc_err_set(int code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prefixes context to the current message; returns code. */
int tc_err_append(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define TC_ERR(code, ...) tc_err_set((code), __FILE__, __LINE__, __VA_ARGS__)
#define TC_ERR_APPEND(code, ...) tc_err_append((code), __VA_ARGS__)

/* The current message ("" when none); borrowed, valid until the next set/append/clear. */
const char *tc_err_msg(void);
/* The code recorded with the current message (0 when none). */
int tc_err_code(void);
/* Source location of the innermost TC_ERR, for debug logs. */
const char *tc_err_where(void);
void tc_err_clear(void);

#endif
