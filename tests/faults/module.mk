# tests/faults/: the fault matrix (one script per row), its fixture plugin
# and its tools. `make check-faults` runs every row, 3 at a time.

FAULT_BINS	:= $(O)/tests/fixtures/misbehave $(O)/tests/tools/ctlflood \
		   $(O)/tests/tools/shmwatch

MISBEHAVE_OBJS	:= $(O)/obj/tests/fixtures/plugins/misbehave/main.o
CTLFLOOD_OBJS	:= $(O)/obj/tests/faults/ctlflood.o
SHMWATCH_OBJS	:= $(O)/obj/tests/faults/shmwatch.o
TEST_OBJS	+= $(MISBEHAVE_OBJS) $(CTLFLOOD_OBJS) $(SHMWATCH_OBJS)
TEST_BINS	+= $(FAULT_BINS)

$(O)/tests/fixtures/misbehave: $(MISBEHAVE_OBJS) $(O)/lib/libvigil-plugin.a \
		$(O)/lib/libproto.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(GRPC_LIBS)

$(O)/tests/tools/ctlflood: $(CTLFLOOD_OBJS) $(O)/lib/libcommon.a
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $^ $(JSON_LIBS)

$(O)/tests/tools/shmwatch: $(SHMWATCH_OBJS) $(O)/lib/libvigil.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

.PHONY: check-faults
check-faults: all
	@VIGIL_BUILD=$(abspath $(O)) tests/faults/run.sh

EXTRA_CHECKS	+= check-faults

# --- sanitizers and memory checks ----------------------------------------

# ThreadSanitizer (clang's runtime): the seqlock stress test as it is (its
# writer and readers are processes: TSan checks each process, it cannot see
# accesses across them), and tests/faults/seqlock_threads.c, the same
# protocol between threads of one process, where TSan sees every access.
TSAN_O		:= $(O)/tsan
TSAN_CC		?= clang
TSAN_CFLAGS	:= -std=c11 -O1 -g -fsanitize=thread $(WARNINGS) -MD -MP

$(TSAN_O)/obj/%.o: %.c | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(TSAN_CC) $(CPPFLAGS) $(TSAN_CFLAGS) -c -o $@ $<

$(TSAN_O)/torn_stress: $(TSAN_O)/obj/tests/stress/torn_stress.o \
		$(TSAN_O)/obj/common/shmstate.o $(TSAN_O)/obj/common/vigil.o
	$(TSAN_CC) -fsanitize=thread -o $@ $^

$(TSAN_O)/seqlock_threads: $(TSAN_O)/obj/tests/faults/seqlock_threads.o
	$(TSAN_CC) -fsanitize=thread -o $@ $^ -lpthread

-include $(shell find $(TSAN_O) -name "*.d" 2>/dev/null)

.PHONY: check-tsan check-valgrind
check-tsan: $(TSAN_O)/torn_stress $(TSAN_O)/seqlock_threads
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
	    $(TSAN_O)/torn_stress -s 2 -r 2 -m 50000 -t 30
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
	    $(TSAN_O)/seqlock_threads 2 3

# valgrind memcheck of the supervisor (normal build): start, 20 restarts
# over the control socket, stop; 0 errors, 0 bytes definitely lost.
check-valgrind: all
	@VIGIL_BUILD=$(abspath $(O)) VIGIL_SRC=$(CURDIR) bash tests/faults/valgrind.sh

EXTRA_CHECKS	+= check-tsan check-valgrind

# Soak: 10 plugins under random faults while wrk loads the API (60 s here;
# scripts/soak.sh alone runs SOAK_SECONDS, default 600).
.PHONY: check-soak
check-soak: all
	@VIGIL_BUILD=$(abspath $(O)) VIGIL_SRC=$(CURDIR) SOAK_SECONDS=60 \
	    scripts/soak.sh

EXTRA_CHECKS	+= check-soak
