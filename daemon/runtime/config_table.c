/* config_table.c — the one table of configuration keys (config.h), the custom checks of
 * single values and the rules between keys.
 *
 * This file holds only data and small predicates; parsing, loading and printing live in
 * config.c.  Key names equal the member names of tc_config_t, and each row's macro checks
 * the member's C type at compile time (_Generic), so the table and the struct cannot
 * drift apart.  Adding a key: a member in config.h, a row here, then regenerate
 * systemd/tickcast.conf and docs/CONFIG.md (the tests say so if you forget).
 */
#include "daemon/runtime/config.h"
#include "daemon/runtime/affinity.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/log.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MEMBER(sec, k) (((tc_config_t *)0)->sec.k)
/* offsetof, but only when the member has C type T: a wrong type fails to compile. */
#define OFF(sec, k, T) _Generic(MEMBER(sec, k), T: offsetof(tc_config_t, sec.k))

#define K_STR(sec, k, def_, check_, flags_, doc_)                                           \
    {.section = #sec, .key = #k, .type = TC_CONFIG_STRING, .def = def_,                    \
     .offset = OFF(sec, k, char *), .size = sizeof MEMBER(sec, k), .flags = flags_,        \
     .check = check_, .doc = doc_}
#define K_I64(type_, sec, k, def_, lo, hi, flags_, doc_)                                    \
    {.section = #sec, .key = #k, .type = type_, .def = def_,                               \
     .offset = OFF(sec, k, int64_t), .size = sizeof MEMBER(sec, k), .min = lo, .max = hi,  \
     .flags = flags_, .doc = doc_}
#define K_INT(...) K_I64(TC_CONFIG_INT, __VA_ARGS__)
#define K_DUR(...) K_I64(TC_CONFIG_DURATION, __VA_ARGS__)
#define K_SIZE(...) K_I64(TC_CONFIG_SIZE, __VA_ARGS__)
#define K_DBL(sec, k, def_, lo, hi, flags_, doc_)                                           \
    {.section = #sec, .key = #k, .type = TC_CONFIG_DOUBLE, .def = def_,                    \
     .offset = OFF(sec, k, double), .size = sizeof MEMBER(sec, k), .dmin = lo, .dmax = hi, \
     .flags = flags_, .doc = doc_}
#define K_BOOL(sec, k, def_, flags_, doc_)                                                  \
    {.section = #sec, .key = #k, .type = TC_CONFIG_BOOL, .def = def_,                      \
     .offset = OFF(sec, k, bool), .size = sizeof MEMBER(sec, k), .flags = flags_,          \
     .doc = doc_}
#define K_ENUM(sec, k, def_, values_, flags_, doc_)                                         \
    {.section = #sec, .key = #k, .type = TC_CONFIG_ENUM, .def = def_,                      \
     .offset = OFF(sec, k, int), .size = sizeof MEMBER(sec, k), .values = values_,         \
     .flags = flags_, .doc = doc_}

#define MS TC_NS_PER_MS
#define SEC TC_NS_PER_S
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define KiB 1024LL
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)
#define TiB (1024 * GiB)
#define R TC_CONFIG_RESTART

/* ---- custom checks of one value --------------------------------------------------- */

static int name_char(int ch) { return isalnum(ch) || ch == '_' || ch == '-' || ch == '.'; }

/* Instance, alias, strategy and format names: they end up in file names and topics. */
static int check_name(const void *v, char *why, size_t n)
{
    const char *s = v;
    if (!s[0]) {
        snprintf(why, n, "must not be empty");
        return -1;
    }
    if (s[0] == '.' || s[0] == '-') {
        snprintf(why, n, "'%s' must not start with '%c'", s, s[0]);
        return -1;
    }
    for (const char *p = s; *p; p++)
        if (!name_char((unsigned char)*p)) {
            snprintf(why, n, "'%s' has '%c'; use letters, digits, '_', '-' and '.'", s, *p);
            return -1;
        }
    return 0;
}

static int check_model_name(const void *v, char *why, size_t n)
{
    return *(const char *)v ? check_name(v, why, n) : 0;
}

