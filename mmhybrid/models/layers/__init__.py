from .layer_scale import LayerScale2d

__all__ = ['LayerScale2d']
