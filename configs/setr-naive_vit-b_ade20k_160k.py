# SETR-Naive, T-Base (ViT-B/16) encoder, ADE20K 160k: the official recipe (SGD lr 0.01).
# The paper trains T-Base only in its ablations: same recipe as T-Large.
_base_ = ['./_base_/seg/setr_ade20k_160k.py', './_base_/seg/setr_models.py']

model = {{_base_.setr.b_naive_ade20k}}
optim_wrapper = dict(optimizer=dict(lr=0.01))
