# apiserver/: the unprivileged HTTP frontend (CivetWeb + json-c).
APISERVER_SRCS	:= apiserver/main.c apiserver/server.c apiserver/routes.c \
		   apiserver/render.c apiserver/metrics.c apiserver/auth.c \
		   apiserver/ratelimit.c apiserver/cidr.c apiserver/uri.c \
		   apiserver/status.c apiserver/view.c apiserver/response.c \
		   apiserver/buf.c apiserver/privdrop.c apiserver/memo.c
APISERVER_OBJS	:= $(APISERVER_SRCS:%.c=$(O)/obj/%.o)

BINS		+= $(O)/bin/vigil-apiserver

# Where the dashboard's files are installed when [api] www_dir is empty.
$(O)/obj/apiserver/main.o: private CPPFLAGS += \
	-DVIGIL_SHAREDIR='"$(PREFIX)/share/vigil"'

# libcommon holds the C++ toml++ shim, hence -lstdc++.
$(O)/bin/vigil-apiserver: $(APISERVER_OBJS) $(O)/lib/libvigil.a \
		$(O)/lib/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lcivetweb $(JSON_LIBS) $(CXX_LIBS) -lpthread

# Host-integration example (docs/examples): a libvigil circuit breaker.
TEST_OBJS	+= $(O)/obj/docs/examples/circuit_breaker.o
TEST_BINS	+= $(O)/tests/tools/circuit_breaker

$(O)/tests/tools/circuit_breaker: $(O)/obj/docs/examples/circuit_breaker.o \
		$(O)/lib/libvigil.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^
