"""Inference-time folding of BatchNorms, layer scales and identity shortcuts into convolutions.

In eval mode a BatchNorm is a per-channel affine map, so it folds into the convolution before
it (``conv -> BN``) or into a 1x1 convolution after it (``BN -> conv``, exact because a 1x1
convolution has no zero padding); a shortcut around a stride-1 depthwise convolution is +1 on
its kernel's centre tap. The folded tensors are computed from the parameters and buffers and
cached (:class:`~mmhybrid.models.utils.ParameterCache`), so a model's state dict, training and
gradients stay those of the plain modules; only inference runs fewer, fused operations.
"""
import contextlib
from typing import Iterator, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from torch.nn.modules.batchnorm import _BatchNorm

from ..utils import ParameterCache, is_capturing

Tensors = Tuple[torch.Tensor, torch.Tensor]


_disabled = [False]


@contextlib.contextmanager
def unfolded() -> Iterator[None]:
    """Run the plain modules even where folding could run, e.g. for counters that hook every
    module's forward (folded paths call functional convs, which no module hook sees)."""
    previous, _disabled[0] = _disabled[0], True
    try:
        yield
    finally:
        _disabled[0] = previous


def can_fold(module: nn.Module) -> bool:
    """Whether ``module`` may run its folded inference path: eval mode, autograd off (nothing
    to differentiate through the folded tensors), a plain run (compiling, tracing and ONNX
    export see the unfolded modules) and not inside :func:`unfolded`."""
    return (not module.training and not torch.is_grad_enabled() and not is_capturing()
            and not _disabled[0])


def foldable_norms(*norms: nn.Module) -> bool:
    """Whether every norm is a BatchNorm (other norm types keep the plain path)."""
    return all(isinstance(n, _BatchNorm) for n in norms)


def bn_affine(bn: _BatchNorm) -> Tensors:
    """An eval-mode BatchNorm as ``x * scale + shift`` (per channel)."""
    scale = torch.rsqrt(bn.running_var + bn.eps)
    shift = -bn.running_mean * scale
    if bn.affine:
        scale = scale * bn.weight
        shift = shift * bn.weight + bn.bias
    return scale, shift


def fold_affine(weight: torch.Tensor, bias: Optional[torch.Tensor], scale: torch.Tensor,
                shift: Optional[torch.Tensor] = None) -> Tensors:
    """``conv(x) * scale + shift`` (per output channel; a conv or Linear ``weight``, output
    channels first) as one layer: its (weight, bias)."""
    weight = weight * scale.view(-1, *([1] * (weight.dim() - 1)))
    bias = None if bias is None else bias * scale
    if shift is not None:
        bias = shift if bias is None else bias + shift
    return weight, bias


def fold_conv_bn(weight: torch.Tensor, bias: Optional[torch.Tensor], bn: _BatchNorm) -> Tensors:
    """``bn(conv(x))`` as one convolution: its (weight, bias)."""
    return fold_affine(weight, bias, *bn_affine(bn))


def fold_bn_conv1x1(bn: _BatchNorm, weight: torch.Tensor,
                    bias: Optional[torch.Tensor]) -> Tensors:
    """``conv1x1(bn(x))`` (a dense 1x1 convolution) as one convolution: its (weight, bias)."""
    scale, shift = bn_affine(bn)
    folded_bias = (weight.flatten(1) * shift).sum(1)
    if bias is not None:
        folded_bias = folded_bias + bias
    return weight * scale.view(1, -1, 1, 1), folded_bias


def add_identity(weight: torch.Tensor) -> torch.Tensor:
    """The depthwise kernel (C, 1, kh, kw) of ``conv(x) + x``: +1 on the centre tap (odd sizes,
    'same' padding)."""
    kh, kw = weight.shape[-2:]
    weight = weight.clone()
    weight[:, 0, kh // 2, kw // 2] += 1
    return weight


def gelu_(x: torch.Tensor) -> torch.Tensor:
    """Exact GELU in place: at inference a map's activation needs no new buffer."""
    return torch.ops.aten.gelu_(x)


def scaled_linear(cache: ParameterCache, slot: str, linear: nn.Linear,
                  scale: torch.Tensor) -> Tensors:
    """``scale * linear(x)`` as one Linear: its (weight, bias), cached in ``cache[slot]``."""
    return cache.get(slot, [linear.weight, linear.bias, scale],
                     lambda: fold_affine(linear.weight, linear.bias, scale))


class FoldedConvModule(ConvModule):
    """``ConvModule`` (same arguments, parameters and state dict) whose conv -> BatchNorm runs
    as one convolution at inference (:func:`can_fold`), the folded weights cached; any other
    order, norm, padding layer or call is the plain ``ConvModule``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._foldable = (self.with_norm and foldable_norms(self.norm)
                          and self.order.index('norm') == self.order.index('conv') + 1
                          and not self.with_explicit_padding
                          and isinstance(self.conv, nn.Conv2d)
                          and self.conv.padding_mode == 'zeros')
        self._folded = ParameterCache()

    def forward(self, x: torch.Tensor, activate: bool = True, norm: bool = True) -> torch.Tensor:
        if not (self._foldable and activate and norm and can_fold(self)):
            return super().forward(x, activate, norm)
        conv = self.conv
        w, b = self._folded.get('conv_bn', self,
                                lambda: fold_conv_bn(conv.weight, conv.bias, self.norm))
        for layer in self.order:
            if layer == 'conv':
                x = F.conv2d(x, w, b, conv.stride, conv.padding, conv.dilation, conv.groups)
            elif layer == 'act' and self.with_activation:
                x = self.activate(x)
        return x
