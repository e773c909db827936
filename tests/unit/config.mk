# Config loader tests: config.o and the toml++ shim, with a fake log in the
# test itself (it records the warnings the test asserts).
$(eval $(call unit_test,config_test,$(O)/obj/common/config.o $(O)/obj/common/toml.o,-ljson-c -lstdc++))

# The test finds its fixtures and deploy/vigil.toml.example from any cwd.
$(O)/obj/tests/unit/config_test.o: private CPPFLAGS += -DVIGIL_SRCDIR='"$(CURDIR)"'
