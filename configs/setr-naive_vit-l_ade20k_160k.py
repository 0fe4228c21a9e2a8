# SETR-Naive, T-Large (ViT-L/16) encoder, ADE20K 160k: the official recipe (SGD lr 0.01).
_base_ = ['./_base_/seg/setr_ade20k_160k.py', './_base_/seg/setr_models.py']

model = {{_base_.setr.l_naive_ade20k}}
optim_wrapper = dict(optimizer=dict(lr=0.01))
