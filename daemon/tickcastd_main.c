/* tickcastd_main.c — the supervisor daemon systemd starts (supervisor.h). */
#include "daemon/supervisor.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: tickcastd [--config FILE] [-o section.key=value ...]\n\n"
               "Creates the instance's shared-memory segment, starts and supervises the\n"
               "configured stages, and talks to systemd (Type=notify).  SIGTERM drains the\n"
               "pipeline and exits 0; SIGHUP reloads the configuration (validated first).\n");
}

int main(int argc, char **argv)
{
    tc_supervisor_opts_t o = {0};
    char *over[64];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--version")) {
            printf("tickcastd %s\n", TC_VERSION);
            return 0;
        } else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
            o.config_path = argv[++i];
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc && o.n_overrides < 64) {
            over[o.n_overrides++] = argv[++i];
        } else {
            fprintf(stderr, "tickcastd: unknown or incomplete option '%s' (--help)\n", argv[i]);
            return 2;
        }
    }
    o.overrides = over;
    return tc_supervisor_run(&o);
}
