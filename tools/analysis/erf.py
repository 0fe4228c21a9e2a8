"""Effective receptive field of a backbone stage (RepLKNet's method), averaged over images and
saved as a heat-map PNG (and the raw map as .npy beside it).

    python tools/analysis/erf.py CONFIG [--checkpoint CKPT] --images DIR_OR_FILES...
        [--num-images 50] [--stage -1] [--shape 1024 1024] [--out erf.png]
    python tools/analysis/erf.py CONFIG --random 8 ...   # noise inputs, no images needed

The papers compute it on 50 ImageNet validation images at 1024x1024, centre pixel of the last
stage, log(1 + x) scaling.
"""
import argparse
import glob
import os.path as osp

import numpy as np
import torch
from mmengine.config import DictAction

from mmhybrid.analysis.model_info import load_model, normalisation
from mmhybrid.analysis.visualize import effective_receptive_field, erf_heatmap, load_image

IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.JPEG')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('--checkpoint', help='trained weights (default: the config\'s init)')
    parser.add_argument('--images', nargs='+', help='image files or folders')
    parser.add_argument('--random', type=int, default=0, help='use N noise images instead')
    parser.add_argument('--num-images', type=int, default=50)
    parser.add_argument('--stage', type=int, default=-1, help='backbone output index')
    parser.add_argument('--shape', type=int, nargs=2, default=[1024, 1024], metavar=('H', 'W'))
    parser.add_argument('--out', default='erf.png')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    if not args.images and not args.random:
        parser.error('give --images (files or folders) or --random N')
    return args


def image_files(items) -> list:
    files = []
    for item in items:
        if osp.isdir(item):
            files += sorted(p for p in glob.glob(osp.join(item, '**', '*'), recursive=True)
                            if p.endswith(IMAGE_EXTS))
        elif osp.isfile(item):
            files.append(item)
        else:
            raise FileNotFoundError(f'--images: {item} does not exist')
    if not files:
        raise FileNotFoundError(f'--images: no images in {items}')
    return files


def main() -> None:
    args = parse_args()
    model, cfg = load_model(args.config, args.checkpoint, args.cfg_options)
    shape = tuple(args.shape)
    if args.random:
        generator = torch.Generator().manual_seed(0)
        images = [torch.randn(1, 3, *shape, generator=generator) for _ in range(args.random)]
    else:
        mean, std = normalisation(cfg)
        files = image_files(args.images)[:args.num_images]
        images = (load_image(f, shape, mean, std)[0] for f in files)
    erf = effective_receptive_field(model.backbone, images, args.stage)
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.imshow(erf_heatmap(erf), cmap='RdYlGn')
    ax.set_title(f'ERF, backbone output {args.stage}')
    ax.axis('off')
    fig.savefig(args.out, bbox_inches='tight', dpi=100)
    np.save(osp.splitext(args.out)[0] + '.npy', erf)
    # The share of the total contribution inside the central 10% / 50% square, as RepLKNet.
    h, w = erf.shape
    for frac in (0.1, 0.5):
        dh, dw = int(h * frac / 2), int(w * frac / 2)
        inner = erf[h // 2 - dh:h // 2 + dh + 1, w // 2 - dw:w // 2 + dw + 1].sum()
        print(f'contribution within the central {frac:.0%} square: {inner / erf.sum():.3f}')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
