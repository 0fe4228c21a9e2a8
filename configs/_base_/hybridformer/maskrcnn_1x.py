# Mask R-CNN 1x with UniFormer's recipe (Sense-X/UniFormer object_detection/exp/
# mask_rcnn_1x_hybrid_small/config.py): maskrcnn_1x.py's AdamW 1e-4, wd 0.05 without decay on
# norms and position tables, single-scale training, mixed precision (its fp16 optimizer
# hook; fp32 where no GPU is present).
_base_ = ['../det/maskrcnn_1x.py']

optim_wrapper = dict(type='AmpOptimWrapper')
