/* tickdir.c — directories of native tick files (tickdir.h): rolling writer and
 * time-merged reader.
 *
 * Writer: one tc_tickfile open at a time; a batch is split where a tick's UTC day
 * differs from the current file's day (roll_daily), and a file that has reached
 * roll_bytes is synced, closed and followed by a new one.  Syncing a rolled file at
 * close keeps tc_tickdir_sync's promise cheap: only the current file needs fdatasync.
 *
 * Reader: every file is first opened once to learn its symbol table and earliest event
 * time, then closed.  The merge keeps a min-heap of open files keyed by the event time
 * of each file's next tick, and opens a file (tc_replay, io_uring) only when the merge
 * frontier reaches its earliest tick, so a year of daily files holds one or two open at
 * a time.  The order is exact provided each file is in time order by itself, which
 * the rolling writer gives for an in-order feed.
 */
#include "ingest/tickdir.h"

#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "ingest/replay.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MERGE_BATCH 1024
#define NS_PER_DAY (86400LL * TC_NS_PER_S)

typedef struct src {
    char *path;
    int64_t ts_first;
    uint16_t *map;      /* file symbol index -> directory index */
    int nmap;
    tc_replay_t *rp;    /* open while active */
    tc_tick_t *buf;
    int n, pos;
    int done;
} src_t;

struct tc_tickdir {
    char *dir;
    int mode;
    tc_tickdir_opts_t opts;
    tc_symbol_t *syms; /* TC_SYMBOLS_MAX */
    int nsyms;

    /* writer */
    tc_tickfile_t *cur;
    int serial;        /* of the current (or last) file */
    int64_t day;       /* UTC day number of the current file, INT64_MIN none yet */
    int nfiles;

    /* reader */
    src_t *srcs;
    int nsrcs;
    int *order;        /* sources sorted by ts_first: activation order */
    int next_act;
    int *heap;         /* active sources, min-heap on (next ts, index) */
    int nheap;
};

static int tck_filter(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 4 && strcmp(d->d_name + n - 4, TC_TICKFILE_EXT) == 0 && d->d_name[0] != '.';
}

int tc_tickdir_list(const char *dir, char ***ret_paths)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, tck_filter, alphasort);
    if (n < 0)
        return TC_ERR(-errno, "%s: %s", dir, strerror(errno));
    char **paths = calloc((size_t)n + 1, sizeof *paths);
    int r = n;
    for (int i = 0; i < n; i++) {
        size_t dl = strlen(dir);
        const char *sep = dl && dir[dl - 1] == '/' ? "" : "/";
        if (paths && r >= 0 && asprintf(&paths[i], "%s%s%s", dir, sep, ents[i]->d_name) < 0) {
            paths[i] = NULL;
            r = -ENOMEM;
        }
        free(ents[i]);
    }
    free(ents);
    if (!paths || r < 0) {
        for (int i = 0; paths && i < n; i++)
            free(paths[i]);
        free(paths);
        return TC_ERR(-ENOMEM, "%s: listing", dir);
    }
    *ret_paths = paths;
    return n;
}

static int sym_find_or_add(tc_tickdir_t *td, const tc_symbol_t *s)
{
    for (int i = 0; i < td->nsyms; i++)
        if (strncmp(td->syms[i].name, s->name, sizeof s->name) == 0 &&
            strncmp(td->syms[i].venue, s->venue, sizeof s->venue) == 0)
            return i;
    if (td->nsyms >= TC_SYMBOLS_MAX)
        return TC_ERR(-ENOSPC, "%s: more than %d symbols across the directory", td->dir, TC_SYMBOLS_MAX);
    td->syms[td->nsyms] = *s;
    return td->nsyms++;
}

static int64_t day_of(int64_t ts)
{
    return ts >= 0 ? ts / NS_PER_DAY : -((-ts + NS_PER_DAY - 1) / NS_PER_DAY);
}

/* ---- writer ------------------------------------------------------------------------- */

/* Parses the serial of "<prefix>-NNNNNN-YYYYMMDD.tck"; -1 if the name is not ours. */
static int name_serial(const tc_tickdir_t *td, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t pl = strlen(td->opts.prefix);
    int serial, date;
    char tail[8];
    if (strncmp(base, td->opts.prefix, pl) != 0 || base[pl] != '-')
        return -1;
    if (sscanf(base + pl + 1, "%6d-%8d%4s", &serial, &date, tail) != 3 || strcmp(tail, TC_TICKFILE_EXT) != 0)
        return -1;
    return serial;
}

