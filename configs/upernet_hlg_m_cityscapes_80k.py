# UperNet + HLG-Medium, Cityscapes 80k: mmseg's Swin recipe.
_base_ = ['./_base_/seg/upernet_cityscapes_80k.py', './_base_/hlg/hlg_m.py']

model = dict(
    backbone={{_base_.backbone}},
    decode_head=dict(in_channels={{_base_.backbone_channels}}),
    auxiliary_head=dict(in_channels={{_base_.backbone_stage3_channels}}))
