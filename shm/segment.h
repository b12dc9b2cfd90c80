/* segment.h — one shared-memory segment per instance, /dev/shm/tickcast.<instance>.
 *
 * Layout (docs/PROTOCOL.md §Shared memory): a header page (magic, layout version,
 * record sizes, ring geometry, a ready flag set last), the ring control blocks, the
 * stage table, the counters area, then each ring's records.  Everything in it is a
 * fixed layout of <stdint.h> and <stdatomic.h> types; tc_shm_attach refuses a
 * segment whose magic, layout version, record sizes or geometry do not match what this
 * build expects, with a one-line reason.
 */
#ifndef TC_SHM_SEGMENT_H
#define TC_SHM_SEGMENT_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "shm/records.h"

#define TC_SHM_MAGIC "TICKCAST"
#define TC_SHM_LAYOUT_VERSION 4u
#define TC_SHM_RINGS_MAX 8
#define TC_SHM_STAGES_MAX 16
#define TC_SHM_COUNTERS_MAX 512
#define TC_SHM_SYMBOLS_MAX 1024
#define TC_RING_CONSUMERS_MAX 8
#define TC_SHM_NAME_MAX 32
#define TC_RING_CONSUMER_NAME_MAX 24

/* ---- ring control block (one per ring, in the segment) ---------------------------- */

enum tc_ring_consumer_kind {
    TC_RING_FREE = 0,
    TC_RING_REQUIRED = 1, /* gates the producer: nothing is lost */
    TC_RING_OBSERVER = 2, /* never slows the producer; detects being lapped */
    TC_RING_EVICTED = 3,  /* a required consumer declared dead; no longer gates */
};

enum tc_ring_wait_kind {
    TC_WAIT_SPIN = 0,  /* busy-spin */
    TC_WAIT_YIELD = 1, /* spin, then sched_yield */
    TC_WAIT_FUTEX = 2, /* spin, then sleep on a futex (default) */
};

enum tc_ring_producer_state {
    TC_PRODUCER_NONE = 0,
    TC_PRODUCER_OPEN = 1,
    TC_PRODUCER_CLOSED = 2, /* finished: consumers drain what is left and stop */
};

typedef struct tc_ring_consumer_slot {
    alignas(TC_CACHE_LINE) _Atomic uint64_t cursor; /* next position to read */
    alignas(TC_CACHE_LINE) char name[TC_RING_CONSUMER_NAME_MAX];
    _Atomic uint32_t kind;       /* enum tc_ring_consumer_kind */
    _Atomic int32_t pid;
    _Atomic int64_t heartbeat_ns; /* CLOCK_MONOTONIC of its last sign of life */
    _Atomic uint64_t laps;        /* observer: times it was lapped */
    _Atomic uint64_t lost;        /* records skipped (laps, or resume after eviction) */
    _Atomic uint32_t attaches;    /* times a process attached to this slot */
    uint32_t reserved;
} tc_ring_consumer_slot_t;

_Static_assert(sizeof(tc_ring_consumer_slot_t) == 128, "a consumer slot is two cache lines");

typedef struct tc_ring_ctl {
    /* line 0: geometry, written once at create */
    alignas(TC_CACHE_LINE) char name[TC_SHM_NAME_MAX];
    uint32_t rec_size;  /* bytes, a multiple of 64 */
    uint32_t max_batch; /* most records one claim may take (observer safety margin) */
    uint64_t capacity;  /* records, a power of two */
    uint64_t data_offset; /* from the segment start */
    /* line 1: the producer's committed position, and the position of the last
     * required consumer that started to wait for it (ring.c: "the wake-up line") */
    alignas(TC_CACHE_LINE) _Atomic uint64_t prod_pos;
    _Atomic uint64_t cons_wait_pos;
    /* line 2: producer state and wake-up flags */
    alignas(TC_CACHE_LINE) _Atomic uint64_t prod_limit; /* writes stay below this position */
    _Atomic uint32_t cons_waiters; /* 1: a consumer is going to sleep on prod_pos */
    _Atomic uint32_t prod_waiting; /* slot + 1: the producer sleeps on that cursor */
    _Atomic uint32_t prod_state;   /* enum tc_ring_producer_state */
    _Atomic int32_t prod_pid;
    _Atomic int64_t prod_heartbeat_ns;
    _Atomic uint64_t prod_full_waits; /* times the producer found the ring full */
    _Atomic uint64_t evictions;       /* required consumers declared dead */
    uint32_t wait_kind;               /* enum tc_ring_wait_kind, fixed at create */
    uint32_t reserved;
    tc_ring_consumer_slot_t consumers[TC_RING_CONSUMERS_MAX];
} tc_ring_ctl_t;

_Static_assert(offsetof(tc_ring_ctl_t, prod_pos) == 64, "ring control layout");
_Static_assert(offsetof(tc_ring_ctl_t, prod_limit) == 128, "ring control layout");
_Static_assert(offsetof(tc_ring_ctl_t, consumers) == 192, "ring control layout");
_Static_assert(sizeof(tc_ring_ctl_t) == 192 + 128 * TC_RING_CONSUMERS_MAX, "ring control layout");

/* ---- stage table and counters ------------------------------------------------------ */

enum tc_stage_state {
    TC_STAGE_EMPTY = 0, TC_STAGE_STARTING, TC_STAGE_RUNNING, TC_STAGE_DRAINING,
    TC_STAGE_EXITED, TC_STAGE_FAILED, TC_STAGE_BACKOFF,
};

