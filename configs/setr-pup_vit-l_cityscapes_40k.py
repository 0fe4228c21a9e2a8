# SETR-PUP, T-Large (ViT-L/16, jx_vit_large_p16_384) encoder, Cityscapes 40k: the official recipe
# (configs/SETR/SETR_PUP_768x768_40k_cityscapes_bs_8.py; SGD lr 0.01).
_base_ = ['./_base_/setr/setr_cityscapes_40k.py', './_base_/setr/setr_models.py']

model = {{_base_.setr.l_pup_cityscapes}}
setr = None  # the table of every SETR model in setr_models.py is not part of this config
optim_wrapper = dict(optimizer=dict(lr=0.01))
