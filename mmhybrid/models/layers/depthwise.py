"""Depthwise convolution with a faster backward pass.

The forward is ``F.conv2d``. The backward expresses both gradients as forward convolutions,
which the CPU backends run far faster than torch's depthwise backward (2-7x on the 7x7
depthwise convs of TransXNet and FcaFormer, measured on torch 2.14): the input gradient is
the gradient convolved with the flipped kernel, the weight gradient a grouped convolution of
the padded input with the output gradient as kernel (batch folded into the groups). Results
equal torch's up to float summation order. Used when stride and dilation are 1; everything
else, and any call without autograd, is plain ``F.conv2d``.
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
            padded = F.pad(x.to(dtype), (pw, pw, ph, ph))
            Ho, Wo = grad.shape[-2:]
            grad_w = F.conv2d(
                padded.transpose(0, 1).reshape(1, C * B, H + 2 * ph, W + 2 * pw),
                grad.transpose(0, 1).reshape(C * B, 1, Ho, Wo),
                groups=C * B)
            grad_w = grad_w.reshape(C, B, kh, kw).sum(1, keepdim=True).reshape(C, 1, kh, kw)
            grad_w = grad_w.to(ctx.dtypes[1])
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_b = grad.sum((0, 2, 3)).to(ctx.dtypes[2])
        return grad_x, grad_w, grad_b, None


def depthwise_conv2d(x: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor] = None,
                     padding: Tuple[int, int] = (0, 0)) -> torch.Tensor:
    """``F.conv2d(x, weight, bias, padding=padding, groups=C)`` for a depthwise ``weight``
    (C, 1, kh, kw) at stride 1, with the faster backward when autograd records it."""
    if (torch.is_grad_enabled() and (x.requires_grad or weight.requires_grad)
            and padding[0] < weight.shape[-2] and padding[1] < weight.shape[-1]
            and not torch.jit.is_tracing() and not torch.onnx.is_in_onnx_export()):
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
