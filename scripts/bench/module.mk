# scripts/bench/: benchmarks (issue 8).
#
#   make bench        run scripts/bench/*.sh and regenerate docs/BENCHMARKS.md
#                     (about 15 minutes; not part of `make test`)
#   make check-bench  the callgrind regression guard (scripts/bench/quick.sh);
#                     `make test` runs it through EXTRA_CHECKS
#
# The programs the benchmarks drive live in tests/bench/ and
# tests/fixtures/plugins/bench-min/; they are built by `make` like every
# other test binary, so a change that breaks them fails the build at once.

# bench-min: the smallest SDK plugin, supervised by the hundred.
BENCHMIN_OBJS	:= $(O)/obj/tests/fixtures/plugins/bench-min/main.o
PLUGIN_OBJS	+= $(BENCHMIN_OBJS)
PLUGINS		+= $(O)/tests/fixtures/bench-min

$(O)/tests/fixtures/bench-min: $(BENCHMIN_OBJS) $(PLUGIN_DEPS)
	@mkdir -p $(@D)
	$(PLUGIN_LINK)

BENCH_DIR	:= $(O)/tests/bench
BENCH_OBJDIR	:= $(O)/obj/tests/bench

# shm_bench: libvigil snapshot and writer publish costs (ns per call).
$(BENCH_DIR)/shm_bench: $(BENCH_OBJDIR)/shm_bench.o \
		$(O)/obj/common/shmstate.o $(O)/lib/libvigil.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lpthread

# detect_bench: kill or stop a plugin, time its record's state changes.
$(BENCH_DIR)/detect_bench: $(BENCH_OBJDIR)/detect_bench.o \
		$(O)/lib/libvigil.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

# scale_sample: every check of every plugin, seen through libvigil.
$(BENCH_DIR)/scale_sample: $(BENCH_OBJDIR)/scale_sample.o \
		$(O)/lib/libvigil.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

# guard_check: the health-check path (decode, state machine, publish).
$(BENCH_DIR)/guard_check: $(BENCH_OBJDIR)/guard_check.o \
		$(O)/obj/supervisor/probe.o $(O)/obj/supervisor/rpc.o \
		$(O)/obj/supervisor/state.o $(O)/lib/libcommon.a \
		$(O)/lib/libvigil.a $(O)/lib/libproto.a
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $^ $(GRPC_LIBS) $(JSON_LIBS) -lpthread

# guard_render: the /health path (snapshot, summary, JSON, HTTP bytes).
BENCH_API_OBJS	:= $(addprefix $(O)/obj/apiserver/,view.o status.o render.o \
		   response.o buf.o metrics.o)
$(BENCH_DIR)/guard_render: $(BENCH_OBJDIR)/guard_render.o \
		$(BENCH_API_OBJS) $(O)/obj/common/shmstate.o \
		$(O)/obj/common/timeutil.o $(O)/lib/libvigil.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS)

$(BENCH_OBJDIR)/guard_render.o: private CPPFLAGS += -Iapiserver
$(BENCH_OBJDIR)/guard_check.o: private CPPFLAGS += -Isupervisor

BENCH_BINS	:= $(BENCH_DIR)/shm_bench $(BENCH_DIR)/detect_bench \
		   $(BENCH_DIR)/scale_sample \
		   $(BENCH_DIR)/guard_check $(BENCH_DIR)/guard_render
TEST_OBJS	+= $(patsubst $(BENCH_DIR)/%,$(BENCH_OBJDIR)/%.o,$(BENCH_BINS))
TEST_BINS	+= $(BENCH_BINS)

.PHONY: bench check-bench
bench: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@VIGIL_BUILD=$(abspath $(O)) scripts/bench/bench.bash

check-bench: $(BENCH_DIR)/guard_check $(BENCH_DIR)/guard_render
	@VIGIL_BUILD=$(abspath $(O)) scripts/bench/quick.sh

EXTRA_CHECKS	+= check-bench
