# SETR-MLA, T-Large (ViT-L/16, jx_vit_large_p16_384) encoder, Pascal Context (60 classes) 80k, 8
# GPUs x 1 image: the official recipe (configs/SETR/SETR_MLA_480x480_80k_pascal_context_bs_8.py; SGD
# lr 0.001), a README row.
_base_ = ['./setr-mla_vit-l_pascal-context_80k.py']

train_dataloader = dict(batch_size=1)
auto_scale_lr = dict(base_batch_size=8)
