# SETR-Naive, T-Base (ViT-B/16, jx_vit_base_p16_384) encoder, Cityscapes 40k: the official recipe
# (configs/SETR/SETR_Naive_Base_768x768_40k_cityscapes_bs_8.py; SGD lr 0.01).
_base_ = ['./_base_/setr/setr_cityscapes_40k.py', './_base_/setr/setr_models.py']

model = {{_base_.setr.b_naive_cityscapes}}
setr = None  # the table of every SETR model in setr_models.py is not part of this config
optim_wrapper = dict(optimizer=dict(lr=0.01))
