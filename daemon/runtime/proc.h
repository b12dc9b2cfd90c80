/* proc.h — is a process there, and what is it running.
 *
 * Ring slots, stage slots and the supervisor's own slot record the pid of their owner;
 * when that process dies, its slot is free.  A process that has exited but was not yet
 * reaped (a zombie: its parent died too, and whoever inherited it has not waited for
 * it) still answers kill(pid, 0), yet holds nothing, so it counts as gone here.
 */
#ifndef TC_RUNTIME_PROC_H
#define TC_RUNTIME_PROC_H

#include <sys/types.h>

/* The state letter of /proc/PID/stat ('R', 'S', 'Z', ...), or 0 when it cannot be read. */
char tc_proc_state(pid_t pid);

/* 1 when pid exists and is not a zombie.  A process of another user counts as there;
 * without a readable /proc, existing is enough. */
int tc_pid_alive(pid_t pid);

/* 1 when pid is alive and runs the program whose file name is exe (argv[0]'s last
 * component) with the arguments "flag value" among its own (both may be NULL). */
int tc_pid_runs(pid_t pid, const char *exe, const char *flag, const char *value);

#endif
