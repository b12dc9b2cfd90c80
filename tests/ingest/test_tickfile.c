/* test_tickfile.c — native tick files: CRC32C against its published check value and
 * the table path, write → read round trips (raw, zstd, several symbols, appends across
 * reopen), refusal of bad headers, and CRC detection of flipped bytes, named by offset.
 * Every record read back is compared with the deterministic sequence of tickgen.h. */
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "ingest/crc32c.h"
#include "ingest/tickfile.h"
#include "tickgen.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static void setup(void)
{
    cr_assert(tickgen_tmpdir(dir, sizeof dir), "mkdtemp");
    tc_log_set_level(TC_LOG_ERR);
}
static void teardown(void) { tickgen_rmdir(dir); }

static const char *fpath(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

/* Writes n ticks of the sequence (nsyms symbols) in batches of `batch`. */
static void write_seq(const char *path, int mode, const tc_tickfile_opts_t *o, int nsyms, uint64_t from,
                      uint64_t n, int batch)
{
    tc_tickfile_t *tf = tc_tickfile_open(path, mode, o);
    cr_assert(tf, "open %s: %s", path, tc_err_msg());
    for (int k = 0; k < nsyms; k++) {
        tc_symbol_t s;
        tickgen_symbol(&s, k);
        cr_assert_eq(tc_tickfile_symbol_add(tf, &s), k);
    }
    tc_tick_t *b = malloc((size_t)batch * sizeof *b);
    for (uint64_t i = from; i < from + n;) {
        int k = 0;
        for (; k < batch && i < from + n; k++, i++)
            tickgen(&b[k], i, nsyms);
        cr_assert_eq(tc_tickfile_append(tf, b, k), 0, "%s", tc_err_msg());
    }
    free(b);
    cr_assert_eq(tc_tickfile_close(tf), 0, "%s", tc_err_msg());
}

/* Reads the whole file and checks it is exactly ticks 0..n-1 of the sequence. */
static void check_seq(const char *path, int nsyms, uint64_t n)
{
    tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_READ, NULL);
    cr_assert(tf, "open %s: %s", path, tc_err_msg());
    tc_tick_t buf[777], want;
    uint64_t i = 0;
    int r;
    while ((r = tc_tickfile_read(tf, buf, 777)) > 0) {
        for (int k = 0; k < r; k++, i++) {
            tickgen(&want, i, nsyms);
            cr_assert(memcmp(&buf[k], &want, sizeof want) == 0, "tick %llu differs", (unsigned long long)i);
        }
    }
    cr_assert_eq(r, 0, "read: %s", tc_err_msg());
    cr_assert_eq(i, n, "read %llu ticks, wrote %llu", (unsigned long long)i, (unsigned long long)n);
    cr_assert_eq(tc_tickfile_stats(tf)->ticks, n);
    cr_assert_eq(tc_tickfile_stats(tf)->torn_tails, 0);
    int ns;
    const tc_symbol_t *syms = tc_tickfile_symbols(tf, &ns);
    cr_assert_eq(ns, nsyms);
    for (int k = 0; k < nsyms; k++) {
        tc_symbol_t s;
        tickgen_symbol(&s, k);
        cr_assert(memcmp(&syms[k], &s, sizeof s) == 0, "symbol %d differs", k);
    }
    tc_tickfile_close(tf);
}

static void flip_byte(const char *path, uint64_t off)
{
    int fd = open(path, O_RDWR);
    cr_assert(fd >= 0);
    uint8_t c;
    cr_assert_eq(pread(fd, &c, 1, (off_t)off), 1);
    c ^= 0x5a;
    cr_assert_eq(pwrite(fd, &c, 1, (off_t)off), 1);
    close(fd);
}

static uint64_t file_size(const char *path)
{
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    return (uint64_t)sb.st_size;
}

TestSuite(tickfile, .init = setup, .fini = teardown);

