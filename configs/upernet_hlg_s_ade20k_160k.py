# UperNet + HLG-Small, ADE20K 160k: mmseg's Swin recipe.
_base_ = ['./_base_/seg/upernet_ade20k_160k.py', './_base_/hlg/hlg_s.py']

model = dict(
    backbone={{_base_.backbone}},
    decode_head=dict(in_channels={{_base_.backbone_channels}}),
    auxiliary_head=dict(in_channels={{_base_.backbone_stage3_channels}}))
