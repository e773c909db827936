/* Finding and validating plugin manifests under plugin_dir. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discover.h"
#include "log.h"

int
discover_check_executable(const char *path, bool root, char *err,
    size_t errlen)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		snprintf(err, errlen, "executable %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) {
		snprintf(err, errlen, "%s is not an executable file", path);
		return -1;
	}
	if (root && st.st_uid != 0) {
		snprintf(err, errlen, "%s is not owned by root", path);
		return -1;
	}
	if (root && (st.st_mode & 022) != 0) {
		snprintf(err, errlen, "%s is group- or world-writable", path);
		return -1;
	}
	return 0;
}

/* FNV-1a over the manifest bytes and the executable's identity. */
static void
fingerprint(const char *manifest, const char *exe, char *out, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	unsigned char buf[4096];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(manifest, O_RDONLY | O_CLOEXEC)) != -1) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			for (ssize_t i = 0; i < n; i++)
				h = (h ^ buf[i]) * 1099511628211ull;
		close(fd);
	}
	if (stat(exe, &st) == 0) {
		uint64_t id[4] = { (uint64_t)st.st_dev, (uint64_t)st.st_ino,
		    (uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec * 1000000000u +
		    (uint64_t)st.st_mtim.tv_nsec };
		const unsigned char *b = (const unsigned char *)id;
		for (size_t i = 0; i < sizeof(id); i++)
			h = (h ^ b[i]) * 1099511628211ull;
	}
	snprintf(out, len, "%016llx", (unsigned long long)h);
}

static bool
is_duplicate(const struct found *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].m.name, name) == 0)
			return true;
	return false;
}

/* Load one manifest into f[*n]; log and skip it when it is bad. */
static void
load_one(const struct vigil_config *cfg, bool root, const char *path,
    struct found *f, size_t *n, size_t *nbad)
{
	struct found *cur = &f[*n];
	char err[512];

	memset(cur, 0, sizeof(*cur));
	if (manifest_load(path, &cfg->health, &cur->m, err, sizeof(err)) == -1)
		goto bad;
	if (is_duplicate(f, *n, cur->m.name)) {
		snprintf(err, sizeof(err), "%.300s: plugin name '%s' is already "
		    "used by another manifest", path, cur->m.name);
		goto bad_free;
	}
	if (discover_check_executable(cur->m.executable, root, err,
	    sizeof(err)) == -1)
		goto bad_free;
	fingerprint(path, cur->m.executable, cur->fingerprint,
	    sizeof(cur->fingerprint));
	(*n)++;
	return;
bad_free:
	manifest_free(&cur->m);
bad:
	log_error("skipping plugin", "manifest=%s error=%s", path, err);
	(*nbad)++;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
skip_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int
discover_plugins(const struct vigil_config *cfg, bool root,
    struct found **out, size_t *n, size_t *nbad)
{
	const char *dir = cfg->supervisor.plugin_dir;
	struct dirent **names;
	char path[4096];
	struct stat st;
	int count;

	*out = NULL;
	*n = *nbad = 0;
	if ((count = scandir(dir, &names, skip_hidden, by_name)) == -1) {
		log_error("cannot read plugin_dir", "dir=%s error=%s", dir,
		    strerror(errno));
		return -1;
	}
	if ((*out = calloc((size_t)count + 1, sizeof(**out))) == NULL) {
		for (int i = 0; i < count; i++)
			free(names[i]);
		free(names);
		return -1;
	}
	for (int i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/%s/plugin.toml", dir,
		    names[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			load_one(cfg, root, path, *out, n, nbad);
		free(names[i]);
	}
	free(names);
	return 0;
}

void
discover_free(struct found *f, size_t n)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		manifest_free(&f[i].m);
	free(f);
}
