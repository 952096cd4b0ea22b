#!/usr/bin/env bash
# The layers the build enforces (docs/architecture.md): each layer's
# library compiles with a directory of links to the headers it may see
# (BUILD/layers/<layer>). Compiling one include through each layer's view
# proves the rule: what a layer may call compiles, what it may not does not.
#   test_layers.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# compiles LAYER HEADER: 0 when a file including HEADER compiles in LAYER's view.
compiles() {
	printf '#include "%s"\nint dropline_layer_probe;\n' "$2" >"$tmp/probe.c"
	"$cc" -std=c17 -fsyntax-only -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
		$(pkg-config --cflags jansson 2>/dev/null) \
		-I "$build/layers/$1" "$tmp/probe.c" 2>/dev/null
}

expect() { # expect yes|no LAYER HEADER
	local want=$1 layer=$2 header=$3 got=no
	compiles "$layer" "$header" && got=yes
	if [ "$got" = "$want" ]; then
		echo "ok    $layer includes $header: $got"
	else
		echo "FAIL  $layer includes $header: $got, expected $want"
		failures=$((failures + 1))
	fi
}

expect yes domain domain/spec.h
expect no domain store/store.h
expect no domain api/request.h
expect yes store store/store_records.h
expect yes store domain/rules.h
expect no store api/api.h
expect no store http/server.h
expect yes api api/request.h
expect yes api store/store_records.h
expect no api http/checks.h
expect yes http http/checks.h
expect yes http api/api.h
expect no http store/store.h
expect no http store/store_orders.h
expect no http catalog/catalog.h
# statements.h is private to the store: no layer's view has it.
for layer in domain store api http catalog all; do
	expect no "$layer" store/statements.h
done
# The API's public headers show no store type: each compiles in the http view.
for h in "$src"/include/api/*.h; do
	expect yes http "api/$(basename "$h")"
done

[ "$failures" -eq 0 ] && echo "layers: every include as the layers allow" && exit 0
echo "layers: $failures include(s) not as the layers allow"
exit 1
