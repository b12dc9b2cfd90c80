/* registry.h — the model registry: one SQLite database beside the model files.
 *
 * It records which model files exist (versions: sha256, lineage, training range,
 * hyper-parameters, metrics, features), which version each alias (`production`,
 * `staging`, ...) points at, and every alias change in an append-only history, so
 * "what was live at time T" and a rollback are one query each.  Model files are never
 * copied: a version stores its file's path relative to the database's directory.
 *
 * Concurrency: WAL journal, so any number of readers (the inference stage, `tickcast
 * model list`) run beside one writer (the monitor, `tickcast model promote`); every
 * write is one BEGIN IMMEDIATE transaction, so a crash leaves either all of it or none.
 * A handle belongs to one thread; open one per thread or process.  docs/MODELS.md,
 * section "Registry", is the reference for the schema and the commands.
 *
 * Following an alias (the inference stage), between two records:
 *
 *     if (tc_registry_changed(reg) > 0 &&
 *         tc_registry_resolve(reg, "churn", "production", &v) == 0 && v.version != live)
 *         ... tc_registry_verify(&v), tc_model_load(v.path), swap, live = v.version ...
 */
#ifndef TC_INFER_REGISTRY_H
#define TC_INFER_REGISTRY_H

#include <stdint.h>

#define TC_REGISTRY_SCHEMA 1       /* PRAGMA user_version this build writes and reads */
#define TC_REGISTRY_NAME_MAX 64    /* model and alias names, with the NUL */
#define TC_REGISTRY_READONLY 1

typedef struct tc_registry tc_registry_t;

typedef struct tc_registry_version {
    char model[64];
    int version;             /* 1.. */
    char path[4096];         /* absolute (resolved against the db's directory) */
    char sha256[65];
    int64_t created_ns;
    int parent;              /* 0 = none */
} tc_registry_version_t;

/* Everything a version records, for listings.  The strings are borrowed: valid only
 * during the callback that receives the struct. */
typedef struct tc_registry_version_info {
    tc_registry_version_t v;
    const char *rel_path;    /* as stored: relative to the database's directory */
    int64_t size;            /* file size in bytes at registration */
    const char *cell;        /* "lstm" / "gru" */
    const char *train_range; /* ISO 8601 interval from the file, or NULL */
    int64_t train_start_ns, train_end_ns; /* parsed from train_range; 0 when unknown */
    const char *train_files; /* JSON object or NULL */
    const char *hyperparams; /* JSON object (never NULL) */
    const char *metrics;     /* JSON or NULL */
    const char *features;    /* JSON array or NULL */
    const char *aliases;     /* comma list of the aliases now on this version, "" if none */
} tc_registry_version_info_t;

/* One row of alias_history.  Strings borrowed for the duration of the callback. */
typedef struct tc_registry_event {
    int64_t id;              /* increasing with time */
    const char *model, *alias;
    int version;             /* 0 = the alias was unset */
    int previous;            /* the alias's version before this change; 0 = unset */
    int64_t at_ns;
    const char *actor, *reason; /* reason may be "" */
} tc_registry_event_t;

/* Opens (and, unless TC_REGISTRY_READONLY, creates with its directory's parent
 * existing) the registry at db_path.  Refuses a file that is not SQLite, a database
 * that is not a registry, and a schema newer than this build (-EPROTO).  Returns 0 and
 * *ret, or a negative errno with "db_path: reason" on the error stack. */
int tc_registry_open(tc_registry_t **ret, const char *db_path, int flags);
/* Closes the handle; NULL is fine. */
void tc_registry_close(tc_registry_t *r);

/* The version of model under alias; -ENOENT when the model, or the alias on it, is
 * unset.  On error *out is unchanged. */
int tc_registry_resolve(tc_registry_t *r, const char *model, const char *alias,
                        tc_registry_version_t *out);
/* The version alias pointed at at time at_ns (ns since the epoch, UTC), from
 * alias_history: the latest change at or before at_ns.  -ENOENT when unset then. */
int tc_registry_resolve_at(tc_registry_t *r, const char *model, const char *alias,
                           int64_t at_ns, tc_registry_version_t *out);