Test(tickfile, crc32c_check_value_and_paths_agree)
{
    /* The CRC-32C check value (RFC 3720 appendix B.4 / the CRC catalogue). */
    cr_assert_eq(tc_crc32c(0, "123456789", 9), 0xE3069283u);
    cr_assert_eq(tc_crc32c_sw(0, "123456789", 9), 0xE3069283u);
    uint8_t zeros[32] = {0};
    cr_assert_eq(tc_crc32c(0, zeros, 32), 0x8A9136AAu); /* RFC 3720 B.4: 32 bytes of zeros */
    size_t n = 3 * 4096 * 3 + 1234;
    uint8_t *buf = malloc(n + 16);
    for (size_t i = 0; i < n + 16; i++)
        buf[i] = (uint8_t)tickgen_mix(i);
    size_t lens[] = {0, 1, 7, 8, 63, 4095, 4096, 3 * 4096 - 1, 3 * 4096, 3 * 4096 + 5, 7 * 4096 + 3, n};
    for (size_t a = 0; a < 8; a++)
        for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++)
            cr_assert_eq(tc_crc32c(0, buf + a, lens[k]), tc_crc32c_sw(0, buf + a, lens[k]), "align %zu len %zu", a,
                         lens[k]);
    /* chaining: crc(a|b) computed in two calls equals one call */
    cr_assert_eq(tc_crc32c(tc_crc32c(0, buf, 5000), buf + 5000, n - 5000), tc_crc32c(0, buf, n));
    free(buf);
}

Test(tickfile, roundtrip_raw)
{
    tc_tickfile_opts_t o = {.block_ticks = 1000};
    write_seq(fpath("a.tck"), TC_TICKFILE_CREATE, &o, 3, 0, 10007, 333);
    check_seq(fpath("a.tck"), 3, 10007);
    /* 11 tick blocks (10 full, one short) and one symbol block, exactly sized */
    tc_tickfile_t *tf = tc_tickfile_open(fpath("a.tck"), TC_TICKFILE_READ, NULL);
    cr_assert_eq(tc_tickfile_stats(tf)->tick_blocks, 11);
    cr_assert_eq(tc_tickfile_stats(tf)->blocks, 12);
    cr_assert_eq(tc_tickfile_stats(tf)->ts_first, TICKGEN_T0);
    cr_assert_eq(tc_tickfile_stats(tf)->ts_last, TICKGEN_T0 + 10006 * 1000LL);
    cr_assert_eq(file_size(fpath("a.tck")),
                 TC_TICKFILE_HEADER_SIZE + 12 * TC_TICKFILE_BLOCK_HEADER_SIZE + 3 * 96 + 10007 * 64);
    tc_tickfile_close(tf);
}

Test(tickfile, roundtrip_zstd_is_smaller)
{
    tc_tickfile_opts_t o = {.codec = TC_TICKFILE_CODEC_ZSTD, .block_ticks = 2048};
    write_seq(fpath("z.tck"), TC_TICKFILE_CREATE, &o, 5, 0, 20000, 1000);
    check_seq(fpath("z.tck"), 5, 20000);
    tc_tickfile_t *tf = tc_tickfile_open(fpath("z.tck"), TC_TICKFILE_READ, NULL);
    const tc_tickfile_stats_t *st = tc_tickfile_stats(tf);
    cr_assert(st->flags & TC_TICKFILE_F_ZSTD);
    cr_assert_eq(st->raw_bytes, 20000 * 64);
    cr_assert_lt(st->stored_bytes, st->raw_bytes * 3 / 4, "zstd stored %llu of %llu",
                 (unsigned long long)st->stored_bytes, (unsigned long long)st->raw_bytes);
    for (int i = 0; i < tc_tickfile_block_count(tf); i++)
        if (tc_tickfile_block(tf, i)->type == TC_TICKFILE_BLOCK_TICKS)
            cr_assert_eq(tc_tickfile_block(tf, i)->codec, TC_TICKFILE_CODEC_ZSTD);
    tc_tickfile_close(tf);
}

