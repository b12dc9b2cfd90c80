/* cmd_model_registry.c — the registry half of `tickcast model` (cmd_model.c calls
 * tc_cli_model_registry; this file registers no command of its own):
 *
 *   register FILE [--name NAME] [--parent N]    a model file as the next version
 *   list [NAME]                                 versions, lineage, metrics, aliases
 *   show [NAME][:VERSION|@ALIAS]                one version in full (default: latest)
 *   promote [NAME] VERSION [--alias A] [--reason TEXT]
 *   rollback [NAME] [--alias A] [--reason TEXT]
 *   history [NAME] [--alias A] [--at TIME]      alias changes, or what was live at TIME
 *
 * Every subcommand takes --registry PATH (default: the config's infer.registry under
 * state_dir; with no config, models/registry.db in the current directory), --config
 * FILE and --json.  NAME may be left out when the registry holds exactly one model.
 * The work is infer/registry.c's; this file parses, picks the model and prints.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/runtime/config.h"
#include "daemon/runtime/err.h"
#include "infer/json.h"
#include "infer/registry.h"

int tc_cli_model_registry(int argc, char **argv);

typedef struct opts {
    const char *sub, *registry, *config, *name, *alias, *reason, *at;
    int parent, json;
    char *pos[4];
    int n_pos;
    char db[TC_CONFIG_PATH_MAX * 2];
    char default_alias[TC_CONFIG_NAME_MAX];
} opts_t;

/* Prints s as a JSON string (any length). */
static void json_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    size_t cap = 6 * strlen(s) + 3, len = 0;
    char *buf = malloc(cap);
    if (buf && tc_json_quote(buf, cap, &len, s) == 0)
        fputs(buf, f);
    else
        fputs("null", f);
    free(buf);
}

/* n, or null for 0 ("none"). */
static void json_int0(FILE *f, int n)
{
    if (n)
        fprintf(f, "%d", n);
    else
        fputs("null", f);
}

/* Stored JSON columns are validated on the way in; NULL prints as null. */
static void json_raw(FILE *f, const char *s)
{
    fputs(s && s[0] ? s : "null", f);
}

static int parse_int(const char *s, const char *what, int min, int *ret)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!s[0] || *end || errno || v < min || v > 1000000000L)
        return TC_ERR(-EINVAL, "%s \"%s\": expected an integer of at least %d", what, s, min);
    *ret = (int)v;
    return 0;
}

/* The registry path and the default alias from --registry / the config. */
static int locate(opts_t *o)
{
    tc_config_t cfg;
    int res = tc_config_load(&cfg, o->config);
    if (res < 0)
        return res;
    snprintf(o->default_alias, sizeof o->default_alias, "%s", cfg.infer.model_alias);
    if (o->registry) {
        snprintf(o->db, sizeof o->db, "%s", o->registry);
        return 0;
    }
    res = tc_config_path_resolve(&cfg, cfg.infer.registry, o->db, sizeof o->db);
    return res < 0 ? res : 0;
}

/* The model the user means: named, or the only one in the registry. */
static int pick_model(tc_registry_t *r, const char *named, char out[TC_REGISTRY_NAME_MAX])
{
    if (named && named[0]) {
        snprintf(out, TC_REGISTRY_NAME_MAX, "%s", named);
        return tc_registry_name_check(named, "model name");
    }
    return tc_registry_model_only(r, out);
}

/* ---- printing one version ------------------------------------------------------------ */

static void print_aliases_json(FILE *f, const char *list)
{
    fputc('[', f);
    const char *p = list;
    int first = 1;
    while (*p) {
        size_t n = strcspn(p, ",");
        char a[TC_REGISTRY_NAME_MAX];
        snprintf(a, sizeof a, "%.*s", (int)(n < sizeof a ? n : sizeof a - 1), p);
        if (!first)
            fputc(',', f);
        json_str(f, a);
        first = 0;
        p += n + (p[n] == ',');
    }
    fputc(']', f);
}

