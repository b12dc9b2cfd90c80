/* stage.c — the ingest stage (stage.h) on the stage framework.
 *
 * Sources: the seeded synthetic market; a native tick file, a directory of them, or any
 * file the importers read (CSV, gzip captures), replayed as fast as possible or at
 * ingest.pace times real time (event-time gaps divided by pace); and the live ZeroMQ
 * feed of msgpack ticks (docs/PROTOCOL.md "Live tick feed"), whose symbols are
 * registered in the instance table on first sight and whose rejects and sequence gaps
 * are counted (feed_rejects, feed_gaps).
 *
 * Every tick read goes through the cleaner (ingest/cleanset.h: per-symbol rules from
 * ingest.clean and the outlier, crossed and gap keys; every hit counted by reason as
 * ingest.clean_<reason>); what it accepts is what is journaled and published.  At the
 * end of a finite source the ticks the outlier filter still holds are released.
 *
 * Every accepted tick from a live or synthetic source is appended to the journal (a
 * directory of native tick files, rolled by size and by day) as it is published, so the
 * journal is the ticks ring's stream exactly: the ring holds what consumers saw, and the
 * journal never holds a tick they did not.  It is written in blocks and synced every
 * ingest.journal_sync_interval, so a crash can leave the last ticks published off disk;
 * a restarted ingest finds the journal's last tick in the ring and appends what follows
 * it from there (the journal's blocks are at most half the ring, so that is always
 * there).  A replayed file is its own record and is not journaled again.
 *
 * Restart: the synthetic and file sources and the cleaner are deterministic, so a
 * restarted ingest re-reads and re-cleans the stream and drops the ticks the ring
 * already holds and carries on: the ticks ring is one continuous stream across restarts.  A live feed cannot be rewound: what it sent
 * while ingest was down shows as sequence gaps.
 */
#include "ingest/stage.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/config.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "ingest/cleanset.h"
#include "ingest/import.h"
#include "ingest/replay.h"
#include "ingest/synth.h"
#include "ingest/tickdir.h"
#include "ingest/zmqfeed.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BATCH 256

enum src_kind { SRC_SYNTH, SRC_REPLAY, SRC_DIR, SRC_IMPORT, SRC_FEED };

typedef struct ingest {
    tc_stage_t *stg;
    const tc_config_t *cfg;
    tc_ring_t out;
    int kind;
    tc_synth_t *synth;
    tc_replay_t *replay;
    tc_tickdir_t *dir;
    tc_import_t *imp;
    tc_zmqfeed_t *feed;
    int journal_ok; /* feed: the journal's symbol ids equal the instance's */
    uint16_t *sym_map; /* source symbol index -> instance symbol id */
    int n_sym_mapped;
    tc_tickdir_t *journal;
    int64_t next_sync_ns;
    /* pacing */
    int64_t t0, ev0;
    uint64_t pos0;
    tc_tick_t held[BATCH]; /* read from the source, not yet published */
    int n_held, i_held;
    int eof, closed, src_end;
    uint64_t n_read; /* ticks read from the source (synthetic_ticks counts these) */
    tc_cleanset_t *clean; /* NULL: ingest.clean = off */
    _Atomic uint64_t *ticks, *journaled, *feed_rejects, *feed_gaps, *clean_dropped,
        *clean_hits[TC_CLEAN_REASON_MAX];
} ingest_t;

static const char *instance_symbol(void *ctx, uint16_t id)
{
    ingest_t *g = ctx;
    uint32_t n;
    const tc_symbol_t *tab = tc_shm_symbols(tc_stage_shm(g->stg), &n);
    return id < n ? tab[id].name : "";
}

static void clean_counters(ingest_t *g)
{
    tc_clean_stats_t st;
    tc_cleanset_stats(g->clean, &st);
    atomic_store_explicit(g->clean_dropped, st.dropped, memory_order_relaxed);
    for (int r = 0; r < TC_CLEAN_REASON_MAX; r++)
        atomic_store_explicit(g->clean_hits[r], st.hits[r], memory_order_relaxed);
}

/* Reads, maps and cleans the next ticks into out (instance symbol ids): the count
 * accepted (possibly 0 while the cleaner holds ticks back), -EAGAIN (live feed idle),
 * or another negative errno.  At the end of the source the held ticks come out, then
 * g->src_end is set and 0 returned. */
