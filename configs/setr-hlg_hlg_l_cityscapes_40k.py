# SETR-HLG + HLG-Large, Cityscapes 40k: a README row, with the official recipe
# (configs/setr_hlg/setr_pup_hlg_large_768x768_40k_cityscapes_bs_16.py). The paper lists the
# same number as multi-scale and 80k: see setr-hlg_hlg_l_cityscapes_80k.py.
# Stage 3 has 18 blocks as in that config (the released ImageNet checkpoint has 14, so blocks
# 15-18 start from scratch, as they did there).
_base_ = ['./_base_/hlg/setr-hlg_cityscapes_40k.py', './_base_/hlg/hlg_l.py']

model = dict(
    backbone={{_base_.backbone_depth18}},
    decode_head=dict(in_channels={{_base_.backbone_channels}}),
    auxiliary_head=dict(in_channels={{_base_.backbone_stage3_channels}}))
