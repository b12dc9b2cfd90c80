/* test_tickfile_mutate.c — seeded random damage to native tick files: flipped and
 * overwritten bytes anywhere (file header, block headers, payloads, raw and zstd),
 * truncation, junk appended, zeroed ranges.  Whatever the damage, opening, reading
 * (both readers), verifying and appending never crash; every record either reader
 * returns is one the writer wrote, in the writer's order; both readers agree; and a
 * refusal comes with a message naming the file. */
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "ingest/replay.h"
#include "ingest/tickfile.h"
#include "tickgen.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRIALS 1500
#define NSYMS 3
#define NTICKS 600

static char dir[256];

static void setup(void)
{
    cr_assert(tickgen_tmpdir(dir, sizeof dir), "mkdtemp");
    tc_log_set_level(-1); /* damage is expected here: keep the log quiet */
}
static void teardown(void) { tickgen_rmdir(dir); }

TestSuite(mutate, .init = setup, .fini = teardown);

static uint8_t *load(const char *p, size_t *ret_n)
{
    struct stat sb;
    cr_assert_eq(stat(p, &sb), 0);
    uint8_t *b = malloc((size_t)sb.st_size + 512);
    int fd = open(p, O_RDONLY);
    cr_assert_eq(read(fd, b, (size_t)sb.st_size), sb.st_size);
    close(fd);
    *ret_n = (size_t)sb.st_size;
    return b;
}

static void store(const char *p, const uint8_t *b, size_t n)
{
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, b, n), (ssize_t)n);
    close(fd);
}

/* Reads everything with skip_damaged; checks each record is the writer's tick
 * number v[4] and that numbers increase.  Returns the count, -1 if open refused. */
static int read_checked(const char *p, int use_replay, uint64_t *seqs, int cap)
{
    tc_tick_t buf[256], want;
    int n = 0, r;
    tc_err_clear();
    tc_tickfile_t *tf = NULL;
    tc_replay_t *rp = NULL;
    if (use_replay)
        rp = tc_replay_open(p, &(tc_replay_opts_t){.skip_damaged = 1, .depth = 3});
    else
        tf = tc_tickfile_open(p, TC_TICKFILE_READ, &(tc_tickfile_opts_t){.skip_damaged = 1});
    if (!tf && !rp) {
        cr_assert(tc_err_code() < 0 && strstr(tc_err_msg(), p), "refusal without a reason: '%s'", tc_err_msg());
        return -1;
    }
    for (;;) {
        r = use_replay ? tc_replay_read(rp, buf, 256) : tc_tickfile_read(tf, buf, 256);
        if (r <= 0)
            break;
        for (int k = 0; k < r; k++) {
            uint64_t i = (uint64_t)buf[k].v[4];
            cr_assert_lt(i, NTICKS, "a record the writer never wrote");
            tickgen(&want, i, NSYMS);
            cr_assert(memcmp(&buf[k], &want, 64) == 0, "record %llu altered", (unsigned long long)i);
            cr_assert(n == 0 || i > seqs[n - 1], "records out of order");
            cr_assert_lt(n, cap);
            seqs[n++] = i;
        }
    }
    /* skip_damaged turns damage into skips; what remains is I/O or a decode error
     * that is named */
    if (r < 0)
        cr_assert(strstr(tc_err_msg(), p), "%s", tc_err_msg());
    tc_tickfile_close(tf);
    tc_replay_close(rp);
    return n;
}

static void noop_report(void *ctx, const char *path, uint64_t off, const char *why)
{
    (void)path;
    (void)off;
    (void)why;
    ++*(int *)ctx;
}

