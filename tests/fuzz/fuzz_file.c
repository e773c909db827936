/* Shared by the config and manifest fuzz targets: input -> a real file. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "log.h"

static char	dir[128];
static char	path[192];

static void
remove_dir(void)
{
	if (path[0] != '\0')
		unlink(path);
	rmdir(dir);
}

const char *
fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
	int fd;

	if (dir[0] == '\0') {
		/* Warnings about unknown keys would flood the fuzzer's output. */
		log_init("fuzz", LOG_LEVEL_ERROR, LOG_FORMAT_LOGFMT);
		/* run.sh points this into its work directory, which it removes
		 * even when a crash skipped our atexit handler. */
		snprintf(dir, sizeof(dir), "%s/vigil-fuzz-XXXXXX",
		    getenv("VIGIL_FUZZ_TMP") != NULL &&
		    strlen(getenv("VIGIL_FUZZ_TMP")) < 96 ?
		    getenv("VIGIL_FUZZ_TMP") : "/dev/shm");
		if (mkdtemp(dir) == NULL) {
			snprintf(dir, sizeof(dir), "/tmp/vigil-fuzz-XXXXXX");
			if (mkdtemp(dir) == NULL)
				abort();
		}
		atexit(remove_dir);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return NULL;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return NULL;
	}
	close(fd);
	return path;
}
