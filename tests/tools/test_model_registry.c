/* test_model_registry.c — `tickcast model register|list|show|promote|rollback|history`
 * driven as a user would (build/bin/tickcast, TC_BIN_DIR): the JSON is parsed by
 * Python's json module (an independent reader) and checked against what the test knows
 * (sha256sum's hashes, the versions it registered, the alias moves it made, its own
 * clock for --at); bad input gives a non-zero exit and one line on stderr naming what
 * and where. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/runtime/clock.h"
#include "tests/infer/regfix.h"

static char dir[256], db[300], bin[512], err_path[320], file[4][320], sha[4][65];

static void setup(void)
{
    if (access("/usr/bin/python3", X_OK) != 0)
        cr_skip_test("needs /usr/bin/python3 (its json module reads the output)");
    regfix_mkdtemp(dir, sizeof dir, "cli");
    snprintf(db, sizeof db, "%s/models/registry.db", dir);
    snprintf(bin, sizeof bin, "%s/tickcast", getenv("TC_BIN_DIR") ? getenv("TC_BIN_DIR") : TC_BIN_DIR);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    char sub[300];
    snprintf(sub, sizeof sub, "%s/models", dir);
    cr_assert(mkdir(sub, 0755) == 0);
    for (int i = 0; i < 4; i++) {
        snprintf(file[i], sizeof file[i], "%s/models/m%d.safetensors", dir, i + 1);
        char metrics[64];
        snprintf(metrics, sizeof metrics, "{\"val_rmse\": 0.0%d}", 9 - i);
        regfix_model(file[i], 500u + (unsigned)i, metrics);
        regfix_sha256sum(file[i], sha[i]);
    }
}

static void teardown(void)
{
    regfix_rmdir(dir);
}

/* Runs `tickcast model ARGS --registry DB`, stdout piped to `python3 -c CHECK` when
 * check is given (else to /dev/null); returns tickcast's (or python's) exit status. */
