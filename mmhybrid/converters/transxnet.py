"""Official TransXNet checkpoints (LMMMEng/TransXNet) for the converter tool: which arch a
checkpoint holds. The key map is
:func:`mmhybrid.models.backbones.transxnet.convert_transxnet`.
"""
import re
from typing import Tuple

import torch

from mmhybrid.models.backbones.transxnet import TransXNet, convert_transxnet
from mmhybrid.models.utils.convert import StateDict
from .common import arch_from_zoo

__all__ = ['convert_transxnet', 'detect_arch', 'build_transxnet_for']


def detect_arch(state_dict: StateDict) -> Tuple[str, int]:
    """The arch name and the position-bias build size of an official or converted checkpoint."""
    for key, value in state_dict.items():
        if key.endswith('patch_embed.proj.conv.weight') or key.endswith('patch_embed.conv.weight'):
            width = value.shape[0]
            arch = arch_from_zoo(TransXNet, f'Stem width {width}',
                                 lambda a: a['embed_dims'][0] == width)
            break
    else:
        raise KeyError('No TransXNet stem (patch_embed) weight in the state dict')
    img_size = 224
    for key, value in state_dict.items():
        if key.endswith('relative_pos_enc.0'):
            # (1, heads, N, Nk) with N = ceil(size / 4) ** 2 tokens at stage 1.
            img_size = int(round(value.shape[2] ** 0.5)) * 4
    return arch, img_size


def build_transxnet_for(converted: StateDict) -> Tuple[str, torch.nn.Module]:
    """Name and build the TransXNet (arch, bias size, output norms) a converted checkpoint fits."""
    arch, img_size = detect_arch(converted)
    out_indices = sorted(int(k.split('.')[1][4:]) for k in converted
                         if re.fullmatch(r'backbone\.norm\d\.weight', k))
    name = f'TransXNet-{arch.upper()} (position biases for {img_size}x{img_size})'
    return name, TransXNet(arch, img_size=img_size, out_indices=out_indices or [3])
