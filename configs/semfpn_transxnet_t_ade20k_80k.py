# Semantic FPN + TransXNet-T, ADE20K 80k: the official recipe (LMMMEng/TransXNet
# semantic_segmentation/configs/sfpn_transxnet_tiny.py).
_base_ = ['./_base_/seg/semfpn_ade20k_80k_cosine.py', './_base_/backbones/transxnet_t.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
