/* test_proc.c — daemon/runtime/proc.h: liveness as the slots need it (a zombie holds
 * nothing), against what kill(2), waitpid(2) and the children themselves say. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/runtime/proc.h"

/* Waits up to 5 s for pid's /proc state to become want. */
static char wait_state(pid_t pid, char want)
{
    char st = 0;
    for (int i = 0; i < 500 && (st = tc_proc_state(pid)) != want; i++)
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    return st;
}

Test(proc, the_caller_is_alive_and_runs_its_own_program)
{
    cr_assert_eq(tc_pid_alive(getpid()), 1);
    cr_assert_eq(tc_proc_state(getpid()), 'R');
    cr_assert_eq(tc_pid_runs(getpid(), NULL, NULL, NULL), 1);
    cr_assert_eq(tc_pid_runs(getpid(), "tickcast-nothing", NULL, NULL), 0);
    cr_assert_eq(tc_pid_alive(0), 0);
    cr_assert_eq(tc_pid_alive(-1), 0);
}

Test(proc, a_zombie_is_gone_though_kill_still_finds_it)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0)
        _exit(0);
    cr_assert_eq(wait_state(pid, 'Z'), 'Z', "the child became a zombie");
    cr_assert_eq(kill(pid, 0), 0, "kill(2) still finds it");
    cr_assert_eq(tc_pid_alive(pid), 0);
    cr_assert_eq(tc_pid_runs(pid, NULL, NULL, NULL), 0);
    cr_assert_eq(waitpid(pid, NULL, 0), pid);
    cr_assert_eq(tc_pid_alive(pid), 0, "reaped");
    cr_assert_eq(tc_proc_state(pid), 0);
}

Test(proc, a_stopped_process_is_alive_and_its_arguments_are_read)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        /* the shell stays (two commands), with the arguments after the script as its own */
        execl("/bin/sh", "sh", "-c", "sleep 30; :", "tickcast-x", "--instance", "demo", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500 && !tc_pid_runs(pid, "sh", "--instance", "demo"); i++)
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    cr_assert_eq(tc_pid_runs(pid, "sh", "--instance", "demo"), 1);
    cr_assert_eq(tc_pid_runs(pid, "sh", "--instance", "other"), 0);
    cr_assert_eq(tc_pid_runs(pid, "tickcast-x", "--instance", "demo"), 0, "argv[0] names the program");
    cr_assert_eq(tc_pid_runs(pid, "sh", "--config", NULL), 0);
    cr_assert_eq(tc_pid_runs(pid, "sh", "-c", NULL), 1);
    kill(pid, SIGSTOP);
    cr_assert_eq(wait_state(pid, 'T'), 'T');
    cr_assert_eq(tc_pid_alive(pid), 1, "a stopped process still holds its slots");
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    cr_assert_eq(tc_pid_alive(pid), 0);
}
