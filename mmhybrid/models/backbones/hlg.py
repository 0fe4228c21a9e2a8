"""HLG Transformer: hierarchical local-global attention (window attention, alternately on
contiguous and dilated windows, plus attention from every token to one pooled token per
window), with a convolutional FFN first in each block and dynamic position biases.

Follows the classification code of the released ImageNet checkpoints
(fudan-zvg/SETR ``hlg-classification/models/hlg.py`` with ``configs/hlg/hlg_*_224.yaml``):
module names inside a block, depths (Medium and Large 2-2-14-2), the DWMlp hidden width
(4 x the block's output width) and the position biases are that file's, so the released
weights convert key for key (:func:`convert_hlg` below). That file does not run
as released; where it is broken we resolved it as little as possible:

- ``HLGLayers.__init__`` never creates ``norm0``, ``h0_norm``, ``pos_local``, ``aux_q`` (and
  the parameter-free ``local_attn``) that ``forward`` uses: they are built as in the
  segmentation code (``mmseg/models/backbones/hlg.py``), in stages 1-3 only.
- ``H0_H1_METHOD: 'mean'`` (config.py) matches no branch of ``forward``: the window tokens are
  averaged, as in the segmentation code.
- Stage 4 calls the global attention with an undefined ``pdb_check``: it runs with the
  default ``group_size=(7, 7)``, i.e. a pairwise position bias over the 7 x 7 map, which we
  take over all pairs of the H x W map at other sizes.
- The global position bias: the code indexes a pairwise H x H table with the first nW
  columns, i.e. window m sits at row-major position m of the map; we keep exactly that
  (``W`` as the row length where H != W, which the code cannot run).
- Stage 1's output is reshaped to NCHW before stage 2, which then fails: it stays tokens.
- Dense inputs: maps are zero-padded to a multiple of 7 before the smoothing and windowing
  and cropped after (the segmentation code's rule); dilated windows keep the code's form (R x R
  tokens strided by Hp / R; ``dilation='interval'`` gives CrossFormer's fixed stride instead).
- The dense backbone (segmentation code) puts a LayerNorm after stages 1-3 that also feeds the
  next stage (``dense_norms=True``); the classifier has only the last one.
"""
import re
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule

from mmhybrid.registry import MODELS
from ..layers import DepthwiseConv2d, LayerNorm2d, Linear, WindowPartition, biased_attention
from ..utils import ParameterCache, parse_arch, parse_window_sizes, trunc_normal_init
from ..utils.convert import StateDict, convert_official, map_linear_head
from .base import HybridBackbone


def _conv_bn_gelu(cin: int, cout: int, stride: int = 1, groups: int = 1,
                  bias: bool = True) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, groups=groups, bias=bias),
                         nn.BatchNorm2d(cout), nn.GELU())


class DynamicPosBias(BaseModule):
    """CrossFormer's dynamic position bias: an MLP from a 2-d offset to one bias per head.

    Linear(2, d) -> [LN, ReLU, Linear(d, d)] x 2 -> [LN, ReLU, Linear(d, heads)], d = dim // 16
    (the official ``DynamicPosBias(dim // 4)``, whose width is its argument // 4).

    Args:
        dim (int): Block width.
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
        """(..., 2) (dy, dx) offsets -> (..., heads) biases."""
        return self.pos3(self.pos2(self.pos1(self.pos_proj(offsets))))

    def pairwise(self, queries: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Biases of every (query, key) pair of integer (y, x) positions, (N, 2) and (M, 2):
        the MLP runs once per distinct offset. Returns (heads, N, M)."""
        low = queries.amin(0) - keys.amax(0)
        size = queries.amax(0) - keys.amin(0) - low + 1
        dy = torch.arange(int(size[0]), device=queries.device) + low[0]
        dx = torch.arange(int(size[1]), device=queries.device) + low[1]
        table = self(torch.stack(torch.meshgrid(dy, dx, indexing='ij'), -1).to(
            self.pos_proj.weight.dtype))
        # Row-major table index of q - k = index(q) - index(k) - index(low): one (N, M)
        # integer map, and heads first so the gather writes the result in place.
        q = queries[:, 0] * size[1] + queries[:, 1]
        k = keys[:, 0] * size[1] + keys[:, 1] + low[0] * size[1] + low[1]
        return table.flatten(0, 1).t()[:, q[:, None] - k[None]]


