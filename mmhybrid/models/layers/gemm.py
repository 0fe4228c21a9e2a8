"""Linear layers on oneDNN's matrix product on x86 CPUs.

On the CPU torch runs a float32 ``F.linear`` and its backward on MKL's GEMM. On AMD CPUs MKL
takes a generic code path at about half of what the cores do (about 220 of 450 GFLOP/s on
the project's 2-core AMD EPYC, torch 2.14); oneDNN's inner product, which torch ships for its
convolutions, runs at full speed there: 1.4-2.3x faster, forward and both gradients, on the
Linear layers of FcaFormer, MixFormer and HLG. On Intel CPUs both libraries run at full speed.
Each call costs oneDNN about 10 µs more, so products under :data:`LARGE_MACS`
multiply-adds stay on ``F.linear``, as does everything off x86 CPUs, in other dtypes, under
autocast, and while compiling, tracing or exporting (graphs and FLOP counters see
``aten::linear``). Outputs equal ``F.linear``'s up to float summation order.
"""
import platform
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..utils import is_capturing, records_grad

LARGE_MACS = 1 << 20
_ONEDNN = (platform.machine().lower() in ('x86_64', 'amd64')
           and torch.backends.mkldnn.is_available()
           and hasattr(torch.ops.mkldnn, '_linear_pointwise'))


def _product(x: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor] = None,
             activation: str = 'none') -> torch.Tensor:
    """``x @ weight.T + bias`` for 2-d ``x`` (N, K) and ``weight`` (M, K), on oneDNN, with
    ``activation`` (``'gelu'``: the exact, erf form) applied in the same pass."""
    return torch.ops.mkldnn._linear_pointwise(x, weight, bias, activation, [],
                                              'none' if activation == 'gelu' else '')


class _LinearFunction(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor,
                bias: Optional[torch.Tensor]) -> torch.Tensor:
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        return _product(x, weight, bias)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad: torch.Tensor):
        x, weight = ctx.saved_tensors
        grad = grad.contiguous()
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = _product(grad, weight.t().contiguous())
        if ctx.needs_input_grad[1]:
            # grad^T x, with the transposed operand of fewer rows as oneDNN's source (its
            # reorder of the strided views is cheaper that way round: up to 1.8x).
            if x.shape[1] < grad.shape[1]:
                grad_w = _product(x.t(), grad.t()).t().contiguous()
            else:
                grad_w = _product(grad.t(), x.t())
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_b = grad.sum(0)
        return grad_x, grad_w, grad_b


def _onednn_applies(x: torch.Tensor, weight: torch.Tensor,
                    bias: Optional[torch.Tensor]) -> bool:
    return (_ONEDNN and x.device.type == 'cpu' and x.dtype == weight.dtype == torch.float32
            and (bias is None or bias.dtype == x.dtype)
            and x.numel() * weight.shape[0] >= LARGE_MACS
            and not torch.is_autocast_enabled('cpu') and not is_capturing())


def _linear(x: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor],
            gelu: bool) -> torch.Tensor:
    if not _onednn_applies(x, weight, bias):
        out = F.linear(x, weight, bias)
        return F.gelu(out) if gelu else out
    flat = x.reshape(-1, x.shape[-1])
    if records_grad([x, weight] if bias is None else [x, weight, bias]):
        out = _LinearFunction.apply(flat, weight, bias)
        out = F.gelu(out) if gelu else out
    else:
        out = _product(flat, weight, bias, 'gelu' if gelu else 'none')
    return out.reshape(*x.shape[:-1], weight.shape[0])


def linear(x: torch.Tensor, weight: torch.Tensor,
           bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``F.linear(x, weight, bias)``, on oneDNN where that is faster (see the module)."""
    return _linear(x, weight, bias, gelu=False)


def linear_gelu(x: torch.Tensor, weight: torch.Tensor,
                bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``F.gelu(F.linear(x, weight, bias))``; at inference on oneDNN in one pass (the GELU
    applied as the product's results are written: one read and write of the output less)."""
    return _linear(x, weight, bias, gelu=True)


class Linear(nn.Linear):
    """``nn.Linear`` (same arguments, parameters and state dict) computed by :func:`linear`;
    with ``gelu=True`` it returns the GELU of its output (:func:`linear_gelu`), so that the
    activation fuses at inference while module hooks (FLOP counters) still see the layer."""

    def __init__(self, *args, gelu: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gelu = gelu

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.gelu:
            return linear_gelu(x, self.weight, self.bias)
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return super().extra_repr() + (', gelu=True' if self.gelu else '')
