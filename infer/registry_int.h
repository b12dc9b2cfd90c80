/* registry_int.h — what registry.c (opening, schema, reads) and registry_write.c
 * (register, promote, rollback) share.  Not a public header. */
#ifndef TC_INFER_REGISTRY_INT_H
#define TC_INFER_REGISTRY_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "infer/registry.h"

#define TC_REGISTRY_PATH_MAX 4096

struct tc_registry {
    sqlite3 *db;
    char path[TC_REGISTRY_PATH_MAX]; /* as given, for messages */
    char dir[TC_REGISTRY_PATH_MAX];  /* canonical directory of the database */
    int readonly;
    sqlite3_stmt *data_version;      /* "PRAGMA data_version", kept for changed() */
    int64_t last_data_version, last_total_changes;
    char actor[128];
    void (*hook)(void *ctx, int step);
    void *hook_ctx;
};

/* Runs the test hook, if any, at step. */
static inline void tc_registry_hook(tc_registry_t *r, int step)
{
    if (r->hook)
        r->hook(r->hook_ctx, step);
}

/* Maps an SQLite result to a negative errno and records "db: what: sqlite's message". */
int tc_registry_db_err(tc_registry_t *r, int rc, const char *what);
/* Prepares sql; 0 or the mapped error. */
int tc_registry_prepare(tc_registry_t *r, sqlite3_stmt **st, const char *sql);
/* Runs sql that returns no rows (BEGIN, COMMIT, DDL). */
int tc_registry_exec(tc_registry_t *r, const char *sql);
/* The id of model, or -ENOENT ("no model NAME in db"). */
int tc_registry_model_id(tc_registry_t *r, const char *model, int64_t *ret_id);
/* Fills out from a row whose columns start at col: name, version, path (relative),
 * sha256, created_ns, parent.  -ENAMETOOLONG when the resolved path does not fit. */
int tc_registry_row_version(tc_registry_t *r, sqlite3_stmt *st, int col,
                            tc_registry_version_t *out);

#endif
