# SETR-MLA, T-Base (ViT-B/16, jx_vit_base_p16_384) encoder, Cityscapes 40k: no official config; our
# choice: the DeiT-B recipe of this decoder and dataset (SGD lr 0.002) on jx ViT-B.
_base_ = ['./_base_/setr/setr_cityscapes_40k.py', './_base_/setr/setr_models.py']

model = {{_base_.setr.b_mla_cityscapes}}
setr = None  # the table of every SETR model in setr_models.py is not part of this config
optim_wrapper = dict(optimizer=dict(lr=0.002))
