from .fcaformer import FcaFormer, FcaFormerPlain
from .transxnet import TransXNet

__all__ = ['FcaFormer', 'FcaFormerPlain', 'TransXNet']
