# plugins/: the C plugin SDK (libvigil-plugin.a), the demo plugins and the
# small plugins the system tests supervise (tests/fixtures/plugins).

# libvigil-plugin.a: link it with libproto.a and $(GRPC_LIBS).
SDK_SRCS	:= plugins/sdk/addr.c plugins/sdk/server.c plugins/sdk/sdk.c \
		   plugins/sdk/simulation.c
SDK_OBJS	:= $(SDK_SRCS:%.c=$(O)/obj/%.o)

LIBS		+= $(O)/lib/libvigil-plugin.a

$(O)/lib/libvigil-plugin.a: $(SDK_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# Demo plugins, installed by `make install` (each with its plugin.toml).
PLUGIN_NAMES	:= antiabuse flaky

ANTIABUSE_OBJS	:= $(O)/obj/plugins/antiabuse/main.o \
		   $(O)/obj/plugins/antiabuse/limiter.o
FLAKY_OBJS	:= $(O)/obj/plugins/flaky/main.o \
		   $(O)/obj/plugins/flaky/options.o
HEALTHONLY_OBJS	:= $(O)/obj/tests/fixtures/plugins/health-only/main.o
GOPLUGIN_OBJS	:= $(O)/obj/tests/fixtures/plugins/goplugin/main.o

PLUGIN_OBJS	:= $(ANTIABUSE_OBJS) $(FLAKY_OBJS) $(HEALTHONLY_OBJS) \
		   $(GOPLUGIN_OBJS)

# Test fixtures: tests/fixtures/plugins/<name> -> $(O)/tests/fixtures/<name>.
PLUGIN_FIXTURES	:= $(O)/tests/fixtures/health-only $(O)/tests/fixtures/goplugin

PLUGINS		:= $(foreach p,$(PLUGIN_NAMES),$(O)/plugins/$(p)/$(p)) \
		   $(PLUGIN_FIXTURES)

PLUGIN_LINK	= $(CC) $(LDFLAGS) -o $@ $^ $(GRPC_LIBS)
PLUGIN_DEPS	:= $(O)/lib/libvigil-plugin.a $(O)/lib/libproto.a

$(O)/plugins/antiabuse/antiabuse: $(ANTIABUSE_OBJS) $(PLUGIN_DEPS)
	@mkdir -p $(@D)
	$(PLUGIN_LINK) $(JSON_LIBS)

$(O)/plugins/flaky/flaky: $(FLAKY_OBJS) $(PLUGIN_DEPS)
	@mkdir -p $(@D)
	$(PLUGIN_LINK) $(JSON_LIBS)

$(O)/tests/fixtures/health-only: $(HEALTHONLY_OBJS) $(PLUGIN_DEPS)
	@mkdir -p $(@D)
	$(PLUGIN_LINK)

$(O)/tests/fixtures/goplugin: $(GOPLUGIN_OBJS) $(PLUGIN_DEPS)
	@mkdir -p $(@D)
	$(PLUGIN_LINK)
