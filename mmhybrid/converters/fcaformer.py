"""Official FcaFormer checkpoints (hkzhang-git/FcaFormer) -> mmhybrid keys.

Handles the ImageNet checkpoints (``model`` / ``model_ema`` / ``state_dict`` / raw, keys
``layer_k.*``, ``norm_head``, ``head``) and the official dense backbone ``FcaFormer_SH_512``
(``head{k}`` 1x1 convs, ``norm{k}``), bare or under ``backbone.`` next to neck and head keys.
"""
import re
from typing import Dict, Optional, Tuple

import torch

from .common import convert_official

StateDict = Dict[str, torch.Tensor]

_OFFICIAL = re.compile(r'^(backbone\.)?(layer_\d\.|patch_embed\.seq\.|norm_head\.)')
_BACKBONE_TOP = re.compile(r'(layer_\d|patch_embed|norm_head|head\d|norm\d)\.')


def _conv_bn(rest: str) -> str:
    """Official Conv2d_BN sub-keys ``c.*`` -> ConvModule's ``conv.*``."""
    return re.sub(r'(^|\.)c\.', r'\1conv.', rest)


def _map_backbone_key(key: str) -> Optional[str]:
    m = re.fullmatch(r'patch_embed\.seq\.([02])\.(.+)', key)
    if m:
        return f'patch_embed.{int(m.group(1)) // 2}.{_conv_bn(m.group(2))}'
    m = re.fullmatch(r'layer_(\d)\.blocks\.(\d+)\.(.+)', key)
    if m:
        stage, block, rest = int(m.group(1)), m.group(2), m.group(3)
        if stage < 2:
            return f'stages.{stage}.{block}.{rest}'
        return f'stages.{stage}.blocks.{block}.{_conv_bn(rest)}'
    m = re.fullmatch(r'layer_(\d)\.downsample\.(conv[123]\..+)', key)
    if m:
        return f'downsample_layers.{m.group(1)}.{_conv_bn(m.group(2))}'
    m = re.fullmatch(r'head(\d)\.weight', key)
    if m:
        return f'proj{m.group(1)}.weight'
    if re.fullmatch(r'norm\d\.(weight|bias)', key):
        return key
    if re.fullmatch(r'norm_head\.(weight|bias)', key):
        return key
    return None


def _map_classifier(key: str, value: torch.Tensor) -> Optional[Tuple[str, torch.Tensor]]:
    m = re.fullmatch(r'head\.(weight|bias)', key)
    return None if m is None else (f'head.fc.{m.group(1)}', value)


def convert_fcaformer(state_dict: StateDict, prefix: str = 'backbone.') -> StateDict:
    """Convert an official FcaFormer state dict to mmhybrid's full-model layout.

    Backbone keys go under ``prefix`` (bare official keys) or stay under ``backbone.``; the
    ImageNet ``head`` becomes the ``head.fc`` of an mmpretrain ``LinearClsHead``; other keys
    pass through. A state dict already in mmhybrid's layout is returned unchanged.

    Raises:
        KeyError: for official backbone keys with no known counterpart.
    """
    return convert_official(state_dict, 'FcaFormer', _OFFICIAL, _BACKBONE_TOP, _map_backbone_key,
                            _map_classifier, prefix)


# The last stage's width identifies the variant.
LAST_WIDTH_TO_ARCH = {320: 'l1', 480: 'l2', 512: 'l3', 768: 'l4'}


def build_fcaformer_for(converted: StateDict) -> Tuple[str, torch.nn.Module]:
    """Name and build the FcaFormer (arch, classification or dense) a checkpoint fits."""
    from mmhybrid.models import FcaFormer
    key = 'backbone.stages.3.blocks.0.norm1.weight'
    if key not in converted:
        raise KeyError(f'No FcaFormer stage-4 weights ({key}) in the state dict')
    width = converted[key].shape[0]
    if width not in LAST_WIDTH_TO_ARCH:
        raise ValueError(f'Stage-4 width {width} matches no FcaFormer arch {LAST_WIDTH_TO_ARCH}')
    arch = LAST_WIDTH_TO_ARCH[width]
    if 'backbone.norm_head.weight' in converted:
        return f'FcaFormer-{arch.upper()} (classification)', FcaFormer(
            arch, out_indices=(3, ), gap_before_final_norm=True)
    out_indices = sorted(int(k[len('backbone.proj')]) for k in converted
                         if re.fullmatch(r'backbone\.proj\d\.weight', k))
    return f'FcaFormer-{arch.upper()} (dense)', FcaFormer(arch, out_indices=out_indices or
                                                           (0, 1, 2, 3))