static int next_ticks(ingest_t *g, tc_tick_t *out, int want);

static const tc_symbol_t *src_symbols(ingest_t *g, int *ret_n)
{
    switch (g->kind) {
    case SRC_SYNTH:
        *ret_n = tc_synth_count(g->synth);
        return tc_synth_symbol(g->synth, 0);
    case SRC_REPLAY:
        return tc_replay_symbols(g->replay, ret_n);
    case SRC_DIR:
        return tc_tickdir_symbols(g->dir, ret_n);
    case SRC_FEED:
        *ret_n = 0; /* registered by feed_symbol as they appear */
        return NULL;
    default:
        *ret_n = 1;
        return tc_import_symbol(g->imp);
    }
}

/* Adds sym to the journal's table, where it must get the instance's id id: journaled
 * ticks carry instance ids.  On a mismatch journaling stops, saying why.  0, or -errno
 * when the journal cannot take the symbol. */
static int journal_symbol(ingest_t *g, const tc_symbol_t *sym, int id)
{
    if (!g->journal || !g->journal_ok)
        return 0;
    int j = tc_tickdir_symbol_add(g->journal, sym);
    if (j < 0)
        return TC_ERR_APPEND(j, "journal");
    if (j != id) {
        g->journal_ok = 0;
        TC_LOG(TC_LOG_ERR, "ingest: journal symbol %s has id %d, the instance %d: ticks are no "
               "longer journaled (use a fresh journal_dir)", sym->name, j, id);
    }
    return 0;
}

/* Registers source symbols not seen yet in the instance table and the journal. */
static int map_symbols(ingest_t *g)
{
    int n;
    const tc_symbol_t *tab = src_symbols(g, &n);
    for (int i = g->n_sym_mapped; i < n && i < TC_SHM_SYMBOLS_MAX; i++) {
        int id = tc_shm_symbol_add(tc_stage_shm(g->stg), &tab[i]);
        if (id < 0)
            return id;
        g->sym_map[i] = (uint16_t)id;
        int r = journal_symbol(g, &tab[i], id);
        if (r < 0)
            return r;
    }
    if (n > g->n_sym_mapped)
        g->n_sym_mapped = n;
    return 0;
}

/* Next ticks from the source into out; 0 at the end. */
static int src_read(ingest_t *g, tc_tick_t *out, int max)
{
    switch (g->kind) {
    case SRC_SYNTH:
        return tc_synth_next(g->synth, out, max);
    case SRC_REPLAY:
        return tc_replay_read(g->replay, out, max);
    case SRC_DIR:
        return tc_tickdir_read(g->dir, out, max);
    case SRC_FEED: {
        int k = tc_zmqfeed_poll(g->feed, out, max, 0);
        const tc_zmqfeed_stats_t *fs = tc_zmqfeed_stats(g->feed);
        atomic_store_explicit(g->feed_rejects, fs->rejected, memory_order_relaxed);
        atomic_store_explicit(g->feed_gaps, fs->seq_missing, memory_order_relaxed);
        /* a live feed never ends: nothing queued is "no ticks yet", not the end */
        return k == -EINTR ? 0 : k == 0 ? -EAGAIN : k;
    }
    default:
        return tc_import_read(g->imp, out, max);
    }
}

/* The feed's symbol callback: the instance table gives the id; the journal learns it
 * too, under the same id, or journaling of the feed stops with a reason. */
static int feed_symbol(void *ctx, const tc_symbol_t *sym)
{
    ingest_t *g = ctx;
    int id = tc_shm_symbol_add(tc_stage_shm(g->stg), sym);
    if (id >= 0 && journal_symbol(g, sym, id) < 0) {
        g->journal_ok = 0;
        TC_LOG(TC_LOG_ERR, "ingest: %s: the feed is no longer journaled", tc_err_msg());
    }
    return id;
}

