"""Effective receptive fields and Grad-CAM maps, the papers' two visual analyses."""
import contextlib
from typing import Callable, Dict, Iterable, Iterator, Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def effective_receptive_field(backbone: nn.Module, images: Iterable[torch.Tensor],
                              stage: int = -1) -> np.ndarray:
    """ERF as in RepLKNet: the input gradient of the centre pixel of a stage's output.

    For each (1, 3, H, W) image, the channel sum of the stage output's centre pixel is
    back-propagated to the input; the absolute gradients, summed over colour channels, are
    accumulated over the images.

    Args:
        backbone: Returns a tuple of NCHW maps.
        images: Preprocessed (1, 3, H, W) inputs of one size.
        stage: Index into the backbone's outputs.

    Returns:
        np.ndarray: (H, W) accumulated contribution map.
    """
    total = None
    backbone.eval()
    for image in images:
        x = image.detach().clone().requires_grad_(True)
        out = backbone(x)[stage]
        if out.dim() != 4:
            raise ValueError(f'backbone output {stage} has shape {tuple(out.shape)}; the ERF '
                             'needs an NCHW map (use a dense config or another stage)')
        h, w = out.shape[2:]
        out[:, :, h // 2, w // 2].sum().backward()
        contribution = x.grad.abs().sum(dim=(0, 1)).numpy()
        total = contribution if total is None else total + contribution
    if total is None:
        raise ValueError('no images given')
    return total


def erf_heatmap(erf: np.ndarray) -> np.ndarray:
    """RepLKNet's display scaling: log(1 + x), then divided by the maximum."""
    scaled = np.log1p(erf)
    return scaled / max(scaled.max(), 1e-12)


def grad_cam(forward: Callable[[torch.Tensor], Tuple[torch.Tensor, torch.Tensor]],
             image: torch.Tensor, target: Optional[int] = None) -> Tuple[np.ndarray, int]:
    """Grad-CAM (Selvaraju et al.) of one image.

    Args:
        forward: Maps the (1, 3, H, W) image to (activations, scores): the NCHW map to
            explain, and either class logits (1, K) or, for a backbone stage, a scalar.
        image: The preprocessed input.
        target: Class to explain; the top-scoring class when None (ignored for scalars).

    Returns:
        (np.ndarray, int): the (H, W) map in [0, 1] at the input size, and the explained
        class (-1 for a scalar score).
    """
    activations, scores = forward(image.detach().clone().requires_grad_(True))
    if activations.dim() != 4:
        raise ValueError(f'Grad-CAM needs an NCHW map, got shape {tuple(activations.shape)}')
    activations.retain_grad()
    if scores.dim() == 0:
        score, target = scores, -1
    else:
        target = int(scores[0].argmax()) if target is None else target
        score = scores[0, target]
    score.backward()
    weights = activations.grad.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * activations).sum(dim=1, keepdim=True))
    cam = F.interpolate(cam, size=image.shape[2:], mode='bilinear', align_corners=False)[0, 0]
    cam = cam.detach().numpy()
    return cam / max(cam.max(), 1e-12), target


@contextlib.contextmanager
def stage_output(backbone: nn.Module, stage: int) -> Iterator[Dict[str, torch.Tensor]]:
    """Captures the NCHW output of ``backbone.stages[stage]`` (before any output layer) in
    the yielded dict under ``'map'``, whatever the backbone returns (maps or a classifier's
    pooled vector). A stage module that runs its blocks itself is hooked as a whole;
    otherwise its last block is, and token outputs (B, H*W, C) called with (x, H, W) are
    reshaped to maps."""
    container = backbone.stages[stage]
    captured: Dict[str, torch.Tensor] = {}

    def keep(module, args, out):
        if isinstance(out, torch.Tensor) and out.dim() == 3 and len(args) == 3:
            _, H, W = args
            out = out.transpose(1, 2).reshape(out.shape[0], -1, H, W)
        if isinstance(out, torch.Tensor) and out.dim() == 4:
            captured.setdefault('map', out)

    handles = [container.register_forward_hook(keep), container[-1].register_forward_hook(keep)]
    try:
        yield captured
    finally:
        for handle in handles:
            handle.remove()


def overlay(image_rgb: np.ndarray, heat: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """Blend a [0, 1] heat map (jet colours) over an (H, W, 3) uint8 RGB image."""
    import matplotlib
    colours = (matplotlib.colormaps['jet'](heat)[..., :3] * 255).astype(np.float32)
    return (image_rgb.astype(np.float32) * (1 - alpha) + colours * alpha).astype(np.uint8)


def load_image(path: str, shape: Tuple[int, int], mean: Iterable[float],
               std: Iterable[float]) -> Tuple[torch.Tensor, np.ndarray]:
    """An image file resized to (H, W): the normalised (1, 3, H, W) RGB tensor and the uint8
    RGB array."""
    from PIL import Image
    rgb = np.asarray(Image.open(path).convert('RGB').resize(shape[::-1], Image.BILINEAR))
    x = torch.from_numpy(rgb.astype(np.float32)).permute(2, 0, 1)
    x = (x - torch.tensor(list(mean)).view(3, 1, 1)) / torch.tensor(list(std)).view(3, 1, 1)
    return x[None], rgb
