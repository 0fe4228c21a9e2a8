# SETR-HLG + HLG-Medium, ADE20K 160k: a README row (multi-scale in the paper), with the official
# recipe (configs/setr_hlg/setr_pup_hlg_medium_512x512_160k_ade20k_bs_16.py).
_base_ = ['./_base_/hlg/setr-hlg_ade20k_160k.py', './_base_/hlg/hlg_m.py']

model = dict(
    backbone={{_base_.backbone}},
    decode_head=dict(in_channels={{_base_.backbone_channels}}),
    auxiliary_head=dict(in_channels={{_base_.backbone_stage3_channels}}))
