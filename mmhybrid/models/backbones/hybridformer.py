"""HybridFormer: local convolution blocks (multi-kernel conv attention) and global transformer
blocks (cross-head self-attention) in a UniFormer-style four-stage backbone.

Only a README with results and figures exists (QingbeiGuo/HybridFormer, "code coming soon"):
no paper text, no code, no weights. What the figures show is implemented as drawn (LCB = DPE +
MKCA + FFN in stages 1-2; GTB = DPE + CHSA + FFN in stages 3-4; MKCA = parallel depthwise
3/5/7/9 convs, concatenation, linear; CHSA = per-head logits mixed across heads by an MLP before
the softmax). Everything else - depths, widths, heads, the MKCA channel split, the CHSA hidden
ratio, norms - is **our reconstruction**, calibrated to the README's params and FLOPs (the
"HybridFormer notes" of our README list each choice) and exposed as arch-dict options.
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule

from mmhybrid.registry import MODELS
from ..layers import DepthwiseConv2d, LayerNorm2d, Linear, Mlp, channel_mlp
from ..utils import parse_arch, parse_window_sizes, trunc_normal_init
from .base import HybridBackbone


class MultiKernelConvAttention(BaseModule):
    """MKCA: parallel depthwise convs of several kernel sizes, concatenated, then a 1x1 conv.

    Args:
        dim (int): Channels C.
        kernel_sizes (Sequence[int]): One depthwise branch per kernel size.
        split (bool): Give each branch its own C / len(kernel_sizes) channels (the calibrated
            default); otherwise every branch sees all C channels and the 1x1 conv maps
            len(kernel_sizes) * C back to C.
        pre_proj (bool): A 1x1 conv before the branches (UniFormer-like; not drawn in the
            README figure).
    """

    def __init__(self, dim: int, kernel_sizes: Sequence[int] = (3, 5, 7, 9), split: bool = True,
                 pre_proj: bool = False) -> None:
        super().__init__()
        num = len(kernel_sizes)
        if split and dim % num:
            raise ValueError(f'MKCA splits {dim} channels into {num} kernel groups: the width '
                             f'must be divisible by {num} (or set mkca_split=False)')
        self.split_dims = [dim // num] * num if split else None
        branch_dim = dim // num if split else dim
        self.pre_proj = nn.Conv2d(dim, dim, 1) if pre_proj else None
        self.branches = nn.ModuleList(
            DepthwiseConv2d(branch_dim, branch_dim, k, padding=k // 2, groups=branch_dim)
            for k in kernel_sizes)
        self.proj = nn.Conv2d(dim if split else dim * num, dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pre_proj is not None:
            x = self.pre_proj(x)
        if self.split_dims is not None:
            parts = x.split(self.split_dims, dim=1)
            x = torch.cat([conv(p) for conv, p in zip(self.branches, parts)], dim=1)
        else:
            x = torch.cat([conv(x) for conv in self.branches], dim=1)
        return self.proj(x)


class CrossHeadSelfAttention(BaseModule):
    """CHSA: multi-head self-attention whose logits are mixed across heads by an MLP
    (heads -> ratio * heads -> heads, GELU) at every query/key pair, before the softmax.

    The mixing needs the logits, so it cannot run inside a fused attention kernel. It runs as
    :func:`channel_mlp` over the head axis: products over chunks of query/key pairs whose
    hidden logits stay in the cache (as 1x1 convs over the heads of the (B, heads, N, N) map
    oneDNN computes them at a few GFLOP/s, 11-14x slower at 224; as whole-map products the
    hidden logits' memory traffic bounds them, 3x slower training at 512x512; CPU, torch 2.14).

    Args:
        dim (int): Token width C.
        num_heads (int): Heads h (head dim C / h).
        mix_ratio (float): Hidden width of the head-mixing MLP in units of h.
    """

    max_hidden_elements = 2**27

    def __init__(self, dim: int, num_heads: int, mix_ratio: float = 4.) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'CHSA width {dim} is not divisible by {num_heads} heads')
        self.num_heads = num_heads
        self.scale = (dim // num_heads)**-0.5
        self.qkv = Linear(dim, dim * 3)
        hidden = int(round(num_heads * mix_ratio))
        self.head_fc1 = nn.Linear(num_heads, hidden)
        self.head_fc2 = nn.Linear(hidden, num_heads)
        self.proj = Linear(dim, dim)

    def mix_heads(self, attn: torch.Tensor) -> torch.Tensor:
        """The head-mixing MLP on (B, h, N, M) logits."""
        return channel_mlp(attn, self.head_fc1.weight, self.head_fc1.bias, self.head_fc2.weight,
                           self.head_fc2.bias)

    def _attend(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        return self.mix_heads(q @ k.transpose(-2, -1)).softmax(dim=-1) @ v

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, N, C = x.shape
        q, k, v = self.qkv(x).reshape(B, N, 3, self.num_heads, -1).permute(2, 0, 3, 1, 4)
        q = q * self.scale
        # The mixing MLP's hidden logits are (B, ratio*h, N, N): at dense-prediction sizes, take
        # the queries in chunks so that only a slice of them is alive at once.
        rows = max(1, self.max_hidden_elements // (B * self.head_fc1.out_features * N))
        if rows >= N:
            out = self._attend(q, k, v)
        else:
            out = torch.cat([self._attend(part, k, v) for part in q.split(rows, dim=2)], dim=2)
        return self.proj(out.transpose(1, 2).reshape(B, N, C))


class LocalConvBlock(BaseModule):
    """LCB: ``x + DPE(x)``, ``x + MKCA(BN(x))``, ``x + FFN(BN(x))`` on NCHW maps (FFN = 1x1
    convs with GELU).

    Args:
        dim (int): Channels.
        mlp_ratio (float): FFN expansion.
        drop_path (float): Stochastic depth of the two residual branches.
        mkca (dict): Keyword arguments of :class:`MultiKernelConvAttention`.
    """

    def __init__(self, dim: int, *, mlp_ratio: float, drop_path: float, mkca: dict) -> None:
        super().__init__()
        hidden = int(dim * mlp_ratio)
        self.pos_embed = DepthwiseConv2d(dim, dim, 3, padding=1, groups=dim)
        self.norm1 = nn.BatchNorm2d(dim)
        self.attn = MultiKernelConvAttention(dim, **mkca)
        self.norm2 = nn.BatchNorm2d(dim)
        self.mlp = nn.Sequential(nn.Conv2d(dim, hidden, 1), nn.GELU(), nn.Conv2d(hidden, dim, 1))
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.pos_embed(x)
        x = x + self.drop_path(self.attn(self.norm1(x)))
        return x + self.drop_path(self.mlp(self.norm2(x)))


class GlobalTransformerBlock(BaseModule):
    """GTB: ``x + DPE(x)``, then on tokens ``t + CHSA(LN(t))``, ``t + MLP(LN(t))``.

    With ``window_size > 0`` the attention runs in non-overlapping windows (the map is padded
    with zeros after ``norm1`` to whole windows, as UniFormer's hybrid dense backbone); the head
    mixing acts on the head axis only, so it is the same inside windows.

    Args:
        dim (int): Channels.
        num_heads (int): CHSA heads.
        mix_ratio (float): CHSA head-mixing hidden ratio.
        mlp_ratio (float): MLP expansion.
        drop_path (float): Stochastic depth of the two residual branches.
        window_size (int): 0 for global attention, else the window side.
    """

    def __init__(self, dim: int, *, num_heads: int, mix_ratio: float, mlp_ratio: float,
                 drop_path: float, window_size: int = 0) -> None:
        super().__init__()
        hidden = int(dim * mlp_ratio)
        self.window_size = window_size
        self.pos_embed = DepthwiseConv2d(dim, dim, 3, padding=1, groups=dim)
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = CrossHeadSelfAttention(dim, num_heads, mix_ratio)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, hidden)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()

    def _windowed_attn(self, t: torch.Tensor, H: int, W: int) -> torch.Tensor:
        B, _, C = t.shape
        ws = self.window_size
        pad_h, pad_w = (ws - H % ws) % ws, (ws - W % ws) % ws
        t = F.pad(t.view(B, H, W, C), (0, 0, 0, pad_w, 0, pad_h))
        Hp, Wp = H + pad_h, W + pad_w
        t = t.view(B, Hp // ws, ws, Wp // ws, ws, C).transpose(2, 3).reshape(-1, ws * ws, C)
        t = self.attn(t).view(B, Hp // ws, Wp // ws, ws, ws, C).transpose(2, 3)
        return t.reshape(B, Hp, Wp, C)[:, :H, :W].reshape(B, H * W, C)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.pos_embed(x)
        B, C, H, W = x.shape
        t = x.flatten(2).transpose(1, 2)
        if self.window_size:
            t = t + self.drop_path(self._windowed_attn(self.norm1(t), H, W))
        else:
            t = t + self.drop_path(self.attn(self.norm1(t)))
        t = t + self.drop_path(self.mlp(self.norm2(t)))
        return t.transpose(1, 2).reshape(B, C, H, W)


@MODELS.register_module()
class HybridFormer(HybridBackbone):
    """HybridFormer S/B/L/H backbone - an unofficial reconstruction.

    Project page (README and figures only): https://github.com/QingbeiGuo/HybridFormer.
    Stages 1-2 stack LCBs, stages 3-4 GTBs; a 4x4/4 conv stem and 2x2/2 conv downsamplings,
    each followed by a LayerNorm (UniFormer). Depths, heads, the MKCA split and the CHSA ratio
    are calibrated to the README (S 21.6M/4.3G, B 29.9M/6.2G, L 38.3M/8.0G, H 55.2M/11.6G).

    Args:
        arch (str | dict): ``'s'``, ``'b'``, ``'l'``, ``'h'`` or a dict with ``embed_dims``,
            ``depths``, ``num_heads`` (per stage; the LCB stages' entries are unused) and
            optionally ``mix_ratio`` (CHSA hidden / heads), ``mkca_kernels``, ``mkca_split``,
            ``mkca_pre_proj``, ``conv_stem`` (UniFormer's two 3x3/2 convs), ``mlp_ratio``.
        in_channels (int): Input channels.
        out_indices (int | Sequence[int], optional): Stages (0-3) to return (None: all, or
            the last for ``avg_featmap``).
        out_type (str): ``'featmap'``: NCHW maps, each after its own LayerNorm ``norm{i}``;
            ``'avg_featmap'``: the classifier's features, the last stage through the
            BatchNorm ``norm`` and averaged (UniFormer's head is BN -> GAP -> Linear).
        window_size (int | Sequence[int]): Attention window side, one or one per stage (0:
            global; the LCB stages 1-2 ignore theirs). Dense configs use 14 for stage 3, as
            UniFormer-h14.
        global_every (int): With windows, every ``global_every``-th block of a stage
            (``(i + 1) % global_every == 0``) stays global; 0 makes all blocks windowed.
        frozen_stages (int): -1 freezes nothing, 0 the stem, k the stem and stages 1..k (with
            their downsamplings and output norms).
        norm_eval (bool): Keep the LCBs' BatchNorms in eval mode during training.
        drop_path_rate (float): Stochastic depth, linear over all blocks from 0.
        with_cp (bool): Gradient checkpointing per block.
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=...)``.
    """

    arch_zoo: Dict[str, dict] = {
        's': dict(embed_dims=[64, 128, 320, 512], depths=[3, 4, 8, 3], num_heads=[0, 0, 16, 32]),
        'b': dict(embed_dims=[64, 128, 320, 512], depths=[4, 5, 12, 4],
                  num_heads=[0, 0, 16, 32]),
        'l': dict(embed_dims=[64, 128, 320, 512], depths=[5, 6, 16, 5],
                  num_heads=[0, 0, 16, 32]),
        'h': dict(embed_dims=[64, 128, 320, 512], depths=[7, 8, 24, 7],
                  num_heads=[0, 0, 16, 32]),
    }
    arch_defaults = dict(mix_ratio=4., mkca_kernels=(3, 5, 7, 9), mkca_split=True,
                         mkca_pre_proj=False, conv_stem=False, mlp_ratio=4.)
    per_stage_keys = ('embed_dims', 'depths', 'num_heads')
    num_stages = 4
    num_conv_stages = 2

    def __init__(self,
                 arch: Union[str, dict] = 's',
                 in_channels: int = 3,
                 out_indices: Optional[Union[int, Sequence[int]]] = None,
                 out_type: str = 'featmap',
                 window_size: Union[int, Sequence[int]] = 0,
                 global_every: int = 4,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 drop_path_rate: float = 0.,
                 with_cp: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch = parse_arch(self, arch)
        self._setup_outputs(out_indices, out_type, frozen_stages, norm_eval, with_cp)
        windows = parse_window_sizes(window_size, self.num_stages, 'HybridFormer')
        self.depths = self.arch['depths']
        dims = self.embed_dims = self.arch['embed_dims']
        self.patch_embed = self._stem(in_channels, dims[0], self.arch['conv_stem'])
        self.downsample_layers = nn.ModuleList(
            nn.Sequential(nn.Conv2d(dims[i], dims[i + 1], 2, stride=2),
                          LayerNorm2d(dims[i + 1], eps=1e-5))
            for i in range(self.num_stages - 1))
        dpr = torch.linspace(0, drop_path_rate, sum(self.depths)).tolist()
        mkca = dict(kernel_sizes=tuple(self.arch['mkca_kernels']), split=self.arch['mkca_split'],
                    pre_proj=self.arch['mkca_pre_proj'])
        self.stages = nn.ModuleList()
        for i, depth in enumerate(self.depths):
            rates = dpr[sum(self.depths[:i]):sum(self.depths[:i + 1])]
            if i < self.num_conv_stages:
                blocks = [LocalConvBlock(dims[i], mlp_ratio=self.arch['mlp_ratio'], drop_path=r,
                                         mkca=mkca) for r in rates]
            else:
                ws = windows[i]
                blocks = [
                    GlobalTransformerBlock(
                        dims[i], num_heads=self.arch['num_heads'][i],
                        mix_ratio=self.arch['mix_ratio'], mlp_ratio=self.arch['mlp_ratio'],
                        drop_path=r,
                        window_size=0 if global_every and (j + 1) % global_every == 0 else ws)
                    for j, r in enumerate(rates)
                ]
            self.stages.append(nn.Sequential(*blocks))
        if out_type == 'avg_featmap':
            self.norm = nn.BatchNorm2d(dims[-1])
        else:
            for i in self.out_indices:
                self.add_module(f'norm{i}', LayerNorm2d(dims[i]))
        self.out_channels = [dims[i] for i in self.out_indices]
        self._freeze_stages()

    @staticmethod
    def _stem(in_channels: int, dim: int, conv_stem: bool) -> nn.Module:
        if conv_stem:
            return nn.Sequential(
                nn.Conv2d(in_channels, dim // 2, 3, stride=2, padding=1), nn.BatchNorm2d(dim // 2),
                nn.GELU(), nn.Conv2d(dim // 2, dim, 3, stride=2, padding=1), nn.BatchNorm2d(dim))
        return nn.Sequential(nn.Conv2d(in_channels, dim, 4, stride=4), LayerNorm2d(dim, eps=1e-5))

    def _init_from_scratch(self) -> None:
        """trunc-normal(0.02) linear and conv weights, zero biases, unit norms."""
        trunc_normal_init(self)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        # The stem and downsamplings need whole 4x4 and 2x2 patches: pad right/bottom.
        x = F.pad(x, (0, -x.shape[3] % 4, 0, -x.shape[2] % 4))
        x = self.patch_embed(x)
        outs = []
        for i in range(self.num_stages):
            if i > 0:
                x = F.pad(x, (0, x.shape[3] % 2, 0, x.shape[2] % 2))
                x = self.downsample_layers[i - 1](x)
            x = self._run_stage(i, x)
            if i in self.out_indices:
                if self.out_type == 'avg_featmap':
                    outs.append(self.norm(x).mean(dim=(2, 3)))
                else:
                    outs.append(getattr(self, f'norm{i}')(x))
        return tuple(outs)
