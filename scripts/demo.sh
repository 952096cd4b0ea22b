#!/usr/bin/env bash
# The README's run command: installs dependencies, builds, loads the demo
# catalog into ./dropline.db, makes a retailer key and a brand key, prints
# curl lines to try, and serves on 127.0.0.1:8080 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DDROPLINE_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

db=${DROPLINE_DB:-./dropline.db}
./build/dropline demo --db "$db"
retailer_key=$(./build/dropline keys create --retailer 500 --db "$db" 2>/dev/null)
brand_key=$(./build/dropline keys create --brand 501 --db "$db" 2>/dev/null)

cat <<MSG

Dropline demo: retailer 500 (Demo Retailer), brand 501 (Marla Cielo).
Keys (shown once; only their hashes are stored):
  retailer 500: $retailer_key
  brand 501:    $brand_key

Try, in another terminal:
  curl -H "Authorization: Bearer $retailer_key" localhost:8080/healthz
  curl -H "Authorization: Bearer $retailer_key" localhost:8080/v1/retailers/500/orders/
  curl -H "Authorization: Bearer $brand_key" "localhost:8080/v1/brands/501/orders/?is_acknowledged=0"

More in docs/api.md. Ctrl-C stops the server cleanly.

MSG
exec ./build/dropline serve --db "$db"
