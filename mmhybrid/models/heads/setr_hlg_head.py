"""The SETR-HLG decode head: all four backbone stages fused at stride 4, two HLG layers, x4."""
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead

from mmhybrid.registry import MODELS
from ..layers import Linear, WindowPartition, linear


class HLGHeadLayer(WindowPartition, BaseModule):
    """A pre-norm transformer layer with local-global attention, as in the official head:
    one attention (qkv, proj) serves the window attention and the global attention, whose
    keys and values are the LayerNorm'd mean token of each window.

    Args:
        dim (int): Channels.
        num_heads (int): Heads.
        dilated (bool): Dilated windows (odd layers).
        window (int): Window side.
        dilation (str): ``'grid'`` or ``'interval'`` (see :class:`mmhybrid.HLG`).
        interval (int): The LDA stride.
    """

    def __init__(self, dim: int, num_heads: int, dilated: bool, window: int = 7,
                 dilation: str = 'interval', interval: int = 8) -> None:
        super().__init__()
        self.window, self.dilated, self.dilation, self.interval = (window, dilated, dilation,
                                                                   interval)
        self.num_heads = num_heads
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.qkv = Linear(dim, 3 * dim)
        self.proj = Linear(dim, dim)
        self.norm_global = nn.LayerNorm(dim, eps=1e-6)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(Linear(dim, 4 * dim), nn.GELU(), Linear(4 * dim, dim))

    def _attend(self, queries: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Shared attention: queries (N, Lq, C) attend to keys/values from (N, Lk, C)."""
        N, Lq, C = queries.shape
        w_q, w_kv = self.qkv.weight.split([C, 2 * C])
        b_q, b_kv = self.qkv.bias.split([C, 2 * C])
        q = linear(queries, w_q, b_q).view(N, Lq, self.num_heads, -1).transpose(1, 2)
        k, v = linear(keys, w_kv, b_kv).view(N, -1, 2, self.num_heads,
                                             C // self.num_heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(N, Lq, C)
        return self.proj(out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, C, H, W = x.shape
        unit = self.pad_unit()
        padded = F.pad(x, (0, -W % unit, 0, -H % unit))
        Hp, Wp = padded.shape[2:]
        windows = self.norm1(self.partition(padded))
        local = self._attend(windows, windows)
        pooled = self.norm_global(windows.mean(1).view(B, -1, C))
        tokens = self.unpartition(local, B, Hp, Wp).flatten(2).transpose(1, 2)
        out = self._attend(tokens, pooled).transpose(1, 2).reshape(B, C, Hp, Wp)
        x = x + out[:, :, :H, :W]
        t = x.flatten(2).transpose(1, 2)
        t = t + self.mlp(self.norm2(t))
        return t.transpose(1, 2).reshape(B, C, H, W)


@MODELS.register_module()
class SETRHLGHead(BaseDecodeHead):
    """SETR-HLG head: resize every stage to stride 4, concatenate, 3x3 conv + BN + ReLU to
    ``channels``, ``num_layers`` HLG layers (alternately contiguous and dilated windows),
    classifier, x4 bilinear upsampling.

    Paper code: fudan-zvg/SETR ``hlg`` branch, ``HLGUPHead`` (not a PUP head despite its name).

    Args:
        num_layers (int): HLG layers.
        num_heads (int): Their heads (channels / 32 in the official head).
        window (int): Their window side.
        interval (int): Their dilation stride.
        dilation (str): ``'interval'`` (the official head) or ``'grid'``.
        **kwargs: :class:`mmseg.models.decode_heads.decode_head.BaseDecodeHead` arguments;
            ``input_transform='multiple_select'`` with the four stages.
    """

    def __init__(self, num_layers: int = 2, num_heads: int = 16, window: int = 7,
                 interval: int = 8, dilation: str = 'interval', **kwargs) -> None:
        super().__init__(input_transform='multiple_select', **kwargs)
        self.fuse = ConvModule(sum(self.in_channels), self.channels, 3, padding=1,
                               conv_cfg=self.conv_cfg, norm_cfg=self.norm_cfg,
                               act_cfg=self.act_cfg)
        self.layers = nn.ModuleList(
            HLGHeadLayer(self.channels, num_heads, i % 2 == 1, window, dilation, interval)
            for i in range(num_layers))

    def forward(self, inputs: List[torch.Tensor]) -> torch.Tensor:
        feats = self._transform_inputs(inputs)
        size = feats[0].shape[2:]
        x = torch.cat([feats[0]] + [
            F.interpolate(f, size=size, mode='bilinear', align_corners=self.align_corners)
            for f in feats[1:]
        ], dim=1)
        x = self.fuse(x)
        for layer in self.layers:
            x = layer(x)
        x = self.cls_seg(x)
        return F.interpolate(x, scale_factor=4, mode='bilinear', align_corners=self.align_corners)
