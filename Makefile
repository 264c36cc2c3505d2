# pg_kmersearch hybrid - top-level build.
#   make demo     install dependencies, build, install, run the main job (scripts/demo.sh)
#   make test     install dependencies, build, install, run every test (scripts/test-all.sh)
#   make install  build and install the extension, the worker pool and kmer-cli
#   make stop     stop the demo cluster

DOTNET_CONFIG ?= Release
# Where make install puts the .NET programs (the systemd unit expects the worker here).
WORKER_DIR ?= /usr/local/lib/kmer-worker
CLI_DIR ?= /usr/local/lib/kmer-cli
BIN_DIR ?= /usr/local/bin

.PHONY: all deps build install demo test stop clean

all: build

deps:
	scripts/install-deps.sh

build: deps
	$(MAKE) -s -C bridge-ext
	dotnet build hybrid.sln -c $(DOTNET_CONFIG) --nologo -v quiet

install: build
	$(MAKE) -s -C bridge-ext install
	dotnet publish src/Kmer.Worker -c $(DOTNET_CONFIG) -o $(WORKER_DIR) --nologo -v quiet
	dotnet publish src/Kmer.Cli -c $(DOTNET_CONFIG) -o $(CLI_DIR) --nologo -v quiet
	ln -sf $(CLI_DIR)/kmer-cli $(BIN_DIR)/kmer-cli

demo: install
	scripts/demo.sh

test: install
	scripts/test-all.sh

stop:
	scripts/stop-demo.sh

clean:
	$(MAKE) -C bridge-ext clean
	dotnet clean hybrid.sln --nologo -v quiet

# Regenerate sql/90_bridged_functions.sql from the handlers' [BridgedFunction] attributes.
.PHONY: gen-sql
gen-sql:
	dotnet run --project src/Kmer.Cli -c Release -- gen-sql --output sql/90_bridged_functions.sql
