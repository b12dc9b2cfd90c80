/* test_replay.c — the io_uring replay reader: every record of raw and zstd files comes
 * back in order (checked against tickgen.h's sequence) for several queue depths and
 * batch sizes, through io_uring and through the pread fallback; the fallback is taken
 * when the kernel refuses io_uring (made to refuse with a seccomp filter) and logged
 * once; torn tails and damaged blocks behave as in the plain reader. */
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "ingest/replay.h"
#include "tickgen.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <liburing.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

static char dir[256];

static void setup(void)
{
    cr_assert(tickgen_tmpdir(dir, sizeof dir), "mkdtemp");
    tc_log_set_level(TC_LOG_ERR);
}
static void teardown(void) { tickgen_rmdir(dir); }

TestSuite(replay, .init = setup, .fini = teardown);

static void make_file(const char *path, int codec, uint32_t block_ticks, uint64_t n, int nsyms)
{
    tc_tickfile_opts_t o = {.codec = codec, .block_ticks = block_ticks};
    tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_CREATE, &o);
    cr_assert(tf, "%s", tc_err_msg());
    for (int k = 0; k < nsyms; k++) {
        tc_symbol_t s;
        tickgen_symbol(&s, k);
        tc_tickfile_symbol_add(tf, &s);
    }
    tc_tick_t t;
    for (uint64_t i = 0; i < n; i++) {
        tickgen(&t, i, nsyms);
        cr_assert_eq(tc_tickfile_append(tf, &t, 1), 0);
    }
    cr_assert_eq(tc_tickfile_close(tf), 0);
}

static int uring_works(void)
{
    struct io_uring ring;
    if (io_uring_queue_init(2, &ring, 0) < 0)
        return 0;
    io_uring_queue_exit(&ring);
    return 1;
}

/* Replays path with batch size `batch` (0 = zero-copy blocks); checks ticks 0..n-1. */
static void replay_check(const char *path, const tc_replay_opts_t *o, int batch, uint64_t n, int nsyms)
{
    tc_replay_t *rp = tc_replay_open(path, o);
    cr_assert(rp, "%s", tc_err_msg());
    if (!o->force_pread)
        cr_assert_eq(tc_replay_uses_uring(rp), 1);
    else
        cr_assert_eq(tc_replay_uses_uring(rp), 0);
    static tc_tick_t buf[9000];
    tc_tick_t want;
    uint64_t i = 0;
    int r;
    for (;;) {
        const tc_tick_t *p = buf;
        r = batch ? tc_replay_read(rp, buf, batch) : tc_replay_next(rp, &p);
        if (r <= 0)
            break;
        if (batch)
            cr_assert_leq(r, batch);
        for (int k = 0; k < r; k++, i++) {
            tickgen(&want, i, nsyms);
            cr_assert(memcmp(&p[k], &want, 64) == 0, "tick %llu (batch %d depth %d)", (unsigned long long)i, batch,
                      o->depth);
        }
    }
    cr_assert_eq(r, 0, "%s", tc_err_msg());
    cr_assert_eq(i, n);
    cr_assert_eq(tc_replay_stats(rp)->ticks_read, n);
    int ns;
    tc_replay_symbols(rp, &ns);
    cr_assert_eq(ns, nsyms);
    tc_replay_close(rp);
}

Test(replay, all_records_in_order_uring_and_pread)
{
    int have_uring = uring_works();
    char raw[300], zst[300];
    snprintf(raw, sizeof raw, "%s/raw.tck", dir);
    snprintf(zst, sizeof zst, "%s/zst.tck", dir);
    make_file(raw, TC_TICKFILE_CODEC_NONE, 1024, 25003, 4);
    make_file(zst, TC_TICKFILE_CODEC_ZSTD, 2048, 25003, 4);
    int depths[] = {1, 3, 8};
    int batches[] = {0, 1, 700, 1024, 4096, 9000};
    for (int f = 0; f < 2; f++)
        for (int pr = 0; pr < 2; pr++) {
            if (!pr && !have_uring)
                continue;
            for (size_t d = 0; d < 3; d++)
                for (size_t b = 0; b < 6; b++) {
                    if (batches[b] == 1 && d > 0)
                        continue; /* one-tick batches are slow; once is enough */
                    tc_replay_opts_t o = {.depth = depths[d], .force_pread = pr, .uring_on_tmpfs = 1};
                    replay_check(f ? zst : raw, &o, batches[b], 25003, 4);
                }
        }
    if (!have_uring)
        cr_skip_test("io_uring refused by this kernel: only the pread path was checked");
}

