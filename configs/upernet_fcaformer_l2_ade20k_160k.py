# UperNet + FcaFormer-L2, ADE20K 160k: the official recipe (hkzhang-git/FcaFormer
# configs/fcaformer/upernet_fcaformer_l2_160k_ade20k_ms.py).
_base_ = ['./_base_/fcaformer/upernet_ade20k_160k.py', './_base_/fcaformer/fcaformer_l2.py']

model = dict(
    backbone={{_base_.backbone_seg}},
    decode_head=dict(in_channels={{_base_.backbone_channels}}),
    auxiliary_head=dict(in_channels={{_base_.backbone_stage3_channels}}))
