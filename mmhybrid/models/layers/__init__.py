from .layer_scale import LayerScale2d
from .norm import LayerNorm2d
from .window import WindowPartition

__all__ = ['LayerScale2d', 'LayerNorm2d', 'WindowPartition']
