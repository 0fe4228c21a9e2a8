# Mask R-CNN + HLG-Large, COCO 1x: a row of the paper's Mask R-CNN table, with the paper's
# recipe (maskrcnn_1x_hlg.py; no official config beyond the model base exists).
_base_ = ['./_base_/hlg/maskrcnn_1x.py', './_base_/hlg/hlg_l.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
