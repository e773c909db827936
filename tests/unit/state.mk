$(eval $(call unit_test,state_test,$(O)/obj/supervisor/state.o,))
