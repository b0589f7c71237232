#ifndef DYNAMO_CRC32_H
#define DYNAMO_CRC32_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC-32 (IEEE 802.3, as in zlib and DynamoDB's x-amz-crc32 header), with
 * the same chaining convention as zlib's crc32(). Every response is checked,
 * so this is on the hot path: on x86-64 CPUs with carry-less multiplication
 * it folds 64 bytes a step (about 20 times fewer instructions than zlib);
 * elsewhere it is zlib's.
 */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
