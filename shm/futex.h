/* futex.h — process-shared futex wait/wake on a 32-bit word in shared memory.
 * FUTEX_WAIT/FUTEX_WAKE without FUTEX_PRIVATE_FLAG, since waiter and waker are
 * different processes mapping the same segment. */
#ifndef TC_SHM_FUTEX_H
#define TC_SHM_FUTEX_H

#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Sleeps while *word == expected, at most timeout_ns (<= 0: forever).  Returns 0 when
 * woken or the value differed, -ETIMEDOUT, or -EINTR. */
static inline int tc_futex_wait(const void *word, uint32_t expected, int64_t timeout_ns)
{
    struct timespec ts, *tsp = NULL;
    if (timeout_ns > 0) {
        ts.tv_sec = timeout_ns / 1000000000;
        ts.tv_nsec = timeout_ns % 1000000000;
        tsp = &ts;
    }
    long r = syscall(SYS_futex, word, FUTEX_WAIT, expected, tsp, NULL, 0);
    if (r == 0)
        return 0;
    int e = errno;
    return e == EAGAIN ? 0 : -e;
}

/* Wakes every waiter on word.  Returns the number woken. */
static inline int tc_futex_wake(const void *word)
{
    return (int)syscall(SYS_futex, word, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

/* The low 32 bits of a little-endian 64-bit position: futex-able, and they change on
 * every advance smaller than 2^32. */
static inline const void *tc_futex_low32(const _Atomic uint64_t *pos) { return (const void *)pos; }

#endif
