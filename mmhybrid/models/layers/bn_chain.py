"""BatchNorm chains in training: faster statistics, and only their input kept for the backward.

:func:`batch_norm_chain` runs a training BatchNorm with, optionally, a GELU before or after it,
a layer scale after it and a 1x1 convolution at the end, as one autograd function:

- Run as modules, ``conv(BN(GELU(x)))`` saves x for the GELU's gradient, GELU(x) for the
  BatchNorm's and the normalised map for the convolution's: three maps of x's size
  (``conv(GELU(BN(x)))`` likewise, and a layer scale saves the normalised map too). Given x and
  the batch statistics each of them is one elementwise pass to recompute, so only x is saved
  and the backward recomputes the rest. TransXNet's MS-FFN and STE are such chains, at up to
  8x the block's width: the memory its training step holds for the backward drops by a third.
- torch's CPU BatchNorm computes its statistics 3-6x slower than two sums per channel
  (mean, then the squared deviations) do; with the output as one multiply-add the forward is
  2-3x faster. CUDA keeps torch's kernel.
- A layer scale after the BatchNorm is folded into its weight and bias.

Outputs, gradients and running statistics equal the modules' up to float rounding.
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.modules.batchnorm import _BatchNorm

from ..utils import records_grad
from .layer_scale import LayerScale2d
from .norm import syncs_across_processes
from .pointwise import PointwiseConv2d, is_plain_1x1, pointwise_conv2d, pointwise_conv2d_backward

aten = torch.ops.aten
_NO_GELU, _GELU_BEFORE, _GELU_AFTER = 0, 1, 2


def _affine(x: torch.Tensor, weight: Optional[torch.Tensor], bias: Optional[torch.Tensor],
            mean: torch.Tensor, invstd: torch.Tensor) -> torch.Tensor:
    """A training BatchNorm's output from its input and batch statistics, in the form
    torch's CPU kernel computes it (``x * alpha + beta``)."""
    alpha = invstd if weight is None else invstd * weight
    beta = -mean * alpha
    if bias is not None:
        beta = beta + bias
    shape = (1, -1) + (1, ) * (x.dim() - 2)
    return (x * alpha.view(shape)).add_(beta.view(shape))


