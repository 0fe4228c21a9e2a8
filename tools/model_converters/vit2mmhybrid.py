"""Convert a timm ViT, DeiT or BEiT checkpoint to the keys of mmseg's VisionTransformer, for
the SETR configs' ``init_cfg`` (e.g. pretrain/vit_large_p16_384.pth).

    python tools/model_converters/vit2mmhybrid.py jx_vit_large_p16_384.pth \\
        pretrain/vit_large_p16_384.pth [--img-size 768] [--patch-size 16]

``--img-size`` resizes the position grid to img_size / patch_size (the model also resizes it
when it loads); the dropped keys (classifier, distillation token, final norm, BEiT relative
position tables) are listed.
"""
import argparse
import os
import os.path as osp
import pickle

import torch

from mmhybrid.converters.vit import convert_vit
from mmhybrid.models.utils import unwrap_state_dict
from mmhybrid.utils import CheckpointError, read_checkpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src')
    parser.add_argument('dst')
    parser.add_argument('--img-size', type=int, nargs='+', help='H [W] of the target input')
    parser.add_argument('--patch-size', type=int, default=16)
    parser.add_argument('--trust', action='store_true',
                        help='unpickle non-tensor objects (only for files you trust)')
    args = parser.parse_args()
    try:
        checkpoint = read_checkpoint(args.src, map_location='cpu', weights_only=not args.trust)
    except CheckpointError as e:
        raise SystemExit(f'error: {e}')
    except pickle.UnpicklingError as e:
        raise SystemExit(f'{args.src} holds more than tensors ({e}); if you trust the file, '
                         'run again with --trust')
    grid = None
    if args.img_size:
        h, w = (args.img_size * 2)[:2]
        if h % args.patch_size or w % args.patch_size:
            raise SystemExit(f'--img-size {h}x{w} is not a multiple of --patch-size '
                             f'{args.patch_size}')
        grid = (h // args.patch_size, w // args.patch_size)
    converted, dropped = convert_vit(unwrap_state_dict(checkpoint), grid)
    if dropped:
        print(f'dropped {len(dropped)} keys: {dropped}')
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(dict(state_dict=converted, meta=dict(source=args.src)), args.dst)
    print(f'wrote {len(converted)} tensors to {args.dst}')


if __name__ == '__main__':
    main()
