/* libFuzzer target: the go-plugin handshake line parser (plugin stdout). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handshake.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct handshake hs;
	char err[160], *line;

	/* The supervisor hands the parser one NUL-terminated line. */
	if ((line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (handshake_parse(line, &hs, err, sizeof(err)) == 0) {
		/* What the supervisor copies out must be terminated. */
		if (memchr(hs.address, '\0', sizeof(hs.address)) == NULL ||
		    memchr(hs.target, '\0', sizeof(hs.target)) == NULL ||
		    hs.core_version != 1)
			abort();
	} else if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	free(line);
	return 0;
}
