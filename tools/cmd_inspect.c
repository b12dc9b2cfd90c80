/* cmd_inspect.c — `tickcast inspect FILE [--json]`: what a native tick file holds.
 *
 * Header (version, writer, creation time, flags), the symbol table, blocks and
 * compression, and per symbol: ticks by kind, the event-time span, ticks whose event
 * time goes backwards, flagged ticks by reason (crossed, locked, zero-size, suspicious,
 * outlier) and the gaps longer than --gap seconds (count, longest, where).  Damaged
 * blocks and a torn tail are counted and reported, never fatal: inspection reads with
 * skip_damaged.  Rejects and skips by reason come from the import notes that
 * `tickcast import` writes into the file (docs/FORMATS.md, "Notes").
 */
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "ingest/replay.h"
#include "tools/cli.h"
#include "daemon/runtime/jsonout.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 4096
#define TOP_GAPS 5

typedef struct sym_stats {
    uint64_t ticks, by_kind[8];
    uint64_t crossed, locked, no_volume, suspicious, outlier, backwards;
    int64_t first, last, prev;
    uint64_t gaps;
    int64_t gap_len[TOP_GAPS], gap_at[TOP_GAPS]; /* longest first */
} sym_stats_t;

/* Rejects and skips by reason, summed over the file's import notes ("reject NAME N
 * first-message" / "skip NAME N" lines, docs/FORMATS.md "Notes"). */
typedef struct reason_sum {
    int n;
    char name[16][24];
    unsigned long long count[16];
} reason_sum_t;

static void reason_add(reason_sum_t *rs, const char *name, unsigned long long c)
{
    for (int i = 0; i < rs->n; i++)
        if (strcmp(rs->name[i], name) == 0) {
            rs->count[i] += c;
            return;
        }
    if (rs->n < 16) {
        snprintf(rs->name[rs->n], sizeof rs->name[0], "%s", name);
        rs->count[rs->n++] = c;
    }
}

/* ... and what `import --clean` did ("clean NAME HITS DROPPED" lines). */
static void notes_sum(const tc_tickfile_t *tf, reason_sum_t *rej, reason_sum_t *skip,
                      reason_sum_t *clean_hits, reason_sum_t *clean_dropped)
{
    for (int i = 0; i < tc_tickfile_note_count(tf); i++) {
        for (const char *l = tc_tickfile_note(tf, i); l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
            char name[24];
            unsigned long long c, d;
            if (sscanf(l, "clean %23s %llu %llu", name, &c, &d) == 3) {
                reason_add(clean_hits, name, c);
                reason_add(clean_dropped, name, d);
            } else if (sscanf(l, "reject %23s %llu", name, &c) == 2)
                reason_add(rej, name, c);
            else if (sscanf(l, "skip %23s %llu", name, &c) == 2)
                reason_add(skip, name, c);
        }
    }
}

static void reasons_json(const char *key, const reason_sum_t *rs)
{
    printf(",\"%s\":{", key);
    for (int i = 0; i < rs->n; i++)
        printf("%s\"%s\":%llu", i ? "," : "", rs->name[i], rs->count[i]);
    printf("}");
}

static const char *kind_name[8] = {"?", "trade", "quote", "bid", "ask", "bar", "heartbeat", "?"};

static void fmt_time(char *buf, size_t n, int64_t ns)
{
    time_t s = (time_t)(ns / TC_NS_PER_S);
    int64_t frac = ns % TC_NS_PER_S;
    if (frac < 0) {
        frac += TC_NS_PER_S;
        s--;
    }
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + k, n - k, ".%09lldZ", (long long)frac);
}

static void gap_note(sym_stats_t *s, int64_t len, int64_t at)
{
    s->gaps++;
    for (int i = 0; i < TOP_GAPS; i++) {
        if (len > s->gap_len[i]) {
            memmove(&s->gap_len[i + 1], &s->gap_len[i], (size_t)(TOP_GAPS - 1 - i) * sizeof(int64_t));
            memmove(&s->gap_at[i + 1], &s->gap_at[i], (size_t)(TOP_GAPS - 1 - i) * sizeof(int64_t));
            s->gap_len[i] = len;
            s->gap_at[i] = at;
            return;
        }
    }
}

/* JSON string body: the table's strings are NUL-terminated ASCII from importers, but a
 * damaged or foreign file could hold anything, so escape what JSON needs. */