static void version_json(FILE *f, const tc_registry_version_info_t *vi)
{
    char t[32];
    tc_registry_time_format(vi->v.created_ns, t);
    fputs("{\"model\":", f);
    json_str(f, vi->v.model);
    fprintf(f, ",\"version\":%d,\"path\":", vi->v.version);
    json_str(f, vi->v.path);
    fputs(",\"file\":", f);
    json_str(f, vi->rel_path);
    fprintf(f, ",\"sha256\":\"%s\",\"size\":%lld,\"created_ns\":%lld,\"created\":\"%s\",",
            vi->v.sha256, (long long)vi->size, (long long)vi->v.created_ns, t);
    if (vi->v.parent)
        fprintf(f, "\"parent\":%d,", vi->v.parent);
    else
        fputs("\"parent\":null,", f);
    fputs("\"cell\":", f);
    json_str(f, vi->cell);
    fputs(",\"train_range\":", f);
    json_str(f, vi->train_range);
    if (vi->train_start_ns || vi->train_end_ns)
        fprintf(f, ",\"train_start_ns\":%lld,\"train_end_ns\":%lld", (long long)vi->train_start_ns,
                (long long)vi->train_end_ns);
    fputs(",\"train_files\":", f);
    json_raw(f, vi->train_files);
    fputs(",\"hyperparams\":", f);
    json_raw(f, vi->hyperparams);
    fputs(",\"metrics\":", f);
    json_raw(f, vi->metrics);
    fputs(",\"features\":", f);
    json_raw(f, vi->features);
    fputs(",\"aliases\":", f);
    print_aliases_json(f, vi->aliases);
    fputc('}', f);
}

static void version_text(FILE *f, const tc_registry_version_info_t *vi)
{
    char t[32];
    tc_registry_time_format(vi->v.created_ns, t);
    fprintf(f, "%s:%d%s%s\n", vi->v.model, vi->v.version, vi->aliases[0] ? "  @" : "",
            vi->aliases);
    fprintf(f, "  file         %s\n", vi->v.path);
    fprintf(f, "  sha256       %s\n", vi->v.sha256);
    fprintf(f, "  size         %lld bytes\n", (long long)vi->size);
    fprintf(f, "  created      %s\n", t);
    if (vi->v.parent)
        fprintf(f, "  parent       %s:%d\n", vi->v.model, vi->v.parent);
    else
        fprintf(f, "  parent       none\n");
    fprintf(f, "  train range  %s\n", vi->train_range ? vi->train_range : "-");
    fprintf(f, "  hyperparams  %s\n", vi->hyperparams);
    fprintf(f, "  metrics      %s\n", vi->metrics ? vi->metrics : "-");
    fprintf(f, "  features     %s\n", vi->features ? vi->features : "-");
    if (vi->train_files)
        fprintf(f, "  train files  %s\n", vi->train_files);
}

/* ---- list / show ------------------------------------------------------------------- */

typedef struct list_ctx {
    const opts_t *o;
    int n, want_version;
    int found;
} list_ctx_t;

static int on_list(const tc_registry_version_info_t *vi, void *ctx)
{
    list_ctx_t *c = ctx;
    if (c->o->json) {
        fputs(c->n ? ",\n" : "\n", stdout);
        version_json(stdout, vi);
    } else {
        char t[32];
        tc_registry_time_format(vi->v.created_ns, t);
        t[19] = '\0'; /* seconds are enough in a table */
        char parent[16] = "-";
        if (vi->v.parent)
            snprintf(parent, sizeof parent, "%d", vi->v.parent);
        printf("%-20s %4d  %-19s  %6s  %-12.12s  %-20s  %s\n", vi->v.model, vi->v.version, t,
               parent, vi->v.sha256, vi->aliases[0] ? vi->aliases : "-",
               vi->metrics ? vi->metrics : "-");
    }
    c->n++;
    return 0;
}

static int cmd_list(tc_registry_t *r, const opts_t *o)
{
    const char *model = o->n_pos ? o->pos[0] : NULL;
    list_ctx_t c = {.o = o};
    if (o->json) {
        fputs("{\"registry\":", stdout);
        json_str(stdout, o->db);
        fputs(",\"versions\":[", stdout);
    } else {
        printf("%-20s %4s  %-19s  %6s  %-12s  %-20s  %s\n", "MODEL", "VER", "CREATED (UTC)",
               "PARENT", "SHA256", "ALIASES", "METRICS");
    }
    int res = tc_registry_versions_each(r, model, on_list, &c);
    if (res < 0)
        return res;
    if (o->json)
        fputs(c.n ? "\n]}\n" : "]}\n", stdout);
    return 0;
}

static int on_show(const tc_registry_version_info_t *vi, void *ctx)
{
    list_ctx_t *c = ctx;
    if (vi->v.version != c->want_version)
        return 0;
    if (c->o->json) {
        version_json(stdout, vi);
        fputc('\n', stdout);
    } else {
        version_text(stdout, vi);
    }
    c->found = 1;
    return 1;
}

