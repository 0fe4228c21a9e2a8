# Mask R-CNN 3x with multi-scale + crop training (mmdet Swin/ConvNeXt 3x recipe).
_base_ = ['./maskrcnn_1x.py', './ms_crop_3x.py']

train_cfg = {{_base_.ms_crop_train_cfg}}
param_scheduler = {{_base_.ms_crop_param_scheduler}}
train_dataloader = dict(dataset=dict(pipeline={{_base_.ms_crop_instance_pipeline}}))