Test(tickfile, append_across_reopen_adds_symbols)
{
    const char *p = fpath("j.tck");
    tc_tickfile_opts_t o = {.block_ticks = 256};
    write_seq(p, TC_TICKFILE_APPEND, &o, 2, 0, 1000, 100);
    /* Second opening: the same two symbols are found again, two more are added, and the
     * new ticks use all four (tickgen with nsyms=4 from tick 1000 on). */
    tc_tickfile_t *tf = tc_tickfile_open(p, TC_TICKFILE_APPEND, &o);
    cr_assert(tf, "%s", tc_err_msg());
    int n;
    tc_tickfile_symbols(tf, &n);
    cr_assert_eq(n, 2);
    for (int k = 0; k < 4; k++) {
        tc_symbol_t s;
        tickgen_symbol(&s, k);
        cr_assert_eq(tc_tickfile_symbol_add(tf, &s), k);
    }
    tc_tick_t t;
    for (uint64_t i = 1000; i < 1700; i++) {
        tickgen(&t, i, 4);
        cr_assert_eq(tc_tickfile_append(tf, &t, 1), 0);
    }
    /* a tick naming a symbol not in the table is refused */
    t.sym = 4;
    cr_assert_eq(tc_tickfile_append(tf, &t, 1), -EINVAL);
    cr_assert_eq(tc_tickfile_sync(tf), 0, "%s", tc_err_msg());
    tc_tickfile_close(tf);

    tf = tc_tickfile_open(p, TC_TICKFILE_READ, NULL);
    tc_tickfile_symbols(tf, &n);
    cr_assert_eq(n, 4);
    int sym_blocks = 0;
    for (int i = 0; i < tc_tickfile_block_count(tf); i++)
        sym_blocks += tc_tickfile_block(tf, i)->type == TC_TICKFILE_BLOCK_SYMBOLS;
    cr_assert_eq(sym_blocks, 2, "one symbol block per opening that added symbols");
    tc_tick_t buf[2000], want;
    cr_assert_eq(tc_tickfile_read(tf, buf, 2000), 1700);
    for (uint64_t i = 0; i < 1700; i++) {
        tickgen(&want, i, i < 1000 ? 2 : 4);
        cr_assert(memcmp(&buf[i], &want, sizeof want) == 0, "tick %llu", (unsigned long long)i);
    }
    /* block sequence numbers continue across the reopen */
    for (int i = 0; i < tc_tickfile_block_count(tf); i++)
        cr_assert_eq(tc_tickfile_block(tf, i)->seq, (uint64_t)i);
    tc_tickfile_close(tf);
}

Test(tickfile, second_writer_is_refused)
{
    tc_tickfile_t *a = tc_tickfile_open(fpath("w.tck"), TC_TICKFILE_APPEND, NULL);
    cr_assert(a);
    tc_tickfile_t *b = tc_tickfile_open(fpath("w.tck"), TC_TICKFILE_APPEND, NULL);
    cr_assert_null(b);
    cr_assert_eq(tc_err_code(), -EBUSY);
    tc_tickfile_close(a);
}

