#!/bin/bash
# `make install DESTDIR=...` lays out the documented files, and a small C
# program built with `pkg-config --cflags --libs vigil` against the
# installed tree opens a live segment.
. "$(dirname "$0")/common.sh"

dest=$T/inst
prefix=/usr/local
make -s -C "$VIGIL_SRC" O="$VIGIL_BUILD" DESTDIR="$dest" PREFIX=$prefix \
    install >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "make install"; }
root=$dest$prefix
for f in bin/vigil-supervisor bin/vigil-apiserver lib/libvigil.so \
    lib/libvigil.a include/vigil.h include/vigil_shm.h \
    include/vigil_plugin.h lib/libvigil-plugin.a lib/pkgconfig/vigil.pc \
    libexec/vigil/plugins/antiabuse/antiabuse \
    libexec/vigil/plugins/antiabuse/plugin.toml \
    libexec/vigil/plugins/flaky/flaky libexec/vigil/plugins/flaky/plugin.toml \
    share/vigil/vigil.toml.example; do
	[ -e "$root/$f" ] || fail "not installed: $prefix/$f"
done
[ -x "$root/bin/vigil-supervisor" ] || fail "supervisor not executable"

cat >"$T/reader.c" <<'C'
#include <stdio.h>
#include <vigil.h>

int
main(int argc, char **argv)
{
	struct vigil *v = vigil_open(argv[argc - 1]);
	struct vigil_supervisor s;

	if (v == NULL || vigil_supervisor(v, &s) == -1) {
		perror("vigil");
		return 1;
	}
	printf("pid=%d plugins=%u lib=%s\n", s.pid, s.count, vigil_version());
	vigil_close(v);
	return 0;
}
C
flags=$(pkg-config --define-variable=prefix="$root" --cflags --libs \
    "$root/lib/pkgconfig/vigil.pc")
echo "pkg-config: $flags"
# The sanitizer build's library needs the program built the same way.
san=
[ "${VIGIL_SAN:-0}" = 1 ] && san="-fsanitize=address,undefined"
cc -std=c11 -Wall -Werror $san -o "$T/reader" "$T/reader.c" $flags

write_config
install_plugin one "$PLUGIN_BIN/antiabuse/antiabuse"
start_supervisor
wait_state one healthy 5
out=$(LD_LIBRARY_PATH="$root/lib" "$T/reader" "$SHM")
echo "$out"
assert_eq "$out" "pid=$SUPERVISOR_PID plugins=1 lib=0.1.0" "reader output"
# (grep -q on a pipe would close it early: SIGPIPE fails the pipeline)
libs=$(LD_LIBRARY_PATH="$root/lib" ldd "$T/reader")
case "$libs" in *"$root/lib/libvigil.so"*) ;;
*) fail "not linked to installed lib: $libs" ;; esac
stop_supervisor
echo ok
