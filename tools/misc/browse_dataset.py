"""Write a dataset's pipeline outputs as images with their ground truth drawn (boxes and masks
for detection, label maps for segmentation, the class for classification), as mmdet's and
mmseg's browse_dataset do.

    python tools/misc/browse_dataset.py CONFIG [--phase train|val|test] [--num 20]
        [--output-dir work_dirs/browse] [--cfg-options ...]
"""
import argparse
import os
import os.path as osp

import numpy as np
from mmengine.config import DictAction
from mmengine.registry import init_default_scope

from mmhybrid.analysis.model_info import load_config
from mmhybrid.utils import check_data_roots


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('--phase', default='train', choices=['train', 'val', 'test'])
    parser.add_argument('--num', type=int, default=20, help='images to write')
    parser.add_argument('--output-dir', default=osp.join('work_dirs', 'browse'))
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def _plain_instances(sample) -> None:
    """Box objects and mask structures as the arrays mmdet's visualizer draws."""
    from mmdet.structures.bbox import BaseBoxes
    from mmdet.structures.mask import BitmapMasks, PolygonMasks
    instances = sample.gt_instances
    if isinstance(instances.get('bboxes'), BaseBoxes):
        instances.bboxes = instances.bboxes.tensor
    masks = instances.get('masks')
    if isinstance(masks, (BitmapMasks, PolygonMasks)):
        instances.masks = masks.to_ndarray().astype(bool)


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    check_data_roots(cfg, (args.phase, ))
    init_default_scope(cfg.default_scope)
    registry = __import__(f'{cfg.default_scope}.registry', fromlist=['DATASETS'])
    dataset = registry.DATASETS.build(cfg[f'{args.phase}_dataloader'].dataset)
    visualizer = registry.VISUALIZERS.build(dict(cfg.visualizer, name='browse_dataset'))
    visualizer.dataset_meta = dataset.metainfo
    os.makedirs(args.output_dir, exist_ok=True)
    count = min(args.num, len(dataset))
    for i in range(count):
        item = dataset[i]
        sample = item['data_samples']
        # LoadImageFromFile reads BGR; the visualizers draw RGB.
        image = np.ascontiguousarray(item['inputs'].permute(1, 2, 0).numpy()[..., ::-1])
        if cfg.default_scope == 'mmdet':
            _plain_instances(sample)
        name = osp.splitext(osp.basename(sample.metainfo.get('img_path', f'{i}.png')))[0]
        out_file = osp.join(args.output_dir, f'{i:04d}_{name}.png')
        if cfg.default_scope == 'mmpretrain':
            visualizer.visualize_cls(image, sample, draw_pred=False, out_file=out_file)
        else:
            visualizer.add_datasample(name, image, sample, draw_pred=False, show=False,
                                      out_file=out_file)
    print(f'wrote {count} images to {args.output_dir}')


if __name__ == '__main__':
    main()
