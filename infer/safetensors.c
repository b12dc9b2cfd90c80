/* safetensors.c — the safetensors reader and writer of safetensors.h, following the
 * format's specification (github.com/huggingface/safetensors, "Format"): header length
 * as u64 little-endian, a JSON object of tensors plus an optional "__metadata__" map of
 * strings, tensor bytes tiling the rest of the file with no gaps or overlaps.
 *
 * Model files are small (kilobytes to a few megabytes), so the reader loads the whole
 * file and hands out borrowed pointers into it; nothing here runs on a hot path.
 * Tensor data need not be aligned in the file, so reads go through memcpy.
 */
#include "infer/safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "infer/json.h"

struct tc_st {
    char what[512];
    unsigned char *buf; /* the whole file */
    size_t size;
    size_t data_off;    /* 8 + header length */
    int n_tensors, cap_tensors;
    tc_st_tensor_t *tensors; /* (cap_tensors), grown as the header is read */
    int n_meta;
    char *meta_key[TC_ST_MAX_META];
    char *meta_val[TC_ST_MAX_META];
};

static const struct {
    const char *name;
    int size;
} dtypes[] = {
    {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8}, {"I32", 4}, {"I16", 2},
    {"I8", 1},  {"U64", 8}, {"U32", 4}, {"U16", 2},  {"U8", 1},   {"BOOL", 1},
    {"F8_E4M3", 1}, {"F8_E5M2", 1},
};

void tc_st_close(tc_st_t *st)
{
    if (!st)
        return;
    for (int i = 0; i < st->n_meta; i++) {
        free(st->meta_key[i]);
        free(st->meta_val[i]);
    }
    free(st->tensors);
    free(st->buf);
    free(st);
}

static int parse_metadata(tc_st_t *st, tc_json_t *j)
{
    int r, first = 1;
    char key[TC_ST_MAX_NAME];
    /* Values may be long (feature lists, metrics); bounded by the header itself. */
    size_t cap = st->data_off;
    char *val = malloc(cap);
    if (!val)
        return TC_ERR(-ENOMEM, "out of memory");
    if ((r = tc_json_expect(j, '{')) < 0)
        goto out;
    while ((r = tc_json_member(j, &first, key, sizeof key)) == 1) {
        if (tc_json_peek(j) != '"') {
            r = TC_ERR(-EBADMSG, "__metadata__ value of \"%s\" is not a string", key);
            goto out;
        }
        if ((r = tc_json_string(j, val, cap)) < 0)
            goto out;
        if (st->n_meta == TC_ST_MAX_META) {
            r = TC_ERR(-EBADMSG, "more than %d __metadata__ entries", TC_ST_MAX_META);
            goto out;
        }
        for (int i = 0; i < st->n_meta; i++)
            if (strcmp(st->meta_key[i], key) == 0) {
                r = TC_ERR(-EBADMSG, "duplicate __metadata__ key \"%s\"", key);
                goto out;
            }
        st->meta_key[st->n_meta] = strdup(key);
        st->meta_val[st->n_meta] = strdup(val);
        if (!st->meta_key[st->n_meta] || !st->meta_val[st->n_meta]) {
            free(st->meta_key[st->n_meta]);
            free(st->meta_val[st->n_meta]);
            r = TC_ERR(-ENOMEM, "out of memory");
            goto out;
        }
        st->n_meta++;
    }
out:
    free(val);
    return r;
}

