"""Gradient checkpointing of one block without side effects on BatchNorm statistics."""
import contextlib
from typing import Iterator

import torch
import torch.nn as nn
import torch.utils.checkpoint as cp
from torch.nn.modules.batchnorm import _BatchNorm


@contextlib.contextmanager
def _running_stats_frozen(module: nn.Module) -> Iterator[None]:
    """BatchNorms in training mode still normalise with batch statistics, but their running
    statistics stay as they are (momentum 0: ``1 * running + 0 * batch``, cumulative averages
    with ``momentum=None`` included) and ``num_batches_tracked`` is put back. The op sequence
    stays that of the forward, as the checkpoint's recomputation requires."""
    changed = [(m, m.momentum, m.num_batches_tracked.clone())
               for m in module.modules()
               if isinstance(m, _BatchNorm) and m.training and m.track_running_stats]
    for m, _, _ in changed:
        m.momentum = 0.0
    try:
        yield
    finally:
        for m, momentum, tracked in changed:
            m.momentum = momentum
            m.num_batches_tracked.copy_(tracked)


def checkpoint_block(block: nn.Module, *args, enabled: bool = True):
    """``block(*args)``, under gradient checkpointing when ``enabled`` and autograd records.

    The recomputation during backward replays the forward with the same random state (the same
    dropout and drop-path masks) and without updating BatchNorm running statistics a second
    time, so outputs, gradients and buffers equal those of the plain call.
    """
    if not (enabled and torch.is_grad_enabled()):
        return block(*args)
    return cp.checkpoint(
        block, *args, use_reentrant=False,
        context_fn=lambda: (contextlib.nullcontext(), _running_stats_frozen(block)))
