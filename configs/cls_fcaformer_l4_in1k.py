# FcaFormer-L4 on ImageNet-1k, the official recipe (scripts/fca_l4.sh): drop path 0.4.
_base_ = ['./_base_/fcaformer/fcaformer_in1k.py']

model = dict(backbone=dict(arch='l4', drop_path_rate=0.4), head=dict(in_channels=768))
