from typing import Callable, Dict, Hashable, Sequence, Tuple

import torch


def is_capturing() -> bool:
    """Whether the forward is being compiled, traced or exported (a graph, not a run)."""
    return (torch.compiler.is_compiling() or torch.jit.is_tracing()
            or torch.onnx.is_in_onnx_export())


class ParameterCache:
    """Tensors derived from parameters (gathered or resized attention biases), computed once
    and reused while nothing can change them or needs their graph.

    Each slot holds one entry, reused when autograd does not record (no grad mode, or
    parameters that do not require grad) and the parameters (version, storage, dtype, device)
    and ``variant`` (e.g. the input size) are those it was computed for; it is recomputed on
    every call while training, compiling, tracing or exporting, so gradients and graphs are
    those of the plain computation.
    """

    def __init__(self) -> None:
        self._entries: Dict[Hashable, Tuple[tuple, torch.Tensor]] = {}

    def get(self, slot: Hashable, params: Sequence[torch.Tensor],
            compute: Callable[[], torch.Tensor], variant: Hashable = None) -> torch.Tensor:
        if is_capturing() or (torch.is_grad_enabled()
                              and any(p.requires_grad for p in params)):
            return compute()
        stamp = (variant, *((p._version, p.data_ptr(), p.dtype, p.device) for p in params))
        entry = self._entries.get(slot)
        if entry is None or entry[0] != stamp:
            entry = self._entries[slot] = (stamp, compute())
        return entry[1]
