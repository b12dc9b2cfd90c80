/* replay.c — io_uring replay of a native tick file (replay.h).
 *
 * tc_tickfile_open() scans the block headers, so every tick block's offset and length
 * are known before the first read: the reader keeps `depth` whole-block reads in
 * flight in a ring of slot buffers (block k lives in slot k % depth), consumes them in
 * file order, and resubmits each slot for the block `depth` ahead as soon as it is
 * decoded.  Decoding is tc_tickfile_block_decode(): CRC32C over header and payload,
 * then one memcpy (raw) or one zstd decompression (zstd) into the caller's batch when
 * a whole block fits, else into a staging buffer.  No per-record work.
 *
 * Direct reads: when the caller's batch has room for the next uncompressed blocks and no
 * read-ahead is pending, their payloads are read straight into the batch (one vectored
 * read per block: the 64-byte header into a small buffer, the payload where its ticks
 * belong), up to DIRECT_MAX blocks in flight, and CRC-checked there.  That is one copy
 * from the page cache to the destination (a ring's slots, for `tickcast replay`) instead
 * of two.  A block that fails the check is left to the slot path above, which reads it
 * again and reports it by the usual rules (error or skip), so damage has one code path.
 *
 * When io_uring_queue_init fails (old kernel, seccomp, sysctl kernel.io_uring_disabled)
 * the same loop reads each block with pread; that is logged once per process.  Files on
 * tmpfs are read with pread by default: tmpfs cannot serve io_uring's non-blocking
 * reads, so every read is handed to a kernel worker thread, measured 2-3x slower than
 * pread (bench/bench_replay.c with TC_BENCH_DIR=/dev/shm).
 */
#include "ingest/replay.h"

#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"

#include <linux/magic.h>
#include <liburing.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <zstd.h>

#define DEPTH_MAX 16
#define DIRECT_MAX 16 /* direct block reads submitted at once */

/* A process-wide "already said it" flag: the fallback is a property of the kernel,
 * not of one file, so one notice per process is enough. */
static atomic_int uring_refusal_logged;

typedef struct slot {
    uint8_t *buf;   /* block header + stored payload */
    int blk;        /* index into rp->blocks, -1 when idle */
    int state;      /* 0 idle, 1 in flight, 2 done */
    int res;        /* bytes read or -errno */
} slot_t;

struct tc_replay {
    tc_tickfile_t *tf;
    const char *path;
    int fd;
    tc_replay_opts_t opts;
    struct io_uring ring;
    int uring;
    int fixed;      /* slot buffers are registered with the ring (READ_FIXED) */
    int reading;    /* tc_replay_read, not tc_replay_next, drives this handle */

    int *blocks;    /* index entries holding ticks (or damage), in file order */
    int nblocks;
    int next_submit, next_consume;
    int counted;    /* damaged blocks before this one are already counted */

    slot_t slots[DEPTH_MAX];
    int depth;
    size_t slot_len;

    /* direct reads: each block's header, and the iovecs, kept until the reads complete */
    uint8_t dhdr[DIRECT_MAX][TC_TICKFILE_BLOCK_HEADER_SIZE];
    struct iovec diov[DIRECT_MAX][2];
    int dres[DIRECT_MAX];
    int dpending;   /* direct reads submitted and not yet reaped (only after an error) */

    tc_tick_t *stage; /* decoded block when it does not fit the caller's batch */
    uint32_t sn, spos;
    ZSTD_DCtx *dctx;
    tc_tickfile_stats_t st;
};

