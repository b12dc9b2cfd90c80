/* proc.c — is a process there, and what is it running (proc.h). */
#include "daemon/runtime/proc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Reads up to size-1 bytes of /proc/PID/NAME into buf; the count, or -1. */
static long read_proc(pid_t pid, const char *name, char *buf, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return (long)n;
}

char tc_proc_state(pid_t pid)
{
    char buf[512];
    if (pid <= 0 || read_proc(pid, "stat", buf, sizeof buf) < 0)
        return 0;
    /* "pid (comm) S ...": comm may hold blanks and parentheses, so the last ')' */
    const char *end = strrchr(buf, ')');
    return end && end[1] == ' ' && end[2] ? end[2] : 0;
}

int tc_pid_alive(pid_t pid)
{
    if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH))
        return 0;
    char st = tc_proc_state(pid);
    return st != 'Z' && st != 'X';
}

int tc_pid_runs(pid_t pid, const char *exe, const char *flag, const char *value)
{
    char buf[4096];
    long n;
    if (!tc_pid_alive(pid) || (n = read_proc(pid, "cmdline", buf, sizeof buf)) <= 0)
        return 0;
    const char *end = buf + n;
    const char *slash = strrchr(buf, '/'); /* within argv[0], which ends at the first NUL */
    if (exe && strcmp(slash ? slash + 1 : buf, exe) != 0)
        return 0;
    if (!flag)
        return 1;
    for (const char *a = buf; a < end; a += strlen(a) + 1) {
        const char *next = a + strlen(a) + 1;
        if (!strcmp(a, flag) && next < end && (!value || !strcmp(next, value)))
            return 1;
    }
    return 0;
}
