import importlib.util

from .backbones import *  # noqa: F401,F403 (registers every backbone)
from .backbones import __all__

# Decode heads build on mmseg's BaseDecodeHead: registered when mmseg is installed.
if importlib.util.find_spec('mmseg') is not None:
    from .heads import SETRHLGHead  # noqa: F401
    __all__ = [*__all__, 'SETRHLGHead']
