/* fuzz_tickfile.c — libFuzzer harness for the native tick file readers: the input is a
 * whole file.  It is opened (read mode, damaged blocks skipped), read to the end with
 * the plain reader and with the replay reader, and verified; the two readers must
 * return the same records and nothing may crash, leak or read out of bounds (build
 * with clang: CC=clang cmake -S . -B build-fuzz; see tests/ingest/extra.cmake).
 *
 *     build-fuzz/tests/fuzz_tickfile -max_total_time=20 corpus/
 */
#include "daemon/runtime/log.h"
#include "ingest/replay.h"
#include "ingest/tickfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void ignore(void *ctx, const char *path, uint64_t off, const char *why)
{
    (void)ctx;
    (void)path;
    (void)off;
    (void)why;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    static tc_tick_t a[512], b[512];
    if (fd < 0) {
        tc_log_set_level(-1);
        fd = memfd_create("fuzz.tck", 0);
        if (fd < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();

    tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_READ, &(tc_tickfile_opts_t){.skip_damaged = 1});
    tc_replay_t *rp = tc_replay_open(path, &(tc_replay_opts_t){.skip_damaged = 1, .depth = 2});
    if (!tf != !rp)
        abort(); /* both readers accept or refuse the same file */
    if (tf) {
        int ns;
        const tc_symbol_t *s = tc_tickfile_symbols(tf, &ns);
        for (int i = 0; i < ns; i++)
            if (strnlen(s[i].name, sizeof s[i].name) == sizeof s[i].name)
                abort(); /* entries are NUL-terminated for callers */
        for (int i = 0; i < tc_tickfile_note_count(tf); i++)
            (void)strlen(tc_tickfile_note(tf, i));
        for (;;) {
            int x = tc_tickfile_read(tf, a, 512);
            int y = 0;
            while (y < x) {
                int r = tc_replay_read(rp, b + y, x - y);
                if (r <= 0)
                    break;
                y += r;
            }
            if (x != y || (x > 0 && memcmp(a, b, (size_t)x * sizeof a[0]) != 0))
                abort(); /* the readers disagree */
            if (x <= 0)
                break;
        }
    }
    tc_tickfile_close(tf);
    tc_replay_close(rp);
    tc_tickfile_verify(path, ignore, NULL, NULL);
    return 0;
}
