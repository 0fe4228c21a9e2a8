"""mmhybrid against the official implementation, in one process, with the same weights.

The official model file is your own copy (never part of this repository) and is loaded
unchanged; packages it imports that this stack lacks or renamed (timm, einops, mmcv 1.x's
``mmcv.runner``, the old mmdet builder) get small import shims. The official model is built
with seeded random weights, its state dict goes through mmhybrid's converter into ours, the
outputs must agree (``--tol``), then inference and a training step (forward, mean of the
outputs, backward, zero_grad; drop path 0 in both) are timed in interleaved rounds, one mode
after the other (inference in its steady state), and each side's first inference after
``train()`` once (where ours folds its BatchNorms).

    python benchmarks/vs_official.py transxnet PATH/TransXNet/models/transxnet.py --arch t
    python benchmarks/vs_official.py fcaformer \
        PATH/FcaFormer/image_classification/models/fcaformer.py --arch l2 \
        --dense-file PATH/FcaFormer/object_detection/mmdet/models/backbones/fcaformer.py
    python benchmarks/vs_official.py transxnet FILE --arch t --setting dense --shape 800 1216

Settings: ``cls`` (ImageNet classifier at 224) and ``dense`` (the backbone as detection and
segmentation use it, at ``--shape``; 512x512 by default). Printed per setting and mode: the
median latency of each side with its interquartile range and the ratio official / ours
(above 1: mmhybrid is faster), and the peak memory a call of each side adds (CUDA: allocated
tensors; CPU: resident memory, on Linux).
"""
import argparse
import contextlib
import ctypes
import importlib.util
import re
import statistics
import sys
import time
import types
from typing import Callable, Dict, Iterator, List, Tuple

import torch
import torch.nn as nn

# --- import shims: only for what the stack lacks; the official files stay as they are ---


def _rearrange(tensor: torch.Tensor, pattern: str) -> torch.Tensor:
    """einops.rearrange for patterns without ellipsis whose left side has no groups."""
    left, right = (side.strip() for side in pattern.split('->'))
    names = left.split()
    groups = re.findall(r'\(([^)]*)\)|(\w+)', right)
    order = [n for group, single in groups for n in (group.split() if group else [single])]
    out = tensor.permute(*(names.index(n) for n in order))
    shape, i = [], 0
    for group, single in groups:
        size = 1
        for _ in (group.split() if group else [single]):
            size *= out.shape[i]
            i += 1
        shape.append(size)
    return out.reshape(shape)


def _shim_modules() -> Dict[str, types.ModuleType]:
    from mmcv.cnn.bricks import DropPath
    from mmengine.model.weight_init import trunc_normal_
    from mmengine.runner.checkpoint import _load_checkpoint, load_checkpoint
    from mmengine.utils import to_2tuple

    def module(name: str, **attrs) -> types.ModuleType:
        mod = types.ModuleType(name)
        mod.__dict__.update(attrs)
        mod.__path__ = []
        return mod

    def register(*args, **kwargs):
        if args and callable(args[0]):
            return args[0]
        return lambda f: f

    registry = types.SimpleNamespace(register_module=register)
    shims = {}
    if importlib.util.find_spec('timm') is None:
        shims.update({
            'timm': module('timm'), 'timm.models': module('timm.models'),
            'timm.models.registry': module('timm.models.registry', register_model=register),
            'timm.models.layers': module('timm.models.layers', DropPath=DropPath,
                                         to_2tuple=to_2tuple, trunc_normal_=trunc_normal_),
            'timm.data': module('timm.data', IMAGENET_DEFAULT_MEAN=(0.485, 0.456, 0.406),
                                IMAGENET_DEFAULT_STD=(0.229, 0.224, 0.225)),
        })
    if importlib.util.find_spec('einops') is None:
        shims['einops'] = module('einops', rearrange=_rearrange)
    shims.update({
        'mmcv.runner': module('mmcv.runner', load_checkpoint=load_checkpoint,
                              _load_checkpoint=_load_checkpoint),
        'mmcv.runner.checkpoint': module('mmcv.runner.checkpoint',
                                         load_checkpoint=load_checkpoint),
        'mmcv_custom': module('mmcv_custom', load_checkpoint=load_checkpoint),
        'official': module('official'),
        'official.builder': module('official.builder', BACKBONES=registry),
    })
    return shims


