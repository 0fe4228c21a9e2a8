# SETR-PUP, T-Large (ViT-L/16, jx_vit_large_p16_384) encoder, Pascal Context (60 classes) 80k: the
# official recipe (configs/SETR/SETR_PUP_480x480_80k_pascal_context_bs_16.py; SGD lr 0.001).
_base_ = ['./_base_/setr/setr_pascal_context_80k.py', './_base_/setr/setr_models.py']

model = {{_base_.setr.l_pup_pascal_context}}
setr = None  # the table of every SETR model in setr_models.py is not part of this config
optim_wrapper = dict(optimizer=dict(lr=0.001))
