/* test_affinity.c — tickcastd.cpu_affinity's parser (daemon/runtime/affinity.h) against
 * sets written out by hand and against a naive formatter, and its errors; moving every
 * thread of a process, read back from /proc. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/runtime/affinity.h"

static cpu_set_t set_of(const int *cpus, int n)
{
    cpu_set_t s;
    CPU_ZERO(&s);
    for (int i = 0; i < n; i++)
        CPU_SET(cpus[i], &s);
    return s;
}

static void expect_list(const char *list, const int *cpus, int n)
{
    cpu_set_t got, want = set_of(cpus, n);
    char why[200] = "";
    cr_assert_eq(tc_affinity_cpulist_parse(list, &got, why, sizeof why), 0, "'%s': %s", list, why);
    cr_assert(CPU_EQUAL(&got, &want), "'%s' parsed to %d CPUs, want %d", list, CPU_COUNT(&got), n);
}

static void expect_bad(const char *list, const char *reason)
{
    cpu_set_t got;
    char why[200] = "";
    cr_assert_eq(tc_affinity_cpulist_parse(list, &got, why, sizeof why), -1, "'%s' was accepted", list);
    cr_assert_str_eq(why, reason);
}

Test(affinity, cpulists_parse_to_the_sets_they_name)
{
    expect_list("0", (int[]){0}, 1);
    expect_list("1023", (int[]){1023}, 1);
    expect_list("0,2", (int[]){0, 2}, 2);
    expect_list("1-3", (int[]){1, 2, 3}, 3);
    expect_list("4-4", (int[]){4}, 1);
    expect_list("0,2-4,7,9-10", (int[]){0, 2, 3, 4, 7, 9, 10}, 7);
    expect_list("3,1,3", (int[]){1, 3}, 2); /* repeats and order do not matter */
    expect_list("007", (int[]){7}, 1);
}

Test(affinity, bad_cpulists_say_why)
{
    expect_bad("", "'' is not a CPU list (like 0, 0,2 or 1-3)");
    expect_bad("a", "'a' is not a CPU list (like 0, 0,2 or 1-3)");
    expect_bad("1,", "'1,' is not a CPU list (like 0, 0,2 or 1-3)");
    expect_bad(",1", "',1' is not a CPU list (like 0, 0,2 or 1-3)");
    expect_bad("1,,2", "'1,,2' is not a CPU list (like 0, 0,2 or 1-3)");
    expect_bad("1-", "'1-' is not a CPU list (like 0, 0,2 or 1-3)");
    expect_bad("-1", "'-1' is not a CPU list (like 0, 0,2 or 1-3)");
    expect_bad("1 2", "'1 2' is not a CPU list (like 0, 0,2 or 1-3)");
    expect_bad("1-2-3", "'1-2-3' is not a CPU list (like 0, 0,2 or 1-3)");
    expect_bad("3-1", "3-1 is a backward range");
    expect_bad("1024", "CPU 1024 is beyond the last possible (1023)");
    expect_bad("0-99999999999999999999999", "CPU 18446744073709551615 is beyond the last possible (1023)");
}

/* The formatter against a naive one (every CPU listed), through a parse of each. */
Test(affinity, format_round_trips_random_sets)
{
    srand(7);
    for (int t = 0; t < 500; t++) {
        cpu_set_t s;
        CPU_ZERO(&s);
        int span = 1 + rand() % 80;
        for (int c = 0; c < span; c++)
            if (rand() % 3)
                CPU_SET(rand() % 2 ? c : 1023 - c, &s);
        char text[4096], naive[8192];
        cr_assert_geq(tc_affinity_cpulist_format(&s, text, sizeof text), 0);
        size_t len = 0;
        for (int c = 0; c < CPU_SETSIZE; c++)
            if (CPU_ISSET(c, &s))
                len += (size_t)snprintf(naive + len, sizeof naive - len, "%s%d", len ? "," : "", c);
        cpu_set_t a, b;
        char why[200] = "";
        if (CPU_COUNT(&s) == 0) {
            cr_assert_str_eq(text, "");
            continue;
        }
        cr_assert_eq(tc_affinity_cpulist_parse(text, &a, why, sizeof why), 0, "'%s': %s", text, why);
        cr_assert_eq(tc_affinity_cpulist_parse(naive, &b, why, sizeof why), 0, "%s", why);
        cr_assert(CPU_EQUAL(&a, &s) && CPU_EQUAL(&b, &s), "'%s' does not name the set of '%s'", text, naive);
        cr_assert_leq(strlen(text), strlen(naive));
        cr_assert_null(strstr(text, ",,"));
    }
    cpu_set_t s = set_of((int[]){0, 1, 2, 5, 7, 8}, 6);
    char text[64];
    cr_assert_eq(tc_affinity_cpulist_format(&s, text, sizeof text), 9);
    cr_assert_str_eq(text, "0-2,5,7-8");
    cr_assert_eq(tc_affinity_cpulist_format(&s, text, 4), -1, "a cut result says so");
}

static int collect(const char *stage, const cpu_set_t *set, void *arg)
{
    char *out = arg, cpus[64];
    tc_affinity_cpulist_format(set, cpus, sizeof cpus);
    size_t len = strlen(out);
    snprintf(out + len, 256 - len, "%s=%s;", stage, cpus);
    return strcmp(stage, "stop") == 0 ? 7 : 0;
}