/* Batch sizes that change from call to call move the reader between its paths (whole
 * uncompressed blocks read straight into the batch, blocks staged through a slot and a
 * staging buffer, zstd decompressed in place): every tick still comes back once, in
 * order; and a batch with room for whole blocks ends on a block boundary instead of
 * splitting the next block. */
Test(replay, changing_batch_sizes_keep_order_and_block_boundaries)
{
    char raw[300], zst[300];
    snprintf(raw, sizeof raw, "%s/mix.tck", dir);
    snprintf(zst, sizeof zst, "%s/mixz.tck", dir);
    make_file(raw, TC_TICKFILE_CODEC_NONE, 1000, 30017, 3);
    make_file(zst, TC_TICKFILE_CODEC_ZSTD, 1000, 30017, 3);
    static const int sizes[] = {4096, 700, 1, 9000, 2500, 1000, 333, 3000};
    static tc_tick_t buf[9000];
    for (int f = 0; f < 2; f++)
        for (int pr = 0; pr < 2; pr++) {
            tc_replay_t *rp = tc_replay_open(f ? zst : raw, &(tc_replay_opts_t){.force_pread = pr, .uring_on_tmpfs = 1});
            cr_assert(rp, "%s", tc_err_msg());
            uint64_t i = 0;
            int r, k = 0;
            tc_tick_t want;
            for (;; k++) {
                int max = sizes[k % 8];
                uint64_t before = i;
                if ((r = tc_replay_read(rp, buf, max)) <= 0)
                    break;
                cr_assert_leq(r, max);
                for (int j = 0; j < r; j++, i++) {
                    tickgen(&want, i, 3);
                    cr_assert(memcmp(&buf[j], &want, 64) == 0, "tick %llu (call %d, max %d)", (unsigned long long)i, k, max);
                }
                /* from a block boundary, with room for at least one block: whole blocks only */
                if (before % 1000 == 0 && max >= 1000 && i != 30017)
                    cr_assert_eq(r % 1000, 0, "call %d (max %d) returned %d: a block was split", k, max, r);
            }
            cr_assert_eq(r, 0, "%s", tc_err_msg());
            cr_assert_eq(i, 30017);
            cr_assert_eq(tc_replay_stats(rp)->ticks_read, 30017);
            tc_replay_close(rp);
        }
}

Test(replay, empty_file)
{
    char p[300];
    snprintf(p, sizeof p, "%s/empty.tck", dir);
    make_file(p, TC_TICKFILE_CODEC_NONE, 0, 0, 0);
    tc_replay_t *rp = tc_replay_open(p, NULL);
    cr_assert(rp);
    tc_tick_t t;
    cr_assert_eq(tc_replay_read(rp, &t, 1), 0);
    tc_replay_close(rp);
}

/* A seccomp filter makes io_uring_setup fail with EPERM, as a hardened kernel or
 * container would; the reader must fall back to pread, say so once, and still return
 * every record. */
Test(replay, falls_back_when_kernel_refuses_uring)
{
    char p[300];
    snprintf(p, sizeof p, "%s/fb.tck", dir);
    make_file(p, TC_TICKFILE_CODEC_ZSTD, 512, 5000, 2);

    struct sock_filter filt[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof filt / sizeof filt[0], .filter = filt};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        cr_skip_test("cannot install a seccomp filter here (%s)", strerror(errno));
    cr_assert_eq(uring_works(), 0, "the filter must make io_uring_setup fail");

    char *logbuf = NULL;
    size_t loglen = 0;
    FILE *mem = open_memstream(&logbuf, &loglen);
    tc_log_set_sink(mem);
    tc_log_set_level(TC_LOG_NOTICE);
    tc_replay_opts_t o = {.depth = 4, .uring_on_tmpfs = 1};
    for (int rep = 0; rep < 3; rep++) {
        tc_replay_t *rp = tc_replay_open(p, &o);
        cr_assert(rp, "%s", tc_err_msg());
        cr_assert_eq(tc_replay_uses_uring(rp), 0);
        tc_replay_close(rp);
    }
    replay_check(p, &(tc_replay_opts_t){.depth = 4, .force_pread = 1}, 333, 5000, 2);
    tc_log_set_sink(stderr);
    fclose(mem);
    int notices = 0;
    for (const char *s = logbuf; (s = strstr(s, "io_uring unavailable")); s++)
        notices++;
    cr_assert_eq(notices, 1, "fallback logged once per process, got %d: %s", notices, logbuf);
    cr_assert(strstr(logbuf, "Operation not permitted"), "%s", logbuf);
    free(logbuf);
}

