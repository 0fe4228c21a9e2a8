"""After `make demo`'s training: print the final COCO AP, fail if it is 0, and paint the
predictions on a validation image into a PNG."""
import argparse
import glob
import json
import os.path as osp
import sys

import mmcv
from mmengine.config import Config

from mmhybrid.utils import trusted_checkpoint_loading


def final_metrics(work_dir: str) -> dict:
    """The last logged validation metrics of the newest run in ``work_dir``."""
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not logs:
        raise FileNotFoundError(f'no training log under {work_dir}; run the training first')
    metrics = {}
    with open(logs[-1]) as f:
        for line in f:
            record = json.loads(line)
            if any(k.startswith('coco/') for k in record):
                metrics = record
    if not metrics:
        raise RuntimeError(f'{logs[-1]} holds no COCO evaluation')
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('config')
    parser.add_argument('work_dir')
    parser.add_argument('--out', required=True, help='PNG to write')
    parser.add_argument('--score-thr', type=float, default=0.3)
    args = parser.parse_args()

    metrics = final_metrics(args.work_dir)
    for key in ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/segm_mAP', 'coco/segm_mAP_50'):
        print(f'{key}: {metrics.get(key, float("nan")):.3f}')

    from mmdet.apis import inference_detector, init_detector
    from mmdet.registry import VISUALIZERS
    with open(osp.join(args.work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    cfg = Config.fromfile(args.config)
    with trusted_checkpoint_loading():
        model = init_detector(cfg, checkpoint, device='cpu')
    loader = cfg.test_dataloader.dataset
    with open(osp.join(loader.data_root, loader.ann_file)) as f:
        first = json.load(f)['images'][0]['file_name']
    image = mmcv.imread(osp.join(loader.data_root, loader.data_prefix.img, first))  # BGR
    result = inference_detector(model, image)
    visualizer = VISUALIZERS.build(cfg.visualizer)
    visualizer.dataset_meta = model.dataset_meta
    visualizer.add_datasample('predictions', mmcv.bgr2rgb(image), result, draw_gt=False,
                              pred_score_thr=args.score_thr, out_file=args.out)
    print(f'predictions painted into {args.out}')
    if not (metrics.get('coco/bbox_mAP', 0) > 0 and metrics.get('coco/segm_mAP', 0) > 0):
        sys.exit('demo failed: bbox and segm AP must both be above 0')


if __name__ == '__main__':
    main()
