# UperNet + MixFormer-B1, ADE20K 160k: the PaddleClas README row, with mmseg's Swin recipe,
# which the paper follows.
_base_ = ['./_base_/seg/upernet_ade20k_160k.py', './_base_/mixformer/mixformer_b1.py']

model = dict(
    backbone={{_base_.backbone}},
    decode_head=dict(in_channels={{_base_.backbone_channels}}),
    auxiliary_head=dict(in_channels={{_base_.backbone_stage3_channels}}))
