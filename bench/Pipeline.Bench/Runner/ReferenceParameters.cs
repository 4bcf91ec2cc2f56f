// Parameter counts of the PyTorch reference models (sum of p.numel() over model.parameters() of the
// classes in bench/reference/reference.py, printed once with torch 1.13; the decoder's since the reference
// follows the product's single attention bias). Our models must match them
// exactly; the runner prints both so a drifted architecture is caught before any timing is trusted.
namespace Pipeline.Bench.Runner;

/// <summary>Reference parameter count per configuration.</summary>
internal static class ReferenceParameters
{
    private const long Encoder = 573_600, Decoder = 6_537_864, Captioner = 7_111_464, TextCnn = 2_714_502, BiLstm = 2_890_754, ResNet18 = 15_897_152;

    /// <summary>The reference model's parameter count for <paramref name="config"/>, or null for kernels.</summary>
    public static long? For(string config) => config switch
    {
        "encoder_train" or "encoder_eval" => Encoder,
        "decoder_train" => Decoder,
        "captioner_train" or "captioner_greedy" or "captioner_beam3" => Captioner,
        "textcnn_train" or "textcnn_infer" => TextCnn,
        "bilstm_train" or "bilstm_infer" => BiLstm,
        "resnet18_b1" or "resnet18_b32" => ResNet18,
        _ => null,
    };
}
