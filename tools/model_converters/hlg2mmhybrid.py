"""Convert an official HLG checkpoint (the ImageNet checkpoints of the fudan-zvg/SETR README's
HLG table, or a segmentation / detection backbone of that code) to mmhybrid's keys.

    python tools/model_converters/hlg2mmhybrid.py hlg_tiny.pth hlg_t_in1k.pth --trust

Swin-style training checkpoints also pickle their config, hence ``--trust`` for files you
trust. The variant is found from the widths and depths in the file; backbone keys that the
matching HLG would miss or not know are listed, as are official keys of modules the official
forward never uses (dropped).
"""
import re
from typing import Tuple

import torch.nn as nn

from mmhybrid.converters.cli import StateDict, convert_main
from mmhybrid.converters.hlg import convert_hlg
from mmhybrid.models import HLG


def build_hlg_for(converted: StateDict) -> Tuple[str, nn.Module]:
    """Name and build the HLG (arch, classifier or dense layout) a converted state dict fits."""
    depths = [len({int(m.group(1)) for k in converted
                   if (m := re.match(rf'backbone\.stages\.{i}\.(\d+)\.', k))})
              for i in range(4)]
    widths = [converted[f'backbone.stages.{i}.0.norm2.weight'].shape[0]
              if f'backbone.stages.{i}.0.norm2.weight' in converted else 0 for i in range(4)]
    for arch, cfg in HLG.arch_zoo.items():
        if cfg['embed_dims'] == widths and cfg['depths'] == depths:
            break
    else:
        arch = dict(embed_dims=widths, depths=depths,
                    num_heads=[w // 32 for w in widths])  # head width 32, as every variant
    dense = 'backbone.norm0.weight' in converted
    name = f'HLG-{arch.upper() if isinstance(arch, str) else arch}'
    return (f'{name} ({"dense" if dense else "classifier"})',
            HLG(arch, dense_norms=dense, out_indices=(0, 1, 2, 3) if dense else (3, )))


if __name__ == '__main__':
    convert_main(__doc__, convert_hlg, build_hlg_for)
