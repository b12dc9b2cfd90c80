/* cmd_tail.c — `tickcast tail RING`: prints the newest records of a running instance's
 * ring (ticks, features, predictions), decoded, as text or JSON lines.  Read-only: it
 * copies records as an anonymous observer and never slows the producer; --follow keeps
 * printing new records as they arrive. */
#include "tools/cli.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "shm/ring.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *sym_name(const tc_shm_t *s, uint16_t id)
{
    uint32_t n;
    const tc_symbol_t *tab = tc_shm_symbols(s, &n);
    return id < n ? tab[id].name : "?";
}

static void fmt_time(int64_t ns, char *buf, size_t len)
{
    time_t sec = (time_t)(ns / TC_NS_PER_S);
    struct tm tm;
    gmtime_r(&sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03lldZ", (long long)(ns % TC_NS_PER_S / TC_NS_PER_MS));
}

static void print_tick(const tc_shm_t *s, const tc_tick_t *t, int json)
{
    char ts[40];
    fmt_time(t->ts_event, ts, sizeof ts);
    const char *sym = sym_name(s, t->sym);
    if (t->kind == TC_TICK_TRADE) {
        if (json)
            printf("{\"ts\":\"%s\",\"symbol\":\"%s\",\"kind\":\"trade\",\"price\":%.10g,\"size\":%.10g}\n",
                   ts, sym, tc_tick_px(t, t->trade.price), tc_tick_qty(t, t->trade.size));
        else
            printf("%s %-8s trade %14.10g x %-10.6g %s\n", ts, sym, tc_tick_px(t, t->trade.price),
                   tc_tick_qty(t, t->trade.size),
                   (t->flags & TC_TICK_SIDE_MASK) == TC_TICK_SIDE_BUY ? "buy" : "sell");
    } else if (t->kind == TC_TICK_QUOTE) {
        if (json)
            printf("{\"ts\":\"%s\",\"symbol\":\"%s\",\"kind\":\"quote\",\"bid\":%.10g,\"ask\":%.10g}\n",
                   ts, sym, tc_tick_px(t, t->quote.bid), tc_tick_px(t, t->quote.ask));
        else
            printf("%s %-8s quote %14.10g / %-14.10g\n", ts, sym, tc_tick_px(t, t->quote.bid),
                   tc_tick_px(t, t->quote.ask));
    } else {
        printf("%s %-8s kind %u\n", ts, sym, t->kind);
    }
}

static void print_feat(const tc_shm_t *s, const tc_feat_t *f, int json)
{
    char ts[40];
    fmt_time(f->ts_close, ts, sizeof ts);
    const char *sym = sym_name(s, f->sym);
    if (json) {
        printf("{\"ts_close\":\"%s\",\"symbol\":\"%s\",\"bar\":%u,\"ready\":%s,\"ohlcv\":[%.10g,%.10g,%.10g,%.10g,%.10g],\"f\":[",
               ts, sym, f->bar_seq, f->flags & TC_FEAT_READY ? "true" : "false", f->open, f->high,
               f->low, f->close, f->volume);
        for (int i = 0; i < f->n_feat; i++)
            printf(isnan(f->f[i]) ? "%snull" : "%s%.6g", i ? "," : "", f->f[i]);
        printf("]}\n");
        return;
    }
    printf("%s %-8s bar %-6u close %-12.8g vol %-10.4g %s", ts, sym, f->bar_seq, f->close,
           f->volume, f->flags & TC_FEAT_READY ? "ready " : "warmup");
    for (int i = 0; i < f->n_feat && i < 6; i++)
        printf(" %9.3g", f->f[i]);
    printf("%s\n", f->n_feat > 6 ? " ..." : "");
}

static void print_pred(const tc_shm_t *s, const tc_pred_t *p, int json)
{
    char ts[40];
    fmt_time(p->ts_event, ts, sizeof ts);
    printf(json ? "{\"ts\":\"%s\",\"symbol\":\"%s\",\"model\":%u,\"price\":%.10g,\"yhat\":["
                : "%s %-8s model v%u price %-12.8g yhat", ts, sym_name(s, p->sym), p->model_version,
           p->price);
    for (int i = 0; i < p->horizon; i++)
        printf(json ? "%s%.6g" : "%s%+.3e", json && i ? "," : " ", p->yhat[i]);
    printf(json ? "]}\n" : "\n");
}

static int cmd_tail(int argc, char **argv)
{
    const char *instance = "default", *ring = NULL;
    int json = 0, follow = 0;
    long count = 10;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--follow") || !strcmp(argv[i], "-f"))
            follow = 1;
        else if (!strcmp(argv[i], "--instance") && i + 1 < argc)
            instance = argv[++i];
        else if (!strcmp(argv[i], "-n") && i + 1 < argc)
            count = atol(argv[++i]);
        else if (argv[i][0] != '-' && !ring)
            ring = argv[i];
        else
            return TC_ERR(-EINVAL, "unknown option '%s'", argv[i]);
    }
    if (!ring)
        return TC_ERR(-EINVAL, "which ring? (ticks, features, predictions)");
    tc_shm_t s;
    int r = tc_shm_attach(&s, instance, 1);
    if (r < 0)
        return r;
    tc_ring_t o;
    if ((r = tc_ring_observer_attach_anon(&o, &s, ring)) < 0) {
        tc_shm_detach(&s);
        return r;
    }
    uint64_t head = tc_ring_head(&o);
    o.pos = head > (uint64_t)count ? head - (uint64_t)count : 0;
    uint64_t stop_at = head; /* without --follow: the newest records as of now, no more */
    unsigned char buf[64 * 512];
    uint32_t max = (uint32_t)(sizeof buf / o.rec_size);
    for (;;) {
        uint32_t want = max;
        if (!follow && stop_at - o.pos < want)
            want = (uint32_t)(stop_at - o.pos);
        int n = want ? tc_ring_observe(&o, buf, want, NULL) : 0;
        for (int i = 0; i < n; i++) {
            const void *rec = buf + (size_t)i * o.rec_size;
            if (!strcmp(ring, "ticks"))
                print_tick(&s, rec, json);
            else if (!strcmp(ring, "features"))
                print_feat(&s, rec, json);
            else if (!strcmp(ring, "predictions"))
                print_pred(&s, rec, json);
            else
                printf("record at %llu\n", (unsigned long long)(o.pos - (uint64_t)n + (uint64_t)i));
        }
        fflush(stdout);
        if (n == 0) {
            if (!follow || tc_ring_drained(&o))
                break;
            usleep(100000);
        }
    }
    tc_shm_detach(&s);
    return 0;
}

TC_CLI_COMMAND(tail, "print the newest records of a running instance's ring",
               "tickcast tail RING [--instance NAME] [-n COUNT] [--follow] [--json]\n"
               "  RING          ticks, features or predictions\n"
               "  -n COUNT      how many of the newest records (default 10)\n"
               "  --follow, -f  keep printing new records until the ring closes\n"
               "  --json        one JSON object per line\n",
               cmd_tail);