static int cmd_show(tc_registry_t *r, const opts_t *o)
{
    if (o->n_pos > 1)
        return TC_ERR(-EINVAL, "show takes one NAME[:VERSION|@ALIAS], got %d arguments", o->n_pos);
    char spec[256], model[TC_REGISTRY_NAME_MAX];
    snprintf(spec, sizeof spec, "%s", o->n_pos ? o->pos[0] : "");
    char *colon = strchr(spec, ':'), *at = strchr(spec, '@');
    if (colon && at)
        return TC_ERR(-EINVAL, "\"%s\": give :VERSION or @ALIAS, not both", spec);
    char *sel = colon ? colon : at;
    if (sel)
        *sel++ = '\0';
    int res = pick_model(r, spec, model);
    if (res < 0)
        return res;
    tc_registry_version_t v;
    if (colon) {
        int n;
        if ((res = parse_int(sel, "version", 1, &n)) < 0)
            return res;
        res = tc_registry_version_get(r, model, n, &v);
    } else if (at) {
        res = tc_registry_resolve(r, model, sel, &v);
    } else {
        res = tc_registry_latest(r, model, &v);
    }
    if (res < 0)
        return res;
    list_ctx_t c = {.o = o, .want_version = v.version};
    if ((res = tc_registry_versions_each(r, model, on_show, &c)) < 0)
        return res;
    if (!c.found) /* it vanished between the two reads: impossible, versions are immutable */
        return TC_ERR(-EIO, "%s:%d: listed but not readable", model, v.version);
    return 0;
}

/* ---- register / promote / rollback ---------------------------------------------------- */

static int cmd_register(tc_registry_t *r, const opts_t *o)
{
    if (o->n_pos != 1)
        return TC_ERR(-EINVAL, "register takes one FILE (then --name NAME [--parent N])");
    char model[TC_REGISTRY_NAME_MAX];
    int res = o->name ? pick_model(r, o->name, model) : tc_registry_model_only(r, model);
    if (res < 0)
        return o->name ? res : TC_ERR_APPEND(res, "register needs --name NAME");
    int v;
    if ((res = tc_registry_register(r, model, o->pos[0], o->parent, &v)) < 0)
        return res;
    list_ctx_t c = {.o = o, .want_version = v};
    if (o->json) {
        res = tc_registry_versions_each(r, model, on_show, &c);
        return res < 0 ? res : 0;
    }
    tc_registry_version_t x;
    if ((res = tc_registry_version_get(r, model, v, &x)) < 0)
        return res;
    printf("registered %s:%d  %s  sha256 %s\n", model, v, x.path, x.sha256);
    return 0;
}

/* Prints an alias move: "model@alias: v2 -> v3". */
static void print_move(const opts_t *o, const char *model, const char *alias, int from, int to)
{
    if (o->json) {
        fputs("{\"model\":", stdout);
        json_str(stdout, model);
        fputs(",\"alias\":", stdout);
        json_str(stdout, alias);
        printf(",\"version\":");
        json_int0(stdout, to);
        printf(",\"previous\":");
        json_int0(stdout, from);
        printf("}\n");
    } else {
        char a[16] = "unset", b[16] = "unset";
        if (from)
            snprintf(a, sizeof a, "v%d", from);
        if (to)
            snprintf(b, sizeof b, "v%d", to);
        printf("%s@%s: %s -> %s\n", model, alias, a, b);
    }
}

static int current(tc_registry_t *r, const char *model, const char *alias, int *ret)
{
    tc_registry_version_t v;
    int res = tc_registry_resolve(r, model, alias, &v);
    *ret = res == 0 ? v.version : 0;
    if (res == -ENOENT) {
        tc_err_clear();
        return 0;
    }
    return res;
}

static int cmd_promote(tc_registry_t *r, const opts_t *o)
{
    if (o->n_pos < 1 || o->n_pos > 2)
        return TC_ERR(-EINVAL, "promote takes [NAME] VERSION");
    char model[TC_REGISTRY_NAME_MAX];
    int res = pick_model(r, o->n_pos == 2 ? o->pos[0] : NULL, model), v, before;
    const char *alias = o->alias ? o->alias : o->default_alias;
    if (res < 0 || (res = parse_int(o->pos[o->n_pos - 1], "version", 1, &v)) < 0 ||
        (res = current(r, model, alias, &before)) < 0 ||
        (res = tc_registry_promote(r, model, alias, v, o->reason)) < 0)
        return res;
    print_move(o, model, alias, before, v);
    return 0;
}

