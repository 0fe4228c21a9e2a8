# SETR-HLG + HLG-Medium, Cityscapes 40k: a README row, with the official recipe.
_base_ = ['./_base_/seg/setr-hlg_cityscapes_40k.py', './_base_/backbones/hlg_m.py']

model = dict(
    backbone={{_base_.backbone}},
    decode_head=dict(in_channels={{_base_.backbone_channels}}),
    auxiliary_head=dict(in_channels={{_base_.backbone_stage3_channels}}))
