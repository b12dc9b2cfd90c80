/* registry.c — the model registry's database: opening and creating it, the schema and
 * its version check, and every read (resolve, resolve-at-T, listings, change polling).
 * Writes (register, promote, rollback) are in registry_write.c.  docs/MODELS.md,
 * "Registry", describes the schema; SQLite's documentation on WAL and
 * PRAGMA data_version is the reference for the concurrency rules relied on here.
 */
#include "infer/registry.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "infer/registry_int.h"

/* 'tcmr': marks the file as a tickcast model registry (PRAGMA application_id). */
#define TC_REGISTRY_APP_ID 0x74636d72

/* Version 1.  Times are ns since the epoch, UTC.  versions.path is relative to the
 * database's directory, so a state directory can move as a whole.  alias_history is
 * append-only (triggers), and its at_ns strictly increases (registry_write.c), so "the
 * latest row at or before T" is what was live at T. */
static const char schema_v1[] =
    "CREATE TABLE models ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 63),"
    "  created_ns INTEGER NOT NULL);"
    "CREATE TABLE versions ("
    "  model_id INTEGER NOT NULL REFERENCES models (id),"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  path TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
    "  size INTEGER NOT NULL,"
    "  created_ns INTEGER NOT NULL,"
    "  parent INTEGER CHECK (parent IS NULL OR parent < version),"
    "  cell TEXT NOT NULL,"
    "  train_range TEXT,"
    "  train_start_ns INTEGER,"
    "  train_end_ns INTEGER,"
    "  train_files TEXT,"
    "  hyperparams TEXT NOT NULL,"
    "  metrics TEXT,"
    "  features TEXT,"
    "  PRIMARY KEY (model_id, version),"
    "  UNIQUE (model_id, sha256),"
    "  FOREIGN KEY (model_id, parent) REFERENCES versions (model_id, version)"
    ") WITHOUT ROWID;"
    "CREATE TABLE aliases ("
    "  model_id INTEGER NOT NULL REFERENCES models (id),"
    "  alias TEXT NOT NULL CHECK (length(alias) BETWEEN 1 AND 63),"
    "  version INTEGER NOT NULL,"
    "  at_ns INTEGER NOT NULL,"
    "  PRIMARY KEY (model_id, alias),"
    "  FOREIGN KEY (model_id, version) REFERENCES versions (model_id, version)"
    ") WITHOUT ROWID;"
    "CREATE TABLE alias_history ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  model_id INTEGER NOT NULL REFERENCES models (id),"
    "  alias TEXT NOT NULL,"
    "  version INTEGER,"
    "  at_ns INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  FOREIGN KEY (model_id, version) REFERENCES versions (model_id, version));"
    "CREATE INDEX alias_history_at ON alias_history (model_id, alias, at_ns);"
    "CREATE TRIGGER alias_history_no_update BEFORE UPDATE ON alias_history"
    "  BEGIN SELECT RAISE(ABORT, 'alias_history is append-only'); END;"
    "CREATE TRIGGER alias_history_no_delete BEFORE DELETE ON alias_history"
    "  BEGIN SELECT RAISE(ABORT, 'alias_history is append-only'); END;"
    "CREATE TRIGGER versions_no_update BEFORE UPDATE ON versions"
    "  BEGIN SELECT RAISE(ABORT, 'versions are immutable'); END;";

/* ---- small helpers shared with registry_write.c ---------------------------------- */

int tc_registry_db_err(tc_registry_t *r, int rc, const char *what)
{
    int code;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = -EBUSY; break;
    case SQLITE_NOTADB: code = -EPROTO; break;
    case SQLITE_CORRUPT: code = -EBADMSG; break;
    case SQLITE_READONLY: code = -EROFS; break;
    case SQLITE_CANTOPEN: code = -ENOENT; break;
    case SQLITE_PERM:
    case SQLITE_AUTH: code = -EACCES; break;
    case SQLITE_FULL: code = -ENOSPC; break;
    case SQLITE_NOMEM: code = -ENOMEM; break;
    case SQLITE_CONSTRAINT: code = -EINVAL; break;
    default: code = -EIO; break;
    }
    const char *msg = r->db ? sqlite3_errmsg(r->db) : sqlite3_errstr(rc);
    if ((rc & 0xff) == SQLITE_NOTADB)
        return TC_ERR(code, "%s: not an SQLite database (%s)", r->path, msg);
    if ((rc & 0xff) == SQLITE_BUSY)
        return TC_ERR(code, "%s: %s: busy, another writer held it longer than the timeout",
                      r->path, what);
    return TC_ERR(code, "%s: %s: %s", r->path, what, msg);
}