static int parse_tensor(tc_st_t *st, tc_json_t *j, tc_st_tensor_t *t)
{
    int r, first = 1, have_dtype = 0, have_shape = 0, have_off = 0;
    char key[32];
    if ((r = tc_json_expect(j, '{')) < 0)
        return r;
    while ((r = tc_json_member(j, &first, key, sizeof key)) == 1) {
        if (strcmp(key, "dtype") == 0 && !have_dtype) {
            if ((r = tc_json_string(j, t->dtype, sizeof t->dtype)) < 0)
                return TC_ERR_APPEND(r, "dtype");
            for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
                if (strcmp(dtypes[i].name, t->dtype) == 0)
                    t->elem_size = dtypes[i].size;
            if (!t->elem_size)
                return TC_ERR(-EBADMSG, "unknown dtype \"%s\"", t->dtype);
            have_dtype = 1;
        } else if (strcmp(key, "shape") == 0 && !have_shape) {
            int f = 1;
            if ((r = tc_json_expect(j, '[')) < 0)
                return r;
            while ((r = tc_json_element(j, &f)) == 1) {
                long long d;
                if (t->ndim == TC_ST_MAX_DIMS)
                    return TC_ERR(-EBADMSG, "more than %d dimensions", TC_ST_MAX_DIMS);
                if ((r = tc_json_int(j, 0, 1LL << 40, &d)) < 0)
                    return TC_ERR_APPEND(r, "shape");
                t->shape[t->ndim++] = d;
            }
            if (r < 0)
                return r;
            have_shape = 1;
        } else if (strcmp(key, "data_offsets") == 0 && !have_off) {
            int f = 1, n = 0;
            long long v[2];
            if ((r = tc_json_expect(j, '[')) < 0)
                return r;
            while ((r = tc_json_element(j, &f)) == 1) {
                if (n == 2)
                    return TC_ERR(-EBADMSG, "data_offsets has more than 2 entries");
                if ((r = tc_json_int(j, 0, 1LL << 50, &v[n++])) < 0)
                    return TC_ERR_APPEND(r, "data_offsets");
            }
            if (r < 0)
                return r;
            if (n != 2)
                return TC_ERR(-EBADMSG, "data_offsets needs 2 entries, has %d", n);
            if (v[1] < v[0])
                return TC_ERR(-EBADMSG, "data_offsets [%lld, %lld] end before begin", v[0], v[1]);
            t->begin = (uint64_t)v[0];
            t->end = (uint64_t)v[1];
            have_off = 1;
        } else {
            return TC_ERR(-EBADMSG, "unexpected or repeated key \"%s\"", key);
        }
    }
    if (r < 0)
        return r;
    if (!have_dtype || !have_shape || !have_off)
        return TC_ERR(-EBADMSG, "missing %s", !have_dtype ? "dtype" : !have_shape ? "shape"
                                                                               : "data_offsets");
    uint64_t numel = 1;
    for (int i = 0; i < t->ndim; i++) {
        if (t->shape[i] && numel > (UINT64_MAX >> 20) / (uint64_t)t->shape[i])
            return TC_ERR(-EBADMSG, "shape too large");
        numel *= (uint64_t)t->shape[i];
    }
    if (t->end - t->begin != numel * (uint64_t)t->elem_size)
        return TC_ERR(-EBADMSG, "data_offsets span %llu bytes, shape and dtype need %llu",
                      (unsigned long long)(t->end - t->begin),
                      (unsigned long long)(numel * (uint64_t)t->elem_size));
    (void)st;
    return 0;
}

