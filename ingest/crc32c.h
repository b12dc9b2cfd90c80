/* crc32c.h — CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of
 * native tick file headers and blocks (docs/FORMATS.md).  The same function as iSCSI,
 * ext4 metadata and LevelDB: crc32c("123456789") == 0xE3069283. */
#ifndef TC_INGEST_CRC32C_H
#define TC_INGEST_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extends crc (0 to start) over n bytes of p and returns the new value; calls chain:
 * tc_crc32c(tc_crc32c(0, a, na), b, nb) == tc_crc32c of a then b.  Uses the SSE4.2
 * crc32 instruction when the CPU has it, the table otherwise.  This function can't fail. */
uint32_t tc_crc32c(uint32_t crc, const void *p, size_t n);

/* The portable table implementation (same results), for tests and odd CPUs. */
uint32_t tc_crc32c_sw(uint32_t crc, const void *p, size_t n);

/* 1 if tc_crc32c uses the hardware instruction. */
int tc_crc32c_hw(void);

#endif
