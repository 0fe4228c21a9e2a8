# SETR-MLA, T-Large (ViT-L/16, jx_vit_large_p16_384) encoder, ADE20K 160k, 8 GPUs x 1 image: the
# official recipe (configs/SETR/SETR_MLA_512x512_160k_ade20k_bs_8.py; SGD lr 0.001), a README row.
_base_ = ['./setr-mla_vit-l_ade20k_160k.py']

train_dataloader = dict(batch_size=1)
auto_scale_lr = dict(base_batch_size=8)
