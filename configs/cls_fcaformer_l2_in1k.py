# FcaFormer-L2 on ImageNet-1k, the official recipe (scripts/fca_l2.sh): drop path 0.1.
_base_ = ['./_base_/fcaformer/fcaformer_in1k.py']

model = dict(backbone=dict(arch='l2', drop_path_rate=0.1), head=dict(in_channels=480))
