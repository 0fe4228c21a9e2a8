"""Official FcaFormer checkpoints (hkzhang-git/FcaFormer) for the converter tool: which arch
and layout a checkpoint holds. The key map is
:func:`mmhybrid.models.backbones.fcaformer.convert_fcaformer`.
"""
import re
from typing import Tuple

import torch

from mmhybrid.models.backbones.fcaformer import FcaFormer, convert_fcaformer
from mmhybrid.models.utils.convert import StateDict
from .common import arch_from_zoo

__all__ = ['convert_fcaformer', 'build_fcaformer_for']


def build_fcaformer_for(converted: StateDict) -> Tuple[str, torch.nn.Module]:
    """Name and build the FcaFormer (arch, classification or dense) a checkpoint fits."""
    key = 'backbone.stages.3.0.norm1.weight'
    if key not in converted:
        raise KeyError(f'No FcaFormer stage-4 weights ({key}) in the state dict')
    width = converted[key].shape[0]
    arch = arch_from_zoo(FcaFormer, f'Stage-4 width {width}',
                         lambda a: a['embed_dims'][-1] == width)
    if 'backbone.norm_head.weight' in converted:
        return f'FcaFormer-{arch.upper()} (classification)', FcaFormer(
            arch, out_indices=(3, ), out_type='avg_featmap')
    out_indices = sorted(int(k[len('backbone.proj')]) for k in converted
                         if re.fullmatch(r'backbone\.proj\d\.weight', k))
    dense = FcaFormer(arch, out_indices=out_indices or (0, 1, 2, 3))
    return f'FcaFormer-{arch.upper()} (dense)', dense
