# FcaFormer-L1 on ImageNet-1k, the official recipe (scripts/fca_l1.sh): drop path 0.0.
_base_ = ['./_base_/fcaformer/fcaformer_in1k.py']

model = dict(backbone=dict(arch='l1', drop_path_rate=0.0), head=dict(in_channels=320))
