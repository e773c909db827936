# Test tools for the supervisor's system tests.
TEST_OBJS	+= $(O)/obj/tests/tools/vigilstate.o $(O)/obj/tests/tools/ctlsend.o
TEST_BINS	+= $(O)/tests/tools/vigilstate $(O)/tests/tools/ctlsend

$(O)/tests/tools/vigilstate: $(O)/obj/tests/tools/vigilstate.o $(O)/lib/libvigil.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

$(O)/tests/tools/ctlsend: $(O)/obj/tests/tools/ctlsend.o $(O)/lib/libcommon.a
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $^ $(JSON_LIBS)