/* A comma list of names, no duplicates; empty allowed when allow_empty. */
static int check_list(const char *s, int allow_empty, size_t item_max, const char *what,
                      char *why, size_t n)
{
    char items[64][TC_CONFIG_NAME_MAX];
    int k = tc_config_list_split(s, items, 64);
    if (k > 64) {
        snprintf(why, n, "more than 64 %ss", what);
        return -1;
    }
    if (k == 0 && !allow_empty) {
        snprintf(why, n, "needs at least one %s", what);
        return -1;
    }
    /* An empty item ("a,,b") is a typo, not an intent. */
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *q = p;
        while (q < end && isspace((unsigned char)*q))
            q++;
        if (q == end && (comma || p != s)) {
            snprintf(why, n, "'%s' has an empty %s", s, what);
            return -1;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    for (int i = 0; i < k; i++) {
        if (strlen(items[i]) > item_max) {
            snprintf(why, n, "%s '%s' is longer than %zu characters", what, items[i], item_max);
            return -1;
        }
        for (const char *c = items[i]; *c; c++)
            if (!name_char((unsigned char)*c)) {
                snprintf(why, n, "%s '%s' has '%c'; use letters, digits, '_', '-' and '.'",
                         what, items[i], *c);
                return -1;
            }
        for (int j = 0; j < i; j++)
            if (strcmp(items[i], items[j]) == 0) {
                snprintf(why, n, "%s '%s' is listed twice", what, items[i]);
                return -1;
            }
    }
    return 0;
}

static int check_affinity(const void *v, char *why, size_t n) { return tc_affinity_check(v, why, n); }

static int check_stages(const void *v, char *why, size_t n)
{
    return check_list(v, 1, 32, "stage", why, n);
}

/* ring:consumer pairs; rings are the instance's standard ones (shm/segment.h). */
static int check_consumers(const void *v, char *why, size_t n)
{
    static const char *const rings[] = {"ticks", "features", "predictions", "orders"};
    char items[16][TC_CONFIG_NAME_MAX];
    int k = tc_config_list_split(v, items, 16);
    if (k > 16) {
        snprintf(why, n, "%d entries, at most 16", k);
        return -1;
    }
    for (int i = 0; i < k; i++) {
        char *colon = strchr(items[i], ':');
        if (!colon || colon == items[i] || !colon[1] || strchr(colon + 1, ':')) {
            snprintf(why, n, "'%s' is not RING:CONSUMER", items[i]);
            return -1;
        }
        *colon = '\0';
        int known = 0;
        for (size_t r = 0; r < sizeof rings / sizeof rings[0]; r++)
            known |= !strcmp(items[i], rings[r]);
        if (!known) {
            snprintf(why, n, "'%s' is not a ring (ticks, features, predictions, orders)", items[i]);
            return -1;
        }
        if (strlen(colon + 1) > 23) {
            snprintf(why, n, "consumer name '%s' is longer than 23 characters", colon + 1);
            return -1;
        }
    }
    return 0;
}

static int check_symbols(const void *v, char *why, size_t n)
{
    return check_list(v, 0, 31, "symbol", why, n); /* ingest/symbols.h: 32 with NUL */
}

/* A ZeroMQ endpoint, or "" for none. */
static int check_endpoint(const void *v, char *why, size_t n)
{
    static const char *const schemes[] = {"tcp://", "ipc://", "inproc://", "pgm://", "epgm://"};
    const char *s = v;
    if (!s[0])
        return 0;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t len = strlen(schemes[i]);
        if (strncmp(s, schemes[i], len) == 0) {
            if (!s[len])
                break;
            return 0;
        }
    }
    snprintf(why, n, "'%s' is not a ZeroMQ endpoint (tcp://HOST:PORT, ipc://PATH, ...)", s);
    return -1;
}

/* HOST:PORT or [IPv6]:PORT. */
static int check_listen(const void *v, char *why, size_t n)
{
    const char *s = v;
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        goto bad;
    if (s[0] == '[' && colon[-1] != ']')
        goto bad;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 1 || port > 65535)
        goto bad;
    return 0;
bad:
    snprintf(why, n, "'%s' is not HOST:PORT with a port 1..65535", s);
    return -1;
}

