"""HLG Transformer: hierarchical local-global attention (window attention, alternately on
contiguous and dilated windows, plus attention from every token to one pooled token per
window), with a convolutional FFN first in each block and dynamic position biases.

The official code (fudan-zvg/SETR, ``hlg`` branches) does not run as released; this follows
the resolved version of ``../shared/specs/setr_hlg.md`` section 3. Where the code is
inconsistent we chose, and say so in the docstrings: the global position bias is a dynamic
position bias of the offset between a token and its window's centre (in window units), and the
dilated windows are configurable (``dilation``).
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint as cp
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from torch.nn.modules.batchnorm import _BatchNorm

from mmhybrid.registry import MODELS
from ..layers import LayerNorm2d
from ..utils import parse_arch, parse_out_indices
from .base import HybridBackbone


def _conv_bn(cin: int, cout: int, k: int, stride: int = 1, groups: int = 1,
             act: bool = True, bias: bool = True) -> nn.Sequential:
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=bias),
              nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.GELU())
    return nn.Sequential(*layers)


class DynamicPosBias(BaseModule):
    """CrossFormer's dynamic position bias: an MLP from a 2-d offset to one bias per head.

    Linear(2, d) -> 2 x [LN, ReLU, Linear(d, d)] -> LN, ReLU, Linear(d, heads), d = dim // 16.

    Args:
        dim (int): Block width (the MLP width is dim // 16, at least 1).
        num_heads (int): Heads.
    """

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        d = max(dim // 16, 1)
        self.pos_proj = nn.Linear(2, d)
        self.pos1 = nn.Sequential(nn.LayerNorm(d), nn.ReLU(inplace=True), nn.Linear(d, d))
        self.pos2 = nn.Sequential(nn.LayerNorm(d), nn.ReLU(inplace=True), nn.Linear(d, d))
        self.pos3 = nn.Sequential(nn.LayerNorm(d), nn.ReLU(inplace=True), nn.Linear(d, num_heads))

    def forward(self, offsets: torch.Tensor) -> torch.Tensor:
        """(..., 2) offsets -> (..., heads) biases."""
        return self.pos3(self.pos2(self.pos1(self.pos_proj(offsets))))


class WindowPartition:
    """Contiguous or dilated window partition of NCHW maps (shared by the backbone's and the
    SETR-HLG head's layers). Users set ``window``, ``dilated``, ``dilation``, ``interval``."""

    window: int
    dilated: bool
    dilation: str
    interval: int

    def pad_unit(self) -> int:
        return self.interval if self.dilated and self.dilation == 'interval' else self.window

    def layout(self, Hp: int, Wp: int) -> Tuple[int, int, int, int]:
        """(windows along H, along W, window height, window width)."""
        if self.dilated and self.dilation == 'interval':
            return self.interval, self.interval, Hp // self.interval, Wp // self.interval
        return Hp // self.window, Wp // self.window, self.window, self.window

    def partition(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, Hp, Wp) -> (B * nW, wh * ww, C)."""
        B, C, Hp, Wp = x.shape
        nh, nw, wh, ww = self.layout(Hp, Wp)
        if self.dilated:  # token (i, j) of window (a, b) sits at (i * nh + a, j * nw + b)
            x = x.view(B, C, wh, nh, ww, nw).permute(0, 3, 5, 2, 4, 1)
        else:
            x = x.view(B, C, nh, wh, nw, ww).permute(0, 2, 4, 3, 5, 1)
        return x.reshape(B * nh * nw, wh * ww, C)

    def unpartition(self, t: torch.Tensor, B: int, Hp: int, Wp: int) -> torch.Tensor:
        nh, nw, wh, ww = self.layout(Hp, Wp)
        t = t.view(B, nh, nw, wh, ww, -1)
        if self.dilated:
            t = t.permute(0, 5, 3, 1, 4, 2)
        else:
            t = t.permute(0, 5, 1, 3, 2, 4)
        return t.reshape(B, -1, Hp, Wp)


class LocalGlobalAttention(WindowPartition, BaseModule):
    """Window attention (keys tied to queries, no output projection) followed by attention
    from every token to one LN'd, mean-pooled token per window; both use dynamic position
    biases, and the global queries are refined by a depthwise 3x3 conv of the local output.

    Args:
        dim (int): Channels C (heads = C / 32).
        num_heads (int): Heads.
        window (int): Window side R.
        dilated (bool): Partition into dilated windows (tokens strided across the map).
        dilation (str): ``'grid'``: R x R windows with stride Hp / R (the official code);
            ``'interval'``: stride ``interval`` (CrossFormer's LDA), windows of
            (Hp / interval) x (Wp / interval) tokens. Equal at 224.
        interval (int): The LDA stride of this stage.
    """

    def __init__(self, dim: int, num_heads: int, window: int, dilated: bool,
                 dilation: str = 'grid', interval: int = 1) -> None:
        super().__init__()
        self.num_heads, self.window, self.dilated = num_heads, window, dilated
        self.dilation, self.interval = dilation, interval
        self.smooth = nn.Sequential(
            _conv_bn(dim, dim // 4, 1), _conv_bn(dim // 4, dim // 4, 3),
            _conv_bn(dim // 4, dim, 1, act=False))
        self.norm0 = nn.LayerNorm(dim, eps=1e-6)
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.proj = nn.Linear(dim, dim)
        self.norm_global = nn.LayerNorm(dim, eps=1e-6)
        self.norm1 = LayerNorm2d(dim)
        self.aux_q = nn.Conv2d(dim, dim, 3, padding=1, groups=dim)
        self.pos_local = DynamicPosBias(dim, num_heads)
        self.pos_global = DynamicPosBias(dim, num_heads)
        self._bias_cache: Dict[tuple, torch.Tensor] = {}

    @staticmethod
    def _table_bias(dpb: DynamicPosBias, dy: torch.Tensor, dx: torch.Tensor,
                    iy: torch.Tensor, ix: torch.Tensor) -> torch.Tensor:
        """The DPB of every offset (dy_i, dx_j) once, gathered at index pairs (iy, ix)
        broadcast to (P, Q): returns (heads, P, Q)."""
        table = dpb(torch.stack(torch.meshgrid(dy, dx, indexing='ij'), -1))
        index = iy * dx.numel() + ix
        return table.flatten(0, 1)[index].permute(2, 0, 1)

    def _biases(self, Hp: int, Wp: int, device) -> Tuple[torch.Tensor, torch.Tensor]:
        """Local (heads, n, n) and global (heads, Hp*Wp, nW) biases, cached for inference.

        Local: the DPB of the offset between two tokens of a window (in window
        coordinates). Global: the DPB of the offset from a token to a window's centre,
        divided by the window side.
        """
        key = (Hp, Wp, device)
        # Cached only for inference: under autograd (training, Grad-CAM, checkpointing) the
        # biases must stay part of the graph.
        cache = not self.training and not torch.is_grad_enabled()
        if cache and key in self._bias_cache:
            return self._bias_cache[key]
        nh, nw, wh, ww = self.layout(Hp, Wp)
        arange = lambda n: torch.arange(n, device=device)  # noqa: E731
        # Local: offsets i - i' in [-(wh - 1), wh - 1].
        iy = (arange(wh)[:, None] - arange(wh)[None] + wh - 1)
        ix = (arange(ww)[:, None] - arange(ww)[None] + ww - 1)
        local = self._table_bias(
            self.pos_local, arange(2 * wh - 1).float() - (wh - 1),
            arange(2 * ww - 1).float() - (ww - 1),
            iy[:, None, :, None].expand(wh, ww, wh, ww).reshape(wh * ww, wh * ww),
            ix[None, :, None, :].expand(wh, ww, wh, ww).reshape(wh * ww, wh * ww))
        # Global: a window's tokens start at anchor a * step and its centre lies `centre`
        # further; token p's offset is (p - anchor) - centre, (p - anchor) an integer.
        scale = float(max(wh, ww))
        axes = []
        for size, n, w in ((Hp, nh, wh), (Wp, nw, ww)):
            step = 1 if self.dilated else w
            centre = (w - 1) / 2 * (n if self.dilated else 1)
            low = -(n - 1) * step
            rel = arange(size)[:, None] - arange(n)[None] * step - low  # (size, n) >= 0
            axes.append(((arange(size - low).float() + low - centre) / scale, rel))
        (dy, ry), (dx, rx) = axes
        glob = self._table_bias(
            self.pos_global, dy, dx,
            ry[:, None, :, None].expand(Hp, Wp, nh, nw).reshape(Hp * Wp, nh * nw),
            rx[None, :, None, :].expand(Hp, Wp, nh, nw).reshape(Hp * Wp, nh * nw))
        if cache:
            self._bias_cache[key] = (local, glob)
        return local, glob

    def train(self, mode: bool = True) -> 'LocalGlobalAttention':
        self._bias_cache.clear()
        return super().train(mode)

    def _heads(self, t: torch.Tensor) -> torch.Tensor:
        return t.view(t.shape[0], t.shape[1], self.num_heads, -1).transpose(1, 2)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """(B, C, H, W) -> (h, global attention output), both (B, C, H, W)."""
        B, C, H, W = x.shape
        unit = self.pad_unit()
        x = F.pad(x, (0, -W % unit, 0, -H % unit))
        Hp, Wp = x.shape[2:]
        h = F.gelu(x + self.smooth(x))
        local_bias, global_bias = self._biases(Hp, Wp, x.device)
        win = self.partition(h)
        normed = self.norm0(win)
        q, v = self._heads(self.q(normed)), self._heads(self.v(normed))
        local = F.scaled_dot_product_attention(q, q, v, attn_mask=local_bias)
        local = local.transpose(1, 2).reshape(win.shape)
        win = win + local
        pooled = self.norm_global(win.mean(1).view(B, -1, C))  # one token per window
        h = self.unpartition(win, B, Hp, Wp)
        q_map = self.unpartition(q.transpose(1, 2).reshape(win.shape), B, Hp, Wp)
        local_map = self.unpartition(local, B, Hp, Wp)
        q_global = (q_map + self.aux_q(self.norm1(local_map))).flatten(2).transpose(1, 2)
        out = F.scaled_dot_product_attention(
            self._heads(q_global), self._heads(self.k(pooled)), self._heads(self.v(pooled)),
            attn_mask=global_bias)
        out = self.proj(out.transpose(1, 2).reshape(B, Hp * Wp, C))
        out = out.transpose(1, 2).reshape(B, C, Hp, Wp)
        return h[:, :, :H, :W], out[:, :, :H, :W]


class GlobalAttention(BaseModule):
    """Stage 4: plain multi-head self-attention over all tokens (qkv and output projections).

    Args:
        dim (int): Channels.
        num_heads (int): Heads.
    """

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, C, H, W = x.shape
        t = x.flatten(2).transpose(1, 2)
        q, k, v = (lin(t).view(B, -1, self.num_heads, C // self.num_heads).transpose(1, 2)
                   for lin in (self.q, self.k, self.v))
        out = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(B, -1, C)
        return self.proj(out).transpose(1, 2).reshape(B, C, H, W)


class HLGBlock(BaseModule):
    """One HLG layer: the conv FFN first (post-norm), then local-global or global attention.

    ``x = down(x) + DropPath(LN2(DWMlp(x)))``; stages 1-3:
    ``x = h + DropPath(global attention)`` (h: the smoothed map after local attention);
    stage 4: ``x = x + DropPath(LN1(MHSA(x)))``.

    Args:
        in_dim (int): Input channels Ci (the DWMlp hidden width is 4 * Ci).
        dim (int): Output channels C.
        num_heads (int): Heads.
        downsample (bool): First block of a stage: stride 2 in the FFN's depthwise conv and a
            3x3/2 grouped conv + BN + GELU on the shortcut.
        window (int): Window side R; 0 for plain global attention (stage 4).
        dilated (bool): Dilated windows (odd layers).
        dilation (str): See :class:`LocalGlobalAttention`.
        interval (int): The LDA stride of this stage.
        drop_path (float): Stochastic depth.
    """

    def __init__(self, in_dim: int, dim: int, num_heads: int, downsample: bool, window: int,
                 dilated: bool, dilation: str, interval: int, drop_path: float) -> None:
        super().__init__()
        stride = 2 if downsample else 1
        hidden = 4 * in_dim
        self.down = _conv_bn(in_dim, dim, 3, 2, groups=in_dim) if downsample else nn.Identity()
        self.mlp = nn.Sequential(
            _conv_bn(in_dim, hidden, 1), _conv_bn(hidden, hidden, 3, stride, groups=hidden),
            nn.Conv2d(hidden, dim, 1))
        self.norm2 = LayerNorm2d(dim)
        if window:
            self.attn = LocalGlobalAttention(dim, num_heads, window, dilated, dilation,
                                             interval)
        else:
            self.attn = GlobalAttention(dim, num_heads)
            self.norm1 = LayerNorm2d(dim)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.down(x) + self.drop_path(self.norm2(self.mlp(x)))
        if isinstance(self.attn, GlobalAttention):
            return x + self.drop_path(self.norm1(self.attn(x)))
        h, out = self.attn(x)
        return h + self.drop_path(out)


@MODELS.register_module()
class HLG(HybridBackbone):
    """HLG Transformer backbone (tiny / small / medium / large).

    Paper: "HLG: Hierarchical Local-Global Transformer", Fudan ZVG (code:
    https://github.com/fudan-zvg/SETR, ``hlg`` branch; no runnable release, no weights). A
    two-conv stem (stride 2), then four stages whose first block downsamples by 2 (strides
    4 / 8 / 16 / 32); each stage's output goes through a LayerNorm ``norm{i}`` and feeds the
    next stage.

    Args:
        arch (str | dict): ``'t'``, ``'s'``, ``'m'``, ``'l'`` or a dict with ``embed_dims``,
            ``depths``, ``num_heads`` (per stage) and optionally ``window`` (7) and
            ``intervals`` ([8, 4, 2, 1]).
        in_channels (int): Input channels.
        out_indices (int | Sequence[int]): Stages (0-3) to return as NCHW maps.
        dilation (str): ``'grid'`` or ``'interval'`` dilated windows (equal at 224).
        frozen_stages (int): -1 freezes nothing, 0 the stem, k the stem and stages 1..k.
        norm_eval (bool): Keep BatchNorms in eval mode during training.
        drop_path_rate (float): Stochastic depth, linear over all blocks from 0.
        with_cp (bool): Gradient checkpointing per block.
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=...)``.
    """

    arch_zoo: Dict[str, dict] = {
        't': dict(embed_dims=[64, 128, 256, 512], depths=[2, 2, 6, 2], num_heads=[2, 4, 8, 16]),
        's': dict(embed_dims=[96, 192, 384, 768], depths=[2, 2, 6, 2], num_heads=[3, 6, 12, 24]),
        'm': dict(embed_dims=[96, 192, 384, 768], depths=[2, 2, 16, 2],
                  num_heads=[3, 6, 12, 24]),
        'l': dict(embed_dims=[128, 256, 512, 1024], depths=[2, 2, 18, 2],
                  num_heads=[4, 8, 16, 32]),
    }
    arch_defaults = dict(window=7, intervals=[8, 4, 2, 1])
    per_stage_keys = ('embed_dims', 'depths', 'num_heads', 'intervals')
    num_stages = 4

    def __init__(self,
                 arch: Union[str, dict] = 's',
                 in_channels: int = 3,
                 out_indices: Union[int, Sequence[int]] = (0, 1, 2, 3),
                 dilation: str = 'grid',
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 drop_path_rate: float = 0.,
                 with_cp: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch = parse_arch(self, arch)
        if dilation not in ('grid', 'interval'):
            raise ValueError(f"dilation must be 'grid' or 'interval', got {dilation!r}")
        self.frozen_stages = self._check_frozen_stages(frozen_stages)
        self.norm_eval, self.with_cp = norm_eval, with_cp
        self.out_indices = parse_out_indices(out_indices, self.num_stages)
        dims, self.depths = self.arch['embed_dims'], self.arch['depths']
        self.embed_dims = dims
        self.patch_embed = nn.Sequential(
            _conv_bn(in_channels, dims[0], 3, 2, bias=False), _conv_bn(dims[0], dims[0], 3,
                                                                        bias=False))
        dpr = torch.linspace(0, drop_path_rate, sum(self.depths)).tolist()
        self.stages = nn.ModuleList()
        for i, depth in enumerate(self.depths):
            last = i == self.num_stages - 1
            self.stages.append(nn.Sequential(*[
                HLGBlock(dims[max(i - 1, 0)] if j == 0 else dims[i], dims[i],
                         self.arch['num_heads'][i], j == 0, 0 if last else self.arch['window'],
                         j % 2 == 1, dilation, self.arch['intervals'][i],
                         dpr[sum(self.depths[:i]) + j]) for j in range(depth)
            ]))
            self.add_module(f'norm{i}', LayerNorm2d(dims[i]))
        self.out_channels = [dims[i] for i in self.out_indices]
        self._freeze_stages()

    def _converter(self):
        """No official weights exist: Pretrained loads mmhybrid checkpoints as they are."""
        return lambda state: state

    def _init_from_scratch(self) -> None:
        """trunc-normal(0.02) linears, zero biases, unit norms (the official init)."""
        for m in self.modules():
            if isinstance(m, nn.Linear):
                trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.LayerNorm, _BatchNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def _frozen_parts(self) -> List[nn.Module]:
        parts = [self.patch_embed] if self.frozen_stages >= 0 else []
        for i in range(self.frozen_stages):
            parts += [self.stages[i], getattr(self, f'norm{i}')]
        return parts

    def get_layer_depth(self, param_name: str, prefix: str = '',
                        decay_type: str = 'layer_wise') -> Tuple[int, int]:
        """Layer id for lr decay (see :meth:`HybridBackbone._staged_layer_depth`); a stage's
        output norm goes with its last block."""

        def locate(name: List[str]) -> Optional[Tuple[int, int]]:
            if name[0] == 'patch_embed':
                return -1, 0
            if name[0] == 'stages':
                return int(name[1]), int(name[2])
            if name[0].startswith('norm') and name[0][4:].isdigit():
                stage = int(name[0][4:])
                return stage, self.depths[stage] - 1
            return None

        return self._staged_layer_depth(param_name, prefix, decay_type, self.depths, locate)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.patch_embed(x)
        outs = []
        for i, stage in enumerate(self.stages):
            for block in stage:
                if self.with_cp and x.requires_grad:
                    x = cp.checkpoint(block, x, use_reentrant=False)
                else:
                    x = block(x)
            x = getattr(self, f'norm{i}')(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
