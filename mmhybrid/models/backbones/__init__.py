from .fcaformer import FcaFormer, FcaFormerPlain
from .hlg import HLG
from .hybridformer import HybridFormer
from .mixformer import MixFormer
from .transxnet import TransXNet

__all__ = ['FcaFormer', 'FcaFormerPlain', 'HLG', 'HybridFormer', 'MixFormer', 'TransXNet']
