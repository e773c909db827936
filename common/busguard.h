/* A SIGBUS guard for accesses to a shared-memory segment that may shrink. */
#ifndef VIGIL_BUSGUARD_H
#define VIGIL_BUSGUARD_H

/*
 * A segment truncated under a mapping raises SIGBUS on the next access to
 * a page that is gone. Its owner repairs it, and a reader must report
 * "unavailable"; neither may die. Accesses run under a per-thread guard,
 * and the SIGBUS handler jumps out of a guarded access. A SIGBUS anywhere
 * else goes to the handler installed before ours, or kills the process
 * as it would have.
 *
 * Header-only, with internal linkage: the writer (shmstate.c) and the
 * public reader library (vigil.c, also shipped as libvigil.so) each get
 * their own copy of this state, so neither exports a symbol the other
 * could clash with. In a process that has both, the second handler
 * chains to the first for a fault outside its own guard.
 */

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

static _Thread_local sigjmp_buf	*busguard_jump;
static struct sigaction		 busguard_previous;
static pthread_once_t		 busguard_once = PTHREAD_ONCE_INIT;

static inline void
busguard_handler(int sig, siginfo_t *si, void *uc)
{
	sigjmp_buf *g = busguard_jump;

	if (g != NULL) {
		busguard_jump = NULL;
		siglongjmp(*g, 1);
	}
	if (busguard_previous.sa_flags & SA_SIGINFO)
		busguard_previous.sa_sigaction(sig, si, uc);
	else if (busguard_previous.sa_handler != SIG_DFL &&
	    busguard_previous.sa_handler != SIG_IGN)
		busguard_previous.sa_handler(sig);
	else
		signal(SIGBUS, SIG_DFL);	/* the fault recurs, fatally */
}

static inline void
busguard_install_once(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = busguard_handler;
	/* NODEFER: sigsetjmp(env, 0) does not unblock SIGBUS after a jump. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGBUS, &sa, &busguard_previous);
}

/* Install the handler (once per copy of this state) before any access. */
static inline void
busguard_install(void)
{
	(void)pthread_once(&busguard_once, busguard_install_once);
}

/*
 * Run stmt under the guard; if the segment shrinks under it, run
 * fail_stmt instead of the rest of stmt. fail_stmt should return (a
 * break or continue would only leave this macro's own loop); stmt must
 * not return, break or goto, which would leave the guard pointing at a
 * dead stack frame.
 */
#define BUSGUARD_RUN(stmt, fail_stmt)					\
	do {								\
		sigjmp_buf	jb_;					\
									\
		if (sigsetjmp(jb_, 0) != 0) {				\
			fail_stmt;					\
		} else {						\
			busguard_jump = &jb_;				\
			stmt;						\
			busguard_jump = NULL;				\
		}							\
	} while (0)

#endif /* VIGIL_BUSGUARD_H */
