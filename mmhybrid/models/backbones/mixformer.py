"""MixFormer: parallel window attention and depthwise conv with bidirectional interactions.

Paper: "MixFormer: Mixing Features across Windows and Dimensions" (CVPR 2022),
https://arxiv.org/abs/2204.02557. The math follows the only official code, PaddleClas
``ppcls/arch/backbone/model_zoo/mixformer.py``; module names and Sequential indices inside the
blocks are the Paddle ones, so the converter transposes Linear weights, renames BN statistics
and renames only the stage containers (``layers.i.blocks.j`` -> ``stages.i.j``,
``layers.i.downsample`` -> ``downsample_layers.i``).
"""
import math
import re
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from torch.nn.modules.batchnorm import _BatchNorm

from mmhybrid.registry import MODELS
from ..layers import (DepthwiseConv2d, Linear, Mlp, PooledBatchNorm2d, biased_attention,
                      window_partition, window_reverse)
from ..utils import ParameterCache, parse_arch, parse_window_sizes
from ..utils.convert import StateDict
from .base import HybridBackbone


class MixingAttention(BaseModule):
    """Window attention on C/2 channels beside a 3x3 depthwise conv on C channels.

    The conv branch gates the attention values per channel (channel interaction) and the
    attention output gates the conv branch per pixel (spatial interaction).

    Args:
        dim (int): Channels C.
        window_size (int): Window side.
        num_heads (int): Heads of the C/2-channel attention.
        dwconv_kernel_size (int): Kernel of the depthwise conv.
    """

    def __init__(self, dim: int, window_size: int, num_heads: int,
                 dwconv_kernel_size: int = 3) -> None:
        super().__init__()
        attn_dim = dim // 2
        if attn_dim % num_heads:
            raise ValueError(f'MixFormer attention width {attn_dim} is not divisible by '
                             f'{num_heads} heads')
        self.window_size = window_size
        self.num_heads = num_heads
        ws = window_size
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * ws - 1)**2, num_heads))
        ys, xs = torch.meshgrid(torch.arange(ws), torch.arange(ws), indexing='ij')
        ys, xs = ys.flatten(), xs.flatten()
        index = (ys[:, None] - ys[None] + ws - 1) * (2 * ws - 1) + (xs[:, None] - xs[None] + ws - 1)
        self.register_buffer('relative_position_index', index, persistent=False)
        self._bias_cache = ParameterCache()
        self.proj_attn = Linear(dim, attn_dim)
        self.proj_attn_norm = nn.LayerNorm(attn_dim)
        self.proj_cnn = Linear(dim, dim)
        self.proj_cnn_norm = nn.LayerNorm(dim)
        k = dwconv_kernel_size
        self.dwconv3x3 = nn.Sequential(
            DepthwiseConv2d(dim, dim, k, padding=k // 2, groups=dim), nn.BatchNorm2d(dim),
            nn.GELU())
        self.channel_interaction = nn.Sequential(
            nn.Conv2d(dim, dim // 8, 1), PooledBatchNorm2d(dim // 8), nn.GELU(),
            nn.Conv2d(dim // 8, attn_dim, 1))
        self.projection = nn.Conv2d(dim, attn_dim, 1)
        self.conv_norm = nn.BatchNorm2d(attn_dim)
        self.qkv = Linear(attn_dim, attn_dim * 3)
        self.spatial_interaction = nn.Sequential(
            nn.Conv2d(attn_dim, dim // 16, 1), nn.BatchNorm2d(dim // 16), nn.GELU(),
            nn.Conv2d(dim // 16, 1, 1))
        self.attn_norm = nn.LayerNorm(attn_dim)
        self.proj = Linear(dim, dim)

    def forward(self, x: torch.Tensor, H: int, W: int) -> torch.Tensor:
        """x: windows (B * nW, ws * ws, C) of an (H, W) map (both multiples of ws)."""
        ws, h = self.window_size, self.num_heads
        Bw, N, _ = x.shape
        x_atten = self.proj_attn_norm(self.proj_attn(x))
        x_cnn = window_reverse(self.proj_cnn_norm(self.proj_cnn(x)), ws, H, W)
        x_cnn = self.dwconv3x3(x_cnn.permute(0, 3, 1, 2))
        channel_gate = self.channel_interaction(x_cnn.mean(dim=(2, 3), keepdim=True))
        x_cnn = self.projection(x_cnn)
        B = x_cnn.shape[0]

        q, k, v = self.qkv(x_atten).reshape(Bw, N, 3, h, -1).permute(2, 0, 3, 1, 4).unbind(0)
        hd = q.shape[-1]
        # Channel interaction: one gate per image and channel (head-major), for every window.
        gate = torch.sigmoid(channel_gate).reshape(B, 1, h, 1, hd)
        v = (v.reshape(B, Bw // B, h, N, hd) * gate).reshape(Bw, h, N, hd)
        table = self.relative_position_bias_table
        bias = self._bias_cache.get(
            'bias', [table], lambda: table[self.relative_position_index].permute(2, 0, 1))
        out = biased_attention(q, k, v, bias)
        out = out.transpose(1, 2).reshape(Bw, N, -1)

        # Spatial interaction: a 1-channel map from the (un-normed) attention output.
        spatial = window_reverse(out, ws, H, W).permute(0, 3, 1, 2)
        x_cnn = torch.sigmoid(self.spatial_interaction(spatial)) * x_cnn
        x_cnn = window_partition(self.conv_norm(x_cnn).permute(0, 2, 3, 1), ws)
        return self.proj(torch.cat([self.attn_norm(out), x_cnn], dim=-1))


class MixingBlock(BaseModule):
    """Pre-norm MixingAttention over zero-padded 7x7 windows, then a pre-norm MLP.

    Args:
        dim (int): Channels.
        num_heads (int): Attention heads.
        window_size (int): Window side.
        mlp_ratio (float): MLP hidden ratio.
        drop_path (float): Stochastic depth of both branches.
    """

    def __init__(self, dim: int, num_heads: int, window_size: int = 7, mlp_ratio: float = 4.,
                 drop_path: float = 0.) -> None:
        super().__init__()
        self.window_size = window_size
        self.norm1 = nn.LayerNorm(dim)
        self.attn = MixingAttention(dim, window_size, num_heads)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x: torch.Tensor, H: int, W: int) -> torch.Tensor:
        B, L, C = x.shape
        ws = self.window_size
        pad_b, pad_r = (-H) % ws, (-W) % ws
        # The padding follows norm1: padded tokens are exact zeros, unmasked, as in Paddle.
        y = F.pad(self.norm1(x).reshape(B, H, W, C), (0, 0, 0, pad_r, 0, pad_b))
        Hp, Wp = H + pad_b, W + pad_r
        y = window_reverse(self.attn(window_partition(y, ws), Hp, Wp), ws, Hp, Wp)
        x = x + self.drop_path(y[:, :H, :W].reshape(B, L, C))
        return x + self.drop_path(self.mlp(self.norm2(x)))


class ConvMerging(BaseModule):
    """Downsampling: BatchNorm, then a 2x2 stride-2 conv doubling the channels.

    Odd maps are zero-padded at the bottom/right first (the official code asserts even sizes).
    """

    def __init__(self, dim: int, out_dim: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(dim)
        self.reduction = nn.Conv2d(dim, out_dim, 2, stride=2)

    def forward(self, x: torch.Tensor, H: int, W: int) -> Tuple[torch.Tensor, int, int]:
        B, _, C = x.shape
        x = self.norm(x.transpose(1, 2).reshape(B, C, H, W))
        x = self.reduction(F.pad(x, (0, W % 2, 0, H % 2)))
        return x.flatten(2).transpose(1, 2), x.shape[2], x.shape[3]


class ConvEmbed(BaseModule):
    """Stem: pad to a multiple of 4, three 3x3 conv-BN-GELU (the first stride 2), a 2x2
    stride-2 conv, LayerNorm on the tokens."""

    def __init__(self, in_channels: int, dim: int) -> None:
        super().__init__()
        mid = dim // 2
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, mid, 3, stride=2, padding=1), nn.BatchNorm2d(mid), nn.GELU(),
            nn.Conv2d(mid, mid, 3, padding=1), nn.BatchNorm2d(mid), nn.GELU(),
            nn.Conv2d(mid, mid, 3, padding=1), nn.BatchNorm2d(mid), nn.GELU())
        self.proj = nn.Conv2d(mid, dim, 2, stride=2)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, int, int]:
        H, W = x.shape[-2:]
        x = F.pad(x, (0, (-W) % 4, 0, (-H) % 4))
        x = self.proj(self.stem(x))
        return self.norm(x.flatten(2).transpose(1, 2)), x.shape[2], x.shape[3]


@MODELS.register_module()
class MixFormer(HybridBackbone):
    """MixFormer B0-B6 backbone.

    Paper: https://arxiv.org/abs/2204.02557 (official code: PaddleClas).

    Args:
        arch (str | dict): ``'b0'``-``'b6'`` or a dict with the keys of :attr:`arch_zoo`
            entries.
        in_channels (int): Input channels.
        out_indices (int | Sequence[int], optional): Stages (0-3) to return (None: all, or
            the last for ``avg_featmap``).
        out_type (str): ``'featmap'``: NCHW maps, each after its own LayerNorm ``norm{i}``
            (taken before the downsampling that follows the stage); ``'avg_featmap'``: the
            official classifier's 1280-d features (``norm``, ``last_proj``, GELU, token mean)
            as a (B, 1280) tensor.
        window_size (int | Sequence[int]): Attention window side, one or one per stage (7 in
            the official models; maps are zero-padded to whole windows).
        frozen_stages (int): -1 freezes nothing, 0 the stem, k the stem and stages 1..k (with
            the downsamplings between them and their output norms).
        norm_eval (bool): Keep BatchNorms in eval mode during training.
        drop_path_rate (float): Stochastic depth, linear over all blocks from 0.
        with_cp (bool): Gradient checkpointing per block.
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=...)`` loads a converted
            or a Paddle-layout checkpoint (converted on load).
    """

    arch_zoo: Dict[str, dict] = {
        'b0': dict(embed_dims=24, depths=[1, 2, 6, 6], num_heads=[3, 6, 12, 24]),
        'b1': dict(embed_dims=32, depths=[1, 2, 6, 6], num_heads=[2, 4, 8, 16]),
        'b2': dict(embed_dims=32, depths=[2, 2, 8, 8], num_heads=[2, 4, 8, 16]),
        'b3': dict(embed_dims=48, depths=[2, 2, 8, 6], num_heads=[3, 6, 12, 24]),
        'b4': dict(embed_dims=64, depths=[2, 2, 8, 8], num_heads=[4, 8, 16, 32]),
        'b5': dict(embed_dims=96, depths=[1, 2, 8, 6], num_heads=[6, 12, 24, 48]),
        'b6': dict(embed_dims=96, depths=[2, 4, 16, 12], num_heads=[6, 12, 24, 48]),
    }
    num_stages = 4
    cls_width = 1280

    def __init__(self,
                 arch: Union[str, dict] = 'b1',
                 in_channels: int = 3,
                 out_indices: Optional[Union[int, Sequence[int]]] = None,
                 out_type: str = 'featmap',
                 window_size: Union[int, Sequence[int]] = 7,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 drop_path_rate: float = 0.,
                 with_cp: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch = parse_arch(self, arch)
        self._setup_outputs(out_indices, out_type, frozen_stages, norm_eval, with_cp)
        windows = parse_window_sizes(window_size, self.num_stages, 'MixFormer',
                                     windowed=range(self.num_stages))
        base, depths = self.arch['embed_dims'], self.arch['depths']
        self.depths = depths
        dims = self.embed_dims = [base * 2**i for i in range(self.num_stages)]
        self.patch_embed = ConvEmbed(in_channels, base)
        dpr = torch.linspace(0, drop_path_rate, sum(depths)).tolist()
        self.stages = nn.ModuleList(
            nn.ModuleList(
                MixingBlock(dims[i], self.arch['num_heads'][i], windows[i],
                            drop_path=dpr[sum(depths[:i]) + j]) for j in range(depths[i]))
            for i in range(self.num_stages))
        self.downsample_layers = nn.ModuleList(
            ConvMerging(dims[i], dims[i + 1]) for i in range(self.num_stages - 1))
        if out_type == 'avg_featmap':
            self.norm = nn.LayerNorm(self.embed_dims[-1])
            self.last_proj = Linear(self.embed_dims[-1], self.cls_width)
            self.out_channels = [self.cls_width]
        else:
            for i in self.out_indices:
                self.add_module(f'norm{i}', nn.LayerNorm(self.embed_dims[i]))
            self.out_channels = [self.embed_dims[i] for i in self.out_indices]
        self._freeze_stages()

    def _converter(self):
        return convert_mixformer

    def _init_from_scratch(self) -> None:
        """PaddleClas' init: trunc-normal(0.02) Linears and position tables, Paddle's default
        Normal(0, sqrt(2 / (k * k * in_channels))) convs (full in_channels, also depthwise)."""
        for m in self.modules():
            if isinstance(m, nn.Linear):
                trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Conv2d):
                k = m.kernel_size[0] * m.kernel_size[1]
                nn.init.normal_(m.weight, std=math.sqrt(2. / (k * m.in_channels)))
                nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.LayerNorm, _BatchNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, MixingAttention):
                trunc_normal_(m.relative_position_bias_table, std=0.02)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x, H, W = self.patch_embed(x)
        outs = []
        for i in range(self.num_stages):
            if i > 0:
                x, H, W = self.downsample_layers[i - 1](x, H, W)
            x = self._run_stage(i, x, H, W)
            if self.out_type == 'featmap' and i in self.out_indices:
                out = getattr(self, f'norm{i}')(x)
                outs.append(out.transpose(1, 2).reshape(x.shape[0], -1, H, W))
        if self.out_type == 'avg_featmap':
            outs.append(F.gelu(self.last_proj(self.norm(x))).mean(dim=1))
        return tuple(outs)


# PaddleClas checkpoints -> mmhybrid keys (used by init_cfg Pretrained and the converter tool).
# Paddle stores Linear weights as [in, out] (transposed here) and BatchNorm statistics as
# ``_mean`` / ``_variance`` (renamed).
_PADDLE_ONLY = re.compile(r'.*\.(_mean|_variance)$')


def convert_mixformer(state_dict: Dict[str, Any], prefix: str = 'backbone.') -> StateDict:
    """Convert a Paddle MixFormer state dict (numpy arrays or tensors) to mmhybrid's layout.

    Backbone keys go under ``prefix``; the classifier ``head`` becomes ``head.fc`` of an
    mmpretrain ``LinearClsHead``; ``relative_position_index`` (architecture, rebuilt) is
    dropped. A state dict already in torch layout (no ``_mean`` / ``_variance`` keys) is
    returned unchanged.
    """
    if not any(_PADDLE_ONLY.match(k) for k in state_dict):
        return {k: torch.as_tensor(v) for k, v in state_dict.items()}
    converted = {}
    for key, value in state_dict.items():
        if key.endswith('relative_position_index') or key.startswith('StructuredToParameterName'):
            continue
        tensor = torch.as_tensor(np.asarray(value)).clone()
        if key.endswith('.weight') and tensor.ndim == 2:
            tensor = tensor.t().contiguous()  # Paddle Linear: [in, out]
        key = re.sub(r'\._mean$', '.running_mean', key)
        key = re.sub(r'\._variance$', '.running_var', key)
        key = re.sub(r'^layers\.(\d+)\.blocks\.', r'stages.\1.', key)
        key = re.sub(r'^layers\.(\d+)\.downsample\.', r'downsample_layers.\1.', key)
        if key.startswith('head.'):
            converted['head.fc.' + key[len('head.'):]] = tensor
        else:
            converted[prefix + key] = tensor
    return converted
