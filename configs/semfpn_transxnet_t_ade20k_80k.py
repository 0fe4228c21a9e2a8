# Semantic FPN + TransXNet-T, ADE20K 80k: the official recipe (LMMMEng/TransXNet
# semantic_segmentation/configs/sfpn_transxnet_tiny.py).
_base_ = ['./_base_/seg/semfpn_ade20k_80k_cosine.py', './_base_/transxnet/transxnet_t.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
# Keep the best checkpoint (by mIoU) and no other, as the official run.
default_hooks = dict(checkpoint=dict(save_best='mIoU', max_keep_ckpts=1))
