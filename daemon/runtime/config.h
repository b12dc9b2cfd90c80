/* config.h — the configuration of every tickcast process: one INI file, a section per
 * process, driven by one table (config_table.c).
 *
 * Each table row names a section and key, a type, the default as text, a validator
 * (bounds, enum values, power of two, optional custom check), the offset of the value in
 * tc_config_t and a doc string.  Every key has a default, so no file is needed.  The
 * loader, `-o section.key=value` overrides, `tickcast config --dump`, docs/CONFIG.md and
 * systemd/tickcast.conf all come from the same table.
 *
 *     tc_config_t cfg;
 *     r = tc_config_load_overrides(&cfg, path, overrides, n_overrides);
 *     if (r < 0) return r;    // "tickcast.conf:12 shm.ticks_capacity: 1000 is not a power of two"
 *
 * tc_config_t holds no pointers (strings are fixed arrays), so it can be copied by value:
 * the SIGHUP rule is "load into a new struct, swap only when it validates".
 */
#ifndef TC_RUNTIME_CONFIG_H
#define TC_RUNTIME_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TC_CONFIG_NAME_MAX 64   /* instance, stage, alias, strategy names (with NUL) */
#define TC_CONFIG_PATH_MAX 256  /* paths, endpoints, lists (with NUL) */

/* Values of enum keys: the C value stored in tc_config_t. */
typedef enum tc_config_wait {
    TC_CONFIG_WAIT_SPIN = 0,  /* busy-spin */
    TC_CONFIG_WAIT_YIELD = 1, /* spin, then sched_yield */
    TC_CONFIG_WAIT_FUTEX = 2, /* spin, then futex sleep */
} tc_config_wait_t;

typedef enum tc_config_stores {
    TC_CONFIG_STORES_AUTO = 0,      /* measure both, keep the faster */
    TC_CONFIG_STORES_CACHED = 1,    /* ordinary stores, in place */
    TC_CONFIG_STORES_STREAMING = 2, /* non-temporal stores of whole records */
} tc_config_stores_t;

typedef enum tc_config_source {
    TC_CONFIG_SOURCE_SYNTHETIC = 0,
    TC_CONFIG_SOURCE_FILE = 1,
    TC_CONFIG_SOURCE_ZMQ = 2,
} tc_config_source_t;

typedef enum tc_config_crossed {
    TC_CONFIG_CROSSED_KEEP = 0,
    TC_CONFIG_CROSSED_DROP = 1,
} tc_config_crossed_t;

typedef enum tc_config_bar {
    TC_CONFIG_BAR_TIME = 0,
    TC_CONFIG_BAR_TICK = 1,
    TC_CONFIG_BAR_VOLUME = 2,
    TC_CONFIG_BAR_DOLLAR = 3,
} tc_config_bar_t;

typedef enum tc_config_mode {
    TC_CONFIG_MODE_TALIB = 0,
    TC_CONFIG_MODE_PRECISE = 1,
} tc_config_mode_t;

/* Durations are int64 nanoseconds; sizes are int64 bytes. */
typedef struct tc_config_tickcastd {
    char instance[TC_CONFIG_NAME_MAX];
    char stages[TC_CONFIG_PATH_MAX]; /* comma list */
    char consumers[TC_CONFIG_PATH_MAX]; /* comma list of ring:consumer */
    char bin_dir[TC_CONFIG_PATH_MAX];
    char state_dir[TC_CONFIG_PATH_MAX];
    int64_t restart_backoff_min;
    int64_t restart_backoff_max;
    int64_t restart_window;
    int64_t restart_max;
    int64_t start_timeout;
    int64_t drain_timeout;
    int64_t status_interval;
    int log_level; /* TC_LOG_ERR..TC_LOG_DEBUG (log.h) */
    char cpu_affinity[TC_CONFIG_PATH_MAX]; /* STAGE:CPUS entries (affinity.h) */
} tc_config_tickcastd_t;

typedef struct tc_config_shm {
    int64_t ticks_capacity;
    int64_t features_capacity;
    int64_t predictions_capacity;
    int64_t orders_capacity;
    int wait; /* tc_config_wait_t */
    int stores; /* tc_config_stores_t */
    int64_t spin_count;
    int64_t yield_count;
    int64_t futex_timeout;
    int64_t heartbeat_interval;
    int64_t consumer_dead_after;
    bool mlock;
} tc_config_shm_t;