static int open_source(ingest_t *g)
{
    const tc_config_ingest_t *c = &g->cfg->ingest;
    if (c->source == TC_CONFIG_SOURCE_SYNTHETIC) {
        char names[TC_SYNTH_SYMBOLS_MAX][TC_CONFIG_NAME_MAX];
        int n = tc_config_list_split(c->synthetic_symbols, names, TC_SYNTH_SYMBOLS_MAX);
        if (n < 1 || n > TC_SYNTH_SYMBOLS_MAX)
            return TC_ERR(-EINVAL, "ingest.synthetic_symbols: %d symbols (1..%d)", n,
                          TC_SYNTH_SYMBOLS_MAX);
        tc_synth_opts_t o = {.seed = (uint64_t)c->synthetic_seed, .n_symbols = n};
        for (int i = 0; i < n; i++)
            o.symbols[i] = names[i];
        g->kind = SRC_SYNTH;
        g->synth = tc_synth_create(&o);
        return g->synth ? 0 : tc_err_code();
    }
    if (c->source == TC_CONFIG_SOURCE_ZMQ) {
        const char *topics[2] = {c->zmq_subscribe[0] ? c->zmq_subscribe : NULL, NULL};
        /* a burst the stage cannot take at once waits in libzmq's queue rather than
         * being dropped at its default mark of 1,000 messages (a tick message is about
         * 100 bytes, so a million queued is ~100 MB at worst) */
        tc_zmqfeed_opts_t o = {.endpoint = c->zmq_endpoint, .topics = topics,
                               .symbol_fn = feed_symbol, .symbol_ctx = g, .rcvhwm = 1 << 20};
        g->kind = SRC_FEED;
        g->feed = tc_zmqfeed_open(&o);
        if (!g->feed)
            return tc_err_code();
        TC_LOG(TC_LOG_NOTICE, "ingest: live feed %s", c->zmq_endpoint);
        return 0;
    }
    if (!c->path[0])
        return TC_ERR(-EINVAL, "ingest.path: source = file needs a path");
    char path[PATH_MAX];
    if (tc_config_path_resolve(g->cfg, c->path, path, sizeof path) < 0)
        return TC_ERR(-ENAMETOOLONG, "ingest.path: too long");
    struct stat st;
    if (stat(path, &st) < 0)
        return TC_ERR(-errno, "ingest.path: %s: %s", path, strerror(errno));
    const char *dot = strrchr(path, '.');
    if (S_ISDIR(st.st_mode)) {
        tc_tickdir_opts_t o = {0};
        g->kind = SRC_DIR;
        g->dir = tc_tickdir_open(path, TC_TICKFILE_READ, &o);
        return g->dir ? 0 : tc_err_code();
    }
    if (dot && !strcmp(dot, ".tck")) {
        tc_replay_opts_t o = {0};
        g->kind = SRC_REPLAY;
        g->replay = tc_replay_open(path, &o);
        return g->replay ? 0 : tc_err_code();
    }
    tc_import_opts_t o = {.format = strcmp(c->format, "auto") ? c->format : NULL};
    g->kind = SRC_IMPORT;
    g->imp = tc_import_open(path, &o);
    return g->imp ? 0 : tc_err_code();
}

static int open_journal(ingest_t *g)
{
    const tc_config_ingest_t *c = &g->cfg->ingest;
    /* called before the source opens (the feed registers symbols in the journal) */
    g->kind = c->source == TC_CONFIG_SOURCE_ZMQ ? SRC_FEED
              : c->source == TC_CONFIG_SOURCE_SYNTHETIC ? SRC_SYNTH : SRC_REPLAY;
    if ((g->kind != SRC_SYNTH && g->kind != SRC_FEED) || !c->journal_dir[0])
        return 0;
    char dir[PATH_MAX];
    if (tc_config_path_resolve(g->cfg, c->journal_dir, dir, sizeof dir) < 0)
        return TC_ERR(-ENAMETOOLONG, "ingest.journal_dir: too long");
    if (mkdir(dir, 0750) < 0 && errno != EEXIST)
        return TC_ERR(-errno, "ingest.journal_dir: cannot create %s: %s", dir, strerror(errno));
    tc_tickdir_opts_t o = {.roll_bytes = (uint64_t)c->journal_roll_size,
                           .roll_daily = c->journal_roll_daily, .prefix = "journal"};
    /* what a crash can keep off disk stays in the ring (journal_catch_up) */
    o.file.block_ticks = TC_TICKFILE_BLOCK_TICKS_DEFAULT;
    if (o.file.block_ticks > g->out.capacity / 2)
        o.file.block_ticks = (uint32_t)(g->out.capacity / 2);
    o.file.codec = c->journal_zstd ? TC_TICKFILE_CODEC_ZSTD : TC_TICKFILE_CODEC_NONE;
    g->journal = tc_tickdir_open(dir, TC_TICKFILE_APPEND, &o);
    if (!g->journal)
        return TC_ERR_APPEND(tc_err_code() ? tc_err_code() : -EIO, "journal %s", dir);
    g->journal_ok = 1;
    TC_LOG(TC_LOG_INFO, "ingest: journaling to %s", dir);
    return 0;
}

