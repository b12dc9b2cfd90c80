/* signals.h — the process's signal flags: stop (SIGTERM, SIGINT), reload (SIGHUP),
 * child (SIGCHLD) and user (SIGUSR1).
 *
 * Handlers only set `volatile sig_atomic_t` flags (STYLE §8) and write a byte to a
 * self-pipe, so a poll() loop (the supervisor's) wakes up; a stage that never polls
 * simply ignores the pipe.  Stop, reload and SIGUSR1 are installed without SA_RESTART,
 * so a blocking wait (futex, read, nanosleep) returns EINTR and the loop sees the flag
 * at once.
 *
 *     tc_signals_install();
 *     while (!tc_signals_stopping()) {
 *         poll(fds, n, -1);                    // fds include tc_signals_fd()
 *         tc_signals_drain();
 *         if (tc_signals_take_child()) reap_all();
 *         if (tc_signals_take_reload()) reload();
 *     }
 */
#ifndef TC_RUNTIME_SIGNALS_H
#define TC_RUNTIME_SIGNALS_H

#include <sys/types.h>

/* Installs the handlers, opens the self-pipe and ignores SIGPIPE, so a closed socket is
 * an EPIPE return, not a death.  Calling it again is harmless.  Returns 0, or -errno
 * with the reason on the error stack.  Main thread, at start. */
int tc_signals_install(void);

/* The signal that asked to stop (SIGTERM or SIGINT), or 0 while running.  Stays set. */
int tc_signals_stopping(void);

/* Asks the process to stop as a stop signal would (tests, the HTTP API).  Async-signal-safe. */
void tc_signals_request_stop(void);

/* Test-and-clear: 1 if SIGHUP (SIGCHLD, SIGUSR1) arrived since the last call.  Several
 * signals before a call count once.  Act after the call (reload, reap every child with
 * WNOHANG), so a signal arriving meanwhile is either covered by that action or seen by
 * the next call. */
int tc_signals_take_reload(void);
int tc_signals_take_child(void);
int tc_signals_take_usr1(void);

/* The self-pipe's read end, readable after any of the signals above; -1 before
 * tc_signals_install.  Non-blocking and close-on-exec.  Owned by this module. */
int tc_signals_fd(void);

/* Empties the self-pipe (call after poll reports it readable, before the take_*). */
void tc_signals_drain(void);

/* fork() for a child that will exec a stage.  Every signal handled here is blocked
 * across the fork, so none sent to the new pid runs this process's handler in the
 * child (it would write to the shared self-pipe) or meets a default disposition before
 * the child is ready.  In the child: default dispositions, the self-pipe closed, and
 * SIGTERM/SIGINT left blocked (held, not lost) until the stage installs its own
 * handlers; every other signal unblocked.  The parent's mask is restored.  Returns
 * fork()'s value. */
pid_t tc_signals_fork_child(void);

#endif
