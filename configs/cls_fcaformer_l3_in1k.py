# FcaFormer-L3 on ImageNet-1k, the official recipe (scripts/fca_l3.sh): drop path 0.2.
_base_ = ['./_base_/fcaformer/fcaformer_in1k.py']

model = dict(backbone=dict(arch='l3', drop_path_rate=0.2), head=dict(in_channels=512))
