# SETR-MLA, T-Large (ViT-L/16, jx_vit_large_p16_384) encoder, ADE20K 160k: the official recipe
# (configs/SETR/SETR_MLA_512x512_160k_ade20k_bs_16.py; SGD lr 0.001).
_base_ = ['./_base_/setr/setr_ade20k_160k.py', './_base_/setr/setr_models.py']

model = {{_base_.setr.l_mla_ade20k}}
setr = None  # the table of every SETR model in setr_models.py is not part of this config
optim_wrapper = dict(optimizer=dict(lr=0.001))
