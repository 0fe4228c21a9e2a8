# HLG-Tiny on ImageNet-1k, the official recipe (hlg-classification/config.py).
_base_ = ['./_base_/hlg/hlg_in1k.py']

model = dict(backbone=dict(arch='t'), head=dict(in_channels=512))
