"""Speed and memory of a config's model on synthetic data: inference and a full training step
(forward with the real losses on synthetic targets, backward, AdamW step).

    python benchmarks/benchmark.py CONFIG [--compare CONFIG2] [--batch-size 2]
        [--shape H W] [--device cuda] [--amp] [--mode infer train] [--warmup 5]
        [--repeats 20] [--out result.json]

Reported per mode: median latency per batch with its spread (interquartile range and min/max),
throughput in images/s at the median, and peak memory (CUDA: max allocated; CPU: the growth
the process' peak RSS, which includes everything loaded before). AMP is float16 on CUDA (with a
GradScaler) and bfloat16 on the CPU.
"""
import argparse
import json
import os.path as osp
import resource
import statistics
import time
from typing import Callable, Dict, List

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import DictAction

from mmhybrid.analysis.model_info import (TensorForward, build_model, default_shape, load_config,
                                          task_of)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('--compare', help='a second config, measured the same way')
    parser.add_argument('--batch-size', type=int, default=1)
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='input size (default: the task\'s paper size)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--amp', action='store_true', help='mixed precision')
    parser.add_argument('--mode', nargs='+', default=['infer', 'train'],
                        choices=['infer', 'train'])
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--out', help='write the results as JSON')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    if args.batch_size < 1 or args.repeats < 1 or args.warmup < 0:
        parser.error('--batch-size and --repeats must be >= 1, --warmup >= 0')
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        parser.error('--device cuda but torch sees no CUDA device')
    return args


def synthetic_samples(task: str, batch: int, shape, num_classes: int) -> List:
    """Targets the losses accept: one box + mask per image (det), a random label map (seg),
    a label (cls)."""
    h, w = shape
    samples = []
    for i in range(batch):
        if task == 'cls':
            from mmpretrain.structures import DataSample
            samples.append(DataSample().set_gt_label(i % num_classes))
        elif task == 'det':
            from mmdet.structures import DetDataSample
            from mmdet.structures.mask import BitmapMasks
            from mmengine.structures import InstanceData
            mask = np.zeros((1, h, w), dtype=np.uint8)
            mask[0, h // 4:h // 2, w // 4:w // 2] = 1
            sample = DetDataSample(metainfo=dict(
                img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w), batch_input_shape=(h, w),
                scale_factor=(1., 1.)))
            sample.gt_instances = InstanceData(
                bboxes=torch.tensor([[w / 4, h / 4, w / 2, h / 2]]),
                labels=torch.tensor([i % num_classes]), masks=BitmapMasks(mask, h, w))
            samples.append(sample)
        else:
            from mmengine.structures import PixelData
            from mmseg.structures import SegDataSample
            sample = SegDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w),
                                                 pad_shape=(h, w)))
            sample.gt_sem_seg = PixelData(data=torch.randint(0, num_classes, (1, h, w)))
            samples.append(sample)
    return samples


def _num_classes(model: nn.Module, task: str) -> int:
    if task == 'cls':
        return model.head.num_classes
    if task == 'seg':
        return model.decode_head.num_classes
    head = getattr(model, 'bbox_head', None) or model.roi_head.bbox_head
    head = head[-1] if isinstance(head, nn.ModuleList) else head
    return head.num_classes


def _to(samples: List, device: str) -> List:
    return [s.to(device) for s in samples]


def measure(step: Callable[[], None], device: str, warmup: int, repeats: int) -> Dict:
    """Median, spread and peak memory of ``step``."""
    cuda = device.startswith('cuda')
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    for _ in range(warmup):
        step()
    sync()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - start)
    if cuda:
        peak_mb = torch.cuda.max_memory_allocated() / 2**20
    else:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    return dict(median_s=statistics.median(times), iqr_s=q[2] - q[0], min_s=min(times),
                max_s=max(times), peak_mem_mb=peak_mb)


def benchmark(config: str, args: argparse.Namespace) -> Dict:
    cfg = load_config(config, args.cfg_options)
    model = build_model(cfg).to(args.device)
    task = task_of(model)
    shape = tuple(args.shape) if args.shape else default_shape(cfg, task)
    x = torch.rand(args.batch_size, 3, *shape, device=args.device)
    cuda = args.device.startswith('cuda')
    amp = dict(device_type='cuda' if cuda else 'cpu',
               dtype=torch.float16 if cuda else torch.bfloat16, enabled=args.amp)
    result = dict(config=config, task=task, batch_size=args.batch_size, shape=list(shape),
                  device=args.device, amp=args.amp,
                  params=sum(p.numel() for p in model.parameters()))
    if 'infer' in args.mode:
        forward = TensorForward(model, task, shape).eval()

        def infer() -> None:
            with torch.no_grad(), torch.autocast(**amp):
                forward(x)

        result['infer'] = measure(infer, args.device, args.warmup, args.repeats)
    if 'train' in args.mode:
        model.train()
        samples = _to(synthetic_samples(task, args.batch_size, shape, _num_classes(model, task)),
                      args.device)
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad],
                                      lr=1e-6)
        scaler = torch.amp.GradScaler('cuda', enabled=args.amp and cuda)

        def train() -> None:
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(**amp):
                losses = model(x, samples, mode='loss')
            loss, _ = model.parse_losses(losses)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()

        result['train'] = measure(train, args.device, args.warmup, args.repeats)
    for mode in ('infer', 'train'):
        if mode in result:
            result[mode]['images_per_s'] = args.batch_size / result[mode]['median_s']
    return result


def render(result: Dict) -> str:
    lines = [f'{result["config"]}: {result["task"]}, batch {result["batch_size"]} x '
             f'{result["shape"][0]}x{result["shape"][1]}, {result["device"]}'
             f'{", AMP" if result["amp"] else ""}, {result["params"] / 1e6:.2f}M params']
    for mode in ('infer', 'train'):
        if mode in result:
            r = result[mode]
            lines.append(
                f'  {mode:<5} {r["images_per_s"]:8.2f} img/s  latency median '
                f'{r["median_s"] * 1e3:.1f} ms (IQR {r["iqr_s"] * 1e3:.1f}, min '
                f'{r["min_s"] * 1e3:.1f}, max {r["max_s"] * 1e3:.1f})  peak mem '
                f'{r["peak_mem_mb"]:.0f} MB')
    return '\n'.join(lines)


def main() -> None:
    args = parse_args()
    torch.manual_seed(0)
    results = [benchmark(args.config, args)]
    if args.compare:
        results.append(benchmark(args.compare, args))
    for result in results:
        print(render(result))
    if args.compare:
        for mode in args.mode:
            ratio = results[0][mode]['images_per_s'] / results[1][mode]['images_per_s']
            print(f'{mode}: {osp.basename(args.config)} runs at {ratio:.2f}x the throughput '
                  f'of {osp.basename(args.compare)}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()
