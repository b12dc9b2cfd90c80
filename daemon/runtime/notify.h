/* notify.h — the service manager protocol (sd_notify(3), libsystemd): READY, STATUS,
 * WATCHDOG, STOPPING, RELOADING.
 *
 * Every call is a no-op returning 0 when $NOTIFY_SOCKET is unset (a process started by
 * hand, a test, a stage under tickcastd), so callers never check whether they run under
 * systemd.  Returns 1 when the message was sent, -errno (with the reason on the error
 * stack) when it could not be.  Only tickcastd talks to systemd (NotifyAccess=main): it
 * removes NOTIFY_SOCKET from its stages' environment.
 */
#ifndef TC_RUNTIME_NOTIFY_H
#define TC_RUNTIME_NOTIFY_H

#include <stdint.h>

/* "READY=1": start-up is complete (segment created, stages attached). */
int tc_notify_ready(void);

/* "STATUS=<text>": one human line for `systemctl status` (rates, lags).  Newlines in the
 * text become blanks, since a newline would start another assignment.  At most 1,000
 * bytes are sent. */
int tc_notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "WATCHDOG=1": alive; call at least every tc_notify_watchdog_interval_ns() / 2. */
int tc_notify_watchdog(void);

/* "STOPPING=1": a stop began (SIGTERM drain). */
int tc_notify_stopping(void);

/* "RELOADING=1" with "MONOTONIC_USEC=<now>": a SIGHUP reload began; send
 * tc_notify_ready() when it is done (good or bad file). */
int tc_notify_reloading(void);

/* The watchdog period systemd asks for ($WATCHDOG_USEC, for this pid per $WATCHDOG_PID)
 * in ns, or 0 when the watchdog is off or meant for another process.  This function
 * can't fail: a malformed variable counts as off. */
int64_t tc_notify_watchdog_interval_ns(void);

#endif