int tc_registry_prepare(tc_registry_t *r, sqlite3_stmt **st, const char *sql)
{
    int rc = sqlite3_prepare_v2(r->db, sql, -1, st, NULL);
    if (rc != SQLITE_OK)
        return tc_registry_db_err(r, rc, "preparing a query");
    return 0;
}

int tc_registry_exec(tc_registry_t *r, const char *sql)
{
    int rc = sqlite3_exec(r->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return tc_registry_db_err(r, rc, sql);
    return 0;
}

int tc_registry_name_check(const char *name, const char *what)
{
    size_t n = strlen(name);
    if (n == 0 || n >= TC_REGISTRY_NAME_MAX)
        return TC_ERR(-EINVAL, "%s \"%s\": must be 1 to %d characters", what, name,
                      TC_REGISTRY_NAME_MAX - 1);
    if (name[0] == '.' || name[0] == '-')
        return TC_ERR(-EINVAL, "%s \"%s\": must not start with '%c'", what, name, name[0]);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        if (!ok)
            return TC_ERR(-EINVAL, "%s \"%s\": character %zu is not one of A-Z a-z 0-9 . _ -",
                          what, name, i + 1);
    }
    return 0;
}

int tc_registry_model_id(tc_registry_t *r, const char *model, int64_t *ret_id)
{
    sqlite3_stmt *st = NULL;
    int r2 = tc_registry_prepare(r, &st, "SELECT id FROM models WHERE name = ?1");
    if (r2 < 0)
        return r2;
    sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *ret_id = sqlite3_column_int64(st, 0);
        r2 = 0;
    } else if (rc == SQLITE_DONE) {
        r2 = TC_ERR(-ENOENT, "%s: no model \"%s\"", r->path, model);
    } else {
        r2 = tc_registry_db_err(r, rc, "looking up a model");
    }
    sqlite3_finalize(st);
    return r2;
}

int tc_registry_row_version(tc_registry_t *r, sqlite3_stmt *st, int col,
                            tc_registry_version_t *out)
{
    tc_registry_version_t v;
    memset(&v, 0, sizeof v);
    const char *name = (const char *)sqlite3_column_text(st, col);
    const char *rel = (const char *)sqlite3_column_text(st, col + 2);
    const char *sha = (const char *)sqlite3_column_text(st, col + 3);
    snprintf(v.model, sizeof v.model, "%s", name ? name : "");
    v.version = sqlite3_column_int(st, col + 1);
    int n;
    if (rel && rel[0] == '/')
        n = snprintf(v.path, sizeof v.path, "%s", rel);
    else
        n = snprintf(v.path, sizeof v.path, "%s/%s", r->dir, rel ? rel : "");
    if (n < 0 || (size_t)n >= sizeof v.path)
        return TC_ERR(-ENAMETOOLONG, "%s: %s:%d: path longer than %zu characters", r->path,
                      v.model, v.version, sizeof v.path - 1);
    snprintf(v.sha256, sizeof v.sha256, "%s", sha ? sha : "");
    v.created_ns = sqlite3_column_int64(st, col + 4);
    v.parent = sqlite3_column_int(st, col + 5); /* NULL reads as 0 = none */
    *out = v;
    return 0;
}

/* ---- opening ------------------------------------------------------------------------ */

/* One integer from a pragma or query; -errno on failure. */
static int query_int(tc_registry_t *r, const char *sql, int64_t *ret)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *ret = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK && rc != SQLITE_DONE)
        return tc_registry_db_err(r, rc, sql);
    return 0;
}

