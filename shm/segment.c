/* segment.c — creating, attaching to and validating the per-instance shared-memory
 * segment of segment.h.  The creator builds the whole layout, then sets hdr->ready
 * with a release store; an attacher checks every field it relies on before using the
 * mapping, so a stale, truncated or foreign file gives a reason and never a crash. */
#include "shm/segment.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((uint64_t)(a)-1))

static int shm_name(char *buf, size_t len, const char *instance)
{
    if (!instance || !*instance || strlen(instance) > 48 || strchr(instance, '/'))
        return TC_ERR(-EINVAL, "bad instance name '%s' (1-48 characters, no '/')",
                      instance ? instance : "");
    snprintf(buf, len, "/tickcast.%s", instance);
    return 0;
}

void tc_shm_standard_specs(tc_ring_spec_t specs[TC_RING_STANDARD], uint64_t ticks_cap,
                           uint64_t feat_cap, uint64_t pred_cap, uint64_t order_cap)
{
    specs[TC_RING_TICKS] = (tc_ring_spec_t){"ticks", sizeof(tc_tick_t), ticks_cap, 0};
    specs[TC_RING_FEATURES] = (tc_ring_spec_t){"features", sizeof(tc_feat_t), feat_cap, 0};
    specs[TC_RING_PREDICTIONS] = (tc_ring_spec_t){"predictions", sizeof(tc_pred_t), pred_cap, 0};
    specs[TC_RING_ORDERS] = (tc_ring_spec_t){"orders", sizeof(tc_order_t), order_cap, 0};
}

static int check_spec(const tc_ring_spec_t *r)
{
    if (!r->name || !*r->name || strlen(r->name) >= TC_SHM_NAME_MAX)
        return TC_ERR(-EINVAL, "ring name must have 1-%d characters", TC_SHM_NAME_MAX - 1);
    if (r->rec_size == 0 || r->rec_size % TC_CACHE_LINE)
        return TC_ERR(-EINVAL, "ring %s: record size %u is not a multiple of %d", r->name,
                      r->rec_size, TC_CACHE_LINE);
    if (r->capacity < 16 || (r->capacity & (r->capacity - 1)))
        return TC_ERR(-EINVAL, "ring %s: capacity %llu is not a power of two >= 16", r->name,
                      (unsigned long long)r->capacity);
    if (r->max_batch > r->capacity / 2)
        return TC_ERR(-EINVAL, "ring %s: max_batch %u exceeds half the capacity", r->name,
                      r->max_batch);
    return 0;
}

