/* Dropping root: switch to the [api] user and prove it cannot come back. */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "privdrop.h"

/* Whether the CapEff and CapPrm lines of one status file are all zero. */
static int
status_caps_zero(const char *path, char *err, size_t errlen)
{
	char line[256];
	int zero = 1, seen = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 1 : 0;	/* thread gone: fine */
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long long v;

		if (sscanf(line, "CapEff: %llx", &v) == 1 ||
		    sscanf(line, "CapPrm: %llx", &v) == 1) {
			seen++;
			if (v != 0) {
				zero = 0;
				snprintf(err, errlen, "%s: %s", path, line);
			}
		}
	}
	fclose(f);
	if (seen != 2 && zero)
		snprintf(err, errlen, "%s: no capability lines", path);
	return zero && seen == 2;
}

int
privdrop_verify_no_caps(char *err, size_t errlen)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int ok = 1;

	if ((d = opendir("/proc/self/task")) == NULL) {
		snprintf(err, errlen, "/proc/self/task: %s", strerror(errno));
		return -1;
	}
	while (ok && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%.20s/status",
		    de->d_name);
		ok = status_caps_zero(path, err, errlen);
	}
	closedir(d);
	return ok ? 0 : -1;
}

static int
lookup_user(const char *user, uid_t *uid, gid_t *gid, char *err,
    size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "unknown user \"%s\"%s%s", user,
		    errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
		return -1;
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		snprintf(err, errlen, "user \"%s\" has uid or gid 0", user);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* Every uid and gid, real, effective and saved, must be the new ones. */
static int
verify_ids(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != uid || eu != uid || su != uid ||
	    rg != gid || eg != gid || sg != gid) {
		snprintf(err, errlen, "credentials not fully switched");
		return -1;
	}
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1) {
		snprintf(err, errlen, "root could be regained");
		return -1;
	}
	return 0;
}

int
privdrop_to_user(const char *user, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0)
		return PRIVDROP_NOT_ROOT;
	if (lookup_user(user, &uid, &gid, err, errlen) == -1)
		return PRIVDROP_NO_USER;
	if (initgroups(user, gid) == -1 ||
	    setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1) {
		snprintf(err, errlen, "switching to %s: %s", user,
		    strerror(errno));
		return PRIVDROP_FAILED;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return PRIVDROP_FAILED;
	}
	if (verify_ids(uid, gid, err, errlen) == -1 ||
	    privdrop_verify_no_caps(err, errlen) == -1)
		return PRIVDROP_FAILED;
	return PRIVDROP_DONE;
}
