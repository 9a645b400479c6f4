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

demo: build
	@$(BUILD_DIR)/obsync check examples/*.sync
	@$(BUILD_DIR)/obsync explain examples/shop.sync

clean:
	rm -rf $(BUILD_DIR)
