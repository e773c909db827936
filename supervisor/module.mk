# supervisor/: the root process that runs, checks and restarts plugins.
SUPERVISOR_SRCS	:= supervisor/main.c supervisor/supervisor.c \
		   supervisor/plugin.c supervisor/launch.c supervisor/state.c \
		   supervisor/proc.c \
		   supervisor/output.c supervisor/rpc.c supervisor/probe.c \
		   supervisor/handshake.c supervisor/ctl.c \
		   supervisor/discover.c supervisor/notify.c
SUPERVISOR_OBJS	:= $(SUPERVISOR_SRCS:%.c=$(O)/obj/%.o)

BINS		+= $(O)/bin/vigil-supervisor

$(O)/bin/vigil-supervisor: $(SUPERVISOR_OBJS) $(O)/lib/libcommon.a \
		$(O)/lib/libvigil.a $(O)/lib/libproto.a
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $^ $(GRPC_LIBS) $(JSON_LIBS) -lsystemd -lpthread
