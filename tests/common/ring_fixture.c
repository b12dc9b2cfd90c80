/* ring_fixture.c — the test segment of ring_fixture.h. */
#include "tests/common/ring_fixture.h"

#include <stdio.h>
#include <unistd.h>

int tc_test_ring_segment(tc_shm_t *seg, char *inst, size_t len, const char *prefix, uint64_t capacity,
                         uint32_t max_batch, int wait_kind)
{
    snprintf(inst, len, "%s-%d", prefix, getpid());
    tc_shm_unlink(inst);
    tc_ring_spec_t spec = {"t", sizeof(tc_test_rec_t), capacity, max_batch};
    return tc_shm_create(seg, inst, &spec, 1, wait_kind);
}

void tc_test_ring_segment_drop(tc_shm_t *seg, const char *inst)
{
    tc_shm_detach(seg);
    tc_shm_unlink(inst);
}
