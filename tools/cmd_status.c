/* cmd_status.c — `tickcast status`: attaches to an instance's segment read-only, as an
 * anonymous observer (it writes nothing there, so it can never slow a producer), and
 * shows each ring's producer position, each consumer's lag and laps, the stage table
 * (with the CPUs each live stage may run on) and the counters.  --json for scripts;
 * --watch N refreshes every N seconds and adds each ring's and consumer's rate since the
 * refresh before. */
#include "tools/cli.h"
#include "daemon/runtime/affinity.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/proc.h"
#include "shm/segment.h"
#include "daemon/runtime/jsonout.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *kind_name(uint32_t k)
{
    switch (k) {
    case TC_RING_REQUIRED: return "required";
    case TC_RING_OBSERVER: return "observer";
    case TC_RING_EVICTED: return "evicted";
    default: return "free";
    }
}

/* "none", "open", "closed", or "gone": open, but its producer died (a crashed stage not
 * restarted yet, or one started by hand that is not coming back). */
static const char *producer_state_name(const tc_ring_ctl_t *c)
{
    uint32_t st = atomic_load(&c->prod_state);
    if (st == TC_PRODUCER_OPEN)
        return tc_pid_alive(atomic_load(&c->prod_pid)) ? "open" : "gone";
    return st == TC_PRODUCER_CLOSED ? "closed" : "none";
}

/* The text table's kind column for a producer: only the states that need a look. */
static const char *shown_state(const tc_ring_ctl_t *c)
{
    const char *st = producer_state_name(c);
    return !strcmp(st, "closed") || !strcmp(st, "gone") ? st : "";
}

/* The ring positions of one refresh, read once so that the positions printed and the
 * rates computed from them agree. */
typedef struct sample {
    int64_t mono_ns;
    uint64_t head[TC_SHM_RINGS_MAX];
    uint64_t cursor[TC_SHM_RINGS_MAX][TC_RING_CONSUMERS_MAX];
    uint32_t kind[TC_SHM_RINGS_MAX][TC_RING_CONSUMERS_MAX];
} sample_t;

static void take_sample(const tc_shm_t *s, sample_t *x)
{
    x->mono_ns = tc_clock_mono_ns();
    for (uint32_t i = 0; i < s->hdr->n_rings && i < TC_SHM_RINGS_MAX; i++) {
        tc_ring_ctl_t *c = tc_shm_ring_ctl_at(s, (int)i);
        x->head[i] = atomic_load(&c->prod_pos);
        for (int k = 0; k < TC_RING_CONSUMERS_MAX; k++) {
            x->kind[i][k] = atomic_load(&c->consumers[k].kind);
            x->cursor[i][k] = atomic_load(&c->consumers[k].cursor);
        }
    }
}

/* Records a second between two readings of one position, or -1 when it went back. */
static double rate_of(const sample_t *prev, const sample_t *now, uint64_t before, uint64_t after)
{
    if (now->mono_ns <= prev->mono_ns || after < before)
        return -1;
    return (double)(after - before) / ((double)(now->mono_ns - prev->mono_ns) / TC_NS_PER_S);
}

/* Ring i's producer rate since prev, or -1 without one. */
static double producer_rate(const sample_t *prev, const sample_t *now, uint32_t i)
{
    return prev ? rate_of(prev, now, prev->head[i], now->head[i]) : -1;
}

/* Consumer slot k of ring i's rate since prev, or -1 without one or when the slot was
 * free then (a slot given to another consumer moves its position back). */
static double consumer_rate(const sample_t *prev, const sample_t *now, uint32_t i, int k)
{
    if (!prev || prev->kind[i][k] == TC_RING_FREE)
        return -1;
    return rate_of(prev, now, prev->cursor[i][k], now->cursor[i][k]);
}

static void put_rate(FILE *f, const char *key, double rate)
{
    if (rate < 0)
        fprintf(f, ",\"%s\":null", key);
    else
        fprintf(f, ",\"%s\":%.3f", key, rate);
}

