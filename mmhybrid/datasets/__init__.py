"""Data transforms that the mm packages lack; registered when mmseg is installed."""
import importlib.util

__all__ = []
if importlib.util.find_spec('mmseg') is not None:
    from .transforms import SETRMultiScaleResize  # noqa: F401
    __all__ = ['SETRMultiScaleResize']
