/* tickfile.h — native tick files, which are also the ingest journal.
 *
 * A file is a header, then append-only blocks; each block carries either 64-byte
 * tc_tick_t records (optionally zstd-compressed) or symbol-table entries (tc_symbol_t),
 * and is checked by CRC32C.  docs/FORMATS.md ("Native tick file") is the byte-level
 * reference: header, block header, CRC coverage, codecs, the torn-tail rule, versions.
 *
 *     tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_APPEND, &opts);
 *     int sym = tc_tickfile_symbol_add(tf, &eurusd);
 *     r = tc_tickfile_append(tf, ticks, n);      // buffered into the current block
 *     r = tc_tickfile_sync(tf);                  // everything appended so far is on disk
 *     tc_tickfile_close(tf);
 *
 * Opening scans the block headers (not the payloads) once and keeps a small index, so
 * a reader knows every symbol and every block's place before it reads a tick.  A torn
 * tail (a crash in the middle of a block write) is detected at open, counted, and cut
 * (truncated in APPEND mode, ignored in READ mode); no byte of it is ever returned.
 * Handles are not thread-safe; one writer per file.
 */
#ifndef TC_INGEST_TICKFILE_H
#define TC_INGEST_TICKFILE_H

#include "ingest/symbols.h"
#include "shm/records.h"

#include <stddef.h>
#include <stdint.h>

#define TC_TICKFILE_VERSION 1
#define TC_TICKFILE_HEADER_SIZE 128
#define TC_TICKFILE_BLOCK_HEADER_SIZE 64
#define TC_TICKFILE_BLOCK_TICKS_DEFAULT 2048        /* 128 KiB of raw records */
#define TC_TICKFILE_BLOCK_TICKS_MAX 16384           /* 1 MiB of raw records */
/* Largest stored payload a reader accepts: a raw 1 MiB block or zstd's worst case. */
#define TC_TICKFILE_BLOCK_STORED_MAX ((1u << 20) + (1u << 16))
#define TC_TICKFILE_EXT ".tck"

enum tc_tickfile_mode {
    TC_TICKFILE_READ = 0,   /* read only; a torn tail is ignored */
    TC_TICKFILE_APPEND = 1, /* create if missing, else append; a torn tail is truncated */
    TC_TICKFILE_CREATE = 2, /* create, replacing any existing file */
};

enum tc_tickfile_codec { TC_TICKFILE_CODEC_NONE = 0, TC_TICKFILE_CODEC_ZSTD = 1 };

enum tc_tickfile_block_type {
    TC_TICKFILE_BLOCK_TICKS = 1,
    TC_TICKFILE_BLOCK_SYMBOLS = 2,
    TC_TICKFILE_BLOCK_NOTE = 3, /* free text: provenance, e.g. an import's counts */
};

#define TC_TICKFILE_NOTE_MAX 65536 /* bytes of one note */

typedef struct tc_tickfile_opts {
    int codec;             /* writer: enum tc_tickfile_codec for new blocks */
    int zstd_level;        /* writer: 0 = 3 */
    uint32_t block_ticks;  /* writer: ticks per block, 0 = default, at most _MAX */
    int skip_damaged;      /* reader: skip and count damaged blocks instead of failing */
    const char *writer;    /* writer: the header's writer string, NULL = "tickcast <ver>" */
    size_t max_write;      /* writer: split each block into writes of at most this many
                              bytes (0 = one write); widens a crash's window for tests */
} tc_tickfile_opts_t;

typedef struct tc_tickfile_stats {
    uint16_t version;
    uint32_t flags;            /* header flags (TC_TICKFILE_F_*) */
    int64_t created_ns;
    char writer[64];
    uint64_t file_bytes;       /* valid bytes: header plus every complete block */
    uint64_t blocks;           /* complete blocks, both types */
    uint64_t tick_blocks;
    uint64_t ticks;            /* ticks in the tick blocks (damaged ones included) */
    uint64_t stored_bytes;     /* tick payload bytes as stored */
    uint64_t raw_bytes;        /* ... and decompressed */
    int64_t ts_first, ts_last; /* min first / max last event time over tick blocks */
    uint64_t torn_tails;       /* 1 if a torn tail was found at open */
    uint64_t torn_bytes;       /* its length */
    uint64_t damaged_blocks;   /* damaged blocks met so far (CRC or header) */
    uint64_t damaged_bytes;
    uint64_t ticks_read;       /* ticks returned by tc_tickfile_read */
} tc_tickfile_stats_t;

#define TC_TICKFILE_F_ZSTD 0x1u /* the writer that created the file compressed its blocks */

/* One entry of the block index built at open. */
typedef struct tc_tickfile_block {
    uint64_t off;         /* file offset of the block header */
    uint64_t seq;         /* block sequence number */
    uint32_t count;       /* records (ticks or symbols) */
    uint32_t raw_len;     /* payload length once decoded */
    uint32_t stored_len;  /* payload length in the file */
    uint32_t first_sym;   /* symbol blocks: index of the first entry */
    int64_t first_ts, last_ts;
    uint16_t type;        /* enum tc_tickfile_block_type, 0 = unreadable region */
    uint8_t codec;
    uint8_t damaged;      /* header unreadable (type 0) or CRC already seen wrong */
} tc_tickfile_block_t;

