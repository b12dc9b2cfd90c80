/* test_tickfile_noalloc.c — the journal's append path and the replay read path do not
 * allocate in steady state (STYLE §4): malloc, calloc and realloc are interposed and
 * counted while blocks are appended (raw and zstd) and replayed.  The one allocation a
 * writer may make is the block index doubling (amortised, once per power of two
 * blocks); the counted windows stay inside one capacity.  Skipped under ASan, which
 * owns malloc. */
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "ingest/replay.h"
#include "ingest/tickfile.h"
#include "tickgen.h"

#include <criterion/criterion.h>
#include "tests/common/alloc_count.h"

#if defined(__SANITIZE_ADDRESS__)
Test(tickfile_noalloc, hot_paths) { cr_skip_test("AddressSanitizer replaces malloc; run this in a Release build"); }
#else

TC_TEST_ALLOC_COUNTER(counting, allocs)

Test(tickfile_noalloc, append_and_replay)
{
    char dir[256];
    cr_assert(tickgen_tmpdir(dir, sizeof dir));
    tc_log_set_level(TC_LOG_ERR);
    static tc_tick_t batch[500];
    for (int codec = 0; codec < 2; codec++) {
        char p[300];
        snprintf(p, sizeof p, "%s/n%d.tck", dir, codec);
        tc_tickfile_t *tf = tc_tickfile_open(p, TC_TICKFILE_CREATE,
                                             &(tc_tickfile_opts_t){.codec = codec, .block_ticks = 256});
        tc_symbol_t s;
        tickgen_symbol(&s, 0);
        tc_tickfile_symbol_add(tf, &s);
        uint64_t i = 0;
        /* warm-up: 70 blocks, so the index (64, then 128 entries) has room for 40 more */
        for (; i < 70 * 256; i += 256) {
            for (int k = 0; k < 256; k++)
                tickgen(&batch[k], i + (uint64_t)k, 1);
            cr_assert_eq(tc_tickfile_append(tf, batch, 256), 0);
        }
        counting = 1;
        allocs = 0;
        for (int round = 0; round < 100; round++, i += 97) {
            for (int k = 0; k < 97; k++)
                tickgen(&batch[k], i + (uint64_t)k, 1);
            cr_assert_eq(tc_tickfile_append(tf, batch, 97), 0);
        }
        cr_assert_eq(tc_tickfile_flush(tf), 0);
        counting = 0;
        cr_assert_eq(allocs, 0, "codec %d: %ld allocations while appending 38 blocks", codec, allocs);
        tc_tickfile_close(tf);

        tc_replay_t *rp = tc_replay_open(p, &(tc_replay_opts_t){.uring_on_tmpfs = 1});
        cr_assert(rp);
        /* first batch: lazy setup may allocate (it ends at a block boundary: 256 ticks) */
        int r = tc_replay_read(rp, batch, 500);
        cr_assert_eq(r, 256);
        counting = 1;
        allocs = 0;
        uint64_t got = (uint64_t)r;
        while ((r = tc_replay_read(rp, batch, 333)) > 0)
            got += (uint64_t)r;
        counting = 0;
        cr_assert_eq(r, 0);
        cr_assert_eq(got, i);
        cr_assert_eq(allocs, 0, "codec %d: %ld allocations while replaying", codec, allocs);
        tc_replay_close(rp);
    }
    tickgen_rmdir(dir);
}
#endif