@contextlib.contextmanager
def _shims() -> Iterator[None]:
    shims = _shim_modules()
    saved = {name: sys.modules.get(name) for name in shims}
    sys.modules.update(shims)
    try:
        yield
    finally:
        for name, previous in saved.items():
            if previous is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous


def load_official(path: str, name: str, logger_from: str = '') -> types.ModuleType:
    """Execute an official model file as module ``official.sub.<name>`` (relative imports such
    as ``from ..builder import BACKBONES`` land on the shims); ``logger_from`` names a package
    whose mmcv-1.x-era ``utils.get_root_logger`` the file imports."""
    from mmengine.logging import MMLogger
    spec = importlib.util.spec_from_file_location(f'official.sub.{name}', path)
    module = importlib.util.module_from_spec(spec)
    utils = importlib.import_module(f'{logger_from}.utils') if logger_from else None
    added = utils is not None and not hasattr(utils, 'get_root_logger')
    if added:
        utils.get_root_logger = MMLogger.get_current_instance
    try:
        with _shims(), contextlib.redirect_stdout(sys.stderr):
            sys.modules['official.sub'] = types.ModuleType('official.sub')
            spec.loader.exec_module(module)
    finally:
        if added:
            del utils.get_root_logger
    return module


# --- the two sides of each family ---


