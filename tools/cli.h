/* cli.h — commands of the `tickcast` tool.
 *
 * Each command lives in its own tools/cmd_<name>.c and registers itself with
 * TC_CLI_COMMAND; tickcast.c finds them all through the linker section, so adding a
 * command touches no shared table.
 *
 *     static int cmd_inspect(int argc, char **argv) { ... }
 *     TC_CLI_COMMAND(inspect, "show a tick file's header, symbols, counts and gaps",
 *                    "tickcast inspect FILE [--json]", cmd_inspect);
 *
 * run() gets argv with argv[0] = the command name; returns the exit status.  On failure
 * it prints nothing itself: it returns non-zero with the reason on the error stack
 * (tc_err_msg) and main prints "tickcast <cmd>: <reason>" as one line.  --help is
 * handled by main from `usage` unless the command handles it first.
 */
#ifndef TC_TOOLS_CLI_H
#define TC_TOOLS_CLI_H

#include <stdio.h>

typedef struct tc_cli_command {
    const char *name;
    const char *summary; /* one line */
    const char *usage;   /* full usage text: synopsis, then options one per line */
    int (*run)(int argc, char **argv);
} tc_cli_command_t;

#define TC_CLI_COMMAND(id, summary_, usage_, fn)                                          \
    static const tc_cli_command_t tc_cli_cmd_##id = {#id, summary_, usage_, fn};          \
    static const tc_cli_command_t *const tc_cli_ptr_##id                                  \
        __attribute__((used, section("tc_cli_cmds"), aligned(sizeof(void *)))) = &tc_cli_cmd_##id

/* 1 if argv has "-h" or "--help" (then print the command's usage and exit 0). */
int tc_cli_wants_help(int argc, char **argv);
/* Prints the usage of cmd to f. */
void tc_cli_usage(const tc_cli_command_t *cmd, FILE *f);

/* A progress bar on stderr, shown only when stderr is a terminal.  Caller-owned. */
typedef struct tc_progress {
    const char *label;
    double total;
    double last_shown;
    long long last_ns;
    int enabled;
} tc_progress_t;

void tc_progress_init(tc_progress_t *p, const char *label, double total);
void tc_progress_update(tc_progress_t *p, double done);
void tc_progress_done(tc_progress_t *p);

#endif
