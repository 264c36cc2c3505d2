# pg_kmersearch hybrid - top-level build.
#   make demo     install dependencies, build, install, run the main job (scripts/demo.sh)
#   make test     install dependencies, build, install, run every test (scripts/test-all.sh)
#   make install  build and install the extension
#   make stop     stop the demo cluster

DOTNET_CONFIG ?= Release

.PHONY: all deps build install demo test stop clean

all: build

deps:
	scripts/install-deps.sh

build: deps
	$(MAKE) -s -C bridge-ext
	dotnet build hybrid.sln -c $(DOTNET_CONFIG) --nologo -v quiet

install: build
	$(MAKE) -s -C bridge-ext install

demo: install
	scripts/demo.sh

test: install
	scripts/test-all.sh

stop:
	scripts/stop-demo.sh

clean:
	$(MAKE) -C bridge-ext clean
	dotnet clean hybrid.sln --nologo -v quiet
