# Mask R-CNN + FcaFormer-L3, COCO 3x: L2's official recipe applied to L3 (no
# official L3 dense model; hkzhang-git/FcaFormer object_detection/configs/fcaformer/
# mask_rcnn_fcaformer_l2_set1_480-800_adamw_3x_coco_in1k.py).
_base_ = ['./_base_/fcaformer/maskrcnn_3x.py', './_base_/fcaformer/fcaformer_l3.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
