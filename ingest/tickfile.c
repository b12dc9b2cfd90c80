/* tickfile.c — native tick files (the ingest journal): writer/appender, block scan,
 * torn-tail detection and cutting, sequential reader, CRC verification.
 *
 * docs/FORMATS.md, "Native tick file", is the reference for every byte written here;
 * the on-disk structs below mirror its tables.  The io_uring reader (replay.c) shares
 * the block index and tc_tickfile_block_decode(), so both readers apply one set of
 * checks.  What this file does not do: merging several files (tickdir.c), importing
 * CSV (import.c).  The recovery rule follows the kdb+ tickerplant log check (-11!):
 * find the last complete, valid chunk and cut after it, but with a per-block CRC so
 * damage in the middle of a file is told apart from a torn tail.
 */
#include "ingest/tickfile.h"

#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "ingest/crc32c.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "native tick files are little-endian; a big-endian port needs byte swapping here"
#endif

/* ---- on-disk layouts (docs/FORMATS.md) ------------------------------------------- */

static const uint8_t file_magic[8] = {0x89, 'T', 'C', 'K', '\r', '\n', 0x1a, '\n'};
#define BLOCK_MAGIC 0x4b424354u /* "TCBK" as bytes in the file */

typedef struct disk_header {
    uint8_t magic[8];
    uint16_t version;
    uint16_t header_size;
    uint16_t record_size;
    uint16_t symbol_size;
    uint32_t flags;
    uint32_t block_ticks;
    int64_t created_ns;
    char writer[64];
    uint8_t reserved[28];
    uint32_t crc; /* CRC32C of bytes 0..123 */
} disk_header_t;

_Static_assert(sizeof(disk_header_t) == TC_TICKFILE_HEADER_SIZE, "file header layout");
_Static_assert(offsetof(disk_header_t, created_ns) == 24, "file header layout");
_Static_assert(offsetof(disk_header_t, writer) == 32, "file header layout");
_Static_assert(offsetof(disk_header_t, crc) == 124, "file header layout");

typedef struct disk_block {
    uint32_t magic;
    uint16_t type;
    uint8_t codec;
    uint8_t reserved0;
    uint64_t seq;
    uint32_t count;
    uint32_t first_sym;
    int64_t ts_min;
    int64_t ts_max;
    uint32_t raw_len;
    uint32_t stored_len;
    uint8_t reserved1[8];
    uint32_t hdr_crc; /* CRC32C of bytes 0..55 */
    uint32_t crc;     /* CRC32C of bytes 0..59, then the stored payload */
} disk_block_t;

_Static_assert(sizeof(disk_block_t) == TC_TICKFILE_BLOCK_HEADER_SIZE, "block header layout");
_Static_assert(offsetof(disk_block_t, seq) == 8, "block header layout");
_Static_assert(offsetof(disk_block_t, ts_min) == 24, "block header layout");
_Static_assert(offsetof(disk_block_t, raw_len) == 40, "block header layout");
_Static_assert(offsetof(disk_block_t, hdr_crc) == 56, "block header layout");
_Static_assert(offsetof(disk_block_t, crc) == 60, "block header layout");

/* ---- the handle -------------------------------------------------------------------- */

struct tc_tickfile {
    char *path;
    int fd;
    int mode;
    tc_tickfile_opts_t opts;
    tc_tickfile_stats_t st;

    tc_symbol_t *syms; /* TC_SYMBOLS_MAX entries */
    int nsyms;
    int syms_written; /* entries already in a symbol block */

    tc_tickfile_block_t *idx;
    int nidx, cap_idx;

    char **notes;
    int nnotes;

    uint64_t end_off;  /* where the next block goes (writer) / end of valid data */
    uint64_t next_seq;
    int dir_synced;    /* the directory entry of a new file was fsynced */

    /* writer */
    tc_tick_t *wbuf;   /* (block_ticks) ticks of the block being filled */
    uint32_t wn;
    uint8_t *wio;      /* block header + stored payload being written */
    size_t wio_cap;
    ZSTD_CCtx *cctx;

    /* reader */
    int ridx;          /* next index entry to read */
    int rcounted;      /* damaged entries before this index are already counted */
    tc_tick_t *rbuf;   /* decoded ticks of the current block */
    uint32_t rn, rpos;
    uint8_t *rio;      /* raw bytes of the current block */
    size_t rio_cap;
    ZSTD_DCtx *dctx;
};

static uint32_t block_record_size(uint16_t type)
{
    switch (type) {
    case TC_TICKFILE_BLOCK_SYMBOLS: return (uint32_t)sizeof(tc_symbol_t);
    case TC_TICKFILE_BLOCK_NOTE: return 1; /* a note's records are its bytes */
    default: return (uint32_t)sizeof(tc_tick_t);
    }
}

/* Checks a block header on its own (magic, header CRC, lengths).  Returns NULL when it
 * is sound, else a static reason; *ret_crc_ok says if the header CRC matched (a header
 * with a good CRC and absurd fields is damage, never a tear). */
