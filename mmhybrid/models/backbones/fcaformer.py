"""FcaFormer: ConvNeXt stages followed by ViT stages with forward cross attention.

Paper: "FcaFormer: Forward Cross Attention in Hybrid Vision Transformer" (ICCV 2023),
https://arxiv.org/abs/2211.07198. The math follows the official code (hkzhang-git/FcaFormer
@ 7dcd8e0): blocks of the attention stages also attend to cross tokens that earlier blocks of
the stage produce with a token merge-and-enhancement (TME) conv, scaled by learnable scale
factors (LSFs), normed and biased on their own.

Attention runs in windows of the pre-training grids (14x14 in stage 3, 7x7 in stage 4), as the
official dense backbone does; at 224x224 that is the classification model exactly.
"""
import math
import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_

from mmhybrid.registry import MODELS
from ..layers import (DepthwiseConv2d, LayerNorm2d, Linear, Mlp, biased_attention, linear,
                      linear_gelu, window_partition, window_reverse)
from ..layers.reparam import FoldedConvModule, can_fold, scaled_linear
from ..utils import ParameterCache, parse_arch, parse_window_sizes, records_grad, trunc_normal_init
from ..utils.convert import StateDict, convert_official, map_linear_head
from .base import HybridBackbone

GELU = dict(type='GELU')
BN = dict(type='BN')


class _WindowBiasGather(torch.autograd.Function):
    """``table[:, idxs]`` for the LeViT index ``|dy| * W + |dx|`` of a WxW window, whose
    backward sums the (heads, N, N) gradient per offset as two small GEMMs with the (W*W, W)
    one-hot map of ``|i - j|`` (separable in y and x) instead of ``index_put_``'s scatter-add
    (7x faster at W=14 on the CPU)."""

    @staticmethod
    def forward(ctx, table: torch.Tensor, idxs: torch.Tensor) -> torch.Tensor:
        ctx.window = math.isqrt(table.shape[1])
        return table[:, idxs]

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> Tuple[torch.Tensor, None]:
        W, heads = ctx.window, grad.shape[0]
        r = torch.arange(W, device=grad.device)
        onehot = F.one_hot((r[:, None] - r[None]).abs(), W).to(grad.dtype).reshape(W * W, W)
        # (h, y1, x1, y2, x2) -> rows (h, x1, x2), columns (y1, y2): sum over |y1 - y2| = dy.
        g = grad.reshape(heads, W, W, W, W).permute(0, 2, 4, 1, 3).reshape(-1, W * W) @ onehot
        # rows (h, dy), columns (x1, x2): sum over |x1 - x2| = dx.
        g = g.reshape(heads, W * W, W).transpose(1, 2).reshape(-1, W * W) @ onehot
        return g.reshape(heads, W * W), None


def window_bias(table: torch.Tensor, idxs: torch.Tensor) -> torch.Tensor:
    """The (heads, N, N) bias ``table[:, idxs]`` of :class:`FcaBlock`, with a faster backward
    while autograd records it (plain indexing otherwise, and for tracing and export)."""
    if records_grad([table]):
        return _WindowBiasGather.apply(table, idxs)
    return table[:, idxs]


class ConvNeXtBlock(BaseModule):
    """ConvNeXt block: DW 7x7, channels-last LayerNorm (eps 1e-6), MLP, layer scale.

    Args:
        dim (int): Channels.
        drop_path (float): Stochastic depth.
        layer_scale_init_value (float): Initial ``gamma``.
    """

    def __init__(self, dim: int, drop_path: float = 0., layer_scale_init_value: float = 1e-6):
        super().__init__()
        self.gamma = nn.Parameter(torch.full((dim, ), layer_scale_init_value))
        self.dwconv = DepthwiseConv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1 = Linear(dim, 4 * dim)
        self.act = nn.GELU()
        self.pwconv2 = Linear(4 * dim, dim)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()

        self._folded = ParameterCache()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.norm(self.dwconv(x).permute(0, 2, 3, 1))
        # The layer scale folded into pwconv2 (in training too: a (C, 4C) product instead of
        # a map-sized one each way); GELU in pwconv1's pass at inference.
        w, b = scaled_linear(self._folded, 'pwconv2', self.pwconv2, self.gamma)
        if can_fold(self):
            hidden = linear_gelu(y, self.pwconv1.weight, self.pwconv1.bias)
            return x + linear(hidden, w, b).permute(0, 3, 1, 2)
        y = linear(self.act(self.pwconv1(y)), w, b)
        return x + self.drop_path(y.permute(0, 3, 1, 2))


