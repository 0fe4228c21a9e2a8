"""TransXNet inference speed: mmhybrid vs a plain re-statement of the official forward.

The plain version computes attention as explicit softmax(QK^T * scale + bias) V and resizes
the position bias in every block on every forward, as the official code does; mmhybrid uses
scaled_dot_product_attention, resizes once per stage and caches the resized bias across
forwards of the same size. Both run the same weights and must agree.

    python benchmarks/transxnet_speed.py --arch t --shape 800 1216 --repeat 5
"""
import argparse
import statistics
import time
from unittest import mock

import torch
import torch.nn.functional as F

from mmhybrid.models import TransXNet
from mmhybrid.models.backbones.transxnet import OSRAttention


def plain_osra_forward(self, x, pos_bias=None):
    B, C, H, W = x.shape
    h = self.num_heads
    q = self.q(x).reshape(B, h, C // h, -1).transpose(-1, -2)
    kv = self.sr(x)
    kv = self.local_conv(kv) + kv
    k, v = torch.chunk(self.kv(kv), 2, dim=1)
    k = k.reshape(B, h, C // h, -1)
    v = v.reshape(B, h, C // h, -1).transpose(-1, -2)
    attn = (q @ k) * (C // h) ** -0.5
    if pos_bias is not None:
        if pos_bias.shape[2:] != attn.shape[2:]:
            pos_bias = F.interpolate(pos_bias, size=attn.shape[2:], mode='bicubic',
                                     align_corners=False)
        attn = attn + pos_bias
    return (attn.softmax(-1) @ v).transpose(-1, -2).reshape(B, C, H, W)


def timed(model, x, repeat):
    times = []
    with torch.no_grad():
        model(x)
        for _ in range(repeat):
            if x.is_cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
            out = model(x)
            if x.is_cuda:
                torch.cuda.synchronize()
            times.append(time.perf_counter() - start)
    return out, statistics.median(times), max(times) - min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--arch', default='t')
    parser.add_argument('--shape', type=int, nargs=2, default=[512, 512])
    parser.add_argument('--batch', type=int, default=1)
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    args = parser.parse_args()

    model = TransXNet(args.arch).eval().to(args.device)
    with torch.no_grad():
        for bias in model.relative_pos_enc:
            bias.normal_(std=0.2)
    x = torch.randn(args.batch, 3, *args.shape, device=args.device)
    ours, t_ours, spread_ours = timed(model, x, args.repeat)
    with mock.patch.object(OSRAttention, 'forward', plain_osra_forward), \
            mock.patch.object(TransXNet, '_pos_bias',
                              lambda self, stage, hw: self.relative_pos_enc[stage]):
        plain, t_plain, spread_plain = timed(model, x, args.repeat)
    err = max((a - b).abs().max().item() for a, b in zip(ours, plain))
    print(f'TransXNet-{args.arch.upper()} {args.batch}x3x{args.shape[0]}x{args.shape[1]} '
          f'on {args.device}, median of {args.repeat}:')
    print(f'  plain official-style: {t_plain * 1e3:8.1f} ms (spread {spread_plain * 1e3:.1f})')
    print(f'  mmhybrid:             {t_ours * 1e3:8.1f} ms (spread {spread_ours * 1e3:.1f})')
    print(f'  speed-up {t_plain / t_ours:.2f}x, max abs difference {err:.2e}')


if __name__ == '__main__':
    main()