static void print_json(const tc_shm_t *s, FILE *f, const sample_t *prev, const sample_t *now)
{
    const tc_shm_header_t *h = s->hdr;
    int64_t mono = now->mono_ns;
    fprintf(f, "{\"instance\":");
    tc_json_put_str(f, h->instance);
    fprintf(f, ",\"layout_version\":%u,\"supervisor_pid\":%d,\"generation\":%u",
            h->layout_version, atomic_load(&h->supervisor_pid), atomic_load(&h->generation));
    if (prev)
        fprintf(f, ",\"interval_s\":%.6f", (double)(now->mono_ns - prev->mono_ns) / TC_NS_PER_S);
    else
        fprintf(f, ",\"interval_s\":null");
    fprintf(f, ",\"rings\":[");
    for (uint32_t i = 0; i < h->n_rings && i < TC_SHM_RINGS_MAX; i++) {
        tc_ring_ctl_t *c = tc_shm_ring_ctl_at(s, (int)i);
        uint64_t head = now->head[i];
        fprintf(f, "%s{\"name\":", i ? "," : "");
        tc_json_put_str(f, c->name);
        fprintf(f, ",\"capacity\":%llu,\"record_size\":%u,\"producer_position\":%llu,"
                   "\"producer_pid\":%d,\"producer_state\":\"%s\",\"producer_full_waits\":%llu,"
                   "\"evictions\":%llu",
                (unsigned long long)c->capacity, c->rec_size, (unsigned long long)head,
                atomic_load(&c->prod_pid), producer_state_name(c),
                (unsigned long long)atomic_load(&c->prod_full_waits),
                (unsigned long long)atomic_load(&c->evictions));
        put_rate(f, "producer_rate_per_s", producer_rate(prev, now, i));
        fprintf(f, ",\"consumers\":[");
        int first = 1;
        for (int k = 0; k < TC_RING_CONSUMERS_MAX; k++) {
            const tc_ring_consumer_slot_t *cs = &c->consumers[k];
            uint32_t kind = now->kind[i][k];
            if (kind == TC_RING_FREE)
                continue;
            uint64_t cur = now->cursor[i][k];
            int64_t hb = atomic_load(&cs->heartbeat_ns);
            fprintf(f, "%s{\"name\":", first ? "" : ",");
            first = 0;
            tc_json_put_str(f, cs->name);
            fprintf(f, ",\"kind\":\"%s\",\"pid\":%d,\"cursor\":%llu,\"lag\":%llu,\"laps\":%llu,"
                       "\"lost\":%llu,\"heartbeat_age_s\":%.3f",
                    kind_name(kind), atomic_load(&cs->pid), (unsigned long long)cur,
                    (unsigned long long)(head > cur ? head - cur : 0),
                    (unsigned long long)atomic_load(&cs->laps),
                    (unsigned long long)atomic_load(&cs->lost),
                    hb ? (double)(mono - hb) / TC_NS_PER_S : -1.0);
            put_rate(f, "rate_per_s", consumer_rate(prev, now, i, k));
            fprintf(f, "}");
        }
        fprintf(f, "]}");
    }
    fprintf(f, "],\"stages\":[");
    const tc_stage_slot_t *st = tc_shm_stages(s);
    int first = 1;
    for (int i = 0; i < TC_SHM_STAGES_MAX; i++) {
        if (!st[i].name[0])
            continue;
        fprintf(f, "%s{\"name\":", first ? "" : ",");
        first = 0;
        tc_json_put_str(f, st[i].name);
        int64_t hb = atomic_load(&st[i].heartbeat_ns);
        char cpus[256];
        if (tc_affinity_of(atomic_load(&st[i].pid), cpus, sizeof cpus) > 0) {
            fprintf(f, ",\"cpus\":");
            tc_json_put_str(f, cpus);
        } else {
            fprintf(f, ",\"cpus\":null");
        }
        fprintf(f, ",\"state\":\"%s\",\"pid\":%d,\"restarts\":%llu,\"work\":%llu,"
                   "\"heartbeat_age_s\":%.3f}",
                tc_stage_state_name(atomic_load(&st[i].state)), atomic_load(&st[i].pid),
                (unsigned long long)atomic_load(&st[i].restarts),
                (unsigned long long)atomic_load(&st[i].work),
                hb ? (double)(mono - hb) / TC_NS_PER_S : -1.0);
    }
    fprintf(f, "],\"counters\":{");
    uint32_t n;
    tc_counter_t *c = tc_shm_counters(s, &n);
    for (uint32_t i = 0; i < n; i++) {
        fprintf(f, "%s", i ? "," : "");
        tc_json_put_str(f, c[i].name);
        fprintf(f, ":%llu", (unsigned long long)atomic_load(&c[i].value));
    }
    fprintf(f, "}}\n");
}

