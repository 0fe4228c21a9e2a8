"""mmhybrid: hybrid CNN-Transformer backbones for the OpenMMLab 2.x stack."""
import _mmhybrid_configs
from . import datasets, engine, models  # noqa: F401 (fill mmhybrid's registries)
from .compat import register_into_openmmlab
from .version import __version__

register_into_openmmlab()
# mmhybrid::NAME config paths (an installed wheel also does this at start-up, see the module).
_mmhybrid_configs.install()

__all__ = ['__version__', 'register_into_openmmlab']
