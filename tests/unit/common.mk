# Unit tests of common/ and of the supervisor's pure helpers.
$(eval $(call unit_test,shm_test,$(O)/obj/common/shmstate.o $(O)/obj/common/vigil.o,))
$(eval $(call unit_test,ctlmsg_test,$(O)/obj/common/ctlmsg.o $(O)/obj/common/config.o $(O)/obj/common/toml.o $(O)/obj/common/log.o,$(JSON_LIBS) -lstdc++))
$(eval $(call unit_test,log_test,$(O)/obj/common/log.o,))
$(eval $(call unit_test,handshake_test,$(O)/obj/supervisor/handshake.o,))
$(eval $(call unit_test,output_test,$(O)/obj/supervisor/output.o,))
$(eval $(call unit_test,probe_test,$(O)/obj/supervisor/probe.o $(O)/obj/supervisor/rpc.o $(O)/obj/common/timeutil.o $(O)/obj/common/log.o $(O)/lib/libproto.a,$(GRPC_LIBS) -lpthread))
