"""Official HLG checkpoints for the converter tool: which arch and layout a checkpoint holds.
The key map is :func:`mmhybrid.models.backbones.hlg.convert_hlg`."""
from typing import Tuple

import torch.nn as nn

from mmhybrid.models.backbones.hlg import HLG, convert_hlg
from mmhybrid.models.utils.convert import StateDict
from .common import arch_from_zoo, stage_depths

__all__ = ['convert_hlg', 'build_hlg_for']


def build_hlg_for(converted: StateDict) -> Tuple[str, nn.Module]:
    """Name and build the HLG (arch, classifier or dense layout) a converted state dict fits;
    widths and depths of no named variant give an arch dict (head width 32, as every
    variant)."""
    depths = stage_depths(converted)
    widths = [converted[f'backbone.stages.{i}.0.norm2.weight'].shape[0]
              if f'backbone.stages.{i}.0.norm2.weight' in converted else 0 for i in range(4)]
    try:
        arch = arch_from_zoo(HLG, f'Widths {widths} and depths {depths}',
                             lambda a: a['embed_dims'] == widths and a['depths'] == depths)
    except ValueError:
        arch = dict(embed_dims=widths, depths=depths, num_heads=[w // 32 for w in widths])
    dense = 'backbone.norm0.weight' in converted
    name = f'HLG-{arch.upper() if isinstance(arch, str) else arch}'
    return (f'{name} ({"dense" if dense else "classifier"})',
            HLG(arch, dense_norms=dense, out_indices=(0, 1, 2, 3) if dense else (3, )))
