"""Grad-CAM of a classifier's prediction, or of a backbone stage of any config, overlaid on
the image and saved as a PNG.

    python tools/analysis/grad_cam.py CONFIG IMAGE [--checkpoint CKPT] [--target-class K]
        [--stage -1] [--shape 224 224] [--out cam.png]

Classifiers (cls_*.py) explain the logit of --target-class (default: the top class) through
the chosen backbone stage; detectors and segmentors explain the mean activation of that
stage.
"""
import argparse
import os.path as osp
import sys

import numpy as np
from mmengine.config import DictAction

from mmhybrid.analysis.model_info import load_model, normalisation, task_of
from mmhybrid.analysis.visualize import grad_cam, load_image, overlay, stage_output


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('image')
    parser.add_argument('--checkpoint', help='trained weights (default: the config\'s init)')
    parser.add_argument('--target-class', type=int)
    parser.add_argument('--stage', type=int, default=-1, help='backbone stage (-1: the last)')
    parser.add_argument('--shape', type=int, nargs=2, default=[224, 224], metavar=('H', 'W'))
    parser.add_argument('--out', default='cam.png')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.image):
        sys.exit(f'image {args.image} does not exist')
    model, cfg = load_model(args.config, args.checkpoint, args.cfg_options)
    task = task_of(model)
    x, rgb = load_image(args.image, tuple(args.shape), *normalisation(cfg))

    def forward(inputs):
        # The stage's own map: a classifier's backbone may return a pooled vector.
        with stage_output(model.backbone, args.stage) as captured:
            feats = model.backbone(inputs)
        activations = captured['map']
        if task != 'cls':
            return activations, activations.mean()
        neck = model.neck(feats) if model.with_neck else feats
        return activations, model.head(neck)

    cam, target = grad_cam(forward, x, args.target_class)
    from PIL import Image
    Image.fromarray(np.concatenate([rgb, overlay(rgb, cam)], axis=1)).save(args.out)
    what = f'class {target}' if target >= 0 else f'mean activation of output {args.stage}'
    print(f'Grad-CAM of {what}: wrote {args.out}')


if __name__ == '__main__':
    main()
