/* cmd_model.c — `tickcast model`: inspect a model file and run it over a sequence;
 * the registry subcommands (register, list, show, promote, rollback, history) are in
 * cmd_model_registry.c.
 *
 *   tickcast model forward MODEL --input X.csv [-o OUT.csv]
 *       One already-scaled feature row per time step (an optional header row of
 *       names), zero initial state; writes "step,y0..y{K-1}", the head's output after
 *       every step, for parity checks against any other implementation.
 *   tickcast model info MODEL [--json]
 *       The configuration and metadata.
 *
 * Rows are streamed through tc_rnn_step, the same code the inference stage runs.
 */
#include "tools/cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "infer/json.h"
#include "infer/model.h"

/* Parses one CSV line of exactly n numbers into v.  Returns 0, 1 when the line is not
 * numeric in its first field (a header), or -EPROTO with "path:line: ..." set. */
static int parse_row(float *v, int n, char *line, const char *path, long lineno, int allow_header)
{
    int k = 0;
    char *s = line;
    for (;;) {
        char *end = s + strcspn(s, ",");
        int last = *end == '\0';
        *end = '\0';
        char *e;
        while (*s == ' ' || *s == '\t')
            s++;
        errno = 0;
        float x = strtof(s, &e);
        while (*e == ' ' || *e == '\t')
            e++;
        if (e == s || *e != '\0') {
            if (k == 0 && allow_header)
                return 1;
            return TC_ERR(-EPROTO, "%s:%ld: column %d: \"%s\" is not a number", path, lineno,
                          k + 1, s);
        }
        if (!isfinite(x) || errno == ERANGE)
            return TC_ERR(-EPROTO, "%s:%ld: column %d: %s is not a finite float", path, lineno,
                          k + 1, s);
        if (k < n)
            v[k] = x;
        k++;
        if (last)
            break;
        s = end + 1;
    }
    if (k != n)
        return TC_ERR(-EPROTO, "%s:%ld: %d values, the model takes %d inputs", path, lineno, k, n);
    return 0;
}

static int count_columns(const char *line)
{
    int n = 1;
    for (const char *p = line; *p; p++)
        n += *p == ',';
    return n;
}

static int model_forward(const char *model_path, const char *in_path, const char *out_path)
{
    tc_model_t *m = NULL;
    FILE *in = NULL, *out = NULL;
    char *line = NULL;
    size_t cap = 0;
    float *x = NULL, *state = NULL, *scratch = NULL, *y = NULL;
    int r = tc_model_load(&m, model_path, NULL);
    if (r < 0)
        return r;
    const tc_rnn_config_t *cfg = &m->net->cfg;
    x = calloc((size_t)cfg->input, sizeof *x);
    y = calloc((size_t)cfg->horizon, sizeof *y);
    state = calloc(tc_rnn_state_size(cfg), sizeof *state);
    scratch = calloc(tc_rnn_step_scratch_size(cfg), sizeof *scratch);
    if (!x || !y || !state || !scratch) {
        r = TC_ERR(-ENOMEM, "out of memory");
        goto out;
    }
    if (!(in = fopen(in_path, "r"))) {
        r = TC_ERR(-errno, "%s: %s", in_path, strerror(errno));
        goto out;
    }
    out = out_path ? fopen(out_path, "w") : stdout;
    if (!out) {
        r = TC_ERR(-errno, "%s: %s", out_path, strerror(errno));
        goto out;
    }
    long lineno = 0, step = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0) {
            r = TC_ERR(-EPROTO, "%s:%ld: empty line", in_path, lineno);
            goto out;
        }
        if (lineno == 1 && count_columns(line) != cfg->input) {
            r = TC_ERR(-EPROTO, "%s:1: %d columns, the model takes %d inputs", in_path,
                       count_columns(line), cfg->input);
            goto out;
        }
        r = parse_row(x, cfg->input, line, in_path, lineno, lineno == 1);
        if (r < 0)
            goto out;
        if (r == 1) /* header row */
            continue;
        tc_rnn_step(y, state, scratch, x, &m->net->packed, cfg);
        if (step == 0) { /* the header waits for a good first row: no output on a bad file */
            fprintf(out, "step");
            for (int k = 0; k < cfg->horizon; k++)
                fprintf(out, ",y%d", k);
            fprintf(out, "\n");
        }
        fprintf(out, "%ld", step++);
        for (int k = 0; k < cfg->horizon; k++)
            fprintf(out, ",%.9g", y[k]);
        fprintf(out, "\n");
    }
    if (ferror(in)) {
        r = TC_ERR(-EIO, "%s: read error after line %ld", in_path, lineno);
        goto out;
    }
    if (step == 0) {
        r = TC_ERR(-EPROTO, "%s: no feature rows", in_path);
        goto out;
    }
    if (fflush(out) != 0 || ferror(out)) {
        r = TC_ERR(-EIO, "%s: write failed", out_path ? out_path : "stdout");
        goto out;
    }
    r = 0;