def randomise(model: nn.Module, seed: int = 0) -> nn.Module:
    """Seeded weights of unit-scale activations (the official inits leave near-zero layer
    scales and logits, under which any two models look equal): weights ~ N(0, 1/fan_in),
    1-d parameters ~ N(1 or 0, 0.1), running variances in [0.5, 1.5]."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            if name.endswith('running_var'):
                new = torch.rand(t.shape, generator=generator) + 0.5
            elif t.dim() <= 1:
                mean = 1. if name.endswith(('weight', 'running_var')) else 0.
                new = torch.randn(t.shape, generator=generator) * 0.1 + mean
            else:
                new = torch.randn(t.shape, generator=generator) * t[0].numel() ** -0.5
            t.copy_(new)
    return model


def _classifier(config: str) -> nn.Module:
    from mmhybrid.analysis.model_info import build_model, load_config
    return build_model(load_config(config))


def _transxnet(args) -> Dict[str, Tuple[nn.Module, nn.Module, Callable]]:
    from mmhybrid.converters.transxnet import build_transxnet_for, convert_transxnet
    official = load_official(args.file, 'transxnet')
    pairs = {}
    if 'cls' in args.setting:
        theirs = randomise(getattr(official, f'transxnet_{args.arch}')())
        ours = _classifier(f'configs/cls_transxnet_{args.arch}_in1k.py')
        ours.load_state_dict(convert_transxnet(theirs.state_dict()))
        pairs['cls'] = (theirs, ours, lambda out: out)
    if 'dense' in args.setting:
        theirs = randomise(official.TransXNet(arch=args.arch, fork_feat=True))
        converted = convert_transxnet(theirs.state_dict())
        ours = build_transxnet_for(converted)[1]
        ours.load_state_dict({k[len('backbone.'):]: v for k, v in converted.items()})
        pairs['dense'] = (theirs, ours, tuple)
    return pairs


def _fcaformer(args) -> Dict[str, Tuple[nn.Module, nn.Module, Callable]]:
    from mmhybrid.converters.fcaformer import build_fcaformer_for, convert_fcaformer
    pairs = {}
    if 'cls' in args.setting:
        official = load_official(args.file, 'fcaformer')
        theirs = randomise(getattr(official, f'fcaformer_{args.arch}')(drop_path_rate=0.))
        ours = _classifier(f'configs/cls_fcaformer_{args.arch}_in1k.py')
        ours.load_state_dict(convert_fcaformer(theirs.state_dict()))
        pairs['cls'] = (theirs, ours, lambda out: out)
    if 'dense' in args.setting:
        if not args.dense_file:
            raise SystemExit('fcaformer dense: give --dense-file (the official detection '
                             'backbone, object_detection/mmdet/models/backbones/fcaformer.py)')
        if args.arch != 'l2':
            raise SystemExit('fcaformer dense: the official detection backbone is L2 only')
        official = load_official(args.dense_file, 'fcaformer_det', logger_from='mmdet')
        theirs = randomise(official.FcaFormer_SH_512(drop_path_rate=0.))
        converted = convert_fcaformer(theirs.state_dict())
        ours = build_fcaformer_for(converted)[1]
        ours.load_state_dict({k[len('backbone.'):]: v for k, v in converted.items()})
        pairs['dense'] = (theirs, ours, tuple)
    return pairs


FAMILIES = {'transxnet': _transxnet, 'fcaformer': _fcaformer}


# --- measurement ---


def _flat(out) -> List[torch.Tensor]:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _infer(model: nn.Module, x: torch.Tensor) -> None:
    """An inference of a model in eval mode (set once per phase, as a validation loop does:
    ``eval()`` empties our caches, see :func:`first_inference`)."""
    with torch.no_grad():
        model(x)


def _train_step(model: nn.Module, x: torch.Tensor) -> None:
    """A training step (forward, mean of the outputs, backward) of a model in train mode."""
    loss = sum(o.float().mean() for o in _flat(model(x)))
    loss.backward()
    model.zero_grad(set_to_none=True)


def _timed(fn: Callable, model: nn.Module, x: torch.Tensor, amp: bool) -> Tuple[float, float]:
    """Seconds and, on CUDA, peak MiB of one call."""
    cuda = x.is_cuda
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    dtype = torch.float16 if cuda else torch.bfloat16
    start = time.perf_counter()
    with torch.autocast(x.device.type, dtype=dtype, enabled=amp):
        fn(model, x)
    if cuda:
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() / 2**20 if cuda else float('nan')
    return elapsed, peak


def _status_kib(field: str) -> int:
    with open('/proc/self/status') as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ':'))


def cpu_peak_mib(fn: Callable, model: nn.Module, x: torch.Tensor, amp: bool) -> float:
    """Peak resident memory (MiB) that one call adds, on Linux with glibc: freed heap memory
    is handed back to the system first (``malloc_trim``) and the process's high-water mark
    reset (``/proc/self/clear_refs``), then the mark's rise over the call is read. NaN
    elsewhere. Timed rounds never do this: handing memory back would slow the next call."""
    try:
        ctypes.CDLL('libc.so.6').malloc_trim(0)
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        before = _status_kib('VmRSS')
    except (OSError, AttributeError, StopIteration):
        return float('nan')
    _timed(fn, model, x, amp)
    return (_status_kib('VmHWM') - before) / 1024


def check_equal(theirs: nn.Module, ours: nn.Module, adapt: Callable, x: torch.Tensor,
                tol: float) -> float:
    """Largest difference of the eval-mode outputs, relative to their scale (at least 1);
    exits when above ``tol``."""
    theirs.eval()
    ours.eval()
    with torch.no_grad():
        a, b = _flat(adapt(theirs(x))), _flat(ours(x))
    if len(a) != len(b) or any(p.shape != q.shape for p, q in zip(a, b)):
        raise SystemExit(f'outputs differ in shape: {[tuple(p.shape) for p in a]} vs '
                         f'{[tuple(q.shape) for q in b]}')
    scale = max(1., max(p.abs().max().item() for p in a))
    diff = max((p - q).abs().max().item() for p, q in zip(a, b)) / scale
    if diff > tol:
        raise SystemExit(f'outputs differ by {diff:.2e} > {tol:.0e}: not the same model')
    return diff


def compare(theirs: nn.Module, ours: nn.Module, x: torch.Tensor, modes: List[str],
            rounds: int, warmup: int, amp: bool) -> Dict[str, Dict[str, List[float]]]:
    """Per mode, per side: the times of ``rounds`` interleaved rounds and the peak memory of
    a call (CUDA: the most allocated in a timed round; CPU: :func:`cpu_peak_mib` after them).
    Modes run one after the other, so inference is the steady state (a training step in
    between would make every inference the first after ``eval()``, which
    :func:`first_inference` times)."""
    fns = {'infer': _infer, 'train': _train_step}
    results = {m: {'official': [], 'ours': [], 'official_mem': [], 'ours_mem': []} for m in modes}
    sides = [('official', theirs), ('ours', ours)]
    for mode in modes:
        for _, model in sides:
            model.train(mode == 'train')
        for r in range(warmup + rounds):
            # Alternate who goes first, so that neither always runs on a warmer cache.
            for side, model in (sides if r % 2 == 0 else sides[::-1]):
                seconds, peak = _timed(fns[mode], model, x, amp)
                if r >= warmup:
                    results[mode][side].append(seconds)
                    results[mode][f'{side}_mem'].append(peak)
        if not x.is_cuda:
            for side, model in sides:
                results[mode][f'{side}_mem'] = [cpu_peak_mib(fns[mode], model, x, amp)]
    return results


def first_inference(theirs: nn.Module, ours: nn.Module, x: torch.Tensor,
                    amp: bool) -> Dict[str, float]:
    """Seconds of each side's first inference after ``train()`` / ``eval()``: ours then folds
    its BatchNorms and fills its caches, once per load, ``.to()`` or mode switch."""
    times = {}
    for side, model in (('official', theirs), ('ours', ours)):
        model.train()
        model.eval()
        times[side] = _timed(_infer, model, x, amp)[0]
    return times


def _describe(times: List[float]) -> str:
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    return f'{statistics.median(times) * 1e3:8.1f} ms (IQR {(q[2] - q[0]) * 1e3:5.1f})'


def report(name: str, results: Dict[str, Dict[str, List[float]]]) -> None:
    for mode, r in results.items():
        ratio = statistics.median(r['official']) / statistics.median(r['ours'])
        line = (f'{name:34s} {mode:5s}  official {_describe(r["official"])}  '
                f'ours {_describe(r["ours"])}  ratio {ratio:5.2f}x')
        if r['ours_mem'] and r['ours_mem'][0] == r['ours_mem'][0]:
            line += f'  peak +MiB {max(r["official_mem"]):.0f} vs {max(r["ours_mem"]):.0f}'
        print(line, flush=True)


def report_first(name: str, times: Dict[str, float]) -> None:
    print(f'{name:34s} first inference after train(): official {times["official"] * 1e3:.1f} '
          f'ms, ours {times["ours"] * 1e3:.1f} ms (folds BatchNorms, fills caches)', flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('family', choices=sorted(FAMILIES))
    parser.add_argument('file', help='your copy of the official model file')
    parser.add_argument('--arch', required=True, help='e.g. t, s, b (TransXNet), l1-l4 (FcaFormer)')
    parser.add_argument('--dense-file', help='FcaFormer: the official detection backbone file')
    parser.add_argument('--setting', nargs='+', default=['cls', 'dense'],
                        choices=['cls', 'dense'])
    parser.add_argument('--shape', type=int, nargs=2, default=[512, 512], metavar=('H', 'W'),
                        help='dense input size')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--mode', nargs='+', default=['infer', 'train'],
                        choices=['infer', 'train'])
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--tol', type=float, default=1e-4)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--amp', action='store_true',
                        help='autocast (float16 on CUDA, bfloat16 on the CPU) on both sides')
    parser.add_argument('--compile', action='store_true',
                        help='also time both sides after torch.compile')
    parser.add_argument('--channels-last', action='store_true',
                        help='both sides and the input in channels_last memory format')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    torch.manual_seed(0)
    print(f'torch {torch.__version__}, {args.device}, {torch.get_num_threads()} threads, '
          f'batch {args.batch_size}, {args.rounds} rounds after {args.warmup} warm-up'
          + (', AMP' if args.amp else ''), flush=True)
    for setting, (theirs, ours, adapt) in FAMILIES[args.family](args).items():
        size = (224, 224) if setting == 'cls' else tuple(args.shape)
        x = torch.randn(args.batch_size, 3, *size, device=args.device)
        theirs, ours = theirs.to(args.device), ours.to(args.device)
        if args.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
            theirs = theirs.to(memory_format=torch.channels_last)
            ours = ours.to(memory_format=torch.channels_last)
        diff = check_equal(theirs, ours, adapt, x, args.tol)
        name = f'{args.family}-{args.arch} {setting} {size[0]}x{size[1]}'
        print(f'{name}: outputs agree (largest difference {diff:.1e} of their scale)', flush=True)
        report(name, compare(theirs, ours, x, args.mode, args.rounds, args.warmup, args.amp))
        if 'infer' in args.mode:
            report_first(name, first_inference(theirs, ours, x, args.amp))
        if args.compile:
            theirs_c, ours_c = torch.compile(theirs), torch.compile(ours)
            check_equal(theirs_c, ours_c, adapt, x, args.tol)
            report(name + ' compiled', compare(theirs_c, ours_c, x, args.mode, args.rounds,
                                               max(args.warmup, 2), args.amp))


if __name__ == '__main__':
    main()
