# UperNet + HybridFormer-L, ADE20K 160k: no official config, so mmseg's Swin recipe.
_base_ = ['./_base_/seg/upernet_ade20k_160k.py', './_base_/hybridformer/hybridformer_l.py']

model = dict(
    backbone={{_base_.backbone_seg}},
    decode_head=dict(in_channels={{_base_.backbone_channels}}),
    auxiliary_head=dict(in_channels={{_base_.backbone_stage3_channels}}))