class PatchMerging(BaseModule):
    """Downsampling: 1x1 conv-BN, GELU, DW 3x3 stride-2 conv-BN, GELU, 1x1 conv-BN.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv1 = FoldedConvModule(in_channels, out_channels, 1, norm_cfg=BN, act_cfg=GELU)
        self.conv2 = FoldedConvModule(out_channels, out_channels, 3, stride=2, padding=1,
                                      groups=out_channels, norm_cfg=BN, act_cfg=GELU)
        self.conv3 = FoldedConvModule(out_channels, out_channels, 1, norm_cfg=BN, act_cfg=None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv3(self.conv2(self.conv1(x)))


class FcaBlock(BaseModule):
    """Attention block over a window's tokens plus the cross tokens of earlier blocks.

    Args:
        dim (int): Channels.
        num_heads (int): Attention heads.
        window_size (int): Side of the (square) window the block sees.
        index (int): Position j of the block in its stage: j * S cross tokens come in.
        depth (int): Blocks in the stage; the last one emits no cross tokens.
        drop_path (float): Stochastic depth of both residual branches.
        layer_scale_init_value (float): Initial ``gamma_1`` / ``gamma_2``.
        norm_eps (float): Epsilon of the block's LayerNorms.
        num_prefix_tokens (int): Leading tokens (a class token) outside the window grid: they
            attend and are attended with zero position bias and bypass the TME convs.
    """

    def __init__(self,
                 dim: int,
                 *,
                 num_heads: int,
                 window_size: int,
                 index: int,
                 depth: int,
                 drop_path: float = 0.,
                 layer_scale_init_value: float = 1e-6,
                 norm_eps: float = 1e-5,
                 num_prefix_tokens: int = 0) -> None:
        super().__init__()
        self.num_prefix_tokens = num_prefix_tokens
        if dim % num_heads:
            raise ValueError(f'FcaFormer width {dim} is not divisible by {num_heads} heads')
        self.num_heads = num_heads
        num_cross = index * math.ceil(window_size / 4)**2
        self.gamma_1 = nn.Parameter(torch.full((dim, ), layer_scale_init_value))
        self.gamma_2 = nn.Parameter(torch.full((dim, ), layer_scale_init_value))
        if index > 0:
            self.s_token_bias = nn.Parameter(torch.zeros(1, num_heads, 1, num_cross))
            self.s_scale_factors = nn.Parameter(torch.ones(1, num_cross, 1))
        self.attention_biases = nn.Parameter(torch.zeros(num_heads, window_size**2))
        # LeViT-style bias index: |dy| * W + |dx| between row-major positions.
        ys, xs = torch.meshgrid(torch.arange(window_size), torch.arange(window_size),
                                indexing='ij')
        ys, xs = ys.flatten(), xs.flatten()
        idxs = (ys[:, None] - ys[None]).abs() * window_size + (xs[:, None] - xs[None]).abs()
        self.register_buffer('attention_bias_idxs', idxs, persistent=False)
        self._bias_cache = ParameterCache()
        self._folded = ParameterCache()
        if index < depth - 1:
            self.dw_conv = nn.Conv2d(dim, dim, 7, stride=4, padding=3, groups=dim, bias=False)
        if index > 0:
            self.s_norm = nn.LayerNorm(dim, eps=norm_eps)
        self.norm1 = nn.LayerNorm(dim, eps=norm_eps)
        self.qkv = Linear(dim, dim * 3)
        self.proj = Linear(dim, dim)
        self.local_conv = FoldedConvModule(dim, dim, 3, padding=1, groups=dim, norm_cfg=BN,
                                           act_cfg=None, conv_cfg=dict(type=DepthwiseConv2d))
        self.norm2 = nn.LayerNorm(dim, eps=norm_eps)
        self.mlp = Mlp(dim, 4 * dim, norm_eps)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()

    def _heads(self, x: torch.Tensor, parts: int) -> Tuple[torch.Tensor, ...]:
        B, N, _ = x.shape
        return x.reshape(B, N, parts, self.num_heads, -1).permute(2, 0, 3, 1, 4).unbind(0)

    def forward(self, x: torch.Tensor, s: Optional[torch.Tensor], hw: Tuple[int, int]
                ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        B, N, C = x.shape
        p = self.num_prefix_tokens
        q, k, v = self._heads(self.qkv(self.norm1(x)), 3)
        bias = self._bias_cache.get('bias', [self.attention_biases], lambda: F.pad(
            window_bias(self.attention_biases, self.attention_bias_idxs),
            (p, 0, p, 0)).unsqueeze(0))
        if s is not None:
            # Cross tokens: LSF, own norm, the shared K/V projection, own logit bias.
            sn = self.s_norm(s * self.s_scale_factors)
            k_s, v_s = self._heads(linear(sn, self.qkv.weight[C:], self.qkv.bias[C:]), 2)
            k, v = torch.cat([k, k_s], dim=2), torch.cat([v, v_s], dim=2)
            bias = torch.cat([bias, self.s_token_bias.expand(-1, -1, N, -1)], dim=-1)
        out = biased_attention(q, k, v, bias)
        out = out.transpose(1, 2).reshape(B, N, C)
        # The layer scales folded into proj and fc2 (in training too, see ConvNeXtBlock).
        x = x + self.drop_path(
            linear(out, *scaled_linear(self._folded, 'proj', self.proj, self.gamma_1)))
        grid = x[:, p:].transpose(1, 2).reshape(B, C, *hw)
        s_new = self.dw_conv(grid).flatten(2).transpose(1, 2) if hasattr(self, 'dw_conv') \
            else None
        # The TME enhance conv replaces the grid tokens (no residual).
        x = torch.cat([x[:, :p], self.local_conv(grid).flatten(2).transpose(1, 2)], dim=1)
        mlp = self.mlp
        y = mlp.fc1(mlp.norm(self.norm2(x)))  # GELU included
        w, b = scaled_linear(self._folded, 'fc2', mlp.fc2, self.gamma_2)
        return x + self.drop_path(linear(y, w, b)), s_new


class FcaStage(nn.ModuleList):
    """FcaBlocks over non-overlapping windows of an NCHW map, with the official padding.

    Maps are zero-padded to whole windows, at the top/left for even blocks and at the
    bottom/right for odd ones; cross tokens pass between blocks window by window.

    Args:
        blocks (list[FcaBlock]): The stage's blocks.
        window_size (int): Window side.
    """

    def __init__(self, blocks: List[FcaBlock], window_size: int):
        super().__init__(blocks)
        self.window_size = window_size

    def forward(self, x: torch.Tensor,
                run_block: Callable[..., Tuple[torch.Tensor, Optional[torch.Tensor]]]
                ) -> torch.Tensor:
        """``run_block(block, windows, cross, hw)`` runs one block (checkpointed or not)."""
        B, C, H, W = x.shape
        ws = self.window_size
        hn, wn = math.ceil(H / ws), math.ceil(W / ws)
        pad_h, pad_w = hn * ws - H, wn * ws - W
        cross: List[torch.Tensor] = []
        for i, block in enumerate(self):
            pad = (pad_w, 0, pad_h, 0) if i % 2 == 0 else (0, pad_w, 0, pad_h)
            xp = F.pad(x, pad) if pad_h or pad_w else x
            windows = window_partition(xp.permute(0, 2, 3, 1), ws)
            s = torch.cat(cross, dim=1) if cross else None
            windows, s_new = run_block(block, windows, s, (ws, ws))
            if s_new is not None:
                cross.append(s_new)
            xp = window_reverse(windows, ws, hn * ws, wn * ws).permute(0, 3, 1, 2)
            x = xp[:, :, pad_h:, pad_w:] if i % 2 == 0 else xp[:, :, :H, :W]
        return x.contiguous()


@MODELS.register_module()
class FcaFormer(HybridBackbone):
    """FcaFormer hybrid backbone (L1-L4) for classification and dense prediction.

    Paper: https://arxiv.org/abs/2211.07198 (official code: hkzhang-git/FcaFormer).

    Args:
        arch (str | dict): ``'l1'``-``'l4'`` (or micro/tiny/small/base), or a dict with the
            keys of :attr:`arch_zoo` entries.
        in_channels (int): Input channels.
        out_indices (int | Sequence[int], optional): Stages (0-3) to return (None: all, or
            the last for ``avg_featmap``).
        out_type (str): ``'featmap'``: each output is an NCHW map after ``proj{i}`` (1x1 conv
            to ``arch['out_channels'][i]``) and ``norm{i}`` (channels-first LayerNorm, eps
            1e-6), as the official dense backbone does; ``'avg_featmap'``: the last stage's
            token mean through ``norm_head`` (LayerNorm, eps 1e-5) as a (B, C) tensor, as the
            official classifier computes it.
        window_size (int | Sequence[int]): Attention window side per stage (the ConvNeXt
            stages 1-2 ignore theirs); the official pre-training grids 14 and 7 by default.
        frozen_stages (int): -1 freezes nothing, 0 the stem, k the stem and stages 1..k
            (with the downsamplings before them and their output layers).
        norm_eval (bool): Keep BatchNorms in eval mode during training.
        drop_path_rate (float): Stochastic depth, linear over all blocks from 0.
        layer_scale_init_value (float): Initial layer scales.
        with_cp (bool): Gradient checkpointing per block.
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=...)`` loads a
            converted or an official checkpoint (official keys are converted).
    """

    arch_zoo: Dict[str, dict] = {
        **dict.fromkeys(['l1', 'micro'], dict(
            embed_dims=[64, 128, 192, 320], depths=[2, 2, 6, 2], num_heads=[6, 10],
            out_channels=[64, 128, 256, 512])),
        **dict.fromkeys(['l2', 'tiny'], dict(
            embed_dims=[96, 192, 320, 480], depths=[2, 2, 7, 2], num_heads=[10, 15],
            out_channels=[96, 192, 384, 768])),
        **dict.fromkeys(['l3', 'small'], dict(
            embed_dims=[96, 192, 320, 512], depths=[3, 6, 12, 3], num_heads=[10, 16],
            out_channels=[96, 192, 384, 768])),
        **dict.fromkeys(['l4', 'base'], dict(
            embed_dims=[128, 256, 512, 768], depths=[3, 6, 12, 3], num_heads=[16, 24],
            out_channels=[128, 256, 512, 1024])),
    }
    num_stages = 4
    # num_heads has one entry per attention stage (3 and 4).
    per_stage_keys = ('embed_dims', 'depths', 'out_channels')

    def __init__(self,
                 arch: Union[str, dict] = 'l2',
                 in_channels: int = 3,
                 out_indices: Optional[Union[int, Sequence[int]]] = None,
                 out_type: str = 'featmap',
                 window_size: Union[int, Sequence[int]] = (0, 0, 14, 7),
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 drop_path_rate: float = 0.,
                 layer_scale_init_value: float = 1e-6,
                 with_cp: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch = parse_arch(self, arch)
        if len(self.arch['num_heads']) != 2:
            raise ValueError('FcaFormer num_heads has one entry per attention stage (stages 3 '
                             'and 4)')
        windows = parse_window_sizes(window_size, self.num_stages, 'FcaFormer', windowed=(2, 3))
        self._setup_outputs(out_indices, out_type, frozen_stages, norm_eval, with_cp)
        dims = self.embed_dims = self.arch['embed_dims']
        depths = self.depths = self.arch['depths']

        self.patch_embed = nn.Sequential(
            FoldedConvModule(in_channels, dims[0] // 2, 3, stride=2, padding=1, norm_cfg=BN,
                             act_cfg=GELU),
            FoldedConvModule(dims[0] // 2, dims[0], 3, stride=2, padding=1, norm_cfg=BN,
                             act_cfg=None))
        dpr = torch.linspace(0, drop_path_rate, sum(depths)).tolist()
        self.stages = nn.ModuleList()
        for i in range(self.num_stages):
            rates = dpr[sum(depths[:i]):sum(depths[:i + 1])]
            if i < 2:
                self.stages.append(nn.Sequential(*[
                    ConvNeXtBlock(dims[i], rate, layer_scale_init_value) for rate in rates]))
            else:
                blocks = [
                    FcaBlock(dims[i], num_heads=self.arch['num_heads'][i - 2],
                             window_size=windows[i], index=j, depth=depths[i], drop_path=rate,
                             layer_scale_init_value=layer_scale_init_value)
                    for j, rate in enumerate(rates)
                ]
                self.stages.append(FcaStage(blocks, windows[i]))
        self.downsample_layers = nn.ModuleList(
            PatchMerging(dims[i], dims[i + 1]) for i in range(self.num_stages - 1))
        if out_type == 'avg_featmap':
            self.norm_head = nn.LayerNorm(dims[-1])
            self.out_channels = [dims[-1]]
        else:
            self.out_channels = [self.arch['out_channels'][i] for i in self.out_indices]
            for i in self.out_indices:
                out = self.arch['out_channels'][i]
                self.add_module(f'proj{i}', nn.Conv2d(dims[i], out, 1, bias=False))
                self.add_module(f'norm{i}', LayerNorm2d(out, eps=1e-6))
        self._freeze_stages()

    def _converter(self):
        return convert_fcaformer

    def _init_from_scratch(self) -> None:
        trunc_normal_init(self)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.patch_embed(x)
        outs = []
        for i, stage in enumerate(self.stages):
            if i > 0:
                x = self.downsample_layers[i - 1](x)
            x = stage(x, self._run_block) if isinstance(stage, FcaStage) else \
                self._run_stage(i, x)
            if i not in self.out_indices:
                continue
            if self.out_type == 'avg_featmap':
                outs.append(self.norm_head(x.mean(dim=(2, 3))))
            else:
                outs.append(getattr(self, f'norm{i}')(getattr(self, f'proj{i}')(x)))
        return tuple(outs)

    def get_layer_depth(self, param_name: str, prefix: str = '',
                        decay_type: str = 'layer_wise') -> Tuple[int, int]:
        """Layer id of a parameter for lr decay.

        - ``layer_wise``: stem 0, blocks 1..sum(depths) (a downsampling goes with the first
          block after it), output layers and non-backbone parameters last.
        - ``layer_wise_cab``: the official detection grouping (8 ids): stem, cross-token
          parameters and the first downsampling 0, stage-1 blocks 1, stage 2 2, stage-3
          blocks 3 + b // 3, stage 4 6, the rest 7.
        - ``stage_wise``: the official segmentation grouping (8 ids): stem, cross-token
          parameters and all downsamplings 0, stage k's blocks k + 1, the rest 7.

        Returns:
            tuple[int, int]: The layer id and the number of layers.
        """
        if decay_type == 'layer_wise':
            return super().get_layer_depth(param_name, prefix, decay_type)
        if decay_type not in ('layer_wise_cab', 'stage_wise'):
            raise ValueError(f'FcaFormer has no decay_type {decay_type!r}')
        num_layers = 8
        if not param_name.startswith(prefix):
            return num_layers - 1, num_layers
        name = param_name[len(prefix):].split('.')
        if name[0] == 'patch_embed':
            return 0, num_layers
        if name[-1] in ('s_scale_factors', 's_token_bias'):
            return 0, num_layers
        if name[0] not in ('stages', 'downsample_layers'):
            return num_layers - 1, num_layers
        stage = int(name[1])
        if name[0] == 'downsample_layers':
            return ((0, 2, 3)[stage] if decay_type == 'layer_wise_cab' else 0), num_layers
        block = int(name[2])
        return ((1, 2, 3 + block // 3, 6)[stage] if decay_type == 'layer_wise_cab' else
                stage + 1), num_layers


@MODELS.register_module()
class FcaFormerPlain(HybridBackbone):
    """FcaFormer-L0: DeiT-Tiny with forward cross attention, for classification.

    **Our design**: the paper reports a plain FcaFormer (5.9M params, 74.3% top-1) but no code
    was published. This is DeiT-Tiny (patch 16, width 192, 12 blocks, 3 heads, class token,
    absolute position embedding, LayerNorm eps 1e-6) whose blocks are FcaBlocks on the 14x14
    patch grid: each block also attends to the 16 cross tokens of every earlier block (TME
    merge conv, LSFs, own norm and logit bias); the class token bypasses the TME convs and
    gets zero position bias. Layer scales start at 1.0, as DeiT has none. 5,870,968 params.
    One stage: ``stages.0`` holds the blocks.

    Paper: https://arxiv.org/abs/2211.07198.

    Args:
        arch (str | dict): ``'l0'`` or a dict with the keys of :attr:`arch_zoo` entries.
        in_channels (int): Input channels.
        img_size (int): Input size the position embedding and the grid are built for.
        out_indices (int | Sequence[int], optional): ``(0, )`` or None (the one stage).
        out_type (str): ``'cls_token'`` (the normed class token, (B, C)) or ``'featmap'``
            (the normed patch tokens as an NCHW map).
        frozen_stages (int): -1 nothing, 0 the embeddings, 1 everything but the final norm.
        drop_path_rate (float): Stochastic depth, linear over the blocks from 0.
        layer_scale_init_value (float): Initial layer scales.
        with_cp (bool): Gradient checkpointing per block.
        init_cfg (dict, optional): Initialisation config.
    """

    arch_zoo: Dict[str, dict] = {
        'l0': dict(embed_dims=192, depth=12, num_heads=3, patch_size=16),
    }
    num_stages = 1
    out_types = ('cls_token', 'featmap')

    def __init__(self,
                 arch: Union[str, dict] = 'l0',
                 in_channels: int = 3,
                 img_size: int = 224,
                 out_indices: Optional[Union[int, Sequence[int]]] = None,
                 out_type: str = 'cls_token',
                 frozen_stages: int = -1,
                 drop_path_rate: float = 0.1,
                 layer_scale_init_value: float = 1.0,
                 with_cp: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch = parse_arch(self, arch)
        self._setup_outputs(out_indices, out_type, frozen_stages, False, with_cp)
        dim, depth, patch = self.arch['embed_dims'], self.arch['depth'], self.arch['patch_size']
        if img_size % patch:
            raise ValueError(f'img_size {img_size} must be a multiple of the patch size {patch}')
        self.grid = img_size // patch
        self.depths = [depth]
        self.embed_dims = [dim]
        self.patch_embed = nn.Conv2d(in_channels, dim, patch, stride=patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.grid**2 + 1, dim))
        dpr = torch.linspace(0, drop_path_rate, depth).tolist()
        self.stages = nn.ModuleList([nn.ModuleList(
            FcaBlock(dim, num_heads=self.arch['num_heads'], window_size=self.grid, index=j,
                     depth=depth, drop_path=dpr[j],
                     layer_scale_init_value=layer_scale_init_value, norm_eps=1e-6,
                     num_prefix_tokens=1)
            for j in range(depth))])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.out_channels = [dim]
        self._freeze_stages()

    def _init_from_scratch(self) -> None:
        """DeiT's init: trunc-normal(0.02) weights, zero biases, position embedding and token."""
        trunc_normal_init(self)
        trunc_normal_(self.pos_embed, std=0.02)
        trunc_normal_(self.cls_token, std=0.02)

    def _stage_extras(self, i: int) -> List[nn.Parameter]:
        return [self.cls_token, self.pos_embed] if i < 0 else []

    def _output_layers(self, i: int) -> List[nn.Module]:
        return []  # the final norm stays trainable, as mmpretrain's ViT

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = self.patch_embed(x)
        if x.shape[-2:] != (self.grid, self.grid):
            raise ValueError(f'FcaFormer-L0 is built for a {self.grid}x{self.grid} patch grid '
                             f'(img_size), got {tuple(x.shape[-2:])}')
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x.flatten(2).transpose(1, 2)],
                      dim=1) + self.pos_embed
        cross: List[torch.Tensor] = []
        for block in self.stages[0]:
            x, s_new = self._run_block(block, x, torch.cat(cross, dim=1) if cross else None,
                                       (self.grid, self.grid))
            if s_new is not None:
                cross.append(s_new)
        x = self.norm(x)
        if self.out_type == 'cls_token':
            return (x[:, 0], )
        return (x[:, 1:].transpose(1, 2).reshape(x.shape[0], -1, self.grid, self.grid), )

    def _locate(self, name: List[str]) -> Optional[Tuple[int, int]]:
        if name[0] in ('cls_token', 'pos_embed'):
            return -1, 0
        return super()._locate(name)


# Official checkpoints -> mmhybrid keys (used by init_cfg Pretrained and the converter tools).
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
        return f'stages.{stage}.{block}.{rest if stage < 2 else _conv_bn(rest)}'
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


def convert_fcaformer(state_dict: StateDict, prefix: str = 'backbone.') -> StateDict:
    """Convert an official FcaFormer state dict to mmhybrid's full-model layout.

    Backbone keys go under ``prefix`` (bare official keys) or stay under ``backbone.``; the
    ImageNet ``head`` becomes the ``head.fc`` of an mmpretrain ``LinearClsHead``; other keys
    pass through. A state dict already in mmhybrid's layout is returned unchanged.

    Raises:
        KeyError: for official backbone keys with no known counterpart.
    """
    return convert_official(state_dict, 'FcaFormer', _OFFICIAL, _BACKBONE_TOP, _map_backbone_key,
                            map_linear_head, prefix)