int tc_shm_create(tc_shm_t *s, const char *instance, const tc_ring_spec_t *rings, int n_rings,
                  int wait_kind)
{
    char path[96];
    int r = shm_name(path, sizeof path, instance);
    if (r < 0)
        return r;
    if (n_rings < 1 || n_rings > TC_SHM_RINGS_MAX)
        return TC_ERR(-EINVAL, "%d rings (1..%d)", n_rings, TC_SHM_RINGS_MAX);
    for (int i = 0; i < n_rings; i++)
        if ((r = check_spec(&rings[i])) < 0)
            return r;

    /* Lay out: header page, ring controls, stages, counters, then ring data (page-aligned). */
    uint64_t off = TC_SHM_HEADER_BYTES;
    uint64_t ctl_off[TC_SHM_RINGS_MAX];
    for (int i = 0; i < n_rings; i++) {
        ctl_off[i] = off;
        off += sizeof(tc_ring_ctl_t);
    }
    uint64_t stages_off = ALIGN_UP(off, TC_CACHE_LINE);
    off = stages_off + sizeof(tc_stage_slot_t) * TC_SHM_STAGES_MAX;
    uint64_t counters_off = ALIGN_UP(off, TC_CACHE_LINE);
    off = counters_off + sizeof(tc_counter_t) * TC_SHM_COUNTERS_MAX;
    uint64_t symbols_off = ALIGN_UP(off, TC_CACHE_LINE);
    off = symbols_off + sizeof(tc_symbol_t) * TC_SHM_SYMBOLS_MAX;
    uint64_t data_off[TC_SHM_RINGS_MAX];
    for (int i = 0; i < n_rings; i++) {
        off = ALIGN_UP(off, 4096);
        data_off[i] = off;
        off += rings[i].capacity * rings[i].rec_size;
    }
    uint64_t total = ALIGN_UP(off, 4096);

    int fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL, 0660);
    if (fd < 0)
        return TC_ERR(-errno, "cannot create /dev/shm%s: %s", path, strerror(errno));
    if (ftruncate(fd, (off_t)total) < 0) {
        r = TC_ERR(-errno, "cannot size /dev/shm%s to %llu bytes: %s", path,
                   (unsigned long long)total, strerror(errno));
        goto fail;
    }
    void *base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        r = TC_ERR(-errno, "cannot map /dev/shm%s: %s", path, strerror(errno));
        goto fail;
    }
    close(fd);
    fd = -1;

    tc_shm_header_t *h = base;
    memcpy(h->magic, TC_SHM_MAGIC, 8);
    h->layout_version = TC_SHM_LAYOUT_VERSION;
    h->header_size = sizeof *h;
    h->total_size = total;
    h->tick_size = sizeof(tc_tick_t);
    h->feat_size = sizeof(tc_feat_t);
    h->pred_size = sizeof(tc_pred_t);
    h->order_size = sizeof(tc_order_t);
    h->n_rings = (uint32_t)n_rings;
    h->created_ns = tc_clock_real_ns();
    h->creator_pid = getpid();
    snprintf(h->instance, sizeof h->instance, "%s", instance);
    h->stages_offset = stages_off;
    h->counters_offset = counters_off;
    h->symbols_offset = symbols_off;
    for (int i = 0; i < n_rings; i++) {
        h->ring_ctl_offset[i] = ctl_off[i];
        tc_ring_ctl_t *c = (tc_ring_ctl_t *)((char *)base + ctl_off[i]);
        snprintf(c->name, sizeof c->name, "%s", rings[i].name);
        c->rec_size = rings[i].rec_size;
        c->capacity = rings[i].capacity;
        c->max_batch = rings[i].max_batch ? rings[i].max_batch : (uint32_t)(rings[i].capacity / 8);
        c->data_offset = data_off[i];
        c->wait_kind = (uint32_t)wait_kind;
        atomic_store_explicit(&c->prod_limit, c->capacity, memory_order_relaxed);
    }
    /* R0: publishes the layout; pairs with A0 in tc_shm_attach. */
    atomic_store_explicit(&h->ready, 1, memory_order_release);

    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    s->base = base;
    s->size = total;
    s->hdr = h;
    s->owner = 1;
    return 0;

fail:
    if (fd >= 0)
        close(fd);
    shm_unlink(path);
    return r;
}

static int validate(const tc_shm_header_t *h, size_t size, const char *path)
{
    const char *p = path;
    if (size < sizeof *h)
        return TC_ERR(-EPROTO, "/dev/shm%s: truncated segment (%zu bytes, header needs %zu)", p,
                      size, sizeof *h);
    if (memcmp(h->magic, TC_SHM_MAGIC, 8) != 0)
        return TC_ERR(-EPROTO, "/dev/shm%s: not a tickcast segment (bad magic)", p);
    if (h->layout_version != TC_SHM_LAYOUT_VERSION)
        return TC_ERR(-ESTALE, "/dev/shm%s: layout version %u, this build speaks %u "
                      "(stop the instance and remove the segment)", p, h->layout_version,
                      TC_SHM_LAYOUT_VERSION);
    /* A0: pairs with R0 in tc_shm_create. */
    if (!atomic_load_explicit(&h->ready, memory_order_acquire))
        return TC_ERR(-EAGAIN, "/dev/shm%s: segment is still being created", p);
    if (h->header_size != sizeof *h || h->tick_size != sizeof(tc_tick_t) ||
        h->feat_size != sizeof(tc_feat_t) || h->pred_size != sizeof(tc_pred_t) ||
        h->order_size != sizeof(tc_order_t))
        return TC_ERR(-ESTALE, "/dev/shm%s: record sizes differ from this build "
                      "(tick %u, feature %u, prediction %u, order %u)", p, h->tick_size,
                      h->feat_size, h->pred_size, h->order_size);
    if (h->total_size != size)
        return TC_ERR(-EPROTO, "/dev/shm%s: truncated segment (%zu bytes, header says %llu)", p,
                      size, (unsigned long long)h->total_size);
    if (h->n_rings < 1 || h->n_rings > TC_SHM_RINGS_MAX)
        return TC_ERR(-EPROTO, "/dev/shm%s: bad ring count %u", p, h->n_rings);
    if (h->stages_offset + sizeof(tc_stage_slot_t) * TC_SHM_STAGES_MAX > size ||
        h->counters_offset + sizeof(tc_counter_t) * TC_SHM_COUNTERS_MAX > size ||
        h->symbols_offset + sizeof(tc_symbol_t) * TC_SHM_SYMBOLS_MAX > size)
        return TC_ERR(-EPROTO, "/dev/shm%s: stage, counter or symbol area outside the segment", p);
    for (uint32_t i = 0; i < h->n_rings; i++) {
        uint64_t off = h->ring_ctl_offset[i];
        if (off < TC_SHM_HEADER_BYTES || off + sizeof(tc_ring_ctl_t) > size || off % TC_CACHE_LINE)
            return TC_ERR(-EPROTO, "/dev/shm%s: ring %u control block outside the segment", p, i);
        const tc_ring_ctl_t *c = (const tc_ring_ctl_t *)((const char *)h + off);
        if (c->rec_size == 0 || c->rec_size % TC_CACHE_LINE || c->capacity < 16 ||
            (c->capacity & (c->capacity - 1)) || c->max_batch == 0 ||
            c->max_batch > c->capacity / 2 || c->data_offset % 4096 ||
            c->data_offset + c->capacity * c->rec_size > size ||
            memchr(c->name, '\0', sizeof c->name) == NULL)
            return TC_ERR(-EPROTO, "/dev/shm%s: ring %u has a bad geometry", p, i);
    }
    return 0;
}