Test(tickfile, bad_headers_are_refused)
{
    char p[512];
    snprintf(p, sizeof p, "%s", fpath("h.tck"));
    write_seq(p, TC_TICKFILE_CREATE, NULL, 1, 0, 100, 100);
    uint8_t full[TC_TICKFILE_HEADER_SIZE];
    int fd = open(p, O_RDONLY);
    cr_assert_eq(read(fd, full, sizeof full), (ssize_t)sizeof full);
    close(fd);

    /* truncated header: every length short of a full header */
    char q[512];
    snprintf(q, sizeof q, "%s", fpath("short.tck"));
    for (int len = 0; len < TC_TICKFILE_HEADER_SIZE; len += 9) {
        fd = open(q, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        cr_assert_eq(write(fd, full, (size_t)len), len);
        close(fd);
        tc_err_clear();
        cr_assert_null(tc_tickfile_open(q, TC_TICKFILE_READ, NULL));
        cr_assert_eq(tc_err_code(), -EPROTO);
        cr_assert(strstr(tc_err_msg(), "truncated header") && strstr(tc_err_msg(), q), "%s", tc_err_msg());
    }
    /* wrong magic */
    flip_byte(p, 1);
    cr_assert_null(tc_tickfile_open(p, TC_TICKFILE_READ, NULL));
    cr_assert_eq(tc_err_code(), -EPROTO);
    cr_assert(strstr(tc_err_msg(), "bad magic"), "%s", tc_err_msg());
    cr_assert_null(tc_tickfile_open(p, TC_TICKFILE_APPEND, NULL), "append must not reinitialise a foreign file");
    flip_byte(p, 1);
    /* a newer version */
    uint16_t v = 2;
    fd = open(p, O_RDWR);
    cr_assert_eq(pwrite(fd, &v, 2, 8), 2);
    close(fd);
    cr_assert_null(tc_tickfile_open(p, TC_TICKFILE_READ, NULL));
    cr_assert_eq(tc_err_code(), -ESTALE);
    cr_assert(strstr(tc_err_msg(), "version 2"), "%s", tc_err_msg());
    v = 1;
    fd = open(p, O_RDWR);
    cr_assert_eq(pwrite(fd, &v, 2, 8), 2);
    close(fd);
    /* a damaged header field (writer string) fails the header CRC */
    flip_byte(p, 40);
    cr_assert_null(tc_tickfile_open(p, TC_TICKFILE_READ, NULL));
    cr_assert_eq(tc_err_code(), -EBADMSG);
    cr_assert(strstr(tc_err_msg(), "header CRC"), "%s", tc_err_msg());
}

/* A header whose own CRC is right but whose lengths are absurd (a crafted or buggy
 * file): refused as damage at its offset, the blocks around it kept. */
Test(tickfile, absurd_block_length_is_refused)
{
    const char *p = fpath("abs.tck");
    tc_tickfile_opts_t o = {.block_ticks = 100};
    write_seq(p, TC_TICKFILE_CREATE, &o, 1, 0, 500, 100);
    tc_tickfile_t *tf = tc_tickfile_open(p, TC_TICKFILE_READ, NULL);
    uint64_t off = tc_tickfile_block(tf, 3)->off; /* symbols, ticks 0-99, 100-199, [200-299] */
    tc_tickfile_close(tf);
    int fd = open(p, O_RDWR);
    uint8_t h[64];
    cr_assert_eq(pread(fd, h, 64, (off_t)off), 64);
    uint32_t huge = 0xfffffff0u;
    memcpy(h + 44, &huge, 4);
    uint32_t crc = tc_crc32c(0, h, 56);
    memcpy(h + 56, &crc, 4);
    cr_assert_eq(pwrite(fd, h, 64, (off_t)off), 64);
    close(fd);

    tf = tc_tickfile_open(p, TC_TICKFILE_READ, NULL);
    cr_assert(tf, "%s", tc_err_msg());
    cr_assert_eq(tc_tickfile_stats(tf)->torn_tails, 0, "a sound header with absurd fields is not a tear");
    tc_tick_t buf[600];
    cr_assert_eq(tc_tickfile_read(tf, buf, 600), 200, "the blocks before the damage");
    cr_assert_eq(tc_tickfile_read(tf, buf, 600), -EBADMSG);
    char want[64];
    snprintf(want, sizeof want, "offset %llu", (unsigned long long)off);
    cr_assert(strstr(tc_err_msg(), want) && strstr(tc_err_msg(), p), "%s", tc_err_msg());
    tc_tickfile_close(tf);
    cr_assert_null(tc_tickfile_open(p, TC_TICKFILE_APPEND, NULL), "append refuses a damaged file");
    cr_assert_eq(tc_err_code(), -EBADMSG);

    tc_tickfile_opts_t skip = {.skip_damaged = 1};
    tf = tc_tickfile_open(p, TC_TICKFILE_READ, &skip);
    int got = 0, r;
    tc_tick_t want_t;
    while ((r = tc_tickfile_read(tf, buf + got, 600 - got)) > 0)
        got += r;
    cr_assert_eq(got, 400);
    for (int i = 0; i < got; i++) {
        tickgen(&want_t, (uint64_t)(i < 200 ? i : i + 100), 1);
        cr_assert(memcmp(&buf[i], &want_t, 64) == 0, "tick %d", i);
    }
    cr_assert_eq(tc_tickfile_stats(tf)->damaged_blocks, 1);
    tc_tickfile_close(tf);
}

typedef struct report_log {
    int n;
    uint64_t off[16];
    char why[16][256];
} report_log_t;

static void collect(void *ctx, const char *path, uint64_t off, const char *why)
{
    report_log_t *l = ctx;
    if (l->n < 16) {
        l->off[l->n] = off;
        snprintf(l->why[l->n], sizeof l->why[0], "%s", why);
    }
    l->n++;
}

/* A byte flipped anywhere in a block that is not the last one — block header or
 * payload, raw or zstd — is found by CRC and named by the offset of its block; the
 * other blocks read back intact. */
Test(tickfile, flipped_byte_is_found_by_crc_and_named)
{
    for (int codec = 0; codec < 2; codec++) {
        const char *p = fpath(codec ? "fz.tck" : "fr.tck");
        tc_tickfile_opts_t o = {.block_ticks = 200, .codec = codec};
        write_seq(p, TC_TICKFILE_CREATE, &o, 2, 0, 2000, 500);
        tc_tickfile_t *tf = tc_tickfile_open(p, TC_TICKFILE_READ, NULL);
        int nb = tc_tickfile_block_count(tf);
        tc_tickfile_block_t blocks[32];
        for (int i = 0; i < nb; i++)
            blocks[i] = *tc_tickfile_block(tf, i);
        tc_tickfile_close(tf);
        cr_assert_eq(nb, 11);
        uint64_t seed = 12345 + (uint64_t)codec;
        for (int trial = 0; trial < 40; trial++) {
            /* a block other than the last (a bad last block is a torn tail, test_torn) */
            int bi = 1 + (int)(tickgen_mix(seed++) % (uint64_t)(nb - 2));
            uint64_t len = 64 + blocks[bi].stored_len;
            uint64_t at = blocks[bi].off + tickgen_mix(seed++) % len;
            flip_byte(p, at);
            report_log_t log = {0};
            tc_tickfile_stats_t st;
            int bad = tc_tickfile_verify(p, collect, &log, &st);
            cr_assert_eq(bad, 1, "codec %d: flip at %llu in block at %llu: %d reports (%s)", codec,
                         (unsigned long long)at, (unsigned long long)blocks[bi].off, bad, log.why[0]);
            cr_assert_eq(log.off[0], blocks[bi].off, "named offset %llu, block at %llu",
                         (unsigned long long)log.off[0], (unsigned long long)blocks[bi].off);
            cr_assert_eq(st.torn_tails, 0);

            tc_tickfile_opts_t skip = {.skip_damaged = 1};
            tf = tc_tickfile_open(p, TC_TICKFILE_READ, &skip);
            cr_assert(tf, "%s", tc_err_msg());
            tc_tick_t buf[2100], want;
            int got = 0, r;
            while ((r = tc_tickfile_read(tf, buf + got, 2100 - got)) > 0)
                got += r;
            cr_assert_eq(r, 0);
            cr_assert_eq(got, 1800);
            int lost_from = (bi - 1) * 200; /* block 0 holds the symbols */
            for (int i = 0; i < got; i++) {
                tickgen(&want, (uint64_t)(i < lost_from ? i : i + 200), 2);
                cr_assert(memcmp(&buf[i], &want, 64) == 0, "tick %d", i);
            }
            cr_assert_eq(tc_tickfile_stats(tf)->damaged_blocks, 1);
            tc_tickfile_close(tf);

            /* strict reading stops at the damage with file and offset */
            tf = tc_tickfile_open(p, TC_TICKFILE_READ, NULL);
            got = 0;
            while ((r = tc_tickfile_read(tf, buf + got, 2100 - got)) > 0)
                got += r;
            cr_assert_eq(got, lost_from);
            cr_assert(r == -EBADMSG || r == -EPROTO, "r=%d", r);
            char want_s[64];
            snprintf(want_s, sizeof want_s, "offset %llu", (unsigned long long)blocks[bi].off);
            cr_assert(strstr(tc_err_msg(), want_s) && strstr(tc_err_msg(), p), "%s", tc_err_msg());
            tc_tickfile_close(tf);
            flip_byte(p, at); /* repair for the next trial */
        }
        report_log_t log = {0};
        cr_assert_eq(tc_tickfile_verify(p, collect, &log, NULL), 0, "repaired file verifies clean");
    }
}

/* A cut at every byte offset (a crash of a writer that never synced past it): the
 * reader returns exactly the blocks that end before the cut, counts the tear, and an
 * append-open truncates to the last complete block. */
Test(tickfile, truncation_at_every_offset)
{
    char p[512], q[512];
    snprintf(p, sizeof p, "%s", fpath("t.tck"));
    snprintf(q, sizeof q, "%s", fpath("cut.tck"));
    tc_tickfile_opts_t o = {.block_ticks = 20, .codec = TC_TICKFILE_CODEC_ZSTD};
    write_seq(p, TC_TICKFILE_CREATE, &o, 2, 0, 100, 7);
    uint64_t size = file_size(p);
    uint8_t *img = malloc(size);
    int fd = open(p, O_RDONLY);
    cr_assert_eq(read(fd, img, size), (ssize_t)size);
    close(fd);
    tc_tickfile_t *tf = tc_tickfile_open(p, TC_TICKFILE_READ, NULL);
    int nb = tc_tickfile_block_count(tf);
    uint64_t ends[16];
    for (int i = 0; i < nb; i++)
        ends[i] = tc_tickfile_block(tf, i)->off + 64 + tc_tickfile_block(tf, i)->stored_len;
    tc_tickfile_close(tf);

    for (uint64_t cut = TC_TICKFILE_HEADER_SIZE; cut <= size; cut++) {
        fd = open(q, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        cr_assert_eq(write(fd, img, cut), (ssize_t)cut);
        close(fd);
        uint64_t whole = TC_TICKFILE_HEADER_SIZE;
        int complete = 0;
        for (int i = 0; i < nb; i++)
            if (ends[i] <= cut) {
                whole = ends[i];
                complete = i + 1;
            }
        uint64_t want_ticks = complete > 1 ? (uint64_t)(complete - 1) * 20 : 0;
        int mode = cut % 2 ? TC_TICKFILE_READ : TC_TICKFILE_APPEND;
        tf = tc_tickfile_open(q, mode, NULL);
        cr_assert(tf, "cut %llu: %s", (unsigned long long)cut, tc_err_msg());
        const tc_tickfile_stats_t *st = tc_tickfile_stats(tf);
        cr_assert_eq(st->torn_tails, cut != whole, "cut %llu", (unsigned long long)cut);
        cr_assert_eq(st->torn_bytes, cut - whole);
        cr_assert_eq(st->ticks, want_ticks, "cut %llu", (unsigned long long)cut);
        tc_tick_t buf[128], want;
        int got = 0, r;
        while ((r = tc_tickfile_read(tf, buf + got, 128 - got)) > 0)
            got += r;
        cr_assert_eq(r, 0);
        cr_assert_eq((uint64_t)got, want_ticks);
        for (int i = 0; i < got; i++) {
            tickgen(&want, (uint64_t)i, 2);
            cr_assert(memcmp(&buf[i], &want, 64) == 0);
        }
        tc_tickfile_close(tf);
        if (mode == TC_TICKFILE_APPEND)
            cr_assert_eq(file_size(q), whole, "append-open cuts the tail");
        else
            cr_assert_eq(file_size(q), cut, "read-open leaves the file alone");
    }
    free(img);
}

Test(tickfile, notes_round_trip_and_survive_appends)
{
    const char *p = fpath("n.tck");
    tc_tickfile_t *tf = tc_tickfile_open(p, TC_TICKFILE_CREATE, &(tc_tickfile_opts_t){.block_ticks = 64});
    tc_symbol_t s;
    tickgen_symbol(&s, 0);
    tc_tickfile_symbol_add(tf, &s);
    tc_tick_t t;
    for (uint64_t i = 0; i < 100; i++) {
        tickgen(&t, i, 1);
        tc_tickfile_append(tf, &t, 1);
    }
    cr_assert_eq(tc_tickfile_note_add(tf, "import a.csv rows=100\nreject number 2 a.csv:7: bad price\n"), 0);
    cr_assert_eq(tc_tickfile_note_add(tf, ""), -EINVAL);
    char *big = malloc(TC_TICKFILE_NOTE_MAX + 2);
    memset(big, 'x', TC_TICKFILE_NOTE_MAX + 1);
    big[TC_TICKFILE_NOTE_MAX + 1] = '\0';
    cr_assert_eq(tc_tickfile_note_add(tf, big), -EINVAL);
    big[TC_TICKFILE_NOTE_MAX] = '\0'; /* the largest note is fine */
    cr_assert_eq(tc_tickfile_note_add(tf, big), 0, "%s", tc_err_msg());
    cr_assert_eq(tc_tickfile_close(tf), 0);

    tf = tc_tickfile_open(p, TC_TICKFILE_APPEND, NULL);
    cr_assert(tf, "%s", tc_err_msg());
    cr_assert_eq(tc_tickfile_note_count(tf), 2);
    for (uint64_t i = 100; i < 150; i++) {
        tickgen(&t, i, 1);
        tc_tickfile_append(tf, &t, 1);
    }
    cr_assert_eq(tc_tickfile_note_add(tf, "second writer"), 0);
    tc_tickfile_close(tf);

    tf = tc_tickfile_open(p, TC_TICKFILE_READ, NULL);
    cr_assert_eq(tc_tickfile_note_count(tf), 3);
    cr_assert_str_eq(tc_tickfile_note(tf, 0), "import a.csv rows=100\nreject number 2 a.csv:7: bad price\n");
    cr_assert_str_eq(tc_tickfile_note(tf, 1), big);
    cr_assert_str_eq(tc_tickfile_note(tf, 2), "second writer");
    cr_assert_eq(tc_tickfile_note_add(tf, "x"), -EBADF);
    tc_tick_t buf[200], want;
    cr_assert_eq(tc_tickfile_read(tf, buf, 200), 150, "notes are not ticks");
    for (uint64_t i = 0; i < 150; i++) {
        tickgen(&want, i, 1);
        cr_assert(memcmp(&buf[i], &want, 64) == 0);
    }
    tc_tickfile_close(tf);
    report_log_t log = {0};
    cr_assert_eq(tc_tickfile_verify(p, collect, &log, NULL), 0);
    free(big);
}

/* A damaged symbol block loses its entries, not the table: later entries keep their
 * indices (placeholders fill the gap), and the ticks after it still read. */
Test(tickfile, damaged_symbol_block_keeps_later_indices)
{
    const char *p = fpath("ds.tck");
    tc_tickfile_opts_t o = {.block_ticks = 50};
    write_seq(p, TC_TICKFILE_CREATE, &o, 2, 0, 100, 100);
    tc_tickfile_t *tf = tc_tickfile_open(p, TC_TICKFILE_APPEND, &o);
    for (int k = 0; k < 3; k++) {
        tc_symbol_t s;
        tickgen_symbol(&s, k);
        tc_tickfile_symbol_add(tf, &s);
    }
    tc_tick_t t;
    for (uint64_t i = 100; i < 200; i++) {
        tickgen(&t, i, 3);
        tc_tickfile_append(tf, &t, 1);
    }
    tc_tickfile_close(tf);
    flip_byte(p, TC_TICKFILE_HEADER_SIZE + 64 + 10); /* the first symbol block's payload */

    tc_tickfile_opts_t skip = {.skip_damaged = 1};
    tf = tc_tickfile_open(p, TC_TICKFILE_READ, &skip);
    cr_assert(tf, "%s", tc_err_msg());
    int n;
    const tc_symbol_t *syms = tc_tickfile_symbols(tf, &n);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(syms[0].name, "?0");
    cr_assert_str_eq(syms[1].name, "?1");
    cr_assert_str_eq(syms[2].name, "SYM2");
    tc_tick_t buf[300], want;
    int got = 0, r;
    while ((r = tc_tickfile_read(tf, buf + got, 300 - got)) > 0)
        got += r;
    cr_assert_eq(got, 200, "only the symbol block was lost");
    for (int i = 0; i < got; i++) {
        tickgen(&want, (uint64_t)i, i < 100 ? 2 : 3);
        cr_assert(memcmp(&buf[i], &want, 64) == 0);
    }
    cr_assert_eq(tc_tickfile_stats(tf)->damaged_blocks, 1);
    tc_tickfile_close(tf);
}
