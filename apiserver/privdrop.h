/* Dropping root: switch to the [api] user and prove it cannot come back. */
#ifndef APISERVER_PRIVDROP_H
#define APISERVER_PRIVDROP_H

#include <stddef.h>

enum privdrop_result {
	PRIVDROP_DONE = 0,	/* was root, now user */
	PRIVDROP_NOT_ROOT = 1,	/* not root: nothing to drop */
	PRIVDROP_NO_USER = -1,	/* configuration error: unknown user */
	PRIVDROP_FAILED = -2	/* a system call or a check failed */
};

/*
 * When running as root: setgroups (the user's groups), setresgid,
 * setresuid, no_new_privs, then verify that root cannot be regained and
 * that no thread holds a capability. Applies to every thread (glibc
 * changes credentials process-wide). err gets a reason on failure.
 */
int	privdrop_to_user(const char *user, char *err, size_t errlen);

/* 0 if no thread of this process has effective or permitted caps. */
int	privdrop_verify_no_caps(char *err, size_t errlen);

#endif /* APISERVER_PRIVDROP_H */
