# `make demo`: Mask R-CNN + TransXNet-T trained from scratch on the toy COCO of
# tools/misc/make_toy_data.py, on a CPU in about 10 minutes. The model and evaluation are the
# real maskrcnn_transxnet_t_1x.py ones; only the data, the image scale and the schedule shrink.
_base_ = ['../maskrcnn_transxnet_t_1x.py', '../_base_/datasets/toy_coco.py']

# From scratch, and with fewer sampled proposals and RoIs: the mask head's cost scales with
# the number of positive RoIs, and a CPU has no time to spare.
model = dict(
    backbone=dict(init_cfg=None),
    train_cfg=dict(rpn_proposal=dict(nms_pre=1000, max_per_img=256),
                   rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=300, max_per_img=300)))
train_dataloader = dict(batch_size=2, num_workers=1, dataset={{_base_.toy_coco_train}})
val_dataloader = dict(batch_size=1, num_workers=1, dataset={{_base_.toy_coco_val}})
test_dataloader = val_dataloader
val_evaluator = {{_base_.toy_coco_evaluator}}
test_evaluator = val_evaluator

max_epochs = 8
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
# From scratch on a few hundred steps: a larger lr than the 1x recipe's fine-tuning one.
optim_wrapper = dict(optimizer=dict(lr=1e-3), clip_grad=dict(max_norm=5.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[7],
         gamma=0.1),
]
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=max_epochs))