/* A rate for the text table: "-" before the second refresh. */
static const char *rate_text(double rate, char *buf, size_t size)
{
    if (rate < 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.0f", rate);
    return buf;
}

static void print_text(const tc_shm_t *s, FILE *f, const sample_t *prev, const sample_t *now)
{
    const tc_shm_header_t *h = s->hdr;
    int64_t mono = now->mono_ns;
    char rt[32];
    fprintf(f, "instance %s (layout %u, supervisor pid %d)\n\n", h->instance, h->layout_version,
            atomic_load(&h->supervisor_pid));
    fprintf(f, "%-12s %-10s %-8s %14s %10s %8s %10s %12s\n", "ring", "consumer", "kind", "position",
            "lag", "laps", "lost", "records/s");
    for (uint32_t i = 0; i < h->n_rings && i < TC_SHM_RINGS_MAX; i++) {
        tc_ring_ctl_t *c = tc_shm_ring_ctl_at(s, (int)i);
        uint64_t head = now->head[i];
        fprintf(f, "%-12s %-10s %-8s %14llu %10s %8s %10s %12s   cap %llu, full waits %llu\n", c->name,
                "(producer)", shown_state(c),
                (unsigned long long)head, "", "", "",
                rate_text(producer_rate(prev, now, i), rt, sizeof rt),
                (unsigned long long)c->capacity, (unsigned long long)atomic_load(&c->prod_full_waits));
        for (int k = 0; k < TC_RING_CONSUMERS_MAX; k++) {
            const tc_ring_consumer_slot_t *cs = &c->consumers[k];
            uint32_t kind = now->kind[i][k];
            if (kind == TC_RING_FREE)
                continue;
            uint64_t cur = now->cursor[i][k];
            fprintf(f, "%-12s %-10s %-8s %14llu %10llu %8llu %10llu %12s\n", "", cs->name,
                    kind_name(kind), (unsigned long long)cur,
                    (unsigned long long)(head > cur ? head - cur : 0),
                    (unsigned long long)atomic_load(&cs->laps),
                    (unsigned long long)atomic_load(&cs->lost),
                    rate_text(consumer_rate(prev, now, i, k), rt, sizeof rt));
        }
    }
    fprintf(f, "\n%-12s %-9s %8s %9s %14s %10s  %s\n", "stage", "state", "pid", "restarts", "work",
            "heartbeat", "cpus");
    const tc_stage_slot_t *st = tc_shm_stages(s);
    for (int i = 0; i < TC_SHM_STAGES_MAX; i++) {
        if (!st[i].name[0])
            continue;
        int64_t hb = atomic_load(&st[i].heartbeat_ns);
        char cpus[256];
        if (tc_affinity_of(atomic_load(&st[i].pid), cpus, sizeof cpus) <= 0)
            snprintf(cpus, sizeof cpus, "-");
        fprintf(f, "%-12s %-9s %8d %9llu %14llu %9.1fs  %s\n", st[i].name,
                tc_stage_state_name(atomic_load(&st[i].state)), atomic_load(&st[i].pid),
                (unsigned long long)atomic_load(&st[i].restarts),
                (unsigned long long)atomic_load(&st[i].work),
                hb ? (double)(mono - hb) / TC_NS_PER_S : 0.0, cpus);
    }
    uint32_t n;
    tc_counter_t *c = tc_shm_counters(s, &n);
    if (n)
        fprintf(f, "\ncounters\n");
    for (uint32_t i = 0; i < n; i++)
        fprintf(f, "  %-48s %llu\n", c[i].name, (unsigned long long)atomic_load(&c[i].value));
}

static int cmd_status(int argc, char **argv)
{
    const char *instance = "default";
    int json = 0;
    long count = 0; /* refreshes with --watch; 0 = until interrupted */
    double watch = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--instance") && i + 1 < argc)
            instance = argv[++i];
        else if (!strcmp(argv[i], "--watch") && i + 1 < argc)
            watch = atof(argv[++i]);
        else if (!strcmp(argv[i], "--count") && i + 1 < argc)
            count = atol(argv[++i]);
        else
            return TC_ERR(-EINVAL, "unknown option '%s'", argv[i]);
    }
    if (watch < 0 || count < 0)
        return TC_ERR(-EINVAL, "--watch wants seconds and --count a number of refreshes, both positive");
    tc_shm_t s;
    int r = tc_shm_attach(&s, instance, 1);
    if (r < 0)
        return r;
    static sample_t samples[2]; /* this refresh and the one before, for the rates */
    for (long n = 0;; n++) {
        sample_t *now = &samples[n & 1], *prev = n ? &samples[(n - 1) & 1] : NULL;
        take_sample(&s, now);
        if (watch > 0 && !json && isatty(STDOUT_FILENO))
            fputs("\033[H\033[2J", stdout);
        if (json)
            print_json(&s, stdout, prev, now);
        else
            print_text(&s, stdout, prev, now);
        fflush(stdout);
        if (watch <= 0 || (count > 0 && n + 1 >= count))
            break;
        usleep((useconds_t)(watch * 1e6));
    }
    tc_shm_detach(&s);
    return 0;
}

TC_CLI_COMMAND(status, "show rings, consumer lags, laps, stages and counters of an instance",
               "tickcast status [--instance NAME] [--json] [--watch SECONDS [--count N]]\n"
               "  --instance NAME  the instance (default: default)\n"
               "  --json           one JSON object (a line per refresh), for scripts\n"
               "  --watch SECONDS  refresh every SECONDS; from the second refresh on, each ring's\n"
               "                   and each consumer's records/s since the one before\n"
               "  --count N        with --watch, stop after N refreshes\n",
               cmd_status);
