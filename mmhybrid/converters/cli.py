"""The command line shared by tools/model_converters/*2mmhybrid.py."""
import argparse
import pickle
from typing import Callable, Optional, Tuple

import torch
import torch.nn as nn

from mmhybrid.models.utils import unwrap_state_dict
from mmhybrid.models.utils.convert import StateDict
from mmhybrid.utils.checkpoint import CheckpointError, read_checkpoint


def convert_main(description: str, convert: Callable[[StateDict], StateDict],
                 build_backbone: Callable[[StateDict], Tuple[str, nn.Module]],
                 load_other: Optional[Callable[[str], dict]] = None) -> None:
    """Load an official checkpoint, convert it, report key mismatches, save it.

    Args:
        description: The tool's help text.
        convert: Official state dict -> mmhybrid full-model state dict.
        build_backbone: Names and builds the backbone a converted state dict belongs to, so
            that missing and unexpected ``backbone.*`` keys can be listed.
        load_other: Reads files that are not torch checkpoints (e.g. Paddle ``.pdparams``);
            tried when ``torch.load`` cannot read the file; when it fails too, the error is
            the one of a truncated or damaged checkpoint.
    """
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='official checkpoint')
    parser.add_argument('dst', help='output path')
    parser.add_argument('--ema', action='store_true', help='take the EMA weights')
    parser.add_argument('--trust', action='store_true',
                        help='unpickle non-tensor objects (only for files you trust)')
    parser.add_argument('--strict', action='store_true',
                        help='fail when backbone keys are missing or unexpected')
    args = parser.parse_args()

    try:
        checkpoint = read_checkpoint(args.src, map_location='cpu', weights_only=True)
    except (CheckpointError, pickle.UnpicklingError) as e:
        checkpoint = None
        if load_other is not None:  # e.g. a Paddle .pdparams pickle, which torch cannot read
            try:
                checkpoint = load_other(args.src)
            except Exception:
                pass
        if checkpoint is None:
            if isinstance(e, CheckpointError):
                raise SystemExit(f'error: {e}')
            if not args.trust:  # training checkpoints also pickle their argparse args
                raise SystemExit(f'{args.src} holds more than tensors ({e}); if you trust the '
                                 'file, run again with --trust to unpickle it fully')
            checkpoint = read_checkpoint(args.src, map_location='cpu', weights_only=False)
    if args.ema and 'model_ema' in checkpoint:  # ConvNeXt-style trainers
        checkpoint = {'state_dict_ema': checkpoint['model_ema']}
    converted = convert(unwrap_state_dict(checkpoint, ema=args.ema))
    name, backbone = build_backbone(converted)
    expected = set(backbone.state_dict())
    got = {k[len('backbone.'):] for k in converted if k.startswith('backbone.')}
    print(f'{name}: {len(converted)} tensors')
    for kind, keys in (('missing', expected - got), ('unexpected', got - expected)):
        keys = sorted(k for k in keys if not k.endswith('num_batches_tracked'))
        if keys:
            print(f'{len(keys)} {kind} backbone keys: {keys}')
            if args.strict:
                raise SystemExit(f'--strict: {kind} keys')
    torch.save(dict(state_dict=converted, meta=dict(source=args.src)), args.dst)
    print(f'saved {args.dst}')
