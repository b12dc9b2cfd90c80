/* log.h — logging to stderr with syslog priority prefixes ("<3>…"), so journald keeps
 * the level, and per-reason rate limiting for per-record problems.
 *
 *     TC_LOG(TC_LOG_WARN, "%s:%d: bad price '%s'", path, line, field);
 *     TC_LOG_RL(&st->rl_bad_price, TC_LOG_WARN, "...")   // at most once per interval
 *
 * The level check happens before the arguments are evaluated.  Globals: the level and
 * the sink only (STYLE §8).
 */
#ifndef TC_RUNTIME_LOG_H
#define TC_RUNTIME_LOG_H

#include <stdint.h>
#include <stdio.h>

enum {
    TC_LOG_ERR = 3,
    TC_LOG_WARN = 4,
    TC_LOG_NOTICE = 5,
    TC_LOG_INFO = 6,
    TC_LOG_DEBUG = 7,
};

extern int tc_log_level;

/* Sets the level; returns the previous one.  This function can't fail. */
int tc_log_set_level(int level);
/* Parses "err", "warning", "notice", "info", "debug" (or 3..7); -EINVAL otherwise. */
int tc_log_level_parse(const char *s, int *ret_level);
/* Sends output to f (default stderr); the logger does not own f. */
void tc_log_set_sink(FILE *f);
/* Prefixes each line with "name[pid]: " when not under journald. */
void tc_log_set_ident(const char *name);

void tc_log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define TC_LOG(level, ...)                                                                 \
    do {                                                                                   \
        if ((level) <= tc_log_level)                                                       \
            tc_log_write((level), __VA_ARGS__);                                            \
    } while (0)

/* Rate limiter for one reason: logs at most once per interval_ns, and reports how many
 * messages were suppressed in between.  Caller-owned; zero-initialise, then set
 * interval_ns (0 means the default of 10 s). */
typedef struct tc_ratelimit {
    int64_t interval_ns;
    int64_t last_ns;
    uint64_t suppressed;
} tc_ratelimit_t;

/* Returns 1 if a message may be logged now (and how many were suppressed in
 * *ret_suppressed), 0 if it must be dropped (and counts it). */
int tc_ratelimit_pass(tc_ratelimit_t *rl, uint64_t *ret_suppressed);

#define TC_LOG_RL(rl, level, fmt, ...)                                                     \
    do {                                                                                   \
        uint64_t tc_rl_sup_;                                                               \
        if ((level) <= tc_log_level && tc_ratelimit_pass((rl), &tc_rl_sup_)) {             \
            if (tc_rl_sup_)                                                                \
                tc_log_write((level), fmt " (%llu similar suppressed)", ##__VA_ARGS__,     \
                             (unsigned long long)tc_rl_sup_);                              \
            else                                                                           \
                tc_log_write((level), fmt, ##__VA_ARGS__);                                 \
        }                                                                                  \
    } while (0)

#endif
