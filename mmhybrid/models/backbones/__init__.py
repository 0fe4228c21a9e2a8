from .fcaformer import FcaFormer, FcaFormerPlain
from .mixformer import MixFormer
from .transxnet import TransXNet

__all__ = ['FcaFormer', 'FcaFormerPlain', 'MixFormer', 'TransXNet']
