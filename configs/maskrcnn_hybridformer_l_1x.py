# Mask R-CNN + HybridFormer-L, COCO 1x: a README row; UniFormer's Mask R-CNN 1x recipe
# (maskrcnn_1x_uniformer.py; the README compares with UniFormer-h14 and gives no recipe), with
# stage 3 in 14x14 windows and every 4th block global; drop path 0.3 (UniFormer-B's).
_base_ = ['./_base_/hybridformer/maskrcnn_1x.py', './_base_/hybridformer/hybridformer_l.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