/* The published tick at ring position pos (the producer writes only past its own
 * position, so the capacity before it is intact). */
static const tc_tick_t *ring_tick(const ingest_t *g, uint64_t pos)
{
    return (const tc_tick_t *)(g->out.data + (pos & g->out.mask) * g->out.rec_size);
}

/* On a resumed ring: appends to the journal the published ticks a crash kept off its
 * disk, those after the journal's last tick, from the ring. */
static int journal_catch_up(ingest_t *g)
{
    uint64_t head = g->out.pos;
    if (!g->journal || !g->journal_ok || head == 0)
        return 0;
    /* the ring's ticks carry instance symbol ids: the journal's table must agree */
    uint32_t ns;
    const tc_symbol_t *sym = tc_shm_symbols(tc_stage_shm(g->stg), &ns);
    for (uint32_t i = 0; i < ns && g->journal_ok; i++) {
        int r = journal_symbol(g, &sym[i], (int)i);
        if (r < 0)
            return r;
    }
    if (!g->journal_ok)
        return 0;
    uint64_t oldest = head > g->out.capacity ? head - g->out.capacity : 0;
    tc_tick_t last;
    int r = tc_tickdir_last(g->journal, &last);
    if (r < 0)
        return TC_ERR_APPEND(r, "ingest: journal");
    uint64_t from = oldest; /* an empty journal: every tick the ring still has */
    if (r == 1) {
        uint64_t p = head;
        while (p > oldest && memcmp(ring_tick(g, p - 1), &last, sizeof last) != 0)
            p--;
        if (p == oldest && head > g->out.capacity) {
            TC_LOG(TC_LOG_WARN, "ingest: the journal's last tick is not among the %llu the ticks "
                   "ring holds: ticks published before position %llu may be missing from it",
                   (unsigned long long)(head - oldest), (unsigned long long)oldest);
            return 0;
        }
        from = p; /* not found and the ring holds the whole run: the journal holds none of it */
    }
    if (from == head)
        return 0;
    for (uint64_t p = from; p < head;) {
        uint64_t idx = p & g->out.mask, k = head - p;
        if (k > g->out.capacity - idx) /* up to the wrap */
            k = g->out.capacity - idx;
        if (k > BATCH)
            k = BATCH;
        if ((r = tc_tickdir_append(g->journal, ring_tick(g, p), (int)k)) < 0)
            return TC_ERR_APPEND(r, "ingest: journal");
        p += k;
    }
    atomic_fetch_add_explicit(g->journaled, head - from, memory_order_relaxed);
    TC_LOG(TC_LOG_NOTICE, "ingest: journal: appended %llu published ticks (positions %llu..%llu) "
           "a crash had kept off its disk", (unsigned long long)(head - from),
           (unsigned long long)from, (unsigned long long)(head - 1));
    return 0;
}

