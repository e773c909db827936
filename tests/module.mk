# tests/: unit tests (cmocka), the seqlock stress test, test tools.
#
# Each tests/unit/<area>.mk adds its tests with
#   $(eval $(call unit_test,NAME,OBJECTS,LIBS))
# which links tests/unit/NAME.c with exactly the objects under test.

UNIT_TESTS	:=

define unit_test
UNIT_TESTS += $(O)/tests/unit/$(1)
TEST_OBJS += $(O)/obj/tests/unit/$(1).o
$(O)/tests/unit/$(1): $(O)/obj/tests/unit/$(1).o $(2)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $(3) -lcmocka
endef

include $(sort $(wildcard tests/unit/*.mk))

# Seqlock torn-read stress test: writer and reader processes.
TEST_OBJS	+= $(O)/obj/tests/stress/torn_stress.o
$(O)/tests/torn_stress: $(O)/obj/tests/stress/torn_stress.o \
		$(O)/obj/common/shmstate.o $(O)/lib/libvigil.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

TEST_BINS	+= $(UNIT_TESTS) $(O)/tests/torn_stress

include $(sort $(wildcard tests/tools/*.mk))
