/* cmd_verify.c — `tickcast verify FILE|DIR`: CRC check of native tick files.
 *
 * Checks the header and every block (header CRC, payload CRC32C, lengths, that zstd
 * payloads decode) of FILE, or of every *.tck file in DIR, and prints one line per
 * damaged block or torn tail: "FILE: offset N: reason".  Exit status 0 when all is
 * clean, 1 when anything is damaged, 2 when a file cannot be checked at all.
 */
#include "daemon/runtime/err.h"
#include "ingest/tickdir.h"
#include "ingest/tickfile.h"
#include "tools/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void report(void *ctx, const char *path, uint64_t off, const char *why)
{
    (void)ctx;
    printf("%s: offset %llu: %s\n", path, (unsigned long long)off, why);
}

static int cmd_verify(int argc, char **argv)
{
    static const struct option lo[] = {{"quiet", no_argument, 0, 'q'}, {0, 0, 0, 0}};
    int quiet = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "q", lo, NULL)) != -1) {
        if (c == 'q')
            quiet = 1;
        else
            return TC_ERR(2, "unknown option '%s' (tickcast verify --help)", argv[optind - 1]);
    }
    if (optind >= argc)
        return TC_ERR(2, "verify takes FILE or DIR (tickcast verify --help)");
    int files = 0, damaged_files = 0, unreadable = 0;
    long long damaged = 0;
    for (int a = optind; a < argc; a++) {
        struct stat sb;
        if (stat(argv[a], &sb) < 0) {
            printf("%s: %s\n", argv[a], strerror(errno));
            unreadable++;
            continue;
        }
        char **list = NULL;
        int n = 0;
        if (S_ISDIR(sb.st_mode)) {
            n = tc_tickdir_list(argv[a], &list);
            if (n < 0) {
                printf("%s\n", tc_err_msg());
                unreadable++;
                continue;
            }
        } else {
            list = malloc(sizeof *list);
            list[0] = strdup(argv[a]);
            n = 1;
        }
        for (int i = 0; i < n; i++) {
            tc_tickfile_stats_t st;
            tc_err_clear();
            int r = tc_tickfile_verify(list[i], report, NULL, &st);
            files++;
            if (r < 0) {
                printf("%s\n", tc_err_msg());
                unreadable++;
            } else if (r > 0) {
                damaged += r;
                damaged_files++;
            } else if (!quiet) {
                printf("%s: ok, %llu blocks, %llu ticks\n", list[i], (unsigned long long)st.blocks,
                       (unsigned long long)st.ticks);
            }
            free(list[i]);
        }
        free(list);
    }
    fflush(stdout);
    if (unreadable)
        return TC_ERR(2, "%d of %d files could not be checked", unreadable, files);
    if (damaged)
        return TC_ERR(1, "%lld damaged blocks in %d of %d files", damaged, damaged_files, files);
    return 0;
}

TC_CLI_COMMAND(verify, "check the CRCs of a native tick file or a directory of them",
               "tickcast verify FILE|DIR...\n"
               "  one line per damaged block or torn tail: FILE: offset N: reason\n"
               "  exit status 0 clean, 1 damaged, 2 a file could not be checked\n"
               "  -q, --quiet           no line for clean files",
               cmd_verify);
