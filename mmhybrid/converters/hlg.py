"""Official HLG checkpoints (fudan-zvg/SETR ``hlg-classification``) -> mmhybrid keys.

The released ImageNet checkpoints (``model`` / raw, keys ``s0_conv.*``, ``block{1-4}.*``,
``norm``, ``head``) and the segmentation code's layout (``norm_out_{0-2}``), bare or under
``backbone.``. Block-internal names are the official ones; only containers are renamed.
"""
import re
from typing import Dict, Optional, Tuple

import torch

from .common import convert_official

StateDict = Dict[str, torch.Tensor]

_OFFICIAL = re.compile(r'^(backbone\.)?(s0_conv\.|block\d\.)')
_BACKBONE_TOP = re.compile(r'(s0_conv|block\d|norm|norm_out_\d)\.')
# The classification code builds the smoothing convs in stage 4 too, where forward never uses
# them (and, if built there, the local-attention parts and the 'dwconv' pooling).
_UNUSED = re.compile(r'(block4\.\d+\.(spatial_smooth|norm0|h0_norm|pos_local|aux_q)\.'
                     r'|block\d\.\d+\.h0_conv\.)')


# The official names inside a block (HLGLayers), kept by mmhybrid.
_BLOCK_PARAM = re.compile(
    r'(norm[012]|h0_norm|down_proj\.proj\.[01]|[qkv]|global_attn\.proj|aux_q'
    r'|pos_(global|local)\.(pos_proj|pos[123]\.[02])|mlp\.(fc[123]|norm[12])'
    r'|spatial_smooth\.0\.[013467])\.(weight|bias|running_mean|running_var|num_batches_tracked)')


def _map_backbone_key(key: str) -> Optional[str]:
    m = re.fullmatch(r's0_conv\.([01])\.(.+)', key)
    if m:
        return f'patch_embed.{m.group(1)}.{m.group(2)}'
    m = re.fullmatch(r'block([1-4])\.(\d+)\.(.+)', key)
    if m and _BLOCK_PARAM.fullmatch(m.group(3)):
        return f'stages.{int(m.group(1)) - 1}.{m.group(2)}.{m.group(3)}'
    m = re.fullmatch(r'norm\.(weight|bias)', key)
    if m:
        return f'norm3.{m.group(1)}'
    m = re.fullmatch(r'norm_out_([0-2])\.(weight|bias)', key)
    if m:
        return f'norm{m.group(1)}.{m.group(2)}'
    return None


def _map_classifier(key: str, value: torch.Tensor) -> Optional[Tuple[str, torch.Tensor]]:
    m = re.fullmatch(r'head\.(weight|bias)', key)
    return None if m is None else (f'head.fc.{m.group(1)}', value)


def convert_hlg(state_dict: StateDict, prefix: str = 'backbone.') -> StateDict:
    """Convert an official HLG state dict to mmhybrid's full-model layout.

    Backbone keys go under ``prefix`` (bare official keys) or stay under ``backbone.``; the
    ImageNet ``head`` becomes the ``head.fc`` of an mmpretrain ``LinearClsHead``; keys of
    modules the official forward never uses are dropped (logged); other keys pass through. A
    state dict already in mmhybrid's layout is returned unchanged.

    Raises:
        KeyError: for official backbone keys with no known counterpart.
    """
    return convert_official(state_dict, 'HLG', _OFFICIAL, _BACKBONE_TOP, _map_backbone_key,
                            _map_classifier, prefix, unused=_UNUSED)
