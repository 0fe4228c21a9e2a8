"""1x1 convolutions as matrix products on the CPU, where that is faster.

A 1x1 convolution of an NCHW map is ``weight (O, C) @ x[b] (C, H*W)`` per image. oneDNN's
convolution costs some 30-60 µs per call beyond its arithmetic (measured on torch 2.14, 2
threads), which dominates the small ones: attention and gating branches on pooled maps, late
stages at 224. Below :data:`SMALL_MACS` multiply-adds a batched GEMM runs them 1.2-6x faster.
Above it the convolution stays (as fast as the GEMM on Intel CPUs, up to 2x faster on AMD
ones, where MKL takes a generic code path), unless a channel count is not a multiple of 8,
where oneDNN's convolution is 4-6x slower than the GEMM.

At inference, from :data:`PRODUCT_MACS` multiply-adds per image, float32 on x86 CPUs, each
image is one oneDNN inner product that reads the map as it is: the convolution reorders its
input and output to a blocked layout in buffers it allocates on every call, whose fresh pages
fault in (TransXNet-S at 224: 68 MiB of page faults per inference on the project's VM, 10 %
of its time). In training the convolution stays (no faster with the products there).
Elsewhere (CUDA, channels-last maps, compiling, tracing, FLOP counting) it is ``F.conv2d``.
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmhybrid.registry import MODELS
from ..utils import is_capturing, records_grad
from .gemm import _onednn_applies, _product

SMALL_MACS = 8_000_000
PRODUCT_MACS = 4_000_000


def _gemm_is_faster(x: torch.Tensor, weight: torch.Tensor, backward: bool = False) -> bool:
    """Small products; and channel counts that are not a multiple of 8, where oneDNN's 1x1
    convolution takes a slow path (4-6x slower for 76 -> 608 channels at 56x56, TransXNet-B's
    first stage): the input's in any pass, the output's in the input gradient (``backward``,
    or autograd recording the forward)."""
    O, C = weight.shape[:2]
    return (x.numel() * O < SMALL_MACS or C % 8 != 0
            or (O % 8 != 0 and (backward or records_grad([x, weight]))))


def _channels_last_only(x: torch.Tensor) -> bool:
    return x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous()


def _takes_gemm(x: torch.Tensor, weight: torch.Tensor, backward: bool = False) -> bool:
    return (x.device.type == 'cpu' and x.dim() == 4 and _gemm_is_faster(x, weight, backward)
            and not _channels_last_only(x) and not is_capturing())


def _takes_products(x: torch.Tensor, weight: torch.Tensor,
                    bias: Optional[torch.Tensor]) -> bool:
    return (x.dim() == 4 and x[0].numel() * weight.shape[0] >= PRODUCT_MACS
            and _onednn_applies(x, weight, bias) and not _channels_last_only(x))


def _products(x: torch.Tensor, weight: torch.Tensor,
              bias: Optional[torch.Tensor]) -> torch.Tensor:
    """``weight (O, C) @ x[b] (C, H*W)`` per image on oneDNN's inner product, plus ``bias``."""
    B, C, H, W = x.shape
    weight = weight.reshape(weight.shape[0], C)
    flat = x.reshape(B, C, H * W)
    bias = None if bias is None else bias.reshape(-1, 1)
    if B == 1:
        out = _product(weight, flat[0].t())
        return (out if bias is None else out.add_(bias)).reshape(1, -1, H, W)
    out = x.new_empty(B, weight.shape[0], H * W)
    for b in range(B):
        # One image's product at a time: the next one reuses its freed buffer.
        product = _product(weight, flat[b].t())
        if bias is None:
            out[b].copy_(product)
        else:
            torch.add(product, bias, out=out[b])
    return out.reshape(B, -1, H, W)


def pointwise_conv2d(x: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor] = None,
                     inference: Optional[bool] = None) -> torch.Tensor:
    """``F.conv2d(x, weight, bias)`` for a (O, C, 1, 1) ``weight`` (stride 1, no padding).

    ``inference``: whether the call may take the inference path; by default when autograd
    does not record it (custom autograd functions pass False for a training forward).
    """
    if inference is None:
        inference = not records_grad([x, weight] if bias is None else [x, weight, bias])
    if inference and _takes_products(x, weight, bias):
        return _products(x, weight, bias)
    if not _takes_gemm(x, weight):
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


def pointwise_conv2d_backward(grad: torch.Tensor, x: torch.Tensor, weight: torch.Tensor,
                              output_mask: Sequence[bool]) -> Tuple[Optional[torch.Tensor], ...]:
    """The gradients (input, weight, bias; None where ``output_mask`` is False) of
    :func:`pointwise_conv2d`, for custom autograd functions that recompute its input: as
    GEMMs where those are faster, else by torch's convolution backward."""
    O, C = weight.shape[:2]
    B, _, H, W = x.shape
    if not _takes_gemm(x, weight, backward=True):
        return torch.ops.aten.convolution_backward(
            grad, x, weight, [O] if output_mask[2] else None, (1, 1), (0, 0), (1, 1), False,
            (0, 0), 1, list(output_mask))
    grad = grad.reshape(B, O, H * W)
    grad_x = grad_w = grad_b = None
    if output_mask[0]:
        w = weight.reshape(1, O, C).transpose(1, 2).expand(B, -1, -1)
        grad_x = torch.bmm(w, grad).reshape(B, C, H, W)
    if output_mask[1]:
        grad_w = torch.bmm(grad, x.reshape(B, C, H * W).transpose(1, 2)).sum(0)
        grad_w = grad_w.reshape(O, C, 1, 1)
    if output_mask[2]:
        grad_b = grad.sum((0, 2))
    return grad_x, grad_w, grad_b


def is_plain_1x1(conv: nn.Conv2d) -> bool:
    """Whether ``conv`` is a plain 1x1 convolution (stride 1, no padding, no dilation, one
    group): the form :func:`pointwise_conv2d` computes."""
    return (conv.kernel_size == (1, 1) and conv.stride == (1, 1)
            and conv.padding in ((0, 0), 0) and conv.dilation == (1, 1) and conv.groups == 1
            and conv.padding_mode == 'zeros')


@MODELS.register_module()
class PointwiseConv2d(nn.Conv2d):
    """``nn.Conv2d`` (same arguments, parameters and state dict) whose plain 1x1 form (stride
    1, no padding, one group) runs as :func:`pointwise_conv2d`; any other form is a plain
    ``nn.Conv2d``. ``ConvModule`` takes it as ``conv_cfg=dict(type='mmhybrid.PointwiseConv2d')``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._fast = is_plain_1x1(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self._fast:
            return pointwise_conv2d(x, self.weight, self.bias)
        return super().forward(x)
