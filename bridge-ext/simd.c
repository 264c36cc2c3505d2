/* simd.c - detection and reporting of the CPU's SIMD capability level */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

#include "kmersearch.h"

/*
 * Level numbers are those of the original extension: 0 none, 1-6 x86-64
 * (AVX2 ... AVX-512 VBMI2), 21-23 AArch64 (NEON, SVE, SVE2).  The level
 * describes what the CPU and OS support; this implementation's code relies
 * on compiler vectorisation, so no result ever depends on it.
 */
static int	detected_level = 0;

#if defined(__x86_64__)
/* XGETBV without requiring -mxsave; only called when OSXSAVE is set. */
static uint64
read_xcr0(void)
{
	uint32		eax,
				edx;

	__asm__ volatile ("xgetbv" : "=a" (eax), "=d" (edx) : "c" (0));
	return ((uint64) edx << 32) | eax;
}

static int
detect_x86_level(void)
{
	unsigned int eax,
				ebx,
				ecx,
				edx;
	uint64		xcr0;
	bool		ymm_enabled,
				zmm_enabled;
	bool		avx2,
				bmi2,
				f,
				bw,
				vbmi,
				vbmi2;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE))
		return 0;
	xcr0 = read_xcr0();
	ymm_enabled = (xcr0 & 0x6) == 0x6;
	zmm_enabled = ymm_enabled && (xcr0 & 0xE0) == 0xE0;

	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return 0;
	avx2 = ymm_enabled && (ebx & bit_AVX2);
	bmi2 = (ebx & bit_BMI2) != 0;
	f = zmm_enabled && (ebx & bit_AVX512F);
	bw = f && (ebx & bit_AVX512BW);
	vbmi = bw && (ecx & bit_AVX512VBMI);
	vbmi2 = vbmi && (ecx & bit_AVX512VBMI2);

	if (vbmi2)
		return 6;
	if (vbmi)
		return 5;
	if (bw)
		return 4;
	if (f)
		return 3;
	if (avx2 && bmi2)
		return 2;
	if (avx2)
		return 1;
	return 0;
}
#endif

void
kmersearch_detect_simd(void)
{
#if defined(__x86_64__)
	detected_level = detect_x86_level();
#elif defined(__aarch64__) && defined(__linux__)
	unsigned long hwcap = getauxval(AT_HWCAP);
	unsigned long hwcap2 = getauxval(AT_HWCAP2);

	detected_level = 21;
#ifdef HWCAP_SVE
	if (hwcap & HWCAP_SVE)
		detected_level = 22;
#endif
#ifdef HWCAP2_SVE2
	if ((hwcap & HWCAP_SVE) && (hwcap2 & HWCAP2_SVE2))
		detected_level = 23;
#endif
	(void) hwcap;
	(void) hwcap2;
#else
	detected_level = 0;
#endif
}

int
kmersearch_detected_simd_level(void)
{
	return detected_level;
}

/* A level may be forced only if it exists on this architecture and is not above the detected one. */
bool
kmersearch_simd_level_is_valid(int level)
{
#if defined(__x86_64__)
	bool		exists = level >= 0 && level <= 6;
#elif defined(__aarch64__)
	bool		exists = level == 0 || (level >= 21 && level <= 23);
#else
	bool		exists = level == 0;
#endif

	return exists && level <= detected_level;
}

const char *
kmersearch_simd_level_name(int level)
{
	switch (level)
	{
		case 0:
			return "None";
		case 1:
			return "AVX2";
		case 2:
			return "AVX2+BMI2";
		case 3:
			return "AVX512F";
		case 4:
			return "AVX512F+AVX512BW";
		case 5:
			return "AVX512F+AVX512BW+AVX512VBMI";
		case 6:
			return "AVX512F+AVX512BW+AVX512VBMI+AVX512VBMI2";
		case 21:
			return "NEON";
		case 22:
			return "NEON+SVE";
		case 23:
			return "NEON+SVE+SVE2";
		default:
			return "Unknown";
	}
}

PG_FUNCTION_INFO_V1(kmersearch_simd_capability);
Datum
kmersearch_simd_capability(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	if (kmersearch_force_simd_capability == -1)
		PG_RETURN_TEXT_P(cstring_to_text(kmersearch_simd_level_name(detected_level)));
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("%s (forced from %s)",
											  kmersearch_simd_level_name(kmersearch_force_simd_capability),
											  kmersearch_simd_level_name(detected_level))));
}