static const tc_config_enum_t log_levels[] = {
    {"err", TC_LOG_ERR},   {"warning", TC_LOG_WARN}, {"notice", TC_LOG_NOTICE},
    {"info", TC_LOG_INFO}, {"debug", TC_LOG_DEBUG},  {NULL, 0},
};
static const tc_config_enum_t waits[] = {
    {"spin", TC_CONFIG_WAIT_SPIN}, {"yield", TC_CONFIG_WAIT_YIELD},
    {"futex", TC_CONFIG_WAIT_FUTEX}, {NULL, 0},
};
static const tc_config_enum_t stores[] = {
    {"auto", TC_CONFIG_STORES_AUTO}, {"cached", TC_CONFIG_STORES_CACHED},
    {"streaming", TC_CONFIG_STORES_STREAMING}, {NULL, 0},
};
static const tc_config_enum_t sources[] = {
    {"synthetic", TC_CONFIG_SOURCE_SYNTHETIC}, {"file", TC_CONFIG_SOURCE_FILE},
    {"zmq", TC_CONFIG_SOURCE_ZMQ}, {NULL, 0},
};
static const tc_config_enum_t crossed[] = {
    {"keep", TC_CONFIG_CROSSED_KEEP}, {"drop", TC_CONFIG_CROSSED_DROP}, {NULL, 0},
};
static const tc_config_enum_t bars[] = {
    {"time", TC_CONFIG_BAR_TIME}, {"tick", TC_CONFIG_BAR_TICK},
    {"volume", TC_CONFIG_BAR_VOLUME}, {"dollar", TC_CONFIG_BAR_DOLLAR}, {NULL, 0},
};
static const tc_config_enum_t modes[] = {
    {"talib", TC_CONFIG_MODE_TALIB}, {"precise", TC_CONFIG_MODE_PRECISE}, {NULL, 0},
};

/* ---- the table ----------------------------------------------------------------------- */

