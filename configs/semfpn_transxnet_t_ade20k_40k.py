# Semantic FPN + TransXNet-T, ADE20K 40k: no official 40k config, so the PVT recipe.
_base_ = ['./_base_/seg/semfpn_ade20k_40k.py', './_base_/transxnet/transxnet_t.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