static int submit(tc_replay_t *rp)
{
    int queued = 0;
    while (rp->next_submit < rp->nblocks && rp->next_submit < rp->next_consume + rp->depth) {
        int k = rp->next_submit;
        slot_t *s = &rp->slots[k % rp->depth];
        const tc_tickfile_block_t *b = tc_tickfile_block(rp->tf, rp->blocks[k]);
        /* tc_replay_read reads uncompressed blocks directly when it can: reading them
         * ahead into slots would only add a copy (read_direct) */
        if (rp->reading && k > rp->next_consume && b->codec == TC_TICKFILE_CODEC_NONE && !b->damaged)
            break;
        s->blk = k;
        s->res = 0;
        if (b->damaged && b->type == 0) {
            s->state = 2; /* nothing to read: the scan already knows it is damage */
        } else if (rp->uring) {
            struct io_uring_sqe *sqe = io_uring_get_sqe(&rp->ring);
            if (!sqe)
                break;
            unsigned len = (unsigned)(TC_TICKFILE_BLOCK_HEADER_SIZE + b->stored_len);
            if (rp->fixed)
                io_uring_prep_read_fixed(sqe, rp->fd, s->buf, len, b->off, k % rp->depth);
            else
                io_uring_prep_read(sqe, rp->fd, s->buf, len, b->off);
            io_uring_sqe_set_data64(sqe, (uint64_t)(k % rp->depth));
            s->state = 1;
            queued++;
        } else {
            s->state = 1; /* read synchronously when consumed */
        }
        rp->next_submit++;
    }
    if (queued) {
        int r = io_uring_submit(&rp->ring);
        if (r < 0)
            return TC_ERR(r, "%s: io_uring_submit: %s", rp->path, strerror(-r));
    }
    return 0;
}

