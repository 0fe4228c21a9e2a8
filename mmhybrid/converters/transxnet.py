"""Official TransXNet checkpoints (LMMMEng/TransXNet) -> mmhybrid keys.

Handles the ImageNet checkpoints (``transx-{t,s,b}.pth.tar``: bare keys with ``classifier.*``),
the official dense backbone (``norm0/2/4/6``) and the official mmdet/mmseg checkpoints
(``backbone.``-prefixed backbone keys next to neck and head keys, which pass through).
"""
import re
from typing import Dict, Optional, Tuple

import torch

from .common import convert_official

StateDict = Dict[str, torch.Tensor]

# Stem widths identify the variant of an official checkpoint.
STEM_WIDTH_TO_ARCH = {48: 't', 64: 's', 76: 'b'}
_BACKBONE_TOP = re.compile(r'(network|patch_embed|relative_pos_enc|classifier|norm\d)\.')
_OFFICIAL = re.compile(r'^(backbone\.)?(network\.\d+\.|patch_embed\.proj\.|classifier\.)')


def _map_backbone_key(key: str) -> Optional[str]:
    """An official backbone key (no prefix) in mmhybrid's layout; None when unknown."""
    if key.startswith('patch_embed.proj.'):
        return 'patch_embed.' + key[len('patch_embed.proj.'):]
    if re.fullmatch(r'relative_pos_enc\.[0-3]', key):
        return key
    m = re.fullmatch(r'network\.(\d+)\.(.+)', key)
    if m:
        index, rest = int(m.group(1)), m.group(2)
        if index % 2 == 0:
            return f'stages.{index // 2}.{rest}'
        if rest.startswith('proj.'):
            return f'downsample_layers.{index // 2}.{rest[len("proj."):]}'
        return None
    m = re.fullmatch(r'norm([0246])\.(weight|bias)', key)
    if m:
        return f'norm{int(m.group(1)) // 2}.{m.group(2)}'
    m = re.fullmatch(r'classifier\.0\.(weight|bias)', key)
    if m:
        return f'norm3.{m.group(1)}'
    return None


def _map_classifier(key: str, value: torch.Tensor) -> Optional[Tuple[str, torch.Tensor]]:
    """The classifier's 1x1 conv becomes a Linear (its GroupNorm is the backbone's norm3)."""
    m = re.fullmatch(r'classifier\.2\.(weight|bias)', key)
    if m is None:
        return None
    return f'head.fc.{m.group(1)}', value.flatten(1) if m.group(1) == 'weight' else value


def convert_transxnet(state_dict: StateDict,
                      prefix: str = 'backbone.') -> StateDict:
    """Convert an official TransXNet state dict to mmhybrid's full-model layout.

    Backbone keys go under ``prefix`` (bare official keys) or stay under ``backbone.``
    (official mmdet/mmseg checkpoints); the ImageNet classifier conv becomes the
    ``head.fc`` Linear of an mmpretrain ``LinearClsHead``, its GroupNorm the backbone's
    ``norm3``. Other keys (necks, heads) pass through. A state dict already in mmhybrid's
    layout is returned unchanged.

    Raises:
        KeyError: for official backbone keys with no known counterpart.
    """
    return convert_official(state_dict, 'TransXNet', _OFFICIAL, _BACKBONE_TOP, _map_backbone_key,
                            _map_classifier, prefix)


def detect_arch(state_dict: StateDict) -> Tuple[str, int]:
    """The arch name and the position-bias build size of an official or converted checkpoint."""
    for key, value in state_dict.items():
        if key.endswith('patch_embed.proj.conv.weight') or key.endswith('patch_embed.conv.weight'):
            width = value.shape[0]
            if width not in STEM_WIDTH_TO_ARCH:
                raise ValueError(f'Stem width {width} matches no TransXNet arch '
                                 f'({STEM_WIDTH_TO_ARCH})')
            arch = STEM_WIDTH_TO_ARCH[width]
            break
    else:
        raise KeyError('No TransXNet stem (patch_embed) weight in the state dict')
    image_size = 224
    for key, value in state_dict.items():
        if key.endswith('relative_pos_enc.0'):
            # (1, heads, N, Nk) with N = ceil(size / 4) ** 2 tokens at stage 1.
            image_size = int(round(value.shape[2] ** 0.5)) * 4
    return arch, image_size


def build_transxnet_for(converted: StateDict) -> Tuple[str, torch.nn.Module]:
    """Name and build the TransXNet (arch, bias size, output norms) a converted checkpoint fits."""
    from mmhybrid.models import TransXNet
    arch, image_size = detect_arch(converted)
    out_indices = sorted(int(k.split('.')[1][4:]) for k in converted
                         if re.fullmatch(r'backbone\.norm\d\.weight', k))
    name = f'TransXNet-{arch.upper()} (position biases for {image_size}x{image_size})'
    return name, TransXNet(arch, image_size=image_size, out_indices=out_indices or [3])
