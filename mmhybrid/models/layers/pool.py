import numpy as np
import torch
import torch.nn.functional as F


def _bins(size: int, out: int, like: torch.Tensor) -> torch.Tensor:
    """(out, size) averaging matrix of adaptive pooling: bin i spans
    [floor(i * size / out), ceil((i + 1) * size / out)). Built in numpy, so that an exporter
    records it as one constant."""
    matrix = np.zeros((out, size), np.float64)
    for i in range(out):
        start, end = (i * size) // out, -(-(i + 1) * size // out)
        matrix[i, start:end] = 1. / (end - start)
    return torch.from_numpy(matrix).to(like)


def adaptive_avg_pool2d(x: torch.Tensor, size: int) -> torch.Tensor:
    """``F.adaptive_avg_pool2d(x, size)`` in a form torch's ONNX exporter takes also when
    ``size`` does not divide the input (which it refuses): then two matrix products with the
    same bins (for a static input size)."""
    h, w = (int(s) for s in x.shape[-2:])
    if h % size == 0 and w % size == 0:
        return F.adaptive_avg_pool2d(x, size)
    return _bins(h, size, x) @ x @ _bins(w, size, x).t()
