/* Shared by the config and manifest fuzz targets: input -> a real file. */
#ifndef VIGIL_FUZZ_FILE_H
#define VIGIL_FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Write data to NAME in a private directory under $VIGIL_FUZZ_TMP or
 * /dev/shm (created once per process, removed at exit) and return its
 * path, or NULL. The loaders
 * read files by path, so the fuzzer goes through the same code as the
 * daemons do.
 */
const char	*fuzz_write_file(const char *name, const uint8_t *data,
		    size_t size);

#endif /* VIGIL_FUZZ_FILE_H */