static const tc_config_key_t keys[] = {
    /* [tickcastd] */
    K_STR(tickcastd, instance, "default", check_name, R,
          "Instance name: the shared-memory segment is /dev/shm/tickcast.<instance>, so "
          "several instances can run side by side."),
    K_STR(tickcastd, stages, "ingest,features,infer", check_stages, R,
          "Stages tickcastd starts, in pipeline order (comma list); stage NAME runs the "
          "program tickcast-NAME from bin_dir. Empty: start none (stages are started by hand)."),
    K_STR(tickcastd, consumers, "ticks:features,features:infer,predictions:strategy",
          check_consumers, R,
          "Required consumers (RING:NAME, comma list) registered when the segment is created, "
          "before any stage starts, so none misses the first records; a stage attaching under "
          "that name resumes from the cursor."),
    K_STR(tickcastd, bin_dir, "", NULL, 0,
          "Directory of the stage programs; empty means the directory tickcastd itself is in."),
    K_STR(tickcastd, state_dir, "", NULL, R,
          "Base of relative paths (journal_dir, registry); empty means $STATE_DIRECTORY "
          "(set by systemd's StateDirectory=), else the current directory."),
    K_DUR(tickcastd, restart_backoff_min, "100ms", MS, HOUR, 0,
          "Delay before restarting a stage that exited; doubles on each crash up to "
          "restart_backoff_max."),
    K_DUR(tickcastd, restart_backoff_max, "10s", MS, HOUR, 0,
          "Longest delay between restarts of a crashing stage."),
    K_DUR(tickcastd, restart_window, "1m", SEC, DAY, 0,
          "Window over which restarts of one stage are counted (see restart_max); a stage "
          "that stays up this long gets its backoff reset."),
    K_INT(tickcastd, restart_max, "10", 0, 1000000, 0,
          "Most restarts of one stage within restart_window before tickcastd gives up and "
          "exits non-zero, leaving it to systemd's Restart=; 0 = never give up."),
    K_DUR(tickcastd, start_timeout, "30s", 0, HOUR, 0,
          "How long the stages may take to attach before tickcastd reports a failed start; "
          "0 = wait forever."),
    K_DUR(tickcastd, drain_timeout, "10s", 0, HOUR, 0,
          "On SIGTERM, how long stages may take to finish what is in their rings before "
          "they are killed; keep it below the unit's TimeoutStopSec."),
    K_DUR(tickcastd, status_interval, "1s", 10 * MS, HOUR, 0,
          "Period of the sd_notify STATUS line (rates and lags) and of the status log."),
    K_ENUM(tickcastd, log_level, "info", log_levels, 0,
           "Lowest priority logged by every process."),
    K_STR(tickcastd, cpu_affinity, "", check_affinity, 0,
          "CPUs each stage may run on: blank-separated STAGE:CPUS entries, CPUS as taskset -c "
          "writes them (ingest:0 features:1 infer:1-3); tickcastd pins a listed stage when it "
          "starts it, and a reload that changes only this key moves the running stages without "
          "restarting them. Stages not listed, and every stage when empty, run where the "
          "scheduler puts them within tickcastd's own CPUs. A CPU tickcastd may not use is an "
          "error."),

    /* [shm] */
    K_INT(shm, ticks_capacity, "1048576", 1024, 1LL << 30, TC_CONFIG_POW2 | R,
          "Capacity of the ticks ring, in 64-byte records."),
    K_INT(shm, features_capacity, "65536", 64, 1LL << 28, TC_CONFIG_POW2 | R,
          "Capacity of the features ring, in records."),
    K_INT(shm, predictions_capacity, "65536", 64, 1LL << 28, TC_CONFIG_POW2 | R,
          "Capacity of the predictions ring, in records."),
    K_INT(shm, orders_capacity, "65536", 64, 1LL << 28, TC_CONFIG_POW2 | R,
          "Capacity of the orders ring, in records."),
    K_ENUM(shm, wait, "futex", waits, 0,
           "How a consumer waits for records and a producer for room: spin (busy-spin, one "
           "core each), yield (spin, then sched_yield) or futex (spin, then sleep)."),
    K_ENUM(shm, stores, "auto", stores, 0,
           "How a producer writes records into a ring: cached (ordinary stores; a lone record "
           "reaches its consumer soonest), streaming (non-temporal stores of whole records: "
           "faster in batches when producer and consumer share no cache) or auto (measures "
           "both while the ring is busy and keeps the faster)."),
    K_INT(shm, spin_count, "1000", 0, 1000000000, 0,
          "Most polls of the ring before a waiter starts yielding (yield, futex); each "
          "waiter halves its spinning while its waits outlast it and doubles it back when "
          "they end during it."),
    K_INT(shm, yield_count, "10", 0, 1000000000, 0,
          "Most sched_yield calls before a futex waiter goes to sleep; adapted the same way, "
          "down to one while its waits end in sleep."),
    K_DUR(shm, futex_timeout, "100ms", MS, 10 * SEC, 0,
          "Longest single futex sleep, so an idle waiter still beats its heartbeat and sees "
          "a stop request."),
    K_DUR(shm, heartbeat_interval, "100ms", MS, 10 * SEC, 0,
          "How often each attached process stamps its heartbeat in the segment."),
    K_DUR(shm, consumer_dead_after, "10s", 10 * MS, HOUR, 0,
          "A required consumer whose heartbeat is older than this is declared dead: it no "
          "longer gates the producer, and tickcastd restarts it."),
    K_BOOL(shm, mlock, "false", R,
           "Lock the segment in RAM (mlock), so no page of a ring is ever swapped out; needs "
           "LimitMEMLOCK, which tickcast.service sets."),

    /* [ingest] */
    K_ENUM(ingest, source, "synthetic", sources, R,
           "Where ticks come from: synthetic (seeded random market), file (replay path) or "
           "zmq (subscribe to zmq_endpoint)."),
    K_STR(ingest, path, "", NULL, R, "Tick file to replay when source = file."),
    K_STR(ingest, format, "auto", check_name, R,
          "Format of path: auto (detected from the file), or a format name of `tickcast "
          "convert`."),
    K_STR(ingest, zmq_endpoint, "", check_endpoint, R,
          "Feed to subscribe to when source = zmq (tcp://HOST:PORT); msgpack ticks as in "
          "docs/PROTOCOL.md."),
    K_STR(ingest, zmq_subscribe, "", NULL, R,
          "Topic prefix to subscribe to on zmq_endpoint; empty = every topic."),
    K_DBL(ingest, pace, "0", 0, 1e6, 0,
          "Replay speed as a multiple of recorded time (1 = real time); 0 = as fast as the "
          "rings take it."),
    K_STR(ingest, journal_dir, "journal", NULL, R,
          "Directory of the tick journal (every accepted tick, appended with CRCs); "
          "relative to state_dir; empty = no journal."),
    K_SIZE(ingest, journal_roll_size, "256MiB", MiB, TiB, 0,
           "Start a new journal file when the current one reaches this size."),
    K_BOOL(ingest, journal_roll_daily, "true", 0,
           "Also start a new journal file at each UTC midnight."),
    K_BOOL(ingest, journal_zstd, "false", 0,
           "Compress closed journal files with zstd."),
    K_DUR(ingest, journal_sync_interval, "1s", 0, HOUR, 0,
          "Longest time accepted ticks stay in the journal before fdatasync; 0 = sync "
          "every block."),
    K_INT(ingest, synthetic_seed, "42", 0, INT64_MAX, R,
          "Seed of the synthetic market; the same seed gives the same ticks."),
    K_STR(ingest, synthetic_symbols, "EURUSD,USDJPY,XAUUSD,BTCUSDT", check_symbols, R,
          "Symbols of the synthetic market (comma list, at most 31 characters each)."),
    K_INT(ingest, synthetic_ticks, "0", 0, INT64_MAX, R,
          "Stop after this many synthetic ticks; 0 = unlimited."),
    K_DBL(ingest, synthetic_rate, "1000", 0, 1e9, 0,
          "Synthetic ticks per second, all symbols together; 0 = as fast as possible."),
    K_INT(ingest, outlier_window, "100", 3, 1000000, R,
          "Ticks per symbol in the rolling median/MAD window of the outlier filter."),
    K_DBL(ingest, outlier_mad_k, "0", 0, 1e6, 0,
          "A price more than this many robust sigmas (1.4826 MAD) from the rolling median is "
          "an outlier (counted and dropped); 0 = filter off, the default: the filter looks a "
          "few ticks ahead per symbol to tell a jump from a bad print, so it delays each "
          "symbol's ticks and changes the interleaving of a multi-symbol stream (10 is a "
          "good value where that is acceptable)."),
    K_ENUM(ingest, crossed_policy, "drop", crossed, 0,
           "What to do with a crossed quote (bid > ask): keep it (counted) or drop it "
           "(counted)."),
    K_DUR(ingest, stale_gap, "5m", 0, 30 * DAY, 0,
          "A symbol silent for longer than this is counted and logged as stale; 0 = off."),
    K_STR(ingest, clean, "", NULL, R,
          "Cleaning rules over the keys above: key=value,... (out_of_order, dup_seq, crossed, "
          "locked, nonpos_price, zero_size, suspicious, outlier = keep|flag|drop; gap, "
          "window, confirm, k, min_rel), then ;SYMBOL:key=value,... for one symbol, e.g. "
          "zero_size=drop;BTCUSDT:window=500.  off = no cleaning."),

    /* [features] */
    K_ENUM(features, bar_type, "time", bars, R,
           "What closes a bar: time (bar_size seconds), tick (bar_size ticks), volume "
           "(bar_size units traded) or dollar (bar_size of value traded)."),
    K_DBL(features, bar_size, "60", 1e-3, 1e15, R,
          "Size of a bar in the unit of bar_type."),
    K_STR(features, feature_set, "default", check_name, R,
          "Named feature set (indicators and their parameters) computed at each bar close."),
    K_ENUM(features, mode, "talib", modes, R,
           "Indicator arithmetic: talib (reproduces TA-Lib's outputs) or precise "
           "(compensated sums, drift-free over long runs)."),

    /* [infer] */
    K_STR(infer, registry, "models/registry.db", NULL, 0,
          "Model registry (SQLite), relative to state_dir; model files live beside it."),
    K_STR(infer, model, "", check_model_name, 0,
          "Registry model to serve; empty = the registry's only model."),
    K_STR(infer, model_alias, "production", check_name, 0,
          "Registry alias of the model to serve; the stage follows it and switches to a "
          "newly promoted version between two records."),
    K_STR(infer, model_file, "", NULL, 0,
          "Serve this model file instead of the registry (relative to state_dir); the stage "
          "reloads it when the file is replaced.  Empty = use the registry."),
    K_DUR(infer, model_poll, "1s", MS, HOUR, 0,
          "How often the stage checks the registry (or model_file) for a new model."),
    K_STR(infer, zmq_pub, "tcp://127.0.0.1:8471", check_endpoint, R,
          "Endpoint predictions are published on (topic pred.SYMBOL); empty = no publishing."),
    K_INT(infer, threads, "1", 1, 256, R,
          "OpenBLAS threads of the inference stage."),

    /* [strategy] */
    K_STR(strategy, name, "threshold", check_name, R,
          "Strategy to run on the predictions."),
    K_DBL(strategy, threshold, "0.0005", 0, 1, 0,
          "Enter when the predicted return exceeds this in absolute value (0.0005 = 5 bp)."),
    K_DBL(strategy, fee_bps, "1", 0, 1000, 0,
          "Fee charged by the execution simulator, in basis points of traded value."),
    K_DBL(strategy, max_position, "1", 0, 1e12, 0,
          "Largest absolute position per symbol, in units of the instrument."),
    K_STR(strategy, zmq_pub, "tcp://127.0.0.1:8472", check_endpoint, R,
          "Endpoint signals and fills are published on (sig.SYMBOL, fill.SYMBOL); empty = "
          "no publishing."),

    /* [monitor] */
    K_DBL(monitor, psi_threshold, "0.2", 0, 100, 0,
          "Population stability index of a feature above which data drift is reported."),
    K_INT(monitor, ks_window, "1000", 10, 10000000, 0,
          "Samples per window of the Kolmogorov-Smirnov drift test."),
    K_DUR(monitor, retrain_cooldown, "1h", 0, 30 * DAY, 0,
          "Least time between two retrain jobs started on drift."),
    K_STR(monitor, zmq_pub, "tcp://127.0.0.1:8473", check_endpoint, R,
          "Endpoint drift and model events are published on (drift, model); empty = no "
          "publishing."),

    /* [http] */
    K_BOOL(http, enabled, "true", R, "Serve the HTTP status API and dashboard."),
    K_STR(http, listen, "127.0.0.1:8470", check_listen, R,
          "Address of the HTTP API (HOST:PORT); keep it on loopback unless a proxy guards it."),
};

