# shmwriter: publishes scripted plugin records, for apiserver tests that
# run without a real supervisor.
SHMWRITER_OBJS	:= $(O)/obj/tests/tools/shmwriter.o
TEST_OBJS	+= $(SHMWRITER_OBJS)
TEST_BINS	+= $(O)/tests/tools/shmwriter

$(O)/tests/tools/shmwriter: $(SHMWRITER_OBJS) $(O)/obj/common/shmstate.o \
		$(O)/obj/common/timeutil.o $(O)/lib/libvigil.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^
