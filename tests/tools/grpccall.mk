# grpccall: a tiny gRPC client the system tests use to talk to plugins.
GRPCCALL_OBJS	:= $(O)/obj/tests/tools/grpccall.o
TEST_OBJS	+= $(GRPCCALL_OBJS)
TEST_BINS	+= $(O)/tests/tools/grpccall

$(O)/tests/tools/grpccall: $(GRPCCALL_OBJS) $(O)/lib/libproto.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(GRPC_LIBS)