typedef struct tc_config_ingest {
    int source; /* tc_config_source_t */
    char path[TC_CONFIG_PATH_MAX];
    char format[TC_CONFIG_NAME_MAX];
    char zmq_endpoint[TC_CONFIG_PATH_MAX];
    char zmq_subscribe[TC_CONFIG_NAME_MAX];
    double pace;
    char journal_dir[TC_CONFIG_PATH_MAX];
    int64_t journal_roll_size;
    bool journal_roll_daily;
    bool journal_zstd;
    int64_t journal_sync_interval;
    int64_t synthetic_seed;
    char synthetic_symbols[TC_CONFIG_PATH_MAX]; /* comma list */
    int64_t synthetic_ticks;
    double synthetic_rate;
    int64_t outlier_window;
    double outlier_mad_k;
    int crossed_policy; /* tc_config_crossed_t */
    int64_t stale_gap;
    char clean[TC_CONFIG_PATH_MAX];
} tc_config_ingest_t;

typedef struct tc_config_features {
    int bar_type; /* tc_config_bar_t */
    double bar_size;
    char feature_set[TC_CONFIG_NAME_MAX];
    int mode; /* tc_config_mode_t */
} tc_config_features_t;

typedef struct tc_config_infer {
    char registry[TC_CONFIG_PATH_MAX];
    char model[TC_CONFIG_NAME_MAX];
    char model_alias[TC_CONFIG_NAME_MAX];
    char model_file[TC_CONFIG_PATH_MAX];
    int64_t model_poll;
    char zmq_pub[TC_CONFIG_PATH_MAX];
    int64_t threads;
} tc_config_infer_t;

typedef struct tc_config_strategy {
    char name[TC_CONFIG_NAME_MAX];
    double threshold;
    double fee_bps;
    double max_position;
    char zmq_pub[TC_CONFIG_PATH_MAX];
} tc_config_strategy_t;

typedef struct tc_config_monitor {
    double psi_threshold;
    int64_t ks_window;
    int64_t retrain_cooldown;
    char zmq_pub[TC_CONFIG_PATH_MAX];
} tc_config_monitor_t;

typedef struct tc_config_http {
    bool enabled;
    char listen[TC_CONFIG_NAME_MAX];
} tc_config_http_t;

typedef struct tc_config {
    tc_config_tickcastd_t tickcastd;
    tc_config_shm_t shm;
    tc_config_ingest_t ingest;
    tc_config_features_t features;
    tc_config_infer_t infer;
    tc_config_strategy_t strategy;
    tc_config_monitor_t monitor;
    tc_config_http_t http;
} tc_config_t;

/* ---- the table ------------------------------------------------------------------- */

typedef enum tc_config_type {
    TC_CONFIG_STRING,
    TC_CONFIG_INT,      /* int64_t */
    TC_CONFIG_DOUBLE,   /* double */
    TC_CONFIG_BOOL,     /* bool: true/false, yes/no, on/off, 1/0 */
    TC_CONFIG_ENUM,     /* int: the value of the matching tc_config_enum_t */
    TC_CONFIG_DURATION, /* int64_t ns: "250ms", "10s", "5m", "1h", "0" */
    TC_CONFIG_SIZE,     /* int64_t bytes: "4096", "64KiB", "256MiB", "1GiB" */
} tc_config_type_t;

typedef struct tc_config_enum {
    const char *name;
    int value;
} tc_config_enum_t;

enum {
    TC_CONFIG_POW2 = 1u << 0,    /* int: must be a power of two */
    TC_CONFIG_RESTART = 1u << 1, /* a change takes effect only when the process restarts */
};

/* Custom check of a parsed value: 0 if good, else -1 with the reason in why (without
 * the "file:line section.key: " prefix, which the caller adds). */
typedef int (*tc_config_check_fn)(const void *value, char *why, size_t why_size);

typedef struct tc_config_key {
    const char *section;
    const char *key;
    tc_config_type_t type;
    const char *def;  /* the default, as it would be written in the file */
    size_t offset;    /* of the value in tc_config_t */
    size_t size;      /* of the value (string capacity with NUL) */
    int64_t min, max; /* INT, DURATION, SIZE: inclusive bounds */
    double dmin, dmax;               /* DOUBLE: inclusive bounds */
    unsigned flags;                  /* TC_CONFIG_POW2, TC_CONFIG_RESTART */
    const tc_config_enum_t *values;  /* ENUM: terminated by {NULL, 0} */
    tc_config_check_fn check;        /* optional */
    const char *doc;                 /* one sentence or two, no trailing newline */
} tc_config_key_t;

/* The table, in file order; *n gets the number of keys.  Static; never NULL. */
const tc_config_key_t *tc_config_keys(int *n);

/* A rule between two keys (backoff min <= max, a file source needs a path, ...).  fn
 * returns 0 if *c obeys it, else -1 with the reason in why; the loader blames key a or
 * b, whichever the file set last. */
typedef struct tc_config_rule tc_config_rule_t;
struct tc_config_rule {
    const char *a, *b; /* "section.key" */
    int (*fn)(const tc_config_t *c, const tc_config_rule_t *rule, char *why, size_t size);
    const char *doc;
};