int tc_shm_attach(tc_shm_t *s, const char *instance, int read_only)
{
    char path[96];
    int r = shm_name(path, sizeof path, instance);
    if (r < 0)
        return r;
    int fd = shm_open(path, read_only ? O_RDONLY : O_RDWR, 0);
    if (fd < 0)
        return TC_ERR(-errno, "cannot open /dev/shm%s: %s%s", path, strerror(errno),
                      errno == ENOENT ? " (is the instance running?)" : "");
    struct stat st;
    if (fstat(fd, &st) < 0) {
        r = TC_ERR(-errno, "cannot stat /dev/shm%s: %s", path, strerror(errno));
        close(fd);
        return r;
    }
    if ((size_t)st.st_size < sizeof(tc_shm_header_t)) {
        close(fd);
        return TC_ERR(-EPROTO, "/dev/shm%s: truncated segment (%lld bytes, header needs %zu)",
                      path, (long long)st.st_size, sizeof(tc_shm_header_t));
    }
    /* A read-only view (tickcast status) never stores into the segment: it keeps any
     * cursor of its own in process memory. */
    void *base = mmap(NULL, (size_t)st.st_size, PROT_READ | (read_only ? 0 : PROT_WRITE),
                      MAP_SHARED, fd, 0);
    close(fd);
    if (base == MAP_FAILED)
        return TC_ERR(-errno, "cannot map /dev/shm%s: %s", path, strerror(errno));
    r = validate(base, (size_t)st.st_size, path);
    if (r < 0) {
        munmap(base, (size_t)st.st_size);
        return r;
    }
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    s->base = base;
    s->size = (size_t)st.st_size;
    s->hdr = base;
    return 0;
}

void tc_shm_detach(tc_shm_t *s)
{
    if (!s || !s->base)
        return;
    munmap(s->base, s->size);
    s->base = NULL;
    s->hdr = NULL;
}

int tc_shm_unlink(const char *instance)
{
    char path[96];
    int r = shm_name(path, sizeof path, instance);
    if (r < 0)
        return r;
    if (shm_unlink(path) < 0)
        return TC_ERR(-errno, "cannot remove /dev/shm%s: %s", path, strerror(errno));
    return 0;
}

tc_ring_ctl_t *tc_shm_ring_ctl_at(const tc_shm_t *s, int i)
{
    if (i < 0 || (uint32_t)i >= s->hdr->n_rings)
        return NULL;
    return (tc_ring_ctl_t *)((char *)s->base + s->hdr->ring_ctl_offset[i]);
}

