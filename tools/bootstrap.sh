#!/usr/bin/env bash
# Build the pinned OpenMMLab stack into .venv. Idempotent: each step leaves a stamp and is skipped
# next time; mmcv's compiled wheel is kept in $MMHYBRID_CACHE (outside the repo) and reused.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3.11}"
CACHE="${MMHYBRID_CACHE:-$HOME/.cache/mmhybrid}"
STAMPS="$VENV/.stamps"
PIP="$VENV/bin/python -m pip"

step() { [ -f "$STAMPS/$1" ]; }
done_step() { touch "$STAMPS/$1"; }
log() { echo "[bootstrap] $*"; }

if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV with $PY"
  "$PY" -m venv "$VENV"
fi
mkdir -p "$STAMPS" "$CACHE/wheels"

if ! step build-tools; then
  log "build tools (setuptools<82: mmcv's setup.py imports pkg_resources)"
  $PIP install -q --upgrade "pip<26.2" "setuptools<82" wheel ninja
  done_step build-tools
fi

if ! step torch; then
  log "torch 2.14.1 + torchvision 0.29.1"
  $PIP install -q torch==2.14.1 torchvision==0.29.1
  done_step torch
fi

if ! step mmcv; then
  wheel="$(ls "$CACHE"/wheels/mmcv-2.1.0-*.whl 2>/dev/null | head -n 1 || true)"
  if [ -z "$wheel" ]; then
    log "building mmcv 2.1.0 with ops from its sdist (about 15 minutes, once per machine)"
    src="$(mktemp -d)"
    $PIP download -q --no-deps --no-binary :all: --no-build-isolation -d "$src" mmcv==2.1.0
    tar -xzf "$src"/mmcv-2.1.0.tar.gz -C "$src"
    # torch >= 2.14 headers need C++20; mmcv 2.1.0 hard-codes C++17.
    sed -i 's/-std=c++17/-std=c++20/g' "$src/mmcv-2.1.0/setup.py"
    MMCV_WITH_OPS=1 MAX_JOBS="$(nproc)" $PIP wheel --no-build-isolation --no-deps \
      -w "$CACHE/wheels" "$src/mmcv-2.1.0"
    rm -rf "$src"
    wheel="$(ls "$CACHE"/wheels/mmcv-2.1.0-*.whl | head -n 1)"
  else
    log "mmcv from cached wheel $wheel"
  fi
  $PIP install -q --no-deps "$wheel"
  $PIP install -q addict packaging pillow pyyaml yapf opencv-python "numpy>=1.24"
  done_step mmcv
fi

if ! step mm-stack; then
  log "mmengine, mmdet, mmseg, mmpretrain and test tools"
  $PIP install -q mmengine==0.10.7 mmdet==3.3.0 mmsegmentation==1.2.2 mmpretrain==1.2.0 \
    ftfy regex pycocotools cityscapesscripts pytest pytest-timeout fvcore
  done_step mm-stack
fi

if ! step ops-check; then
  log "checking that mmcv has its compiled ops"
  "$VENV/bin/python" - <<'PY'
import torch
from mmcv.ops import RoIAlign, nms
boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.], [20., 20., 30., 30.]])
keep = nms(boxes, torch.tensor([0.9, 0.8, 0.7]), 0.5)[1]
assert keep.tolist() == [0, 2], keep
feat = torch.arange(16.).view(1, 1, 4, 4)
out = RoIAlign((2, 2), 1.0, 0, aligned=False)(feat, torch.tensor([[0., 0., 0., 3., 3.]]))
assert out.shape == (1, 1, 2, 2)
print('mmcv ops OK')
PY
  done_step ops-check
fi

if [ ! -f "$STAMPS/editable" ] || [ "$ROOT/setup.py" -nt "$STAMPS/editable" ]; then
  log "pip install -e ."
  $PIP install -q --no-deps --no-build-isolation -e "$ROOT"
  done_step editable
fi
log "environment ready: $VENV"
