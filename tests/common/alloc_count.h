/* alloc_count.h — counts the malloc, calloc and realloc calls a test makes while a flag
 * is set, to show that a hot path never allocates.
 *
 *     TC_TEST_ALLOC_COUNTER(counting, n_alloc)   // once, at file scope, in one file
 *     counting = 1; hot_path(); counting = 0; cr_assert_eq(n_alloc, 0);
 *
 * It defines the test executable's malloc family, forwarding to glibc's.  Sanitizer
 * builds interpose malloc themselves: test with TC_COUNT_ALLOCS and skip there. */
#ifndef TC_TESTS_ALLOC_COUNT_H
#define TC_TESTS_ALLOC_COUNT_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TC_COUNT_ALLOCS 0
#else
#define TC_COUNT_ALLOCS 1
#endif

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

#define TC_TEST_ALLOC_COUNTER(flag, count)                                                  \
    static volatile int flag;                                                               \
    static volatile long count;                                                             \
    void *malloc(size_t n)                                                                  \
    {                                                                                       \
        count += flag;                                                                      \
        return __libc_malloc(n);                                                            \
    }                                                                                       \
    void *calloc(size_t n, size_t size)                                                     \
    {                                                                                       \
        count += flag;                                                                      \
        return __libc_calloc(n, size);                                                      \
    }                                                                                       \
    void *realloc(void *p, size_t n)                                                        \
    {                                                                                       \
        count += flag;                                                                      \
        return __libc_realloc(p, n);                                                        \
    }

#endif
