/* tickcast.c — the user's command-line tool: dispatches `tickcast <command> [options]`
 * to the commands registered by tools/cmd_*.c (cli.h).  Exit status 0 on success,
 * non-zero with a one-line reason on stderr otherwise. */
#include "tools/cli.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const tc_cli_command_t *const __start_tc_cli_cmds[];
extern const tc_cli_command_t *const __stop_tc_cli_cmds[];

static int by_name(const void *a, const void *b)
{
    const tc_cli_command_t *x = *(const tc_cli_command_t *const *)a;
    const tc_cli_command_t *y = *(const tc_cli_command_t *const *)b;
    return strcmp(x->name, y->name);
}

static void usage(FILE *f)
{
    size_t n = (size_t)(__stop_tc_cli_cmds - __start_tc_cli_cmds);
    const tc_cli_command_t *cmds[256];
    if (n > 256)
        n = 256;
    memcpy(cmds, __start_tc_cli_cmds, n * sizeof cmds[0]);
    qsort(cmds, n, sizeof cmds[0], by_name);
    fprintf(f, "usage: tickcast <command> [options]   (tickcast <command> --help for details)\n\n"
               "commands:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %-12s %s\n", cmds[i]->name, cmds[i]->summary);
}

int tc_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

void tc_cli_usage(const tc_cli_command_t *cmd, FILE *f)
{
    fprintf(f, "%s\n\n%s\n", cmd->summary, cmd->usage);
}

void tc_progress_init(tc_progress_t *p, const char *label, double total)
{
    memset(p, 0, sizeof *p);
    p->label = label;
    p->total = total;
    p->enabled = isatty(STDERR_FILENO);
}

void tc_progress_update(tc_progress_t *p, double done)
{
    if (!p->enabled)
        return;
    long long now = tc_clock_mono_ns();
    if (now - p->last_ns < 100 * TC_NS_PER_MS && done < p->total)
        return;
    p->last_ns = now;
    double frac = p->total > 0 ? done / p->total : 0;
    if (frac > 1)
        frac = 1;
    int width = 30, fill = (int)(frac * width);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r%-12s [%s] %5.1f%%", p->label, bar, 100 * frac);
    p->last_shown = done;
}

void tc_progress_done(tc_progress_t *p)
{
    if (!p->enabled)
        return;
    tc_progress_update(p, p->total);
    fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    tc_log_set_ident("tickcast");
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tickcast %s\n", TC_VERSION);
        return 0;
    }
    for (const tc_cli_command_t *const *c = __start_tc_cli_cmds; c < __stop_tc_cli_cmds; c++) {
        if (strcmp((*c)->name, argv[1]) != 0)
            continue;
        if (tc_cli_wants_help(argc - 1, argv + 1)) {
            tc_cli_usage(*c, stdout);
            return 0;
        }
        tc_err_clear();
        int r = (*c)->run(argc - 1, argv + 1);
        if (r != 0) {
            const char *why = tc_err_msg();
            fprintf(stderr, "tickcast %s: %s\n", argv[1], why[0] ? why : "failed");
            return r < 0 ? 1 : r;
        }
        return 0;
    }
    fprintf(stderr, "tickcast: unknown command '%s' (tickcast --help lists them)\n", argv[1]);
    return 2;
}