const tc_config_key_t *tc_config_keys(int *n)
{
    *n = (int)(sizeof keys / sizeof keys[0]);
    return keys;
}

/* ---- rules between keys --------------------------------------------------------------- */

/* "section.key (value)", for a rule's reason; both keys are named, because the loader
 * may blame either. */
static const char *kv(const tc_config_t *c, const char *name, char *buf, size_t n)
{
    char val[TC_CONFIG_PATH_MAX + 8];
    const tc_config_key_t *k = tc_config_key_find(name, NULL);
    if (tc_config_value_format(c, k, val, sizeof val) < 0)
        snprintf(val, sizeof val, "?");
    snprintf(buf, n, "%s (%s)", name, val);
    return buf;
}

/* Reason "A (va) <text> B (vb)". */
static int broken(const tc_config_t *c, const tc_config_rule_t *r, const char *text,
                  char *why, size_t n)
{
    char a[TC_CONFIG_PATH_MAX + 64], b[TC_CONFIG_PATH_MAX + 64];
    snprintf(why, n, "%s %s %s", kv(c, r->a, a, sizeof a), text, kv(c, r->b, b, sizeof b));
    return -1;
}

static int rule_backoff(const tc_config_t *c, const tc_config_rule_t *r, char *why, size_t n)
{
    if (c->tickcastd.restart_backoff_min <= c->tickcastd.restart_backoff_max)
        return 0;
    return broken(c, r, "is greater than", why, n);
}

