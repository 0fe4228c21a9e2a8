# SETR (Zheng et al., CVPR 2021, https://arxiv.org/abs/2012.15840) as in the paper and the
# official fudan-zvg/SETR code, built from mmseg's VisionTransformer, SETRUPHead, MLANeck,
# SETRMLAHead and FCNHead. One entry per encoder x decoder x dataset, e.g.
# setr['l_pup_ade20k'] (the whole segmentor, with the dataset's crop and sliding-window test);
# leaf configs take one as their model.
#   encoders: T-Base (ViT-B/16: 12 layers, 768, 12 heads) and T-Large (ViT-L/16: 24 layers,
#     1024, 16 heads); LN eps 1e-6, class token, no final norm (each head applies LN), dropout
#     0, and the patch-embedding bias kept (mmseg 1.2.2 defaults to patch_bias=False, which
#     silently drops the pretrained bias). Weights: timm's jx_vit_{base,large}_p16_384 or,
#     for the official T-Base PUP / MLA runs, deit_base_distilled_patch16_384 ('deit'),
#     converted with tools/model_converters/vit2mmhybrid.py.
#   Naive: LN -> 1x1 conv 256 + BN + ReLU -> 1x1 classifier -> upsample; auxiliary heads
#     (the same, loss 0.4) at Z10/Z15/Z20 (T-Large) or Z3/Z6/Z9 (T-Base, DeiT).
#   PUP: four 3x3 conv + 2x upsample stages; auxiliary heads (3x3 conv, 4x) at
#     Z10/Z15/Z20/Z24, the Z24 one included (mmseg's config omits it); T-Base Z5/Z8/Z10/Z12.
#   MLA: streams from Z6/Z12/Z18/Z24 (T-Base Z3/Z6/Z9/Z12, no class token), MLANeck, the
#     MLA head and a 1x1 auxiliary classifier per stream. Deviations kept from mmseg: its MLA
#     head classifies with a 1x1 conv (the paper's is 3x3), upsamples with
#     align_corners=False, and its auxiliary 1x1 convs have biases.
norm_cfg = dict(type='SyncBN', requires_grad=True)
_encoders = dict(
    b=dict(embed_dims=768, num_layers=12, num_heads=12,
           checkpoint='pretrain/vit_base_p16_384.pth',
           layers=dict(naive=(2, 5, 8, 11), pup=(4, 7, 9, 11), mla=(2, 5, 8, 11))),
    deit=dict(embed_dims=768, num_layers=12, num_heads=12,
              checkpoint='pretrain/deit_base_distilled_patch16_384.pth',
              layers=dict(naive=(2, 5, 8, 11), pup=(4, 7, 9, 11), mla=(2, 5, 8, 11))),
    l=dict(embed_dims=1024, num_layers=24, num_heads=16,
           checkpoint='pretrain/vit_large_p16_384.pth',
           layers=dict(naive=(9, 14, 19, 23), pup=(9, 14, 19, 23), mla=(5, 11, 17, 23))))
# Classes, crop and sliding-window stride per dataset.
_datasets = dict(ade20k=dict(num_classes=150, img_size=(512, 512), stride=341),
                 cityscapes=dict(num_classes=19, img_size=(768, 768), stride=512),
                 pascal_context=dict(num_classes=60, img_size=(480, 480), stride=320))
_loss = dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)
_aux_loss = dict(_loss, loss_weight=0.4)


def _up_head(dims, classes, in_index, num_convs, up_scale, kernel_size, loss):
    return dict(type='SETRUPHead', in_channels=dims, channels=256, in_index=in_index,
                num_classes=classes, dropout_ratio=0, norm_cfg=norm_cfg,
                act_cfg=dict(type='ReLU'), num_convs=num_convs, up_scale=up_scale,
                kernel_size=kernel_size, align_corners=False, loss_decode=loss)


def _model(enc, head, num_classes, img_size, stride):
    return dict(
        type='EncoderDecoder',
        data_preprocessor=dict(
            type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_val=0, seg_pad_val=255,
            size=img_size),
        pretrained=None,
        train_cfg=dict(),
        test_cfg=dict(mode='slide', crop_size=img_size, stride=(stride, stride)),
        **_networks(enc, head, num_classes, img_size))


def _networks(enc, head, classes, img_size):
    dims = enc['embed_dims']
    backbone = dict(
        type='VisionTransformer', img_size=img_size, patch_size=16, in_channels=3,
        embed_dims=dims, num_layers=enc['num_layers'], num_heads=enc['num_heads'],
        mlp_ratio=4, qkv_bias=True, out_indices=enc['layers'][head], drop_rate=0.,
        attn_drop_rate=0., drop_path_rate=0., with_cls_token=head != 'mla',
        output_cls_token=False, norm_cfg=dict(type='LN', eps=1e-6), act_cfg=dict(type='GELU'),
        patch_norm=False, final_norm=False, patch_bias=True, interpolate_mode='bilinear',
        init_cfg=dict(type='Pretrained', checkpoint=enc['checkpoint']))
    if head == 'naive':
        return dict(backbone=backbone,
                    decode_head=_up_head(dims, classes, 3, 1, 4, 1, _loss),
                    auxiliary_head=[_up_head(dims, classes, i, 1, 4, 1, _aux_loss)
                                    for i in range(3)])
    if head == 'pup':
        return dict(backbone=backbone,
                    decode_head=_up_head(dims, classes, 3, 4, 2, 3, _loss),
                    auxiliary_head=[_up_head(dims, classes, i, 1, 4, 3, _aux_loss)
                                    for i in range(4)])
    return dict(
        backbone=backbone,
        neck=dict(type='MLANeck', in_channels=[dims] * 4, out_channels=256, norm_cfg=norm_cfg,
                  act_cfg=dict(type='ReLU')),
        decode_head=dict(type='SETRMLAHead', in_channels=(256, ) * 4, channels=512,
                         in_index=(0, 1, 2, 3), dropout_ratio=0, mla_channels=128,
                         num_classes=classes, norm_cfg=norm_cfg, align_corners=False,
                         loss_decode=_loss),
        auxiliary_head=[
            dict(type='FCNHead', in_channels=256, channels=256, in_index=i, dropout_ratio=0,
                 norm_cfg=norm_cfg, act_cfg=dict(type='ReLU'), num_convs=0, kernel_size=1,
                 concat_input=False, num_classes=classes, align_corners=False,
                 loss_decode=_aux_loss) for i in range(4)
        ])


setr = {
    f'{e}_{h}_{d}': _model(_encoders[e], h, **_datasets[d])
    for e in _encoders for h in ('naive', 'pup', 'mla') for d in _datasets
}
