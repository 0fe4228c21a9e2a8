"""Small 1x1 convolutions as batched matrix products on the CPU.

A 1x1 convolution of an NCHW map is ``weight (O, C) @ x[b] (C, H*W)`` per image. oneDNN's
convolution costs some 30-60 µs per call beyond its arithmetic (measured on torch 2.14, 2
threads), which dominates the small ones: attention and gating branches on pooled maps, late
stages at 224. Below :data:`SMALL_MACS` multiply-adds a batched GEMM runs them 1.2-6x faster.
Above it the convolution stays: there it is as fast as the GEMM on Intel CPUs and up to 2x
faster on AMD ones (MKL's generic code path), so the rule holds on both. Elsewhere (CUDA,
channels-last maps, compiling, tracing, FLOP counting) it is ``F.conv2d``.
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmhybrid.registry import MODELS
from ..utils import is_capturing

SMALL_MACS = 8_000_000


def pointwise_conv2d(x: torch.Tensor, weight: torch.Tensor,
                     bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``F.conv2d(x, weight, bias)`` for a (O, C, 1, 1) ``weight`` (stride 1, no padding)."""
    if (x.device.type != 'cpu' or x.dim() != 4 or x.numel() * weight.shape[0] >= SMALL_MACS
            or (x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous())
            or is_capturing()):
        return F.conv2d(x, weight, bias)
    B, C, H, W = x.shape
    # A view for channel slices of a map (their images are contiguous), a copy otherwise.
    flat = x.reshape(B, C, H * W)
    w = weight.reshape(1, -1, C).expand(B, -1, -1)
    if bias is None:
        out = torch.bmm(w, flat)
    else:
        out = torch.baddbmm(bias.reshape(-1, 1), w, flat)
    return out.reshape(B, -1, H, W)


@MODELS.register_module()
class PointwiseConv2d(nn.Conv2d):
    """``nn.Conv2d`` (same arguments, parameters and state dict) whose plain 1x1 form (stride
    1, no padding, one group) runs as :func:`pointwise_conv2d`; any other form is a plain
    ``nn.Conv2d``. ``ConvModule`` takes it as ``conv_cfg=dict(type='mmhybrid.PointwiseConv2d')``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._fast = (self.kernel_size == (1, 1) and self.stride == (1, 1)
                      and self.padding in ((0, 0), 0) and self.dilation == (1, 1)
                      and self.groups == 1 and self.padding_mode == 'zeros')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self._fast:
            return pointwise_conv2d(x, self.weight, self.bias)
        return super().forward(x)