/* Checks (and for an empty writable file, creates) the schema.  Inside BEGIN IMMEDIATE
 * when writable, so two processes creating the same registry do not both run DDL. */
static int schema_check(tc_registry_t *r)
{
    int64_t app = 0, ver = 0, n_objects = 0;
    int res = tc_registry_exec(r, r->readonly ? "BEGIN" : "BEGIN IMMEDIATE");
    if (res < 0)
        return res;
    if ((res = query_int(r, "PRAGMA application_id", &app)) < 0 ||
        (res = query_int(r, "PRAGMA user_version", &ver)) < 0 ||
        (res = query_int(r, "SELECT count(*) FROM sqlite_schema", &n_objects)) < 0)
        goto fail;
    if (app != TC_REGISTRY_APP_ID && (app != 0 || n_objects != 0)) {
        res = TC_ERR(-EPROTO, "%s: an SQLite database, but not a tickcast model registry "
                     "(application_id %lld)", r->path, (long long)app);
        goto fail;
    }
    if (ver > TC_REGISTRY_SCHEMA) {
        res = TC_ERR(-EPROTO, "%s: registry schema version %lld is newer than this build's %d; "
                     "use a newer tickcast", r->path, (long long)ver, TC_REGISTRY_SCHEMA);
        goto fail;
    }
    if (ver == TC_REGISTRY_SCHEMA) {
        res = tc_registry_exec(r, "COMMIT");
        return res;
    }
    if (ver != 0 || n_objects != 0) {
        res = TC_ERR(-EPROTO, "%s: registry schema version %lld is not supported", r->path,
                     (long long)ver);
        goto fail;
    }
    if (r->readonly) {
        res = TC_ERR(-ENOENT, "%s: empty database, no registry yet (tickcast model register "
                     "creates it)", r->path);
        goto fail;
    }
    char pragmas[96];
    snprintf(pragmas, sizeof pragmas, "PRAGMA application_id = %d; PRAGMA user_version = %d;",
             TC_REGISTRY_APP_ID, TC_REGISTRY_SCHEMA);
    if ((res = tc_registry_exec(r, schema_v1)) < 0 || (res = tc_registry_exec(r, pragmas)) < 0 ||
        (res = tc_registry_exec(r, "COMMIT")) < 0)
        goto fail;
    return 0;
fail:
    sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return res;
}

/* mkdir -p of the directory part of path. */
static int mkdir_parents(const char *path)
{
    char buf[TC_REGISTRY_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    char *slash = strrchr(buf, '/');
    if (!slash || slash == buf)
        return 0;
    *slash = '\0';
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return TC_ERR(-errno, "%s: creating directory %s: %s", path, buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) < 0 && errno != EEXIST)
        return TC_ERR(-errno, "%s: creating directory %s: %s", path, buf, strerror(errno));
    return 0;
}

static void default_actor(char *buf, size_t cap)
{
    struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name)
        snprintf(buf, cap, "%s", pw->pw_name);
    else
        snprintf(buf, cap, "uid %u", (unsigned)geteuid());
}

