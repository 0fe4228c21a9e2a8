"""Official HLG checkpoints: the key map is :func:`mmhybrid.models.backbones.hlg.convert_hlg`."""
from mmhybrid.models.backbones.hlg import convert_hlg

__all__ = ['convert_hlg']
