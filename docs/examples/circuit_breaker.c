/* Example: a host application's circuit breaker on top of libvigil. */
#include <stdio.h>
#include <stdlib.h>

#include "vigil.h"

/*
 * usage: circuit_breaker SHM_NAME PLUGIN [MAX_HEARTBEAT_AGE_MS]
 *
 * What a host such as Hockeypuck does before calling a plugin (the seed's
 * "Circuit Breaker Integration"): ask libvigil whether the plugin is
 * available, and fail fast with 503 instead of waiting on a dead or sick
 * plugin. The check reads shared memory only; it never blocks.
 *
 * Prints "200 ok" and exits 0 when the plugin is usable, or
 * "503 plugin unavailable" and exits 3 otherwise (2 on usage errors).
 * Build against an installed libvigil with:
 *   cc circuit_breaker.c $(pkg-config --cflags --libs vigil)
 */
int
main(int argc, char **argv)
{
	uint64_t max_age_ms = 3000;
	struct vigil *v;
	bool up;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: circuit_breaker SHM_NAME PLUGIN "
		    "[MAX_HEARTBEAT_AGE_MS]\n");
		return 2;
	}
	if (argc == 4)
		max_age_ms = strtoull(argv[3], NULL, 10);
	if ((v = vigil_open(argv[1])) == NULL) {
		fprintf(stderr, "circuit_breaker: bad segment name %s\n",
		    argv[1]);
		return 2;
	}
	up = vigil_plugin_available(v, argv[2], max_age_ms);
	vigil_close(v);
	/* A real host would return this status to its own HTTP client. */
	puts(up ? "200 ok" : "503 plugin unavailable");
	return up ? 0 : 3;
}
