# The SETR-HLG segmentor and optimizer of the official configs (fudan-zvg/SETR
# configs/setr_hlg/*.py, _base_/models/setr_pup_hlg.py): the head fuses the four stages at
# stride 4 (mmhybrid.SETRHLGHead, two HLG layers), an FCN auxiliary head on stage 3 (loss
# 0.4), SyncBN; AdamW 6e-5 without weight decay (none on norms), heads at 10x lr, 8 GPUs x 2
# images; sliding-window test. The dataset bases set classes, crops, the window stride and the
# schedule, and take the optimizer, the warm-up and the batch from the setr_hlg_* values.
custom_imports = dict(imports=['mmhybrid'], allow_failed_imports=False)

norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255),
    pretrained=None,
    backbone=dict(type='mmhybrid.HLG'),  # leaf configs replace it
    decode_head=dict(
        type='mmhybrid.SETRHLGHead',
        in_index=[0, 1, 2, 3],
        channels=512,
        num_layers=2,
        num_heads=16,
        interval=8,
        dropout_ratio=0.1,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead',
        in_index=2,
        channels=256,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='slide'))
setr_hlg_optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=6e-5, betas=(0.9, 0.999), weight_decay=0.0),
    paramwise_cfg=dict(custom_keys={'norm': dict(decay_mult=0.), 'head': dict(lr_mult=10.)}))
setr_hlg_warmup = dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500)
auto_scale_lr = dict(enable=False, base_batch_size=16)