static int file_start(tc_tickdir_t *td, int64_t ts)
{
    int64_t day = day_of(ts);
    time_t secs = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char *path;
    td->serial++;
    if (asprintf(&path, "%s/%s-%06d-%04d%02d%02d%s", td->dir, td->opts.prefix, td->serial, tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, TC_TICKFILE_EXT) < 0)
        return TC_ERR(-ENOMEM, "%s: file name", td->dir);
    td->cur = tc_tickfile_open(path, TC_TICKFILE_CREATE, &td->opts.file);
    free(path);
    if (!td->cur)
        return tc_err_code() ? tc_err_code() : -EIO;
    td->day = day;
    td->nfiles++;
    for (int i = 0; i < td->nsyms; i++) {
        int r = tc_tickfile_symbol_add(td->cur, &td->syms[i]);
        if (r < 0)
            return r;
    }
    return 0;
}

static int file_finish(tc_tickdir_t *td)
{
    if (!td->cur)
        return 0;
    int r = tc_tickfile_sync(td->cur);
    int r2 = tc_tickfile_close(td->cur);
    td->cur = NULL;
    return r < 0 ? r : r2;
}

static int writer_open(tc_tickdir_t *td)
{
    char **paths;
    int n = tc_tickdir_list(td->dir, &paths);
    if (n < 0)
        return n;
    int last = -1, r = 0;
    for (int i = 0; i < n; i++) {
        int s = name_serial(td, paths[i]);
        if (s > td->serial) {
            td->serial = s;
            last = i;
        }
    }
    td->nfiles = n;
    if (last >= 0) {
        td->cur = tc_tickfile_open(paths[last], TC_TICKFILE_APPEND, &td->opts.file);
        if (!td->cur) {
            r = tc_err_code() ? tc_err_code() : -EIO;
        } else {
            int ns;
            const tc_symbol_t *s = tc_tickfile_symbols(td->cur, &ns);
            memcpy(td->syms, s, (size_t)ns * sizeof *s);
            td->nsyms = ns;
            const tc_tickfile_stats_t *st = tc_tickfile_stats(td->cur);
            td->day = st->tick_blocks ? day_of(st->ts_last) : INT64_MIN;
        }
    }
    for (int i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    return r;
}

int tc_tickdir_symbol_add(tc_tickdir_t *td, const tc_symbol_t *s)
{
    if (td->mode == TC_TICKFILE_READ)
        return TC_ERR(-EBADF, "%s: opened read-only", td->dir);
    int i = sym_find_or_add(td, s);
    if (i < 0 || !td->cur)
        return i;
    int r = tc_tickfile_symbol_add(td->cur, s);
    return r < 0 ? r : i;
}

int tc_tickdir_append(tc_tickdir_t *td, const tc_tick_t *t, int n)
{
    if (td->mode == TC_TICKFILE_READ)
        return TC_ERR(-EBADF, "%s: opened read-only", td->dir);
    int r;
    while (n > 0) {
        if (!td->cur || (td->opts.roll_daily && day_of(t[0].ts_event) != td->day)) {
            if ((r = file_finish(td)) < 0 || (r = file_start(td, t[0].ts_event)) < 0)
                return r;
        }
        int k = 1;
        if (td->opts.roll_daily) {
            int64_t lo = td->day * NS_PER_DAY, hi = lo + NS_PER_DAY;
            while (k < n && t[k].ts_event >= lo && t[k].ts_event < hi)
                k++;
        } else {
            k = n;
        }
        if ((r = tc_tickfile_append(td->cur, t, k)) < 0)
            return r;
        t += k;
        n -= k;
        if (td->opts.roll_bytes && tc_tickfile_stats(td->cur)->file_bytes >= td->opts.roll_bytes &&
            (r = file_finish(td)) < 0)
            return r;
    }
    return 0;
}

int tc_tickdir_sync(tc_tickdir_t *td)
{
    return td->cur ? tc_tickfile_sync(td->cur) : 0;
}

int tc_tickdir_last(tc_tickdir_t *td, tc_tick_t *out)
{
    int r = td->cur ? tc_tickfile_last(td->cur, out) : 0;
    if (r != 0)
        return r;
    /* the newest file has no tick yet (it was just started): the files before it */
    char **paths;
    int n = tc_tickdir_list(td->dir, &paths);
    if (n < 0)
        return n;
    const char *cur = td->cur ? tc_tickfile_path(td->cur) : NULL;
    for (int i = n - 1; i >= 0 && r == 0; i--) {
        if (cur && strcmp(paths[i], cur) == 0)
            continue;
        tc_tickfile_t *tf = tc_tickfile_open(paths[i], TC_TICKFILE_READ, &td->opts.file);
        if (!tf) {
            r = tc_err_code() ? tc_err_code() : -EIO;
            break;
        }
        r = tc_tickfile_last(tf, out);
        tc_tickfile_close(tf);
    }
    for (int i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    return r;
}

/* ---- reader ------------------------------------------------------------------------- */

static int64_t src_ts(const tc_tickdir_t *td, int i)
{
    const src_t *s = &td->srcs[i];
    return s->buf[s->pos].ts_event;
}

static int heap_less(const tc_tickdir_t *td, int a, int b)
{
    int64_t ta = src_ts(td, a), tb = src_ts(td, b);
    return ta < tb || (ta == tb && a < b);
}

static void heap_down(tc_tickdir_t *td, int i)
{
    for (;;) {
        int l = 2 * i + 1, m = i;
        if (l < td->nheap && heap_less(td, td->heap[l], td->heap[m]))
            m = l;
        if (l + 1 < td->nheap && heap_less(td, td->heap[l + 1], td->heap[m]))
            m = l + 1;
        if (m == i)
            return;
        int t = td->heap[i];
        td->heap[i] = td->heap[m];
        td->heap[m] = t;
        i = m;
    }
}

static void heap_push(tc_tickdir_t *td, int src)
{
    int i = td->nheap++;
    td->heap[i] = src;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!heap_less(td, td->heap[i], td->heap[p]))
            break;
        int t = td->heap[i];
        td->heap[i] = td->heap[p];
        td->heap[p] = t;
        i = p;
    }
}