static int ingest_init(tc_stage_t *stg, void **ret)
{
    ingest_t *g = calloc(1, sizeof *g);
    if (!g)
        return TC_ERR(-ENOMEM, "ingest: out of memory");
    g->stg = stg;
    g->cfg = tc_stage_env(stg)->config;
    g->sym_map = calloc(TC_SHM_SYMBOLS_MAX, sizeof *g->sym_map);
    int r = -ENOMEM;
    if (!g->sym_map)
        goto fail;
    g->feed_rejects = tc_stage_counter(stg, "feed_rejects");
    g->feed_gaps = tc_stage_counter(stg, "feed_gaps");
    if ((r = tc_ring_producer_attach(&g->out, tc_stage_shm(stg), "ticks",
                                     &tc_stage_env(stg)->wait)) < 0 ||
        (r = open_journal(g)) < 0 || (r = open_source(g)) < 0 || (r = map_symbols(g)) < 0)
        goto fail;
    if (strcmp(g->cfg->ingest.clean, "off") != 0) {
        tc_clean_cfg_t base;
        tc_cleanset_cfg_from_config(&base, &g->cfg->ingest);
        if (!(g->clean = tc_cleanset_create(&base, g->cfg->ingest.clean, instance_symbol, g))) {
            r = tc_err_code() ? tc_err_code() : -EINVAL;
            goto fail;
        }
    }
    g->clean_dropped = tc_stage_counter(stg, "clean_dropped");
    for (int i = 0; i < TC_CLEAN_REASON_MAX; i++) {
        char name[48];
        snprintf(name, sizeof name, "clean_%s", tc_clean_reason_name(i));
        g->clean_hits[i] = tc_stage_counter(stg, name);
    }
    g->journaled = tc_stage_counter(stg, "journaled");
    if ((r = journal_catch_up(g)) < 0)
        goto fail;
    /* resume: re-read and re-clean the stream, and drop what the ring already holds (a
     * live feed cannot); accepted ticks past that point are the first to publish */
    for (uint64_t left = g->kind == SRC_FEED ? 0 : g->out.pos; left > 0;) {
        int k = next_ticks(g, g->held, BATCH);
        if (k < 0 && k != -EAGAIN) {
            r = k;
            goto fail;
        }
        if (k <= 0 && g->src_end)
            break;
        if ((uint64_t)k > left) {
            g->i_held = (int)left; /* not in the ring yet: published (and journaled) next */
            g->n_held = k;
            break;
        }
        left -= (uint64_t)k;
    }
    if (g->out.pos)
        TC_LOG(TC_LOG_NOTICE, "ingest: resuming the source at tick %llu",
               (unsigned long long)g->out.pos);
    g->ticks = tc_stage_counter(stg, "ticks");
    g->t0 = tc_clock_mono_ns();
    g->pos0 = g->out.pos;
    g->next_sync_ns = g->t0 + g->cfg->ingest.journal_sync_interval;
    *ret = g;
    return 0;
fail:
    tc_cleanset_destroy(g->clean);
    tc_synth_destroy(g->synth);
    tc_replay_close(g->replay);
    tc_tickdir_close(g->dir);
    tc_import_close(g->imp);
    tc_zmqfeed_close(g->feed);
    tc_tickdir_close(g->journal);
    free(g->sym_map);
    free(g);
    return r;
}

static void close_out(ingest_t *g)
{
    if (!g->closed) {
        if (g->journal)
            tc_tickdir_sync(g->journal);
        tc_ring_producer_close(&g->out);
        g->closed = 1;
    }
}

/* How many held ticks may go out now under the configured pacing. */
static int paced(ingest_t *g, int n)
{
    const tc_config_ingest_t *c = &g->cfg->ingest;
    int64_t now = tc_clock_mono_ns();
    if (g->kind == SRC_SYNTH) {
        if (c->synthetic_rate <= 0)
            return n;
        double due = c->synthetic_rate * (double)(now - g->t0) / TC_NS_PER_S;
        double done = (double)(g->out.pos - g->pos0);
        if (due - done < c->synthetic_rate / 1000 + 1)
            return 0; /* bursts of about a millisecond's worth, so idle can sleep */
        return due - done < n ? (int)(due - done) + 1 : n;
    }
    if (c->pace <= 0 || g->kind == SRC_FEED) /* a live feed is never paced */
        return n;
    if (!g->ev0)
        g->ev0 = g->held[g->i_held].ts_event;
    int k = 0;
    while (k < n) {
        int64_t at = g->t0 + (int64_t)((double)(g->held[g->i_held + k].ts_event - g->ev0) / c->pace);
        if (at > now)
            break;
        k++;
    }
    return k;
}

