"""Export a config's backbone (detection and segmentation configs) or classifier (``cls_``
configs) to ONNX, and check it with onnxruntime when that is installed.

    python tools/deployment/pytorch2onnx.py configs/cls_transxnet_t_in1k.py CKPT \\
        --shape 224 224 --out transxnet_t.onnx
    python tools/deployment/pytorch2onnx.py configs/maskrcnn_hlg_t_1x.py --shape 800 1216 \\
        --dynamic --out hlg_t_backbone.onnx

Without a checkpoint the model is randomly initialised. ``--dynamic`` makes batch, height
and width dynamic (FcaFormer, MixFormer, HybridFormer backbones); the check then also runs a
second batch and size. TransXNet (per-sample dynamic convolutions) and HLG export at a fixed
size. Outputs: ``logits`` for
classifiers, ``out0`` ... for the backbone's feature maps.
"""
import argparse
import os.path as osp
import sys
from typing import List, Tuple

import numpy as np
import torch
import torch.nn as nn

from mmhybrid.analysis.model_info import TensorForward, load_model, task_of


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Export an mmhybrid model to ONNX')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint (default: random weights)')
    parser.add_argument('--shape', type=int, nargs=2, default=[224, 224], metavar=('H', 'W'),
                        help='input height and width')
    parser.add_argument('--dynamic', action='store_true', help='dynamic batch, height, width')
    parser.add_argument('--opset', type=int, default=17, help='ONNX opset')
    parser.add_argument('--out', help='ONNX file (default: CONFIG name + .onnx)')
    parser.add_argument('--tolerance', type=float, default=1e-4,
                        help='largest abs difference to onnxruntime that passes')
    return parser.parse_args()


def exported_module(config: str, checkpoint: str,
                    shape: Tuple[int, int]) -> Tuple[nn.Module, List[str]]:
    """What is exported, and the names of its outputs."""
    model, _ = load_model(config, checkpoint)
    if task_of(model) == 'cls':
        return TensorForward(model, 'cls', shape).eval(), ['logits']
    backbone = model.backbone.eval()
    with torch.no_grad():
        count = len(backbone(torch.rand(1, 3, *shape)))
    return backbone, [f'out{i}' for i in range(count)]


def check(path: str, module: nn.Module, inputs: List[torch.Tensor], tolerance: float) -> float:
    """Largest abs difference between onnxruntime and PyTorch over ``inputs``."""
    import onnxruntime
    session = onnxruntime.InferenceSession(path, providers=['CPUExecutionProvider'])
    worst = 0.
    for x in inputs:
        with torch.no_grad():
            expected = module(x)
        expected = [expected] if isinstance(expected, torch.Tensor) else list(expected)
        got = session.run(None, {'input': x.numpy()})
        for ours, ref in zip(got, expected):
            if tuple(ours.shape) != tuple(ref.shape):
                raise SystemExit(f'onnxruntime output shape {ours.shape} != PyTorch '
                                 f'{tuple(ref.shape)} at input {tuple(x.shape)}')
            worst = max(worst, float(np.abs(ours - ref.numpy()).max()))
    return worst


def main() -> None:
    args = parse_args()
    out = args.out or osp.splitext(osp.basename(args.config))[0] + '.onnx'
    h, w = args.shape
    module, names = exported_module(args.config, args.checkpoint, (h, w))
    x = torch.rand(1, 3, h, w)
    dynamic_axes = None
    if args.dynamic:
        spatial = {0: 'batch'} if names == ['logits'] else {0: 'batch', 2: 'h', 3: 'w'}
        dynamic_axes = {'input': {0: 'batch', 2: 'height', 3: 'width'},
                        **{name: dict(spatial) for name in names}}
    try:
        with torch.no_grad():
            torch.onnx.export(module, (x, ), out, dynamo=False, opset_version=args.opset,
                              input_names=['input'], output_names=names,
                              dynamic_axes=dynamic_axes)
    except Exception as e:
        if not args.dynamic:
            raise
        sys.exit(f'error: this model does not export with dynamic shapes ({type(e).__name__}); '
                 'export it at a fixed --shape (README, "Deployment")')
    print(f'exported {type(getattr(module, "model", module)).__name__} '
          f'({", ".join(names)}) for {h}x{w} to {out}')
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        print('onnxruntime is not installed: outputs not checked')
        return
    inputs = [x]
    if args.dynamic:  # another batch and another size
        other = (h + 13, w - 7) if (h, w) == (224, 224) else (224, 224)
        inputs.append(torch.rand(2, 3, *other))
    try:
        err = check(out, module, inputs, args.tolerance)
    except Exception as e:
        if not args.dynamic:
            raise
        sys.exit(f'error: the exported model fails at another input size ({type(e).__name__}): '
                 'this model does not export with dynamic shapes; export it at a fixed --shape')
    sizes = ', '.join(f'{tuple(i.shape)}' for i in inputs)
    print(f'onnxruntime vs PyTorch at {sizes}: max abs difference {err:.2e}')
    if err > args.tolerance:
        sys.exit(f'error: the difference exceeds --tolerance {args.tolerance}')


if __name__ == '__main__':
    main()