static int by_begin(const void *a, const void *b)
{
    const tc_st_tensor_t *x = *(tc_st_tensor_t *const *)a, *y = *(tc_st_tensor_t *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : (x->end > y->end) - (x->end < y->end);
}

static int parse_header(tc_st_t *st)
{
    if (st->size < 8)
        return TC_ERR(-EBADMSG, "truncated: %zu bytes, the header length alone needs 8",
                      st->size);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | st->buf[i];
    if (n > TC_ST_MAX_HEADER)
        return TC_ERR(-EBADMSG, "header of %llu bytes is larger than the %u allowed",
                      (unsigned long long)n, TC_ST_MAX_HEADER);
    if (n > st->size - 8)
        return TC_ERR(-EBADMSG, "truncated: header needs %llu bytes, file has %zu after the length",
                      (unsigned long long)n, st->size - 8);
    if (n < 2 || st->buf[8] != '{')
        return TC_ERR(-EBADMSG, "header does not start with '{'");
    st->data_off = 8 + (size_t)n;

    tc_json_t j;
    tc_json_init(&j, (const char *)st->buf + 8, (size_t)n);
    int r, first = 1, saw_meta = 0;
    char key[TC_ST_MAX_NAME];
    if ((r = tc_json_expect(&j, '{')) < 0)
        return TC_ERR_APPEND(r, "header");
    while ((r = tc_json_member(&j, &first, key, sizeof key)) == 1) {
        if (strcmp(key, "__metadata__") == 0) {
            if (saw_meta)
                return TC_ERR(-EBADMSG, "header: duplicate __metadata__");
            saw_meta = 1;
            if ((r = parse_metadata(st, &j)) < 0)
                return TC_ERR_APPEND(r, "header");
            continue;
        }
        if (st->n_tensors == TC_ST_MAX_TENSORS)
            return TC_ERR(-EBADMSG, "header: more than %d tensors", TC_ST_MAX_TENSORS);
        if (st->n_tensors == st->cap_tensors) {
            int cap = st->cap_tensors ? 2 * st->cap_tensors : 16;
            tc_st_tensor_t *t = realloc(st->tensors, (size_t)cap * sizeof *t);
            if (!t)
                return TC_ERR(-ENOMEM, "out of memory for %d tensors", cap);
            st->tensors = t;
            st->cap_tensors = cap;
        }
        if (tc_st_find(st, key))
            return TC_ERR(-EBADMSG, "header: duplicate tensor \"%s\"", key);
        tc_st_tensor_t *t = &st->tensors[st->n_tensors];
        memset(t, 0, sizeof *t);
        snprintf(t->name, sizeof t->name, "%s", key);
        if ((r = parse_tensor(st, &j, t)) < 0)
            return TC_ERR_APPEND(r, "header: tensor \"%s\"", key);
        st->n_tensors++;
    }
    if (r < 0)
        return TC_ERR_APPEND(r, "header");
    if ((r = tc_json_finish(&j)) < 0)
        return TC_ERR_APPEND(r, "header");

    /* The tensors must tile [0, data size) exactly: sort by begin, walk. */
    size_t data_size = st->size - st->data_off;
    tc_st_tensor_t **order = malloc(((size_t)st->n_tensors + 1) * sizeof *order);
    if (!order)
        return TC_ERR(-ENOMEM, "out of memory");
    for (int i = 0; i < st->n_tensors; i++)
        order[i] = &st->tensors[i];
    qsort(order, (size_t)st->n_tensors, sizeof *order, by_begin);
    uint64_t pos = 0;
    r = 0;
    for (int i = 0; i < st->n_tensors && r == 0; i++) {
        tc_st_tensor_t *t = order[i];
        if (t->begin != pos)
            r = TC_ERR(-EBADMSG, "tensor \"%s\" starts at data byte %llu, expected %llu (%s)",
                       t->name, (unsigned long long)t->begin, (unsigned long long)pos,
                       t->begin < pos ? "overlap" : "gap");
        else if (t->end > data_size)
            r = TC_ERR(-EBADMSG, "truncated: tensor \"%s\" needs data bytes [%llu, %llu), file "
                       "has %zu", t->name, (unsigned long long)t->begin,
                       (unsigned long long)t->end, data_size);
        pos = t->end;
    }
    free(order);
    if (r < 0)
        return r;
    if (pos != data_size)
        return TC_ERR(-EBADMSG, "%zu trailing bytes after the last tensor", data_size - (size_t)pos);
    for (int i = 0; i < st->n_tensors; i++)
        st->tensors[i].data = st->buf + st->data_off + st->tensors[i].begin;
    return 0;
}

static int st_take(tc_st_t **ret, unsigned char *buf, size_t n, const char *what)
{
    tc_st_t *st = calloc(1, sizeof *st);
    if (!st) {
        free(buf);
        return TC_ERR(-ENOMEM, "%s: out of memory", what);
    }
    snprintf(st->what, sizeof st->what, "%s", what);
    st->buf = buf;
    st->size = n;
    int r = parse_header(st);
    if (r < 0) {
        tc_st_close(st);
        return TC_ERR_APPEND(r, "%s", what);
    }
    *ret = st;
    return 0;
}

int tc_st_parse(tc_st_t **ret, const void *data, size_t n, const char *what)
{
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf)
        return TC_ERR(-ENOMEM, "%s: out of memory", what);
    memcpy(buf, data, n);
    return st_take(ret, buf, n, what);
}

int tc_st_open(tc_st_t **ret, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return TC_ERR(-errno, "%s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        int e = errno ? errno : EINVAL;
        close(fd);
        return TC_ERR(-e, "%s: not a regular file", path);
    }
    /* A file must hold at least its header; anything past a header's worth of metadata
     * and tensors is refused by the tiling check, so only guard the allocation. */
    if ((unsigned long long)sb.st_size > (1ULL << 34)) {
        close(fd);
        return TC_ERR(-EFBIG, "%s: %lld bytes is too large for a model file", path,
                      (long long)sb.st_size);
    }
    size_t n = (size_t)sb.st_size;
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf) {
        close(fd);
        return TC_ERR(-ENOMEM, "%s: out of memory for %zu bytes", path, n);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            int e = k < 0 ? errno : EIO;
            free(buf);
            close(fd);
            return TC_ERR(-e, "%s: read failed at offset %zu", path, got);
        }
        got += (size_t)k;
    }
    close(fd);
    return st_take(ret, buf, n, path);
}

const char *tc_st_what(const tc_st_t *st) { return st->what; }
int tc_st_count(const tc_st_t *st) { return st->n_tensors; }
const tc_st_tensor_t *tc_st_at(const tc_st_t *st, int i) { return &st->tensors[i]; }

