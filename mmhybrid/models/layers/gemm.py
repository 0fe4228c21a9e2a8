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
# Positions per chunk of :func:`channel_mlp`: a 64-wide hidden chunk is 2 MiB (measured best
# of 1K-16K for HybridFormer's head mixing at 224 and 512x512).
CHUNK_POSITIONS = 8192
_ONEDNN = (platform.machine().lower() in ('x86_64', 'amd64')
           and torch.backends.mkldnn.is_available()
           and hasattr(torch.ops.mkldnn, '_linear_pointwise'))


def _product(x: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor] = None,
             activation: str = 'none') -> torch.Tensor:
    """``x @ weight.T + bias`` for 2-d ``x`` (N, K) and ``weight`` (M, K), on oneDNN, with
    ``activation`` (``'gelu'``: the exact, erf form) applied in the same pass. A transposed
    ``weight`` view is taken as it is: oneDNN reorders every weight to its blocked layout
    anyway, and a contiguous copy first doubled the cost of a backward's input gradient."""
    return torch.ops.mkldnn._linear_pointwise(x, weight, bias, activation, [],
                                              'none' if activation == 'gelu' else '')


def _weight_grad(grad: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``grad^T x`` (a Linear's weight gradient) for 2-d ``grad`` and ``x``, with the transposed
    operand of fewer rows as oneDNN's source (its reorder of the strided views is cheaper that
    way round: up to 1.8x)."""
    if x.shape[1] < grad.shape[1]:
        return _product(x.t(), grad.t()).t().contiguous()
    return _product(grad.t(), x.t())


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
            grad_x = _product(grad, weight.t())
        if ctx.needs_input_grad[1]:
            grad_w = _weight_grad(grad, x)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_b = grad.sum(0)
        return grad_x, grad_w, grad_b


class _MlpFunction(torch.autograd.Function):
    """``fc2(GELU(fc1(x)))`` that keeps x and the hidden activation for the backward, which
    recomputes the pre-activation (a product as narrow as x) instead of keeping it."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, w1: torch.Tensor, b1: Optional[torch.Tensor],
                w2: torch.Tensor, b2: Optional[torch.Tensor]) -> torch.Tensor:
        hidden = _product(x, w1, b1, 'gelu')
        ctx.save_for_backward(x, w1, b1, w2, hidden)
        ctx.has_b2 = b2 is not None
        return _product(hidden, w2, b2)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad: torch.Tensor):
        x, w1, b1, w2, hidden = ctx.saved_tensors
        need = ctx.needs_input_grad
        grad = grad.contiguous()
        grad_w2 = _weight_grad(grad, hidden) if need[3] else None
        grad_b2 = grad.sum(0) if ctx.has_b2 and need[4] else None
        del hidden
        grad_h = _product(grad, w2.t())
        # The GELU's gradient, written over the hidden gradient.
        pre = _product(x, w1, b1)
        grad_h = torch.ops.aten.gelu_backward.grad_input(grad_h, pre, grad_input=grad_h)
        del pre
        grad_x = _product(grad_h, w1.t()) if need[0] else None
        grad_w1 = _weight_grad(grad_h, x) if need[1] else None
        grad_b1 = grad_h.sum(0) if b1 is not None and need[2] else None
        return grad_x, grad_w1, grad_b1, grad_w2, grad_b2


