# common/: code linked into both daemons, and the public reader library.

# Internal library (both daemons, tests).
COMMON_SRCS	:= common/log.c common/timeutil.c common/shmstate.c \
		   common/ctlmsg.c common/config.c common/toml.cc
COMMON_OBJS	:= $(addprefix $(O)/obj/,$(addsuffix .o,$(basename $(COMMON_SRCS))))

# libvigil: the public, read-only state reader (vigil.h).
LIBVIGIL_SRCS	:= common/vigil.c
LIBVIGIL_OBJS	:= $(LIBVIGIL_SRCS:%.c=$(O)/obj/%.o)

LIBS		+= $(O)/lib/libvigil.so.0 $(O)/lib/libvigil.a

$(O)/lib/libvigil.a: $(LIBVIGIL_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(O)/lib/libvigil.so.0: $(LIBVIGIL_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libvigil.so.0 $(LDFLAGS) -o $@ $^
	ln -sf libvigil.so.0 $(O)/lib/libvigil.so