typedef struct tc_stage_slot {
    alignas(TC_CACHE_LINE) char name[TC_SHM_NAME_MAX];
    _Atomic int32_t pid;
    _Atomic uint32_t state;       /* enum tc_stage_state */
    _Atomic uint64_t restarts;
    _Atomic int64_t started_ns;   /* CLOCK_REALTIME */
    _Atomic int64_t heartbeat_ns; /* CLOCK_MONOTONIC */
    _Atomic uint64_t work;        /* records processed (the stage's do_work total) */
    _Atomic int32_t last_status;  /* wait status of its last exit */
    uint32_t reserved[5];
} tc_stage_slot_t;

_Static_assert(sizeof(tc_stage_slot_t) == 128, "a stage slot is two cache lines");

typedef struct tc_counter {
    char name[56];
    _Atomic uint64_t value;
} tc_counter_t;

_Static_assert(sizeof(tc_counter_t) == 64, "a counter is one cache line");

/* ---- header ------------------------------------------------------------------------ */

typedef struct tc_shm_header {
    char magic[8];            /* "TICKCAST" */
    uint32_t layout_version;  /* TC_SHM_LAYOUT_VERSION */
    uint32_t header_size;     /* sizeof(tc_shm_header_t) */
    uint64_t total_size;      /* bytes of the whole segment */
    uint32_t tick_size, feat_size, pred_size, order_size; /* record sizes of this build */
    uint32_t n_rings;
    _Atomic uint32_t ready;   /* set last by the creator (release) */
    int64_t created_ns;
    int32_t creator_pid;
    uint32_t reserved0;
    char instance[64];
    uint64_t ring_ctl_offset[TC_SHM_RINGS_MAX];
    uint64_t stages_offset, counters_offset;
    _Atomic uint32_t counters_lock; /* registration only; increments are lock-free */
    _Atomic uint32_t n_counters;
    _Atomic int32_t supervisor_pid;
    _Atomic uint32_t generation; /* bumped by the supervisor on each config reload */
    uint64_t symbols_offset;     /* tc_symbol_t[TC_SHM_SYMBOLS_MAX] */
    _Atomic uint32_t n_symbols;
    uint32_t reserved1;
} tc_shm_header_t;

#define TC_SHM_HEADER_BYTES 4096
_Static_assert(sizeof(tc_shm_header_t) <= TC_SHM_HEADER_BYTES, "header fits its page");

/* ---- API --------------------------------------------------------------------------- */

typedef struct tc_ring_spec {
    const char *name;
    uint32_t rec_size;
    uint64_t capacity;  /* power of two */
    uint32_t max_batch; /* 0: capacity / 8 */
} tc_ring_spec_t;

typedef struct tc_shm {
    char path[96];    /* "/tickcast.<instance>" */
    void *base;
    size_t size;
    tc_shm_header_t *hdr;
    int owner;        /* created it (and unlinks on destroy) */
} tc_shm_t;

/* The standard rings of an instance: ticks, features, predictions, orders. */
enum { TC_RING_TICKS = 0, TC_RING_FEATURES, TC_RING_PREDICTIONS, TC_RING_ORDERS, TC_RING_STANDARD };
void tc_shm_standard_specs(tc_ring_spec_t specs[TC_RING_STANDARD], uint64_t ticks_cap,
                           uint64_t feat_cap, uint64_t pred_cap, uint64_t order_cap);

/* Creates /dev/shm/tickcast.<instance> with the given rings (wait is the ring wait
 * kind).  -EEXIST if it exists; -EINVAL for bad geometry.  On error nothing is left. */
int tc_shm_create(tc_shm_t *s, const char *instance, const tc_ring_spec_t *rings, int n_rings,
                  int wait_kind);
/* Attaches to an existing segment read-write (or read-only), checking magic, layout
 * version, record sizes, sizes and offsets: -ENOENT, -EPROTO (not a tickcast segment,
 * truncated, bad geometry), -ESTALE (another layout version), each with the reason. */
int tc_shm_attach(tc_shm_t *s, const char *instance, int read_only);
/* Unmaps.  tc_shm_detach(NULL-mapped) does nothing. */
void tc_shm_detach(tc_shm_t *s);
/* Removes the name from /dev/shm (mapped views stay valid). */
int tc_shm_unlink(const char *instance);

/* The ring control block by name (NULL if absent) or index. */
tc_ring_ctl_t *tc_shm_ring_ctl(const tc_shm_t *s, const char *name);
tc_ring_ctl_t *tc_shm_ring_ctl_at(const tc_shm_t *s, int i);
static inline void *tc_shm_ring_data(const tc_shm_t *s, const tc_ring_ctl_t *c)
{
    return (char *)s->base + c->data_offset;
}

/* The counter called name, registered on first use (NULL when the area is full). */
_Atomic uint64_t *tc_shm_counter(tc_shm_t *s, const char *name);
tc_counter_t *tc_shm_counters(const tc_shm_t *s, uint32_t *ret_n);

/* The stage slot called name, claimed on first use (NULL when the table is full). */
tc_stage_slot_t *tc_shm_stage(tc_shm_t *s, const char *name);
tc_stage_slot_t *tc_shm_stages(const tc_shm_t *s);

/* The instance symbol table: tc_tick_t.sym (and every record's sym) indexes it.
 * tc_shm_symbol_add returns the id of sym->name, adding it on first use; -ENOSPC when
 * full.  Entries never move or change once added. */
int tc_shm_symbol_add(tc_shm_t *s, const tc_symbol_t *sym);
const tc_symbol_t *tc_shm_symbols(const tc_shm_t *s, uint32_t *ret_n);

const char *tc_stage_state_name(uint32_t state);

#endif