const tc_st_tensor_t *tc_st_find(const tc_st_t *st, const char *name)
{
    for (int i = 0; i < st->n_tensors; i++)
        if (strcmp(st->tensors[i].name, name) == 0)
            return &st->tensors[i];
    return NULL;
}

const char *tc_st_meta(const tc_st_t *st, const char *key)
{
    for (int i = 0; i < st->n_meta; i++)
        if (strcmp(st->meta_key[i], key) == 0)
            return st->meta_val[i];
    return NULL;
}

int tc_st_meta_count(const tc_st_t *st) { return st->n_meta; }

void tc_st_meta_at(const tc_st_t *st, int i, const char **ret_key, const char **ret_value)
{
    *ret_key = st->meta_key[i];
    *ret_value = st->meta_val[i];
}

static void shape_str(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t n = 0;
    n += (size_t)snprintf(buf + n, cap - n, "[");
    for (int i = 0; i < ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
}

int tc_st_tensor_read_f32(float *dst, const tc_st_t *st, const tc_st_tensor_t *t, int ndim,
                          const int64_t *shape)
{
    if (strcmp(t->dtype, "F32") != 0)
        return TC_ERR(-EPROTO, "%s: tensor %s: dtype %s, expected F32", st->what, t->name,
                      t->dtype);
    int same = t->ndim == ndim;
    for (int i = 0; same && i < ndim; i++)
        same = t->shape[i] == shape[i];
    if (!same) {
        char got[96], want[96];
        shape_str(got, sizeof got, t->ndim, t->shape);
        shape_str(want, sizeof want, ndim, shape);
        return TC_ERR(-EPROTO, "%s: tensor %s: shape %s, expected %s", st->what, t->name, got,
                      want);
    }
    /* The format is little-endian, as is every machine this builds for. */
    _Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian");
    memcpy(dst, t->data, (size_t)(t->end - t->begin));
    return 0;
}

/* ---- writer ---- */

typedef struct wtensor {
    char name[TC_ST_MAX_NAME];
    char dtype[8];
    const void *data;
    int ndim;
    int64_t shape[TC_ST_MAX_DIMS];
    size_t bytes;
} wtensor_t;

struct tc_st_writer {
    int n_tensors, n_meta;
    wtensor_t tensors[TC_ST_MAX_TENSORS];
    char *meta_key[TC_ST_MAX_META];
    char *meta_val[TC_ST_MAX_META];
};

tc_st_writer_t *tc_st_writer_create(void)
{
    tc_st_writer_t *w = calloc(1, sizeof *w);
    if (!w)
        TC_ERR(-ENOMEM, "out of memory for a safetensors writer");
    return w;
}

void tc_st_writer_destroy(tc_st_writer_t *w)
{
    if (!w)
        return;
    for (int i = 0; i < w->n_meta; i++) {
        free(w->meta_key[i]);
        free(w->meta_val[i]);
    }
    free(w);
}

int tc_st_writer_meta(tc_st_writer_t *w, const char *key, const char *value)
{
    if (w->n_meta == TC_ST_MAX_META)
        return TC_ERR(-ENOSPC, "more than %d metadata entries", TC_ST_MAX_META);
    for (int i = 0; i < w->n_meta; i++)
        if (strcmp(w->meta_key[i], key) == 0)
            return TC_ERR(-EEXIST, "metadata key \"%s\" added twice", key);
    char *k = strdup(key), *v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        return TC_ERR(-ENOMEM, "out of memory");
    }
    w->meta_key[w->n_meta] = k;
    w->meta_val[w->n_meta++] = v;
    return 0;
}

int tc_st_writer_add_f32(tc_st_writer_t *w, const char *name, const float *data, int ndim,
                         const int64_t *shape)
{
    return tc_st_writer_add(w, name, "F32", data, ndim, shape);
}

int tc_st_writer_add(tc_st_writer_t *w, const char *name, const char *dtype, const void *data,
                     int ndim, const int64_t *shape)
{
    int elem = 0;
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (strcmp(dtypes[i].name, dtype) == 0)
            elem = dtypes[i].size;
    if (!elem)
        return TC_ERR(-EINVAL, "tensor \"%s\": unknown dtype \"%s\"", name, dtype);
    if (w->n_tensors == TC_ST_MAX_TENSORS)
        return TC_ERR(-ENOSPC, "more than %d tensors", TC_ST_MAX_TENSORS);
    if (ndim < 0 || ndim > TC_ST_MAX_DIMS || strlen(name) >= TC_ST_MAX_NAME ||
        strcmp(name, "__metadata__") == 0)
        return TC_ERR(-EINVAL, "tensor \"%s\": bad name or %d dimensions", name, ndim);
    for (int i = 0; i < w->n_tensors; i++)
        if (strcmp(w->tensors[i].name, name) == 0)
            return TC_ERR(-EEXIST, "tensor \"%s\" added twice", name);
    wtensor_t *t = &w->tensors[w->n_tensors++];
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->dtype, sizeof t->dtype, "%s", dtype);
    t->data = data;
    t->ndim = ndim;
    size_t numel = 1;
    for (int i = 0; i < ndim; i++) {
        t->shape[i] = shape[i];
        numel *= (size_t)shape[i];
    }
    t->bytes = numel * (size_t)elem;
    return 0;
}

