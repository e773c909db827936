/* Starting, signalling and describing plugin processes. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

/* Child-side failure: report the step and errno to the parent, then die. */
static void __attribute__((noreturn))
child_fail(int fd, int step)
{
	int msg[2] = { step, errno };

	(void)!write(fd, msg, sizeof(msg));
	_exit(127);
}

static void
child_limits(const struct proc_spec *s, int fd)
{
	struct rlimit rl;

	if (s->rlimit_nofile) {
		rl.rlim_cur = rl.rlim_max = s->rlimit_nofile;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			child_fail(fd, 5);
	}
	if (s->rlimit_as) {
		rl.rlim_cur = rl.rlim_max = s->rlimit_as;
		if (setrlimit(RLIMIT_AS, &rl) == -1)
			child_fail(fd, 5);
	}
	if (s->rlimit_cpu) {
		rl.rlim_cur = rl.rlim_max = s->rlimit_cpu;
		if (setrlimit(RLIMIT_CPU, &rl) == -1)
			child_fail(fd, 5);
	}
}

/* Runs between fork and exec: async-signal-safe calls only. */
static void __attribute__((noreturn))
child(const struct proc_spec *s, pid_t parent, int out, int errfd, int st)
{
	sigset_t none;
	int devnull;

	setpgid(0, 0);
	if ((devnull = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(devnull, 0) == -1 || dup2(out, 1) == -1 ||
	    dup2(errfd, 2) == -1)
		child_fail(st, 2);
	if (dup2(st, 3) == -1)
		child_fail(st, 2);
	st = 3;
	closefrom(4);
	if (fcntl(st, F_SETFD, FD_CLOEXEC) == -1)
		child_fail(st, 2);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	if (chdir(s->cwd) == -1)
		child_fail(st, 3);
	child_limits(s, st);
	if (s->change_user) {
		if (setgroups((size_t)s->ngroups, s->groups) == -1 ||
		    setresgid(s->gid, s->gid, s->gid) == -1 ||
		    setresuid(s->uid, s->uid, s->uid) == -1)
			child_fail(st, 4);
		if (s->uid != 0 && setuid(0) != -1)
			child_fail(st, 4);
	}
	/* After any credential change, which clears the death signal. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		child_fail(st, 1);
	execve(s->path, s->argv, s->envp);
	child_fail(st, 6);
}

static const char *
step_name(int step)
{
	static const char *const names[] = { "?", "prctl", "redirect fds",
	    "chdir", "change user", "setrlimit", "exec" };

	return step > 0 && step <= 6 ? names[step] : "?";
}

/* Wait for exec: EOF on the status pipe means success. */
static int
await_exec(pid_t pid, int fd, char *err, size_t errlen)
{
	int msg[2];
	ssize_t n;

	do {
		n = read(fd, msg, sizeof(msg));
	} while (n == -1 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n == (ssize_t)sizeof(msg))
		snprintf(err, errlen, "%s: %s", step_name(msg[0]),
		    strerror(msg[1]));
	else
		snprintf(err, errlen, "child failed before exec");
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
	return -1;
}

int
proc_spawn(const struct proc_spec *spec, pid_t *pid, int *out_fd,
    int *err_fd, char *err, size_t errlen)
{
	int out[2] = { -1, -1 }, ep[2] = { -1, -1 }, st[2] = { -1, -1 };
	pid_t parent = getpid(), p;
	int rc = -1;

	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(ep, O_CLOEXEC) == -1 ||
	    pipe2(st, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto done;
	}
	if ((p = fork()) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto done;
	}
	if (p == 0)
		child(spec, parent, out[1], ep[1], st[1]);
	close(st[1]);
	st[1] = -1;
	if (await_exec(p, st[0], err, errlen) == -1)
		goto done;
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(ep[0], F_SETFL, O_NONBLOCK);
	*pid = p;
	*out_fd = out[0];
	*err_fd = ep[0];
	out[0] = ep[0] = -1;
	rc = 0;
done:
	for (int i = 0; i < 2; i++) {
		if (out[i] != -1)
			close(out[i]);
		if (ep[i] != -1)
			close(ep[i]);
		if (st[i] != -1)
			close(st[i]);
	}
	return rc;
}

int
proc_signal_group(pid_t pid, int sig)
{
	/* Never fall back to kill(pid): after the leader is reaped the pid
	 * may belong to someone else, while a group id stays reserved as
	 * long as any member lives. The child joined its own group before
	 * exec, and callers only signal after exec. */
	if (pid <= 1)
		return -1;
	return kill(-pid, sig);
}

void
proc_describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "status 0x%x", status);
}

int
proc_lookup_user(const char *user, const char *group, struct proc_spec *spec,
    char *err, size_t errlen)
{
	struct passwd *pw;
	struct group *gr;
	int n = PROC_MAX_GROUPS;

	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "no such user '%s'", user);
		return -1;
	}
	spec->uid = pw->pw_uid;
	spec->gid = pw->pw_gid;
	if (group != NULL && group[0] != '\0') {
		if ((gr = getgrnam(group)) == NULL) {
			snprintf(err, errlen, "no such group '%s'", group);
			return -1;
		}
		spec->gid = gr->gr_gid;
	}
	if (getgrouplist(user, spec->gid, spec->groups, &n) == -1) {
		snprintf(err, errlen, "user '%s' is in too many groups", user);
		return -1;
	}
	spec->ngroups = n;
	spec->change_user = true;
	return 0;
}