static const char *block_header_check(const disk_block_t *h, int *ret_crc_ok)
{
    *ret_crc_ok = 0;
    if (h->magic != BLOCK_MAGIC)
        return "bad block magic";
    if (tc_crc32c(0, h, offsetof(disk_block_t, hdr_crc)) != h->hdr_crc)
        return "block header CRC mismatch";
    *ret_crc_ok = 1;
    if (h->type != TC_TICKFILE_BLOCK_TICKS && h->type != TC_TICKFILE_BLOCK_SYMBOLS &&
        h->type != TC_TICKFILE_BLOCK_NOTE)
        return "unknown block type";
    if (h->codec > TC_TICKFILE_CODEC_ZSTD ||
        (h->type != TC_TICKFILE_BLOCK_TICKS && h->codec != TC_TICKFILE_CODEC_NONE))
        return "unknown block codec";
    uint32_t cap = h->type == TC_TICKFILE_BLOCK_SYMBOLS ? TC_SYMBOLS_MAX
                   : h->type == TC_TICKFILE_BLOCK_NOTE  ? TC_TICKFILE_NOTE_MAX
                                                        : TC_TICKFILE_BLOCK_TICKS_MAX;
    if (h->count == 0 || h->count > cap)
        return "absurd record count";
    if ((uint64_t)h->count * block_record_size(h->type) != h->raw_len)
        return "raw length does not match the record count";
    if (h->stored_len > TC_TICKFILE_BLOCK_STORED_MAX)
        return "absurd stored length";
    if (h->codec == TC_TICKFILE_CODEC_NONE && h->stored_len != h->raw_len)
        return "stored length differs from raw length in an uncompressed block";
    if (h->type == TC_TICKFILE_BLOCK_SYMBOLS && (uint64_t)h->first_sym + h->count > TC_SYMBOLS_MAX)
        return "symbol block past the table's capacity";
    return NULL;
}

static void block_from_disk(tc_tickfile_block_t *b, const disk_block_t *h, uint64_t off)
{
    memset(b, 0, sizeof *b);
    b->off = off;
    b->seq = h->seq;
    b->count = h->count;
    b->raw_len = h->raw_len;
    b->stored_len = h->stored_len;
    b->first_sym = h->first_sym;
    b->first_ts = h->ts_min;
    b->last_ts = h->ts_max;
    b->type = h->type;
    b->codec = h->codec;
}

/* ---- small I/O helpers -------------------------------------------------------------- */