tc_ring_ctl_t *tc_shm_ring_ctl(const tc_shm_t *s, const char *name)
{
    for (uint32_t i = 0; i < s->hdr->n_rings; i++) {
        tc_ring_ctl_t *c = tc_shm_ring_ctl_at(s, (int)i);
        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

/* Registration of counters and stage slots is rare (at start), so a tiny spin lock in
 * the header serialises it; the values themselves are plain atomics. */
static void reg_lock(tc_shm_header_t *h)
{
    uint32_t expect = 0;
    while (!atomic_compare_exchange_weak_explicit(&h->counters_lock, &expect, 1,
                                                  memory_order_acquire, memory_order_relaxed)) {
        expect = 0;
        sched_yield();
    }
}

static void reg_unlock(tc_shm_header_t *h)
{
    atomic_store_explicit(&h->counters_lock, 0, memory_order_release);
}

tc_counter_t *tc_shm_counters(const tc_shm_t *s, uint32_t *ret_n)
{
    uint32_t n = atomic_load_explicit(&s->hdr->n_counters, memory_order_acquire);
    *ret_n = n > TC_SHM_COUNTERS_MAX ? TC_SHM_COUNTERS_MAX : n;
    return (tc_counter_t *)((char *)s->base + s->hdr->counters_offset);
}

_Atomic uint64_t *tc_shm_counter(tc_shm_t *s, const char *name)
{
    tc_counter_t *c = (tc_counter_t *)((char *)s->base + s->hdr->counters_offset);
    _Atomic uint64_t *found = NULL;
    reg_lock(s->hdr);
    uint32_t n = atomic_load_explicit(&s->hdr->n_counters, memory_order_relaxed);
    for (uint32_t i = 0; i < n && !found; i++)
        if (strncmp(c[i].name, name, sizeof c[i].name) == 0)
            found = &c[i].value;
    if (!found && n < TC_SHM_COUNTERS_MAX) {
        snprintf(c[n].name, sizeof c[n].name, "%s", name);
        atomic_store_explicit(&c[n].value, 0, memory_order_relaxed);
        /* publishes the name; pairs with the acquire in tc_shm_counters */
        atomic_store_explicit(&s->hdr->n_counters, n + 1, memory_order_release);
        found = &c[n].value;
    }
    reg_unlock(s->hdr);
    return found;
}

tc_stage_slot_t *tc_shm_stages(const tc_shm_t *s)
{
    return (tc_stage_slot_t *)((char *)s->base + s->hdr->stages_offset);
}

tc_stage_slot_t *tc_shm_stage(tc_shm_t *s, const char *name)
{
    tc_stage_slot_t *st = tc_shm_stages(s), *found = NULL;
    reg_lock(s->hdr);
    for (int i = 0; i < TC_SHM_STAGES_MAX && !found; i++)
        if (st[i].name[0] && strncmp(st[i].name, name, sizeof st[i].name) == 0)
            found = &st[i];
    for (int i = 0; i < TC_SHM_STAGES_MAX && !found; i++)
        if (!st[i].name[0]) {
            snprintf(st[i].name, sizeof st[i].name, "%s", name);
            found = &st[i];
        }
    reg_unlock(s->hdr);
    return found;
}

const tc_symbol_t *tc_shm_symbols(const tc_shm_t *s, uint32_t *ret_n)
{
    uint32_t n = atomic_load_explicit(&s->hdr->n_symbols, memory_order_acquire);
    *ret_n = n > TC_SHM_SYMBOLS_MAX ? TC_SHM_SYMBOLS_MAX : n;
    return (const tc_symbol_t *)((char *)s->base + s->hdr->symbols_offset);
}

int tc_shm_symbol_add(tc_shm_t *s, const tc_symbol_t *sym)
{
    tc_symbol_t *tab = (tc_symbol_t *)((char *)s->base + s->hdr->symbols_offset);
    int id = -1;
    reg_lock(s->hdr);
    uint32_t n = atomic_load_explicit(&s->hdr->n_symbols, memory_order_relaxed);
    for (uint32_t i = 0; i < n && id < 0; i++)
        if (strncmp(tab[i].name, sym->name, sizeof tab[i].name) == 0)
            id = (int)i;
    if (id < 0 && n < TC_SHM_SYMBOLS_MAX) {
        tab[n] = *sym;
        tab[n].name[sizeof tab[n].name - 1] = '\0';
        /* publishes the entry; pairs with the acquire in tc_shm_symbols */
        atomic_store_explicit(&s->hdr->n_symbols, n + 1, memory_order_release);
        id = (int)n;
    }
    reg_unlock(s->hdr);
    if (id < 0)
        return TC_ERR(-ENOSPC, "/dev/shm%s: the symbol table is full (%d)", s->path,
                      TC_SHM_SYMBOLS_MAX);
    return id;
}

const char *tc_stage_state_name(uint32_t state)
{
    static const char *const names[] = {"empty", "starting", "running", "draining",
                                        "exited", "failed", "backoff"};
    return state < sizeof names / sizeof names[0] ? names[state] : "?";
}
