/* libFuzzer target: loading vigil.toml (toml++ shim and validation). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_file.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_config cfg;
	char err[512];
	const char *path;

	if ((path = fuzz_write_file("vigil.toml", data, size)) == NULL)
		return 0;
	memset(err, 0, sizeof(err));
	if (config_load(path, &cfg, err, sizeof(err)) == 0) {
		/* What the daemons rely on after a successful load. */
		if (cfg.supervisor.shm_name == NULL ||
		    cfg.supervisor.shm_name[0] != '/' ||
		    cfg.supervisor.control_socket == NULL ||
		    cfg.api.listen == NULL || cfg.api.allow == NULL ||
		    cfg.health.check_interval_ms == 0 ||
		    cfg.supervisor.max_plugins == 0)
			abort();
		config_free(&cfg);
	} else if (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL)
		abort();	/* every failure says why */
	return 0;
}