/* Refills a source's buffer.  1 has ticks, 0 finished (closed), <0 error. */
static int src_fill(tc_tickdir_t *td, src_t *s)
{
    int r = tc_replay_read(s->rp, s->buf, MERGE_BATCH);
    if (r < 0)
        return r;
    if (r == 0) {
        tc_replay_close(s->rp);
        s->rp = NULL;
        s->done = 1;
        return 0;
    }
    for (int k = 0; k < r; k++)
        s->buf[k].sym = s->buf[k].sym < s->nmap ? s->map[s->buf[k].sym] : (uint16_t)td->nsyms;
    s->n = r;
    s->pos = 0;
    return 1;
}

static int src_activate(tc_tickdir_t *td, int i)
{
    src_t *s = &td->srcs[i];
    tc_replay_opts_t ro = {.skip_damaged = td->opts.file.skip_damaged};
    s->rp = tc_replay_open(s->path, &ro);
    if (!s->rp)
        return tc_err_code() ? tc_err_code() : -EIO;
    if (!(s->buf = aligned_alloc(TC_CACHE_LINE, MERGE_BATCH * sizeof *s->buf))) /* 64-byte type */
        return TC_ERR(-ENOMEM, "%s: merge buffer", s->path);
    int r = src_fill(td, s);
    if (r > 0)
        heap_push(td, i);
    return r < 0 ? r : 0;
}

static int by_first_ts_ctx_cmp(const void *a, const void *b, void *ctx)
{
    const tc_tickdir_t *td = ctx;
    int x = *(const int *)a, y = *(const int *)b;
    int64_t tx = td->srcs[x].ts_first, ty = td->srcs[y].ts_first;
    return tx < ty ? -1 : tx > ty ? 1 : x - y;
}

static int reader_open(tc_tickdir_t *td)
{
    char **paths;
    int n = tc_tickdir_list(td->dir, &paths);
    if (n < 0)
        return n;
    td->srcs = calloc((size_t)n + 1, sizeof *td->srcs);
    td->order = calloc((size_t)n + 1, sizeof *td->order);
    td->heap = calloc((size_t)n + 1, sizeof *td->heap);
    int r = 0;
    if (!td->srcs || !td->order || !td->heap)
        r = TC_ERR(-ENOMEM, "%s: reader", td->dir);
    for (int i = 0; i < n; i++) {
        if (r < 0) {
            free(paths[i]);
            continue;
        }
        src_t *s = &td->srcs[td->nsrcs];
        s->path = paths[i];
        td->nsrcs++;
        tc_tickfile_t *tf = tc_tickfile_open(s->path, TC_TICKFILE_READ, NULL);
        if (!tf) {
            r = tc_err_code() ? tc_err_code() : -EIO;
            continue;
        }
        int ns;
        const tc_symbol_t *syms = tc_tickfile_symbols(tf, &ns);
        s->map = malloc((size_t)(ns ? ns : 1) * sizeof *s->map);
        s->nmap = ns;
        for (int k = 0; k < ns && r >= 0 && s->map; k++) {
            int d = sym_find_or_add(td, &syms[k]);
            if (d < 0)
                r = d;
            else
                s->map[k] = (uint16_t)d;
        }
        if (!s->map)
            r = TC_ERR(-ENOMEM, "%s: symbol map", s->path);
        const tc_tickfile_stats_t *st = tc_tickfile_stats(tf);
        s->ts_first = st->tick_blocks ? st->ts_first : INT64_MAX;
        s->done = st->tick_blocks == 0;
        tc_tickfile_close(tf);
    }
    free(paths);
    if (r < 0)
        return TC_ERR_APPEND(r, "opening directory %s", td->dir);
    for (int i = 0; i < td->nsrcs; i++)
        td->order[i] = i;
    qsort_r(td->order, (size_t)td->nsrcs, sizeof *td->order, by_first_ts_ctx_cmp, td);
    return 0;
}

