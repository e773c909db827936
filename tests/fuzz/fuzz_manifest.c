/* libFuzzer target: loading a plugin.toml manifest. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_file.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_strv(char **v)
{
	if (v == NULL)
		abort();
	for (; *v != NULL; v++)
		(void)strlen(*v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m;
	char err[512];
	const char *path;

	if ((path = fuzz_write_file("plugin.toml", data, size)) == NULL)
		return 0;
	memset(err, 0, sizeof(err));
	if (manifest_load(path, NULL, &m, err, sizeof(err)) == 0) {
		/* What discovery and spawning rely on after a load. */
		if (m.name == NULL || !config_valid_plugin_name(m.name) ||
		    m.executable == NULL || m.executable[0] != '/' ||
		    m.config_json == NULL || m.dir == NULL)
			abort();
		check_strv(m.args);
		check_strv(m.env);
		check_strv(m.capabilities);
		for (char **e = m.env; *e != NULL; e++)
			if (strchr(*e, '=') == NULL)
				abort();
		manifest_free(&m);
	} else if (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	return 0;
}
