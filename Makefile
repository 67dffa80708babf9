# Wk: the two entry points of README.md, and a few helpers.
#
#   make demo    install what is missing (Debian 12), build, run the demo
#   make check   install what is missing, build, run every test suite
#
# Packages come from Debian; apt-get runs through sudo when not root.

BUILD ?= _build
PYTHON := /usr/bin/python3

DEBIAN_PACKAGES := \
	build-essential pkg-config meson ninja-build \
	libglib2.0-dev libglib2.0-dev-bin \
	gobject-introspection libgirepository1.0-dev gir1.2-glib-2.0 \
	python3 python3-gi python3-pytest python3-dev python-gi-dev valac \
	gjs \
	libgtk-4-dev xvfb xauth graphviz

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build demo check bench clean

all: build

deps:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

demo: build
	@echo; echo "######## Wk in C: examples/refs.c"; echo
	./$(BUILD)/examples/refs
	@echo; echo "######## Wk in Python: examples/refs.py"; echo
	meson devenv -C $(BUILD) $(PYTHON) $(CURDIR)/examples/refs.py
	@echo; echo "######## Wk in JavaScript (GJS): examples/refs.js"; echo
	meson devenv -C $(BUILD) gjs -m $(CURDIR)/examples/refs.js
	@echo; echo "######## An image cache in C: examples/image-cache.c"; echo
	./$(BUILD)/examples/image-cache
	@echo; echo "######## The same image cache in Python: examples/image_cache.py"; echo
	meson devenv -C $(BUILD) $(PYTHON) $(CURDIR)/examples/image_cache.py
	@echo; echo "######## A temporary directory removed by a finalizer, in C: examples/tempdir.c"; echo
	./$(BUILD)/examples/tempdir
	@echo; echo "######## The same in Python: examples/tempdir.py"; echo
	meson devenv -C $(BUILD) $(PYTHON) $(CURDIR)/examples/tempdir.py
	@echo; echo "######## A reference cycle, leaked by GObjects, collected by Wk, in C: examples/cycle.c"; echo
	./$(BUILD)/examples/cycle
	@echo; echo "######## The same in Python, with Wk.gc: examples/cycle.py"; echo
	meson devenv -C $(BUILD) $(PYTHON) $(CURDIR)/examples/cycle.py
	@echo; echo "######## The GTK 4 image viewer, in self-test mode: examples/gtk/wk-viewer.c"; echo
	@# A build dir set up before GTK was installed has to look for it again.
	@if [ ! -x $(BUILD)/examples/gtk/wk-viewer ] && pkg-config --exists gtk4; then \
	  meson setup --reconfigure $(BUILD) >/dev/null && meson compile -C $(BUILD); \
	fi
	@if [ ! -x $(BUILD)/examples/gtk/wk-viewer ]; then \
	  echo "(not built: install libgtk-4-dev and run make demo again)"; \
	else \
	  if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then run=""; \
	  elif command -v xvfb-run >/dev/null; then run="xvfb-run -a"; \
	  else echo "(no display and no xvfb-run: install xvfb xauth to see it run)"; exit 0; fi; \
	  $$run ./$(BUILD)/examples/gtk/wk-viewer --self-test --screenshot=$(BUILD)/wk-viewer-selftest.png && \
	  echo && echo "Screenshot of the viewer: $(CURDIR)/$(BUILD)/wk-viewer-selftest.png" && \
	  echo && echo "######## The viewer with a leak (--leak), found with the census and drawn with wk_gc_write_graph" && echo && \
	  $$run ./$(BUILD)/examples/gtk/wk-viewer --leak --self-test --graph=$(BUILD)/wk-viewer-leak.svg && \
	  echo && echo "Graph of the leaked view: $(CURDIR)/$(BUILD)/wk-viewer-leak.svg" \
	    "(DOT text: $(CURDIR)/$(BUILD)/wk-viewer-leak.dot)" && \
	  echo && echo "######## A GTK 4 photo browser in Python, in self-test mode: examples/gtk/photos.py" && echo && \
	  $$run meson devenv -C $(BUILD) $(PYTHON) $(CURDIR)/examples/gtk/photos.py --self-test; \
	fi

check: build
	meson test -C $(BUILD) --print-errorlogs

bench: build
	meson test -C $(BUILD) --benchmark --verbose

clean:
	rm -rf $(BUILD)