int tc_tickdir_read(tc_tickdir_t *td, tc_tick_t *out, int max)
{
    int got = 0, r;
    while (got < max) {
        /* Open every file whose earliest tick is not after the frontier. */
        while (td->next_act < td->nsrcs) {
            int i = td->order[td->next_act];
            if (td->srcs[i].done) {
                td->next_act++;
                continue;
            }
            if (td->nheap > 0 && td->srcs[i].ts_first > src_ts(td, td->heap[0]))
                break;
            td->next_act++;
            if ((r = src_activate(td, i)) < 0)
                return got > 0 ? got : r;
        }
        if (td->nheap == 0)
            break;
        int i = td->heap[0];
        src_t *s = &td->srcs[i];
        out[got++] = s->buf[s->pos++];
        if (s->pos == s->n) {
            r = src_fill(td, s);
            if (r < 0)
                return got > 0 ? got : r;
            if (r == 0) {
                td->heap[0] = td->heap[--td->nheap];
                if (td->nheap)
                    heap_down(td, 0);
                continue;
            }
        }
        heap_down(td, 0);
    }
    return got;
}

/* ---- open / close ------------------------------------------------------------------- */

tc_tickdir_t *tc_tickdir_open(const char *dir, int mode, const tc_tickdir_opts_t *o)
{
    tc_tickdir_t *td = calloc(1, sizeof *td);
    if (!td) {
        TC_ERR(-ENOMEM, "%s: directory handle", dir);
        return NULL;
    }
    if (o)
        td->opts = *o;
    if (!td->opts.prefix)
        td->opts.prefix = "ticks";
    td->mode = mode == TC_TICKFILE_READ ? TC_TICKFILE_READ : TC_TICKFILE_APPEND;
    td->day = INT64_MIN;
    td->dir = strdup(dir);
    td->syms = calloc(TC_SYMBOLS_MAX + 1, sizeof *td->syms);
    if (!td->dir || !td->syms) {
        TC_ERR(-ENOMEM, "%s: directory handle", dir);
        goto fail;
    }
    struct stat sb;
    if (stat(dir, &sb) < 0) {
        TC_ERR(-errno, "%s: %s", dir, strerror(errno));
        goto fail;
    }
    if (!S_ISDIR(sb.st_mode)) {
        TC_ERR(-ENOTDIR, "%s: not a directory", dir);
        goto fail;
    }
    int r = td->mode == TC_TICKFILE_READ ? reader_open(td) : writer_open(td);
    if (r < 0)
        goto fail;
    return td;
fail:
    tc_tickdir_close(td);
    return NULL;
}

int tc_tickdir_close(tc_tickdir_t *td)
{
    if (!td)
        return 0;
    int r = tc_tickfile_close(td->cur);
    for (int i = 0; i < td->nsrcs; i++) {
        tc_replay_close(td->srcs[i].rp);
        free(td->srcs[i].buf);
        free(td->srcs[i].map);
        free(td->srcs[i].path);
    }
    free(td->srcs);
    free(td->order);
    free(td->heap);
    free(td->syms);
    free(td->dir);
    free(td);
    return r;
}

const tc_symbol_t *tc_tickdir_symbols(const tc_tickdir_t *td, int *ret_n)
{
    *ret_n = td->nsyms;
    return td->syms;
}

int tc_tickdir_file_count(const tc_tickdir_t *td)
{
    return td->mode == TC_TICKFILE_READ ? td->nsrcs : td->nfiles;
}
