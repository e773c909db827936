/* Finding and validating plugin manifests under plugin_dir. */
#ifndef VIGIL_DISCOVER_H
#define VIGIL_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct found {
	struct manifest	m;
	char		fingerprint[80];	/* manifest + executable */
};

/*
 * Load every <plugin_dir>/<dir>/plugin.toml. A bad manifest (syntax, name,
 * duplicate, executable missing or unsafe) is logged with its reason and
 * skipped; *nbad counts them. Returns 0 with a malloc'd array (free with
 * discover_free), or -1 if plugin_dir cannot be read.
 */
int	discover_plugins(const struct vigil_config *cfg, bool root,
	    struct found **out, size_t *n, size_t *nbad);
void	discover_free(struct found *f, size_t n);

/* Check an executable: regular, executable; when root, root-owned and not
 * group/world-writable. 0 or -1 with a reason. */
int	discover_check_executable(const char *path, bool root, char *err,
	    size_t errlen);

#endif /* VIGIL_DISCOVER_H */
