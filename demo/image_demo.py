"""Predict on an image or a folder of images and draw the predictions, with the inferencer of
the config's task: mmdet's ``DetInferencer`` (boxes, masks), mmseg's ``MMSegInferencer``
(class maps) or mmpretrain's ``ImageClassificationInferencer`` (labels).

    python demo/image_demo.py demo/demo.jpg configs/maskrcnn_transxnet_t_1x.py \\
        --weights maskrcnn_transxnet_t.pth --out-dir outputs

``--weights`` takes mmhybrid checkpoints and the official releases alike: official keys are
converted on load by the backbone's converter (mmhybrid keys pass through unchanged).
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

from mmhybrid.models.utils import unwrap_state_dict
from mmhybrid.utils import CheckpointError, read_checkpoint, trusted_checkpoint_loading


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Draw the predictions of an mmhybrid model')
    parser.add_argument('inputs', help='an image, or a folder of images')
    parser.add_argument('config', help='config file')
    parser.add_argument('--weights', help='checkpoint (mmhybrid or official)')
    parser.add_argument('--out-dir', default='outputs', help='where the pictures go')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='detection: draw boxes scoring at least this')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args()


def converted_weights(cfg: Config, path: str, out_dir: str) -> str:
    """``path`` with its backbone keys in mmhybrid's layout, as a file under ``out_dir``."""
    import torch
    from mmengine.registry import MODELS
    with trusted_checkpoint_loading():
        checkpoint = read_checkpoint(path, map_location='cpu')
    state = unwrap_state_dict(checkpoint)
    backbone = MODELS.build(dict(cfg.model.backbone, init_cfg=None))
    convert = getattr(backbone, '_converter', lambda: dict)()
    out = osp.join(out_dir, 'weights', osp.basename(path))
    os.makedirs(osp.dirname(out), exist_ok=True)
    torch.save(dict(state_dict=convert(state), meta=checkpoint.get('meta', {})), out)
    return out


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    scope = cfg.get('default_scope', 'mmdet')
    init_default_scope(scope)
    # The weights come from --weights: no ImageNet checkpoint needed to build the model.
    cfg.model.backbone.init_cfg = None
    try:
        weights = converted_weights(cfg, args.weights, args.out_dir) if args.weights else None
    except CheckpointError as e:
        raise SystemExit(f'error: {e}')
    if weights is None:
        print('no --weights: the model is randomly initialised, its predictions are noise')
    with trusted_checkpoint_loading():
        if scope == 'mmdet':
            from mmdet.apis import DetInferencer
            DetInferencer(model=cfg, weights=weights, device=args.device)(
                args.inputs, out_dir=args.out_dir, pred_score_thr=args.score_thr)
        elif scope == 'mmseg':
            from mmseg.apis import MMSegInferencer
            MMSegInferencer(model=cfg, weights=weights, device=args.device)(
                args.inputs, out_dir=args.out_dir)
        elif scope == 'mmpretrain':
            from mmpretrain.apis import ImageClassificationInferencer
            ImageClassificationInferencer(model=cfg, pretrained=weights, device=args.device)(
                args.inputs, show_dir=osp.join(args.out_dir, 'vis'))
        else:
            raise SystemExit(f'{args.config}: default_scope {scope!r} is not mmdet, mmseg or '
                             'mmpretrain')
    print(f'pictures with the predictions drawn: {osp.abspath(osp.join(args.out_dir, "vis"))}')


if __name__ == '__main__':
    main()
