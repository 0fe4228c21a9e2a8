"""Samplers for exact resume, and data transforms that the mm packages lack (registered when
mmseg is installed)."""
import importlib.util

from .samplers import SeededDefaultSampler, SeededInfiniteSampler

__all__ = ['SeededDefaultSampler', 'SeededInfiniteSampler']
if importlib.util.find_spec('mmseg') is not None:
    from .transforms import SETRMultiScaleResize  # noqa: F401
    __all__.append('SETRMultiScaleResize')
