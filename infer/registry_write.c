/* registry_write.c — the registry's writes: registering a model file as a new version,
 * moving an alias (promote) and moving it back (rollback).  Each is one BEGIN IMMEDIATE
 * transaction, so a crash anywhere inside leaves the database as it was before; the
 * slow parts (hashing, loading the model) run before the transaction so the write lock
 * is held only for a few statements.  Reads and the schema are in registry.c;
 * docs/MODELS.md, "Registry", is the reference.
 */
#include "infer/registry.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "infer/json.h"
#include "infer/model.h"
#include "infer/registry_int.h"

/* ---- a growing string, for the JSON columns -------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
} sbuf_t;

static void sb_reserve(sbuf_t *b, size_t more)
{
    if (b->oom || b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void sb_add(sbuf_t *b, const char *s)
{
    size_t n = strlen(s);
    sb_reserve(b, n);
    if (b->oom)
        return;
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

static void sb_quote(sbuf_t *b, const char *s)
{
    sb_reserve(b, 6 * strlen(s) + 3); /* worst case: every byte a \u00XX escape */
    if (!b->oom && tc_json_quote(b->p, b->cap, &b->len, s) < 0)
        b->oom = 1;
}

/* 1 when s is one complete JSON value. */
static int json_valid(const char *s)
{
    tc_json_t j;
    tc_json_init(&j, s, strlen(s));
    int ok = tc_json_skip(&j) == 0 && tc_json_finish(&j) == 0;
    if (!ok)
        tc_err_clear(); /* not an error here: the caller stores the text quoted instead */
    return ok;
}

/* Metadata keys that have their own column, or that are not hyper-parameters. */
static const char *const non_hyper_keys[] = {
    "format", "features", "scaler_mean", "scaler_std", "train_range", "train_files", "metrics",
};

static int is_non_hyper(const char *k)
{
    for (size_t i = 0; i < sizeof non_hyper_keys / sizeof non_hyper_keys[0]; i++)
        if (strcmp(k, non_hyper_keys[i]) == 0)
            return 1;
    return 0;
}

/* The hyper-parameters as a JSON object: the network's configuration (from the tensors,
 * so always right), then every other metadata key that is not a column of its own, as
 * JSON when its text is JSON (numbers, objects) and as a string otherwise. */
static int hyperparams_json(const tc_model_t *m, char **ret)
{
    const tc_rnn_config_t *c = &m->net->cfg;
    char head[256];
    snprintf(head, sizeof head, "{\"cell\":\"%s\",\"input\":%d,\"hidden\":%d,\"layers\":%d,"
             "\"horizon\":%d", c->cell == TC_RNN_LSTM ? "lstm" : "gru", c->input, c->hidden,
             c->layers, c->horizon);
    sbuf_t b = {0};
    sb_add(&b, head);
    static const char *const cfg_keys[] = {"cell", "input", "hidden", "layers", "horizon"};
    for (int i = 0; i < m->n_meta; i++) {
        const char *k = m->meta_key[i], *v = m->meta_val[i];
        int skip = is_non_hyper(k);
        for (size_t q = 0; q < sizeof cfg_keys / sizeof cfg_keys[0]; q++)
            skip |= strcmp(k, cfg_keys[q]) == 0;
        if (skip)
            continue;
        sb_add(&b, ",");
        sb_quote(&b, k);
        sb_add(&b, ":");
        if (json_valid(v))
            sb_add(&b, v);
        else
            sb_quote(&b, v);
    }
    sb_add(&b, "}");
    if (b.oom) {
        free(b.p);
        return TC_ERR(-ENOMEM, "out of memory for the hyper-parameters");
    }
    *ret = b.p;
    return 0;
}

/* A metadata value for a JSON column: as it is when it is JSON, else quoted; NULL when
 * absent.  *ret is malloc'ed. */
static int meta_json(const tc_model_t *m, const char *key, char **ret)
{
    const char *v = tc_model_meta_get(m, key);
    *ret = NULL;
    if (!v)
        return 0;
    sbuf_t b = {0};
    if (json_valid(v))
        sb_add(&b, v);
    else
        sb_quote(&b, v);
    if (b.oom) {
        free(b.p);
        return TC_ERR(-ENOMEM, "out of memory for metadata %s", key);
    }
    *ret = b.p;
    return 0;
}