/* Completes a vectored read of len bytes at off of which done are in, synchronously. */
static int preadv_rest(int fd, struct iovec iov[2], size_t len, uint64_t off, size_t done)
{
    while (done < len) {
        struct iovec rest[2];
        int n = 0;
        size_t skip = done;
        for (int i = 0; i < 2; i++) {
            if (skip >= iov[i].iov_len) {
                skip -= iov[i].iov_len;
                continue;
            }
            rest[n++] = (struct iovec){(uint8_t *)iov[i].iov_base + skip, iov[i].iov_len - skip};
            skip = 0;
        }
        ssize_t r = preadv(fd, rest, n, (off_t)(off + done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0)
            return -EIO;
        done += (size_t)r;
    }
    return 0;
}

/* Reads [off, off+len) fully with pread, starting after `done` bytes. */
static int pread_rest(int fd, uint8_t *buf, size_t len, uint64_t off, size_t done)
{
    struct iovec iov[2] = {{buf, len}, {NULL, 0}};
    int r = preadv_rest(fd, iov, len, off, done);
    return r < 0 ? r : (int)len;
}

/* Waits until slot s holds its block's bytes. */
static int slot_wait(tc_replay_t *rp, slot_t *s, const tc_tickfile_block_t *b)
{
    size_t len = TC_TICKFILE_BLOCK_HEADER_SIZE + b->stored_len;
    if (!rp->uring) {
        int r = pread_rest(rp->fd, s->buf, len, b->off, 0);
        if (r < 0)
            return TC_ERR(r, "%s: reading block at offset %llu: %s", rp->path, (unsigned long long)b->off,
                          strerror(-r));
        s->state = 2;
        return 0;
    }
    while (s->state == 1) {
        struct io_uring_cqe *cqe;
        int r = io_uring_wait_cqe(&rp->ring, &cqe);
        if (r == -EINTR)
            continue;
        if (r < 0)
            return TC_ERR(r, "%s: io_uring_wait_cqe: %s", rp->path, strerror(-r));
        slot_t *done = &rp->slots[io_uring_cqe_get_data64(cqe)];
        done->res = cqe->res;
        done->state = 2;
        io_uring_cqe_seen(&rp->ring, cqe);
    }
    if (s->res < 0)
        return TC_ERR(s->res, "%s: reading block at offset %llu: %s", rp->path, (unsigned long long)b->off,
                      strerror(-s->res));
    if ((size_t)s->res < len) {
        /* A short read (rare for regular files): finish it synchronously. */
        int r = pread_rest(rp->fd, s->buf, len, b->off, (size_t)s->res);
        if (r < 0)
            return TC_ERR(r, "%s: block at offset %llu is shorter than its header says", rp->path,
                          (unsigned long long)b->off);
    }
    return 0;
}

/* Decodes the next block into out (room for at least its count).  Returns the count,
 * 0 at the end, <0 error; damaged blocks are skipped here when so configured. */
static int next_block(tc_replay_t *rp, tc_tick_t *out, int room, const tc_tick_t **ret_zero_copy)
{
    for (;;) {
        if (rp->next_consume == rp->nblocks)
            return 0;
        int r = submit(rp);
        if (r < 0)
            return r;
        int k = rp->next_consume;
        slot_t *s = &rp->slots[k % rp->depth];
        const tc_tickfile_block_t *b = tc_tickfile_block(rp->tf, rp->blocks[k]);
        if ((int)b->count > room && !ret_zero_copy)
            return -ENOBUFS; /* caller stages it */
        if (b->damaged && b->type == 0) {
            r = TC_ERR(-EBADMSG, "%s: damaged block at offset %llu (%u bytes)", rp->path,
                       (unsigned long long)b->off, b->stored_len);
        } else {
            if ((r = slot_wait(rp, s, b)) < 0)
                return r;
            if (ret_zero_copy && b->codec == TC_TICKFILE_CODEC_NONE) {
                /* Check the CRC without copying: decode into nothing, then lend the payload. */
                r = tc_tickfile_block_decode(rp->path, b, s->buf, NULL, NULL);
                if (r >= 0) {
                    *ret_zero_copy = (const tc_tick_t *)(s->buf + TC_TICKFILE_BLOCK_HEADER_SIZE);
                    r = (int)b->count;
                }
            } else {
                tc_tick_t *dst = ret_zero_copy ? rp->stage : out;
                r = tc_tickfile_block_decode(rp->path, b, s->buf, dst, rp->dctx);
                if (r >= 0 && ret_zero_copy)
                    *ret_zero_copy = rp->stage;
            }
        }
        if (r < 0) {
            if (k >= rp->counted) {
                rp->counted = k + 1;
                rp->st.damaged_blocks++;
                rp->st.damaged_bytes += TC_TICKFILE_BLOCK_HEADER_SIZE + b->stored_len;
            }
            if (!rp->opts.skip_damaged)
                return r; /* stays on this block: the next call fails the same way */
            TC_LOG(TC_LOG_WARN, "%s (skipped)", tc_err_msg());
            tc_err_clear();
        }
        s->state = 0;
        rp->next_consume++;
        if (r >= 0) {
            rp->st.ticks_read += (uint64_t)r;
            return r;
        }
    }
}


/* Reads the next run of uncompressed, undamaged blocks that fit in room ticks straight
 * into out and checks them there.  Returns the ticks delivered, 0 when the next block is
 * not eligible (the caller takes the slot path), or -errno for an I/O error. */
static int read_direct(tc_replay_t *rp, tc_tick_t *out, int room)
{
    if (rp->dpending > 0)
        return TC_ERR(-EIO, "%s: reads of an earlier batch were lost with io_uring", rp->path);
    int nb = 0, used = 0;
    while (nb < DIRECT_MAX && rp->next_consume + nb < rp->nblocks) {
        const tc_tickfile_block_t *b = tc_tickfile_block(rp->tf, rp->blocks[rp->next_consume + nb]);
        if (b->damaged || b->type != TC_TICKFILE_BLOCK_TICKS || b->codec != TC_TICKFILE_CODEC_NONE ||
            b->raw_len != b->stored_len || b->stored_len != (uint64_t)b->count * sizeof(tc_tick_t) ||
            (int)b->count > room - used)
            break;
        rp->diov[nb][0] = (struct iovec){rp->dhdr[nb], TC_TICKFILE_BLOCK_HEADER_SIZE};
        rp->diov[nb][1] = (struct iovec){out + used, b->stored_len};
        rp->dres[nb] = -EINPROGRESS;
        used += (int)b->count;
        nb++;
    }
    if (nb == 0)
        return 0;
    if (rp->uring) {
        for (int i = 0; i < nb; i++) {
            const tc_tickfile_block_t *b = tc_tickfile_block(rp->tf, rp->blocks[rp->next_consume + i]);
            struct io_uring_sqe *sqe = io_uring_get_sqe(&rp->ring);
            if (!sqe) { /* the submission queue is smaller than DIRECT_MAX: read fewer */
                nb = i;
                break;
            }
            io_uring_prep_readv(sqe, rp->fd, rp->diov[i], 2, b->off);
            io_uring_sqe_set_data64(sqe, (uint64_t)i);
        }
        int r = io_uring_submit(&rp->ring);
        if (r < 0)
            return TC_ERR(r, "%s: io_uring_submit: %s", rp->path, strerror(-r));
        for (rp->dpending = nb; rp->dpending > 0;) {
            struct io_uring_cqe *cqe;
            r = io_uring_wait_cqe(&rp->ring, &cqe);
            if (r == -EINTR)
                continue;
            if (r < 0) /* the reads left are drained by tc_replay_close */
                return TC_ERR(r, "%s: io_uring_wait_cqe: %s", rp->path, strerror(-r));
            rp->dres[io_uring_cqe_get_data64(cqe)] = cqe->res;
            io_uring_cqe_seen(&rp->ring, cqe);
            rp->dpending--;
        }
    }
    int got = 0;
    for (int i = 0; i < nb; i++) {
        const tc_tickfile_block_t *b = tc_tickfile_block(rp->tf, rp->blocks[rp->next_consume]);
        size_t len = TC_TICKFILE_BLOCK_HEADER_SIZE + b->stored_len;
        int r = rp->uring ? rp->dres[i] : 0;
        if (r >= 0 && (size_t)r < len)
            r = preadv_rest(rp->fd, rp->diov[i], len, b->off, (size_t)r);
        if (r < 0)
            return got > 0 ? got
                           : TC_ERR(r, "%s: reading block at offset %llu: %s", rp->path,
                                    (unsigned long long)b->off, strerror(-r));
        if (tc_tickfile_block_check(rp->path, b, rp->dhdr[i], rp->diov[i][1].iov_base) < 0) {
            tc_err_clear(); /* the slot path reads it again and reports it */
            break;
        }
        rp->next_submit = ++rp->next_consume;
        rp->st.ticks_read += b->count;
        got += (int)b->count;
    }
    return got;
}

tc_replay_t *tc_replay_open(const char *path, const tc_replay_opts_t *o)
{
    tc_replay_t *rp = calloc(1, sizeof *rp);
    if (!rp) {
        TC_ERR(-ENOMEM, "%s: replay handle", path);
        return NULL;
    }
    if (o)
        rp->opts = *o;
    rp->depth = rp->opts.depth > 0 ? rp->opts.depth : 4;
    if (rp->depth > DEPTH_MAX)
        rp->depth = DEPTH_MAX;
    rp->tf = tc_tickfile_open(path, TC_TICKFILE_READ, NULL);
    if (!rp->tf)
        goto fail;
    rp->path = tc_tickfile_path(rp->tf);
    rp->fd = tc_tickfile_fd(rp->tf);
    rp->st = *tc_tickfile_stats(rp->tf);

    int n = tc_tickfile_block_count(rp->tf);
    rp->blocks = malloc((size_t)(n ? n : 1) * sizeof *rp->blocks);
    if (!rp->blocks) {
        TC_ERR(-ENOMEM, "%s: replay index", path);
        goto fail;
    }
    uint32_t max_stored = 0;
    int any_zstd = 0;
    for (int i = 0; i < n; i++) {
        const tc_tickfile_block_t *b = tc_tickfile_block(rp->tf, i);
        if (b->type != TC_TICKFILE_BLOCK_TICKS && !b->damaged)
            continue; /* symbols and notes: loaded by the open scan */
        rp->blocks[rp->nblocks++] = i;
        if (b->type != 0 && b->stored_len > max_stored)
            max_stored = b->stored_len;
        any_zstd |= b->codec == TC_TICKFILE_CODEC_ZSTD;
    }
    rp->slot_len = TC_TICKFILE_BLOCK_HEADER_SIZE + (size_t)max_stored;
    for (int i = 0; i < rp->depth; i++) {
        rp->slots[i].blk = -1;
        if (posix_memalign((void **)&rp->slots[i].buf, 4096, rp->slot_len)) {
            TC_ERR(-ENOMEM, "%s: replay buffers", path);
            goto fail;
        }
    }
    if (posix_memalign((void **)&rp->stage, 64, (size_t)TC_TICKFILE_BLOCK_TICKS_MAX * sizeof(tc_tick_t))) {
        TC_ERR(-ENOMEM, "%s: replay buffers", path);
        goto fail;
    }
    if (any_zstd && !(rp->dctx = ZSTD_createDCtx())) {
        TC_ERR(-ENOMEM, "%s: zstd context", path);
        goto fail;
    }
    struct statfs sfs;
    int tmpfs = fstatfs(rp->fd, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC;
    if (!rp->opts.force_pread && (!tmpfs || rp->opts.uring_on_tmpfs)) {
        int r = io_uring_queue_init((unsigned)(rp->depth > DIRECT_MAX ? rp->depth : DIRECT_MAX), &rp->ring, 0);
        if (r == 0) {
            rp->uring = 1;
            /* Registered buffers spare the kernel pinning the slot pages on every read;
             * where registration is refused (RLIMIT_MEMLOCK), plain reads do. */
            struct iovec iov[DEPTH_MAX];
            for (int i = 0; i < rp->depth; i++)
                iov[i] = (struct iovec){.iov_base = rp->slots[i].buf, .iov_len = rp->slot_len};
            rp->fixed = io_uring_register_buffers(&rp->ring, iov, (unsigned)rp->depth) == 0;
        } else if (!atomic_exchange(&uring_refusal_logged, 1)) {
            TC_LOG(TC_LOG_NOTICE, "io_uring unavailable (%s); replaying with pread", strerror(-r));
        }
    }
    return rp;
fail:
    tc_replay_close(rp);
    return NULL;
}

void tc_replay_close(tc_replay_t *rp)
{
    if (!rp)
        return;
    if (rp->uring) {
        /* Reads still in flight write into our buffers (or, for direct reads, the
         * caller's): drain them before returning. */
        for (; rp->dpending > 0; rp->dpending--) {
            struct io_uring_cqe *cqe;
            if (io_uring_wait_cqe(&rp->ring, &cqe) < 0)
                break;
            io_uring_cqe_seen(&rp->ring, cqe);
        }
        for (int i = 0; i < rp->depth; i++) {
            while (rp->slots[i].state == 1) {
                struct io_uring_cqe *cqe;
                if (io_uring_wait_cqe(&rp->ring, &cqe) < 0)
                    break;
                rp->slots[io_uring_cqe_get_data64(cqe)].state = 2;
                io_uring_cqe_seen(&rp->ring, cqe);
            }
        }
        io_uring_queue_exit(&rp->ring);
    }
    for (int i = 0; i < DEPTH_MAX; i++)
        free(rp->slots[i].buf);
    free(rp->stage);
    free(rp->blocks);
    ZSTD_freeDCtx(rp->dctx);
    tc_tickfile_close(rp->tf);
    free(rp);
}

int tc_replay_read(tc_replay_t *rp, tc_tick_t *out, int max)
{
    int got = 0;
    rp->reading = 1;
    while (got < max) {
        if (rp->spos < rp->sn) {
            uint32_t k = rp->sn - rp->spos;
            if (k > (uint32_t)(max - got))
                k = (uint32_t)(max - got);
            memcpy(out + got, rp->stage + rp->spos, (size_t)k * sizeof *out);
            rp->spos += k;
            got += (int)k;
            continue;
        }
        if (got > 0 && rp->next_consume < rp->nblocks &&
            (int)tc_tickfile_block(rp->tf, rp->blocks[rp->next_consume])->count > max - got)
            break; /* end the batch at a block boundary: splitting the block costs a copy */
        int r = 0;
        if (rp->next_submit == rp->next_consume && (r = read_direct(rp, out + got, max - got)) != 0) {
            if (r < 0)
                return got > 0 ? got : r;
            got += r;
            continue;
        }
        r = next_block(rp, out + got, max - got, NULL);
        if (r == -ENOBUFS) {
            /* The block is bigger than what is left of the batch: stage it. */
            r = next_block(rp, rp->stage, TC_TICKFILE_BLOCK_TICKS_MAX, NULL);
            if (r > 0) {
                rp->sn = (uint32_t)r;
                rp->spos = 0;
                continue;
            }
        }
        if (r < 0)
            return got > 0 ? got : r;
        if (r == 0)
            break;
        got += r;
    }
    return got;
}

int tc_replay_next(tc_replay_t *rp, const tc_tick_t **ret_ticks)
{
    return next_block(rp, NULL, 0, ret_ticks);
}

const tc_symbol_t *tc_replay_symbols(const tc_replay_t *rp, int *ret_n) { return tc_tickfile_symbols(rp->tf, ret_n); }
const tc_tickfile_stats_t *tc_replay_stats(const tc_replay_t *rp) { return &rp->st; }
int tc_replay_uses_uring(const tc_replay_t *rp) { return rp->uring; }
const tc_tickfile_t *tc_replay_tickfile(const tc_replay_t *rp) { return rp->tf; }