int tc_registry_open(tc_registry_t **ret, const char *db_path, int flags)
{
    tc_registry_t *r = NULL;
    int res;
    if (!db_path || !db_path[0])
        return TC_ERR(-EINVAL, "registry: empty database path");
    if (strlen(db_path) >= TC_REGISTRY_PATH_MAX)
        return TC_ERR(-ENAMETOOLONG, "registry path longer than %d characters",
                      TC_REGISTRY_PATH_MAX - 1);
    int readonly = (flags & TC_REGISTRY_READONLY) != 0;
    struct stat sb;
    if (stat(db_path, &sb) < 0) {
        if (errno != ENOENT || readonly)
            return TC_ERR(-errno, "%s: %s%s", db_path, strerror(errno),
                          errno == ENOENT ? " (no registry here yet)" : "");
        if ((res = mkdir_parents(db_path)) < 0)
            return res;
    } else if (!S_ISREG(sb.st_mode)) {
        return TC_ERR(-EINVAL, "%s: not a regular file", db_path);
    }
    if (!(r = calloc(1, sizeof *r)))
        return TC_ERR(-ENOMEM, "out of memory for a registry handle");
    snprintf(r->path, sizeof r->path, "%s", db_path);
    r->readonly = readonly;
    default_actor(r->actor, sizeof r->actor);

    /* The directory, canonical, for resolving the versions' relative paths. */
    char dir[TC_REGISTRY_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", db_path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    char canon[PATH_MAX];
    if (!realpath(dir, canon)) {
        res = TC_ERR(-errno, "%s: directory %s: %s", db_path, dir, strerror(errno));
        goto fail;
    }
    snprintf(r->dir, sizeof r->dir, "%s", strcmp(canon, "/") == 0 ? "" : canon);

    int oflags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(db_path, &r->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        res = tc_registry_db_err(r, rc, "opening");
        goto fail;
    }
    sqlite3_extended_result_codes(r->db, 1);
    /* Readers wait out a writer's brief exclusive moments (WAL recovery, checkpoint);
     * writers queue behind each other rather than fail. */
    sqlite3_busy_timeout(r->db, 5000);
    if ((res = tc_registry_exec(r, "PRAGMA foreign_keys = ON")) < 0)
        goto fail;
    if (!readonly) {
        /* WAL is persistent in the file; setting it on every writable open also converts
         * a database created by hand.  synchronous=FULL: a registration acknowledged is on
         * disk even after a power cut (writes are rare; the cost is nothing). */
        int64_t dummy;
        if ((res = query_int(r, "PRAGMA application_id", &dummy)) < 0)
            goto fail; /* a file that is not SQLite fails here with a clear message */
        sqlite3_stmt *st = NULL;
        if ((res = tc_registry_prepare(r, &st, "PRAGMA journal_mode = WAL")) < 0)
            goto fail;
        rc = sqlite3_step(st);
        const char *mode = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        int wal = mode && strcmp(mode, "wal") == 0;
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) {
            res = tc_registry_db_err(r, rc, "setting WAL mode");
            goto fail;
        }
        if (!wal) {
            res = TC_ERR(-EIO, "%s: the database refused WAL mode", db_path);
            goto fail;
        }
        if ((res = tc_registry_exec(r, "PRAGMA synchronous = FULL")) < 0)
            goto fail;
    }
    if ((res = schema_check(r)) < 0)
        goto fail;
    if ((res = tc_registry_prepare(r, &r->data_version, "PRAGMA data_version")) < 0)
        goto fail;
    r->last_data_version = -1;
    r->last_total_changes = sqlite3_total_changes64(r->db);
    if ((res = tc_registry_changed(r)) < 0) /* the baseline: "since open" */
        goto fail;
    *ret = r;
    return 0;
fail:
    tc_registry_close(r);
    return res;
}

void tc_registry_close(tc_registry_t *r)
{
    if (!r)
        return;
    sqlite3_finalize(r->data_version);
    sqlite3_close(r->db);
    free(r);
}

void tc_registry_actor_set(tc_registry_t *r, const char *actor)
{
    snprintf(r->actor, sizeof r->actor, "%s", actor && actor[0] ? actor : "unknown");
}

void tc_registry_hook_set(tc_registry_t *r, void (*fn)(void *ctx, int step), void *ctx)
{
    r->hook = fn;
    r->hook_ctx = ctx;
}

/* ---- reads -------------------------------------------------------------------------- */

int tc_registry_changed(tc_registry_t *r)
{
    /* data_version moves only for other connections' commits; this connection's own are
     * seen through total_changes. */
    int rc = sqlite3_step(r->data_version);
    int64_t dv = rc == SQLITE_ROW ? sqlite3_column_int64(r->data_version, 0) : 0;
    sqlite3_reset(r->data_version);
    if (rc != SQLITE_ROW)
        return tc_registry_db_err(r, rc, "PRAGMA data_version");
    int64_t tc = sqlite3_total_changes64(r->db);
    int changed = r->last_data_version >= 0 &&
                  (dv != r->last_data_version || tc != r->last_total_changes);
    r->last_data_version = dv;
    r->last_total_changes = tc;
    return changed;
}