/* One version by number; -ENOENT when there is none. */
int tc_registry_version_get(tc_registry_t *r, const char *model, int version,
                            tc_registry_version_t *out);
/* The newest version of model; -ENOENT when model has none. */
int tc_registry_latest(tc_registry_t *r, const char *model, tc_registry_version_t *out);

/* 1 when any connection (this one included) committed a change since the last call
 * (or since open), 0 if not (PRAGMA data_version); negative errno on failure.  Cheap:
 * no table is read, so a stage may call it between records. */
int tc_registry_changed(tc_registry_t *r);

/* Registers a model file as the next version of model (created when new): hashes it,
 * loads it with tc_model_load (a file that is not a valid model is refused) and
 * records its hyper-parameters, metrics, features and training range from
 * __metadata__.  parent is an existing version of model, or 0.  Copies nothing; the
 * same file content twice for one model is refused (-EEXIST).  Returns 0 and the new
 * version number in *ret_version; on error the database is unchanged. */
int tc_registry_register(tc_registry_t *r, const char *model, const char *file, int parent,
                         int *ret_version);
/* Points alias at version after checking that the version's file still has the
 * recorded sha256 (-EBADMSG when it changed, -ENOENT when it is gone); version 0 unsets
 * the alias.  Appends the change to alias_history with reason (NULL = none). */
int tc_registry_promote(tc_registry_t *r, const char *model, const char *alias, int version,
                        const char *reason);
/* Sets alias back to the version it had before its latest change (a second rollback
 * therefore undoes the first); -ENOENT if the alias has no earlier state.  The file
 * is checked as promote does.  Returns 0 and the version now live in *ret_version
 * (0 when the earlier state was "unset"). */
int tc_registry_rollback(tc_registry_t *r, const char *model, const char *alias,
                         const char *reason, int *ret_version);

/* The name of the only model, for commands where the user named none: 0 and name,
 * -ENOENT for an empty registry, -EINVAL (listing them) when there are several. */
int tc_registry_model_only(tc_registry_t *r, char name[TC_REGISTRY_NAME_MAX]);

/* Calls fn for every version of model (NULL = every model), by model name, then
 * version.  Stops early and returns fn's value when it returns non-zero; 0 after all,
 * or a negative errno. */
int tc_registry_versions_each(tc_registry_t *r, const char *model,
                              int (*fn)(const tc_registry_version_info_t *vi, void *ctx),
                              void *ctx);
/* Calls fn for every alias_history row of model (NULL = all), only alias when not
 * NULL, oldest first; stops early as tc_registry_versions_each does. */
int tc_registry_history_each(tc_registry_t *r, const char *model, const char *alias,
                             int (*fn)(const tc_registry_event_t *ev, void *ctx), void *ctx);

/* Who is recorded as making alias changes through this handle (default: the user
 * name); at most 127 bytes kept.  Can't fail. */
void tc_registry_actor_set(tc_registry_t *r, const char *actor);

/* Checks the file of a version against its recorded sha256: 0 when it matches,
 * -EBADMSG when it changed, or the open/read error. */
int tc_registry_verify(const tc_registry_version_t *v);
/* The sha256 of a file as 64 lowercase hex digits. */
int tc_registry_file_sha256(const char *path, char out[65]);

/* Test hook: fn(ctx, step) runs between the statements of every write transaction
 * (step 0 right after BEGIN, increasing), so a test can kill the process mid-way.
 * NULL removes it.  Not for production use. */
void tc_registry_hook_set(tc_registry_t *r, void (*fn)(void *ctx, int step), void *ctx);

/* 0 when name is a valid model or alias name (1..63 of [A-Za-z0-9._-], not starting
 * with '.' or '-'); -EINVAL with "what \"name\": why" otherwise. */
int tc_registry_name_check(const char *name, const char *what);

/* Parses a time as nanoseconds since the epoch: an integer (ns) or ISO 8601 UTC
 * "YYYY-MM-DD[THH:MM[:SS[.fraction]]][Z]".  -EINVAL when it is neither. */
int tc_registry_time_parse(const char *s, int64_t *ret_ns);
/* Formats ns as "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (31 bytes with the NUL). */
void tc_registry_time_format(int64_t ns, char buf[32]);

#endif