/* "START/END" (ISO 8601 interval) into ns; 0 when it does not parse (kept as text). */
static void train_range_parse(const char *s, int64_t *start, int64_t *end)
{
    *start = *end = 0;
    const char *slash = s ? strchr(s, '/') : NULL;
    if (!slash || (size_t)(slash - s) >= 64)
        return;
    char a[64];
    memcpy(a, s, (size_t)(slash - s));
    a[slash - s] = '\0';
    int64_t x, y;
    if (tc_registry_time_parse(a, &x) == 0 && tc_registry_time_parse(slash + 1, &y) == 0) {
        *start = x;
        *end = y;
    }
    tc_err_clear();
}

/* The path of file (canonical) relative to dir (canonical; "" is the root). */
static int relative_path(const char *dir, const char *file, char *out, size_t cap)
{
    size_t common = 0, i = 0;
    /* Longest common prefix that ends at a component boundary of both. */
    for (;; i++) {
        char a = dir[i], b = file[i];
        if (a == '\0' && (b == '/' || b == '\0')) {
            common = i;
            break;
        }
        if (a != b)
            break;
        if (a == '/')
            common = i;
    }
    size_t len = 0;
    for (const char *p = dir + common; *p; p++) {
        if (*p != '/')
            continue;
        if (len + 3 >= cap)
            return -ENAMETOOLONG;
        memcpy(out + len, "../", 3);
        len += 3;
    }
    const char *rest = file + common + (file[common] == '/');
    size_t n = strlen(rest);
    if (len + n + 1 > cap)
        return -ENAMETOOLONG;
    memcpy(out + len, rest, n + 1);
    return 0;
}

/* ---- register ----------------------------------------------------------------------- */

typedef struct reg_row {
    char rel[TC_REGISTRY_PATH_MAX];
    char sha[65];
    int64_t size;
    const char *cell;
    const char *train_range;
    int64_t train_start, train_end;
    char *train_files, *hyper, *metrics, *features;
} reg_row_t;

/* The transaction proper; the caller rolls back on error. */
static int register_txn(tc_registry_t *r, const char *model, int parent, const reg_row_t *row,
                        int *ret_version)
{
    sqlite3_stmt *st = NULL;
    int res, rc, step = 0;
    int64_t now = tc_clock_real_ns();
    if ((res = tc_registry_exec(r, "BEGIN IMMEDIATE")) < 0)
        return res;
    tc_registry_hook(r, step++);
    if ((res = tc_registry_prepare(r, &st, "INSERT OR IGNORE INTO models (name, created_ns)"
                                           " VALUES (?1, ?2)")) < 0)
        return res;
    sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return tc_registry_db_err(r, rc, "adding the model");
    tc_registry_hook(r, step++);

    int64_t id;
    if ((res = tc_registry_model_id(r, model, &id)) < 0)
        return res;
    if ((res = tc_registry_prepare(r, &st,
             "SELECT coalesce(max(version), 0),"
             " (SELECT version FROM versions WHERE model_id = ?1 AND sha256 = ?2),"
             " (SELECT count(*) FROM versions WHERE model_id = ?1 AND version = ?3)"
             " FROM versions WHERE model_id = ?1")) < 0)
        return res;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, row->sha, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, parent);
    rc = sqlite3_step(st);
    int latest = sqlite3_column_int(st, 0), same = sqlite3_column_int(st, 1);
    int parent_found = sqlite3_column_int(st, 2);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return tc_registry_db_err(r, rc, "reading the versions");
    if (same)
        return TC_ERR(-EEXIST, "%s: %s: the same file is already registered as %s:%d", r->path,
                      row->rel, model, same);
    if (parent && !parent_found)
        return TC_ERR(-ENOENT, "%s: parent %s:%d does not exist (latest is %d)", r->path, model,
                      parent, latest);
    tc_registry_hook(r, step++);

    int version = latest + 1;
    if ((res = tc_registry_prepare(r, &st,
             "INSERT INTO versions (model_id, version, path, sha256, size, created_ns, parent,"
             " cell, train_range, train_start_ns, train_end_ns, train_files, hyperparams,"
             " metrics, features) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
             " ?13, ?14, ?15)")) < 0)
        return res;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, version);
    sqlite3_bind_text(st, 3, row->rel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, row->sha, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, row->size);
    sqlite3_bind_int64(st, 6, now);
    if (parent)
        sqlite3_bind_int(st, 7, parent);
    sqlite3_bind_text(st, 8, row->cell, -1, SQLITE_STATIC);
    if (row->train_range)
        sqlite3_bind_text(st, 9, row->train_range, -1, SQLITE_STATIC);
    if (row->train_start || row->train_end) {
        sqlite3_bind_int64(st, 10, row->train_start);
        sqlite3_bind_int64(st, 11, row->train_end);
    }
    if (row->train_files)
        sqlite3_bind_text(st, 12, row->train_files, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, row->hyper, -1, SQLITE_STATIC);
    if (row->metrics)
        sqlite3_bind_text(st, 14, row->metrics, -1, SQLITE_STATIC);
    if (row->features)
        sqlite3_bind_text(st, 15, row->features, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return tc_registry_db_err(r, rc, "inserting the version");
    tc_registry_hook(r, step++);

    if ((res = tc_registry_exec(r, "COMMIT")) < 0)
        return res;
    tc_registry_hook(r, step++);
    *ret_version = version;
    return 0;
}

