// Convolution over groups of images (one GEMM per group, ConvolutionCore): a batch large enough to
// need several groups (plus a partial last one) must give the same output and the same input, weight
// and bias gradients as convolving each image on its own, for Conv2d (strided, padded) and Conv1d.
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Nn;

public class ConvolutionGroupTests
{
    [Fact]
    public void Conv2dBatchSpanningSeveralGroupsMatchesPerImage()
    {
        // K·P = 27·4096 per image, so the 256 Ki column budget holds 2 images: groups of 2, 2 and 1.
        Assert.Equal(2, ConvolutionCore.GroupSize(5, 27, 64 * 64));
        var gen = new Generator(3);
        var x = Tensor.Randn(gen, [5, 3, 64, 64]).WithGrad();
        var w = GradCheck.Param(gen, 0.3f, 4, 3, 3, 3);
        var b = GradCheck.Param(gen, 0.3f, 4);
        Check(x, w, b, (xi, wi, bi) => Functional.Conv2d(xi, wi, bi, padding: (1, 1)));
    }

    [Fact]
    public void Conv1dBatchSpanningSeveralGroupsMatchesPerImage()
    {
        Assert.Equal(5, ConvolutionCore.GroupSize(12, 16 * 3, 998));          // groups of 5, 5 and 2
        var gen = new Generator(5);
        var x = Tensor.Randn(gen, [12, 16, 1000]).WithGrad();
        var w = GradCheck.Param(gen, 0.2f, 5, 16, 3);
        var b = GradCheck.Param(gen, 0.2f, 5);
        Check(x, w, b, (xi, wi, bi) => Functional.Conv1d(xi, wi, bi));
    }

    // Runs the batch at once and image by image (each its own group) with the same upstream gradient.
    private static void Check(Tensor x, Tensor w, Tensor b, Func<Tensor, Tensor, Tensor, Tensor> conv)
    {
        int batch = x.Size(0), imageSize = x.Length / batch;
        var whole = conv(x, w, b);
        var upstream = Tensor.Randn(new Generator(9), whole.ShapeArray());
        Tensor.SumAll(whole * upstream).Backward();
        var (gx, gw, gb) = (x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray());

        var w1 = w.Clone().WithGrad(); var b1 = b.Clone().WithGrad();
        var expectedGx = new float[x.Length];
        int outSize = whole.Length / batch;
        for (int n = 0; n < batch; n++)
        {
            var shape = x.ShapeArray(); shape[0] = 1;
            var xn = Tensor.FromArray(x.Data.Slice(n * imageSize, imageSize), shape).WithGrad();
            var yn = conv(xn, w1, b1);
            GradCheck.AssertClose(whole.Data.Slice(n * outSize, outSize), yn.Data, 1e-4f, 1e-4f);
            var un = Tensor.FromArray(upstream.Data.Slice(n * outSize, outSize), yn.ShapeArray());
            Tensor.SumAll(yn * un).Backward();
            xn.Grad!.Data.CopyTo(expectedGx.AsSpan(n * imageSize, imageSize));
        }
        GradCheck.AssertClose(expectedGx, gx, 1e-4f, 1e-4f);
        GradCheck.AssertClose(w1.Grad!.Data, gw, 1e-2f, 1e-4f);
        GradCheck.AssertClose(b1.Grad!.Data, gb, 1e-2f, 1e-4f);
    }
}
