/* replay.h — the fast reader of one native tick file: block reads through io_uring with
 * a few in flight, each block CRC-checked and decoded (raw or zstd) into the caller's
 * batch.  If the kernel refuses io_uring, it reads with pread instead and says so once
 * per process.  The file's rules (torn tail ignored, damaged blocks an error or skipped)
 * are those of tickfile.h; this is only a faster way through the same blocks.
 *
 *     tc_replay_t *rp = tc_replay_open(path, NULL);
 *     while ((n = tc_replay_read(rp, batch, 4096)) > 0) publish(batch, n);
 *     tc_replay_close(rp);
 */
#ifndef TC_INGEST_REPLAY_H
#define TC_INGEST_REPLAY_H

#include "ingest/tickfile.h"

typedef struct tc_replay_opts {
    int depth;        /* block reads in flight, 0 = 4 */
    int force_pread;  /* don't try io_uring (tests, benchmarks) */
    int uring_on_tmpfs; /* use io_uring on tmpfs too (by default tmpfs is read with pread:
                           io_uring hands its reads to worker threads, which is slower) */
    int skip_damaged; /* skip and count damaged blocks instead of failing */
} tc_replay_opts_t;

typedef struct tc_replay tc_replay_t;

/* Opens path for replay (o may be NULL).  NULL with the reason on the error stack, as
 * tc_tickfile_open in READ mode. */
tc_replay_t *tc_replay_open(const char *path, const tc_replay_opts_t *o);
/* Does nothing for NULL. */
void tc_replay_close(tc_replay_t *rp);

/* Copies up to max ticks, in file order, into out.  Returns the count, 0 at the end,
 * or -EBADMSG/-EPROTO for a damaged block (named by file and offset; the ticks before
 * it were returned by earlier calls), or -errno for an I/O error.  A batch ends early at
 * a block boundary rather than split the next block, so fewer than max is not the end.
 * Uncompressed blocks that fit are read straight into out (one copy from the page
 * cache): give it the final destination, e.g. claimed ring slots. */
int tc_replay_read(tc_replay_t *rp, tc_tick_t *out, int max);

/* Zero-copy variant: the next whole block's ticks.  Returns the count (>0), 0 at the
 * end, <0 as tc_replay_read.  *ret_ticks is borrowed; valid until the next call.  Do
 * not mix with tc_replay_read on one handle. */
int tc_replay_next(tc_replay_t *rp, const tc_tick_t **ret_ticks);

/* The file's symbol table; borrowed, valid until close. */
const tc_symbol_t *tc_replay_symbols(const tc_replay_t *rp, int *ret_n);
/* Header fields and counters (ticks_read, damaged_blocks, torn_*); borrowed. */
const tc_tickfile_stats_t *tc_replay_stats(const tc_replay_t *rp);
/* The underlying file handle, for its notes and block index.  Borrowed; do not read
 * ticks through it. */
const tc_tickfile_t *tc_replay_tickfile(const tc_replay_t *rp);
/* 1 if the reads go through io_uring, 0 if through pread. */
int tc_replay_uses_uring(const tc_replay_t *rp);

#endif