/* A growable header buffer; only the writer allocates like this (never a hot path). */
typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf_t;

static int sb_reserve(sbuf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return TC_ERR(-ENOMEM, "out of memory for a safetensors header");
    b->p = p;
    b->cap = cap;
    return 0;
}

static int sb_printf(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sb_printf(sbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    int r = sb_reserve(b, (size_t)n);
    if (r < 0)
        return r;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

static int sb_quote(sbuf_t *b, const char *s)
{
    /* Worst case: every byte a \u00XX escape, plus the quotes. */
    int r = sb_reserve(b, 6 * strlen(s) + 2);
    return r < 0 ? r : tc_json_quote(b->p, b->cap, &b->len, s);
}

static int build_header(sbuf_t *b, const tc_st_writer_t *w)
{
    int r = sb_printf(b, "{");
    if (w->n_meta) {
        r = r < 0 ? r : sb_printf(b, "\"__metadata__\":{");
        for (int i = 0; i < w->n_meta && r == 0; i++) {
            r = sb_printf(b, i ? "," : "");
            r = r < 0 ? r : sb_quote(b, w->meta_key[i]);
            r = r < 0 ? r : sb_printf(b, ":");
            r = r < 0 ? r : sb_quote(b, w->meta_val[i]);
        }
        r = r < 0 ? r : sb_printf(b, "}");
    }
    size_t off = 0;
    for (int i = 0; i < w->n_tensors && r == 0; i++) {
        const wtensor_t *t = &w->tensors[i];
        r = sb_printf(b, (i || w->n_meta) ? "," : "");
        r = r < 0 ? r : sb_quote(b, t->name);
        r = r < 0 ? r : sb_printf(b, ":{\"dtype\":\"%s\",\"shape\":[", t->dtype);
        for (int d = 0; d < t->ndim && r == 0; d++)
            r = sb_printf(b, "%s%lld", d ? "," : "", (long long)t->shape[d]);
        r = r < 0 ? r : sb_printf(b, "],\"data_offsets\":[%zu,%zu]}", off, off + t->bytes);
        off += t->bytes;
    }
    r = r < 0 ? r : sb_printf(b, "}");
    /* Pad with spaces so the data section starts 8-byte aligned (as the Python library). */
    while (r == 0 && (b->len % 8) != 0)
        r = sb_printf(b, " ");
    return r;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -errno;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

int tc_st_writer_save(tc_st_writer_t *w, const char *path)
{
    sbuf_t hb = {0};
    char tmp[4096];
    int fd = -1, r;
    if ((r = build_header(&hb, w)) < 0)
        goto fail;
    if (hb.len > TC_ST_MAX_HEADER) {
        r = TC_ERR(-EFBIG, "%s: header of %zu bytes is larger than the %u allowed", path,
                   hb.len, TC_ST_MAX_HEADER);
        goto fail;
    }
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        r = TC_ERR(-ENAMETOOLONG, "%s: path too long", path);
        goto fail;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        r = TC_ERR(-errno, "%s: %s", tmp, strerror(errno));
        goto fail;
    }
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)((uint64_t)hb.len >> (8 * i));
    r = write_all(fd, len8, 8);
    r = r < 0 ? r : write_all(fd, hb.p, hb.len);
    for (int i = 0; i < w->n_tensors && r == 0; i++)
        r = write_all(fd, w->tensors[i].data, w->tensors[i].bytes);
    if (r == 0 && fsync(fd) < 0)
        r = -errno;
    if (r < 0) {
        r = TC_ERR(r, "%s: write failed: %s", tmp, strerror(-r));
        goto fail;
    }
    if (close(fd) < 0) {
        fd = -1;
        r = TC_ERR(-errno, "%s: close failed: %s", tmp, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        r = TC_ERR(-errno, "%s: rename failed: %s", path, strerror(errno));
        goto fail;
    }
    free(hb.p);
    return 0;
fail:
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(hb.p);
    return r;
}