static int pread_full(int fd, void *buf, size_t n, uint64_t off)
{
    uint8_t *p = buf;
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, p + done, n - done, (off_t)(off + done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (int)done;
}

static int pwrite_full(int fd, const void *buf, size_t n, uint64_t off, size_t chunk)
{
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < n) {
        size_t len = n - done;
        if (chunk && len > chunk)
            len = chunk;
        ssize_t r = pwrite(fd, p + done, len, (off_t)(off + done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        done += (size_t)r;
    }
    return 0;
}

static int idx_push(tc_tickfile_t *tf, const tc_tickfile_block_t *b)
{
    if (tf->nidx == tf->cap_idx) {
        int cap = tf->cap_idx ? 2 * tf->cap_idx : 64;
        tc_tickfile_block_t *n = realloc(tf->idx, (size_t)cap * sizeof *n);
        if (!n)
            return TC_ERR(-ENOMEM, "%s: block index", tf->path);
        tf->idx = n;
        tf->cap_idx = cap;
    }
    tf->idx[tf->nidx++] = *b;
    if (b->type == TC_TICKFILE_BLOCK_TICKS) {
        if (tf->st.tick_blocks == 0 || b->first_ts < tf->st.ts_first)
            tf->st.ts_first = b->first_ts;
        if (tf->st.tick_blocks == 0 || b->last_ts > tf->st.ts_last)
            tf->st.ts_last = b->last_ts;
        tf->st.tick_blocks++;
        tf->st.ticks += b->count;
        tf->st.stored_bytes += b->stored_len;
        tf->st.raw_bytes += b->raw_len;
    }
    if (b->type != 0)
        tf->st.blocks++;
    return 0;
}

static int ensure_buf(uint8_t **buf, size_t *cap, size_t need)
{
    if (*cap >= need)
        return 0;
    size_t c = need < (1u << 16) ? (1u << 16) : need;
    void *n = NULL;
    if (posix_memalign(&n, 4096, c) != 0)
        return -ENOMEM;
    free(*buf);
    *buf = n;
    *cap = c;
    return 0;
}

/* ---- decoding ----------------------------------------------------------------------- */

int tc_tickfile_block_check(const char *path, const tc_tickfile_block_t *b, const void *header,
                            const void *payload)
{
    const disk_block_t *h = header;
    int crc_ok;
    const char *why = block_header_check(h, &crc_ok);
    if (why)
        return TC_ERR(-EBADMSG, "%s: block at offset %llu: %s", path, (unsigned long long)b->off, why);
    if (h->stored_len != b->stored_len || h->type != b->type || h->codec != b->codec)
        return TC_ERR(-EBADMSG, "%s: block at offset %llu changed since the file was opened", path,
                      (unsigned long long)b->off);
    uint32_t crc = tc_crc32c(0, h, offsetof(disk_block_t, crc));
    crc = tc_crc32c(crc, payload, h->stored_len);
    if (crc != h->crc)
        return TC_ERR(-EBADMSG, "%s: block %llu CRC mismatch at offset %llu", path,
                      (unsigned long long)h->seq, (unsigned long long)b->off);
    return (int)h->count;
}

int tc_tickfile_block_decode(const char *path, const tc_tickfile_block_t *b, const void *bytes,
                             tc_tick_t *out, void *dctx)
{
    const disk_block_t *h = bytes;
    const uint8_t *payload = (const uint8_t *)bytes + sizeof *h;
    int r = tc_tickfile_block_check(path, b, h, payload);
    if (r < 0)
        return r;
    if (h->type != TC_TICKFILE_BLOCK_TICKS)
        return 0;
    if (!out)
        return (int)h->count; /* checked only; the caller reads the payload in place */
    if (h->codec == TC_TICKFILE_CODEC_NONE) {
        memcpy(out, payload, h->raw_len);
        return (int)h->count;
    }
    if (!dctx)
        return TC_ERR(-EINVAL, "%s: zstd block at offset %llu needs a decompression context", path,
                      (unsigned long long)b->off);
    size_t z = ZSTD_decompressDCtx(dctx, out, h->raw_len, payload, h->stored_len);
    if (ZSTD_isError(z) || z != h->raw_len)
        return TC_ERR(-EPROTO, "%s: block %llu at offset %llu: zstd payload does not decode to %u bytes%s%s",
                      path, (unsigned long long)h->seq, (unsigned long long)b->off, h->raw_len,
                      ZSTD_isError(z) ? ": " : "", ZSTD_isError(z) ? ZSTD_getErrorName(z) : "");
    return (int)h->count;
}

/* ---- header ------------------------------------------------------------------------- */

static int header_write(tc_tickfile_t *tf)
{
    disk_header_t h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, file_magic, sizeof h.magic);
    h.version = TC_TICKFILE_VERSION;
    h.header_size = TC_TICKFILE_HEADER_SIZE;
    h.record_size = sizeof(tc_tick_t);
    h.symbol_size = sizeof(tc_symbol_t);
    h.flags = tf->opts.codec == TC_TICKFILE_CODEC_ZSTD ? TC_TICKFILE_F_ZSTD : 0;
    h.block_ticks = tf->opts.block_ticks;
    h.created_ns = tc_clock_real_ns();
    snprintf(h.writer, sizeof h.writer, "%s", tf->opts.writer ? tf->opts.writer : "tickcast " TC_VERSION);
    h.crc = tc_crc32c(0, &h, offsetof(disk_header_t, crc));
    int r = pwrite_full(tf->fd, &h, sizeof h, 0, tf->opts.max_write);
    if (r < 0)
        return TC_ERR(r, "%s: writing the header: %s", tf->path, strerror(-r));
    tf->st.version = h.version;
    tf->st.flags = h.flags;
    tf->st.created_ns = h.created_ns;
    memcpy(tf->st.writer, h.writer, sizeof h.writer);
    tf->end_off = sizeof h;
    return 0;
}

static int header_read(tc_tickfile_t *tf)
{
    disk_header_t h;
    int r = pread_full(tf->fd, &h, sizeof h, 0);
    if (r < 0)
        return TC_ERR(r, "%s: reading the header: %s", tf->path, strerror(-r));
    if ((size_t)r < sizeof h)
        return TC_ERR(-EPROTO, "%s: truncated header (%d of %d bytes): not a complete tick file", tf->path, r,
                      TC_TICKFILE_HEADER_SIZE);
    if (memcmp(h.magic, file_magic, sizeof h.magic) != 0)
        return TC_ERR(-EPROTO, "%s: not a tickcast tick file (bad magic at offset 0)", tf->path);
    if (h.version != TC_TICKFILE_VERSION)
        return TC_ERR(-ESTALE, "%s: tick file format version %u, this build reads version %u", tf->path,
                      h.version, TC_TICKFILE_VERSION);
    if (tc_crc32c(0, &h, offsetof(disk_header_t, crc)) != h.crc)
        return TC_ERR(-EBADMSG, "%s: file header CRC mismatch at offset 0", tf->path);
    if (h.header_size != TC_TICKFILE_HEADER_SIZE || h.record_size != sizeof(tc_tick_t) ||
        h.symbol_size != sizeof(tc_symbol_t))
        return TC_ERR(-EPROTO, "%s: header sizes %u/%u/%u, expected %u/%zu/%zu (header/tick/symbol)", tf->path,
                      h.header_size, h.record_size, h.symbol_size, TC_TICKFILE_HEADER_SIZE, sizeof(tc_tick_t),
                      sizeof(tc_symbol_t));
    tf->st.version = h.version;
    tf->st.flags = h.flags;
    tf->st.created_ns = h.created_ns;
    memcpy(tf->st.writer, h.writer, sizeof h.writer);
    tf->st.writer[sizeof tf->st.writer - 1] = '\0';
    return 0;
}

/* ---- the open scan ------------------------------------------------------------------- */

/* Looks for the next sound block header after off (byte by byte; only on damage).
 * Returns its offset, or size when there is none. */
static uint64_t scan_resync(tc_tickfile_t *tf, uint64_t off, uint64_t size)
{
    enum { WIN = 1 << 16 };
    uint8_t *buf = malloc(WIN + sizeof(disk_block_t));
    if (!buf)
        return size;
    uint64_t pos = off + 1;
    while (pos + sizeof(disk_block_t) <= size) {
        int n = pread_full(tf->fd, buf, WIN + sizeof(disk_block_t), pos);
        if (n < (int)sizeof(disk_block_t))
            break;
        for (int i = 0; i + (int)sizeof(disk_block_t) <= n; i++) {
            uint32_t magic;
            memcpy(&magic, buf + i, sizeof magic);
            if (magic != BLOCK_MAGIC)
                continue;
            disk_block_t h;
            memcpy(&h, buf + i, sizeof h);
            int crc_ok;
            if (!block_header_check(&h, &crc_ok)) {
                free(buf);
                return pos + (uint64_t)i;
            }
        }
        pos += WIN;
    }
    free(buf);
    return size;
}

static int all_zero_from(tc_tickfile_t *tf, uint64_t off, uint64_t size)
{
    uint8_t buf[4096];
    while (off < size) {
        size_t n = size - off < sizeof buf ? (size_t)(size - off) : sizeof buf;
        if (pread_full(tf->fd, buf, n, off) != (int)n)
            return 0;
        for (size_t i = 0; i < n; i++)
            if (buf[i])
                return 0;
        off += n;
    }
    return 1;
}

static int symbols_load(tc_tickfile_t *tf, const tc_tickfile_block_t *b, const uint8_t *bytes)
{
    if (b->first_sym < (uint32_t)tf->nsyms)
        return TC_ERR(-EPROTO, "%s: symbol block at offset %llu starts at entry %u, the table has %d", tf->path,
                      (unsigned long long)b->off, b->first_sym, tf->nsyms);
    /* Entries lost with a damaged symbol block earlier: placeholders keep the later
     * indices right, so the ticks that name them still resolve. */
    while ((uint32_t)tf->nsyms < b->first_sym) {
        tc_symbol_t *s = &tf->syms[tf->nsyms++];
        memset(s, 0, sizeof *s);
        snprintf(s->name, sizeof s->name, "?%d", tf->nsyms - 1);
    }
    memcpy(tf->syms + tf->nsyms, bytes + sizeof(disk_block_t), b->raw_len);
    for (uint32_t i = 0; i < b->count; i++) {
        tc_symbol_t *s = &tf->syms[tf->nsyms + i];
        s->name[sizeof s->name - 1] = '\0';
        s->venue[sizeof s->venue - 1] = '\0';
        s->tz[sizeof s->tz - 1] = '\0';
    }
    tf->nsyms += (int)b->count;
    tf->syms_written = tf->nsyms;
    return 0;
}

static int note_load(tc_tickfile_t *tf, const tc_tickfile_block_t *b, const uint8_t *bytes)
{
    char **n = realloc(tf->notes, (size_t)(tf->nnotes + 1) * sizeof *n);
    if (!n)
        return TC_ERR(-ENOMEM, "%s: notes", tf->path);
    tf->notes = n;
    char *text = malloc((size_t)b->raw_len + 1);
    if (!text)
        return TC_ERR(-ENOMEM, "%s: notes", tf->path);
    memcpy(text, bytes + sizeof(disk_block_t), b->raw_len);
    text[b->raw_len] = '\0';
    tf->notes[tf->nnotes++] = text;
    return 0;
}

static void note_damage(tc_tickfile_t *tf, uint64_t off, uint64_t len, const char *why)
{
    TC_LOG(TC_LOG_WARN, "%s: damaged block at offset %llu (%llu bytes): %s", tf->path, (unsigned long long)off,
           (unsigned long long)len, why);
}

/* Walks the block headers from the first block, building the index and loading the
 * symbol table; classifies what does not parse as a torn tail (cut at *ret_end) or as
 * damage (a type-0 index entry).  Reads payloads only of symbol blocks and of the
 * last block, whose CRC decides whether the tail is torn. */
static int scan(tc_tickfile_t *tf, uint64_t size)
{
    uint64_t off = TC_TICKFILE_HEADER_SIZE;
    int r;
    while (off < size) {
        uint64_t rem = size - off;
        disk_block_t h;
        if (rem < sizeof h)
            break; /* torn: partial block header */
        r = pread_full(tf->fd, &h, sizeof h, off);
        if (r < 0)
            return TC_ERR(r, "%s: reading block header at offset %llu: %s", tf->path, (unsigned long long)off,
                          strerror(-r));
        int crc_ok;
        const char *why = block_header_check(&h, &crc_ok);
        if (why) {
            if (!crc_ok && all_zero_from(tf, off, size))
                break; /* torn: the size grew but the bytes never landed */
            uint64_t next = scan_resync(tf, off, size);
            if (next == size && !crc_ok)
                break; /* torn: a garbled last header with nothing sound after it */
            tc_tickfile_block_t d = {.off = off, .stored_len = (uint32_t)(next - off), .damaged = 1};
            note_damage(tf, off, next - off, why);
            if ((r = idx_push(tf, &d)) < 0)
                return r;
            off = next;
            continue;
        }
        uint64_t end = off + sizeof h + h.stored_len;
        if (end > size)
            break; /* torn: short block */
        tc_tickfile_block_t b;
        block_from_disk(&b, &h, off);
        if (h.type == TC_TICKFILE_BLOCK_SYMBOLS || h.type == TC_TICKFILE_BLOCK_NOTE) {
            if ((r = ensure_buf(&tf->rio, &tf->rio_cap, sizeof h + h.stored_len)) < 0)
                return TC_ERR(r, "%s: symbol block buffer", tf->path);
            if ((r = pread_full(tf->fd, tf->rio, sizeof h + h.stored_len, off)) < 0)
                return TC_ERR(r, "%s: reading symbol block at offset %llu", tf->path, (unsigned long long)off);
            r = tc_tickfile_block_decode(tf->path, &b, tf->rio, NULL, NULL);
            if (r < 0) {
                if (end == size)
                    break; /* torn: last block, bad CRC */
                b.damaged = 1;
                note_damage(tf, off, end - off, tc_err_msg());
                tc_err_clear();
            } else if ((r = h.type == TC_TICKFILE_BLOCK_NOTE ? note_load(tf, &b, tf->rio)
                                                             : symbols_load(tf, &b, tf->rio)) < 0) {
                return r;
            }
        } else if (end == size) {
            /* The last block decides whether the tail is torn: check its CRC now. */
            if ((r = ensure_buf(&tf->rio, &tf->rio_cap, sizeof h + h.stored_len)) < 0)
                return TC_ERR(r, "%s: block buffer", tf->path);
            if ((r = pread_full(tf->fd, tf->rio, sizeof h + h.stored_len, off)) < 0)
                return TC_ERR(r, "%s: reading block at offset %llu", tf->path, (unsigned long long)off);
            uint32_t crc = tc_crc32c(0, tf->rio, offsetof(disk_block_t, crc));
            crc = tc_crc32c(crc, tf->rio + sizeof h, h.stored_len);
            if (crc != h.crc)
                break; /* torn: last block, bad CRC */
        }
        if ((r = idx_push(tf, &b)) < 0)
            return r;
        if (h.seq >= tf->next_seq)
            tf->next_seq = h.seq + 1;
        off = end;
    }
    tf->end_off = off;
    tf->st.file_bytes = off;
    if (off < size) {
        tf->st.torn_tails = 1;
        tf->st.torn_bytes = size - off;
    }
    return 0;
}

/* ---- open / close ------------------------------------------------------------------- */

tc_tickfile_t *tc_tickfile_open(const char *path, int mode, const tc_tickfile_opts_t *o)
{
    int r;
    tc_tickfile_t *tf = calloc(1, sizeof *tf);
    if (!tf) {
        TC_ERR(-ENOMEM, "%s: tick file handle", path);
        return NULL;
    }
    tf->fd = -1;
    tf->mode = mode;
    if (o)
        tf->opts = *o;
    if (tf->opts.block_ticks == 0)
        tf->opts.block_ticks = TC_TICKFILE_BLOCK_TICKS_DEFAULT;
    if (tf->opts.block_ticks > TC_TICKFILE_BLOCK_TICKS_MAX)
        tf->opts.block_ticks = TC_TICKFILE_BLOCK_TICKS_MAX;
    if (tf->opts.zstd_level == 0)
        tf->opts.zstd_level = 3;
    tf->path = strdup(path);
    tf->syms = calloc(TC_SYMBOLS_MAX, sizeof *tf->syms);
    if (!tf->path || !tf->syms) {
        TC_ERR(-ENOMEM, "%s: tick file handle", path);
        goto fail;
    }

    int flags = mode == TC_TICKFILE_READ ? O_RDONLY : O_RDWR | O_CREAT;
    if (mode == TC_TICKFILE_CREATE)
        flags |= O_TRUNC;
    tf->fd = open(path, flags | O_CLOEXEC, 0644);
    if (tf->fd < 0) {
        TC_ERR(-errno, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (mode != TC_TICKFILE_READ && flock(tf->fd, LOCK_EX | LOCK_NB) < 0) {
        TC_ERR(errno == EWOULDBLOCK ? -EBUSY : -errno, "%s: another writer has the file open", path);
        goto fail;
    }
    struct stat sb;
    if (fstat(tf->fd, &sb) < 0) {
        TC_ERR(-errno, "%s: stat: %s", path, strerror(errno));
        goto fail;
    }
    uint64_t size = (uint64_t)sb.st_size;

    if (mode != TC_TICKFILE_READ && size < TC_TICKFILE_HEADER_SIZE) {
        /* A new file, or one whose creation was cut short before the header landed:
         * nothing in it can be data, so it starts over. */
        if (size > 0) {
            tf->st.torn_tails = 1;
            tf->st.torn_bytes = size;
            TC_LOG(TC_LOG_WARN, "%s: incomplete header (%llu bytes) from an interrupted creation; starting over",
                   path, (unsigned long long)size);
        }
        if (ftruncate(tf->fd, 0) < 0) {
            TC_ERR(-errno, "%s: truncate: %s", path, strerror(errno));
            goto fail;
        }
        if ((r = header_write(tf)) < 0)
            goto fail;
        tf->st.file_bytes = tf->end_off;
    } else {
        if ((r = header_read(tf)) < 0)
            goto fail;
        if ((r = scan(tf, size)) < 0)
            goto fail;
        tf->dir_synced = 1;
        if (mode != TC_TICKFILE_READ) {
            for (int i = 0; i < tf->nidx; i++) {
                if (tf->idx[i].damaged) {
                    TC_ERR(-EBADMSG, "%s: damaged block at offset %llu before the tail; refusing to append "
                           "(tickcast verify lists the damage)", path, (unsigned long long)tf->idx[i].off);
                    goto fail;
                }
            }
            if (tf->st.torn_tails) {
                TC_LOG(TC_LOG_WARN, "%s: torn tail of %llu bytes at offset %llu cut", path,
                       (unsigned long long)tf->st.torn_bytes, (unsigned long long)tf->end_off);
                if (ftruncate(tf->fd, (off_t)tf->end_off) < 0) {
                    TC_ERR(-errno, "%s: cutting the torn tail: %s", path, strerror(errno));
                    goto fail;
                }
            }
        } else if (tf->st.torn_tails) {
            TC_LOG(TC_LOG_NOTICE, "%s: torn tail of %llu bytes at offset %llu ignored", path,
                   (unsigned long long)tf->st.torn_bytes, (unsigned long long)tf->end_off);
        }
    }

    if (mode != TC_TICKFILE_READ) {
        size_t raw = (size_t)tf->opts.block_ticks * sizeof(tc_tick_t);
        size_t cap = sizeof(disk_block_t) + ZSTD_compressBound(raw);
        if (posix_memalign((void **)&tf->wbuf, 64, raw) != 0 || ensure_buf(&tf->wio, &tf->wio_cap, cap) < 0) {
            TC_ERR(-ENOMEM, "%s: block buffers", path);
            goto fail;
        }
        if (tf->opts.codec == TC_TICKFILE_CODEC_ZSTD) {
            tf->cctx = ZSTD_createCCtx();
            if (!tf->cctx) {
                TC_ERR(-ENOMEM, "%s: zstd context", path);
                goto fail;
            }
        }
    }
    return tf;
fail:
    if (tf->fd >= 0)
        close(tf->fd);
    for (int i = 0; i < tf->nnotes; i++)
        free(tf->notes[i]);
    free(tf->notes);
    free(tf->path);
    free(tf->syms);
    free(tf->idx);
    free(tf->wbuf);
    free(tf->wio);
    free(tf->rio);
    ZSTD_freeCCtx(tf->cctx);
    free(tf);
    return NULL;
}

int tc_tickfile_close(tc_tickfile_t *tf)
{
    if (!tf)
        return 0;
    int r = tf->mode != TC_TICKFILE_READ ? tc_tickfile_flush(tf) : 0;
    close(tf->fd);
    for (int i = 0; i < tf->nnotes; i++)
        free(tf->notes[i]);
    free(tf->notes);
    free(tf->path);
    free(tf->syms);
    free(tf->idx);
    free(tf->wbuf);
    free(tf->wio);
    free(tf->rio);
    free(tf->rbuf);
    ZSTD_freeCCtx(tf->cctx);
    ZSTD_freeDCtx(tf->dctx);
    free(tf);
    return r;
}

/* ---- writing ------------------------------------------------------------------------ */

/* Writes one block of type/count records from payload at end_off, then indexes it.
 * On a failed write the file is cut back to end_off, so the tail stays clean. */
static int block_write(tc_tickfile_t *tf, uint16_t type, const void *payload, uint32_t count, uint32_t first_sym,
                       int64_t ts_min, int64_t ts_max)
{
    disk_block_t h;
    memset(&h, 0, sizeof h);
    h.magic = BLOCK_MAGIC;
    h.type = type;
    h.seq = tf->next_seq;
    h.count = count;
    h.first_sym = first_sym;
    h.ts_min = ts_min;
    h.ts_max = ts_max;
    h.raw_len = count * block_record_size(type);
    uint8_t *dst = tf->wio + sizeof h;
    h.codec = TC_TICKFILE_CODEC_NONE;
    h.stored_len = h.raw_len;
    if (type == TC_TICKFILE_BLOCK_TICKS && tf->cctx) {
        size_t z = ZSTD_compressCCtx(tf->cctx, dst, tf->wio_cap - sizeof h, payload, h.raw_len,
                                     tf->opts.zstd_level);
        /* Incompressible data is stored raw: never bigger than the records themselves. */
        if (!ZSTD_isError(z) && z < h.raw_len) {
            h.codec = TC_TICKFILE_CODEC_ZSTD;
            h.stored_len = (uint32_t)z;
        }
    }
    if (h.codec == TC_TICKFILE_CODEC_NONE)
        memcpy(dst, payload, h.raw_len);
    h.hdr_crc = tc_crc32c(0, &h, offsetof(disk_block_t, hdr_crc));
    uint32_t crc = tc_crc32c(0, &h, offsetof(disk_block_t, crc));
    h.crc = tc_crc32c(crc, dst, h.stored_len);
    memcpy(tf->wio, &h, sizeof h);

    size_t len = sizeof h + h.stored_len;
    int r = pwrite_full(tf->fd, tf->wio, len, tf->end_off, tf->opts.max_write);
    if (r < 0) {
        int e = r;
        if (ftruncate(tf->fd, (off_t)tf->end_off) < 0)
            TC_LOG(TC_LOG_ERR, "%s: cannot cut a failed block write at offset %llu: %s", tf->path,
                   (unsigned long long)tf->end_off, strerror(errno));
        return TC_ERR(e, "%s: writing block %llu at offset %llu: %s", tf->path, (unsigned long long)h.seq,
                      (unsigned long long)tf->end_off, strerror(-e));
    }
    tc_tickfile_block_t b;
    block_from_disk(&b, &h, tf->end_off);
    if ((r = idx_push(tf, &b)) < 0)
        return r;
    tf->end_off += len;
    tf->st.file_bytes = tf->end_off;
    tf->next_seq++;
    return 0;
}

static int symbols_flush(tc_tickfile_t *tf)
{
    if (tf->syms_written == tf->nsyms)
        return 0;
    int r = block_write(tf, TC_TICKFILE_BLOCK_SYMBOLS, tf->syms + tf->syms_written,
                        (uint32_t)(tf->nsyms - tf->syms_written), (uint32_t)tf->syms_written, 0, 0);
    if (r < 0)
        return r;
    tf->syms_written = tf->nsyms;
    return 0;
}

static int ticks_flush(tc_tickfile_t *tf)
{
    if (tf->wn == 0)
        return 0;
    int r = symbols_flush(tf);
    if (r < 0)
        return r;
    int64_t lo = tf->wbuf[0].ts_event, hi = lo;
    for (uint32_t i = 1; i < tf->wn; i++) {
        int64_t t = tf->wbuf[i].ts_event;
        lo = t < lo ? t : lo;
        hi = t > hi ? t : hi;
    }
    r = block_write(tf, TC_TICKFILE_BLOCK_TICKS, tf->wbuf, tf->wn, 0, lo, hi);
    if (r < 0)
        return r;
    tf->wn = 0;
    return 0;
}

int tc_tickfile_symbol_add(tc_tickfile_t *tf, const tc_symbol_t *s)
{
    if (tf->mode == TC_TICKFILE_READ)
        return TC_ERR(-EBADF, "%s: opened read-only", tf->path);
    for (int i = 0; i < tf->nsyms; i++)
        if (strncmp(tf->syms[i].name, s->name, sizeof s->name) == 0 &&
            strncmp(tf->syms[i].venue, s->venue, sizeof s->venue) == 0)
            return i;
    if (tf->nsyms >= TC_SYMBOLS_MAX)
        return TC_ERR(-ENOSPC, "%s: symbol table full (%d entries)", tf->path, TC_SYMBOLS_MAX);
    tc_symbol_t *d = &tf->syms[tf->nsyms];
    *d = *s;
    d->name[sizeof d->name - 1] = '\0';
    d->venue[sizeof d->venue - 1] = '\0';
    d->tz[sizeof d->tz - 1] = '\0';
    return tf->nsyms++;
}

int tc_tickfile_note_add(tc_tickfile_t *tf, const char *text)
{
    if (tf->mode == TC_TICKFILE_READ)
        return TC_ERR(-EBADF, "%s: opened read-only", tf->path);
    size_t len = strlen(text);
    if (len == 0 || len > TC_TICKFILE_NOTE_MAX)
        return TC_ERR(-EINVAL, "%s: a note has 1..%d bytes, got %zu", tf->path, TC_TICKFILE_NOTE_MAX, len);
    int r = ticks_flush(tf);
    if (r < 0 || (r = symbols_flush(tf)) < 0)
        return r;
    size_t need = sizeof(disk_block_t) + len;
    if (need > tf->wio_cap && ensure_buf(&tf->wio, &tf->wio_cap, need) < 0)
        return TC_ERR(-ENOMEM, "%s: note buffer", tf->path);
    /* block_write copies the payload into wio after the header: keep our own copy. */
    char *copy = strdup(text);
    if (!copy)
        return TC_ERR(-ENOMEM, "%s: note", tf->path);
    r = block_write(tf, TC_TICKFILE_BLOCK_NOTE, copy, (uint32_t)len, 0, 0, 0);
    if (r < 0) {
        free(copy);
        return r;
    }
    char **n = realloc(tf->notes, (size_t)(tf->nnotes + 1) * sizeof *n);
    if (!n) {
        free(copy);
        return TC_ERR(-ENOMEM, "%s: notes", tf->path);
    }
    tf->notes = n;
    tf->notes[tf->nnotes++] = copy;
    return 0;
}

int tc_tickfile_note_count(const tc_tickfile_t *tf) { return tf->nnotes; }
const char *tc_tickfile_note(const tc_tickfile_t *tf, int i) { return tf->notes[i]; }

const tc_symbol_t *tc_tickfile_symbols(const tc_tickfile_t *tf, int *ret_n)
{
    *ret_n = tf->nsyms;
    return tf->syms;
}

int tc_tickfile_append(tc_tickfile_t *tf, const tc_tick_t *t, int n)
{
    if (tf->mode == TC_TICKFILE_READ)
        return TC_ERR(-EBADF, "%s: opened read-only", tf->path);
    for (int i = 0; i < n; i++)
        if (t[i].sym >= tf->nsyms)
            return TC_ERR(-EINVAL, "%s: tick %d of %d has symbol %u, the table has %d", tf->path, i, n, t[i].sym,
                          tf->nsyms);
    while (n > 0) {
        uint32_t room = tf->opts.block_ticks - tf->wn;
        uint32_t k = (uint32_t)n < room ? (uint32_t)n : room;
        memcpy(tf->wbuf + tf->wn, t, (size_t)k * sizeof *t);
        tf->wn += k;
        t += k;
        n -= (int)k;
        if (tf->wn == tf->opts.block_ticks) {
            int r = ticks_flush(tf);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

int tc_tickfile_flush(tc_tickfile_t *tf)
{
    if (tf->mode == TC_TICKFILE_READ)
        return 0;
    int r = symbols_flush(tf);
    if (r < 0)
        return r;
    return ticks_flush(tf);
}

int tc_tickfile_sync(tc_tickfile_t *tf)
{
    int r = tc_tickfile_flush(tf);
    if (r < 0)
        return r;
    if (fdatasync(tf->fd) < 0)
        return TC_ERR(-errno, "%s: fdatasync: %s", tf->path, strerror(errno));
    if (!tf->dir_synced) {
        /* A new file's name is durable only once its directory is synced. */
        char *copy = strdup(tf->path);
        int dfd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        free(copy);
        if (dfd < 0 || fsync(dfd) < 0) {
            int e = errno;
            if (dfd >= 0)
                close(dfd);
            return TC_ERR(-e, "%s: syncing its directory: %s", tf->path, strerror(e));
        }
        close(dfd);
        tf->dir_synced = 1;
    }
    return 0;
}

/* ---- reading ------------------------------------------------------------------------ */

/* Reads block b's header and stored payload into rio (and makes the zstd context it
 * needs), for tc_tickfile_block_decode.  0 or -errno. */
static int block_read(tc_tickfile_t *tf, const tc_tickfile_block_t *b)
{
    size_t len = sizeof(disk_block_t) + b->stored_len;
    int r;
    if ((r = ensure_buf(&tf->rio, &tf->rio_cap, len)) < 0)
        return TC_ERR(r, "%s: read buffer", tf->path);
    if (b->codec == TC_TICKFILE_CODEC_ZSTD && !tf->dctx && !(tf->dctx = ZSTD_createDCtx()))
        return TC_ERR(-ENOMEM, "%s: zstd context", tf->path);
    r = pread_full(tf->fd, tf->rio, len, b->off);
    if (r < 0)
        return TC_ERR(r, "%s: reading block at offset %llu: %s", tf->path, (unsigned long long)b->off,
                      strerror(-r));
    if ((size_t)r < len)
        return TC_ERR(-EIO, "%s: block at offset %llu: file shrank while open", tf->path,
                      (unsigned long long)b->off);
    return 0;
}

/* Loads the next tick block into rbuf.  1 loaded, 0 at the end, <0 error. */
static int read_next_block(tc_tickfile_t *tf)
{
    int r;
    while (tf->ridx < tf->nidx) {
        const tc_tickfile_block_t *b = &tf->idx[tf->ridx++];
        if (b->type != TC_TICKFILE_BLOCK_TICKS && !b->damaged)
            continue; /* symbols and notes were loaded by the open scan */
        /* Strict mode stops at the damage and stays there: the next read meets the same
         * block (and error) again, counted once. */
        int first_visit = tf->ridx > tf->rcounted;
        if (first_visit)
            tf->rcounted = tf->ridx;
        if (b->damaged) {
            if (first_visit) {
                tf->st.damaged_blocks++;
                tf->st.damaged_bytes += b->stored_len;
            }
            if (!tf->opts.skip_damaged) {
                tf->ridx--;
                return TC_ERR(-EBADMSG, "%s: damaged block at offset %llu (%u bytes)", tf->path,
                              (unsigned long long)b->off, b->stored_len);
            }
            continue;
        }
        size_t len = sizeof(disk_block_t) + b->stored_len;
        if (!tf->rbuf) {
            if (posix_memalign((void **)&tf->rbuf, 64, (size_t)TC_TICKFILE_BLOCK_TICKS_MAX * sizeof(tc_tick_t)))
                return TC_ERR(-ENOMEM, "%s: read buffer", tf->path);
        }
        if ((r = block_read(tf, b)) < 0)
            return r;
        r = tc_tickfile_block_decode(tf->path, b, tf->rio, tf->rbuf, tf->dctx);
        if (r < 0) {
            if (first_visit) {
                tf->st.damaged_blocks++;
                tf->st.damaged_bytes += len;
            }
            if (!tf->opts.skip_damaged) {
                tf->ridx--;
                return r;
            }
            TC_LOG(TC_LOG_WARN, "%s (skipped)", tc_err_msg());
            tc_err_clear();
            continue;
        }
        tf->rn = (uint32_t)r;
        tf->rpos = 0;
        return 1;
    }
    return 0;
}

int tc_tickfile_read(tc_tickfile_t *tf, tc_tick_t *out, int max)
{
    int got = 0;
    while (got < max) {
        if (tf->rpos == tf->rn) {
            int r = read_next_block(tf);
            if (r < 0 && got == 0)
                return r;
            if (r <= 0)
                break; /* the ticks before a damaged block are returned (and counted) first */
        }
        uint32_t k = tf->rn - tf->rpos;
        if (k > (uint32_t)(max - got))
            k = (uint32_t)(max - got);
        memcpy(out + got, tf->rbuf + tf->rpos, (size_t)k * sizeof *out);
        tf->rpos += k;
        got += (int)k;
    }
    tf->st.ticks_read += (uint64_t)got;
    return got;
}

int tc_tickfile_last(tc_tickfile_t *tf, tc_tick_t *out)
{
    for (int i = tf->nidx - 1; i >= 0; i--) {
        const tc_tickfile_block_t *b = &tf->idx[i];
        if (b->type != TC_TICKFILE_BLOCK_TICKS || b->count == 0)
            continue;
        if (b->damaged)
            return TC_ERR(-EBADMSG, "%s: damaged block at offset %llu", tf->path, (unsigned long long)b->off);
        /* decoded aside: rbuf holds what the reader has not returned yet */
        tc_tick_t *ticks = NULL;
        if (posix_memalign((void **)&ticks, 64, (size_t)b->count * sizeof *ticks))
            return TC_ERR(-ENOMEM, "%s: reading the last block", tf->path);
        int r = block_read(tf, b);
        if (r == 0)
            r = tc_tickfile_block_decode(tf->path, b, tf->rio, ticks, tf->dctx);
        if (r > 0) {
            *out = ticks[r - 1];
            r = 1;
        }
        free(ticks);
        return r;
    }
    return 0;
}

void tc_tickfile_rewind(tc_tickfile_t *tf)
{
    tf->ridx = 0;
    tf->rn = tf->rpos = 0;
}

const tc_tickfile_stats_t *tc_tickfile_stats(const tc_tickfile_t *tf) { return &tf->st; }
const char *tc_tickfile_path(const tc_tickfile_t *tf) { return tf->path; }
int tc_tickfile_fd(const tc_tickfile_t *tf) { return tf->fd; }
int tc_tickfile_block_count(const tc_tickfile_t *tf) { return tf->nidx; }
const tc_tickfile_block_t *tc_tickfile_block(const tc_tickfile_t *tf, int i) { return &tf->idx[i]; }

/* ---- verify ------------------------------------------------------------------------- */

int tc_tickfile_verify(const char *path,
                       void (*report)(void *ctx, const char *path, uint64_t off, const char *why), void *ctx,
                       tc_tickfile_stats_t *ret_stats)
{
    tc_tickfile_t *tf = tc_tickfile_open(path, TC_TICKFILE_READ, NULL);
    if (!tf)
        return tc_err_code() ? tc_err_code() : -EIO;
    int bad = 0, r = 0;
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    tc_tick_t *out = NULL;
    if (!dctx || posix_memalign((void **)&out, 64, (size_t)TC_TICKFILE_BLOCK_TICKS_MAX * sizeof *out)) {
        r = TC_ERR(-ENOMEM, "%s: verify buffers", path);
        goto done;
    }
    for (int i = 0; i < tf->nidx; i++) {
        const tc_tickfile_block_t *b = &tf->idx[i];
        char why[TC_ERR_MSG_MAX];
        if (b->damaged && b->type == 0) {
            snprintf(why, sizeof why, "unreadable block header (%u bytes up to the next sound block)", b->stored_len);
            report(ctx, path, b->off, why);
            bad++;
            tf->st.damaged_blocks++;
            tf->st.damaged_bytes += b->stored_len;
            continue;
        }
        size_t len = sizeof(disk_block_t) + b->stored_len;
        if ((r = ensure_buf(&tf->rio, &tf->rio_cap, len)) < 0)
            goto done;
        r = pread_full(tf->fd, tf->rio, len, b->off);
        if (r < (int)len) {
            r = TC_ERR(r < 0 ? r : -EIO, "%s: reading block at offset %llu", path, (unsigned long long)b->off);
            goto done;
        }
        r = tc_tickfile_block_decode(path, b, tf->rio, out, dctx);
        if (r < 0) {
            report(ctx, path, b->off, tc_err_msg());
            tc_err_clear();
            bad++;
            tf->st.damaged_blocks++;
            tf->st.damaged_bytes += len;
        }
    }
    r = 0;
    if (tf->st.torn_tails) {
        char why[128];
        snprintf(why, sizeof why, "torn tail (%llu bytes of an incomplete block)",
                 (unsigned long long)tf->st.torn_bytes);
        report(ctx, path, tf->end_off, why);
        bad++;
    }
done:
    if (ret_stats)
        *ret_stats = tf->st;
    free(out);
    ZSTD_freeDCtx(dctx);
    tc_tickfile_close(tf);
    return r < 0 ? r : bad;
}
