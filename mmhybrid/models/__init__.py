from .backbones import *  # noqa: F401,F403 (registers every backbone)
from .backbones import __all__
