"""The from-scratch initialisation most official codes share."""
from typing import Tuple, Type

import torch.nn as nn
from mmengine.model.weight_init import trunc_normal_
from torch.nn.modules.batchnorm import _BatchNorm

NORMS: Tuple[Type[nn.Module], ...] = (nn.LayerNorm, nn.GroupNorm, _BatchNorm)


def trunc_normal_init(module: nn.Module,
                      layers: Tuple[Type[nn.Module], ...] = (nn.Linear, nn.Conv2d),
                      std: float = 0.02) -> None:
    """Truncated-normal weights and zero biases for ``layers``; unit weights and zero biases
    for every norm (LayerNorm2d included, a LayerNorm)."""
    for m in module.modules():
        if isinstance(m, layers):
            trunc_normal_(m.weight, std=std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, NORMS) and m.weight is not None:
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
