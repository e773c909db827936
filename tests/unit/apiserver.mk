# apiserver unit tests: the pure modules, each linked on its own.
APIOBJ		:= $(O)/obj/apiserver

# Overall/readiness/supervisor rules.
$(eval $(call unit_test,apiserver_status_test,$(APIOBJ)/status.o,))

# Path and query parsing; the name syntax comes from common/config.c.
$(eval $(call unit_test,apiserver_uri_test,$(APIOBJ)/uri.o \
	$(O)/obj/common/config.o $(O)/obj/common/toml.o \
	$(O)/obj/common/log.o,-ljson-c -lstdc++))

# Token, allowlist and rate limiting, with injected time.
$(eval $(call unit_test,apiserver_auth_test,$(APIOBJ)/auth.o \
	$(APIOBJ)/cidr.o $(APIOBJ)/ratelimit.o,-lpthread))

# JSON bodies and the Prometheus exposition from fixed records.
$(eval $(call unit_test,apiserver_render_test,$(APIOBJ)/render.o \
	$(APIOBJ)/response.o $(APIOBJ)/buf.o $(APIOBJ)/status.o \
	$(APIOBJ)/metrics.o $(O)/obj/common/timeutil.o \
	$(O)/lib/libvigil.a,-ljson-c))

$(O)/obj/tests/unit/apiserver_%.o: private CPPFLAGS += -Iapiserver

# Memoized answers against fresh renders, every input changed alone.
$(eval $(call unit_test,apiserver_memo_test,$(APIOBJ)/memo.o \
	$(APIOBJ)/render.o $(APIOBJ)/response.o $(APIOBJ)/buf.o \
	$(APIOBJ)/status.o $(O)/obj/common/timeutil.o \
	$(O)/lib/libvigil.a,-ljson-c -lpthread))

# Views against a real segment: the write counter fits the records read.
$(eval $(call unit_test,apiserver_view_test,$(APIOBJ)/view.o \
	$(APIOBJ)/status.o $(O)/obj/common/shmstate.o \
	$(O)/obj/common/timeutil.o $(O)/lib/libvigil.a,))
