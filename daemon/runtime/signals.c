/* signals.c — signal handlers that set flags and poke a self-pipe (signals.h).
 *
 * Why a self-pipe and not signalfd: signalfd needs the signals blocked, and a blocked
 * mask is inherited across fork and exec, so every stage the supervisor starts would
 * have to undo it; a forgotten unblock leaves a stage deaf to SIGTERM.  The self-pipe
 * keeps normal delivery and still wakes poll().  Not here: what a stop or a reload
 * does (the caller's loop decides).
 */
#include "daemon/runtime/signals.h"
#include "daemon/runtime/err.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t sig_stop;
static volatile sig_atomic_t sig_reload;
static volatile sig_atomic_t sig_child;
static volatile sig_atomic_t sig_usr1;
/* Written once in install, before any handler can run; read in handlers. */
static volatile sig_atomic_t pipe_rd = -1, pipe_wr = -1;

static void on_signal(int signo)
{
    int saved = errno; /* the interrupted code may be about to read errno */
    switch (signo) {
    case SIGTERM:
    case SIGINT: sig_stop = signo; break;
    case SIGHUP: sig_reload = 1; break;
    case SIGCHLD: sig_child = 1; break;
    case SIGUSR1: sig_usr1 = 1; break;
    default: break;
    }
    if (pipe_wr >= 0) {
        /* A full pipe already wakes the reader; losing this byte loses nothing. */
        ssize_t w = write(pipe_wr, "", 1);
        (void)w;
    }
    errno = saved;
}

static int handle(int signo, int restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* SIGCHLD restarts: the supervisor learns of it through the pipe, and stdio in a
     * stage should not see EINTR for a child it never started. */
    sa.sa_flags = (restart ? SA_RESTART : 0) | (signo == SIGCHLD ? SA_NOCLDSTOP : 0);
    if (sigaction(signo, &sa, NULL) < 0)
        return TC_ERR(-errno, "sigaction(%s): %s", strsignal(signo), strerror(errno));
    return 0;
}

int tc_signals_install(void)
{
    int r;
    if (pipe_rd < 0) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
            return TC_ERR(-errno, "signal self-pipe: %s", strerror(errno));
        pipe_rd = fds[0];
        pipe_wr = fds[1];
    }
    if ((r = handle(SIGTERM, 0)) < 0 || (r = handle(SIGINT, 0)) < 0 ||
        (r = handle(SIGHUP, 0)) < 0 || (r = handle(SIGUSR1, 0)) < 0 ||
        (r = handle(SIGCHLD, 1)) < 0)
        return r;
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        return TC_ERR(-errno, "ignoring SIGPIPE: %s", strerror(errno));
    return 0;
}

int tc_signals_stopping(void) { return sig_stop; }

void tc_signals_request_stop(void)
{
    if (!sig_stop)
        sig_stop = SIGTERM;
    if (pipe_wr >= 0) {
        ssize_t w = write(pipe_wr, "", 1);
        (void)w;
    }
}

/* Read, then clear: a signal between the two is lost as a flag, but the caller acts
 * after we return, and that action covers it (see signals.h). */
static int take(volatile sig_atomic_t *flag)
{
    if (!*flag)
        return 0;
    *flag = 0;
    return 1;
}

int tc_signals_take_reload(void) { return take(&sig_reload); }
int tc_signals_take_child(void) { return take(&sig_child); }
int tc_signals_take_usr1(void) { return take(&sig_usr1); }

int tc_signals_fd(void) { return pipe_rd; }

void tc_signals_drain(void)
{
    char buf[64];
    if (pipe_rd < 0)
        return;
    while (read(pipe_rd, buf, sizeof buf) > 0)
        ;
}

pid_t tc_signals_fork_child(void)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCHLD, SIGPIPE};
    sigset_t all, old;
    sigemptyset(&all);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&all, sigs[i]);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t pid = fork();
    if (pid != 0) {
        int saved = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        errno = saved;
        return pid;
    }
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    if (pipe_rd >= 0) {
        close(pipe_rd);
        close(pipe_wr);
        pipe_rd = pipe_wr = -1;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_SETMASK, &stop, NULL);
    return 0;
}
