/* test_notify.c — sd_notify wrappers (daemon/runtime/notify.c) against a NOTIFY_SOCKET the
 * test itself listens on: the exact datagrams, as systemd would receive them. */
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/notify.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int sock = -1;
static char sock_path[108];
static char dir[128];

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tc_notify.XXXXXX", base && base[0] ? base : "/tmp");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(sock_path, sizeof sock_path, "%s/notify", dir);
    sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(sock, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", sock_path);
    cr_assert_eq(bind(sock, (struct sockaddr *)&a, sizeof a), 0, "bind %s: %m", sock_path);
    struct timeval tv = {.tv_sec = 2};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setenv("NOTIFY_SOCKET", sock_path, 1);
}

static void teardown(void)
{
    close(sock);
    unlink(sock_path);
    rmdir(dir);
}

TestSuite(notify, .init = setup, .fini = teardown);

/* The next datagram, NUL-terminated; fails the test on timeout. */
static const char *next_datagram(void)
{
    static char buf[4096];
    ssize_t n = recv(sock, buf, sizeof buf - 1, 0);
    cr_assert_gt(n, 0, "no datagram on NOTIFY_SOCKET: %m");
    buf[n] = '\0';
    return buf;
}

static int pending(void)
{
    char b;
    return recv(sock, &b, 1, MSG_DONTWAIT | MSG_PEEK) >= 0;
}

Test(notify, lifecycle_datagrams_are_exact)
{
    cr_assert_eq(tc_notify_ready(), 1, "%s", tc_err_msg());
    cr_assert_str_eq(next_datagram(), "READY=1");
    cr_assert_eq(tc_notify_status("ticks %d/s, lag %.1f ms", 125000, 0.25), 1);
    cr_assert_str_eq(next_datagram(), "STATUS=ticks 125000/s, lag 0.2 ms");
    cr_assert_eq(tc_notify_watchdog(), 1);
    cr_assert_str_eq(next_datagram(), "WATCHDOG=1");
    cr_assert_eq(tc_notify_stopping(), 1);
    cr_assert_str_eq(next_datagram(), "STOPPING=1");
    cr_assert(!pending(), "one datagram per call");
}

Test(notify, status_newlines_cannot_inject_assignments)
{
    cr_assert_eq(tc_notify_status("ok\nREADY=1\r\n"), 1);
    cr_assert_str_eq(next_datagram(), "STATUS=ok READY=1  ");
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cr_assert_eq(tc_notify_status("%s", big), 1);
    const char *d = next_datagram();
    cr_assert_eq(strncmp(d, "STATUS=xxx", 10), 0);
    cr_assert_eq(strlen(d), strlen("STATUS=") + 1000);
}

Test(notify, reloading_carries_monotonic_usec)
{
    long long before = tc_clock_mono_ns() / 1000;
    cr_assert_eq(tc_notify_reloading(), 1);
    long long after = tc_clock_mono_ns() / 1000;
    const char *d = next_datagram();
    long long usec = -1;
    int end = 0;
    cr_assert_eq(sscanf(d, "RELOADING=1\nMONOTONIC_USEC=%lld%n", &usec, &end), 1, "%s", d);
    cr_assert_eq(d[end], '\0', "nothing after the stamp: %s", d);
    cr_assert(usec >= before && usec <= after, "%lld not in [%lld, %lld]", usec, before, after);
}

Test(notify, no_socket_is_a_silent_noop)
{
    unsetenv("NOTIFY_SOCKET");
    cr_assert_eq(tc_notify_ready(), 0);
    cr_assert_eq(tc_notify_status("x"), 0);
    cr_assert_eq(tc_notify_watchdog(), 0);
    cr_assert_eq(tc_notify_stopping(), 0);
    cr_assert_eq(tc_notify_reloading(), 0);
    cr_assert(!pending());
}

Test(notify, unreachable_socket_is_an_error)
{
    char gone[200];
    snprintf(gone, sizeof gone, "%s/nobody-listens", dir);
    setenv("NOTIFY_SOCKET", gone, 1);
    tc_err_clear();
    cr_assert_lt(tc_notify_ready(), 0);
    cr_assert_not_null(strstr(tc_err_msg(), "sd_notify(READY=1)"), "%s", tc_err_msg());
}

Test(notify, watchdog_interval_follows_the_environment)
{
    char pid[32];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    cr_assert_eq(tc_notify_watchdog_interval_ns(), 0);
    setenv("WATCHDOG_USEC", "10000000", 1); /* WatchdogSec=10 */
    cr_assert_eq(tc_notify_watchdog_interval_ns(), 10000000000LL, "no WATCHDOG_PID: for us");
    setenv("WATCHDOG_PID", pid, 1);
    cr_assert_eq(tc_notify_watchdog_interval_ns(), 10000000000LL);
    setenv("WATCHDOG_USEC", "2500", 1);
    cr_assert_eq(tc_notify_watchdog_interval_ns(), 2500000LL);
    snprintf(pid, sizeof pid, "%d", (int)getpid() + 1);
    setenv("WATCHDOG_PID", pid, 1);
    cr_assert_eq(tc_notify_watchdog_interval_ns(), 0, "meant for another process");
    unsetenv("WATCHDOG_PID");
    setenv("WATCHDOG_USEC", "soon", 1);
    cr_assert_eq(tc_notify_watchdog_interval_ns(), 0, "malformed counts as off");
    setenv("WATCHDOG_USEC", "0", 1);
    cr_assert_eq(tc_notify_watchdog_interval_ns(), 0);
}
