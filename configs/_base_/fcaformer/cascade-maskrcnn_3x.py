# The FcaFormer Cascade Mask R-CNN 3x recipe (hkzhang-git/FcaFormer): the 3x multi-scale +
# crop schedule with 500 warm-up iterations, AdamW 2e-4, wd 0.05 (none on 1-d parameters and
# biases only, as the official constructor), lr decay 0.7 with the official 'layer_wise_cab'
# grouping; 4conv1fc SyncBN GIoU heads; mixed precision (fp32 where no GPU is present).
_base_ = ['../det/cascade-maskrcnn_3x.py']

optim_wrapper = dict(paramwise_cfg=dict(_delete_=True, decay_rate=0.7,
                                        decay_type='layer_wise_cab', no_decay_names=()))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=36, by_epoch=True, milestones=[27, 33], gamma=0.1),
]
