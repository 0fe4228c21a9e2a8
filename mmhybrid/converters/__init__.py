from .transxnet import convert_transxnet

__all__ = ['convert_transxnet']
