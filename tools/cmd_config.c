/* cmd_config.c — `tickcast config`: print the effective configuration (as INI with each
 * key's doc, or JSON, or one value), check a file, or print the Markdown reference
 * (docs/CONFIG.md).  The same loader as every daemon (daemon/runtime/config.c), so what
 * this accepts is what tickcastd accepts. */
#include "tools/cli.h"
#include "daemon/runtime/config.h"
#include "daemon/runtime/err.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OVERRIDES 256

/* --check: every problem, one line each, in file order; one problem reads exactly like
 * the error any daemon would stop with. */
static int check_all(const char *path, char *const *overrides, int n_overrides)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return TC_ERR(-ENOMEM, "out of memory");
    int n = tc_config_lint(path, overrides, n_overrides, m);
    fclose(m);
    if (n < 0) {
        free(text);
        return 1;
    }
    if (n == 0)
        printf("%s: ok\n", path ? path : "(defaults)");
    else if (n == 1)
        TC_ERR(-EINVAL, "%.*s", (int)strcspn(text, "\n"), text);
    else {
        for (char *line = text, *end; *line; line = end + 1) {
            end = line + strcspn(line, "\n");
            fprintf(stderr, "tickcast config: %.*s\n", (int)(end - line), line);
            if (!*end)
                break;
        }
        TC_ERR(-EINVAL, "%d problems in %s", n, path ? path : "the -o options");
    }
    free(text);
    return n == 0 ? 0 : 1;
}

static int cmd_config(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"override", required_argument, NULL, 'o'},
        {"dump", no_argument, NULL, 'd'},
        {"docs", no_argument, NULL, 'D'},
        {"check", no_argument, NULL, 'k'},
        {"markdown", no_argument, NULL, 'm'},
        {"get", required_argument, NULL, 'g'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL, *get = NULL;
    char *overrides[MAX_OVERRIDES];
    int n_overrides = 0, dump = 0, docs = 0, check = 0, markdown = 0, json = 0, opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "c:o:", opts, NULL)) != -1) {
        switch (opt) {
        case 'c': path = optarg; break;
        case 'o':
            if (n_overrides == MAX_OVERRIDES)
                return TC_ERR(-EINVAL, "more than %d -o options", MAX_OVERRIDES);
            overrides[n_overrides++] = optarg;
            break;
        case 'd': dump = 1; break;
        case 'D': docs = 1; break;
        case 'k': check = 1; break;
        case 'm': markdown = 1; break;
        case 'g': get = optarg; break;
        case 'j': json = 1; break;
        default:
            return TC_ERR(-EINVAL, "unknown option '%s' (tickcast config --help)",
                          argv[optind - 1]);
        }
    }
    if (optind < argc)
        return TC_ERR(-EINVAL, "unexpected argument '%s'", argv[optind]);
    if (dump + check + markdown + json + (get != NULL) > 1)
        return TC_ERR(-EINVAL, "--dump, --json, --check, --get and --markdown exclude each other");
    if (docs && !dump && (check || markdown || json || get))
        return TC_ERR(-EINVAL, "--docs goes with --dump");
    if (markdown)
        return tc_config_markdown(stdout) < 0 ? 1 : 0;

    if (check)
        return check_all(path, overrides, n_overrides);
    tc_config_t cfg;
    int r = tc_config_load_overrides(&cfg, path, overrides, n_overrides);
    if (r < 0)
        return 1;
    if (get) {
        const tc_config_key_t *k = tc_config_key_find(get, NULL);
        char val[TC_CONFIG_PATH_MAX + 1];
        if (!k) {
            TC_ERR(-EINVAL, "%s: unknown key", get);
            return 1;
        }
        tc_config_value_format(&cfg, k, val, sizeof val);
        printf("%s\n", val);
        return 0;
    }
    if (json)
        return tc_config_json(&cfg, stdout) < 0 ? 1 : 0;
    return tc_config_dump(&cfg, stdout, docs) < 0 ? 1 : 0;
}

TC_CLI_COMMAND(config, "print or check the configuration (every key, its value and doc)",
               "tickcast config [--config FILE] [-o section.key=value ...] "
               "[--dump [--docs] | --json | --check | --get section.key]\n"
               "tickcast config --markdown\n\n"
               "  -c, --config FILE    INI file to read (default: none, every key at its default)\n"
               "  -o section.key=value override one key after the file (repeatable)\n"
               "  --dump               print the effective configuration as INI (the default)\n"
               "  --docs               with --dump: each key's doc, type, range and default\n"
               "  --check              check the file and overrides; print every problem as\n"
               "                       file:line section.key: why, and exit 1\n"
               "  --json               print the effective configuration as JSON (numbers and\n"
               "                       booleans typed; durations and sizes as in the file)\n"
               "  --get section.key    print one effective value\n"
               "  --markdown           print the reference of every key (docs/CONFIG.md)",
               cmd_config);
