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

# Until the runtime exists, the main job is the compiler's: check every example, then show the
# resolved plan of the shop project and evaluate one of its conditions on a sample row.
demo: build
	@$(BUILD_DIR)/obsync check examples/*.sync && echo "check: examples/*.sync are clean"
	@$(BUILD_DIR)/obsync explain examples/shop.sync
	@$(BUILD_DIR)/obsync eval --columns "status VARCHAR(20), amount DECIMAL(10,2)" \
	  --row '{"status": "paid", "amount": "120.50"}' -- "status <> 'cancelled' AND amount >= 100"

clean:
	rm -rf $(BUILD_DIR)
