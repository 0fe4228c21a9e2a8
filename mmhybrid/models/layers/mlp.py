from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from ..utils import records_grad
from .gemm import Linear, linear_gelu_linear


class Mlp(BaseModule):
    """Token MLP: ``fc1``, GELU, ``fc2`` (the names of timm's and the official codes' Mlp),
    after an optional LayerNorm ``norm``.

    Args:
        dim (int): Input and output width.
        hidden_dim (int): Hidden width.
        pre_norm_eps (float, optional): eps of a LayerNorm before ``fc1``; None: no norm.
    """

    def __init__(self, dim: int, hidden_dim: int, pre_norm_eps: Optional[float] = None) -> None:
        super().__init__()
        self.norm = nn.Identity() if pre_norm_eps is None else nn.LayerNorm(dim, eps=pre_norm_eps)
        # The GELU in fc1 (fused with its product at inference).
        self.fc1 = Linear(dim, hidden_dim, gelu=True)
        self.fc2 = Linear(hidden_dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.norm(x)
        if records_grad([x, self.fc1.weight, self.fc2.weight]):
            # Training: the pre-activation is recomputed in the backward, not kept.
            return linear_gelu_linear(x, self.fc1.weight, self.fc1.bias, self.fc2.weight,
                                      self.fc2.bias)
        return self.fc2(self.fc1(x))