/* One late beat must not be taken for a death. */
static int rule_heartbeat(const tc_config_t *c, const tc_config_rule_t *r, char *why, size_t n)
{
    if (c->shm.consumer_dead_after >= 2 * c->shm.heartbeat_interval)
        return 0;
    return broken(c, r, "is less than twice", why, n);
}

/* An idle consumer beats only when its futex sleep ends. */
static int rule_futex(const tc_config_t *c, const tc_config_rule_t *r, char *why, size_t n)
{
    if (c->shm.consumer_dead_after >= 2 * c->shm.futex_timeout)
        return 0;
    return broken(c, r, "is less than twice", why, n);
}

static int rule_file_path(const tc_config_t *c, const tc_config_rule_t *r, char *why, size_t n)
{
    if (c->ingest.source != TC_CONFIG_SOURCE_FILE || c->ingest.path[0])
        return 0;
    return broken(c, r, "needs a tick file in", why, n);
}

static int rule_zmq_endpoint(const tc_config_t *c, const tc_config_rule_t *r, char *why,
                             size_t n)
{
    if (c->ingest.source != TC_CONFIG_SOURCE_ZMQ || c->ingest.zmq_endpoint[0])
        return 0;
    return broken(c, r, "needs an endpoint in", why, n);
}

static int rule_tick_bars(const tc_config_t *c, const tc_config_rule_t *r, char *why, size_t n)
{
    double s = c->features.bar_size;
    if (c->features.bar_type != TC_CONFIG_BAR_TICK || (s >= 1 && s == floor(s)))
        return 0;
    return broken(c, r, "needs a whole number of ticks in", why, n);
}