#define VERSION_COLS "m.name, v.version, v.path, v.sha256, v.created_ns, v.parent"

/* Steps st once: a row fills out, no row is -ENOENT with what_missing. */
static int one_version(tc_registry_t *r, sqlite3_stmt *st, tc_registry_version_t *out,
                       const char *what)
{
    int rc = sqlite3_step(st), res;
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(st, 1) == SQLITE_NULL)
            res = -ENOENT; /* the caller names it */
        else
            res = tc_registry_row_version(r, st, 0, out);
    } else if (rc == SQLITE_DONE) {
        res = -ENOENT;
    } else {
        res = tc_registry_db_err(r, rc, what);
    }
    sqlite3_finalize(st);
    return res;
}

/* Distinguishes "no such model" from "alias or version not there" in -ENOENT messages. */
static int enoent(tc_registry_t *r, const char *model, const char *what)
{
    int64_t id;
    int res = tc_registry_model_id(r, model, &id);
    if (res < 0)
        return res;
    return TC_ERR(-ENOENT, "%s: model \"%s\": %s", r->path, model, what);
}

int tc_registry_resolve(tc_registry_t *r, const char *model, const char *alias,
                        tc_registry_version_t *out)
{
    sqlite3_stmt *st = NULL;
    int res = tc_registry_prepare(r, &st,
        "SELECT " VERSION_COLS " FROM aliases a JOIN models m ON m.id = a.model_id"
        " JOIN versions v ON v.model_id = a.model_id AND v.version = a.version"
        " WHERE m.name = ?1 AND a.alias = ?2");
    if (res < 0)
        return res;
    sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, alias, -1, SQLITE_STATIC);
    res = one_version(r, st, out, "resolving an alias");
    if (res == -ENOENT) {
        char what[128];
        snprintf(what, sizeof what, "alias \"%s\" is not set", alias);
        return enoent(r, model, what);
    }
    return res;
}

int tc_registry_resolve_at(tc_registry_t *r, const char *model, const char *alias,
                           int64_t at_ns, tc_registry_version_t *out)
{
    sqlite3_stmt *st = NULL;
    /* One statement, so one snapshot: the history row and the version it names agree. */
    int res = tc_registry_prepare(r, &st,
        "SELECT " VERSION_COLS " FROM alias_history h JOIN models m ON m.id = h.model_id"
        " LEFT JOIN versions v ON v.model_id = h.model_id AND v.version = h.version"
        " WHERE m.name = ?1 AND h.alias = ?2 AND h.at_ns <= ?3"
        " ORDER BY h.at_ns DESC, h.id DESC LIMIT 1");
    if (res < 0)
        return res;
    sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, alias, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, at_ns);
    res = one_version(r, st, out, "resolving an alias at a time");
    if (res == -ENOENT) {
        char t[32];
        tc_registry_time_format(at_ns, t);
        char what[160];
        snprintf(what, sizeof what, "alias \"%s\" was not set at %s", alias, t);
        return enoent(r, model, what);
    }
    return res;
}

int tc_registry_version_get(tc_registry_t *r, const char *model, int version,
                            tc_registry_version_t *out)
{
    sqlite3_stmt *st = NULL;
    int res = tc_registry_prepare(r, &st,
        "SELECT " VERSION_COLS " FROM versions v JOIN models m ON m.id = v.model_id"
        " WHERE m.name = ?1 AND v.version = ?2");
    if (res < 0)
        return res;
    sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, version);
    res = one_version(r, st, out, "reading a version");
    if (res == -ENOENT) {
        char what[64];
        snprintf(what, sizeof what, "no version %d", version);
        return enoent(r, model, what);
    }
    return res;
}

int tc_registry_latest(tc_registry_t *r, const char *model, tc_registry_version_t *out)
{
    sqlite3_stmt *st = NULL;
    int res = tc_registry_prepare(r, &st,
        "SELECT " VERSION_COLS " FROM versions v JOIN models m ON m.id = v.model_id"
        " WHERE m.name = ?1 ORDER BY v.version DESC LIMIT 1");
    if (res < 0)
        return res;
    sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
    res = one_version(r, st, out, "reading the latest version");
    if (res == -ENOENT)
        return enoent(r, model, "no versions");
    return res;
}

