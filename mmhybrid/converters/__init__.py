from .fcaformer import convert_fcaformer
from .hlg import convert_hlg
from .mixformer import convert_mixformer
from .transxnet import convert_transxnet

__all__ = ['convert_fcaformer', 'convert_hlg', 'convert_mixformer', 'convert_transxnet']
