# UperNet + FcaFormer-L1, ADE20K 160k: L2's official recipe applied to L1 (no
# official L1 dense model; hkzhang-git/FcaFormer semantic-segmentation/configs/fcaformer/
# upernet_fcaformer_l2_160k_ade20k_ms.py).
_base_ = ['./_base_/fcaformer/upernet_ade20k_160k.py', './_base_/fcaformer/fcaformer_l1.py']

model = dict(
    backbone={{_base_.backbone_seg}},
    decode_head=dict(in_channels={{_base_.backbone_channels}}),
    auxiliary_head=dict(in_channels={{_base_.backbone_stage3_channels}}))