static int cmd_rollback(tc_registry_t *r, const opts_t *o)
{
    if (o->n_pos > 1)
        return TC_ERR(-EINVAL, "rollback takes [NAME]");
    char model[TC_REGISTRY_NAME_MAX];
    int res = pick_model(r, o->n_pos ? o->pos[0] : NULL, model), v, before;
    const char *alias = o->alias ? o->alias : o->default_alias;
    if (res < 0 || (res = current(r, model, alias, &before)) < 0 ||
        (res = tc_registry_rollback(r, model, alias, o->reason, &v)) < 0)
        return res;
    print_move(o, model, alias, before, v);
    return 0;
}

/* ---- history ------------------------------------------------------------------------ */

typedef struct hist_ctx {
    const opts_t *o;
    int n;
    char aliases[32][TC_REGISTRY_NAME_MAX];
    int n_aliases;
} hist_ctx_t;

static int on_history(const tc_registry_event_t *ev, void *ctx)
{
    hist_ctx_t *c = ctx;
    char t[32];
    tc_registry_time_format(ev->at_ns, t);
    if (c->o->json) {
        fputs(c->n ? ",\n" : "\n", stdout);
        fprintf(stdout, "{\"at_ns\":%lld,\"at\":\"%s\",\"alias\":", (long long)ev->at_ns, t);
        json_str(stdout, ev->alias);
        printf(",\"version\":");
        json_int0(stdout, ev->version);
        printf(",\"previous\":");
        json_int0(stdout, ev->previous);
        fputs(",\"actor\":", stdout);
        json_str(stdout, ev->actor);
        fputs(",\"reason\":", stdout);
        json_str(stdout, ev->reason);
        fputc('}', stdout);
    } else {
        char a[16] = "unset", b[16] = "unset";
        if (ev->previous)
            snprintf(a, sizeof a, "v%d", ev->previous);
        if (ev->version)
            snprintf(b, sizeof b, "v%d", ev->version);
        printf("%s  %-12s %6s -> %-6s  %-12s %s\n", t, ev->alias, a, b, ev->actor, ev->reason);
    }
    c->n++;
    return 0;
}

/* Collects the distinct aliases in history (for --at without --alias). */
static int on_alias(const tc_registry_event_t *ev, void *ctx)
{
    hist_ctx_t *c = ctx;
    for (int i = 0; i < c->n_aliases; i++)
        if (strcmp(c->aliases[i], ev->alias) == 0)
            return 0;
    if (c->n_aliases == 32)
        return TC_ERR(-E2BIG, "more than 32 aliases: name one with --alias");
    snprintf(c->aliases[c->n_aliases++], TC_REGISTRY_NAME_MAX, "%s", ev->alias);
    return 0;
}

static int history_at(tc_registry_t *r, const opts_t *o, const char *model)
{
    int64_t at;
    int res = tc_registry_time_parse(o->at, &at);
    if (res < 0)
        return res;
    hist_ctx_t *c = calloc(1, sizeof *c);
    if (!c)
        return TC_ERR(-ENOMEM, "out of memory");
    if (o->alias)
        snprintf(c->aliases[c->n_aliases++], TC_REGISTRY_NAME_MAX, "%s", o->alias);
    else if ((res = tc_registry_history_each(r, model, NULL, on_alias, c)) < 0)
        goto out;
    char t[32];
    tc_registry_time_format(at, t);
    if (o->json) {
        fputs("{\"model\":", stdout);
        json_str(stdout, model);
        printf(",\"at_ns\":%lld,\"at\":\"%s\",\"aliases\":{", (long long)at, t);
    }
    for (int i = 0; i < c->n_aliases; i++) {
        tc_registry_version_t v;
        res = tc_registry_resolve_at(r, model, c->aliases[i], at, &v);
        if (res < 0 && res != -ENOENT)
            goto out;
        if (o->json) {
            if (i)
                fputc(',', stdout);
            json_str(stdout, c->aliases[i]);
            if (res == 0) {
                printf(":{\"version\":%d,\"path\":", v.version);
                json_str(stdout, v.path);
                printf(",\"sha256\":\"%s\"}", v.sha256);
            } else {
                fputs(":null", stdout);
            }
        } else if (res == 0) {
            printf("%s@%s at %s: v%d  %s\n", model, c->aliases[i], t, v.version, v.path);
        } else {
            printf("%s@%s at %s: unset\n", model, c->aliases[i], t);
        }
    }
    if (o->json)
        printf("}}\n");
    res = 0;
    tc_err_clear();
out:
    free(c);
    return res;
}

