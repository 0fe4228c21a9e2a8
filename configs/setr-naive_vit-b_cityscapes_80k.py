# SETR-Naive, T-Base (ViT-B/16) encoder, Cityscapes 80k: the official recipe (SGD lr 0.01).
# The paper trains T-Base only in its ablations: same recipe as T-Large.
_base_ = ['./_base_/seg/setr_cityscapes_80k.py', './_base_/seg/setr_models.py']

model = {{_base_.setr.b_naive_cityscapes}}
optim_wrapper = dict(optimizer=dict(lr=0.01))
