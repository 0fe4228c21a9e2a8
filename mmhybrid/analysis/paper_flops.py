"""Closed-form FLOP counts in the conventions the papers' own tables used.

Papers report complexity with their own counters; where that convention is not a plain
multiply-add count of convs, linears and attention matmuls (what :func:`count_flops` gives),
the formula here reproduces the published column so that both can be shown side by side.
"""
from typing import Dict, Sequence, Tuple, Union

from mmhybrid.models.backbones.mixformer import MixFormer


def _hw(input_size: Union[int, Sequence[int]]) -> Tuple[int, int]:
    if isinstance(input_size, int):
        return input_size, input_size
    h, w = input_size
    return int(h), int(w)


def mixformer_readme_flops(arch: Union[str, Dict], input_size: Union[int, Sequence[int]] = 224,
                           num_classes: int = 1000, window_size: int = 7) -> float:
    """MixFormer classifier FLOPs as the PaddleClas README / paper count them.

    The convention is the one of the ``flops()`` helpers of the older PaddleClas file (a
    Swin-style count: every conv and linear, one FLOP per element for each norm and for the
    spatial-interaction gate, a 1x1 kernel for the stem's 2x2 ``proj``, and the classifier
    head on ``(H/4 * W/4) / 16`` tokens as Swin's helper). Those helpers cannot run as
    released (they read attributes the model never sets) and count the window attention on
    the block width C; counted on the width it really has (C/2 for qkv and both matmuls),
    they give 0.44 / 0.75 / 0.95 / 1.87 / 3.56 / 6.80 / 12.68 G for B0-B6, which round to
    the README's 0.4 / 0.7 / 0.9 / 1.9 / 3.6 / 6.8 / 12.7 G. Exact multiply-adds are what
    :func:`mmhybrid.analysis.count_flops` returns.

    Args:
        arch: ``'b0'``-``'b6'`` or a dict with ``embed_dims``, ``depths``, ``num_heads``.
        input_size: Input side or (H, W); both must be multiples of 32 * window / 7 as in
            the helpers, which assume whole windows.
        num_classes: Classifier classes.
        window_size: Attention window.

    Returns:
        FLOPs (multiply-adds) as a float.
    """
    if isinstance(arch, str):
        if arch.lower() not in MixFormer.arch_zoo:
            raise KeyError(f'Unknown MixFormer arch {arch!r}; choose from '
                           f'{sorted(MixFormer.arch_zoo)}')
        arch = MixFormer.arch_zoo[arch.lower()]
    base, depths = arch['embed_dims'], arch['depths']
    h, w = _hw(input_size)
    ho, wo = h // 4, w // 4
    half = base // 2
    # Stem: three 3x3 convs (+BN) at stride 2, the 2x2 proj counted as a 1x1 kernel, the norm.
    flops = 4 * ho * wo * (half * 3 * 9 + half)
    flops += 2 * 4 * ho * wo * (half * half * 9 + half)
    flops += ho * wo * (base * half + base)
    hh, ww = ho, wo
    for i, depth in enumerate(depths):
        dim = base * 2**i
        flops += depth * _mixing_block_flops(dim, hh, ww, window_size)
        if i < len(depths) - 1:
            flops += hh * ww * dim + (hh // 2) * (ww // 2) * 4 * dim * 2 * dim
            hh, ww = hh // 2, ww // 2
    tokens = ho * wo // 2**len(depths)
    width = base * 2**(len(depths) - 1)
    flops += width * tokens + width * MixFormer.cls_width * tokens
    flops += MixFormer.cls_width * num_classes
    return float(flops)


def _mixing_block_flops(dim: int, h: int, w: int, window: int) -> float:
    """One MixingBlock as the helper counts it, with attention on its real width dim // 2."""
    hw = h * w
    flops = dim * hw  # norm1
    flops += dim * hw + dim // 2 * hw  # proj_cnn_norm, proj_attn_norm
    flops += dim * 9 * hw + dim * hw  # dw 3x3 conv and its BN
    flops += dim * dim // 2 * hw  # 1x1 projection of the conv branch
    flops += dim * dim // 8 + dim // 8 + dim // 8 * dim // 2  # channel interaction (1x1 map)
    flops += dim // 2 * dim // 16 * hw + dim // 16 * hw + dim // 16 * hw  # spatial interaction
    flops += dim * hw  # the two branch norms
    n = window * window
    attn_dim = dim // 2
    per_window = n * dim * dim * 3 // 2  # proj_attn + proj_cnn
    per_window += n * attn_dim * 3 * attn_dim  # qkv
    per_window += 2 * n * n * attn_dim  # q k^T and attn v
    per_window += n * dim * dim  # proj
    flops += hw / n * per_window
    flops += 2 * hw * dim * dim * 4 + dim * hw  # mlp, norm2
    return flops
