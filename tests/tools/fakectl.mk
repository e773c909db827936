# fakectl: a fake control socket answering with a fixed status, printing
# each decoded request (apiserver restart tests).
FAKECTL_OBJS	:= $(O)/obj/tests/tools/fakectl.o
TEST_OBJS	+= $(FAKECTL_OBJS)
TEST_BINS	+= $(O)/tests/tools/fakectl

$(O)/tests/tools/fakectl: $(FAKECTL_OBJS) $(O)/lib/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(JSON_LIBS) $(CXX_LIBS)
