/* test_signals.c — signal flags and the self-pipe (daemon/runtime/signals.c): each signal
 * sets its flag once, take_* clears it, the pipe wakes poll(), and a stop signal
 * interrupts a blocking wait instead of restarting it. */
#include "daemon/runtime/signals.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int readable(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r;
    /* the handler runs during poll, which then returns EINTR; a loop polls again */
    while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
        ;
    return r == 1 && (p.revents & POLLIN);
}

Test(signals, flags_set_once_and_take_clears)
{
    cr_assert_eq(tc_signals_install(), 0);
    cr_assert_eq(tc_signals_install(), 0, "twice is harmless");
    int fd = tc_signals_fd();
    cr_assert_geq(fd, 0);
    cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC, "close-on-exec");
    cr_assert(fcntl(fd, F_GETFL) & O_NONBLOCK, "non-blocking");
    cr_assert_eq(tc_signals_stopping(), 0);
    cr_assert_eq(tc_signals_take_reload(), 0);

    raise(SIGHUP);
    raise(SIGHUP);
    cr_assert_eq(tc_signals_take_reload(), 1);
    cr_assert_eq(tc_signals_take_reload(), 0, "two HUPs before a take count once");

    raise(SIGUSR1);
    cr_assert_eq(tc_signals_take_usr1(), 1);
    cr_assert_eq(tc_signals_take_usr1(), 0);
    cr_assert_eq(tc_signals_stopping(), 0, "HUP and USR1 do not stop");

    raise(SIGINT);
    cr_assert_eq(tc_signals_stopping(), SIGINT);
    raise(SIGTERM);
    cr_assert_eq(tc_signals_stopping(), SIGTERM);
    cr_assert_eq(tc_signals_stopping(), SIGTERM, "stop stays set");

    raise(SIGPIPE); /* ignored: would kill the test otherwise */
}

Test(signals, child_exit_sets_child_and_wakes_the_pipe)
{
    cr_assert_eq(tc_signals_install(), 0);
    int fd = tc_signals_fd();
    cr_assert_geq(fd, 0);
    cr_assert(!readable(fd, 0));
    pid_t pid = fork();
    if (pid == 0)
        _exit(3);
    cr_assert(readable(fd, 5000), "SIGCHLD did not wake poll");
    tc_signals_drain();
    cr_assert(!readable(fd, 0), "drain empties the pipe");
    cr_assert_eq(tc_signals_take_child(), 1);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 3);
    cr_assert_eq(tc_signals_take_child(), 0);

    tc_signals_request_stop();
    cr_assert(readable(fd, 0));
    cr_assert_eq(tc_signals_stopping(), SIGTERM);
}

static void on_alarm(int s) { (void)s; }

/* A read blocked on an empty pipe returns EINTR on SIGTERM (no SA_RESTART), which is
 * what lets a waiting stage see the stop at once. */
Test(signals, stop_interrupts_a_blocking_wait)
{
    cr_assert_eq(tc_signals_install(), 0);
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t parent = getpid();
    pid_t killer = fork();
    if (killer == 0) {
        /* again and again, so one lands while the parent is inside read() however
         * loaded the machine is */
        for (int i = 0; i < 500; i++) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
            kill(parent, SIGTERM);
        }
        _exit(0);
    }
    /* a safety net so a regression fails instead of hanging: no SA_RESTART either */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarm(10);
    char b;
    ssize_t n = read(p[0], &b, 1);
    int e = errno;
    int by_alarm = alarm(0) == 0;
    kill(killer, SIGKILL);
    waitpid(killer, NULL, 0);
    cr_assert_eq(n, -1);
    cr_assert_eq(e, EINTR);
    cr_assert(!by_alarm, "only the safety alarm interrupted the read");
    cr_assert_eq(tc_signals_stopping(), SIGTERM);
}

Test(signals, a_stage_child_holds_stop_signals_until_it_unblocks_them)
{
    cr_assert_eq(tc_signals_install(), 0);
    sigset_t before, after;
    sigprocmask(SIG_SETMASK, NULL, &before);
    pid_t pid = tc_signals_fork_child();
    if (pid == 0) {
        if (tc_signals_fd() != -1)
            _exit(10);
        raise(SIGTERM); /* held: blocked until the stage installs its handlers */
        sigset_t pending, mask;
        sigpending(&pending);
        if (!sigismember(&pending, SIGTERM))
            _exit(11);
        sigprocmask(SIG_SETMASK, NULL, &mask);
        if (!sigismember(&mask, SIGINT) || sigismember(&mask, SIGHUP) || sigismember(&mask, SIGCHLD))
            _exit(12);
        sigset_t stop;
        sigemptyset(&stop);
        sigaddset(&stop, SIGTERM);
        sigprocmask(SIG_UNBLOCK, &stop, NULL); /* default action now: die by the held signal */
        _exit(13);
    }
    cr_assert_gt(pid, 0);
    /* sent the moment the child exists, as a drain right after a (re)start does: held by
     * the child, never run through this process's handler */
    kill(pid, SIGTERM);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "status %#x", status);
    cr_assert_eq(tc_signals_stopping(), 0, "the child's signal reached the parent's flag");
    sigprocmask(SIG_SETMASK, NULL, &after);
    cr_assert_eq(sigismember(&after, SIGTERM), sigismember(&before, SIGTERM), "the parent's mask is restored");
    cr_assert_eq(sigismember(&after, SIGCHLD), sigismember(&before, SIGCHLD));
}
