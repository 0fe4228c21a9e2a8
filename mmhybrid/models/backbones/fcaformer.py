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
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint as cp
from mmcv.cnn import ConvModule
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from torch.nn.modules.batchnorm import _BatchNorm

from mmhybrid.registry import MODELS
from ..layers import LayerNorm2d
from ..utils import parse_arch, parse_out_indices
from ..utils.convert import StateDict, convert_official
from .base import HybridBackbone

GELU = dict(type='GELU')
BN = dict(type='BN')


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
        self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, 4 * dim)
        self.act = nn.GELU()
        self.pwconv2 = nn.Linear(4 * dim, dim)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.norm(self.dwconv(x).permute(0, 2, 3, 1))
        y = self.gamma * self.pwconv2(self.act(self.pwconv1(y)))
        return x + self.drop_path(y.permute(0, 3, 1, 2))


class PatchMerging(BaseModule):
    """Downsampling: 1x1 conv-BN, GELU, DW 3x3 stride-2 conv-BN, GELU, 1x1 conv-BN.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv1 = ConvModule(in_channels, out_channels, 1, norm_cfg=BN, act_cfg=GELU)
        self.conv2 = ConvModule(out_channels, out_channels, 3, stride=2, padding=1,
                                groups=out_channels, norm_cfg=BN, act_cfg=GELU)
        self.conv3 = ConvModule(out_channels, out_channels, 1, norm_cfg=BN, act_cfg=None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv3(self.conv2(self.conv1(x)))


class FcaMlp(BaseModule):
    """The FFN of an FcaBlock: LayerNorm, fc1, GELU, fc2."""

    def __init__(self, dim: int, hidden_dim: int, norm_eps: float = 1e-5) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim, eps=norm_eps)
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(self.norm(x))))


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
        if index < depth - 1:
            self.dw_conv = nn.Conv2d(dim, dim, 7, stride=4, padding=3, groups=dim, bias=False)
        if index > 0:
            self.s_norm = nn.LayerNorm(dim, eps=norm_eps)
        self.norm1 = nn.LayerNorm(dim, eps=norm_eps)
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        self.local_conv = ConvModule(dim, dim, 3, padding=1, groups=dim, norm_cfg=BN,
                                     act_cfg=None)
        self.norm2 = nn.LayerNorm(dim, eps=norm_eps)
        self.mlp = FcaMlp(dim, 4 * dim, norm_eps)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()

    def _heads(self, x: torch.Tensor, parts: int) -> Tuple[torch.Tensor, ...]:
        B, N, _ = x.shape
        return x.reshape(B, N, parts, self.num_heads, -1).permute(2, 0, 3, 1, 4).unbind(0)

    def forward(self, x: torch.Tensor, s: Optional[torch.Tensor], hw: Tuple[int, int]
                ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        B, N, C = x.shape
        p = self.num_prefix_tokens
        q, k, v = self._heads(self.qkv(self.norm1(x)), 3)
        bias = F.pad(self.attention_biases[:, self.attention_bias_idxs], (p, 0, p, 0))
        bias = bias.unsqueeze(0)
        if s is not None:
            # Cross tokens: LSF, own norm, the shared K/V projection, own logit bias.
            sn = self.s_norm(s * self.s_scale_factors)
            k_s, v_s = self._heads(F.linear(sn, self.qkv.weight[C:], self.qkv.bias[C:]), 2)
            k, v = torch.cat([k, k_s], dim=2), torch.cat([v, v_s], dim=2)
            bias = torch.cat([bias, self.s_token_bias.expand(-1, -1, N, -1)], dim=-1)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias.to(q.dtype))
        x = x + self.drop_path(self.gamma_1 * self.proj(out.transpose(1, 2).reshape(B, N, C)))
        grid = x[:, p:].transpose(1, 2).reshape(B, C, *hw)
        s_new = self.dw_conv(grid).flatten(2).transpose(1, 2) if hasattr(self, 'dw_conv') \
            else None
        # The TME enhance conv replaces the grid tokens (no residual).
        x = torch.cat([x[:, :p], self.local_conv(grid).flatten(2).transpose(1, 2)], dim=1)
        x = x + self.drop_path(self.gamma_2 * self.mlp(self.norm2(x)))
        return x, s_new


class FcaStage(BaseModule):
    """FcaBlocks over non-overlapping windows of an NCHW map, with the official padding.

    Maps are zero-padded to whole windows, at the top/left for even blocks and at the
    bottom/right for odd ones; cross tokens pass between blocks window by window.

    Args:
        blocks (list[FcaBlock]): The stage's blocks.
        window_size (int): Window side.
        with_cp (bool): Gradient checkpointing per block.
    """

    def __init__(self, blocks: List[FcaBlock], window_size: int, with_cp: bool = False):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)
        self.window_size = window_size
        self.with_cp = with_cp

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, C, H, W = x.shape
        ws = self.window_size
        hn, wn = math.ceil(H / ws), math.ceil(W / ws)
        pad_h, pad_w = hn * ws - H, wn * ws - W
        cross: List[torch.Tensor] = []
        for i, block in enumerate(self.blocks):
            pad = (pad_w, 0, pad_h, 0) if i % 2 == 0 else (0, pad_w, 0, pad_h)
            xp = F.pad(x, pad) if pad_h or pad_w else x
            windows = xp.reshape(B, C, hn, ws, wn, ws).permute(0, 2, 4, 3, 5, 1)
            windows = windows.reshape(B * hn * wn, ws * ws, C)
            s = torch.cat(cross, dim=1) if cross else None
            if self.with_cp and windows.requires_grad:
                windows, s_new = cp.checkpoint(block, windows, s, (ws, ws), use_reentrant=False)
            else:
                windows, s_new = block(windows, s, (ws, ws))
            if s_new is not None:
                cross.append(s_new)
            xp = windows.reshape(B, hn, wn, ws, ws, C).permute(0, 5, 1, 3, 2, 4)
            xp = xp.reshape(B, C, hn * ws, wn * ws)
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
        out_indices (int | Sequence[int]): Stages (0-3) to return.
        gap_before_final_norm (bool): Classification output: the last stage's token mean
            through ``norm_head`` (LayerNorm, eps 1e-5) as a (B, C) tensor, as the official
            classifier computes it. Otherwise each output is an NCHW map after ``proj{i}``
            (1x1 conv to ``arch['out_channels'][i]``) and ``norm{i}`` (channels-first
            LayerNorm, eps 1e-6), as the official dense backbone does.
        frozen_stages (int): -1 freezes nothing, 0 the stem, k the stem and stages 1..k
            (with the downsamplings before them and their output layers).
        norm_eval (bool): Keep BatchNorms in eval mode during training.
        drop_path_rate (float): Stochastic depth, linear over all blocks from 0.
        layer_scale_init_value (float): Initial layer scales.
        with_cp (bool): Gradient checkpointing per attention block.
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
    arch_defaults = dict(window_sizes=[14, 7])
    num_stages = 4
    # num_heads and window_sizes have one entry per attention stage (3 and 4).
    per_stage_keys = ('embed_dims', 'depths', 'out_channels')

    def __init__(self,
                 arch: Union[str, dict] = 'l2',
                 in_channels: int = 3,
                 out_indices: Union[int, Sequence[int]] = (0, 1, 2, 3),
                 gap_before_final_norm: bool = False,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 drop_path_rate: float = 0.,
                 layer_scale_init_value: float = 1e-6,
                 with_cp: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch = parse_arch(self, arch)
        if len(self.arch['num_heads']) != 2 or len(self.arch['window_sizes']) != 2:
            raise ValueError('FcaFormer num_heads and window_sizes have one entry per '
                             'attention stage (stages 3 and 4)')
        self.frozen_stages = self._check_frozen_stages(frozen_stages)
        self.out_indices = parse_out_indices(out_indices, self.num_stages)
        if gap_before_final_norm and self.out_indices != [self.num_stages - 1]:
            raise ValueError('gap_before_final_norm (classification) returns the last stage '
                             'only: set out_indices=(3, )')
        self.gap_before_final_norm = gap_before_final_norm
        self.norm_eval = norm_eval
        dims = self.embed_dims = self.arch['embed_dims']
        depths = self.depths = self.arch['depths']

        self.patch_embed = nn.Sequential(
            ConvModule(in_channels, dims[0] // 2, 3, stride=2, padding=1, norm_cfg=BN,
                       act_cfg=GELU),
            ConvModule(dims[0] // 2, dims[0], 3, stride=2, padding=1, norm_cfg=BN,
                       act_cfg=None))
        dpr = torch.linspace(0, drop_path_rate, sum(depths)).tolist()
        self.stages = nn.ModuleList()
        for i in range(self.num_stages):
            rates = dpr[sum(depths[:i]):sum(depths[:i + 1])]
            if i < 2:
                self.stages.append(nn.Sequential(*[
                    ConvNeXtBlock(dims[i], rate, layer_scale_init_value) for rate in rates]))
            else:
                ws = self.arch['window_sizes'][i - 2]
                blocks = [
                    FcaBlock(dims[i], self.arch['num_heads'][i - 2], ws, j, depths[i], rate,
                             layer_scale_init_value) for j, rate in enumerate(rates)
                ]
                self.stages.append(FcaStage(blocks, ws, with_cp))
        self.downsample_layers = nn.ModuleList(
            PatchMerging(dims[i], dims[i + 1]) for i in range(self.num_stages - 1))
        if gap_before_final_norm:
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
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                trunc_normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.LayerNorm, LayerNorm2d, _BatchNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.patch_embed(x)
        outs = []
        for i, stage in enumerate(self.stages):
            if i > 0:
                x = self.downsample_layers[i - 1](x)
            x = stage(x)
            if i not in self.out_indices:
                continue
            if self.gap_before_final_norm:
                outs.append(self.norm_head(x.mean(dim=(2, 3))))
            else:
                outs.append(getattr(self, f'norm{i}')(getattr(self, f'proj{i}')(x)))
        return tuple(outs)

    def _frozen_parts(self) -> List[nn.Module]:
        parts = [self.patch_embed] if self.frozen_stages >= 0 else []
        for i in range(self.frozen_stages):
            parts.append(self.stages[i])
            if i > 0:
                parts.append(self.downsample_layers[i - 1])
            parts += [getattr(self, n) for n in (f'proj{i}', f'norm{i}') if hasattr(self, n)]
        return parts

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
        if decay_type not in ('layer_wise', 'layer_wise_cab', 'stage_wise'):
            raise ValueError(f'FcaFormer has no decay_type {decay_type!r}')
        num_layers = sum(self.depths) + 2 if decay_type == 'layer_wise' else 8
        if not param_name.startswith(prefix):
            return num_layers - 1, num_layers
        name = param_name[len(prefix):].split('.')
        if name[0] == 'patch_embed':
            return 0, num_layers
        if decay_type != 'layer_wise' and name[-1] in ('s_scale_factors', 's_token_bias'):
            return 0, num_layers
        if name[0] not in ('stages', 'downsample_layers'):
            return num_layers - 1, num_layers
        stage = int(name[1])
        if name[0] == 'downsample_layers':
            return {
                'layer_wise': sum(self.depths[:stage + 1]) + 1,
                'layer_wise_cab': (0, 2, 3)[stage],
                'stage_wise': 0,
            }[decay_type], num_layers
        block = int(name[3] if stage >= 2 else name[2])  # stages.k.blocks.j / stages.k.j
        return {
            'layer_wise': sum(self.depths[:stage]) + block + 1,
            'layer_wise_cab': (1, 2, 3 + block // 3, 6)[stage],
            'stage_wise': stage + 1,
        }[decay_type], num_layers


@MODELS.register_module()
class FcaFormerPlain(BaseModule):
    """FcaFormer-L0: DeiT-Tiny with forward cross attention, for classification.

    **Our design**: the paper reports a plain FcaFormer (5.9M params, 74.3% top-1) but no code
    was published. This is DeiT-Tiny (patch 16, width 192, 12 blocks, 3 heads, class token,
    absolute position embedding, LayerNorm eps 1e-6) whose blocks are FcaBlocks on the 14x14
    patch grid: each block also attends to the 16 cross tokens of every earlier block (TME
    merge conv, LSFs, own norm and logit bias); the class token bypasses the TME convs and
    gets zero position bias. Layer scales start at 1.0, as DeiT has none. 5,870,968 params.

    Paper: https://arxiv.org/abs/2211.07198.

    Args:
        arch (str | dict): ``'l0'`` or a dict with the keys of :attr:`arch_zoo` entries.
        in_channels (int): Input channels.
        img_size (int): Input size the position embedding and the grid are built for.
        drop_path_rate (float): Stochastic depth, linear over the blocks from 0.
        layer_scale_init_value (float): Initial layer scales.
        init_cfg (dict, optional): Initialisation config.
    """

    arch_zoo: Dict[str, dict] = {
        'l0': dict(embed_dims=192, depth=12, num_heads=3, patch_size=16),
    }

    def __init__(self,
                 arch: Union[str, dict] = 'l0',
                 in_channels: int = 3,
                 img_size: int = 224,
                 drop_path_rate: float = 0.1,
                 layer_scale_init_value: float = 1.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch = parse_arch(self, arch)
        dim, depth, patch = self.arch['embed_dims'], self.arch['depth'], self.arch['patch_size']
        if img_size % patch:
            raise ValueError(f'img_size {img_size} must be a multiple of the patch size {patch}')
        self.grid = img_size // patch
        self.depth = depth
        self.patch_embed = nn.Conv2d(in_channels, dim, patch, stride=patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.grid**2 + 1, dim))
        dpr = torch.linspace(0, drop_path_rate, depth).tolist()
        self.blocks = nn.ModuleList(
            FcaBlock(dim, self.arch['num_heads'], self.grid, j, depth, dpr[j],
                     layer_scale_init_value, norm_eps=1e-6, num_prefix_tokens=1)
            for j in range(depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def init_weights(self) -> None:
        """DeiT's init: trunc-normal(0.02) weights, zero biases, position embedding and token."""
        super().init_weights()
        if self.init_cfg is not None and self.init_cfg.get('type') == 'Pretrained':
            return
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                trunc_normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        trunc_normal_(self.pos_embed, std=0.02)
        trunc_normal_(self.cls_token, std=0.02)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = self.patch_embed(x)
        if x.shape[-2:] != (self.grid, self.grid):
            raise ValueError(f'FcaFormer-L0 is built for a {self.grid}x{self.grid} patch grid '
                             f'(img_size), got {tuple(x.shape[-2:])}')
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x.flatten(2).transpose(1, 2)],
                      dim=1) + self.pos_embed
        cross: List[torch.Tensor] = []
        for block in self.blocks:
            x, s_new = block(x, torch.cat(cross, dim=1) if cross else None,
                             (self.grid, self.grid))
            if s_new is not None:
                cross.append(s_new)
        return (self.norm(x[:, 0]), )

    def get_layer_depth(self, param_name: str, prefix: str = '') -> Tuple[int, int]:
        """Layer id for lr decay: embeddings 0, block i i + 1, the rest ``depth + 1``."""
        num_layers = self.depth + 2
        if not param_name.startswith(prefix):
            return num_layers - 1, num_layers
        name = param_name[len(prefix):].split('.')
        if name[0] in ('patch_embed', 'cls_token', 'pos_embed'):
            return 0, num_layers
        if name[0] == 'blocks':
            return int(name[1]) + 1, num_layers
        return num_layers - 1, num_layers


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
