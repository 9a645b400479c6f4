# obsync front door: `make demo`, `make test`, `make build`.
# Every target installs what is missing first (idempotent, quiet when all present).
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps build test unit integration demo fmt-check clean

all: build

deps:
	@bash tools/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

unit: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

integration: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -L integration

# The main job on local servers: a private MariaDB with a small shop and a private Kafka broker,
# examples/quickstart.sync run by `obsync run` (schema, full, incremental), a few changes, and what
# arrived in each topic; everything started is stopped again.
demo: build
	@$(BUILD_DIR)/obsync check examples/*.sync && echo "check: examples/*.sync are clean"
	@$(BUILD_DIR)/obsync_demo $(BUILD_DIR)/obsync examples/quickstart.sync

clean:
	rm -rf $(BUILD_DIR)