static int cmd_history(tc_registry_t *r, const opts_t *o)
{
    if (o->n_pos > 1)
        return TC_ERR(-EINVAL, "history takes [NAME]");
    char model[TC_REGISTRY_NAME_MAX];
    int res = pick_model(r, o->n_pos ? o->pos[0] : NULL, model);
    if (res < 0)
        return res;
    if (o->alias && (res = tc_registry_name_check(o->alias, "alias")) < 0)
        return res;
    if (o->at)
        return history_at(r, o, model);
    hist_ctx_t c = {.o = o};
    if (o->json) {
        fputs("{\"model\":", stdout);
        json_str(stdout, model);
        fputs(",\"history\":[", stdout);
    }
    if ((res = tc_registry_history_each(r, model, o->alias, on_history, &c)) < 0)
        return res;
    if (o->json)
        fputs(c.n ? "\n]}\n" : "]}\n", stdout);
    else if (c.n == 0)
        printf("%s: no alias changes%s%s\n", model, o->alias ? " for " : "", o->alias ? o->alias : "");
    return 0;
}

/* ---- entry ----------------------------------------------------------------------------- */

static const struct {
    const char *name;
    int writes;
    int (*fn)(tc_registry_t *r, const opts_t *o);
} subs[] = {
    {"register", 1, cmd_register}, {"list", 0, cmd_list},         {"show", 0, cmd_show},
    {"promote", 1, cmd_promote},   {"rollback", 1, cmd_rollback}, {"history", 0, cmd_history},
};

/* Runs `tickcast model SUB ...` for the registry subcommands; argv[0] is SUB.  Returns
 * 0, -ENOENT when SUB is not one of them (nothing done), or -errno with the reason on
 * the error stack. */
int tc_cli_model_registry(int argc, char **argv)
{
    int which = -1;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[0], subs[i].name) == 0)
            which = (int)i;
    if (which < 0)
        return -ENOENT;
    opts_t *o = calloc(1, sizeof *o);
    if (!o)
        return TC_ERR(-ENOMEM, "out of memory");
    o->sub = argv[0];
    static const struct option lo[] = {
        {"registry", required_argument, NULL, 'R'}, {"config", required_argument, NULL, 'c'},
        {"name", required_argument, NULL, 'n'},     {"parent", required_argument, NULL, 'p'},
        {"alias", required_argument, NULL, 'a'},    {"reason", required_argument, NULL, 'r'},
        {"at", required_argument, NULL, 't'},       {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    int res = 0, opt;
    optind = 0; /* glibc: a full re-initialisation, argv[0] is the subcommand */
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "c:", lo, NULL)) != -1) {
        switch (opt) {
        case 'R': o->registry = optarg; break;
        case 'c': o->config = optarg; break;
        case 'n': o->name = optarg; break;
        case 'p': res = parse_int(optarg, "--parent", 1, &o->parent); break;
        case 'a': o->alias = optarg; break;
        case 'r': o->reason = optarg; break;
        case 't': o->at = optarg; break;
        case 'j': o->json = 1; break;
        default:
            res = TC_ERR(-EINVAL, "model %s: unknown or incomplete option '%s'", o->sub,
                         argv[optind - 1]);
        }
        if (res < 0)
            goto out;
    }
    for (int i = optind; i < argc; i++) {
        if (o->n_pos == 4) {
            res = TC_ERR(-EINVAL, "model %s: unexpected argument '%s'", o->sub, argv[i]);
            goto out;
        }
        o->pos[o->n_pos++] = argv[i];
    }
    if ((o->name || o->parent) && strcmp(o->sub, "register") != 0) {
        res = TC_ERR(-EINVAL, "model %s: --name and --parent go with register", o->sub);
        goto out;
    }
    if (o->at && strcmp(o->sub, "history") != 0) {
        res = TC_ERR(-EINVAL, "model %s: --at goes with history", o->sub);
        goto out;
    }
    struct stat sb;
    if (strcmp(o->sub, "register") == 0 && o->n_pos == 1 && stat(o->pos[0], &sb) < 0) {
        /* before opening: a mistyped file name must not create an empty registry */
        res = TC_ERR(-errno, "%s: %s", o->pos[0], strerror(errno));
        goto out;
    }
    if ((res = locate(o)) < 0)
        goto out;
    tc_registry_t *r = NULL;
    if ((res = tc_registry_open(&r, o->db, subs[which].writes ? 0 : TC_REGISTRY_READONLY)) < 0)
        goto out;
    res = subs[which].fn(r, o);
    tc_registry_close(r);
    if (fflush(stdout) != 0 && res == 0)
        res = TC_ERR(-EIO, "writing stdout failed");
out:
    free(o);
    return res;
}