out:
    if (out && out != stdout && fclose(out) != 0 && r == 0)
        r = TC_ERR(-EIO, "%s: write failed", out_path);
    if (r < 0 && out && out != stdout)
        unlink(out_path); /* a partial result must not pass for a complete one */
    if (in)
        fclose(in);
    free(line);
    free(x);
    free(y);
    free(state);
    free(scratch);
    tc_model_destroy(m);
    return r;
}

static int model_info(const char *path, int json)
{
    tc_model_t *m = NULL;
    int r = tc_model_load(&m, path, NULL);
    if (r < 0)
        return r;
    const tc_rnn_config_t *c = &m->net->cfg;
    const char *cell = c->cell == TC_RNN_LSTM ? "lstm" : "gru";
    size_t n_params = 0;
    for (int i = 0; i < m->net->n_tensors; i++)
        n_params += m->net->tensors[i].numel;
    if (json) {
        char buf[8192];
        size_t len = 0;
        printf("{\"cell\":\"%s\",\"input\":%d,\"hidden\":%d,\"layers\":%d,\"horizon\":%d,"
               "\"parameters\":%zu,\"metadata\":{", cell, c->input, c->hidden, c->layers,
               c->horizon, n_params);
        for (int i = 0; i < m->n_meta; i++) {
            len = 0;
            if (tc_json_quote(buf, sizeof buf, &len, m->meta_key[i]) == 0)
                printf("%s%s:", i ? "," : "", buf);
            len = 0;
            printf("%s", tc_json_quote(buf, sizeof buf, &len, m->meta_val[i]) == 0 ? buf : "null");
        }
        printf("}}\n");
    } else {
        printf("%s: %s, input %d, hidden %d, layers %d, horizon %d, %zu parameters\n", path, cell,
               c->input, c->hidden, c->layers, c->horizon, n_params);
        for (int i = 0; i < m->n_meta; i++)
            printf("  %-16s %s\n", m->meta_key[i], m->meta_val[i]);
    }
    tc_model_destroy(m);
    return 0;
}

int tc_cli_model_registry(int argc, char **argv); /* cmd_model_registry.c */

static int cmd_model(int argc, char **argv)
{
    if (argc >= 2) {
        int rr = tc_cli_model_registry(argc - 1, argv + 1);
        if (rr != -ENOENT || tc_err_msg()[0])
            return rr < 0 ? 1 : 0;
    }
    if (argc < 3)
        return TC_ERR(-EINVAL, "usage: tickcast model forward|info|register|list|show|promote|"
                      "rollback|history ... (--help)");
    const char *sub = argv[1], *model = argv[2], *input = NULL, *output = NULL;
    int json = 0;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--input") == 0 && i + 1 < argc)
            input = argv[++i];
        else if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc)
            output = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else
            return TC_ERR(-EINVAL, "unknown or incomplete option %s", argv[i]);
    }
    int r;
    if (strcmp(sub, "forward") == 0) {
        if (!input)
            return TC_ERR(-EINVAL, "forward needs --input X.csv");
        r = model_forward(model, input, output);
    } else if (strcmp(sub, "info") == 0) {
        r = model_info(model, json);
    } else {
        return TC_ERR(-EINVAL, "unknown subcommand \"%s\" (forward, info, register, list, show, "
                      "promote, rollback, history)", sub);
    }
    return r < 0 ? 1 : 0;
}

TC_CLI_COMMAND(model, "inspect and run model files; register, list, promote and roll back models",
               "tickcast model forward MODEL --input X.csv [-o OUT.csv]\n"
               "    run the network over already-scaled feature rows (one time step per row,\n"
               "    optional header row, zero initial state) and write the head's output\n"
               "    after every step as CSV: step,y0,...\n"
               "tickcast model info MODEL [--json]\n"
               "    print the configuration and metadata\n"
               "\n"
               "The registry (one SQLite database beside the model files; docs/MODELS.md):\n"
               "tickcast model register FILE [--name NAME] [--parent N]\n"
               "    record FILE (hash, lineage, metadata) as NAME's next version; copies nothing\n"
               "tickcast model list [NAME]\n"
               "    every version: created, parent, sha256, aliases, metrics\n"
               "tickcast model show [NAME][:VERSION|@ALIAS]\n"
               "    one version in full (default: the latest)\n"
               "tickcast model promote [NAME] VERSION [--alias A] [--reason TEXT]\n"
               "    point alias A at VERSION after checking the file's sha256\n"
               "tickcast model rollback [NAME] [--alias A] [--reason TEXT]\n"
               "    set alias A back to the version it had before its latest change\n"
               "tickcast model history [NAME] [--alias A] [--at TIME]\n"
               "    the alias changes, or with --at what each alias pointed at at TIME\n"
               "    (ISO 8601 UTC such as 2024-03-28T14:30:00Z, or ns since the epoch)\n"
               "\n"
               "  --registry PATH  the database (default: infer.registry of the config under\n"
               "                   state_dir; without a config models/registry.db here)\n"
               "  -c, --config FILE  the config to read infer.registry and infer.model_alias from\n"
               "  --alias A        default: infer.model_alias (production)\n"
               "  --json           machine-readable output\n"
               "NAME may be left out when the registry holds exactly one model.",
               cmd_model);
