# Unit tests of the plugin SDK and the demo plugins' pure logic.
$(eval $(call unit_test,sdk_test,$(O)/obj/plugins/sdk/addr.o,))
$(eval $(call unit_test,sdk_limiter_test,$(O)/obj/plugins/antiabuse/limiter.o,))
$(eval $(call unit_test,sdk_flaky_test,$(O)/obj/plugins/flaky/options.o,$(JSON_LIBS)))
