/* test_safetensors.c — the reader and writer on their own:
 *  - a written file reads back with the same names, dtypes, shapes, bytes and
 *    metadata (escapes included), and its header is padded to 8 bytes;
 *  - every truncation of a valid file is refused, never read past its end;
 *  - every single-byte corruption of the header either parses into a file that still
 *    tiles its data, or is refused with a reason (run under ASan for "never crashes");
 *  - strict JSON details: escapes and surrogates decode, bad ones are refused. */
#include "tests/infer/fixture.h"

#include <unistd.h>

#include "infer/json.h"

Test(safetensors, write_read_round_trip)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/tc_infer_st_%d.safetensors", (int)getpid());
    float a[6] = {1, -2, 3.5f, NAN, INFINITY, -0.0f}, b[1] = {42};
    double c[2] = {1.25, -8};
    tc_st_writer_t *w = tc_st_writer_create();
    cr_assert(w);
    cr_assert(tc_st_writer_meta(w, "note", "tab\there \"quoted\" \\ and \xc3\xa9") == 0);
    cr_assert(tc_st_writer_add_f32(w, "layer.a", a, 2, (int64_t[]){2, 3}) == 0);
    cr_assert(tc_st_writer_add_f32(w, "scalar", b, 0, NULL) == 0);
    cr_assert(tc_st_writer_add(w, "c64", "F64", c, 1, (int64_t[]){2}) == 0);
    cr_expect(tc_st_writer_add_f32(w, "scalar", b, 0, NULL) == -EEXIST);
    cr_expect(tc_st_writer_add(w, "q", "Q9", b, 0, NULL) == -EINVAL);
    cr_assert(tc_st_writer_save(w, path) == 0, "%s", tc_err_msg());
    tc_st_writer_destroy(w);

    tc_st_t *st = NULL;
    cr_assert(tc_st_open(&st, path) == 0, "%s", tc_err_msg());
    cr_expect(tc_st_count(st) == 3);
    cr_expect(strcmp(tc_st_meta(st, "note"), "tab\there \"quoted\" \\ and \xc3\xa9") == 0);
    const tc_st_tensor_t *t = tc_st_find(st, "layer.a");
    cr_assert(t);
    cr_expect(t->ndim == 2 && t->shape[0] == 2 && t->shape[1] == 3 && strcmp(t->dtype, "F32") == 0);
    float back[6];
    cr_assert(tc_st_tensor_read_f32(back, st, t, 2, (int64_t[]){2, 3}) == 0);
    cr_expect(memcmp(back, a, sizeof a) == 0, "bytes differ after a round trip");
    cr_expect(tc_st_tensor_read_f32(back, st, t, 2, (int64_t[]){3, 2}) == -EPROTO);
    t = tc_st_find(st, "scalar");
    cr_expect(t && t->ndim == 0 && t->end - t->begin == 4);
    t = tc_st_find(st, "c64");
    cr_expect(t && strcmp(t->dtype, "F64") == 0 && memcmp(t->data, c, sizeof c) == 0);
    tc_st_close(st);

    FILE *f = fopen(path, "rb");
    unsigned char len8[8];
    cr_assert(fread(len8, 1, 8, f) == 8);
    fclose(f);
    cr_expect(len8[0] % 8 == 0, "header length %u is not a multiple of 8", len8[0]);
    unlink(path);
}

Test(safetensors, every_truncation_refused)
{
    size_t n;
    unsigned char *good = fx_slurp(fx_path("gru_l2_model.safetensors"), &n);
    for (size_t len = 0; len < n; len++) {
        tc_st_t *st = NULL;
        int r = tc_st_parse(&st, good, len, "cut");
        cr_expect(r == -EBADMSG && st == NULL, "a file cut at %zu of %zu bytes was accepted", len, n);
    }
    tc_st_t *st = NULL;
    cr_expect(tc_st_parse(&st, good, n, "whole") == 0, "%s", tc_err_msg());
    tc_st_close(st);
    free(good);
}

Test(safetensors, header_corruption_never_crashes)
{
    size_t n;
    unsigned char *good = fx_slurp(fx_path("lstm_l2_model.safetensors"), &n);
    unsigned char *b = malloc(n);
    size_t hlen = good[0] | (size_t)good[1] << 8;
    static const unsigned char vals[] = {0, '"', '{', '}', '[', ']', ',', ':', '\\', '9', 'x', 0x80, 0xff};
    int accepted = 0, refused = 0;
    for (size_t i = 8; i < 8 + hlen; i++) {
        for (size_t v = 0; v < sizeof vals; v++) {
            memcpy(b, good, n);
            if (b[i] == vals[v])
                continue;
            b[i] = vals[v];
            tc_st_t *st = NULL;
            if (tc_st_parse(&st, b, n, "mutant") == 0) {
                /* Whatever parsed must still tile the data section exactly. */
                uint64_t total = 0;
                for (int k = 0; k < tc_st_count(st); k++)
                    total += tc_st_at(st, k)->end - tc_st_at(st, k)->begin;
                cr_expect(total == n - 8 - hlen, "byte %zu -> 0x%02x: tensors cover %llu of %zu",
                          i, vals[v], (unsigned long long)total, n - 8 - hlen);
                tc_st_close(st);
                accepted++;
            } else {
                cr_expect(tc_err_msg()[0] != '\0');
                refused++;
            }
        }
    }
    fprintf(stderr, "  %d header mutations refused, %d still valid (inside strings)\n", refused,
            accepted);
    cr_expect(refused > 0);
    free(b);
    free(good);
}

static int parse_str(const char *json, char *out, size_t cap)
{
    tc_json_t j;
    tc_json_init(&j, json, strlen(json));
    int r = tc_json_string(&j, out, cap);
    return r < 0 ? r : tc_json_finish(&j);
}

Test(safetensors, json_strings_strict)
{
    char out[64];
    cr_expect(parse_str("\"a\\u00e9\\ud83d\\ude00\\n\"", out, sizeof out) == 0);
    cr_expect(strcmp(out, "a\xc3\xa9\xf0\x9f\x98\x80\n") == 0);
    cr_expect(parse_str("\"\\ud83d\"", out, sizeof out) == -EBADMSG);   /* lone surrogate */
    cr_expect(parse_str("\"\\u0000\"", out, sizeof out) == -EBADMSG);   /* NUL */
    cr_expect(parse_str("\"a\tb\"", out, sizeof out) == -EBADMSG);      /* raw control */
    cr_expect(parse_str("\"\\x41\"", out, sizeof out) == -EBADMSG);     /* bad escape */
    cr_expect(parse_str("\"abc", out, sizeof out) == -EBADMSG);         /* unterminated */
    cr_expect(parse_str("\"abcdef\"", out, 4) == -EBADMSG);             /* too long */
    cr_expect(parse_str("\"a\" x", out, sizeof out) == -EBADMSG);       /* trailing */
    long long v;
    tc_json_t j;
    tc_json_init(&j, "99999999999999999999", 20);
    cr_expect(tc_json_int(&j, 0, 1LL << 50, &v) == -EBADMSG);
    tc_json_init(&j, "-1", 2);
    cr_expect(tc_json_int(&j, 0, 10, &v) == -EBADMSG);
    tc_json_init(&j, "1.5", 3);
    cr_expect(tc_json_int(&j, 0, 10, &v) == -EBADMSG);
    /* Nesting deeper than the limit is refused, not recursed into without bound. */
    char deep[200];
    memset(deep, '[', sizeof deep);
    tc_json_init(&j, deep, sizeof deep);
    cr_expect(tc_json_skip(&j) == -EBADMSG);
}