class _ChannelMlpFunction(torch.autograd.Function):
    """:func:`channel_mlp` in training: keeps only x, recomputes each chunk's hidden map."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, w1: torch.Tensor, b1: Optional[torch.Tensor],
                w2: torch.Tensor, b2: Optional[torch.Tensor]) -> torch.Tensor:
        ctx.save_for_backward(x, w1, b1, w2)
        ctx.has_b2 = b2 is not None
        return _channel_mlp_chunks(x, w1, b1, w2, b2)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad: torch.Tensor):
        x, w1, b1, w2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        grad = grad.contiguous().view(x.shape)
        grad_x = torch.empty_like(x) if need[0] else None
        grad_w1, grad_w2 = torch.zeros_like(w1), torch.zeros_like(w2)
        grad_b1 = None if b1 is None else torch.zeros_like(b1)
        grad_b2 = w2.new_zeros(w2.shape[0]) if ctx.has_b2 else None
        for index, rows in _position_chunks(x):
            g = grad[index]
            pre = _product(rows, w1, b1)
            grad_w2.addmm_(g, F.gelu(pre))
            if grad_b2 is not None:
                grad_b2 += g.sum(1)
            grad_pre = _product(g.t(), w2.t())
            grad_pre = torch.ops.aten.gelu_backward.grad_input(grad_pre, pre, grad_input=grad_pre)
            if grad_x is not None:
                grad_x[index] = _product(grad_pre, w1.t()).t()
            grad_w1.addmm_(grad_pre.t(), rows)
            if grad_b1 is not None:
                grad_b1 += grad_pre.sum(0)
        return (grad_x, grad_w1 if need[1] else None, grad_b1 if b1 is not None and need[2]
                else None, grad_w2 if need[3] else None, grad_b2 if need[4] else None)


def _position_chunks(x: torch.Tensor):
    """``(index, rows)`` for chunks of :data:`CHUNK_POSITIONS` positions of each image of a
    (B, C, L) map: ``index`` selects the chunk (C, P), ``rows`` is it as a (P, C) view."""
    B, C, L = x.shape
    for b in range(B):
        for start in range(0, L, CHUNK_POSITIONS):
            index = (b, slice(None), slice(start, start + CHUNK_POSITIONS))
            yield index, x[index].t()


def _channel_mlp_chunks(x: torch.Tensor, w1: torch.Tensor, b1: Optional[torch.Tensor],
                        w2: torch.Tensor, b2: Optional[torch.Tensor]) -> torch.Tensor:
    out = x.new_empty(x.shape[0], w2.shape[0], x.shape[2])
    for index, rows in _position_chunks(x):
        out[index] = _product(_product(rows, w1, b1, 'gelu'), w2, b2).t()
    return out


def _onednn_applies(x: torch.Tensor, weight: torch.Tensor,
                    bias: Optional[torch.Tensor]) -> bool:
    return (_ONEDNN and x.device.type == 'cpu' and x.dtype == weight.dtype == torch.float32
            and (bias is None or bias.dtype == x.dtype)
            and x.numel() * weight.shape[0] >= LARGE_MACS
            and not torch.is_autocast_enabled('cpu') and not is_capturing())


def _mlp_on_onednn(x: torch.Tensor, w1: torch.Tensor, b1: Optional[torch.Tensor],
                   w2: torch.Tensor, b2: Optional[torch.Tensor]) -> bool:
    """Whether both products of an MLP (x -> w1, b1 -> w2, b2) run on oneDNN."""
    return (_onednn_applies(x, w1, b1) and w2.dtype == x.dtype
            and (b2 is None or b2.dtype == x.dtype))


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


def linear_gelu_linear(x: torch.Tensor, w1: torch.Tensor, b1: Optional[torch.Tensor],
                       w2: torch.Tensor, b2: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)``: a two-layer MLP. Where the products
    run on oneDNN and autograd records them, it keeps x and the hidden activation for the
    backward, which recomputes the pre-activation: a map of the hidden width less to write,
    keep and fault in, and the GELU runs inside the first product."""
    tensors = [t for t in (x, w1, b1, w2, b2) if t is not None]
    if not (_mlp_on_onednn(x, w1, b1, w2, b2) and records_grad(tensors)):
        return linear(linear_gelu(x, w1, b1), w2, b2)
    out = _MlpFunction.apply(x.reshape(-1, x.shape[-1]), w1, b1, w2, b2)
    return out.reshape(*x.shape[:-1], w2.shape[0])


def channel_mlp(x: torch.Tensor, w1: torch.Tensor, b1: Optional[torch.Tensor], w2: torch.Tensor,
                b2: Optional[torch.Tensor] = None) -> torch.Tensor:
    """:func:`linear_gelu_linear` over the channel axis (dim 1) of a (B, C, ...) map, such as
    the heads of (B, heads, N, M) attention logits; the output is a (B, C', ...) map.

    Where the products run on oneDNN, the positions go in chunks of :data:`CHUNK_POSITIONS`
    per image, whose hidden activations stay in the cache instead of making a round trip
    through memory as a whole hidden-width map (with few channels, as in HybridFormer's head
    mixing, the products are bound by that traffic: for 16 heads over 1024 tokens 3.4x faster
    forward, 2.8x forward and backward); in training only x is kept and each chunk's hidden
    map is recomputed in the backward.
    """
    if not _mlp_on_onednn(x, w1, b1, w2, b2):
        # Explicit permutations: ONNX export writes movedim's -1 into an invalid Transpose.
        last = x.dim() - 1
        out = linear_gelu_linear(x.permute(0, *range(2, x.dim()), 1), w1, b1, w2, b2)
        return out.permute(0, last, *range(1, last))
    flat = x.contiguous().view(x.shape[0], x.shape[1], -1)
    if records_grad([t for t in (x, w1, b1, w2, b2) if t is not None]):
        out = _ChannelMlpFunction.apply(flat, w1, b1, w2, b2)
    else:
        out = _channel_mlp_chunks(flat, w1, b1, w2, b2)
    return out.view(x.shape[0], w2.shape[0], *x.shape[2:])


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
