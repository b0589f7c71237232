/*
 * Folding CRC-32 with PCLMULQDQ, after Intel's "Fast CRC Computation for
 * Generic Polynomials Using PCLMULQDQ Instruction": four 128-bit
 * accumulators advance 64 bytes a step (x.lo * x^(512+32) mod P plus
 * x.hi * x^(512-32) mod P, bit-reflected), fold into one, then reduce 128
 * to 32 bits with a Barrett step. Lengths that are not a multiple of 16
 * finish with zlib.
 */
#include "dynamo/crc32.h"

#include <zlib.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define CLMUL __attribute__((target("pclmul,sse4.1")))

/* Reflected constants for P(x) = 0x104C11DB7. */
#define K_FOLD4_LO 0x154442bd4ULL	/* x^(4*128+32) mod P */
#define K_FOLD4_HI 0x1c6e41596ULL	/* x^(4*128-32) mod P */
#define K_FOLD1_LO 0x1751997d0ULL	/* x^(128+32) mod P */
#define K_FOLD1_HI 0x0ccaa009eULL	/* x^(128-32) mod P */
#define K_64TO32 0x163cd6124ULL		/* x^64 mod P */
#define K_POLY 0x1db710641ULL		/* P, reflected */
#define K_MU 0x1f7011641ULL		/* floor(x^64 / P), reflected */

CLMUL static __m128i fold(__m128i x, __m128i k, __m128i next)
{
	__m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
	__m128i hi = _mm_clmulepi64_si128(x, k, 0x11);

	return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

CLMUL static __m128i load(const unsigned char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* len >= 64 and a multiple of 16; crc is zlib's (not inverted). */
CLMUL static uint32_t crc32_clmul(uint32_t crc, const unsigned char *p, size_t len)
{
	const __m128i k4 = _mm_set_epi64x((long long)K_FOLD4_HI, (long long)K_FOLD4_LO);
	const __m128i k1 = _mm_set_epi64x((long long)K_FOLD1_HI, (long long)K_FOLD1_LO);
	const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
	const __m128i poly = _mm_set_epi64x((long long)K_MU, (long long)K_POLY);
	__m128i x0, x1, x2, x3, t;

	x0 = _mm_xor_si128(load(p), _mm_cvtsi32_si128((int)~crc));
	x1 = load(p + 16);
	x2 = load(p + 32);
	x3 = load(p + 48);
	for (p += 64, len -= 64; len >= 64; p += 64, len -= 64) {
		x0 = fold(x0, k4, load(p));
		x1 = fold(x1, k4, load(p + 16));
		x2 = fold(x2, k4, load(p + 32));
		x3 = fold(x3, k4, load(p + 48));
	}
	x0 = fold(x0, k1, x1);
	x0 = fold(x0, k1, x2);
	x0 = fold(x0, k1, x3);
	for (; len >= 16; p += 16, len -= 16)
		x0 = fold(x0, k1, load(p));
	/* 128 -> 64 bits. */
	t = _mm_clmulepi64_si128(x0, k1, 0x10);
	x0 = _mm_xor_si128(t, _mm_srli_si128(x0, 8));
	/* 64 -> 32 bits. */
	t = _mm_and_si128(x0, mask32);
	t = _mm_clmulepi64_si128(t, _mm_set_epi64x(0, (long long)K_64TO32), 0x00);
	x0 = _mm_xor_si128(_mm_srli_si128(x0, 4), t);
	/* Barrett reduction. */
	t = _mm_and_si128(x0, mask32);
	t = _mm_clmulepi64_si128(t, poly, 0x10);
	t = _mm_and_si128(t, mask32);
	t = _mm_clmulepi64_si128(t, poly, 0x00);
	x0 = _mm_xor_si128(x0, t);
	return ~(uint32_t)_mm_extract_epi32(x0, 1);
}

static int have_clmul(void)
{
	static int cached = -1;

	if (cached < 0) {
		__builtin_cpu_init();
		cached = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
	}
	return cached;
}

uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t bulk = len & ~(size_t)15;

	if (len < 64 || !have_clmul())
		return (uint32_t)crc32_z(crc, p, len);
	crc = crc32_clmul(crc, p, bulk);
	return (uint32_t)crc32_z(crc, p + bulk, len - bulk);
}

#else

uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	return (uint32_t)crc32_z(crc, data, len);
}

#endif