/* Replay gives exactly what the plain reader gives on a torn file and on a file with a
 * damaged block, in both strict and skipping modes. */
Test(replay, torn_and_damaged_like_the_reader)
{
    char p[300];
    snprintf(p, sizeof p, "%s/d.tck", dir);
    make_file(p, TC_TICKFILE_CODEC_NONE, 100, 1000, 1);
    tc_tickfile_t *tf = tc_tickfile_open(p, TC_TICKFILE_READ, NULL);
    uint64_t off4 = tc_tickfile_block(tf, 4)->off; /* ticks 300..399 */
    uint64_t off10 = tc_tickfile_block(tf, 10)->off; /* the last block, ticks 900..999 */
    tc_tickfile_close(tf);
    int fd = open(p, O_RDWR);
    cr_assert_eq(ftruncate(fd, (off_t)(off10 + 64 + 3000)), 0); /* tear the last block */
    uint8_t c;
    cr_assert_eq(pread(fd, &c, 1, (off_t)(off4 + 64 + 777)), 1);
    c ^= 1;
    cr_assert_eq(pwrite(fd, &c, 1, (off_t)(off4 + 64 + 777)), 1);
    close(fd);

    for (int pr = 0; pr < 2; pr++) {
        tc_replay_t *rp = tc_replay_open(p, &(tc_replay_opts_t){.force_pread = pr, .uring_on_tmpfs = 1});
        cr_assert(rp);
        cr_assert_eq(tc_replay_stats(rp)->torn_tails, 1);
        tc_tick_t buf[1000];
        int got = 0, r;
        while ((r = tc_replay_read(rp, buf + got, 1000 - got)) > 0)
            got += r;
        cr_assert_eq(got, 300);
        cr_assert_eq(r, -EBADMSG);
        char want[64];
        snprintf(want, sizeof want, "offset %llu", (unsigned long long)off4);
        cr_assert(strstr(tc_err_msg(), want) && strstr(tc_err_msg(), p), "%s", tc_err_msg());
        cr_assert_eq(tc_replay_read(rp, buf, 1000), -EBADMSG, "strict mode stays on the damage");
        cr_assert_eq(tc_replay_stats(rp)->damaged_blocks, 1);
        tc_replay_close(rp);

        rp = tc_replay_open(p, &(tc_replay_opts_t){.force_pread = pr, .skip_damaged = 1, .uring_on_tmpfs = 1});
        got = 0;
        while ((r = tc_replay_read(rp, buf + got, 1000 - got)) > 0)
            got += r;
        cr_assert_eq(r, 0);
        cr_assert_eq(got, 800, "900 complete ticks less the damaged block");
        tc_tick_t w;
        for (int i = 0; i < got; i++) {
            tickgen(&w, (uint64_t)(i < 300 ? i : i + 100), 1);
            cr_assert(memcmp(&buf[i], &w, 64) == 0);
        }
        cr_assert_eq(tc_replay_stats(rp)->damaged_blocks, 1);
        tc_replay_close(rp);
    }
}

/* tmpfs is read with pread unless asked otherwise; a disk-backed file system (the
 * working directory's, /var/tmp) goes through io_uring. */
Test(replay, path_choice_by_file_system)
{
    char p[300];
    snprintf(p, sizeof p, "%s/fs.tck", dir);
    make_file(p, TC_TICKFILE_CODEC_NONE, 256, 3000, 1);
    struct statfs sfs;
    cr_assert_eq(statfs(dir, &sfs), 0);
    tc_replay_t *rp = tc_replay_open(p, NULL);
    cr_assert(rp);
    if (sfs.f_type == TMPFS_MAGIC)
        cr_assert_eq(tc_replay_uses_uring(rp), 0, "tmpfs defaults to pread");
    tc_replay_close(rp);
    if (!uring_works())
        cr_skip_test("io_uring refused by this kernel");

    char ddir[] = "/var/tmp/tc-test-XXXXXX";
    if (!mkdtemp(ddir))
        cr_skip_test("no /var/tmp to test a disk-backed file system");
    char q[300];
    snprintf(q, sizeof q, "%s/fs.tck", ddir);
    make_file(q, TC_TICKFILE_CODEC_ZSTD, 256, 3000, 1);
    cr_assert_eq(statfs(ddir, &sfs), 0);
    if (sfs.f_type != TMPFS_MAGIC)
        replay_check(q, &(tc_replay_opts_t){.depth = 4}, 1000, 3000, 1); /* asserts io_uring in use */
    tickgen_rmdir(ddir);
}
