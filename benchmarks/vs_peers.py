"""Every family's ImageNet classifier against the models users would pick instead, in one run.

mmpretrain's Swin-T and ConvNeXt-T are built from their own configs next to one classifier
of each mmhybrid family (by default the variant nearest Swin-T's 4.5 GFLOPs); each is timed
in inference and in a training step (forward, mean of the logits, backward, zero_grad) in
interleaved rounds at 224x224, and reported as images/s and images/s per GFLOP (FLOPs from
the same counter as ``tools/analysis/get_flops.py``). No weights are needed.

    python benchmarks/vs_peers.py [--configs configs/cls_transxnet_s_in1k.py ...]
        [--batch-size 2] [--rounds 5] [--mode infer train] [--device cuda] [--amp]
"""
import argparse
import statistics
import sys
from typing import Dict, List, Tuple

import torch
import torch.nn as nn

from mmhybrid.analysis.complexity import count_flops
from mmhybrid.analysis.model_info import build_model, load_config

sys.path.insert(0, __file__.rsplit('/', 1)[0])
from vs_official import _infer, _timed, _train_step  # noqa: E402

PEERS = ['mmpretrain::swin_transformer/swin-tiny_16xb64_in1k.py',
         'mmpretrain::convnext/convnext-tiny_32xb128_in1k.py']
OURS = ['configs/cls_transxnet_s_in1k.py', 'configs/cls_fcaformer_l2_in1k.py',
        'configs/cls_mixformer_b4_in1k.py', 'configs/cls_hybridformer_s_in1k.py',
        'configs/cls_hlg_t_in1k.py']


class Logits(nn.Module):
    """An mmpretrain classifier as a tensor-in, logits-out module."""

    def __init__(self, classifier: nn.Module) -> None:
        super().__init__()
        self.classifier = classifier

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(x, mode='tensor')


def build(config: str) -> Tuple[str, nn.Module]:
    if config.startswith('mmpretrain::'):
        from mmengine.hub import get_config
        cfg = get_config(config)
    else:
        cfg = load_config(config)
    model = build_model(cfg)
    # Stochastic depth off everywhere, as in the official comparisons.
    for module in model.modules():
        if hasattr(module, 'drop_prob'):
            module.drop_prob = 0.
    name = config.rsplit('/', 1)[-1].rsplit('.', 1)[0]
    return name, Logits(model)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--configs', nargs='+', default=OURS)
    parser.add_argument('--peers', nargs='+', default=PEERS)
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--mode', nargs='+', default=['infer', 'train'],
                        choices=['infer', 'train'])
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--amp', action='store_true')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    torch.manual_seed(0)
    models = [build(c) for c in args.peers + args.configs]
    x = torch.randn(args.batch_size, 3, 224, 224, device=args.device)
    gflops = {}
    for name, model in models:
        model.to(args.device).eval()
        with torch.no_grad():
            gflops[name] = count_flops(model, (x[:1], )) / 1e9
    fns = {'infer': _infer, 'train': _train_step}
    times: Dict[Tuple[str, str], List[float]] = {}
    for mode in args.mode:
        for _, model in models:
            model.train(mode == 'train')
        for r in range(args.warmup + args.rounds):
            order = models if r % 2 == 0 else models[::-1]
            for name, model in order:
                seconds, _ = _timed(fns[mode], model, x, args.amp)
                if r >= args.warmup:
                    times.setdefault((mode, name), []).append(seconds)
    print(f'torch {torch.__version__}, {args.device}, {torch.get_num_threads()} threads, '
          f'batch {args.batch_size}, 224x224, {args.rounds} rounds'
          + (', AMP' if args.amp else ''))
    for mode in args.mode:
        per_gflop = {}
        print(f'\n{mode:5s} {"model":34s} {"GFLOPs":>7s} {"img/s":>8s} {"img/s/GFLOP":>12s}')
        for name, _ in models:
            rate = args.batch_size / statistics.median(times[(mode, name)])
            per_gflop[name] = rate / gflops[name]
            print(f'      {name:34s} {gflops[name]:7.2f} {rate:8.2f} {per_gflop[name]:12.2f}')
        best_peer = max(per_gflop[n] for n, _ in models[:len(args.peers)])
        behind = [n for n, _ in models[len(args.peers):] if per_gflop[n] < best_peer]
        print(f'      below the best peer per GFLOP: {", ".join(behind) or "none"}')


if __name__ == '__main__':
    main()