static int ingest_work(void *st)
{
    ingest_t *g = st;
    int stopping = tc_stage_stopping(g->stg);
    if ((stopping || g->eof) && g->i_held == g->n_held) {
        close_out(g); /* everything read has been published (and journaled) */
        return 0;
    }
    if (g->i_held == g->n_held) {
        int k = next_ticks(g, g->held, BATCH);
        if (k == -EAGAIN)
            return 0; /* live feed: nothing queued now */
        if (k < 0)
            return k;
        if (k == 0) {
            if (!g->src_end)
                return 1; /* the cleaner holds what was read: read on */
            g->eof = 1;
            TC_LOG(TC_LOG_NOTICE, "ingest: end of the source after %llu ticks read, %llu published",
                   (unsigned long long)g->n_read, (unsigned long long)g->out.pos);
            close_out(g);
            return 0;
        }
        g->n_held = k;
        g->i_held = 0;
    }
    int n = stopping ? g->n_held - g->i_held : paced(g, g->n_held - g->i_held);
    if (n == 0)
        return 0;
    void *slot;
    n = stopping ? tc_ring_claim(&g->out, (uint32_t)n, &slot)
                 : tc_ring_claim_wait(&g->out, (uint32_t)n, &slot, 10 * TC_NS_PER_MS,
                                      tc_stage_stop_flag(g->stg));
    if (n == -EAGAIN || n == -EINTR)
        return 0;
    if (n < 0)
        return n;
    const tc_tick_t *sent = &g->held[g->i_held];
    memcpy(slot, sent, (size_t)n * sizeof(tc_tick_t));
    tc_ring_commit(&g->out, (uint32_t)n);
    g->i_held += n;
    atomic_fetch_add_explicit(g->ticks, (uint64_t)n, memory_order_relaxed);
    if (g->journal && g->journal_ok) {
        /* the journal follows the ring: what a crash keeps off its disk is caught up
         * from the ring at the next start (journal_catch_up) */
        int r = tc_tickdir_append(g->journal, sent, n);
        if (r < 0)
            return TC_ERR_APPEND(r, "ingest: journal");
        atomic_fetch_add_explicit(g->journaled, (uint64_t)n, memory_order_relaxed);
    }
    if (g->journal) {
        int64_t now = tc_clock_mono_ns();
        if (now >= g->next_sync_ns) {
            int r = tc_tickdir_sync(g->journal);
            if (r < 0)
                return TC_ERR_APPEND(r, "ingest: journal sync");
            g->next_sync_ns = now + g->cfg->ingest.journal_sync_interval;
        }
    }
    return n;
}

static int next_ticks(ingest_t *g, tc_tick_t *out, int want)
{
    if (g->src_end)
        return 0;
    uint64_t limit = g->kind == SRC_SYNTH ? (uint64_t)g->cfg->ingest.synthetic_ticks : 0;
    if (limit && limit - g->n_read < (uint64_t)want)
        want = (int)(limit - g->n_read);
    int k = want > 0 ? src_read(g, out, want) : 0;
    if (k == -EAGAIN)
        return k;
    if (k < 0)
        return TC_ERR_APPEND(k, "ingest: reading the source");
    if (k == 0) {
        /* the end (or the synthetic limit): release what the outlier filter holds */
        k = g->clean ? tc_cleanset_flush(g->clean, out, want > 0 ? want : BATCH) : 0;
        if (k == 0)
            g->src_end = 1;
        return k;
    }
    g->n_read += (uint64_t)k;
    int r = map_symbols(g);
    if (r < 0)
        return r;
    if (g->kind != SRC_FEED) /* feed ticks carry instance ids already */
        for (int i = 0; i < k; i++)
            out[i].sym = g->sym_map[out[i].sym];
    if (g->clean) {
        if ((k = tc_cleanset_push(g->clean, out, k)) < 0)
            return k;
        clean_counters(g);
    }
    return k;
}

static int ingest_drained(void *st)
{
    /* do_work publishes (and journals) what was already read, then closes the ring */
    return ((ingest_t *)st)->closed;
}

static void ingest_fini(void *st)
{
    ingest_t *g = st;
    tc_synth_destroy(g->synth);
    tc_replay_close(g->replay);
    tc_tickdir_close(g->dir);
    tc_import_close(g->imp);
    tc_zmqfeed_close(g->feed);
    tc_tickdir_close(g->journal);
    tc_cleanset_destroy(g->clean);
    free(g->sym_map);
    free(g);
}

const tc_stage_ops_t tc_ingest_stage = {"ingest", ingest_init, ingest_work, ingest_drained,
                                        ingest_fini};