int tc_registry_model_only(tc_registry_t *r, char name[TC_REGISTRY_NAME_MAX])
{
    sqlite3_stmt *st = NULL;
    int res = tc_registry_prepare(r, &st, "SELECT name FROM models ORDER BY name LIMIT 4");
    if (res < 0)
        return res;
    char names[4][TC_REGISTRY_NAME_MAX];
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        snprintf(names[n++], TC_REGISTRY_NAME_MAX, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return tc_registry_db_err(r, rc, "listing models");
    if (n == 0)
        return TC_ERR(-ENOENT, "%s: no models registered", r->path);
    if (n > 1)
        return TC_ERR(-EINVAL, "%s: several models (%s, %s%s): name one", r->path, names[0],
                      names[1], n > 2 ? ", ..." : "");
    memcpy(name, names[0], TC_REGISTRY_NAME_MAX);
    return 0;
}

int tc_registry_versions_each(tc_registry_t *r, const char *model,
                              int (*fn)(const tc_registry_version_info_t *vi, void *ctx),
                              void *ctx)
{
    if (model) {
        int64_t id;
        int res = tc_registry_model_id(r, model, &id);
        if (res < 0)
            return res;
    }
    sqlite3_stmt *st = NULL;
    int res = tc_registry_prepare(r, &st,
        "SELECT " VERSION_COLS ", v.size, v.cell, v.train_range, v.train_start_ns,"
        " v.train_end_ns, v.train_files, v.hyperparams, v.metrics, v.features,"
        " (SELECT group_concat(alias, ',') FROM (SELECT alias FROM aliases a"
        "   WHERE a.model_id = v.model_id AND a.version = v.version ORDER BY alias))"
        " FROM versions v JOIN models m ON m.id = v.model_id"
        " WHERE ?1 IS NULL OR m.name = ?1 ORDER BY m.name, v.version");
    if (res < 0)
        return res;
    if (model)
        sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        tc_registry_version_info_t vi;
        memset(&vi, 0, sizeof vi);
        if ((res = tc_registry_row_version(r, st, 0, &vi.v)) < 0)
            break;
        vi.rel_path = (const char *)sqlite3_column_text(st, 2);
        vi.size = sqlite3_column_int64(st, 6);
        vi.cell = (const char *)sqlite3_column_text(st, 7);
        vi.train_range = (const char *)sqlite3_column_text(st, 8);
        vi.train_start_ns = sqlite3_column_int64(st, 9);
        vi.train_end_ns = sqlite3_column_int64(st, 10);
        vi.train_files = (const char *)sqlite3_column_text(st, 11);
        vi.hyperparams = (const char *)sqlite3_column_text(st, 12);
        vi.metrics = (const char *)sqlite3_column_text(st, 13);
        vi.features = (const char *)sqlite3_column_text(st, 14);
        vi.aliases = (const char *)sqlite3_column_text(st, 15);
        if (!vi.aliases)
            vi.aliases = "";
        if ((res = fn(&vi, ctx)) != 0)
            break;
    }
    if (res == 0 && rc != SQLITE_DONE)
        res = tc_registry_db_err(r, rc, "listing versions");
    sqlite3_finalize(st);
    return res;
}

