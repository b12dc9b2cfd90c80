/* cmd_replay.c — `tickcast replay`: replays a native tick file, a directory of them, or
 * any file the importers read, either into a running instance's ticks ring (as its
 * producer: run the instance without an ingest stage) or to stdout in the importers'
 * canonical text form.  --pace K replays at K times real time (event-time gaps / K). */
#include "tools/cli.h"
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

typedef struct source {
    tc_replay_t *rp;
    tc_tickdir_t *dir;
    tc_import_t *imp;
} source_t;

static int source_open(source_t *s, const char *path)
{
    memset(s, 0, sizeof *s);
    struct stat st;
    if (stat(path, &st) < 0)
        return TC_ERR(-errno, "%s: %s", path, strerror(errno));
    const char *dot = strrchr(path, '.');
    if (S_ISDIR(st.st_mode)) {
        tc_tickdir_opts_t o = {0};
        s->dir = tc_tickdir_open(path, TC_TICKFILE_READ, &o);
    } else if (dot && !strcmp(dot, ".tck")) {
        tc_replay_opts_t o = {0};
        s->rp = tc_replay_open(path, &o);
    } else {
        tc_import_opts_t o = {0};
        s->imp = tc_import_open(path, &o);
    }
    return s->dir || s->rp || s->imp ? 0 : (tc_err_code() ? tc_err_code() : -EIO);
}

static int source_read(source_t *s, tc_tick_t *out, int max)
{
    return s->dir ? tc_tickdir_read(s->dir, out, max)
           : s->rp ? tc_replay_read(s->rp, out, max)
                   : tc_import_read(s->imp, out, max);
}

static const tc_symbol_t *source_symbols(source_t *s, int *ret_n)
{
    if (s->dir)
        return tc_tickdir_symbols(s->dir, ret_n);
    if (s->rp)
        return tc_replay_symbols(s->rp, ret_n);
    *ret_n = 1;
    return tc_import_symbol(s->imp);
}

static void source_close(source_t *s)
{
    tc_tickdir_close(s->dir);
    tc_replay_close(s->rp);
    tc_import_close(s->imp);
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
    source_t src;
    int r = source_open(&src, path);
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
    while ((n = source_read(&src, buf, 1024)) > 0) {
        if (instance) {
            int ns;
            const tc_symbol_t *tab = source_symbols(&src, &ns);
            for (; mapped < ns && mapped < TC_SHM_SYMBOLS_MAX; mapped++) {
                int id = tc_shm_symbol_add(&shm, &tab[mapped]);
                if (id < 0) {
                    r = id;
                    goto out;
                }
                map[mapped] = (uint16_t)id;
            }
            for (int i = 0; i < n; i++)
                buf[i].sym = map[buf[i].sym];
        }
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
    source_close(&src);
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
