"""Multi-head attention with an additive logit bias (relative position biases)."""
from typing import Optional

import torch
import torch.nn.functional as F

from ..utils import records_grad


def biased_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                     bias: Optional[torch.Tensor]) -> torch.Tensor:
    """``softmax(q k^T / sqrt(d) + bias) v`` for q (..., N, d), k and v (..., M, d) and a
    bias broadcastable to (..., N, M), or none.

    ``scaled_dot_product_attention`` unless autograd records the bias (a learned position
    bias in training): then SDPA takes its unfused math path, whose NaN-safe softmax scans
    the scores twice more (``all`` / ``where``, 7-10 % of an attention's training step on the
    CPU); the explicit form is the same math without them. Compiled and traced graphs keep
    SDPA (FLOP counters and exporters know it).
    """
    if bias is None:
        return F.scaled_dot_product_attention(q, k, v)
    bias = bias.to(q.dtype)
    if not records_grad([bias]):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
    # The scale on q before the product (no float16 overflow); the bias added in place (the
    # product's backward needs its inputs, not its output).
    scores = torch.matmul(q * q.shape[-1]**-0.5, k.transpose(-2, -1)).add_(bias)
    return torch.matmul(scores.softmax(-1), v)
