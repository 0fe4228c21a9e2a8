"""Reproducible weights for a state dict known only by its keys and shapes.

The golden references in ``tests/data/golden`` were computed by the official implementations
with these weights; regenerating them on our side lets a converter and a model be checked
against the official code without shipping or downloading any weights. The rule, per key:
a ``torch.Generator`` seeded with the first 15 hex digits of ``sha256(f'{seed}:{key}')``
draws one standard-normal tensor of the entry's shape, and then (by the key's last name)
BatchNorm variances are ``0.5 + U(0, 1)`` (a fresh uniform draw), BatchNorm means ``0.1 * n``,
matrices and kernels whose key mentions ``pos`` or ``bias`` ``0.2 * n``, other matrices and
kernels ``n * 0.5 / sqrt(fan_in)``, 1-d ``weight`` vectors ``1 + 0.1 * n`` and everything
else ``0.05 * n``. Inputs are ``randn(shape)`` from a generator seeded with the input's seed.
"""
import hashlib
import math
from typing import Dict, Iterable, Sequence

import torch

VARIANCES = ('running_var', '_variance')  # PyTorch and Paddle names
MEANS = ('running_mean', '_mean')


def _key_generator(key: str, seed: int) -> torch.Generator:
    digest = hashlib.sha256(f'{seed}:{key}'.encode()).hexdigest()
    return torch.Generator().manual_seed(int(digest[:15], 16))


def seeded_tensor(key: str, shape: Sequence[int], seed: int = 0,
                  in_dim_first: bool = False) -> torch.Tensor:
    """The float32 tensor of ``key``; ``in_dim_first`` for layouts that store Linear weights
    as [in, out] (Paddle), whose fan-in is then ``shape[0]``."""
    shape = tuple(int(s) for s in shape)
    gen = _key_generator(key, seed)
    normal = torch.randn(shape, generator=gen)
    last = key.rsplit('.', 1)[-1]
    if last in VARIANCES:
        return 0.5 + torch.rand(shape, generator=gen)
    if last in MEANS:
        return 0.1 * normal
    if len(shape) >= 2:
        if 'pos' in key.lower() or 'bias' in key.lower():
            return 0.2 * normal
        fan_in = shape[0] if in_dim_first and len(shape) == 2 else math.prod(shape[1:])
        return normal * (0.5 / math.sqrt(max(fan_in, 1)))
    if len(shape) == 1 and last == 'weight':
        return 1.0 + 0.1 * normal
    return 0.05 * normal


def seeded_state(entries: Iterable[dict], seed: int = 0,
                 in_dim_first: bool = False) -> Dict[str, torch.Tensor]:
    """Every floating-point entry (dicts with ``key``, ``shape``, ``dtype``) seeded; integer
    buffers are architecture, not weights, and are left out."""
    return {e['key']: seeded_tensor(e['key'], e['shape'], seed, in_dim_first)
            for e in entries if str(e['dtype']).startswith('float')}


def seeded_input(shape: Sequence[int], seed: int = 0) -> torch.Tensor:
    """A standard-normal input of ``shape`` from its own seed."""
    return torch.randn(tuple(shape), generator=torch.Generator().manual_seed(seed))