/* The cross-key rules; *n gets their number.  Static; never NULL. */
const tc_config_rule_t *tc_config_rules(int *n);

/* The row for "section.key" (or section and key apart when key is not NULL), or NULL. */
const tc_config_key_t *tc_config_key_find(const char *section, const char *key);

/* ---- loading and checking ---------------------------------------------------------- */

/* Sets every key to its default.  This function can't fail (the table's defaults are
 * checked by the tests). */
void tc_config_defaults(tc_config_t *c);

/* Loads defaults, then the INI file at path (NULL = defaults only), then checks every
 * cross-key rule.  Returns 0, or -EINVAL (bad file) / -errno (cannot read) with
 * "path:line section.key: why" on the error stack: the earliest problem, followed by
 * "(and N more errors)" when there are several.  On error *c is untouched. */
int tc_config_load(tc_config_t *c, const char *path);

/* As tc_config_load, then applies overrides ("section.key=value", as given to -o) in
 * order, and only then checks the cross-key rules, so overrides may move two related
 * keys at once.  An override error reads "-o section.key: why".  On error *c is
 * untouched. */
int tc_config_load_overrides(tc_config_t *c, const char *path, char *const *overrides,
                             int n_overrides);

/* Checks path and overrides as tc_config_load_overrides does, but writes every problem
 * to report, one "file:line section.key: why" per line, in file order.  Returns how
 * many problems there were (0 = good), or -errno when path cannot be read. */
int tc_config_lint(const char *path, char *const *overrides, int n_overrides, FILE *report);

/* The SIGHUP rule in one call: loads path and overrides as tc_config_load_overrides does;
 * if all is good, logs each changed key at notice level ("shm.wait: futex -> spin",
 * with "(applies at restart)" for TC_CONFIG_RESTART keys), replaces *c and returns the
 * number of changed keys.  On error *c is untouched and the reason is on the error
 * stack, for the caller to log while it runs on. */
int tc_config_reload(tc_config_t *c, const char *path, char *const *overrides, int n_overrides);

/* Parses and checks one value ("shm.ticks_capacity", "1000") into *c.  Cross-key rules
 * are not checked here: run tc_config_check after a batch of sets.  Returns 0 or -EINVAL
 * with "section.key: why".  On error *c is untouched. */
int tc_config_set(tc_config_t *c, const char *section_dot_key, const char *value);

/* Checks every key's validator and every cross-key rule on *c.  Returns 0 or -EINVAL with
 * "section.key: why" on the error stack. */
int tc_config_check(const tc_config_t *c);

/* ---- output ------------------------------------------------------------------------ */

/* Writes key's value in *c as file text into buf (always NUL-terminated); returns the
 * length, or -ENOSPC if it did not fit. */
int tc_config_value_format(const tc_config_t *c, const tc_config_key_t *key, char *buf,
                           size_t size);

/* Writes *c as an INI file that loads back to the same values; with_docs adds each key's
 * doc, type, bounds and default as comments.  Returns 0 or -EIO. */
int tc_config_dump(const tc_config_t *c, FILE *f, int with_docs);

/* Writes *c as one JSON object of sections of keys: ints and numbers as JSON numbers,
 * booleans as true/false, everything else (strings, enums, durations, sizes) as the
 * string the INI file would hold ("100ms", "256MiB").  Returns 0 or -EIO. */
int tc_config_json(const tc_config_t *c, FILE *f);

/* Writes the reference of every key as Markdown (docs/CONFIG.md).  Returns 0 or -EIO. */
int tc_config_markdown(FILE *f);

/* Fills keys[0..max) with the rows whose values differ between a and b; returns how
 * many differ (which may exceed max).  For SIGHUP: log what changed, and which changes
 * need a restart (TC_CONFIG_RESTART). */
int tc_config_diff(const tc_config_t *a, const tc_config_t *b, const tc_config_key_t **keys,
                   int max);

/* Splits a comma list (tickcastd.stages, ingest.synthetic_symbols) into items, each
 * trimmed of blanks and cut to TC_CONFIG_NAME_MAX - 1; empty items are skipped.  Returns
 * the number of items (which may exceed max; only max are written). */
int tc_config_list_split(const char *list, char (*items)[TC_CONFIG_NAME_MAX], int max);

/* Resolves a path key's value: absolute paths are returned as they are; a relative one
 * is taken from tickcastd.state_dir, or $STATE_DIRECTORY (set by systemd's
 * StateDirectory=) when that is empty, or the current directory.  "" stays "".  Returns
 * the length, or -ENAMETOOLONG. */
int tc_config_path_resolve(const tc_config_t *c, const char *path, char *buf, size_t size);

#endif