typedef struct tc_tickfile tc_tickfile_t;

/* Opens path (mode as above; o may be NULL for defaults).  Returns NULL with the reason
 * on the error stack (-ENOENT, -EPROTO bad magic or header, -ESTALE other version,
 * -EBADMSG a damaged header or, in APPEND mode, a damaged block before the tail). */
tc_tickfile_t *tc_tickfile_open(const char *path, int mode, const tc_tickfile_opts_t *o);

/* Flushes a partial block (without fdatasync) and closes; returns the flush result.
 * Does nothing for NULL. */
int tc_tickfile_close(tc_tickfile_t *tf);

/* Adds a symbol to the file's table and returns its index, or the index of an entry
 * with the same name and venue already there.  The entry is written as a symbol block
 * before the next tick block.  -ENOSPC past TC_SYMBOLS_MAX; -EBADF if read-only. */
int tc_tickfile_symbol_add(tc_tickfile_t *tf, const tc_symbol_t *s);

/* The symbol table known so far (all of it once opened: the open scan reads every
 * symbol block).  Borrowed; valid until the next symbol_add or close. */
const tc_symbol_t *tc_tickfile_symbols(const tc_tickfile_t *tf, int *ret_n);

/* Writes text (1..TC_TICKFILE_NOTE_MAX bytes, UTF-8, no NUL) as a note block after the
 * ticks appended so far (they are flushed first).  Notes record provenance — what was
 * imported from where, rejects by reason — and are shown by `tickcast inspect`.
 * 0 or -errno (-EINVAL for an empty or oversized note). */
int tc_tickfile_note_add(tc_tickfile_t *tf, const char *text);

/* Notes in file order (all of them once opened).  Borrowed, NUL-terminated; valid
 * until close. */
int tc_tickfile_note_count(const tc_tickfile_t *tf);
const char *tc_tickfile_note(const tc_tickfile_t *tf, int i);

/* Appends n ticks, writing full blocks as they fill.  Returns 0, -EINVAL for a tick
 * whose sym is not in the table (nothing of the call appended), or a write error. */
int tc_tickfile_append(tc_tickfile_t *tf, const tc_tick_t *t, int n);

/* Writes the partial block, if any (a short block).  0 or -errno. */
int tc_tickfile_flush(tc_tickfile_t *tf);

/* Flushes, then fdatasync: every tick appended before the call is on disk when it
 * returns 0.  -errno on failure (then nothing is promised). */
int tc_tickfile_sync(tc_tickfile_t *tf);

/* Reads up to max ticks in file order into out.  Returns the count, 0 at the end, or
 * -EBADMSG for a damaged block (named by file and offset) unless opts.skip_damaged,
 * when it is counted and skipped.  Works in every mode (reads what is in the file). */
int tc_tickfile_read(tc_tickfile_t *tf, tc_tick_t *out, int max);

/* The last tick of the last tick block in the file: what is on disk, so not the ticks
 * appended since the last full block or flush.  1 with *out filled, 0 when the file has
 * no tick, or -errno (a damaged last block: -EBADMSG).  Leaves the read position alone. */
int tc_tickfile_last(tc_tickfile_t *tf, tc_tick_t *out);

/* Restarts reading at the first block.  This function can't fail. */
void tc_tickfile_rewind(tc_tickfile_t *tf);

/* Counters and header fields.  Borrowed; valid until close. */
const tc_tickfile_stats_t *tc_tickfile_stats(const tc_tickfile_t *tf);
const char *tc_tickfile_path(const tc_tickfile_t *tf);
/* The descriptor, for readers that issue their own I/O (replay.c).  Borrowed. */
int tc_tickfile_fd(const tc_tickfile_t *tf);

/* The block index (both types, plus type-0 entries for unreadable regions). */
int tc_tickfile_block_count(const tc_tickfile_t *tf);
const tc_tickfile_block_t *tc_tickfile_block(const tc_tickfile_t *tf, int i);

/* Checks one block's bytes (header then stored payload, as read from b->off) and
 * decodes its ticks into out (room for b->count; NULL to check only).  dctx is a
 * ZSTD_DCtx* or NULL for raw blocks.  Returns the count or -EBADMSG / -EPROTO naming path and offset. */
int tc_tickfile_block_decode(const char *path, const tc_tickfile_block_t *b, const void *bytes,
                             tc_tick_t *out, void *dctx);

/* The checks of tc_tickfile_block_decode for a block whose header (TC_TICKFILE_BLOCK_
 * HEADER_SIZE bytes) and stored payload sit in separate buffers: a reader that read a raw
 * payload straight to where its ticks belong.  Returns the count or -EBADMSG as above. */
int tc_tickfile_block_check(const char *path, const tc_tickfile_block_t *b, const void *header,
                            const void *payload);

/* Checks every block's CRC of path.  Calls report(ctx, offset, reason) once per damaged
 * block or region (a torn tail included) and returns the number reported (0 = clean),
 * or -errno if the file cannot be checked at all (missing, bad header).  ret_stats may
 * be NULL. */
int tc_tickfile_verify(const char *path,
                       void (*report)(void *ctx, const char *path, uint64_t off, const char *why),
                       void *ctx, tc_tickfile_stats_t *ret_stats);

#endif
