"""Convert an official TransXNet checkpoint (ImageNet, mmdet or mmseg) to mmhybrid's keys.

    python tools/model_converters/transxnet2mmhybrid.py transx-t.pth.tar transxnet_t.pth

The result loads with ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``
(backbone only) or as ``load_from`` of a whole mmhybrid model. Keys that a freshly built
backbone would miss or not know are listed.
"""
import argparse

import torch

from mmhybrid.converters.transxnet import (convert_transxnet, detect_arch,
                                           missing_and_unexpected)
from mmhybrid.models.utils import unwrap_state_dict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='official checkpoint')
    parser.add_argument('dst', help='output path')
    parser.add_argument('--ema', action='store_true', help='take state_dict_ema (timm)')
    parser.add_argument('--trust', action='store_true',
                        help='unpickle non-tensor objects (only for files you trust)')
    parser.add_argument('--strict', action='store_true',
                        help='fail when backbone keys are missing or unexpected')
    args = parser.parse_args()

    try:
        checkpoint = torch.load(args.src, map_location='cpu', weights_only=True)
    except Exception as e:  # timm training checkpoints also pickle their argparse args
        if not args.trust:
            raise SystemExit(f'{args.src} holds more than tensors ({e}); if you trust the '
                             'file, run again with --trust to unpickle it fully')
        checkpoint = torch.load(args.src, map_location='cpu', weights_only=False)
    state = unwrap_state_dict(checkpoint, ema=args.ema)
    converted = convert_transxnet(state)
    arch, image_size = detect_arch(converted)
    out_indices = sorted(int(k.split('.')[1][4:]) for k in converted
                         if k.startswith('backbone.norm') and k.endswith('.weight'))
    missing, unexpected = missing_and_unexpected(converted, arch, image_size,
                                                 out_indices or [3])
    print(f'TransXNet-{arch.upper()} (position biases for {image_size}x{image_size}), '
          f'{len(converted)} tensors')
    for name, keys in (('missing', missing), ('unexpected', unexpected)):
        keys = [k for k in keys if not k.endswith('num_batches_tracked')]
        if keys:
            print(f'{len(keys)} {name} backbone keys: {keys}')
            if args.strict:
                raise SystemExit(f'--strict: {name} keys')
    torch.save(dict(state_dict=converted, meta=dict(source=args.src, arch=arch,
                                                    image_size=image_size)), args.dst)
    print(f'saved {args.dst}')


if __name__ == '__main__':
    main()
