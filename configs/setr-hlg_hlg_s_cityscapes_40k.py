# SETR-HLG + HLG-Small, Cityscapes 40k: a README row, with the official recipe
# (configs/setr_hlg/setr_pup_hlg_small_768x768_40k_cityscapes_bs_16.py). The paper lists the
# same number as multi-scale and 80k: see setr-hlg_hlg_s_cityscapes_80k.py.
_base_ = ['./_base_/hlg/setr-hlg_cityscapes_40k.py', './_base_/hlg/hlg_s.py']

model = dict(
    backbone={{_base_.backbone}},
    decode_head=dict(in_channels={{_base_.backbone_channels}}),
    auxiliary_head=dict(in_channels={{_base_.backbone_stage3_channels}}))
