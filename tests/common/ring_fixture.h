/* ring_fixture.h — a segment with one ring "t" of 64-byte test records, for the ring
 * suites (tests/shm). */
#ifndef TC_TESTS_RING_FIXTURE_H
#define TC_TESTS_RING_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "shm/segment.h"

typedef struct tc_test_rec {
    alignas(64) uint64_t seq;
    uint64_t check;
    uint8_t pad[48];
} tc_test_rec_t;
_Static_assert(sizeof(tc_test_rec_t) == 64, "a test record is tick-sized");

/* Creates the segment <prefix>-<pid> (unlinking a stale one first) into *seg and its
 * name into inst; max_batch 0 takes the default.  Returns 0 or -errno (tc_err_msg). */
int tc_test_ring_segment(tc_shm_t *seg, char *inst, size_t len, const char *prefix, uint64_t capacity,
                         uint32_t max_batch, int wait_kind);
/* Detaches and unlinks it. */
void tc_test_ring_segment_drop(tc_shm_t *seg, const char *inst);

#endif
