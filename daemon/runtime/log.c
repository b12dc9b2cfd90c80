/* log.c — stderr logger with syslog "<N>" prefixes (sd-daemon(3) convention) and the
 * per-reason rate limiter.  One write(2) per line so lines from several processes
 * sharing a journal stream do not interleave. */
#include "daemon/runtime/log.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int tc_log_level = TC_LOG_INFO;
static FILE *log_sink;
static char log_ident[64];

int tc_log_set_level(int level)
{
    int old = tc_log_level;
    tc_log_level = level;
    return old;
}

int tc_log_level_parse(const char *s, int *ret_level)
{
    static const struct { const char *name; int level; } names[] = {
        {"err", TC_LOG_ERR},   {"error", TC_LOG_ERR},   {"warning", TC_LOG_WARN},
        {"warn", TC_LOG_WARN}, {"notice", TC_LOG_NOTICE}, {"info", TC_LOG_INFO},
        {"debug", TC_LOG_DEBUG},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].name) == 0) {
            *ret_level = names[i].level;
            return 0;
        }
    char *end;
    long v = strtol(s, &end, 10);
    if (*s && !*end && v >= 0 && v <= 7) {
        *ret_level = (int)v;
        return 0;
    }
    return TC_ERR(-EINVAL, "unknown log level '%s' (err, warning, notice, info or debug)", s);
}

void tc_log_set_sink(FILE *f) { log_sink = f; }

void tc_log_set_ident(const char *name)
{
    snprintf(log_ident, sizeof log_ident, "%s", name ? name : "");
}

void tc_log_write(int level, const char *fmt, ...)
{
    char line[2048];
    int n;
    if (log_ident[0] && !getenv("JOURNAL_STREAM"))
        n = snprintf(line, sizeof line, "<%d>%s[%d]: ", level, log_ident, (int)getpid());
    else
        n = snprintf(line, sizeof line, "<%d>", level);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    size_t len = (size_t)n + ((size_t)m < sizeof line - (size_t)n - 1 ? (size_t)m : sizeof line - (size_t)n - 2);
    line[len++] = '\n';
    FILE *f = log_sink ? log_sink : stderr;
    if (f == stderr) {
        ssize_t w = write(STDERR_FILENO, line, len);
        (void)w;
    } else {
        fwrite(line, 1, len, f);
        fflush(f);
    }
}

int tc_ratelimit_pass(tc_ratelimit_t *rl, uint64_t *ret_suppressed)
{
    int64_t now = tc_clock_mono_ns();
    int64_t interval = rl->interval_ns ? rl->interval_ns : 10 * TC_NS_PER_S;
    if (rl->last_ns != 0 && now - rl->last_ns < interval) {
        rl->suppressed++;
        return 0;
    }
    *ret_suppressed = rl->suppressed;
    rl->suppressed = 0;
    rl->last_ns = now;
    return 1;
}
