/* err.c — the thread-local error stack of err.h (after Aeron's error stack): one
 * message per thread, set where a failure is detected and prefixed with context as
 * it travels up.  No allocation: a fixed buffer per thread. */
#include "daemon/runtime/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char err_msg[TC_ERR_MSG_MAX];
static _Thread_local char err_where[128];
static _Thread_local int err_code;

int tc_err_set(int code, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_msg, sizeof err_msg, fmt, ap);
    va_end(ap);
    snprintf(err_where, sizeof err_where, "%s:%d", file, line);
    err_code = code;
    return code;
}

int tc_err_append(int code, const char *fmt, ...)
{
    char ctx[TC_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);
    if (n < 0)
        return code;
    /* Without an inner message the errno text stands in for it. */
    const char *inner = err_msg[0] ? err_msg : strerror(code < 0 ? -code : code);
    char joined[2 * TC_ERR_MSG_MAX + 2];
    size_t a = strlen(ctx), b = strlen(inner);
    memcpy(joined, ctx, a);
    memcpy(joined + a, ": ", 2);
    memcpy(joined + a + 2, inner, b + 1);
    size_t len = a + 2 + b;
    if (len >= sizeof err_msg)
        len = sizeof err_msg - 1;
    memcpy(err_msg, joined, len);
    err_msg[len] = '\0';
    err_code = code;
    return code;
}

const char *tc_err_msg(void) { return err_msg; }
int tc_err_code(void) { return err_code; }
const char *tc_err_where(void) { return err_where; }

void tc_err_clear(void)
{
    err_msg[0] = '\0';
    err_where[0] = '\0';
    err_code = 0;
}
