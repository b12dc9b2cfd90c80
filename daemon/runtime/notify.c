/* notify.c — sd_notify wrappers (notify.h) over libsystemd. */
#include "daemon/runtime/notify.h"
#include "daemon/runtime/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

void tc_notify_ready(void) { sd_notify(0, "READY=1"); }
void tc_notify_stopping(void) { sd_notify(0, "STOPPING=1"); }
void tc_notify_watchdog(void) { sd_notify(0, "WATCHDOG=1"); }

void tc_notify_reloading(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
               (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
}

void tc_notify_status(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sd_notifyf(0, "STATUS=%s", buf);
}

int64_t tc_notify_watchdog_interval_ns(void)
{
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0)
        return 0;
    return (int64_t)usec * TC_NS_PER_US;
}