int tc_registry_history_each(tc_registry_t *r, const char *model, const char *alias,
                             int (*fn)(const tc_registry_event_t *ev, void *ctx), void *ctx)
{
    if (model) {
        int64_t id;
        int res = tc_registry_model_id(r, model, &id);
        if (res < 0)
            return res;
    }
    sqlite3_stmt *st = NULL;
    int res = tc_registry_prepare(r, &st,
        "SELECT h.id, m.name, h.alias, h.version, h.at_ns, h.actor, h.reason,"
        " (SELECT p.version FROM alias_history p WHERE p.model_id = h.model_id"
        "   AND p.alias = h.alias AND p.id < h.id ORDER BY p.id DESC LIMIT 1)"
        " FROM alias_history h JOIN models m ON m.id = h.model_id"
        " WHERE (?1 IS NULL OR m.name = ?1) AND (?2 IS NULL OR h.alias = ?2)"
        " ORDER BY h.id");
    if (res < 0)
        return res;
    if (model)
        sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
    if (alias)
        sqlite3_bind_text(st, 2, alias, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        tc_registry_event_t ev = {
            .id = sqlite3_column_int64(st, 0),
            .model = (const char *)sqlite3_column_text(st, 1),
            .alias = (const char *)sqlite3_column_text(st, 2),
            .version = sqlite3_column_int(st, 3),
            .at_ns = sqlite3_column_int64(st, 4),
            .actor = (const char *)sqlite3_column_text(st, 5),
            .reason = (const char *)sqlite3_column_text(st, 6),
            .previous = sqlite3_column_int(st, 7),
        };
        if (!ev.reason)
            ev.reason = "";
        if ((res = fn(&ev, ctx)) != 0)
            break;
    }
    if (res == 0 && rc != SQLITE_DONE)
        res = tc_registry_db_err(r, rc, "reading alias history");
    sqlite3_finalize(st);
    return res;
}

/* ---- files and times ---------------------------------------------------------------- */

int tc_registry_file_sha256(const char *path, char out[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return TC_ERR(-errno, "%s: %s", path, strerror(errno));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int res = 0;
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        res = TC_ERR(-ENOMEM, "%s: cannot start a SHA-256 digest", path);
        goto out;
    }
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        EVP_DigestUpdate(md, buf, n);
    if (ferror(f)) {
        res = TC_ERR(-EIO, "%s: read error while hashing", path);
        goto out;
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    EVP_DigestFinal_ex(md, d, &dl);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
out:
    EVP_MD_CTX_free(md);
    fclose(f);
    return res;
}

int tc_registry_verify(const tc_registry_version_t *v)
{
    char sha[65];
    int res = tc_registry_file_sha256(v->path, sha);
    if (res < 0)
        return TC_ERR_APPEND(res, "%s:%d", v->model, v->version);
    if (strcmp(sha, v->sha256) != 0)
        return TC_ERR(-EBADMSG, "%s:%d: %s changed since it was registered (sha256 %.12s..., "
                      "registered %.12s...)", v->model, v->version, v->path, sha, v->sha256);
    return 0;
}

int tc_registry_time_parse(const char *s, int64_t *ret_ns)
{
    if (!s || !*s)
        return TC_ERR(-EINVAL, "empty time");
    char *end;
    errno = 0;
    long long ns = strtoll(s, &end, 10);
    if (*end == '\0' && errno == 0) {
        *ret_ns = ns;
        return 0;
    }
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
        goto bad;
    const char *p = s + 10;
    int64_t frac = 0;
    if (*p == 'T' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
            goto bad;
        p += 1 + m;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &sec, &m) != 1 || m != 2)
                goto bad;
            p += 1 + m;
            if (*p == '.') {
                int digits = 0;
                for (p++; *p >= '0' && *p <= '9'; p++, digits++)
                    if (digits < 9)
                        frac = frac * 10 + (*p - '0');
                if (digits == 0)
                    goto bad;
                for (; digits < 9; digits++)
                    frac *= 10;
            }
        }
    }
    if (*p == 'Z')
        p++;
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
        y < 1700 || y > 2250)
        goto bad;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    time_t t = timegm(&tm);
    if (tm.tm_mday != d) /* timegm normalised an impossible date such as 02-30 */
        goto bad;
    *ret_ns = (int64_t)t * 1000000000LL + frac;
    return 0;
bad:
    return TC_ERR(-EINVAL, "time \"%s\": expected ns since the epoch or ISO 8601 UTC "
                  "(2024-03-28T14:30:00Z)", s);
}

void tc_registry_time_format(int64_t ns, char buf[32])
{
    int64_t sec = ns >= 0 ? ns / 1000000000LL : -((-ns + 999999999LL) / 1000000000LL);
    long frac = (long)(ns - sec * 1000000000LL);
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}
