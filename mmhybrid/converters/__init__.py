from .fcaformer import convert_fcaformer
from .transxnet import convert_transxnet

__all__ = ['convert_fcaformer', 'convert_transxnet']
