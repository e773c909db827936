/* Seqlock over 64-bit words in shared memory: one writer, many readers. */
#ifndef VIGIL_SEQLOCK_H
#define VIGIL_SEQLOCK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Writer: seq becomes odd, release fence, relaxed word stores, then seq
 * becomes even with release. Reader: acquire-load seq, give up this round
 * if odd, relaxed word loads into a private copy, acquire fence, reload
 * seq; the copy is good only if seq did not change. Every shared access is
 * atomic, so there is no data race even while a copy is torn (it is then
 * discarded).
 */

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2,
    "64-bit atomics must be lock-free for shared memory");

static inline void
seqlock_write(_Atomic uint64_t *seq, _Atomic uint64_t *dst,
    const uint64_t *src, size_t nwords)
{
	uint64_t s = atomic_load_explicit(seq, memory_order_relaxed);

	atomic_store_explicit(seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (size_t i = 0; i < nwords; i++)
		atomic_store_explicit(&dst[i], src[i], memory_order_relaxed);
	atomic_store_explicit(seq, s + 2, memory_order_release);
}

/*
 * One attempt; returns 1 if dst holds a consistent copy. dst may be any
 * object of nwords * 8 bytes (a struct vigil_record): each word is stored
 * with memcpy, so the caller needs no intermediate copy.
 */
static inline int
seqlock_try_read(const _Atomic uint64_t *seq, const _Atomic uint64_t *src,
    void *dst, size_t nwords)
{
	/* The segment is mapped read-only; atomic loads never write. */
	_Atomic uint64_t *s = (_Atomic uint64_t *)(uintptr_t)seq;
	_Atomic uint64_t *w = (_Atomic uint64_t *)(uintptr_t)src;
	uint64_t before, after;

	before = atomic_load_explicit(s, memory_order_acquire);
	if (before & 1)
		return 0;
	for (size_t i = 0; i < nwords; i++) {
		uint64_t x = atomic_load_explicit(&w[i], memory_order_relaxed);

		memcpy((char *)dst + i * sizeof(x), &x, sizeof(x));
	}
	atomic_thread_fence(memory_order_acquire);
	after = atomic_load_explicit(s, memory_order_relaxed);
	return before == after;
}

#endif /* VIGIL_SEQLOCK_H */
