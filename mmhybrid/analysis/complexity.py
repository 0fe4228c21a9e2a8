"""FLOP counting with mmengine's jit-traced (fvcore-style) analyzer, attention included.

mmengine's FlopAnalyzer counts matmuls but knows nothing of
``scaled_dot_product_attention``, which every mmhybrid attention uses: without a handle its
two matmuls would be silently dropped.
"""
from typing import Any, List, Sequence

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer
from mmengine.analysis.jit_handles import get_shape


def sdpa_flop_jit(inputs: List[Any], outputs: List[Any]) -> int:
    """Multiply-adds of softmax(Q K^T) V: B*h*N*Nk*(d + dv) (the softmax is not counted)."""
    q, k, v = (get_shape(t) for t in inputs[:3])
    *batch, n, d = q
    nk, dv = k[-2], v[-1]
    return int(torch.tensor(batch).prod().item()) * n * nk * (d + dv)


def count_flops(model: nn.Module, inputs: Sequence[torch.Tensor],
                with_attention: bool = True) -> int:
    """Total multiply-adds of ``model(*inputs)`` (one per FMA, as fvcore and the papers).

    Args:
        model: The model, in eval mode.
        inputs: Its positional inputs.
        with_attention: Count the attention matmuls inside scaled_dot_product_attention.
    """
    analyzer = FlopAnalyzer(model, tuple(inputs))
    analyzer.set_op_handle('aten::scaled_dot_product_attention',
                           sdpa_flop_jit if with_attention else None)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    return analyzer.total()