static int cmd_inspect(int argc, char **argv)
{
    static const struct option lo[] = {
        {"json", no_argument, 0, 'j'}, {"gap", required_argument, 0, 'g'}, {0, 0, 0, 0}};
    int json = 0, c;
    double gap_s = 60;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "jg:", lo, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'g': {
            char *end;
            gap_s = strtod(optarg, &end);
            if (*end || end == optarg || !(gap_s > 0))
                return TC_ERR(2, "--gap wants seconds > 0, got '%s'", optarg);
            break;
        }
        default: return TC_ERR(2, "unknown or incomplete option '%s' (tickcast inspect --help)", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return TC_ERR(2, "inspect takes one FILE (tickcast inspect --help)");
    const char *path = argv[optind];
    int64_t gap_ns = (int64_t)(gap_s * 1e9);

    tc_replay_t *rp = tc_replay_open(path, &(tc_replay_opts_t){.skip_damaged = 1});
    if (!rp)
        return 1;
    int nsyms;
    const tc_symbol_t *syms = tc_replay_symbols(rp, &nsyms);
    sym_stats_t *ss = calloc((size_t)nsyms + 1, sizeof *ss); /* [nsyms]: ticks naming no symbol */
    tc_tick_t *buf = malloc(BATCH * sizeof *buf);
    if (!ss || !buf) {
        free(ss);
        free(buf);
        tc_replay_close(rp);
        return TC_ERR(1, "out of memory");
    }
    int n;
    while ((n = tc_replay_read(rp, buf, BATCH)) > 0) {
        for (int k = 0; k < n; k++) {
            const tc_tick_t *t = &buf[k];
            sym_stats_t *s = &ss[t->sym < nsyms ? t->sym : nsyms];
            if (s->ticks == 0) {
                s->first = s->last = t->ts_event;
            } else {
                if (t->ts_event < s->prev)
                    s->backwards++;
                else if (t->ts_event - s->prev > gap_ns)
                    gap_note(s, t->ts_event - s->prev, s->prev);
                s->first = t->ts_event < s->first ? t->ts_event : s->first;
                s->last = t->ts_event > s->last ? t->ts_event : s->last;
            }
            s->prev = t->ts_event;
            s->ticks++;
            s->by_kind[t->kind < 8 ? t->kind : 7]++;
            s->crossed += !!(t->flags & TC_TICK_CROSSED);
            s->locked += !!(t->flags & TC_TICK_LOCKED);
            s->no_volume += !!(t->flags & TC_TICK_NO_VOLUME);
            s->suspicious += !!(t->flags & TC_TICK_SUSPICIOUS);
            s->outlier += !!(t->flags & TC_TICK_OUTLIER);
        }
    }
    int status = n < 0 ? 1 : 0;
    const tc_tickfile_stats_t *st = tc_replay_stats(rp);
    const tc_tickfile_t *tf = tc_replay_tickfile(rp);
    reason_sum_t rej = {0}, skip = {0}, ch = {0}, cd = {0};
    notes_sum(tf, &rej, &skip, &ch, &cd);
    char t0[48], t1[48], tc[48];
    fmt_time(tc, sizeof tc, st->created_ns);

    if (json) {
        printf("{\"file\":");
        tc_json_put_str(stdout, path);
        printf(",\"version\":%u,\"writer\":", st->version);
        tc_json_put_str(stdout, st->writer);
        printf(",\"created\":\"%s\",\"flags\":%u,\"bytes\":%llu,\"blocks\":%llu,\"tick_blocks\":%llu,"
               "\"ticks\":%llu,\"raw_bytes\":%llu,\"stored_bytes\":%llu,\"damaged_blocks\":%llu,"
               "\"torn_tail_bytes\":%llu,\"symbols\":[",
               tc, st->flags, (unsigned long long)st->file_bytes, (unsigned long long)st->blocks,
               (unsigned long long)st->tick_blocks, (unsigned long long)st->ticks_read,
               (unsigned long long)st->raw_bytes, (unsigned long long)st->stored_bytes,
               (unsigned long long)st->damaged_blocks, (unsigned long long)st->torn_bytes);
        for (int i = 0; i <= nsyms; i++) {
            const sym_stats_t *s = &ss[i];
            if (i == nsyms && s->ticks == 0)
                break;
            printf("%s{\"index\":%d,\"name\":", i ? "," : "", i);
            tc_json_put_str(stdout, i < nsyms ? syms[i].name : "(unknown)");
            printf(",\"venue\":");
            tc_json_put_str(stdout, i < nsyms ? syms[i].venue : "");
            printf(",\"tz\":");
            tc_json_put_str(stdout, i < nsyms ? syms[i].tz : "");
            if (i < nsyms)
                printf(",\"tick_size\":%lld,\"tick_exp\":%d", (long long)syms[i].tick_size, syms[i].tick_exp);
            printf(",\"ticks\":%llu,\"kinds\":{", (unsigned long long)s->ticks);
            int first = 1;
            for (int k = 1; k < 8; k++)
                if (s->by_kind[k]) {
                    printf("%s\"%s\":%llu", first ? "" : ",", kind_name[k], (unsigned long long)s->by_kind[k]);
                    first = 0;
                }
            printf("},\"first_ns\":%lld,\"last_ns\":%lld,\"backwards\":%llu,\"flagged\":{\"crossed\":%llu,"
                   "\"locked\":%llu,\"zero_size\":%llu,\"suspicious\":%llu,\"outlier\":%llu},"
                   "\"gaps\":{\"threshold_s\":%g,\"count\":%llu,\"longest\":[",
                   (long long)s->first, (long long)s->last, (unsigned long long)s->backwards,
                   (unsigned long long)s->crossed, (unsigned long long)s->locked, (unsigned long long)s->no_volume,
                   (unsigned long long)s->suspicious, (unsigned long long)s->outlier, gap_s,
                   (unsigned long long)s->gaps);
            for (int g = 0; g < TOP_GAPS && s->gap_len[g]; g++)
                printf("%s{\"at_ns\":%lld,\"seconds\":%.3f}", g ? "," : "", (long long)s->gap_at[g],
                       (double)s->gap_len[g] / 1e9);
            printf("]}}");
        }
        printf("]");
        reasons_json("rejects", &rej);
        reasons_json("skips", &skip);
        reasons_json("cleaned", &ch);
        reasons_json("clean_dropped", &cd);
        printf(",\"notes\":[");
        for (int i = 0; i < tc_tickfile_note_count(tf); i++) {
            if (i)
                printf(",");
            tc_json_put_str(stdout, tc_tickfile_note(tf, i));
        }
        printf("]}\n");
    } else {
        printf("file        %s\n", path);
        printf("format      version %u, written by %s, created %s%s\n", st->version, st->writer, tc,
               st->flags & TC_TICKFILE_F_ZSTD ? ", zstd" : "");
        printf("blocks      %llu (%llu of ticks), %llu bytes; tick payload %llu stored / %llu raw (%.3f)\n",
               (unsigned long long)st->blocks, (unsigned long long)st->tick_blocks,
               (unsigned long long)st->file_bytes, (unsigned long long)st->stored_bytes,
               (unsigned long long)st->raw_bytes,
               st->raw_bytes ? (double)st->stored_bytes / (double)st->raw_bytes : 0.0);
        printf("damage      %llu damaged blocks skipped, torn tail %llu bytes\n",
               (unsigned long long)st->damaged_blocks, (unsigned long long)st->torn_bytes);
        printf("ticks       %llu\n", (unsigned long long)st->ticks_read);
        for (int i = 0; i <= nsyms; i++) {
            const sym_stats_t *s = &ss[i];
            if (i == nsyms && s->ticks == 0)
                break;
            if (i < nsyms)
                printf("symbol %-3d  %s  venue %s  tz %s  tick size %llde%d\n", i, syms[i].name,
                       syms[i].venue[0] ? syms[i].venue : "-", syms[i].tz[0] ? syms[i].tz : "-",
                       (long long)syms[i].tick_size, syms[i].tick_exp);
            else
                printf("symbol ?    ticks naming no symbol of the table\n");
            printf("  ticks     %llu:", (unsigned long long)s->ticks);
            for (int k = 1; k < 8; k++)
                if (s->by_kind[k])
                    printf(" %s %llu", kind_name[k], (unsigned long long)s->by_kind[k]);
            printf("\n");
            if (s->ticks) {
                fmt_time(t0, sizeof t0, s->first);
                fmt_time(t1, sizeof t1, s->last);
                printf("  span      %s → %s\n", t0, t1);
            }
            printf("  flagged   crossed %llu, locked %llu, zero-size %llu, suspicious %llu, outlier %llu; "
                   "time going backwards %llu\n",
                   (unsigned long long)s->crossed, (unsigned long long)s->locked, (unsigned long long)s->no_volume,
                   (unsigned long long)s->suspicious, (unsigned long long)s->outlier,
                   (unsigned long long)s->backwards);
            printf("  gaps      %llu longer than %gs", (unsigned long long)s->gaps, gap_s);
            for (int g = 0; g < TOP_GAPS && s->gap_len[g]; g++) {
                fmt_time(t0, sizeof t0, s->gap_at[g]);
                printf("%s%.1fs after %s", g ? ", " : "; longest: ", (double)s->gap_len[g] / 1e9, t0);
            }
            printf("\n");
        }
        printf("rejects    ");
        for (int i = 0; i < rej.n; i++)
            printf(" %s %llu%s", rej.name[i], rej.count[i], i + 1 < rej.n ? "," : "");
        printf("%s (from import notes)\n", rej.n ? "" : " none");
        if (skip.n) {
            printf("skipped    ");
            for (int i = 0; i < skip.n; i++)
                printf(" %s %llu%s", skip.name[i], skip.count[i], i + 1 < skip.n ? "," : "");
            printf("\n");
        }
        if (ch.n) {
            printf("cleaned    ");
            for (int i = 0; i < ch.n; i++)
                printf(" %s %llu (%llu dropped)%s", ch.name[i], ch.count[i], cd.count[i],
                       i + 1 < ch.n ? "," : "");
            printf(" (from import --clean)\n");
        }
        for (int i = 0; i < tc_tickfile_note_count(tf); i++)
            printf("note %-6d %s%s", i, tc_tickfile_note(tf, i),
                   tc_tickfile_note(tf, i)[strlen(tc_tickfile_note(tf, i)) - 1] == '\n' ? "" : "\n");
    }
    free(ss);
    free(buf);
    tc_replay_close(rp);
    return status;
}

TC_CLI_COMMAND(inspect, "show a native tick file's header, symbols, counts by kind, span and gaps",
               "tickcast inspect FILE [--json] [--gap SECONDS]\n"
               "  -j, --json            one JSON object on stdout\n"
               "  -g, --gap SECONDS     report gaps between a symbol's ticks longer than this (default 60)",
               cmd_inspect);