int tc_registry_register(tc_registry_t *r, const char *model, const char *file, int parent,
                         int *ret_version)
{
    tc_model_t *m = NULL;
    reg_row_t row;
    memset(&row, 0, sizeof row);
    int res;
    if (r->readonly)
        return TC_ERR(-EROFS, "%s: opened read-only", r->path);
    if ((res = tc_registry_name_check(model, "model name")) < 0)
        return res;
    if (parent < 0)
        return TC_ERR(-EINVAL, "parent version %d: must be 1 or more (0 = none)", parent);
    struct stat sb;
    if (stat(file, &sb) < 0)
        return TC_ERR(-errno, "%s: %s", file, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return TC_ERR(-EINVAL, "%s: not a regular file", file);
    char canon[PATH_MAX];
    if (!realpath(file, canon))
        return TC_ERR(-errno, "%s: %s", file, strerror(errno));
    if (relative_path(r->dir, canon, row.rel, sizeof row.rel) < 0)
        return TC_ERR(-ENAMETOOLONG, "%s: path too long", file);
    row.size = (int64_t)sb.st_size;

    /* Slow work outside the transaction: the write lock is held for statements only. */
    if ((res = tc_registry_file_sha256(file, row.sha)) < 0)
        return res;
    if ((res = tc_model_load(&m, file, NULL)) < 0)
        return TC_ERR_APPEND(res, "not a model file");
    row.cell = m->net->cfg.cell == TC_RNN_LSTM ? "lstm" : "gru";
    row.train_range = tc_model_meta_get(m, "train_range");
    train_range_parse(row.train_range, &row.train_start, &row.train_end);
    if ((res = hyperparams_json(m, &row.hyper)) < 0 ||
        (res = meta_json(m, "metrics", &row.metrics)) < 0 ||
        (res = meta_json(m, "features", &row.features)) < 0 ||
        (res = meta_json(m, "train_files", &row.train_files)) < 0)
        goto out;

    int version = 0;
    res = register_txn(r, model, parent, &row, &version);
    if (res < 0) {
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    *ret_version = version;
out:
    free(row.hyper);
    free(row.metrics);
    free(row.features);
    free(row.train_files);
    tc_model_destroy(m);
    return res;
}

/* ---- aliases ------------------------------------------------------------------------ */

/* Inside a transaction: points alias of model id at version (0 = unset) and appends the
 * change to alias_history; *step counts the test hook's steps. */
static int alias_move(tc_registry_t *r, int64_t id, const char *model, const char *alias,
                      int version, const char *reason, int *step)
{
    sqlite3_stmt *st = NULL;
    int res, rc;
    if (version > 0) {
        tc_registry_version_t v;
        if ((res = tc_registry_version_get(r, model, version, &v)) < 0)
            return res;
        /* The alias is what the inference stage loads: never point it at a file that is
         * not the one registered. */
        if ((res = tc_registry_verify(&v)) < 0)
            return TC_ERR_APPEND(res, "%s: not moving %s", r->path, alias);
    }
    /* Times strictly increase through the history even when the clock steps back, so
     * "the latest change at or before T" always names one row. */
    int64_t last = 0, now = tc_clock_real_ns();
    if ((res = tc_registry_prepare(r, &st, "SELECT coalesce(max(at_ns), 0) FROM alias_history")) < 0)
        return res;
    rc = sqlite3_step(st);
    last = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return tc_registry_db_err(r, rc, "reading alias history");
    int64_t at = now > last ? now : last + 1;

    if (version > 0)
        res = tc_registry_prepare(r, &st, "INSERT OR REPLACE INTO aliases (model_id, alias,"
                                          " version, at_ns) VALUES (?1, ?2, ?3, ?4)");
    else
        res = tc_registry_prepare(r, &st, "DELETE FROM aliases WHERE model_id = ?1 AND alias = ?2");
    if (res < 0)
        return res;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, alias, -1, SQLITE_STATIC);
    if (version > 0) {
        sqlite3_bind_int(st, 3, version);
        sqlite3_bind_int64(st, 4, at);
    }
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return tc_registry_db_err(r, rc, "moving the alias");
    tc_registry_hook(r, (*step)++);

    if ((res = tc_registry_prepare(r, &st, "INSERT INTO alias_history (model_id, alias, version,"
                                           " at_ns, actor, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")) < 0)
        return res;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, alias, -1, SQLITE_STATIC);
    if (version > 0)
        sqlite3_bind_int(st, 3, version);
    sqlite3_bind_int64(st, 4, at);
    sqlite3_bind_text(st, 5, r->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, reason ? reason : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return tc_registry_db_err(r, rc, "appending alias history");
    tc_registry_hook(r, (*step)++);
    return 0;
}

/* The alias's current version (0 = unset) inside the transaction. */
static int alias_current(tc_registry_t *r, int64_t id, const char *alias, int *ret)
{
    sqlite3_stmt *st = NULL;
    int res = tc_registry_prepare(r, &st, "SELECT version FROM aliases WHERE model_id = ?1"
                                          " AND alias = ?2");
    if (res < 0)
        return res;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, alias, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *ret = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return tc_registry_db_err(r, rc, "reading an alias");
    return 0;
}

static int write_check(tc_registry_t *r, const char *model, const char *alias)
{
    if (r->readonly)
        return TC_ERR(-EROFS, "%s: opened read-only", r->path);
    int res = tc_registry_name_check(model, "model name");
    if (res < 0)
        return res;
    return tc_registry_name_check(alias, "alias");
}

int tc_registry_promote(tc_registry_t *r, const char *model, const char *alias, int version,
                        const char *reason)
{
    int res = write_check(r, model, alias), step = 0, cur;
    int64_t id;
    if (res < 0)
        return res;
    if (version < 0)
        return TC_ERR(-EINVAL, "version %d: must be 1 or more (0 unsets the alias)", version);
    if ((res = tc_registry_exec(r, "BEGIN IMMEDIATE")) < 0)
        return res;
    tc_registry_hook(r, step++);
    if ((res = tc_registry_model_id(r, model, &id)) < 0 ||
        (res = alias_current(r, id, alias, &cur)) < 0)
        goto fail;
    if (cur == version) { /* already there (the foreign key proves the version exists) */
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
        return 0;
    }
    if ((res = alias_move(r, id, model, alias, version, reason, &step)) < 0 ||
        (res = tc_registry_exec(r, "COMMIT")) < 0)
        goto fail;
    tc_registry_hook(r, step++);
    return 0;
fail:
    sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return res;
}

int tc_registry_rollback(tc_registry_t *r, const char *model, const char *alias,
                         const char *reason, int *ret_version)
{
    int res = write_check(r, model, alias), step = 0;
    int64_t id;
    sqlite3_stmt *st = NULL;
    if (res < 0)
        return res;
    if ((res = tc_registry_exec(r, "BEGIN IMMEDIATE")) < 0)
        return res;
    tc_registry_hook(r, step++);
    if ((res = tc_registry_model_id(r, model, &id)) < 0)
        goto fail;
    /* The state before the latest change is the version of the second-newest row. */
    if ((res = tc_registry_prepare(r, &st, "SELECT version FROM alias_history WHERE model_id = ?1"
                                           " AND alias = ?2 ORDER BY id DESC LIMIT 1 OFFSET 1")) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, alias, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int target = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        res = TC_ERR(-ENOENT, "%s: model \"%s\": alias \"%s\" has no earlier version to roll "
                     "back to", r->path, model, alias);
        goto fail;
    }
    if (rc != SQLITE_ROW) {
        res = tc_registry_db_err(r, rc, "reading alias history");
        goto fail;
    }
    char why[256];
    snprintf(why, sizeof why, "rollback%s%s", reason && reason[0] ? ": " : "",
             reason ? reason : "");
    if ((res = alias_move(r, id, model, alias, target, why, &step)) < 0 ||
        (res = tc_registry_exec(r, "COMMIT")) < 0)
        goto fail;
    tc_registry_hook(r, step++);
    *ret_version = target;
    return 0;
fail:
    sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return res;
}
