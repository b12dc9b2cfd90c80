/* cmd_replay.c — `tickcast replay`: replays a native tick file, a directory of them, or
 * any file the importers read, either into a running instance's ticks ring (as its
 * producer: run the instance without an ingest stage) or to stdout in the importers'
 * canonical text form.  --pace K replays at K times real time (event-time gaps / K).
 *
 * Unpaced replay into a ring reads straight into claimed slots: the source fills them,
 * the symbol ids are mapped to the instance's in place, and the batch is committed, so a
 * native file's uncompressed blocks go from the page cache to the ring in one copy
 * (replay.h) and zstd blocks are decompressed where the consumers will read them. */
#include "tools/cli.h"
#include "ingest/ticksrc.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "ingest/import.h"
#include "ingest/replay.h"
#include "ingest/tickdir.h"
#include "shm/ring.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Ticks claimed per batch when replaying into a ring: several 2048-tick blocks, so a
 * native file's blocks land whole in the slots and a few reads are in flight at once. */
#define CLAIM_TICKS 8192

/* Maps the source's symbol ids of ticks t[0..n) to the instance's, adding the
 * source's new symbols (a directory's table grows as its files open) to the segment. */
static int map_symbols(tc_shm_t *shm, tc_ticksrc_t *src, uint16_t *map, int *mapped, tc_tick_t *t, int n)
{
    int ns;
    const tc_symbol_t *tab = tc_ticksrc_symbols(src, &ns);
    for (; *mapped < ns && *mapped < TC_SHM_SYMBOLS_MAX; (*mapped)++) {
        int id = tc_shm_symbol_add(shm, &tab[*mapped]);
        if (id < 0)
            return id;
        map[*mapped] = (uint16_t)id;
    }
    for (int i = 0; i < n; i++)
        t[i].sym = map[t[i].sym];
    return 0;
}

static void pace_until(int64_t t0, int64_t ev0, int64_t ev, double pace)
{
    int64_t at = t0 + (int64_t)((double)(ev - ev0) / pace);
    int64_t now = tc_clock_mono_ns();
    if (at > now) {
        struct timespec ts = {(at - now) / TC_NS_PER_S, (at - now) % TC_NS_PER_S};
        nanosleep(&ts, NULL);
    }
}

static int cmd_replay(int argc, char **argv)
{
    const char *path = NULL, *instance = NULL;
    double pace = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--instance") && i + 1 < argc)
            instance = argv[++i];
        else if (!strcmp(argv[i], "--pace") && i + 1 < argc)
            pace = atof(argv[++i]);
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            return TC_ERR(-EINVAL, "unknown option '%s'", argv[i]);
    }
    if (!path)
        return TC_ERR(-EINVAL, "which file? (tickcast replay FILE [--instance NAME])");
    if (pace < 0)
        return TC_ERR(-EINVAL, "--pace must be positive");
    tc_ticksrc_t src;
    int r = tc_ticksrc_open(&src, path);
    if (r < 0)
        return r;
    tc_shm_t shm = {0};
    tc_ring_t ring;
    uint16_t *map = NULL;
    int mapped = 0;
    if (instance) {
        if ((r = tc_shm_attach(&shm, instance, 0)) < 0 ||
            (r = tc_ring_producer_attach(&ring, &shm, "ticks", NULL)) < 0)
            goto out;
        map = calloc(TC_SHM_SYMBOLS_MAX, sizeof *map);
        if (!map) {
            r = TC_ERR(-ENOMEM, "out of memory");
            goto out;
        }
    }
    tc_tick_t buf[1024];
    char line[512];
    int64_t t0 = tc_clock_mono_ns(), ev0 = 0;
    unsigned long long total = 0;
    int n;
    if (instance && pace == 0) {
        for (;;) {
            void *slots;
            int room = tc_ring_claim_wait(&ring, CLAIM_TICKS, &slots, -1, NULL);
            if (room < 0) {
                r = room;
                goto out;
            }
            if ((n = tc_ticksrc_read(&src, slots, room)) <= 0)
                break;
            if ((r = map_symbols(&shm, &src, map, &mapped, slots, n)) < 0)
                goto out;
            tc_ring_commit(&ring, (uint32_t)n);
            total += (unsigned long long)n;
        }
    }
    while (!(instance && pace == 0) && (n = tc_ticksrc_read(&src, buf, 1024)) > 0) {
        if (instance && (r = map_symbols(&shm, &src, map, &mapped, buf, n)) < 0)
            goto out;
        for (int i = 0; i < n;) {
            int k = n - i;
            if (pace > 0) {
                if (!ev0)
                    ev0 = buf[i].ts_event;
                pace_until(t0, ev0, buf[i].ts_event, pace);
                k = 1;
            }
            if (instance) {
                if ((r = tc_ring_write(&ring, &buf[i], (uint32_t)k, -1, NULL)) < 0)
                    goto out;
            } else {
                for (int j = i; j < i + k; j++) {
                    int len = tc_import_text_fmt(line, sizeof line, &buf[j]);
                    if (len > 0)
                        fwrite(line, 1, (size_t)len, stdout);
                }
            }
            i += k;
        }
        total += (unsigned long long)n;
    }
    r = n < 0 ? n : 0;
    if (instance && r == 0) {
        tc_ring_producer_close(&ring);
        fprintf(stderr, "tickcast replay: %llu ticks into instance %s\n", total, instance);
    }
out:
    free(map);
    if (shm.base)
        tc_shm_detach(&shm);
    tc_ticksrc_close(&src);
    return r;
}

TC_CLI_COMMAND(replay, "replay a tick file into a running instance's ticks ring, or to stdout",
               "tickcast replay FILE|DIR [--instance NAME] [--pace K]\n"
               "  FILE|DIR         a native tick file (.tck), a directory of them, or any file the\n"
               "                   importers read (docs/FORMATS.md)\n"
               "  --instance NAME  write into that instance's ticks ring as its producer (the\n"
               "                   instance runs without an ingest stage); else text to stdout\n"
               "  --pace K         K times real time (default: as fast as the ring takes them)\n",
               cmd_replay);
