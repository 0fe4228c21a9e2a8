from .fcaformer import FcaFormer, FcaFormerPlain
from .hybridformer import HybridFormer
from .mixformer import MixFormer
from .transxnet import TransXNet

__all__ = ['FcaFormer', 'FcaFormerPlain', 'HybridFormer', 'MixFormer', 'TransXNet']
