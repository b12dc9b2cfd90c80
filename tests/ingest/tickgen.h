/* tickgen.h — a deterministic tick sequence for the native-file tests: tick i is a
 * pure function of (i, nsyms), so a reader can check every record it gets back
 * against what the writer must have written, without keeping a copy. */
#ifndef TC_TESTS_TICKGEN_H
#define TC_TESTS_TICKGEN_H

#include "ingest/symbols.h"
#include "shm/records.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TICKGEN_T0 1700000000000000000LL /* 2023-11-14T22:13:20Z */

static inline uint64_t tickgen_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Tick i: event times strictly increasing by 1 µs, varied kinds and fields. */
static inline void tickgen(tc_tick_t *t, uint64_t i, int nsyms)
{
    uint64_t h = tickgen_mix(i);
    memset(t, 0, sizeof *t);
    t->ts_event = TICKGEN_T0 + (int64_t)i * 1000;
    t->ts_recv = t->ts_event + (int64_t)(h % 5000);
    t->sym = (uint16_t)(h % (uint64_t)nsyms);
    t->kind = (h >> 8) & 1 ? TC_TICK_TRADE : TC_TICK_QUOTE;
    t->px_exp = (int8_t)-(int)((h >> 12) % 8);
    t->qty_exp = (int8_t)-(int)((h >> 16) % 3);
    t->flags = (uint8_t)(h >> 20);
    t->venue = (uint8_t)('A' + (h >> 28) % 26);
    t->cond = (uint8_t)(h >> 36);
    for (int k = 0; k < 5; k++)
        t->v[k] = (int64_t)(tickgen_mix(i * 5 + (uint64_t)k) % 100000000);
    t->v[4] = (int64_t)i; /* the sequence number, so a reordered record shows */
}

static inline void tickgen_symbol(tc_symbol_t *s, int k)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "SYM%d", k);
    snprintf(s->venue, sizeof s->venue, "V%d", k % 3);
    snprintf(s->tz, sizeof s->tz, "%s", k % 2 ? "America/New_York" : "UTC");
    s->tick_size = 1 + k;
    s->tick_exp = (int8_t)-(k % 5);
    s->px_exp = -5;
    s->asset_class = TC_ASSET_SYNTHETIC;
}

/* A fresh directory on tmpfs when there is one (fast, and what the torn-tail tests
 * assume); the caller removes it with tickgen_rmdir. */
static inline char *tickgen_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/dev/shm/tc-test-XXXXXX");
    if (mkdtemp(buf))
        return buf;
    snprintf(buf, n, "/tmp/tc-test-XXXXXX");
    return mkdtemp(buf);
}

static inline void tickgen_rmdir(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

#endif
