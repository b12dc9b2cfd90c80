/* safetensors.h — reading and writing safetensors files (the Hugging Face weight
 * format): an 8-byte little-endian header length N, N bytes of JSON header
 *     {"__metadata__": {"key": "value", ...},
 *      "name": {"dtype": "F32", "shape": [d0, d1], "data_offsets": [begin, end]}, ...}
 * then the raw little-endian tensor bytes, offsets relative to the end of the header.
 * The reader is strict: the tensors must tile the data section exactly. */
#ifndef TC_INFER_SAFETENSORS_H
#define TC_INFER_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#define TC_ST_MAX_HEADER (16u << 20) /* bytes of JSON header accepted */
#define TC_ST_MAX_TENSORS 4096
#define TC_ST_MAX_DIMS 8
#define TC_ST_MAX_NAME 256
#define TC_ST_MAX_META 256

typedef struct tc_st_tensor {
    char name[TC_ST_MAX_NAME];
    char dtype[8];           /* "F32", "F64", "I64", ... as in the header */
    int elem_size;           /* bytes per element of dtype */
    int ndim;
    int64_t shape[TC_ST_MAX_DIMS];
    uint64_t begin, end;     /* byte offsets in the data section */
    const unsigned char *data; /* begin's address; borrowed from the file handle */
} tc_st_tensor_t;

typedef struct tc_st tc_st_t;

/* Reads and validates path.  On success *ret owns the whole file in memory; release
 * it with tc_st_close (NULL is fine).  Errors: -ENOENT etc. from the OS, -EBADMSG for
 * a malformed file (truncated, header too large, bad JSON, bad dtype, offsets that do
 * not tile the data), each with "path: ..." on the error stack. */
int tc_st_open(tc_st_t **ret, const char *path);
/* As tc_st_open over a copy of the n bytes at data; what names it in errors. */
int tc_st_parse(tc_st_t **ret, const void *data, size_t n, const char *what);
void tc_st_close(tc_st_t *st);

/* The name errors mention (the path). */
const char *tc_st_what(const tc_st_t *st);
int tc_st_count(const tc_st_t *st);
/* The i-th tensor in header order; borrowed until tc_st_close. */
const tc_st_tensor_t *tc_st_at(const tc_st_t *st, int i);
/* By exact name, or NULL. */
const tc_st_tensor_t *tc_st_find(const tc_st_t *st, const char *name);
/* A __metadata__ value by key, or NULL; borrowed until tc_st_close. */
const char *tc_st_meta(const tc_st_t *st, const char *key);
int tc_st_meta_count(const tc_st_t *st);
void tc_st_meta_at(const tc_st_t *st, int i, const char **ret_key, const char **ret_value);

/* Copies tensor t into dst after checking it is F32 with exactly the given shape
 * (ndim dims).  -EPROTO with "path: tensor NAME: ..." otherwise; dst untouched then. */
int tc_st_tensor_read_f32(float *dst, const tc_st_t *st, const tc_st_tensor_t *t, int ndim,
                          const int64_t *shape);

/* ---- writing ---- */
typedef struct tc_st_writer tc_st_writer_t;

/* An empty file under construction; NULL on allocation failure (error stack set). */
tc_st_writer_t *tc_st_writer_create(void);
void tc_st_writer_destroy(tc_st_writer_t *w);
/* Adds a __metadata__ entry (both strings copied). */
int tc_st_writer_meta(tc_st_writer_t *w, const char *key, const char *value);
/* Adds a tensor of any safetensors dtype ("F64", "I32", ...) from raw little-endian
 * bytes; data is borrowed until tc_st_writer_save returns.  -EINVAL for an unknown
 * dtype or a bad name. */
int tc_st_writer_add(tc_st_writer_t *w, const char *name, const char *dtype, const void *data,
                     int ndim, const int64_t *shape);
/* Adds an F32 tensor; data is borrowed until tc_st_writer_save returns. */
int tc_st_writer_add_f32(tc_st_writer_t *w, const char *name, const float *data, int ndim,
                         const int64_t *shape);
/* Writes the file through path.tmp and rename(), so a reader never sees half a file. */
int tc_st_writer_save(tc_st_writer_t *w, const char *path);

#endif