def _batch_norm_train(x: torch.Tensor, weight: Optional[torch.Tensor],
                      bias: Optional[torch.Tensor], running_mean: Optional[torch.Tensor],
                      running_var: Optional[torch.Tensor], momentum: float,
                      eps: float) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``aten.native_batch_norm`` in training: output, batch mean and inverse std, the
    running statistics updated in place. On the CPU, for contiguous float maps, the statistics
    are two sums per channel and the output a multiply-add."""
    if x.device.type != 'cpu' or x.dtype not in (torch.float32, torch.float64) or not (
            x.is_contiguous()):
        return aten.native_batch_norm(x, weight, bias, running_mean, running_var, True,
                                      momentum, eps)
    B, C = x.shape[:2]
    flat = x.reshape(B, C, -1)
    n = flat.shape[0] * flat.shape[2]
    mean = flat.sum(-1).sum(0).div_(n)
    var = (flat - mean.view(1, C, 1)).square_().sum(-1).sum(0).div_(n)
    invstd = torch.rsqrt(var + eps)
    if running_mean is not None:
        running_mean.mul_(1 - momentum).add_(mean, alpha=momentum)
    if running_var is not None:
        # Running variance: unbiased, as torch keeps it.
        running_var.mul_(1 - momentum).add_(var, alpha=momentum * n / max(n - 1, 1))
    return _affine(x, weight, bias, mean, invstd), mean, invstd


class _BatchNormChainFunction(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x: torch.Tensor, norm_weight: Optional[torch.Tensor],
                norm_bias: Optional[torch.Tensor], conv_weight: Optional[torch.Tensor],
                conv_bias: Optional[torch.Tensor], running_mean: Optional[torch.Tensor],
                running_var: Optional[torch.Tensor], momentum: float, eps: float,
                gelu: int) -> torch.Tensor:
        out, mean, invstd = _batch_norm_train(
            F.gelu(x) if gelu == _GELU_BEFORE else x, norm_weight, norm_bias, running_mean,
            running_var, momentum, eps)
        if gelu == _GELU_AFTER:
            out = aten.gelu_(out)
        ctx.save_for_backward(x, norm_weight, norm_bias, mean, invstd, conv_weight)
        ctx.eps, ctx.gelu = eps, gelu
        if conv_weight is None:
            return out
        return pointwise_conv2d(out, conv_weight, conv_bias, inference=False)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad: torch.Tensor):
        x, norm_weight, norm_bias, mean, invstd, conv_weight = ctx.saved_tensors
        need = ctx.needs_input_grad
        grad_conv_w = grad_conv_b = None
        # Recomputed: the norm's input (GELU first) and output (the GELU's or conv's input).
        norm_in = F.gelu(x) if ctx.gelu == _GELU_BEFORE else x
        if conv_weight is not None or ctx.gelu == _GELU_AFTER:
            norm_out = _affine(norm_in, norm_weight, norm_bias, mean, invstd)
        if conv_weight is not None:
            conv_in = F.gelu(norm_out) if ctx.gelu == _GELU_AFTER else norm_out
            grad, grad_conv_w, grad_conv_b = pointwise_conv2d_backward(
                grad, conv_in, conv_weight, (True, need[3], need[4]))
            del conv_in
        if ctx.gelu == _GELU_AFTER:
            grad = aten.gelu_backward(grad, norm_out)
        grad_in, grad_norm_w, grad_norm_b = aten.native_batch_norm_backward(
            grad, norm_in, norm_weight, None, None, mean, invstd, True, ctx.eps,
            [need[0], need[1], need[2]])
        if ctx.gelu == _GELU_BEFORE and need[0]:
            grad_in = aten.gelu_backward(grad_in, x)
        return (grad_in, grad_norm_w, grad_norm_b, grad_conv_w, grad_conv_b, None, None, None,
                None, None)


def _is_gelu(layer: nn.Module) -> bool:
    return type(layer) is nn.GELU and layer.approximate == 'none'


def _parse(layers: Sequence[nn.Module]) -> Optional[tuple]:
    """(gelu position, norm, layer scale, conv) of ``[GELU] BN [GELU] [LayerScale2d] [1x1
    conv]`` (at most one GELU, the layer scale right after the norm); None for anything
    else."""
    layers = list(layers)
    gelu = _GELU_BEFORE if layers and _is_gelu(layers[0]) else _NO_GELU
    if gelu:
        layers.pop(0)
    if not layers:
        return None
    norm = layers.pop(0)
    if layers and _is_gelu(layers[0]) and not gelu:
        gelu = _GELU_AFTER
        layers.pop(0)
    scale = layers.pop(0) if (layers and type(layers[0]) is LayerScale2d
                              and gelu != _GELU_AFTER) else None
    conv = layers.pop(0) if (layers and type(layers[0]) in (nn.Conv2d, PointwiseConv2d)
                             and is_plain_1x1(layers[0])) else None
    return None if layers else (gelu, norm, scale, conv)


def _runs_as_function(x: torch.Tensor, layers: Sequence[nn.Module],
                      parsed: Optional[tuple]) -> bool:
    """A training BatchNorm with torch's forward (BatchNorm2d, SyncBatchNorm, and the
    ``_BatchNormXd`` that mmengine's runner turns SyncBatchNorms into outside distributed
    runs) with batch statistics of one process, autograd recording a run (not compiling, tracing or
    exporting) without autocast."""
    if parsed is None or x.dim() != 4 or x.numel() == x.shape[1]:
        return False
    norm = parsed[1]
    if not (isinstance(norm, _BatchNorm) and norm.training
            and type(norm).forward in (_BatchNorm.forward, nn.SyncBatchNorm.forward)):
        return False
    if syncs_across_processes(norm):
        return False
    return (records_grad([x, *(p for layer in layers for p in layer.parameters())])
            and not torch.is_autocast_enabled(x.device.type))


def _momentum(norm: _BatchNorm) -> float:
    """The running-average factor of this training step, counting it as ``_BatchNorm`` does."""
    if norm.track_running_stats and norm.num_batches_tracked is not None:
        norm.num_batches_tracked.add_(1)
        if norm.momentum is None:
            return 1.0 / float(norm.num_batches_tracked)
    return 0.0 if norm.momentum is None else norm.momentum


def batch_norm_chain(x: torch.Tensor, layers: Sequence[nn.Module]) -> torch.Tensor:
    """``layers`` applied to ``x`` in turn: a BatchNorm with, optionally, an exact GELU
    before or after it, a :class:`LayerScale2d` right after it and a plain 1x1 convolution
    at the end.

    In training it runs as one function that keeps only ``x`` for the backward (see the
    module docstring). Any other case (eval mode, no autograd, autocast, compiling, a
    SyncBatchNorm over several processes, other layers) runs the modules themselves.
    """
    parsed = _parse(layers)
    if not _runs_as_function(x, layers, parsed):
        for layer in layers:
            x = layer(x)
        return x
    gelu, norm, scale, conv = parsed
    weight, bias = norm.weight, norm.bias
    if scale is not None:
        # scale(BN(x)) is a BatchNorm of weight * s and bias * s + t.
        s = scale.weight.view(-1)
        weight = s if weight is None else weight * s
        bias = scale.bias if bias is None else torch.addcmul(scale.bias, bias, s)
    return _BatchNormChainFunction.apply(
        x, weight, bias, None if conv is None else conv.weight,
        None if conv is None else conv.bias, norm.running_mean, norm.running_var,
        _momentum(norm), norm.eps, gelu)
