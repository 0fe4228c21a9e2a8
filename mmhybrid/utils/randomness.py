"""Randomness that is a pure function of named integers, for exact resume (README,
"Reliability"): samplers seed each sample's augmentation, a hook each training iteration."""
import contextlib
import random
from typing import Iterator

import numpy as np
import torch

# Streams of derive_seed, so that data and model randomness never share a seed.
DATA_STREAM, MODEL_STREAM = 0, 1


def derive_seed(*keys: int) -> int:
    """A 32-bit seed that is a pure function of ``keys`` (non-negative or negative ints)."""
    entropy = [int(k) & 0xFFFFFFFFFFFFFFFF for k in keys]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])


def seed_everything(seed: int) -> None:
    """Seed ``random``, ``numpy`` and ``torch`` (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@contextlib.contextmanager
def seeded_randomness(seed: int) -> Iterator[None]:
    """Run a block with ``random``, ``numpy`` and ``torch`` (CPU) seeded by ``seed``; their
    previous states come back afterwards, so the caller's random streams are not consumed."""
    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    seed_everything(seed)
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])
