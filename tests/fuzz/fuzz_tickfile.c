/* fuzz_tickfile.c — libFuzzer harness for the native tick file readers (ingest/tickfile.h,
 * ingest/replay.h; docs/FORMATS.md "Native tick file").  The input is the whole file,
 * served from a memfd so no disk is touched.  It is opened read-only twice — failing on
 * the first damaged block, and skipping damaged blocks, where the replay reader must
 * accept the same files and return the same records — read to the end, and verified.
 * Random bytes almost never carry valid CRC32Cs, which would keep the fuzzer out of the
 * block decoders, so each input is also tried with every CRC recomputed (file header,
 * then each block found by walking the stored lengths), as a writer would have.
 * Beyond "no crash", the counters must agree with what was returned, a reader that
 * skips damaged blocks never fails on one, symbol names are NUL-terminated, and verify
 * reports each damage it counts.
 * A broken promise aborts. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/runtime/log.h"
#include "ingest/crc32c.h"
#include "ingest/replay.h"
#include "ingest/tickfile.h"

#define CHECK(c)                                                                       \
    do {                                                                               \
        if (!(c)) {                                                                    \
            fprintf(stderr, "broken promise: %s\n", #c);                               \
            abort();                                                                   \
        }                                                                              \
    } while (0)

static void report(void *ctx, const char *path, uint64_t off, const char *why)
{
    (void)path, (void)off, (void)why;
    ++*(int *)ctx;
}

static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Recomputes the header CRC and the two CRCs of every block reachable by lengths. */
static void fix_crcs(uint8_t *d, size_t n)
{
    if (n < TC_TICKFILE_HEADER_SIZE)
        return;
    put32(d + 124, tc_crc32c(0, d, 124));
    size_t p = TC_TICKFILE_HEADER_SIZE;
    while (p + TC_TICKFILE_BLOCK_HEADER_SIZE <= n && !memcmp(d + p, "TCBK", 4)) {
        uint32_t stored = get32(d + p + 44);
        put32(d + p + 56, tc_crc32c(0, d + p, 56));
        if (stored > n - p - TC_TICKFILE_BLOCK_HEADER_SIZE)
            break;
        uint32_t c = tc_crc32c(0, d + p, 60);
        put32(d + p + 60, tc_crc32c(c, d + p + TC_TICKFILE_BLOCK_HEADER_SIZE, stored));
        p += TC_TICKFILE_BLOCK_HEADER_SIZE + stored;
    }
}

static void one(const uint8_t *data, size_t size)
{
    static tc_tick_t buf[256], rbuf[256];
    int fd = memfd_create("fuzz.tck", MFD_CLOEXEC);
    CHECK(fd >= 0);
    CHECK(write(fd, data, size) == (ssize_t)size);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    for (int skip = 0; skip < 2; skip++) {
        tc_tickfile_opts_t o = {.skip_damaged = skip};
        tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_READ, &o);
        /* the replay reader (io_uring or pread) applies the same checks */
        tc_replay_t *rp = skip ? tc_replay_open(path, &(tc_replay_opts_t){.skip_damaged = 1, .depth = 2}) : NULL;
        CHECK(!skip || !tf == !rp);
        if (!tf)
            continue;
        int nsym = 0;
        const tc_symbol_t *syms = tc_tickfile_symbols(tf, &nsym);
        CHECK(nsym >= 0 && nsym <= TC_SYMBOLS_MAX);
        for (int k = 0; k < nsym; k++)
            CHECK(strnlen(syms[k].name, sizeof syms[k].name) < sizeof syms[k].name);
        for (int k = 0; k < tc_tickfile_note_count(tf); k++)
            (void)strlen(tc_tickfile_note(tf, k));
        uint64_t got = 0;
        int n;
        while ((n = tc_tickfile_read(tf, buf, 256)) > 0) {
            CHECK(n <= 256);
            got += (uint64_t)n;
            if (rp) {
                int y = 0;
                while (y < n) {
                    int r = tc_replay_read(rp, rbuf + y, n - y);
                    if (r <= 0)
                        break;
                    y += r;
                }
                CHECK(y == n && !memcmp(buf, rbuf, (size_t)n * sizeof buf[0])); /* the readers agree */
            }
        }
        if (rp) {
            CHECK(n < 0 || tc_replay_read(rp, rbuf, 256) <= 0); /* and end together */
            tc_replay_close(rp);
        }
        CHECK(!skip || n != -EBADMSG);
        const tc_tickfile_stats_t *st = tc_tickfile_stats(tf);
        CHECK(st->ticks_read == got);
        CHECK(st->file_bytes <= size);
        tc_tickfile_close(tf);
    }
    int damaged = 0;
    tc_tickfile_stats_t vs;
    int r = tc_tickfile_verify(path, report, &damaged, &vs);
    CHECK(r < 0 || r == damaged);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet)
        quiet = 1, tc_log_set_level(-1);
    one(data, size);
    uint8_t *fixed = malloc(size ? size : 1);
    CHECK(fixed);
    memcpy(fixed, data, size);
    fix_crcs(fixed, size);
    if (memcmp(fixed, data, size))
        one(fixed, size);
    free(fixed);
    return 0;
}
