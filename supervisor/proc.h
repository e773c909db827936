/* Starting, signalling and describing plugin processes. */
#ifndef VIGIL_PROC_H
#define VIGIL_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_MAX_GROUPS	64

struct proc_spec {
	const char	*path;		/* absolute executable path */
	char *const	*argv;		/* argv[0] included */
	char *const	*envp;		/* complete environment */
	const char	*cwd;
	bool		 change_user;
	uid_t		 uid;
	gid_t		 gid;
	gid_t		 groups[PROC_MAX_GROUPS];
	int		 ngroups;
	uint64_t	 rlimit_nofile;	/* 0 = inherit */
	uint64_t	 rlimit_as;
	uint64_t	 rlimit_cpu;
};

/*
 * Fork and exec spec in its own process group with stdin on /dev/null,
 * stdout and stderr on non-blocking pipes (*out_fd, *err_fd), every other
 * fd closed, the signal mask and dispositions reset, and SIGKILL as its
 * parent-death signal. Returns 0 once exec has succeeded; -1 with a reason
 * in err (and nothing left running) otherwise.
 */
int	proc_spawn(const struct proc_spec *spec, pid_t *pid, int *out_fd,
	    int *err_fd, char *err, size_t errlen);

/* Send sig to the whole process group led by pid. */
int	proc_signal_group(pid_t pid, int sig);

/* "exit status 1" or "killed by signal 9 (Killed)". */
void	proc_describe_status(int status, char *buf, size_t len);

/* Resolve a user name to uid, gid and supplementary groups. */
int	proc_lookup_user(const char *user, const char *group,
	    struct proc_spec *spec, char *err, size_t errlen);

#endif /* VIGIL_PROC_H */
