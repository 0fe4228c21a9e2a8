# UperNet + MixFormer-B2, Cityscapes 80k: no official config, so mmseg's Swin recipe.
_base_ = ['./_base_/seg/upernet_cityscapes_80k.py', './_base_/mixformer/mixformer_b2.py']

model = dict(
    backbone={{_base_.backbone}},
    decode_head=dict(in_channels={{_base_.backbone_channels}}),
    auxiliary_head=dict(in_channels={{_base_.backbone_stage3_channels}}))
