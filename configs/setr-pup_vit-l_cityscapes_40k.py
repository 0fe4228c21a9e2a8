# SETR-PUP, T-Large (ViT-L/16) encoder, Cityscapes 40k: the official recipe (SGD lr 0.01).
_base_ = ['./_base_/seg/setr_cityscapes_40k.py', './_base_/seg/setr_models.py']

model = {{_base_.setr.l_pup_cityscapes}}
optim_wrapper = dict(optimizer=dict(lr=0.01))