def _grid(h: int, w: int, device) -> torch.Tensor:
    """Row-major (y, x) positions of an h x w grid, (h * w, 2)."""
    ys, xs = torch.meshgrid(torch.arange(h, device=device), torch.arange(w, device=device),
                            indexing='ij')
    return torch.stack([ys.flatten(), xs.flatten()], -1)


class GlobalAttention(BaseModule):
    """Multi-head attention of given queries, keys and values with an additive bias, then
    the output projection (the official ``AttentionShareGlobal``).

    Args:
        dim (int): Channels.
        num_heads (int): Heads.
    """

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.proj = Linear(dim, dim)

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                bias: torch.Tensor) -> torch.Tensor:
        """q (B, N, C), k and v (B, M, C), bias (heads, N, M) -> (B, N, C)."""
        out = biased_attention(*(_heads(t, self.num_heads) for t in (q, k, v)), bias)
        return self.proj(out.transpose(1, 2).flatten(2))


def _heads(t: torch.Tensor, num_heads: int) -> torch.Tensor:
    """(B, L, C) -> (B, heads, L, C / heads)."""
    return t.unflatten(-1, (num_heads, -1)).transpose(1, 2)


class DWMlp(BaseModule):
    """The block's FFN on NCHW maps: 1x1 + BN + GELU, depthwise 3x3 (stride 2 in a stage's
    first block) + BN + GELU, 1x1 (official names ``fc1 norm1 fc2 norm2 fc3``).

    Args:
        in_dim (int): Input channels.
        hidden (int): Hidden channels.
        dim (int): Output channels.
        stride (int): Of the depthwise conv.
    """

    def __init__(self, in_dim: int, hidden: int, dim: int, stride: int) -> None:
        super().__init__()
        self.fc1 = nn.Conv2d(in_dim, hidden, 1)
        self.norm1 = nn.BatchNorm2d(hidden)
        self.fc2 = DepthwiseConv2d(hidden, hidden, 3, stride, 1, groups=hidden)
        self.norm2 = nn.BatchNorm2d(hidden)
        self.fc3 = nn.Conv2d(hidden, dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.gelu(self.norm1(self.fc1(x)))
        return self.fc3(F.gelu(self.norm2(self.fc2(x))))


class DownProj(BaseModule):
    """The shortcut of a stage's first block: depthwise-grouped 3x3/2 conv + BN + GELU
    (official ``InnerPatchEmbed``, ``proj``).

    Args:
        in_dim (int): Input channels.
        dim (int): Output channels (a multiple of ``in_dim``).
    """

    def __init__(self, in_dim: int, dim: int) -> None:
        super().__init__()
        self.proj = _conv_bn_gelu(in_dim, dim, stride=2, groups=in_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x)


class HLGBlock(WindowPartition, BaseModule):
    """One HLG layer (official ``HLGLayers``): the conv FFN first (post-norm), then
    local-global attention (stages 1-3) or global attention (stage 4).

    ``x = down_proj(x) + DropPath(norm2(mlp(x)))``. Stage 4:
    ``x = x + DropPath(norm1(proj(MHSA(q x, k x, v x) + DPB)))``. Stages 1-3: pad to the
    window unit, ``h = GELU(x + spatial_smooth(x))``; in each window, ``q = q(norm0 h)``,
    ``v = v(norm0 h)``, ``local = softmax(q q^T / sqrt(d) + B_local) v`` (keys tied to queries,
    no projection), ``h = h + local``; one token per window ``g = h0_norm(mean(h))``; crop;
    global attention of ``q + aux_q(norm1(local))`` to ``k(g)``, ``v(g)`` with bias
    ``B_global``; ``x = h + DropPath(proj(...))``.

    Args:
        in_dim (int): Input channels.
        dim (int): Output channels C (the FFN's hidden width is 4 * C).
        num_heads (int): Heads.
        downsample (bool): First block of a stage: stride 2 in the FFN's depthwise conv and
            :class:`DownProj` on the shortcut.
        local_global (bool): Local-global attention (stages 1-3); False: global attention.
        dilated (bool): Dilated windows (odd layers).
        window (int): Window side R.
        dilation (str): ``'grid'`` (the official code) or ``'interval'``; see
            :class:`mmhybrid.models.layers.WindowPartition`.
        interval (int): The LDA stride of this stage (``dilation='interval'`` only).
        drop_path (float): Stochastic depth.
        norm_eps (float): eps of the token LayerNorms.
    """

    def __init__(self, in_dim: int, dim: int, num_heads: int, *, downsample: bool,
                 local_global: bool, dilated: bool, window: int = 7, dilation: str = 'grid',
                 interval: int = 1, drop_path: float = 0., norm_eps: float = 1e-6) -> None:
        super().__init__()
        self.num_heads, self.local_global = num_heads, local_global
        self.window, self.dilated, self.dilation, self.interval = (window, dilated, dilation,
                                                                   interval)
        self.down_proj = DownProj(in_dim, dim) if downsample else nn.Identity()
        self.mlp = DWMlp(in_dim, 4 * dim, dim, 2 if downsample else 1)
        self.norm2 = LayerNorm2d(dim, eps=norm_eps)
        self.q = Linear(dim, dim)
        self.k = Linear(dim, dim)
        self.v = Linear(dim, dim)
        self.pos_global = DynamicPosBias(dim, num_heads)
        self.global_attn = GlobalAttention(dim, num_heads)
        # On the local attention's output map (stages 1-3) or on the attention's tokens.
        self.norm1 = (LayerNorm2d if local_global else nn.LayerNorm)(dim, eps=norm_eps)
        if local_global:
            self.spatial_smooth = nn.ModuleList([nn.Sequential(
                nn.Conv2d(dim, dim // 4, 1), nn.BatchNorm2d(dim // 4), nn.GELU(),
                nn.Conv2d(dim // 4, dim // 4, 3, padding=1), nn.BatchNorm2d(dim // 4),
                nn.GELU(), nn.Conv2d(dim // 4, dim, 1), nn.BatchNorm2d(dim))])
            self.norm0 = nn.LayerNorm(dim, eps=norm_eps)
            self.h0_norm = nn.LayerNorm(dim, eps=norm_eps)
            self.pos_local = DynamicPosBias(dim, num_heads)
            self.aux_q = DepthwiseConv2d(dim, dim, 3, padding=1, groups=dim)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()
        self._bias_cache = ParameterCache()

    def _biases(self, H: int, W: int, Hp: int, Wp: int, device) -> Tuple[torch.Tensor, ...]:
        """The position biases at this size, cached while autograd does not record.

        Stage 4: (global,), the DPB of every pair of tokens. Stages 1-3: (local, global):
        local (heads, n, n) the DPB of the offset between two tokens of a window (window
        coordinates); global (heads, H*W, nW) the DPB of the offset between a token and
        row-major position m of the map for window m (the official indexing).
        """
        modules = ((self.pos_global, self.pos_local) if self.local_global
                   else (self.pos_global, ))
        # One entry (the last size): a stage-1 global bias at a detector's size is ~100 MB.
        return self._bias_cache.get('biases', modules,
                                    lambda: self._compute_biases(H, W, Hp, Wp, device),
                                    variant=(H, W, Hp, Wp))

    def _compute_biases(self, H: int, W: int, Hp: int, Wp: int,
                        device) -> Tuple[torch.Tensor, ...]:
        tokens = _grid(H, W, device)
        if not self.local_global:
            return (self.pos_global.pairwise(tokens, tokens), )
        nh, nw, wh, ww = self.layout(Hp, Wp)
        inner = _grid(wh, ww, device)
        m = torch.arange(nh * nw, device=device)
        anchors = torch.stack([m // W, m % W], -1)
        return (self.pos_local.pairwise(inner, inner),
                self.pos_global.pairwise(tokens, anchors))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C_in, H_in, W_in) -> (B, C, H, W)."""
        x = self.down_proj(x) + self.drop_path(self.norm2(self.mlp(x)))
        B, C, H, W = x.shape
        if not self.local_global:
            t = x.flatten(2).transpose(1, 2)
            (bias, ) = self._biases(H, W, H, W, x.device)
            out = self.global_attn(self.q(t), self.k(t), self.v(t), bias)
            t = t + self.drop_path(self.norm1(out))
            return t.transpose(1, 2).reshape(B, C, H, W)
        unit = self.pad_unit()
        x = F.pad(x, (0, -W % unit, 0, -H % unit))
        Hp, Wp = x.shape[2:]
        local_bias, global_bias = self._biases(H, W, Hp, Wp, x.device)
        h = F.gelu(x + self.spatial_smooth[0](x))
        win = self.partition(h)
        normed = self.norm0(win)
        q = self.q(normed)
        qh = _heads(q, self.num_heads)
        local = biased_attention(qh, qh, _heads(self.v(normed), self.num_heads),
                                 local_bias).transpose(1, 2).flatten(2)
        win = win + local
        pooled = self.h0_norm(win.mean(1).view(B, -1, C))  # one token per window
        maps = self.unpartition(torch.cat([win, q, local]), 3 * B, Hp, Wp)[:, :, :H, :W]
        h, q_map, local_map = maps.split(B)
        queries = q_map + self.aux_q(self.norm1(local_map))
        out = self.global_attn(queries.flatten(2).transpose(1, 2), self.k(pooled),
                               self.v(pooled), global_bias)
        return h + self.drop_path(out.transpose(1, 2).reshape(B, C, H, W))


@MODELS.register_module()
class HLG(HybridBackbone):
    """HLG Transformer backbone (tiny / small / medium / large).

    Paper: "Vision Transformers: From Semantic Segmentation to Dense Prediction" (IJCV 2024,
    https://arxiv.org/abs/2207.09339); code and ImageNet weights: fudan-zvg/SETR,
    ``hlg-classification``. A two-conv stem (stride 2), then four stages whose first block
    downsamples by 2 (strides 4 / 8 / 16 / 32).

    Args:
        arch (str | dict): ``'t'``, ``'s'``, ``'m'``, ``'l'`` or a dict with ``embed_dims``,
            ``depths``, ``num_heads`` (per stage) and optionally ``intervals`` ([8, 4, 2, 1]).
        in_channels (int): Input channels.
        out_indices (int | Sequence[int], optional): Stages (0-3) to return (None: all, or
            the last for ``avg_featmap``).
        out_type (str): ``'featmap'`` (NCHW maps) or ``'avg_featmap'`` (the official
            classifier's features: the last norm, then the token mean).
        window_size (int | Sequence[int]): Window side R, one or one per stage (7 in the
            official models).
        dense_norms (bool): A LayerNorm ``norm{i}`` after stages 1-3 that also feeds the
            next stage, as the official dense backbones; False: only after the last stage
            (``norm3``), as the official classifier.
        norm_eps (float): eps of the token LayerNorms: 1e-6 in the official dense backbones,
            1e-5 in the classifier as the official trainer builds it (``models/build.py``
            passes no ``norm_layer``).
        dilation (str): ``'grid'`` or ``'interval'`` dilated windows (equal at 224).
        frozen_stages (int): -1 freezes nothing, 0 the stem, k the stem and stages 1..k.
        norm_eval (bool): Keep BatchNorms in eval mode during training.
        drop_path_rate (float): Stochastic depth, linear over all blocks from 0.
        with_cp (bool): Gradient checkpointing per block.
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=...)``; official
            checkpoints are converted on load.
    """

    arch_zoo: Dict[str, dict] = {
        't': dict(embed_dims=[64, 128, 256, 512], depths=[2, 2, 6, 2], num_heads=[2, 4, 8, 16]),
        's': dict(embed_dims=[96, 192, 384, 768], depths=[2, 2, 6, 2], num_heads=[3, 6, 12, 24]),
        'm': dict(embed_dims=[96, 192, 384, 768], depths=[2, 2, 14, 2],
                  num_heads=[3, 6, 12, 24]),
        'l': dict(embed_dims=[128, 256, 512, 1024], depths=[2, 2, 14, 2],
                  num_heads=[4, 8, 16, 32]),
    }
    arch_defaults = dict(intervals=[8, 4, 2, 1])
    per_stage_keys = ('embed_dims', 'depths', 'num_heads', 'intervals')
    num_stages = 4

    def __init__(self,
                 arch: Union[str, dict] = 's',
                 in_channels: int = 3,
                 out_indices: Optional[Union[int, Sequence[int]]] = None,
                 out_type: str = 'featmap',
                 window_size: Union[int, Sequence[int]] = 7,
                 dense_norms: bool = True,
                 norm_eps: float = 1e-6,
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
        self._setup_outputs(out_indices, out_type, frozen_stages, norm_eval, with_cp)
        windows = parse_window_sizes(window_size, self.num_stages, 'HLG',
                                     windowed=range(self.num_stages))
        self.dense_norms = dense_norms
        dims, self.depths = self.arch['embed_dims'], self.arch['depths']
        self.embed_dims = dims
        self.patch_embed = nn.Sequential(_conv_bn_gelu(in_channels, dims[0], 2, bias=False),
                                         _conv_bn_gelu(dims[0], dims[0], bias=False))
        dpr = torch.linspace(0, drop_path_rate, sum(self.depths)).tolist()
        self.stages = nn.ModuleList()
        for i, depth in enumerate(self.depths):
            self.stages.append(nn.Sequential(*[
                HLGBlock(dims[max(i - 1, 0)] if j == 0 else dims[i], dims[i],
                         self.arch['num_heads'][i], downsample=j == 0,
                         local_global=i < self.num_stages - 1, dilated=j % 2 == 1,
                         window=windows[i], dilation=dilation,
                         interval=self.arch['intervals'][i],
                         drop_path=dpr[sum(self.depths[:i]) + j], norm_eps=norm_eps)
                for j in range(depth)
            ]))
            if dense_norms or i == self.num_stages - 1:
                self.add_module(f'norm{i}', LayerNorm2d(dims[i], eps=norm_eps))
        self.out_channels = [dims[i] for i in self.out_indices]
        self._freeze_stages()

    def _converter(self):
        return convert_hlg

    def _init_from_scratch(self) -> None:
        """trunc-normal(0.02) linears, zero biases, unit LayerNorms (the official init)."""
        trunc_normal_init(self, layers=(nn.Linear, ))

    def _locate(self, name: List[str]) -> Optional[Tuple[int, int]]:
        """A stage's output norm goes with its last block (it feeds the next stage)."""
        if name[0].startswith('norm') and name[0][4:].isdigit():
            stage = int(name[0][4:])
            return stage, self.depths[stage] - 1
        return super()._locate(name)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.patch_embed(x)
        outs = []
        for i in range(self.num_stages):
            x = self._run_stage(i, x)
            if hasattr(self, f'norm{i}'):
                x = getattr(self, f'norm{i}')(x)
            if i in self.out_indices:
                outs.append(x.mean(dim=(2, 3)) if self.out_type == 'avg_featmap' else x)
        return tuple(outs)


# Official checkpoints -> mmhybrid keys (used by init_cfg Pretrained and the converter tools).
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
                            map_linear_head, prefix, unused=_UNUSED)