/* tickcastd.stages split, and the first pinned stage not among them. */
typedef struct stage_list {
    char names[64][TC_CONFIG_NAME_MAX];
    int n;
    const char *missing;
} stage_list_t;

static int not_a_stage(const char *stage, const cpu_set_t *set, void *arg)
{
    (void)set;
    stage_list_t *l = arg;
    for (int i = 0; i < l->n && i < 64; i++)
        if (strcmp(l->names[i], stage) == 0)
            return 0;
    l->missing = stage;
    return 1;
}

/* A pinned stage tickcastd does not start is a typo ("ingset:0") or a leftover. */
static int rule_pinned_stages(const tc_config_t *c, const tc_config_rule_t *r, char *why, size_t n)
{
    stage_list_t l;
    char w[160];
    l.n = tc_config_list_split(c->tickcastd.stages, l.names, 64);
    l.missing = NULL;
    if (tc_affinity_each(c->tickcastd.cpu_affinity, not_a_stage, &l, w, sizeof w) <= 0)
        return 0; /* a bad value is its own key's error */
    char a[TC_CONFIG_PATH_MAX + 64], b[TC_CONFIG_PATH_MAX + 64];
    snprintf(why, n, "%s pins stage '%s', which is not in %s", kv(c, r->a, a, sizeof a), l.missing,
             kv(c, r->b, b, sizeof b));
    return -1;
}

/* Two publishers cannot bind the same endpoint. */
static int rule_distinct_pub(const tc_config_t *c, const tc_config_rule_t *r, char *why,
                             size_t n)
{
    const tc_config_key_t *a = tc_config_key_find(r->a, NULL);
    const tc_config_key_t *b = tc_config_key_find(r->b, NULL);
    const char *va = (const char *)c + a->offset, *vb = (const char *)c + b->offset;
    if (!va[0] || strcmp(va, vb) != 0)
        return 0;
    return broken(c, r, "is the same endpoint as", why, n);
}

static const tc_config_rule_t rules[] = {
    {"tickcastd.restart_backoff_min", "tickcastd.restart_backoff_max", rule_backoff,
     "restart_backoff_min <= restart_backoff_max"},
    {"shm.consumer_dead_after", "shm.heartbeat_interval", rule_heartbeat,
     "consumer_dead_after >= 2 x heartbeat_interval"},
    {"shm.consumer_dead_after", "shm.futex_timeout", rule_futex,
     "consumer_dead_after >= 2 x futex_timeout"},
    {"ingest.source", "ingest.path", rule_file_path, "source = file needs a path"},
    {"ingest.source", "ingest.zmq_endpoint", rule_zmq_endpoint,
     "source = zmq needs a zmq_endpoint"},
    {"features.bar_type", "features.bar_size", rule_tick_bars,
     "bar_type = tick needs a whole bar_size >= 1"},
    {"tickcastd.cpu_affinity", "tickcastd.stages", rule_pinned_stages,
     "every stage in cpu_affinity is one of stages"},
    {"strategy.zmq_pub", "infer.zmq_pub", rule_distinct_pub,
     "infer, strategy and monitor publish on different endpoints"},
    {"monitor.zmq_pub", "infer.zmq_pub", rule_distinct_pub,
     "infer, strategy and monitor publish on different endpoints"},
    {"monitor.zmq_pub", "strategy.zmq_pub", rule_distinct_pub,
     "infer, strategy and monitor publish on different endpoints"},
};

const tc_config_rule_t *tc_config_rules(int *n)
{
    *n = (int)(sizeof rules / sizeof rules[0]);
    return rules;
}