static int tc(const char *args, const char *check)
{
    char cmd[8192];
    if (check)
        snprintf(cmd, sizeof cmd, "set -o pipefail; %s model %s --registry %s 2>%s | "
                 "/usr/bin/python3 -c '%s'", bin, args, db, err_path, check);
    else
        snprintf(cmd, sizeof cmd, "%s model %s --registry %s 2>%s >/dev/null", bin, args, db, err_path);
    /* The checks hold both kinds of quotes: run from a script file, not `sh -c`. */
    char script[400], full[500];
    snprintf(script, sizeof script, "%s/cmd.sh", dir);
    FILE *f = fopen(script, "w");
    cr_assert(f);
    fprintf(f, "%s\n", cmd);
    fclose(f);
    snprintf(full, sizeof full, "bash %s", script);
    int st = system(full);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* stderr of the last run: exactly one line, which must contain needle. */
static void expect_one_line_error(const char *needle)
{
    char buf[2048] = "";
    FILE *f = fopen(err_path, "r");
    cr_assert(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    int lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += buf[i] == '\n';
    cr_expect(lines == 1, "stderr has %d lines: %s", lines, buf);
    cr_expect(strncmp(buf, "tickcast model: ", 16) == 0, "stderr: %s", buf);
    cr_expect(strstr(buf, needle) != NULL, "stderr \"%s\" lacks \"%s\"", buf, needle);
}

Test(model_registry, register_list_show_promote_rollback_history, .init = setup, .fini = teardown)
{
    char args[1024], check[4096];
    for (int i = 0; i < 3; i++) {
        snprintf(args, sizeof args, "register %s --name churn%s%s --json", file[i], i ? " --parent " : "",
                 i == 0 ? "" : i == 1 ? "1" : "2");
        snprintf(check, sizeof check,
                 "import json,sys; d=json.load(sys.stdin); "
                 "assert d[\"model\"]==\"churn\" and d[\"version\"]==%d, d; "
                 "assert d[\"sha256\"]==\"%s\", d[\"sha256\"]; "
                 "assert d[\"path\"]==\"%s\" and d[\"file\"]==\"m%d.safetensors\", d; "
                 "assert d[\"parent\"]==%s, d[\"parent\"]; "
                 "assert d[\"metrics\"]=={\"val_rmse\": 0.0%d}, d[\"metrics\"]; "
                 "assert d[\"hyperparams\"][\"hidden\"]==5 and d[\"hyperparams\"][\"lr\"]==0.001, d; "
                 "assert d[\"features\"][1]==\"RSI(TimePeriod=14)\" and d[\"cell\"]==\"lstm\", d; "
                 "assert d[\"train_start_ns\"]==1704153600000000000 and d[\"train_end_ns\"]==1711629000000000000, d; "
                 "assert d[\"aliases\"]==[], d",
                 i + 1, sha[i], file[i], i + 1, i ? (i == 1 ? "1" : "2") : "None", 9 - i);
        cr_assert(tc(args, check) == 0, "register v%d: JSON disagrees (see above)", i + 1);
    }
    /* NAME may be left out: the registry holds one model. */
    int64_t t0 = tc_clock_real_ns();
    cr_assert(tc("promote 1 --reason first --json",
                 "import json,sys; d=json.load(sys.stdin); "
                 "assert d=={\"model\":\"churn\",\"alias\":\"production\",\"version\":1,\"previous\":None}, d") == 0);
    int64_t t1 = tc_clock_real_ns();
    cr_assert(tc("promote churn 3 --alias production --json",
                 "import json,sys; d=json.load(sys.stdin); assert d[\"version\"]==3 and d[\"previous\"]==1, d") == 0);
    cr_assert(tc("promote churn 2 --alias staging", NULL) == 0);
    int64_t t2 = tc_clock_real_ns();
    cr_assert(tc("rollback churn --reason \"bad fills\" --json",
                 "import json,sys; d=json.load(sys.stdin); assert d[\"version\"]==1 and d[\"previous\"]==3, d") == 0);
    int64_t t3 = tc_clock_real_ns();

    cr_assert(tc("list --json",
                 "import json,sys; d=json.load(sys.stdin); v=d[\"versions\"]; "
                 "assert [x[\"version\"] for x in v]==[1,2,3], v; "
                 "assert [x[\"parent\"] for x in v]==[None,1,2], v; "
                 "assert [x[\"aliases\"] for x in v]==[[\"production\"],[\"staging\"],[]], v; "
                 "assert [x[\"metrics\"][\"val_rmse\"] for x in v]==[0.09,0.08,0.07], v") == 0);
    snprintf(check, sizeof check, "import json,sys; d=json.load(sys.stdin); "
             "assert d[\"version\"]==2 and d[\"sha256\"]==\"%s\" and d[\"aliases\"]==[\"staging\"], d", sha[1]);
    cr_assert(tc("show churn@staging --json", check) == 0);
    cr_assert(tc("show :3 --json", "import json,sys; d=json.load(sys.stdin); assert d[\"version\"]==3, d") == 0);
    cr_assert(tc("show --json", "import json,sys; d=json.load(sys.stdin); assert d[\"version\"]==3, d") == 0);
    cr_assert(tc("show churn@production",
                 "import sys; t=sys.stdin.read(); assert t.startswith(\"churn:1  @production\"), t; "
                 "assert \"parent       none\" in t and \"sha256\" in t, t") == 0);

    cr_assert(tc("history churn --json",
                 "import json,sys; d=json.load(sys.stdin); h=d[\"history\"]; "
                 "r=[(x[\"alias\"],x[\"version\"],x[\"previous\"],x[\"reason\"]) for x in h]; "
                 "assert r==[(\"production\",1,None,\"first\"),(\"production\",3,1,\"\"),"
                 "(\"staging\",2,None,\"\"),(\"production\",1,3,\"rollback: bad fills\")], r; "
                 "t=[x[\"at_ns\"] for x in h]; assert t==sorted(t) and len(set(t))==4, t") == 0);
    cr_assert(tc("history --alias staging --json",
                 "import json,sys; d=json.load(sys.stdin); h=d[\"history\"]; "
                 "assert len(h)==1 and h[0][\"version\"]==2, h") == 0);
    /* What was live at the test's own clock readings between the changes. */
    const struct { int64_t t; const char *prod, *staging; } at[] = {
        {t0, "None", "None"}, {t1, "1", "None"}, {t2, "3", "2"}, {t3, "1", "2"},
    };
    for (int k = 0; k < 4; k++) {
        snprintf(args, sizeof args, "history churn --at %lld --json", (long long)at[k].t);
        snprintf(check, sizeof check, "import json,sys; d=json.load(sys.stdin); a=d[\"aliases\"]; "
                 "g=lambda n: a[n][\"version\"] if a.get(n) else None; "
                 "assert d[\"at_ns\"]==%lld, d; "
                 "assert g(\"production\")==%s and g(\"staging\")==%s, a",
                 (long long)at[k].t, at[k].prod, at[k].staging);
        cr_expect(tc(args, check) == 0, "history --at t%d disagrees", k);
    }
    cr_assert(tc("history --at 2020-01-01T00:00:00Z --alias production --json",
                 "import json,sys; d=json.load(sys.stdin); "
                 "assert d[\"at_ns\"]==1577836800000000000 and d[\"aliases\"]=={\"production\":None}, d") == 0);
}

Test(model_registry, bad_input_fails_with_one_line, .init = setup, .fini = teardown)
{
    char args[1024], junk[400];
    /* No registry yet: reads fail, naming the database. */
    cr_expect(tc("list", NULL) != 0);
    expect_one_line_error("registry.db");
    snprintf(junk, sizeof junk, "%s/models/junk.safetensors", dir);
    FILE *f = fopen(junk, "w");
    fputs("{\"not\": \"a model\"}", f);
    fclose(f);
    snprintf(args, sizeof args, "register %s --name churn", junk);
    cr_expect(tc(args, NULL) != 0);
    expect_one_line_error("junk.safetensors");
    snprintf(args, sizeof args, "register %s/models/missing.safetensors --name churn", dir);
    cr_expect(tc(args, NULL) != 0);
    expect_one_line_error("missing.safetensors: No such file");
    snprintf(args, sizeof args, "register %s --name churn", file[0]);
    cr_assert(tc(args, NULL) == 0);
    snprintf(args, sizeof args, "register %s --name other", file[1]);
    cr_assert(tc(args, NULL) == 0);
    cr_expect(tc("promote churn 7", NULL) != 0);
    expect_one_line_error("model \"churn\": no version 7");
    cr_expect(tc("promote 1", NULL) != 0);
    expect_one_line_error("several models (churn, other): name one");
    cr_expect(tc("show churn@canary", NULL) != 0);
    expect_one_line_error("alias \"canary\" is not set");
    cr_expect(tc("show churn:x", NULL) != 0);
    expect_one_line_error("version \"x\"");
    cr_expect(tc("rollback churn", NULL) != 0);
    expect_one_line_error("no earlier version to roll back to");
    cr_expect(tc("history churn --at yesterday", NULL) != 0);
    expect_one_line_error("time \"yesterday\"");
    cr_expect(tc("promote churn 1 --frobnicate", NULL) != 0);
    expect_one_line_error("unknown or incomplete option '--frobnicate'");
    /* The file changed after registration: promote refuses, the alias stays unset. */
    regfix_model(file[0], 4242u, "{}");
    cr_expect(tc("promote churn 1", NULL) != 0);
    expect_one_line_error("changed since it was registered");
    cr_expect(tc("history churn --json", "import json,sys; d=json.load(sys.stdin); assert d[\"history\"]==[], d") == 0);
    /* A corrupt database: random bytes. */
    f = fopen(db, "r+");
    cr_assert(f);
    srand(7);
    for (int i = 0; i < 8192; i++)
        fputc(rand() & 0xff, f);
    fclose(f);
    char wal[400];
    snprintf(wal, sizeof wal, "%s-wal", db);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", db);
    unlink(wal);
    cr_expect(tc("list", NULL) != 0);
    expect_one_line_error("registry.db: not an SQLite database");
}

/* Without --registry the database is infer.registry of the config, under state_dir, and
 * --alias defaults to infer.model_alias. */
Test(model_registry, registry_and_alias_come_from_the_config, .init = setup, .fini = teardown)
{
    char conf[400], cmd[2048];
    snprintf(conf, sizeof conf, "%s/tickcast.conf", dir);
    FILE *f = fopen(conf, "w");
    cr_assert(f);
    fprintf(f, "[tickcastd]\nstate_dir = %s\n\n[infer]\nregistry = reg/models.db\nmodel_alias = live\n", dir);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s model register %s --name churn --config %s >/dev/null && "
             "%s model promote 1 --config %s >/dev/null", bin, file[0], conf, bin, conf);
    cr_assert(system(cmd) == 0, "%s", cmd);
    snprintf(db, sizeof db, "%s/reg/models.db", dir);
    cr_assert(access(db, F_OK) == 0, "the registry was not created at %s", db);
    cr_assert(tc("show @live --json", "import json,sys; d=json.load(sys.stdin); "
                 "assert d[\"version\"]==1 and d[\"aliases\"]==[\"live\"], d") == 0);
}
