/* affinity.c — parsing tickcastd.cpu_affinity (affinity.h). */
#include "daemon/runtime/affinity.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAGE_NAME_MAX 33 /* 32 characters, as tickcastd.stages allows */
#define ENTRIES_MAX 32 /* twice the stage slots */

int tc_affinity_cpulist_parse(const char *list, cpu_set_t *set, char *why, size_t why_size)
{
    CPU_ZERO(set);
    const char *p = list;
    for (;;) {
        char *end;
        if (!isdigit((unsigned char)*p))
            goto bad;
        unsigned long first = strtoul(p, &end, 10), last = first;
        if (*end == '-') {
            p = end + 1;
            if (!isdigit((unsigned char)*p))
                goto bad;
            last = strtoul(p, &end, 10);
        }
        if (first >= CPU_SETSIZE || last >= CPU_SETSIZE) {
            snprintf(why, why_size, "CPU %lu is beyond the last possible (%d)",
                     first >= CPU_SETSIZE ? first : last, CPU_SETSIZE - 1);
            return -1;
        }
        if (last < first) {
            snprintf(why, why_size, "%lu-%lu is a backward range", first, last);
            return -1;
        }
        for (unsigned long c = first; c <= last; c++)
            CPU_SET(c, set);
        if (*end == '\0')
            return 0;
        if (*end != ',')
            goto bad;
        p = end + 1;
    }
bad:
    snprintf(why, why_size, "'%s' is not a CPU list (like 0, 0,2 or 1-3)", list);
    return -1;
}

int tc_affinity_cpulist_format(const cpu_set_t *set, char *buf, size_t size)
{
    size_t len = 0;
    if (size)
        buf[0] = '\0';
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, set))
            continue;
        int last = c;
        while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, set))
            last++;
        int k = last == c ? snprintf(buf + len, size - len, "%s%d", len ? "," : "", c)
                          : snprintf(buf + len, size - len, "%s%d-%d", len ? "," : "", c, last);
        if (k < 0 || (size_t)k >= size - len)
            return -1;
        len += (size_t)k;
        c = last;
    }
    return (int)len;
}

int tc_affinity_of(int pid, char *buf, size_t size)
{
    cpu_set_t set;
    if (size)
        buf[0] = '\0';
    if (pid <= 0 || sched_getaffinity(pid, sizeof set, &set) < 0)
        return -1;
    return tc_affinity_cpulist_format(&set, buf, size);
}

int tc_affinity_set_process(int pid, const cpu_set_t *set)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", pid);
    DIR *d = opendir(dir);
    if (!d)
        return sched_setaffinity(pid, sizeof *set, set) < 0 ? -errno : 0;
    int r = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && sched_setaffinity(atoi(e->d_name), sizeof *set, set) < 0 &&
            errno != ESRCH && r == 0)
            r = -errno;
    closedir(d);
    return r;
}

static int name_char(int ch) { return isalnum(ch) || ch == '_' || ch == '-' || ch == '.'; }

/* Splits spec's entries into names and sets; returns their count or -1 with why. */
static int parse_all(const char *spec, char (*names)[STAGE_NAME_MAX], cpu_set_t *sets, char *why,
                     size_t why_size)
{
    int n = 0;
    const char *p = spec;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            return n;
        const char *end = p;
        while (*end && !isspace((unsigned char)*end))
            end++;
        char entry[256];
        size_t len = (size_t)(end - p);
        if (len >= sizeof entry)
            len = sizeof entry - 1;
        memcpy(entry, p, len);
        entry[len] = '\0';
        char *colon = strchr(entry, ':');
        if (!colon || colon == entry || !colon[1]) {
            snprintf(why, why_size, "'%s' is not STAGE:CPUS (like ingest:0 or infer:1-3)", entry);
            return -1;
        }
        *colon = '\0';
        if (strlen(entry) >= STAGE_NAME_MAX) {
            snprintf(why, why_size, "stage '%s' is longer than %d characters", entry, STAGE_NAME_MAX - 1);
            return -1;
        }
        for (const char *c = entry; *c; c++)
            if (!name_char((unsigned char)*c)) {
                snprintf(why, why_size, "stage '%s' has '%c'; use letters, digits, '_', '-' and '.'",
                         entry, *c);
                return -1;
            }
        if (n == ENTRIES_MAX) {
            snprintf(why, why_size, "more than %d entries", ENTRIES_MAX);
            return -1;
        }
        for (int i = 0; i < n; i++)
            if (strcmp(names[i], entry) == 0) {
                snprintf(why, why_size, "stage '%s' is listed twice", entry);
                return -1;
            }
        char w[160];
        if (tc_affinity_cpulist_parse(colon + 1, &sets[n], w, sizeof w) < 0) {
            snprintf(why, why_size, "stage '%s': %s", entry, w);
            return -1;
        }
        snprintf(names[n++], STAGE_NAME_MAX, "%s", entry);
        p = end;
    }
}

int tc_affinity_each(const char *spec, int (*fn)(const char *stage, const cpu_set_t *set, void *arg),
                     void *arg, char *why, size_t why_size)
{
    char names[ENTRIES_MAX][STAGE_NAME_MAX];
    cpu_set_t sets[ENTRIES_MAX]; /* 4 KiB */
    int n = parse_all(spec, names, sets, why, why_size);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        int r = fn ? fn(names[i], &sets[i], arg) : 0;
        if (r)
            return r;
    }
    return 0;
}

int tc_affinity_check(const char *spec, char *why, size_t why_size)
{
    return tc_affinity_each(spec, NULL, NULL, why, why_size) < 0 ? -1 : 0;
}

typedef struct lookup {
    const char *stage;
    cpu_set_t *set;
} lookup_t;

static int lookup_one(const char *stage, const cpu_set_t *set, void *arg)
{
    lookup_t *l = arg;
    if (strcmp(stage, l->stage) != 0)
        return 0;
    *l->set = *set;
    return 1;
}

int tc_affinity_lookup(const char *spec, const char *stage, cpu_set_t *set, char *why,
                       size_t why_size)
{
    lookup_t l = {stage, set};
    return tc_affinity_each(spec, lookup_one, &l, why, why_size);
}