Test(mutate, random_damage_never_crashes_or_invents_ticks)
{
    char base[2][300], p[300];
    for (int c = 0; c < 2; c++) {
        snprintf(base[c], sizeof base[c], "%s/base%d.tck", dir, c);
        tc_tickfile_t *tf = tc_tickfile_open(base[c], TC_TICKFILE_CREATE,
                                             &(tc_tickfile_opts_t){.codec = c, .block_ticks = 50});
        for (int k = 0; k < NSYMS; k++) {
            tc_symbol_t s;
            tickgen_symbol(&s, k);
            tc_tickfile_symbol_add(tf, &s);
        }
        for (uint64_t i = 0; i < NTICKS; i++) {
            tc_tick_t t;
            tickgen(&t, i, NSYMS);
            tc_tickfile_append(tf, &t, 1);
            if (i == NTICKS / 2)
                tc_tickfile_note_add(tf, "a note between tick blocks");
        }
        cr_assert_eq(tc_tickfile_close(tf), 0);
    }
    snprintf(p, sizeof p, "%s/m.tck", dir);
    size_t blen[2];
    uint8_t *img[2] = {load(base[0], &blen[0]), load(base[1], &blen[1])};
    uint8_t *work = malloc(blen[0] + 4096);
    static uint64_t s1[NTICKS + 1], s2[NTICKS + 1];
    int refused = 0, partial = 0, intact = 0;
    uint64_t seed = 0x5eed;
    for (int trial = 0; trial < TRIALS; trial++) {
        int c = trial % 2;
        size_t n = blen[c];
        memcpy(work, img[c], n);
        int ops = 1 + (int)(tickgen_mix(seed++) % 4), truncated = 0;
        for (int o = 0; o < ops && n > 0; o++) {
            uint64_t h = tickgen_mix(seed++);
            size_t at = (size_t)(tickgen_mix(seed++) % n);
            switch (h % 6) {
            case 0: work[at] ^= (uint8_t)(1u << (h >> 8) % 8); break;       /* one bit */
            case 1: work[at] = (uint8_t)(h >> 16); break;                    /* one byte */
            case 2: n = at; truncated = 1; break;                            /* truncate */
            case 3: {                                                        /* junk tail */
                size_t k = 1 + (h >> 8) % 300;
                for (size_t j = 0; j < k; j++)
                    work[n + j] = (uint8_t)tickgen_mix(seed + j);
                n += k;
                break;
            }
            case 4: memset(work + at, 0, (n - at) < 200 ? n - at : 200); break; /* zeroed range */
            case 5: work[at < 128 ? at : at % 128] ^= 0xff; break;           /* file header */
            }
        }
        store(p, work, n);
        int a = read_checked(p, 0, s1, NTICKS + 1);
        int b = read_checked(p, 1, s2, NTICKS + 1);
        cr_assert_eq(a, b, "trial %d: the two readers disagree (%d vs %d)", trial, a, b);
        if (a > 0)
            cr_assert(memcmp(s1, s2, (size_t)a * sizeof s1[0]) == 0, "trial %d: readers return different ticks",
                      trial);
        refused += a < 0;
        partial += a >= 0 && a < NTICKS;
        intact += a == NTICKS;

        int reports = 0;
        int v = tc_tickfile_verify(p, noop_report, &reports, NULL);
        cr_assert(v < 0 || v == reports);
        /* (a cut exactly at a block boundary is a shorter file, not damage) */
        if (a >= 0 && a < NTICKS && !truncated)
            cr_assert_gt(v, 0, "trial %d: ticks were lost but verify found nothing", trial);

        /* appending: refused with a reason, or the sound prefix plus the new ticks */
        tc_err_clear();
        tc_tickfile_t *tf = tc_tickfile_open(p, TC_TICKFILE_APPEND, NULL);
        if (!tf) {
            cr_assert(strstr(tc_err_msg(), p), "%s", tc_err_msg());
            continue;
        }
        tc_tickfile_close(tf);
        int after = read_checked(p, 0, s1, NTICKS + 1);
        cr_assert_geq(after, 0);
    }
    cr_log_info("%d refused, %d partial, %d intact of %d trials", refused, partial, intact, TRIALS);
    cr_assert_gt(refused, 0);
    cr_assert_gt(partial, TRIALS / 4);
    free(work);
    free(img[0]);
    free(img[1]);
}