Test(affinity, entries_are_read_in_order_and_looked_up_by_stage)
{
    char out[256] = "", why[200] = "";
    cr_assert_eq(tc_affinity_each("  ingest:0\tfeatures:1,3  infer:2-3 ", collect, out, why, sizeof why), 0, "%s", why);
    cr_assert_str_eq(out, "ingest=0;features=1,3;infer=2-3;");
    out[0] = '\0';
    cr_assert_eq(tc_affinity_each("a:1 stop:2 b:3", collect, out, why, sizeof why), 7, "fn's stop value");
    cr_assert_str_eq(out, "a=1;stop=2;");
    out[0] = '\0';
    cr_assert_eq(tc_affinity_each("", collect, out, why, sizeof why), 0);
    cr_assert_str_eq(out, "");

    cpu_set_t s, want = set_of((int[]){1, 3}, 2);
    cr_assert_eq(tc_affinity_lookup("ingest:0 features:1,3", "features", &s, why, sizeof why), 1);
    cr_assert(CPU_EQUAL(&s, &want));
    cr_assert_eq(tc_affinity_lookup("ingest:0 features:1,3", "infer", &s, why, sizeof why), 0);
    cr_assert_eq(tc_affinity_lookup("ingest:0 features:x", "ingest", &s, why, sizeof why), -1,
                 "a bad entry anywhere makes the whole value bad");
    cr_assert_str_eq(why, "stage 'features': 'x' is not a CPU list (like 0, 0,2 or 1-3)");
}

Test(affinity, bad_entries_say_why_and_call_nothing)
{
    static const char *const bad[][2] = {
        {"ingest", "'ingest' is not STAGE:CPUS (like ingest:0 or infer:1-3)"},
        {":1", "':1' is not STAGE:CPUS (like ingest:0 or infer:1-3)"},
        {"ingest:", "'ingest:' is not STAGE:CPUS (like ingest:0 or infer:1-3)"},
        {"ingest:0 ingest:1", "stage 'ingest' is listed twice"},
        {"in/gest:0", "stage 'in/gest' has '/'; use letters, digits, '_', '-' and '.'"},
        {"ingest:0,", "stage 'ingest': '0,' is not a CPU list (like 0, 0,2 or 1-3)"},
        {"abcdefghijklmnopqrstuvwxyz0123456:0", "stage 'abcdefghijklmnopqrstuvwxyz0123456' is longer than 32 characters"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char out[256] = "", why[200] = "";
        cr_assert_eq(tc_affinity_each(bad[i][0], collect, out, why, sizeof why), -1, "'%s' accepted", bad[i][0]);
        cr_assert_str_eq(why, bad[i][1]);
        cr_assert_str_eq(out, "", "nothing is called for a bad value");
        cr_assert_eq(tc_affinity_check(bad[i][0], why, sizeof why), -1);
    }
    char why[200];
    cr_assert_eq(tc_affinity_check("abcdefghijklmnopqrstuvwxyz012345:0", why, sizeof why), 0, "32 characters fit");
}

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

/* The CPUs of every thread of pid, from /proc/PID/task/TID/status, joined by spaces. */
static void thread_cpus(pid_t pid, char *out, size_t size)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", pid);
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    size_t len = 0;
    out[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[128], line[256], cpus[64] = "?";
        snprintf(path, sizeof path, "%s/%s/status", dir, e->d_name);
        FILE *f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f))
            if (sscanf(line, "Cpus_allowed_list: %63s", cpus) == 1)
                break;
        if (f)
            fclose(f);
        len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " " : "", cpus);
    }
    closedir(d);
}

/* sched_setaffinity on a pid moves one thread; tc_affinity_set_process moves them all. */
Test(affinity, set_process_moves_every_thread)
{
    cpu_set_t mine;
    cr_assert_eq(sched_getaffinity(0, sizeof mine, &mine), 0);
    if (CPU_COUNT(&mine) < 2)
        cr_skip_test("this process may use one CPU only: a moved thread would look unmoved");
    int last = CPU_SETSIZE - 1;
    while (!CPU_ISSET(last, &mine))
        last--;
    int ready[2];
    cr_assert_eq(pipe(ready), 0);
    pid_t kid = fork();
    cr_assert_geq(kid, 0);
    if (kid == 0) {
        pthread_t t;
        pthread_create(&t, NULL, sleeper, NULL);
        (void)!write(ready[1], "x", 1);
        for (;;)
            pause();
    }
    char c, got[256], all[64], want[256];
    cr_assert_eq(read(ready[0], &c, 1), 1);
    tc_affinity_cpulist_format(&mine, all, sizeof all);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(last, &one);
    /* the reference: the plain call leaves the second thread where it was */
    cr_assert_eq(sched_setaffinity(kid, sizeof one, &one), 0);
    thread_cpus(kid, got, sizeof got);
    snprintf(want, sizeof want, "%d %s", last, all);
    cr_assert_str_eq(got, want, "threads' CPUs after sched_setaffinity(pid): %s", got);
    cr_assert_eq(tc_affinity_set_process(kid, &one), 0);
    thread_cpus(kid, got, sizeof got);
    snprintf(want, sizeof want, "%d %d", last, last);
    cr_assert_str_eq(got, want, "threads' CPUs after tc_affinity_set_process: %s", got);
    cr_assert_eq(tc_affinity_set_process(kid, &mine), 0);
    thread_cpus(kid, got, sizeof got);
    snprintf(want, sizeof want, "%s %s", all, all);
    cr_assert_str_eq(got, want, "and back: %s", got);
    kill(kid, SIGKILL);
    waitpid(kid, NULL, 0);
    cr_assert_lt(tc_affinity_set_process(kid, &mine), 0, "a reaped process is an error");
}
