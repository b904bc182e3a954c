#!/usr/bin/env bash
# Smoke test of the wgpu backend: builds lrfind with the `wgpu` feature and runs a short
# range test on the GPU, or, on a machine without one, on Mesa's software Vulkan driver
# (lavapipe, Debian's mesa-vulkan-drivers), then the same test on flex for comparison.
# Usage: scripts/wgpu-smoke.sh [OUT_DIR]   (needs root to install the driver with apt-get)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/wgpu-smoke}

has_vulkan_icd() {
    ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1
}
if ! has_vulkan_icd; then
    echo "No Vulkan driver found: installing Mesa's (lavapipe, a CPU implementation)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null
fi

cargo build --release --features wgpu
bin=target/release/lrfind
args=(suggest --data digits --iters 100 --seed 0)
for backend in wgpu flex; do
    echo "== $backend"
    /usr/bin/time -f "wall %e s, peak %M KB" "$bin" "${args[@]}" --backend "$backend" --out "$out/$backend"
done
python3 - "$out" <<'PY' 2>/dev/null || true
import json, sys
a = json.load(open(f"{sys.argv[1]}/wgpu/lr_find.json"))
b = json.load(open(f"{sys.argv[1]}/flex/lr_find.json"))
print("suggestion wgpu", a["chosen"]["lr"], "index", a["chosen"]["index"],
      "| flex", b["chosen"]["lr"], "index", b["chosen"]["index"])
print("ms/iteration wgpu", round(a["timing"]["ms_per_iteration"], 2),
      "| flex", round(b["timing"]["ms_per_iteration"], 3))
PY
