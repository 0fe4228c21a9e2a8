#!/usr/bin/env bash
# Build the pinned OpenMMLab stack into .venv. Idempotent: each step records what it installed
# in .venv/.stamps and runs again only when that changes; mmcv's compiled wheel is kept in
# $MMHYBRID_CACHE (outside the repo) and reused by every later bootstrap.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3.11}"
CACHE="${MMHYBRID_CACHE:-$HOME/.cache/mmhybrid}"
STAMPS="$VENV/.stamps"
PIP="$VENV/bin/python -m pip"

BUILD_TOOLS=("pip<26.2" "setuptools<82" wheel ninja)
TORCH=(torch==2.14.1 torchvision==0.29.1)
MMCV_VERSION=2.1.0
# numpy<2.4: cityscapesscripts 2.3.0 (CityscapesMetric) and mmpretrain 1.2.0 call np.in1d,
# which numpy 2.4 removed.
MM_STACK=(mmengine==0.10.7 mmdet==3.3.0 mmsegmentation==1.2.2 mmpretrain==1.2.0 "numpy<2.4"
          ftfy regex pycocotools cityscapesscripts pytest pytest-timeout pytest-xdist
          "flake8>=7,<8" "isort>=5.12,<10" "onnx>=1.16" "onnxruntime>=1.18" "build>=1")

# need STEP SPEC...: true when STEP has not yet run with exactly SPEC.
need() { local step=$1; shift; [ "$(cat "$STAMPS/$step" 2>/dev/null)" != "$*" ]; }
mark() { local step=$1; shift; echo "$*" > "$STAMPS/$step"; }
log() { echo "[bootstrap] $*"; }

if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV with $PY"
  "$PY" -m venv "$VENV"
fi
mkdir -p "$STAMPS" "$CACHE/wheels"

if need build-tools "${BUILD_TOOLS[@]}"; then
  log "build tools (setuptools<82: mmcv's setup.py imports pkg_resources)"
  $PIP install -q --upgrade "${BUILD_TOOLS[@]}"
  mark build-tools "${BUILD_TOOLS[@]}"
fi

if need torch "${TORCH[@]}"; then
  log "${TORCH[*]}"
  $PIP install -q "${TORCH[@]}"
  mark torch "${TORCH[@]}"
fi

if need mmcv "$MMCV_VERSION"; then
  wheel="$(ls "$CACHE"/wheels/mmcv-$MMCV_VERSION-*.whl 2>/dev/null | head -n 1 || true)"
  if [ -z "$wheel" ]; then
    log "building mmcv $MMCV_VERSION with ops from its sdist (about 15 minutes, once per machine)"
    src="$(mktemp -d)"
    $PIP download -q --no-deps --no-binary :all: --no-build-isolation -d "$src" \
      mmcv==$MMCV_VERSION
    tar -xzf "$src/mmcv-$MMCV_VERSION.tar.gz" -C "$src"
    # torch >= 2.14 headers need C++20; mmcv 2.1.0 hard-codes C++17.
    sed -i 's/-std=c++17/-std=c++20/g' "$src/mmcv-$MMCV_VERSION/setup.py"
    MMCV_WITH_OPS=1 MAX_JOBS="$(nproc)" $PIP wheel --no-build-isolation --no-deps \
      -w "$CACHE/wheels" "$src/mmcv-$MMCV_VERSION"
    rm -rf "$src"
    wheel="$(ls "$CACHE"/wheels/mmcv-$MMCV_VERSION-*.whl | head -n 1)"
  else
    log "mmcv from the cached wheel $wheel"
  fi
  $PIP install -q "$wheel" mmengine==0.10.7
  mark mmcv "$MMCV_VERSION"
fi

if need mm-stack "${MM_STACK[@]}"; then
  log "mmengine, mmdet, mmseg, mmpretrain and test tools"
  $PIP install -q "${MM_STACK[@]}"
  mark mm-stack "${MM_STACK[@]}"
fi

if need ops-check "$MMCV_VERSION"; then
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
  mark ops-check "$MMCV_VERSION"
fi

if need editable "$ROOT $(stat -c %Y "$ROOT/setup.py")"; then
  log "pip install -e ."
  $PIP install -q --no-deps --no-build-isolation -e "$ROOT"
  mark editable "$ROOT $(stat -c %Y "$ROOT/setup.py")"
fi
log "environment ready: $VENV"
