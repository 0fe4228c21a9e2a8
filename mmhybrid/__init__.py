"""mmhybrid: hybrid CNN-Transformer backbones for the OpenMMLab 2.x stack."""
from . import datasets, engine, models  # noqa: F401 (fill mmhybrid's registries)
from .compat import register_into_openmmlab
from .version import __version__

register_into_openmmlab()

__all__ = ['__version__', 'register_into_openmmlab']
