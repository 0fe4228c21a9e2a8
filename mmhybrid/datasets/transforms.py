"""SETR's multi-scale test resize."""
from typing import Tuple

from mmseg.datasets.transforms import Resize

from mmhybrid.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SETRMultiScaleResize(Resize):
    """One scale of SETR's multi-scale test (the official ``MultiScaleFlipAug`` with
    ``Resize(keep_ratio=True, setr_multi_scale=True)``, fudan-zvg/SETR
    ``mmseg/datasets/pipelines/transforms.py``).

    The scale ``(W, H) x ratio`` (each side truncated, as mmseg 0.x does) gives a target
    short side ``min`` of the two, raised to at least ``min_short`` (the crop size, so that
    every sliding window fits); the image is rescaled so that its short side equals that,
    whatever its long side becomes. mmseg's default multi-scale test instead rescales to fit
    the scaled (W, H) box.

    Args:
        scale (tuple[int, int]): The single-scale test scale (W, H), e.g. (2048, 512).
        ratio (float): This test scale's ratio.
        min_short (int): The smallest short side (SETR: the crop size).
        **kwargs: Other :class:`mmseg.datasets.transforms.Resize` arguments.
    """

    def __init__(self, scale: Tuple[int, int], ratio: float = 1.0, min_short: int = 512,
                 **kwargs) -> None:
        super().__init__(scale=scale, keep_ratio=True, **kwargs)
        self.ratio, self.min_short = ratio, min_short

    def transform(self, results: dict) -> dict:
        short = max(min(int(self.scale[0] * self.ratio), int(self.scale[1] * self.ratio)),
                    self.min_short)
        h, w = results['img'].shape[:2]
        # mmcv.imrescale fits (long, short) edges: equal factors, short side -> `short`.
        results['scale'] = (short * max(h, w) / min(h, w), short)
        self._resize_img(results)
        self._resize_bboxes(results)
        self._resize_seg(results)
        self._resize_keypoints(results)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(scale={self.scale}, ratio={self.ratio}, '
                f'min_short={self.min_short})')
