"""Depthwise convolution with a faster backward pass.

The forward is ``F.conv2d``. For kernels larger than 3x3 the backward expresses both gradients
as forward convolutions, which the CPU backends run far faster than torch's depthwise backward
(1.6-14x on the 5x5 and 7x7 depthwise convs of TransXNet and FcaFormer, torch 2.14):
the input gradient is the gradient convolved with the flipped kernel, the weight gradient a
grouped convolution of the input with the output gradient as kernel (batch and channels folded
into the groups). Results equal torch's up to float summation order. Used when stride and
dilation are 1; everything else, and any call without autograd, is plain ``F.conv2d``. A 3x3
kernel keeps torch's backward, which is as fast there; a 1x1 kernel is a per-channel scale and
shift, which elementwise ops compute 2-15x faster than oneDNN's depthwise convolution, forward
and backward.
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmhybrid.registry import MODELS


class _DepthwiseConv2dFunction(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor],
                padding: Tuple[int, int]) -> torch.Tensor:
        ctx.save_for_backward(x, weight)
        ctx.padding = padding
        ctx.has_bias = bias is not None
        ctx.dtypes = (x.dtype, weight.dtype, None if bias is None else bias.dtype)
        return F.conv2d(x, weight, bias, padding=padding, groups=x.shape[1])

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad: torch.Tensor):
        x, weight = ctx.saved_tensors
        (ph, pw), (kh, kw) = ctx.padding, weight.shape[-2:]
        B, C, H, W = x.shape
        # Reduced precision on the CPU: compute in float32 (bfloat16 convolutions there can
        # take a slow reference path, and the sums are better in float32 anyway).
        dtype = grad.dtype
        if not grad.is_cuda and dtype in (torch.bfloat16, torch.float16):
            dtype = torch.float32
        grad = grad.to(dtype).contiguous()
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = F.conv2d(grad, weight.to(dtype).flip(-1, -2), groups=C,
                              padding=(kh - 1 - ph, kw - 1 - pw)).to(ctx.dtypes[0])
        if ctx.needs_input_grad[1]:
            # Groups in the (B, C) order of the tensors: no transposed copies, and the conv's
            # own padding instead of a padded copy of the input.
            Ho, Wo = grad.shape[-2:]
            grad_w = F.conv2d(x.to(dtype).reshape(1, B * C, H, W),
                              grad.reshape(B * C, 1, Ho, Wo), padding=(ph, pw), groups=B * C)
            grad_w = grad_w.reshape(B, C, kh, kw).sum(0).unsqueeze(1).to(ctx.dtypes[1])
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_b = grad.sum((0, 2, 3)).to(ctx.dtypes[2])
        return grad_x, grad_w, grad_b, None


def _scale_shift(x: torch.Tensor, weight: torch.Tensor,
                 bias: Optional[torch.Tensor]) -> torch.Tensor:
    """A 1x1 depthwise convolution as ``x * weight + bias`` per channel, in the dtype that
    autocast would give the convolution."""
    if torch.is_autocast_enabled(x.device.type):
        dtype = torch.get_autocast_dtype(x.device.type)
        x, weight = x.to(dtype), weight.to(dtype)
        bias = None if bias is None else bias.to(dtype)
    scale = weight.reshape(1, -1, 1, 1)
    # x * scale + bias as a product and an in-place sum: torch.addcmul with the broadcast bias
    # first iterates 3x slower.
    out = x * scale
    return out if bias is None else out.add_(bias.reshape(1, -1, 1, 1))


def depthwise_conv2d(x: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor] = None,
                     padding: Tuple[int, int] = (0, 0)) -> torch.Tensor:
    """``F.conv2d(x, weight, bias, padding=padding, groups=C)`` for a depthwise ``weight``
    (C, 1, kh, kw) at stride 1: elementwise for 1x1, with the faster backward for kernels
    larger than 3x3 when autograd records it. Traced graphs (ONNX, FLOP counters) get the
    convolution."""
    kh, kw = weight.shape[-2:]
    if torch.jit.is_tracing() or torch.onnx.is_in_onnx_export():
        return F.conv2d(x, weight, bias, padding=padding, groups=x.shape[1])
    if kh == kw == 1 and padding[0] == padding[1] == 0:
        return _scale_shift(x, weight, bias)
    if (kh * kw > 9 and torch.is_grad_enabled() and (x.requires_grad or weight.requires_grad)
            and padding[0] < kh and padding[1] < kw):
        return _DepthwiseConv2dFunction.apply(x, weight, bias, tuple(padding))
    return F.conv2d(x, weight, bias, padding=padding, groups=x.shape[1])


@MODELS.register_module()
class DepthwiseConv2d(nn.Conv2d):
    """``nn.Conv2d`` (same arguments, parameters and state dict) whose depthwise stride-1
    form (``groups == in_channels == out_channels``) trains with :func:`depthwise_conv2d`'s
    faster backward; any other form is a plain ``nn.Conv2d``. ``ConvModule`` takes it as
    ``conv_cfg=dict(type='mmhybrid.DepthwiseConv2d')``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._fast = (self.groups == self.in_channels == self.out_channels
                      and self.stride == (1, 1) and self.dilation == (1, 1)
                      and self.padding_mode == 'zeros' and not isinstance(self.padding, str))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self._fast:
            return depthwise_conv2d(x, self.weight, self.bias, self.padding)
        return super().forward(x)
